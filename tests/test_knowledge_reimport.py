"""A re-import of a knowledge file says which games' answers it withdrew or changed, and one
whose last entry loses answers (a file cut at a line break) is refused without --force
(QA153 F4, F7). Real files: tmp copies of ../shared/knowledge, cut where the tester cut them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_knowledge_import import counts, observation

PCSX2 = "pcsx2-gameindex"


def _index() -> Path:
    return shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")


def _cut_after(text: str, serial: str, lines: int) -> str:
    """``text`` up to ``lines`` lines after the line ``serial:`` (a cut at a line break)."""
    rows = text.splitlines(keepends=True)
    start = rows.index(f"{serial}:\n")
    return "".join(rows[:start + 1 + lines])


def _imported(cli: Any) -> None:
    result = cli("cache", "import", _index())
    assert result.code == 0, result.err


def test_a_gameindex_cut_after_an_entrys_region_line_is_refused_naming_the_game(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA153 F4 (a): ending right after FFX's `region:` line, the file imported with exit 0
    and withdrew FFX's `playable` and fixes; the message named no game."""
    _imported(cli)
    cut = tmp_path / "dmg_line.yaml"
    cut.write_text(_cut_after(_index().read_text(), "SCES-50490", 2))
    assert cut.read_text().endswith('  region: "PAL-E"\n')
    before = counts(db_path)
    refused = cli("cache", "import", cut)
    assert refused.code == 2, refused.out + refused.err
    assert "refused to replace pcsx2-gameindex's answers for the file's last entry, " \
        "SCES-50490 Final Fantasy X" in refused.err and "--force" in refused.err, refused.err
    assert "rating playable withdrawn" in refused.err, refused.err
    assert counts(db_path) == before
    assert observation(db_path, "compat", "SCES-50490", PCSX2)["status"] == "playable"  # type: ignore[index]
    forced = cli("--json", "cache", "import", cut, "--force")
    assert forced.code == 0, forced.err
    data = forced.json()["data"]
    assert {(a["kind"], a["key"], a["title"]) for a in data["withdrawn_answers"]} == {
        ("compat", "SCES-50490", "Final Fantasy X"), ("settings", "SCES-50490",
                                                      "Final Fantasy X")}
    assert any("SCES-50490 Final Fantasy X (was playable)" in w for w in forced.json()[
        "warnings"]), forced.json()["warnings"]


def test_a_gameindex_cut_inside_an_entrys_fixes_is_refused_naming_the_lost_fix(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA153 F4 (b): ending after ICO's `mipmap: 1` (the entry goes on with
    `halfPixelOffset: 1`), the import gave no warning at all and ICO's "required" fixes
    lost halfPixelOffset."""
    _imported(cli)
    cut = tmp_path / "dmg_ico.yaml"
    cut.write_text(_cut_after(_index().read_text(), "SCCS-40005", 10))
    assert cut.read_text().endswith("    mipmap: 1\n")
    refused = cli("cache", "import", cut)
    assert refused.code == 2 and "SCCS-40005 ICO" in refused.err, refused.err
    assert "gsHWFixes.halfPixelOffset" in refused.err, refused.err
    stored = observation(db_path, "settings", "SCCS-40005", PCSX2)
    assert stored is not None and json.loads(stored["settings_json"])["gsHWFixes"] == {
        "mipmap": 1, "halfPixelOffset": 1}


def test_a_dolphin_ini_cut_after_its_emustate_header_is_warned_naming_the_game(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA153 F4 (c): the first 8 lines of GFZE01.ini (ending after `[EmuState]` and its
    comment) withdrew F-Zero GX's `playable` and shrank its settings, exit 0, the game
    unnamed. A Dolphin ini is one game: an upstream update dropping a hack from it looks the
    same (review 156 F5), so it is warned, naming the game, not refused."""
    real = shared_path("knowledge", "dolphin", "GameSettings", "GFZE01.ini")
    assert cli("cache", "import", real).code == 0
    cut = tmp_path / "dcut" / "GFZE01.ini"
    cut.parent.mkdir()
    cut.write_text("".join(real.read_text().splitlines(keepends=True)[:8]))
    result = cli("--json", "cache", "import", cut)
    assert result.code == 0, result.err
    assert any("GFZE01 F-ZERO GX (US Version) (was playable)" in w
               for w in result.json()["warnings"]), \
        result.json()["warnings"]
    assert observation(db_path, "compat", "GFZE01", "dolphin-gameini") is None


