"""Definition packs: lenient loading of the real pack, bad input, content hash, invalidation."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from romrunner.errors import PackError
from romrunner.packs import builtin_pack_path, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path


def copy_builtin(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), target)
    return target


def test_real_pack_loads_with_its_catalog_sizes() -> None:
    pack = load_pack(shared_path("definition-pack"))
    assert (len(pack.platforms), len(pack.emulators), len(pack.bios), len(pack.devices),
            len(pack.operating_systems)) == (69, 279, 319, 622, 65)
    assert len(pack.layout_profiles) == 29
    assert pack.versions["bios-hashes.json"] == "2.0.1"
    presence_only = [entry.id for entry in pack.bios if entry.presence_only]
    assert len(presence_only) == 12
    # The pack's emulators name platforms it does not define: reported, not fatal.
    assert any("supportedPlatforms names unknown" in str(w) for w in pack.warnings)


def test_real_pack_indexes_show_its_ambiguities() -> None:
    index = load_pack(shared_path("definition-pack")).index
    assert len(index.platforms_for_extension(".zip")) == 47
    assert set(index.platforms_for_extension(".GB")) == {"gb", "gbc"}
    assert index.platforms_for_extension(".sfc") == ("snes",)
    assert set(index.platforms_for_folder("FBNeo")) == {"arcade", "fbneo"}
    assert index.platforms_for_folder("playstation") == ("psx",)
    shared_md5 = index.bios_by_md5["1e68c231d0896b7eadcad1d7d8e76129"]
    assert len(shared_md5) == 5


def test_builtin_pack_loads_cleanly_and_agrees_with_the_real_pack() -> None:
    builtin = load_pack()
    assert builtin.builtin and not builtin.warnings
    assert {"nes", "snes", "gba", "psx"} <= set(builtin.platforms)
    real = load_pack(shared_path("definition-pack"))
    real_hashes = {(k.md5, k.sha1, k.crc32) for e in real.bios for k in e.known_hashes}
    for entry in builtin.bios:
        assert entry.platform_id in real.platforms, entry.id
        for known in entry.known_hashes:
            assert (known.md5, known.sha1, known.crc32) in real_hashes, entry.id


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    pack = copy_builtin(tmp_path)
    (pack / "emulators.json").write_text('{"emulators": [\n  {"id": "x",}\n]}')
    with pytest.raises(PackError, match=r"emulators\.json: malformed JSON at line 2"):
        load_pack(pack)


def test_missing_required_file_is_an_error(tmp_path: Path) -> None:
    pack = copy_builtin(tmp_path)
    (pack / "platforms.json").unlink()
    with pytest.raises(PackError, match=r"platforms\.json: required pack file is missing"):
        load_pack(pack)


def test_missing_optional_file_is_a_warning(tmp_path: Path) -> None:
    pack = copy_builtin(tmp_path)
    (pack / "devices.json").unlink()
    loaded = load_pack(pack)
    assert loaded.devices == {}
    assert [str(w) for w in loaded.warnings] == [
        "devices.json: the file is missing; the features that need it are unavailable"]


@pytest.mark.parametrize(("damage", "said"), [
    (lambda p: p.write_text('{"devices": [\n  {"id": "x",'), "malformed JSON at line 2"),
    (lambda p: p.write_bytes(b'{"devices": ["\xff"]}'), "not UTF-8 text"),
    (lambda p: p.mkdir(), "is not a file (a folder, or a link to nothing?)"),
    (lambda p: p.symlink_to(p.with_name("gone.json")), "is not a file"),
])
def test_a_broken_optional_file_is_a_warning_and_the_pack_loads(
        tmp_path: Path, damage: Any, said: str) -> None:
    """QA29 F7, F8: a half-written devices.json stopped every command (`games ls` too);
    one that is a folder or a dangling link was an "internal error" (the content hash)."""
    pack = copy_builtin(tmp_path)
    (pack / "devices.json").unlink()
    damage(pack / "devices.json")
    loaded = load_pack(pack)
    assert loaded.devices == {} and loaded.platforms
    (warning,) = [str(w) for w in loaded.warnings]
    assert warning.startswith("devices.json: ") and said in warning
    assert warning.endswith("; the features that need it are unavailable")
    assert loaded.content_hash != load_pack(copy_builtin(tmp_path / "fresh")).content_hash


def test_a_required_file_that_is_a_folder_is_said_so(tmp_path: Path) -> None:
    pack = copy_builtin(tmp_path)
    (pack / "platforms.json").unlink()
    (pack / "platforms.json").mkdir()
    with pytest.raises(PackError, match=r"platforms\.json: required pack file is not a file"):
        load_pack(pack)


def test_wrong_types_skip_the_entry_and_say_why(tmp_path: Path) -> None:
    pack = copy_builtin(tmp_path)
    data = json.loads((pack / "platforms.json").read_text())
    first_added = len(data["platforms"])  # entries are numbered from 0
    data["platforms"].append({"id": 7})
    data["platforms"].append("not an object")
    data["platforms"][0]["fileExtensions"] = ".nes"
    (pack / "platforms.json").write_text(json.dumps(data))
    bios = json.loads((pack / "bios-hashes.json").read_text())
    bios["biosFiles"][0]["knownHashes"][0]["md5"] = "not-hex"
    bios["biosFiles"].append({"id": "no-name", "platformId": "gba"})
    (pack / "bios-hashes.json").write_text(json.dumps(bios))
    loaded = load_pack(pack)
    messages = [str(w) for w in loaded.warnings]
    assert f"platforms.json: entry #{first_added}: has no string 'id'; skipped" in messages
    assert f"platforms.json: entry #{first_added + 1}: is not an object; skipped" in messages
    assert "platforms.json: 'nes': 'fileExtensions' is not a list; ignored" in messages
    assert any(m.startswith("bios-hashes.json: 'gba-bios': knownHashes[0].md5 'not-hex'")
               for m in messages)
    assert "bios-hashes.json: 'no-name': 'filename' is missing; skipped" in messages
    assert loaded.platforms["nes"].extensions == ()
    assert loaded.bios[0].known_hashes[0].md5 is None
    assert loaded.bios[0].known_hashes[0].sha1 is not None


def test_ids_and_bios_names_that_are_no_safe_name_are_skipped_and_said(
        tmp_path: Path, cli: Any) -> None:
    """QA146 F4: a platform id `../../etc` or holding an escape, a BIOS file name
    `../../tmp/x.bin` or `/tmp/x.bin`, passed `pack validate`; a deploy then failed whole
    with "'..': a path on the card cannot hold '..'", naming no game, platform or entry."""
    pack = copy_builtin(tmp_path)
    data = json.loads((pack / "platforms.json").read_text())
    for bad in ("../../etc", "evil\x1b[31m", "a/b"):
        data["platforms"].append({"id": bad, "name": "Bad", "fileExtensions": [".bad"]})
    (pack / "platforms.json").write_text(json.dumps(data))
    bios = json.loads((pack / "bios-hashes.json").read_text())
    good = bios["biosFiles"][0]
    for number, name in enumerate(("../../tmp/out.bin", "/tmp/abs.bin", "sub//x.bin")):
        bios["biosFiles"].append({**good, "id": f"bad-{number}", "filename": name})
    bios["biosFiles"].append({**good, "id": "bad-folder", "biosSubdirectory": "../up",
                              "alternateFilenames": ["ok.bin", "../no.bin"]})
    (pack / "bios-hashes.json").write_text(json.dumps(bios))
    loaded = load_pack(pack)
    messages = [str(w) for w in loaded.warnings]
    for bad in ("'../../etc'", "'a/b'"):
        assert f"platforms.json: {bad}: its id is a path, not a name; skipped" in messages
    assert "platforms.json: 'evil\\x1b[31m': its id holds a control character; skipped" \
        in messages
    assert not {"../../etc", "a/b", "evil\x1b[31m"} & set(loaded.platforms)
    assert "bios-hashes.json: 'bad-0': 'filename' '../../tmp/out.bin' climbs out of the BIOS " \
        "folder ('..'); skipped" in messages
    assert "bios-hashes.json: 'bad-1': 'filename' '/tmp/abs.bin' is an absolute path; " \
        "skipped" in messages
    assert "bios-hashes.json: 'bad-2': 'filename' 'sub//x.bin' has an empty part; skipped" \
        in messages
    kept = next(entry for entry in loaded.bios if entry.id == "bad-folder")
    assert kept.bios_subdirectory is None and kept.alternate_filenames == ("ok.bin",)
    assert not {"bad-0", "bad-1", "bad-2"} & {entry.id for entry in loaded.bios}
    validated = cli("pack", "validate", str(pack))
    assert "its id is a path, not a name; skipped" in validated.out + validated.err


def test_content_change_invalidates_pack_derived_cache_rows(tmp_path: Path) -> None:
    pack_dir = copy_builtin(tmp_path)
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    first = sync_pack(db, load_pack(pack_dir))
    assert first.changed and first.previous_hash is None
    db.execute("INSERT INTO platform_dim (id, platform_id) VALUES (1, 'snes')")
    db.execute("INSERT INTO emulator_dim (id, emulator_id) VALUES (1, 'snes9x')")
    db.execute("INSERT INTO game_key_dim (id, definition_game_id) VALUES (1, '*')")
    pack_source = db.scalar("SELECT id FROM cache_sources WHERE source_id = 'rom-runner-db'")
    other = db.scalar("SELECT id FROM cache_sources WHERE source_id = 'emulator-official'")
    for source in (pack_source, other):
        db.execute("INSERT INTO compat_observations (platform, emulator, game_key, source, "
                   "status, fetched_at) VALUES (1, 1, 1, ?, 'playable', '2026-01-01 00:00:00')",
                   (source,))
    assert not sync_pack(db, load_pack(pack_dir)).changed  # same content: nothing happens
    assert db.scalar("SELECT count(*) FROM compat_observations") == 2

    _change_pack(pack_dir)
    second = sync_pack(db, load_pack(pack_dir))
    assert second.changed and second.invalidated_rows == 1
    # (stale, not deleted: qa183 F1, a command run once with another pack lost them for good)
    expiry = dict(db.query("SELECT source, expires_at FROM compat_observations"))
    assert expiry[other] is None and 0 < expiry[pack_source] <= time.time()
    stored = db.scalar("SELECT pack_hash FROM definition_pack_meta")
    assert stored == load_pack(pack_dir).content_hash


def test_source_policy_comes_from_the_registry() -> None:
    pack = load_pack(shared_path("definition-pack"))
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "db.sqlite", OpenMode.WRITE).db
        sync_pack(db, pack)
        ttl = dict(db.query("SELECT source_id, ttl_hours FROM cache_sources"))
        assert ttl["retrocatalog-api"] == 168
        assert ttl["user-override"] is None
        ranks = dict(db.query(
            "SELECT s.source_id, p.rank FROM cache_source_priority p JOIN cache_sources s "
            "ON s.id = p.source WHERE p.cache_kind = 'compat'"))
        assert ranks["user-override"] == 0 and ranks["emulator-official"] == 1
        assert min(rank for source, rank in ranks.items() if source != "user-override") == 1
        db.close()


def _pack_source_envelope(tmp_path: Path) -> Path:
    """An envelope of one answer under the pack-derived source (rom-runner-db)."""
    envelope = tmp_path / "ours.json"
    envelope.write_text(json.dumps({
        "schemaVersion": "compat-source-v1", "source": "rom-runner-db",
        "items": [{"platformId": "snes", "emulatorId": "snes9x", "gameId": "*",
                   "status": "playable"}]}))
    return envelope


def _change_pack(pack_dir: Path) -> None:
    """Change the pack's content (a device more): its content hash changes."""
    data = json.loads((pack_dir / "devices.json").read_text())
    data["devices"].append({"deviceId": "new-device", "displayName": "New"})
    (pack_dir / "devices.json").write_text(json.dumps(data))


