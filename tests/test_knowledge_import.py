"""`cache import` of the emulators' own databases, our envelopes and the per-device scores.

Issue 14 item 1: each format onto observations with its own source, raw values kept,
idempotent, bad entries skipped and counted, an unreadable file changing nothing; libretro
core firmware reaching `bios check --emulator`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.knowledge.observations import tier_of_score
from tests.conftest import shared_path

ROW_TABLES = ("compat_observations", "settings_observations", "perf_observations",
              "emulator_compat_cache", "game_settings_cache", "game_performance_cache",
              "core_firmware", "cache_sources", "cache_source_priority")


def counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROW_TABLES}


def observation(db_path: Path, kind: str, game: str, source: str) -> dict[str, Any] | None:
    table = {"compat": "compat_observations", "settings": "settings_observations"}[kind]
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            f"SELECT o.* FROM {table} o JOIN game_key_dim k ON k.id = o.game_key "
            f"JOIN cache_sources s ON s.id = o.source WHERE k.definition_game_id = ? "
            f"AND s.source_id = ?", (game, source)).fetchone()
        return None if row is None else dict(row)


def all_knowledge() -> list[Path]:
    return [shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml"),
            shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml"),
            shared_path("knowledge", "ppsspp", "compat.ini"),
            shared_path("knowledge", "dolphin", "GameSettings"),
            shared_path("knowledge", "libretro-core-info")]


def test_every_real_format_imports_with_its_own_source_and_reimport_adds_no_row(
        cli: Any, db_path: Path) -> None:
    first = cli("--json", "cache", "import", *all_knowledge())
    # (the upstream files import whole: PPSSPP's repeated lines and ids of no PSP title are
    # notes, not skipped entries, QA84 F11 — its every import exited 1)
    assert first.code == 0, first.out
    files = {Path(f["path"]).name: f for f in first.json()["data"]["files"]}
    pcsx2 = files["GameIndex.excerpt.yaml"]
    # SOURCES.md: 173 entries have `compat:`
    assert (pcsx2["source"], pcsx2["format"], pcsx2["observations"]["compat"]) == (
        "pcsx2-gameindex", "pcsx2-gameindex", 173)
    assert files["gamedb.excerpt.yaml"]["source"] == "duckstation-gamedb"
    assert files["compat.ini"]["source"] == "ppsspp-compat"
    assert files["GameSettings"]["source"] == "dolphin-gameini"
    assert files["libretro-core-info"]["cores"] > 300
    before = counts(db_path)
    again = cli("--json", "cache", "import", *all_knowledge())
    assert again.code == 0 and counts(db_path) == before


def test_raw_values_are_kept_beside_the_normalised_ones(cli: Any, db_path: Path) -> None:
    assert cli("cache", "import", *all_knowledge()[:4]).code == 0
    # DuckStation `compatibility.rating: NoIssues` → perfect, the word kept in notes
    with sqlite3.connect(db_path) as conn:
        raw = conn.execute("SELECT status, notes FROM compat_observations o JOIN cache_sources s "
                           "ON s.id = o.source WHERE s.source_id = 'duckstation-gamedb' "
                           "LIMIT 1").fetchone()
        assert raw[0] == "perfect" and "raw: NoIssues" in raw[1]
        fmt = conn.execute("SELECT DISTINCT settings_format, format_detail FROM "
                           "settings_observations o JOIN cache_sources s ON s.id = o.source "
                           "WHERE s.source_id = 'pcsx2-gameindex'").fetchall()
        assert fmt == [("custom", "pcsx2-gameindex")]
        dolphin = conn.execute("SELECT DISTINCT settings_format, format_detail FROM "
                               "settings_observations o JOIN cache_sources s ON s.id = o.source "
                               "WHERE s.source_id = 'dolphin-gameini'").fetchall()
        assert dolphin == [("ini", "dolphin-gameini")]
    # the region-less Dolphin id is stored as written, for every region's lookup
    gal = observation(db_path, "settings", "GAL", "dolphin-gameini")
    assert gal is not None and "Super Smash Bros" in (gal["notes"] or "")


def test_golden_the_samples_json_is_what_the_gameindex_yaml_gives(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """The sample envelope was made from GameIndex_sample.yaml by the project's ingest
    script; importing the YAML gives the same settings for the same serials, with the raw
    compat value. Two differences are the script's, not ours, and are asserted as such: it
    also wrote flattened copies of the round/clamp modes, and it mapped `compat: 5` to
    perfect and 3 to ingame where PCSX2 says 5 = Playable, 3 = Menu (one tested table)."""
    yaml_path = shared_path("samples", "GameIndex_sample.yaml")
    sample = json.loads(shared_path("samples", "settings_pcsx2-gameindex_sample.json")
                        .read_text())
    result = cli("--json", "cache", "import", yaml_path, "--format", "pcsx2-gameindex")
    assert result.code == 0
    data = result.json()["data"]
    stats = json.loads(shared_path("samples", "settings_pcsx2-gameindex_sample_stats.json")
                       .read_text())["stats"]
    assert data["entries"] == stats["totalEntriesInYaml"] == 3
    assert data["observations_by_kind"] == {"compat": 3, "settings": stats["emittedItems"]}
    flattened = {"eeRoundMode", "vuRoundMode", "eeClamping", "vuClamping"}
    for item in sample["items"]:
        row = observation(db_path, "settings", item["externalGameId"], "pcsx2-gameindex")
        assert row is not None
        expected = {k: v for k, v in item["settings"].items() if k not in flattened}
        expected["patches"] = item["patches"]
        assert json.loads(row["settings_json"]) == expected
        assert (row["apply_mode"], row["confidence"], row["format_detail"]) == (
            item["applyMode"], item["confidence"], item["settingsFormat"])
        assert f"title: {item['title']}" in row["notes"]
        compat = observation(db_path, "compat", item["externalGameId"], "pcsx2-gameindex")
        assert compat is not None
        assert f"raw: {item['compatRating']['raw']}" in compat["notes"]
    ours = {i["externalGameId"]: observation(db_path, "compat", i["externalGameId"],
                                             "pcsx2-gameindex")["status"]  # type: ignore[index]
            for i in sample["items"]}
    assert ours == {"SLUS-20946": "playable", "SLES-12345": "menu_intro"}
    # the envelope itself imports into the same source and keys: no new row
    before = counts(db_path)
    envelope = cli("--json", "cache", "import",
                   shared_path("samples", "settings_pcsx2-gameindex_sample.json"))
    assert envelope.code == 0 and envelope.json()["data"]["source"] == "pcsx2-gameindex"
    assert counts(db_path) == before


def test_an_envelope_from_an_unknown_source_is_refused_and_changes_nothing(
        cli: Any, db_path: Path) -> None:
    rpcs3 = shared_path("samples", "settings_rpcs3-wiki_sample.json")
    cli("db", "init")
    before = counts(db_path)
    refused = cli("cache", "import", rpcs3)
    assert refused.code == 2 and "unknown cache source 'rpcs3-wiki'" in refused.err
    assert counts(db_path) == before
    accepted = cli("--json", "cache", "import", rpcs3, "--new-source")
    assert accepted.code == 0 and accepted.json()["data"]["observations"] == 2


def test_unknown_format_is_refused_naming_the_file(cli: Any, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("just some words\nnothing a reader knows\n")
    result = cli("cache", "import", odd)
    assert result.code == 2 and "notes.txt: not a known knowledge format" in result.err
    envelope = tmp_path / "future.json"
    envelope.write_text(json.dumps({"schemaVersion": "compat-source-v9", "items": []}))
    result = cli("cache", "import", envelope)
    assert result.code == 2 and "schemaVersion 'compat-source-v9'" in result.err
    assert cli("cache", "import", odd, "--format", "gameindex").code == 2  # not a choice


def test_one_unreadable_file_among_several_changes_nothing(cli: Any, db_path: Path,
                                                           tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schemaVersion": "compat-source-v1", "items": [')
    cli("db", "init")
    before = counts(db_path)
    result = cli("cache", "import", shared_path("knowledge", "ppsspp", "compat.ini"), broken)
    assert result.code == 2 and "broken.json: not valid JSON" in result.err
    assert counts(db_path) == before


def test_truncated_yaml_bomb_and_wrong_types_are_skipped_and_counted(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    text = (
        'SLUS-20946:\n  name: "God of War"\n  region: "NTSC-U"\n  compat: 5\n'
        'SLUS-20001:\n  name: "Wrong types"\n  compat: [1, 2]\n'
        'SLUS-20002:\n  a: &a ["x", "x", "x"]\n  b: &b [*a, *a, *a]\n  c: [*b, *b, *b]\n'
        'SLUS-20003:\n  name: "Cut off\n  compat: 4\n')
    path = tmp_path / "GameIndex.yaml"
    path.write_text(text)
    result = cli("--json", "cache", "import", path, "--format", "pcsx2-gameindex")
    assert result.code == 1
    data = result.json()["data"]
    assert data["observations_by_kind"] == {"compat": 1} and data["skipped"] == 3
    reasons = " | ".join(p["reason"] for p in data["problems"])
    assert "compat [1, 2] is not 0-6" in reasons and "anchors/aliases" in reasons
    strict = cli("cache", "import", path, "--format", "pcsx2-gameindex", "--strict")
    assert strict.code == 2 and "refused (--strict)" in strict.err


def test_a_file_with_no_usable_entry_is_refused(cli: Any, db_path: Path,
                                                tmp_path: Path) -> None:
    path = tmp_path / "compat.ini"
    path.write_text("PPSSPP compat.ini for PPSSPP\nULUS10041 = true\n")  # no section at all
    result = cli("cache", "import", path, "--format", "ppsspp-compat")
    assert result.code == 2 and "no usable ppsspp-compat entry" in result.err


@pytest.mark.parametrize(("score", "tier"), [(100, "excellent"), (80, "excellent"),
                                             (79, "good"), (60, "good"), (59, "playable"),
                                             (40, "playable"), (39, "poor"), (1, "poor"),
                                             (0, "unplayable")])
def test_scores_map_onto_tiers_as_retrocatalog_says(score: int, tier: str) -> None:
    assert tier_of_score(score) == tier


def test_device_scores_become_performance_for_each_profile_of_the_device(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    cli("db", "init")
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO devices (id, device_id, nickname, connection_type) VALUES "
                     "(1, 'rg-35xx-plus', 'mine', 'sd_card')")
        conn.executemany("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES "
                         "(?, 1, ?)", [(1, "muos"), (2, "knulli")])
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "items": [
            {"deviceId": "rg-35xx-plus", "platformId": "psx", "gameId": "*", "score": 85},
            {"deviceId": "rg-35xx-plus", "platformId": "ps2", "score": 12},
            {"deviceId": "rg-35xx-plus", "platformId": "n64", "score": 101},
            {"deviceId": "no-such-device", "platformId": "gba", "score": 90},
            {"deviceId": "rg-35xx-plus", "platformId": "gba", "score": True}]}))
    result = cli("--json", "cache", "import", path)
    assert result.code == 1
    data = result.json()["data"]
    assert data["observations_by_kind"] == {"performance": 4} and data["skipped"] == 3
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT device_profile_id, platform_id, definition_game_id, "
                            "performance_tier, raw_score FROM v_game_performance "
                            "ORDER BY 1, 2").fetchall()
    assert rows == [(1, "ps2", "*", "poor", 12), (1, "psx", "*", "excellent", 85),
                    (2, "ps2", "*", "poor", 12), (2, "psx", "*", "excellent", 85)]
    assert "has no device profile" in json.dumps(data["problems"])


def _perf_rows(db_path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT device_profile_id, platform_id, performance_tier "
                            "FROM v_game_performance ORDER BY 1, 2").fetchall()


def test_a_profile_removed_leaves_its_devices_answers_to_the_devices_other_profiles(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA54 F11: a device's answers are stored per profile at import; `profile rm` of the
    first took them all, and the device's other profile (created after the import, reached
    through the first's rows) lost them without a word."""
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "items": [{"deviceId": "rg-35xx-plus", "platformId": "psx", "score": 85},
                  {"deviceId": "rg-35xx-plus", "platformId": "ps2", "score": 12}]}))
    assert cli("cache", "import", path).code == 0
    assert cli("profile", "create", "--device", "1", "--os", "knulli").code == 0  # (2)
    assert _perf_rows(db_path) == [(1, "ps2", "poor"), (1, "psx", "excellent")]
    removed = cli("--json", "profile", "rm", "1")
    assert removed.code == 0 and removed.json()["data"]["performance_removed"] == 0
    assert _perf_rows(db_path) == [(2, "ps2", "poor"), (2, "psx", "excellent")]
    # The device's last profile: its answers would go with it, so --force is asked for.
    last = cli("profile", "rm", "2")
    assert last.code == 2 and "2 performance answers imported for its device" in last.err
    assert len(_perf_rows(db_path)) == 2
    refused = cli("device", "rm", "1")
    assert refused.code == 2 and "2 performance answers imported for it" in refused.err
    forced = cli("--json", "device", "rm", "1", "--force")  # (QA58 F5: not counted)
    assert forced.code == 0 and forced.json()["data"]["performance_removed"] == 2
    assert _perf_rows(db_path) == []