def test_a_duckstation_gamedb_cut_before_its_last_entrys_traits_is_refused(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """The same with DuckStation's gamedb: its last entry kept its rating, lost its traits."""
    real = shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml")
    assert cli("cache", "import", real).code == 0
    cut = tmp_path / "gamedb.yaml"
    cut.write_text(_cut_after(real.read_text(), "SLPS-01434", 6))
    assert cut.read_text().endswith("    - DigitalController\n")
    refused = cli("cache", "import", cut)
    assert refused.code == 2 and "SLPS-01434 3D Kakutou Tkool (Japan)" in refused.err, \
        refused.err
    assert observation(db_path, "settings", "SLPS-01434", "duckstation-gamedb") is not None


def test_a_withdrawal_inside_the_file_is_a_warning_naming_the_game(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """An entry that lost its rating but is not the file's last (an upstream edit, not a
    cut): imported, and the warning names it (QA153 F4: "1 compat answer … withdrawn")."""
    _imported(cli)
    text = _index().read_text()
    start = text.index("SCES-50490:\n")
    edited = tmp_path / "GameIndex.yaml"
    edited.write_text(text[:start] + text[start:].replace("  compat: 5\n", "", 1))
    result = cli("cache", "import", edited)
    assert result.code == 0, result.err
    assert "1 compat answer of pcsx2-gameindex withdrawn: entries of the file that no longer " \
        "give them: SCES-50490 Final Fantasy X (was playable)" in result.err, result.err
    assert observation(db_path, "compat", "SCES-50490", PCSX2) is None


def test_a_newer_gameindex_names_the_ratings_it_changed(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA153 F7: FFX `compat: 5` -> `compat: 1` said the same line as an unchanged re-import,
    and FFX left every auto-list unsaid."""
    _imported(cli)
    text = _index().read_text()
    start = text.index("SCES-50490:\n")
    newer = tmp_path / "gi_new.yaml"
    newer.write_text(text[:start] + text[start:].replace("compat: 5", "compat: 1", 1))
    result = cli("cache", "import", newer)
    assert result.code == 0, result.err
    assert "1 rating of pcsx2-gameindex changed: SCES-50490 Final Fantasy X playable -> " \
        "broken" in result.out, result.out
    again = cli("--json", "cache", "import", _index())
    assert again.json()["data"]["changed_answers"] == [{
        "kind": "compat", "platform_id": "ps2", "key": "SCES-50490", "emulator_id": "pcsx2",
        "title": "Final Fantasy X", "was": "broken", "now": "playable", "lost": [],
        "copied_from": None}]
    unchanged = cli("--json", "cache", "import", _index())
    assert unchanged.json()["data"]["changed_answers"] == []
    assert "changed" not in cli("cache", "import", _index()).out


def test_an_envelope_names_the_ratings_it_changed(cli: Any, tmp_path: Path) -> None:
    """Any knowledge source: a newer compat envelope of a source says what it changed."""
    def envelope(status: str) -> Path:
        path = tmp_path / f"{status}.json"
        path.write_text(json.dumps({"schemaVersion": "compat-source-v1",
                                    "source": "community-verified", "items": [
                                        {"platformId": "ps2", "emulatorId": "pcsx2",
                                         "externalGameId": "SLUS_203.12", "status": status}]}))
        return path

    assert cli("cache", "import", envelope("playable")).code == 0
    result = cli("cache", "import", envelope("broken"))
    assert result.code == 0, result.err
    assert "1 rating of community-verified changed: SLUS-20312 playable -> broken" \
        in result.out, result.out


def test_a_reimport_says_new_ratings_apart_from_changed_ones(cli: Any, tmp_path: Path) -> None:
    """qa177 F4: a re-import adding a game's rating said "1 rating … changed: GQQE01 (none)
    -> playable" (the JSON had it in given_answers): 500 new entries read as 500 changes."""
    def envelope(name: str, items: dict[str, str]) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({"schemaVersion": "compat-source-v1",
                                    "source": "community-verified", "items": [
                                        {"platformId": "ps2", "emulatorId": "pcsx2",
                                         "externalGameId": key, "status": status}
                                        for key, status in items.items()]}))
        return path

    first = cli("cache", "import", envelope("one.json", {"SLUS_203.12": "playable"}))
    assert first.code == 0 and "rating" not in first.out, first.out
    result = cli("cache", "import", envelope("two.json", {"SLUS_203.12": "broken",
                                                          "SLUS_209.46": "playable",
                                                          "SLES_500.01": "ingame"}))
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if "rating" in line]
    assert lines == [
        f"{tmp_path / 'two.json'}: 1 rating of community-verified changed: SLUS-20312 "
        "playable -> broken",
        f"{tmp_path / 'two.json'}: 2 new ratings of community-verified: SLES-50001 (ingame); "
        "SLUS-20946 (playable)"], result.out
    data = cli("--json", "cache", "import", envelope("three.json", {"SLUS_209.46": "broken",
                                                                    "SLES_500.02": "perfect"}))
    item = data.json()["data"]
    assert [a["key"] for a in item["changed_answers"]] == ["SLUS-20946"]
    assert [a["key"] for a in item["given_answers"]] == ["SLES-50002"]


def test_a_disc_sets_other_disc_given_disc_ones_rating_before_loses_it_on_reimport(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 156 F4: a cache whose DuckStation import had copied disc 1's rating to disc 2
    (an earlier reader took `discSet.serials` for aliases) kept that copy after importing
    the file again; a "broken" copy would outlive every prune."""
    from romrunner.cache.ingest import ingest_observations
    from romrunner.cache.kinds import COMPAT
    from romrunner.store import OpenMode, open_database

    gamedb = tmp_path / "gamedb.yaml"
    gamedb.write_text('SLPS-01497:\n  name: "Eyes (Japan) (Disc 1)"\n  discSet:\n'
                      '    name: "Eyes (Japan)"\n    serials:\n      - SLPS-01497\n'
                      '      - SLPS-01498\n  compatibility:\n    rating: DoesntBoot\n')
    assert cli("cache", "import", gamedb).code == 0
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, COMPAT, "duckstation-gamedb", [  # (as the earlier reader did)
        {"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": "SLPS-01498",
         "status": "broken", "confidence": "high",
         "notes": "raw: DoesntBoot; title: Eyes (Japan) (Disc 1); same title as: SLPS-01497"}])
    db.close()
    assert observation(db_path, "compat", "SLPS-01498", "duckstation-gamedb") is not None
    assert cli("cache", "import", gamedb, "--force").code == 0
    assert observation(db_path, "compat", "SLPS-01498", "duckstation-gamedb") is None
    assert observation(db_path, "compat", "SLPS-01497", "duckstation-gamedb") is not None


def test_a_reimport_names_the_copies_of_a_disc_sets_answer_it_withdraws(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """A re-import that withdraws the copies of disc 1's rating an earlier reader gave the
    set's other discs names them, as it names every answer it withdraws or changes (the
    withdrawal was silent: their auto-list entries changed unsaid)."""
    from romrunner.cache.ingest import ingest_observations
    from romrunner.cache.kinds import COMPAT
    from romrunner.store import OpenMode, open_database

    source = "duckstation-gamedb"
    gamedb = tmp_path / "gamedb.yaml"
    gamedb.write_text('SLPS-01497:\n  name: "Eyes (Japan) (Disc 1)"\n  discSet:\n'
                      '    name: "Eyes (Japan)"\n    serials:\n      - SLPS-01497\n'
                      '      - SLPS-01498\n      - SLPS-01499\n  compatibility:\n'
                      '    rating: CrashesInGame\n')
    assert cli("cache", "import", gamedb).code == 0
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, COMPAT, source, [  # (the copies the earlier reader wrote)
        {"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": disc,
         "status": "ingame", "confidence": "high",
         "notes": "raw: CrashesInGame; title: Eyes (Japan) (Disc 1); same title as: SLPS-01497"}
        for disc in ("SLPS-01498", "SLPS-01499")])
    db.close()
    again = cli("--json", "cache", "import", gamedb)
    assert again.code == 0, again.err
    assert observation(db_path, "compat", "SLPS-01498", source) is None
    withdrawn = again.json()["data"]["withdrawn_answers"]
    assert [(a["key"], a["was"], a["copied_from"]) for a in withdrawn] == [
        ("SLPS-01498", "ingame", "SLPS-01497"), ("SLPS-01499", "ingame", "SLPS-01497")]
    warned = " ".join(" ".join(again.json()["warnings"]).split())
    assert f"2 compat answers of {source} withdrawn" in warned, warned
    assert "SLPS-01498, copied from SLPS-01497 Eyes (Japan) (Disc 1) (was ingame)" in warned
    quiet = cli("cache", "import", gamedb)  # (nothing left to withdraw: nothing said)
    assert quiet.code == 0 and "withdrawn" not in quiet.err, quiet.err


def _performance(path: Path, date: str, ps2: int, wind_waker: int) -> Path:
    path.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "generatedAt": f"{date}T00:00:00Z", "items": [
            {"deviceId": "retroid-pocket-5", "platformId": "ps2", "gameId": "*",
             "score": ps2},
            {"deviceId": "retroid-pocket-5", "platformId": "gamecube", "gameId": "GZLE01",
             "score": wind_waker}]}))
    return path


def test_a_performance_reimport_names_the_tiers_it_changed(cli: Any, tmp_path: Path) -> None:
    """qa195 F3: a newer performance envelope turned the device's PS2 tier from good to poor
    (every PS2 game off its auto-list) and said nothing: ratings and settings were watched,
    performance not. Named now, once per device (its two profiles together); a score that
    stays in its tier, or a first import, names nothing."""
    pack = str(shared_path("definition-pack"))
    for args in (("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "android"),
                 ("profile", "create", "--device", "1", "--os", "android")):
        assert cli("--pack", pack, *args).code == 0, args
    first = cli("--pack", pack, "--json", "cache", "import",
                _performance(tmp_path / "p1.json", "2026-11-01", 70, 0))
    assert first.code == 0, first.err
    assert first.json()["data"]["changed_answers"] == []
    same_tier = cli("--pack", pack, "cache", "import",
                    _performance(tmp_path / "p2.json", "2026-11-02", 75, 0))
    assert same_tier.code == 0, same_tier.err
    assert "changed" not in same_tier.out, same_tier.out
    newer = cli("--pack", pack, "cache", "import",
                _performance(tmp_path / "p3.json", "2026-12-01", 20, 70))
    assert newer.code == 0, newer.err
    assert "2 performance answers of retrocatalog-api changed: gamecube GZLE01 on " \
        "retroid-pocket-5 (profiles 1, 2): unplayable -> good; ps2 games on " \
        "retroid-pocket-5 (profiles 1, 2): good -> poor" in newer.out, newer.out
    back = cli("--pack", pack, "--json", "cache", "import",
               _performance(tmp_path / "p4.json", "2026-12-02", 20, 0))
    assert back.json()["data"]["changed_answers"] == [{
        "kind": "performance", "platform_id": "gamecube", "key": "GZLE01", "emulator_id": None,
        "title": None, "was": "good", "now": "unplayable", "lost": [], "copied_from": None,
        "device_id": "retroid-pocket-5", "device_profile_ids": [1, 2]}]