def test_a_writing_command_under_another_pack_says_what_it_dropped(
        cli: Any, tmp_path: Path) -> None:
    """QA84 F3: answers imported under the pack-derived source vanished at the first writing
    command run with another pack, without a word."""
    pack_dir = copy_builtin(tmp_path)
    envelope = _pack_source_envelope(tmp_path)
    assert cli("--pack", pack_dir, "cache", "import", envelope).code == 0
    quiet = cli("--pack", pack_dir, "collection", "create", "first")
    assert "dropped" not in quiet.err
    _change_pack(pack_dir)
    said = cli("--pack", pack_dir, "collection", "create", "second")
    assert said.code == 0
    assert "the cached knowledge derived from the previous one is stale now (1 row," in said.err


def test_answers_of_the_pack_derived_source_outlive_a_command_run_with_another_pack(
        cli: Any, tmp_path: Path) -> None:
    """qa183 F1: a command run once without `--pack` (even one that failed) deleted every
    answer imported under the pack-derived source, and the right pack did not bring them
    back. They are kept, said stale until imported again."""
    pack_dir = copy_builtin(tmp_path)
    _change_pack(pack_dir)
    envelope = _pack_source_envelope(tmp_path)
    assert cli("--pack", pack_dir, "cache", "import", envelope).code == 0

    def answers() -> list[dict[str, Any]]:
        shown = cli("--pack", pack_dir, "--json", "cache", "why", "snes", "snes9x", "*")
        return [a for a in shown.json()["data"] if a["source"] == "rom-runner-db"]

    assert [a["stale"] for a in answers()] == [False]
    failed = cli("collection", "add", "nosuch", "999")  # (the built-in pack: another one)
    assert failed.code == 2 and "stale now" in failed.err, failed.err
    (answer,) = answers()
    assert answer["status"] == "playable" and answer["stale"] is True
    # (back to the pack they were current under: current again — qa184 F5, stale for good)
    assert cli("--pack", pack_dir, "collection", "create", "back").code == 0
    assert [a["stale"] for a in answers()] == [False]
    assert cli("collection", "create", "away").code == 0  # (and away once more: stale)
    assert [a["stale"] for a in answers()] == [True]
    # (current again with the expiry the source's TTL gives, not never: review39b F6)
    assert cli("--pack", pack_dir, "cache", "sources", "set", "rom-runner-db", "--ttl",
               "24").code == 0
    assert cli("collection", "create", "away again").code == 0
    assert cli("--pack", pack_dir, "collection", "create", "back again").code == 0
    (answer,) = answers()
    assert answer["stale"] is False and answer["expires_at"] is not None, answer
    assert cli("--pack", pack_dir, "cache", "import", envelope).code == 0
    assert [a["stale"] for a in answers()] == [False]