def test_libretro_cores_become_known_to_bios_check(cli: Any, db_path: Path) -> None:
    pack = shared_path("definition-pack")
    assert cli("--pack", pack, "db", "init").code == 0
    unknown = cli("--pack", pack, "bios", "check", "--emulator", "emuscv")
    assert unknown.code == 2 and "unknown emulator 'emuscv'" in unknown.err
    cli("--pack", pack, "cache", "import", shared_path("knowledge", "libretro-core-info"))
    known = cli("--pack", pack, "--json", "bios", "check", "--emulator", "emuscv")
    assert known.code == 1  # its one required firmware is missing
    groups = known.json()["data"]["groups"]
    assert [g["one_of"][0]["filename"] for g in groups] == ["upd7801g.s01"]
    by_file = cli("--pack", pack, "--json", "bios", "check", "--emulator", "emuscv_libretro")
    assert by_file.code == 1 and by_file.json()["data"]["groups"][0]["emulator_id"] == "emuscv"
    # a firmware file the pack knows is the pack's entry (its hashes stand), now naming the core
    psx = cli("--pack", pack, "--json", "bios", "check", "--emulator", "pcsx_rearmed")
    entries = [e for g in psx.json()["data"]["groups"] for e in g["one_of"]]
    scph = [e for e in entries if e["filename"] == "scph5501.bin"]
    assert scph and scph[0]["known_hashes"] and not scph[0]["id"].startswith("libretro-info")


def test_info_with_firmware_count_too_large_is_read_with_a_warning(
        cli: Any, tmp_path: Path) -> None:
    # Upstream has one such core (FreeIntvTSOverlay): the core and the firmware it lists are
    # imported; the inconsistency is said, and is not a skipped entry (exit 0).
    info = tmp_path / "mine_libretro.info"
    info.write_text('display_name = "Mine"\nsupported_extensions = "bin"\nfirmware_count = 3\n'
                    'firmware0_path = "a.bin"\nfirmware0_opt = "false"\n')
    result = cli("--json", "cache", "import", info)
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert (data["cores"], data["firmware"], data["skipped"]) == (1, 1, 0)
    assert "firmware_count is 3 but firmware1_path is missing" in data["problems"][0]["reason"]
    assert any("1 imported" in warning for warning in result.json()["warnings"])


def test_a_firmware_file_path_standing_for_a_folder_is_said_so(
        cli: Any, tmp_path: Path) -> None:
    """QA153 F10: blueMSX's `Machines/Shared Roms/MSX.rom` (described as "'Machines'
    folder") was said to be "a folder, not a file"; it is a file that stands for one."""
    info = tmp_path / "mine_libretro.info"
    info.write_text('display_name = "Mine"\nsupported_extensions = "bin"\nfirmware_count = 2\n'
                    'firmware0_path = "Machines/Shared Roms/MSX.rom"\n'
                    'firmware0_desc = "\'Machines\' folder"\n'
                    'firmware1_path = "mine/bios"\nfirmware1_desc = "bios"\n')
    reasons = [p["reason"] for p in
               cli("--json", "cache", "import", info).json()["data"]["problems"]]
    assert any("'Machines/Shared Roms/MSX.rom' stands for a folder (its description: "
               "\"'Machines' folder\")" in reason for reason in reasons), reasons
    assert any("'mine/bios' is a folder, not a file" in reason for reason in reasons), reasons