def test_a_folder_name_or_os_path_climbing_out_of_the_card_is_skipped_and_named(
        tmp_path: Path) -> None:
    """QA82 F7: a pack folder name `../../x` (or an absolute one) refused every deploy with
    "'..': a path on the card cannot hold '..'", naming neither the file nor the entry, and
    `pack validate` said nothing; an absolute one was quietly put under the card."""
    pack_dir = copy_builtin(tmp_path)
    names = json.loads((pack_dir / "folder-names.json").read_text())
    names["platforms"]["snes"]["muos"] = "../../outside"
    names["platforms"]["gba"]["muos"] = "/abs/gba"
    (pack_dir / "folder-names.json").write_text(json.dumps(names))
    systems_file = pack_dir / "operating-systems.json"
    systems = json.loads(systems_file.read_text())
    entries = systems["operatingSystems"]
    muos = next(e for e in entries if e["id"] == "muos")
    muos["paths"]["bios"] = "/mnt/sdcard/../../etc"
    systems_file.write_text(json.dumps(systems))
    pack = load_pack(pack_dir)
    messages = [str(w) for w in pack.warnings]
    assert "folder-names.json: platforms.snes.muos: '../../outside' is not a folder on the " \
        "card; skipped" in messages
    assert any("platforms.gba.muos" in m and "'/abs/gba'" in m for m in messages)
    assert any("paths.bios" in m and "climbs out" in m for m in messages)
    family = pack.folder_names.family_of("muos")
    assert pack.folder_names.folder_for("snes", family)[0] != "../../outside"
    assert pack.operating_systems["muos"].paths.get("bios") is None