def test_the_core_info_folder_as_upstream_ships_it(cli: Any, tmp_path: Path) -> None:
    """libretro-core-info holds a template (every line a comment) and license notices as
    .info files: ignored, not skipped; the folder and a glob of its files both import every
    core (exit 0); the template alone is refused as holding no core."""
    folder = tmp_path / "libretro-core-info"
    folder.mkdir()
    (folder / "00_example_libretro.info").write_text(
        '# display_name = "Nintendo - Game Boy (Core Name)"\n# supported_extensions = "nes"\n')
    (folder / "open-source-notices.info").write_text("In addition to the GNU GPL v3 ...\n")
    for name in ("alpha", "beta"):
        (folder / f"{name}_libretro.info").write_text(
            f'display_name = "{name}"\nsupported_extensions = "bin"\nfirmware_count = 1\n'
            f'firmware0_path = "{name}.rom"\nfirmware0_opt = "false"\n')
    whole = cli("--json", "cache", "import", folder)
    assert whole.code == 0, whole.err
    data = whole.json()["data"]
    assert (data["cores"], data["firmware"], data["skipped"]) == (2, 2, 0)
    assert any("ignored: 00_example_libretro.info, open-source-notices.info" in warning
               for warning in whole.json()["warnings"])
    each = cli("--json", "cache", "import", *sorted(folder.iterdir()))
    assert each.code == 0, each.err
    assert sum(f["cores"] for f in each.json()["data"]["files"]) == 2
    alone = cli("cache", "import", folder / "00_example_libretro.info")
    assert alone.code == 2 and "no core info" in alone.err