def test_text_encoded_as_utf8_twice_is_read_as_meant_and_said(tmp_path: Path) -> None:
    """QA102 F8: the real pack's OS names hold UTF-8 encoded twice over ("Android â€“ RK3566
    family"), shown as they were; `pack validate` said nothing."""
    pack = copy_builtin(tmp_path)
    data = json.loads((pack / "operating-systems.json").read_text(encoding="utf-8"))
    meant = ["KNULLI – Linux", "muOS → Pokémon"]
    for entry, name in zip(data["operatingSystems"], meant, strict=False):
        twice = name.encode("utf-8").decode("cp1252")
        entry["name"] = twice if "→" not in name else twice.encode("utf-8").decode("cp1252")
    (pack / "operating-systems.json").write_text(json.dumps(data, ensure_ascii=False),
                                                 encoding="utf-8")
    loaded = load_pack(pack)
    names = {system.name for system in loaded.operating_systems.values()}
    assert set(meant) <= names
    (said,) = [str(w) for w in loaded.warnings if "encoded twice" in str(w)]
    assert said.startswith("operating-systems.json: 2 text value(s) were UTF-8 encoded twice")
    # read as Latin-1 (review 105 F6: "DaijishÅ\x8d"), and text whose bytes would decode
    # too but that is text ("CAFÉ\u00a0:" would read as "CAFɠ:") left as it is
    # (review 108 F3: and text whose characters' bytes would decode, one sequence at a
    # time, but that is text: German, Czech, French, Polish… left as it is)
    meant_of = {"Daijishō".encode().decode("latin-1"): "Daijishō",
                "256 ×".encode().decode("latin-1"): "256 ×",
                "Ñandú".encode().decode("cp1252"): "Ñandú"}
    text = ["MENU CAFÉ\u00a0: Linux", "2DS „Spaß…“ Edition", "ÚŽASNÝ Handheld",
            "ÉTÉ–HIVER", "MAÇÃ\u00a0VERDE", "MÍŠA", "Café’s Retro", "Zażółć gęślą jaźń",
            "Příliš žluťoučký kůň", "İstanbul Çağ", "Tiếng Việt", "Retroid Pocket 5™",
            "Москва", "ゲーム"]
    kept = copy_builtin(tmp_path / "plain")
    plain = json.loads((kept / "operating-systems.json").read_text(encoding="utf-8"))
    model = plain["operatingSystems"][0]
    plain["operatingSystems"] += [{**model, "id": f"os-{n}", "name": name}
                                  for n, name in enumerate([*meant_of, *text])]
    (kept / "operating-systems.json").write_text(json.dumps(plain, ensure_ascii=False),
                                                 encoding="utf-8")
    loaded = {s.id: s.name for s in load_pack(kept).operating_systems.values()}
    assert [loaded[f"os-{n}"] for n in range(len(meant_of) + len(text))] == [
        *meant_of.values(), *text]


def test_the_real_packs_names_read_without_double_encoding() -> None:
    pack = load_pack(shared_path("definition-pack"))
    assert not [s.name for s in pack.operating_systems.values() if "â€" in s.name]
    assert "Daijishō (Frontend)" in {e.name for e in pack.emulators.values()}
    assert "Anbernic Stock (Android – RK3566 family)" in {
        s.name for s in pack.operating_systems.values()}