def test_parsing_only_the_keys_a_reader_uses_equals_a_full_parse() -> None:
    """DuckStation's reader parses only the second-level keys it uses; on the real excerpt
    each entry is exactly the full parse restricted to those keys."""
    from romrunner.knowledge import duckstation
    from romrunner.knowledge.model import ReadReport
    from romrunner.knowledge.textfile import read_text
    from romrunner.knowledge.yamlstream import yaml_entries

    text = read_text(shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml"))
    keep = duckstation._READ_KEYS
    full = list(yaml_entries(text, ReadReport("full")))
    fast = list(yaml_entries(text, ReadReport("fast"), keep))
    assert len(fast) == len(full) > 100
    for (key, line, body, last), (fast_key, fast_line, fast_body, fast_last) in zip(
            full, fast, strict=True):
        assert (fast_key, fast_line, fast_last) == (key, line, last)
        assert fast_body == {k: v for k, v in body.items() if k in keep}
    assert any("metadata" in body for _, _, body, _ in full)


def test_the_packs_seed_envelopes_import_as_nothing_yet(cli: Any, db_path: Path) -> None:
    seeds = [shared_path("definition-pack", "compatibility", name) for name in (
        "emulatorCompatibility_seed.json", "emulatorGameSettings_seed.json")]
    cli("db", "init")
    before = counts(db_path)
    result = cli("--json", "cache", "import", *seeds)
    assert result.code == 0, result.err
    assert [f["format"] for f in result.json()["data"]["files"]] == [
        "compat-source-v1", "emulator-settings-v1"]
    assert counts(db_path) == before


def test_ini_duplicates_are_counted_on_the_real_compat_ini(cli: Any) -> None:
    result = cli("--json", "cache", "import", shared_path("knowledge", "ppsspp", "compat.ini"))
    assert result.code == 0  # (QA84 F11: the upstream file as it is imports whole)
    reasons = [p["reason"] for p in result.json()["data"]["problems"]]
    assert any("24 keys given twice alike" in r for r in reasons), reasons
    assert any("is not a PSP title id; ignored" in r for r in reasons)


def test_the_knowledge_benchmark_runs_small(tmp_path: Path) -> None:
    """benchmarks/knowledge.py at toy sizes: the generated files import whole, the explain
    database holds what it says (figures are the benchmark's, not asserted)."""
    shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    from benchmarks.knowledge import bench_explain, bench_imports

    imports = bench_imports(300, 200, tmp_path)
    gameindex, gamedb = imports["pcsx2-gameindex"], imports["duckstation-gamedb"]
    assert isinstance(gameindex, dict) and isinstance(gamedb, dict)
    assert (gameindex["entries"], gameindex["skipped"]) == (300, 0)
    assert (gamedb["entries"], gamedb["skipped"]) == (200, 0)
    explain = bench_explain(500, 3, 50, tmp_path, None)
    assert (explain["observations"], explain["groups_per_game"]) == (1500, 1.0)


def test_a_core_info_cut_short_never_replaces_what_was_stored(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA39 F2: a `.info` cut inside a quoted value (`firmware2_path = "sl`) was imported,
    `sl` replacing the core's `sl90025.bin`; one cut at a line break (fewer firmware than its
    count) removed the firmware it no longer listed."""
    import sqlite3
    whole = ('display_name = "Mine"\nsupported_extensions = "bin"\nfirmware_count = 3\n'
             'firmware0_path = "a.bin"\nfirmware0_opt = "false"\n'
             'firmware1_path = "b.bin"\nfirmware1_opt = "true"\n'
             'firmware2_path = "c90025.bin"\nfirmware2_opt = "false"\n')
    info = tmp_path / "mine_libretro.info"
    info.write_text(whole)
    assert cli("cache", "import", info).code == 0

    def stored() -> list[tuple[str, int]]:
        with sqlite3.connect(db_path) as conn:
            return conn.execute("SELECT path, optional FROM core_firmware "
                                "WHERE core_id = 'mine' ORDER BY path").fetchall()

    expected = [("a.bin", 0), ("b.bin", 1), ("c90025.bin", 0)]
    assert stored() == expected
    info.write_text(whole[:whole.index("90025")])  # cut inside the quotes
    refused = cli("cache", "import", info)
    assert refused.code == 2
    assert "firmware2_path has no closing quote" in refused.err and "cut short?" in refused.err
    assert stored() == expected
    info.write_text(whole[:whole.index("firmware2_path")])  # cut at a line break
    shorter = cli("--json", "cache", "import", info)
    assert shorter.code == 0, shorter.err
    assert stored() == expected  # (the third kept: the file says there are 3)
    assert "any firmware stored for this core before kept too" in \
        shorter.json()["data"]["problems"][0]["reason"]


def test_a_source_given_for_plain_rows_never_resources_an_emulator_database_beside_them(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA70 F11: `cache import GameIndex.yaml rows.jsonl --source mine` filed the PCSX2
    database's answers under `mine` (its lifetime and rank): refused, naming the file,
    nothing imported; each file alone imports as before."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"platform_id": "ps2", "emulator_id": "pcsx2",
                                "definition_game_id": "ps2:SLUS-20001",
                                "status": "playable"}) + "\n")
    index = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    assert cli("db", "init").code == 0
    before = counts(db_path)
    refused = cli("cache", "import", index, rows, "--source", "mine", "--new-source")
    assert refused.code == 2 and "GameIndex.excerpt.yaml" in refused.err \
        and "pcsx2-gameindex" in refused.err, refused.err
    assert counts(db_path) == before
    assert cli("cache", "import", rows, "--source", "mine", "--new-source").code == 0
    alone = cli("--json", "cache", "import", index)
    assert alone.json()["data"]["files"][0]["source"] == "pcsx2-gameindex"


def test_an_entry_a_newer_file_keeps_without_its_rating_or_fixes_loses_them(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA84 F1: upstream dropped a game's `compat:` and fixes but kept its entry; the import
    of the newer file left the old rating and "required" fixes as the source's answer. An
    entry the file no longer has at all keeps its answers (a shorter file removes nothing)."""
    older = tmp_path / "old" / "GameIndex.yaml"
    older.parent.mkdir()
    older.write_text(
        'SCUS-97465:\n  name: "Ratchet"\n  compat: 5\n  gameFixes:\n    - EETimingHack\n'
        'SLUS-20946:\n  name: "God of War"\n  compat: 3\n'
        'SLUS-20312:\n  name: "Kept whole"\n  compat: 4\n')
    assert cli("cache", "import", older, "--format", "pcsx2-gameindex").code == 0
    assert observation(db_path, "compat", "SCUS-97465", "pcsx2-gameindex") is not None
    assert observation(db_path, "settings", "SCUS-97465", "pcsx2-gameindex") is not None
    newer = tmp_path / "GameIndex.yaml"
    newer.write_text('SCUS-97465:\n  name: "Ratchet"\n  region: "NTSC-U"\n'
                     'SLUS-20946:\n  name: "God of War"\n  compat: 2\n'
                     '  gameFixes:\n    - XGKickHack\n')
    result = cli("--json", "cache", "import", newer, "--format", "pcsx2-gameindex")
    assert result.code == 0, result.err
    assert result.json()["data"]["withdrawn"] == {"compat": 1, "settings": 1}
    assert observation(db_path, "compat", "SCUS-97465", "pcsx2-gameindex") is None
    assert observation(db_path, "settings", "SCUS-97465", "pcsx2-gameindex") is None
    assert observation(db_path, "compat", "SLUS-20946", "pcsx2-gameindex")["notes"] \
        .startswith("raw: 2")
    assert observation(db_path, "compat", "SLUS-20312", "pcsx2-gameindex") is not None
    with sqlite3.connect(db_path) as conn:  # no best answer left for it either
        assert conn.execute(
            "SELECT count(*) FROM emulator_compat_cache c JOIN game_key_dim k "
            "ON k.id = c.game_key WHERE k.definition_game_id = 'SCUS-97465'").fetchone()[0] == 0


def test_a_raw_rating_on_a_known_scale_says_the_status_whatever_normalized_says(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA84 F5: under one source, PCSX2's raw 5 was "playable" from its GameIndex and
    "perfect" from an envelope whose own `normalized` said so."""
    envelope = tmp_path / "pcsx2.json"
    envelope.write_text(json.dumps({
        "schemaVersion": "emulator-settings-v1", "source": "pcsx2-gameindex",
        "items": [{"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLUS-20946",
                   "settings": {"eeRoundMode": 1},
                   "compatRating": {"raw": 5, "normalized": "perfect"}},
                  {"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLUS-20947",
                   "settings": {"eeRoundMode": 1},
                   "compatRating": {"normalized": "perfect"}}]}))
    assert cli("cache", "import", envelope).code == 0
    assert observation(db_path, "compat", "SLUS-20946", "pcsx2-gameindex")["status"] \
        == "playable"
    assert observation(db_path, "compat", "SLUS-20947", "pcsx2-gameindex")["status"] \
        == "perfect"  # (no raw value: its word stands)


def test_a_titles_other_serials_lose_the_rating_its_entry_no_longer_gives(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 87 F4: a DuckStation title whose rating was dropped upstream lost it for its own
    serial only; the other serials of its `codes` (no entry of their own) kept it."""
    rated = ('SLPS-01311:\n  name: "0 kara no Mahjong (Japan)"\n{rating}  codes:\n'
             '    - SLPS-01311\n    - SLPS-02546\n'
             'SLPS-01986:\n  name: "0 kara no Shougi (Japan)"\n  compatibility:\n'
             '    rating: NoIssues\n')
    for folder, rating in (("old", "  compatibility:\n    rating: NoIssues\n"), ("new", "")):
        path = tmp_path / folder / "gamedb.yaml"
        path.parent.mkdir()
        path.write_text(rated.format(rating=rating))
        assert cli("cache", "import", path, "--format", "duckstation-gamedb").code == 0
        if folder == "old":
            assert observation(db_path, "compat", "SLPS-02546", "duckstation-gamedb")
    for serial in ("SLPS-01311", "SLPS-02546"):
        assert observation(db_path, "compat", serial, "duckstation-gamedb") is None, serial
    assert observation(db_path, "compat", "SLPS-01986", "duckstation-gamedb") is not None


def test_a_dolphin_ini_imported_alone_withdraws_the_rating_it_no_longer_gives(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 87 F6: imported as a folder a Dolphin ini without its [EmuState] withdrew the
    rating; the same file imported alone (a shell glob) never did: one game per file (and
    one never refused as cut short: review 156 F5)."""
    for folder, state in (("old", "[EmuState]\nEmulationStateId = 4\n"), ("new", "")):
        ini = tmp_path / folder / "GALE01.ini"
        ini.parent.mkdir()
        ini.write_text(f"[Core]\nCPUThread = False\n{state}")
        assert cli("cache", "import", ini, "--format", "dolphin-gameini").code == 0
        if folder == "old":
            assert observation(db_path, "compat", "GALE01", "dolphin-gameini") is not None
    assert observation(db_path, "compat", "GALE01", "dolphin-gameini") is None
    assert observation(db_path, "settings", "GALE01", "dolphin-gameini") is not None


def test_a_ppsspp_key_given_twice_otherwise_is_still_a_skip(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "compat.ini"
    path.write_text("[VertexDepthRounding]\nULUS10041 = true\nULUS10042 = true\n"
                    "ULUS10042 = true  # again\nULUS10041 = false\n")
    result = cli("--json", "cache", "import", path, "--format", "ppsspp-compat")
    assert result.code == 1  # (one key said twice otherwise: said; nothing stored before,
    reasons = " ".join(p["reason"] for p in result.json()["data"]["problems"])  # the last)
    assert "1 keys given twice with different values (their titles keep the flags the cache " \
        "held; one it held none of takes the last value)" in reasons  # (review40b F10)
    assert "1 keys given twice alike" in reasons


def test_an_unknown_source_among_many_files_is_said_with_its_file(
        cli: Any, tmp_path: Path) -> None:
    """QA84 F10: "unknown cache source 'rpcs3-wiki'" among 300 files did not say which."""
    envelope = tmp_path / "rpcs3.json"
    envelope.write_text(json.dumps({
        "schemaVersion": "compat-source-v1", "source": "rpcs3-wiki",
        "items": [{"platformId": "ps3", "emulatorId": "rpcs3", "gameId": "BLUS30001",
                   "status": "playable"}]}))
    refused = cli("cache", "import", shared_path("knowledge", "ppsspp", "compat.ini"), envelope)
    assert refused.code == 2
    assert refused.err.startswith(f"error: {envelope}: unknown cache source 'rpcs3-wiki'")
