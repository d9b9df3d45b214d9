"""Auto-lists: §2.6 gating with every reason code, one game one ROM, limits, saving."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT, PERFORMANCE
from romrunner.catalog.importer import catalog_game_id
from romrunner.devices.autolist import (
    DROP_REASONS,
    REASON_CODES,
    build_autolist,
    ratings_family,
)
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path


def rom(seed: str) -> bytes:
    return hashlib.sha256(seed.encode()).digest() * 64


FILES = {  # relative path -> content seed
    "gb/Tetris (World).gb": "tetris", "gb/Kirby (USA).gb": "kirby",
    "ps2/Gran Turismo (USA).iso": "gt", "3do/Road Rash (USA).iso": "roadrash",
    "ports/Cave Story.sh": "cavestory",
    "nes/Metroid (USA).nes": "metroid", "nes/Zelda II (USA).nes": "zelda2",
    "gba/Golden Sun (USA).gba": "goldensun", "saturn/Nights (USA).iso": "nights",
    "snes/Zelda (USA).sfc": "zelda-u", "snes/Zelda (Europe).sfc": "zelda-e",
    "snes/Zelda (Japan).sfc": "zelda-j", "snes/Zelda (USA) (Rev 1).sfc": "zelda-u1",
    "snes/Zelda (USA) (Beta).sfc": "zelda-beta", "snes/Mario (USA) [h1].sfc": "mario-hack",
    "snes/Super Metroid (USA).sfc": "smetroid",
    "snes/Super Metroid - Kaisou (Japan).sfc": "smetroid-j",
}


def dat(system: str, games: list[tuple[str, str, str, str | None]]) -> str:
    """clrmamepro text: (game name, rom name, seed, cloneof)."""
    out = [f'clrmamepro (\n\tname "{system}"\n\tversion "t"\n)\n']
    for name, rom_name, seed, parent in games:
        data = rom(seed)
        clone = f'\tcloneof "{parent}"\n' if parent else ""
        out.append(f'game (\n\tname "{name}"\n{clone}\trom ( name "{rom_name}" size {len(data)} '
                   f'crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} '
                   f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    return "".join(out)


def real(cli: Any, *args: str) -> Any:
    result = cli("--pack", str(shared_path("definition-pack")), *args)
    return result


@pytest.fixture
def setup(cli: Any, db_path: Path, tmp_path: Path) -> dict[str, Any]:
    root = tmp_path / "roms"
    for relative, seed in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(rom(seed))
    snes_dat = tmp_path / "snes.dat"
    snes_dat.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        ("Super Metroid (USA)", "Super Metroid (USA).sfc", "smetroid", None),
        ("Super Metroid - Kaisou (Japan)", "Super Metroid - Kaisou (Japan).sfc", "smetroid-j",
         "Super Metroid (USA)"),
        ("Zelda (USA)", "Zelda (USA).sfc", "zelda-u", None)]))
    assert real(cli, "dat", "import", str(snes_dat)).code == 0
    assert real(cli, "library", "add", str(root)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    assert real(cli, "device", "add", "rg-35xx-plus").code == 0
    assert real(cli, "device", "add", "rg-34xx").code == 0  # same chipset (h700)
    assert real(cli, "profile", "create", "--device", "1", "--os", "knulli").code == 0
    assert real(cli, "profile", "create", "--device", "2", "--os", "knulli").code == 0
    db = open_database(db_path, OpenMode.WRITE).db
    ids = {row["filename"]: int(row["id"]) for row in db.query("SELECT id, filename FROM games")}
    assert len(ids) == len(FILES)
    db.execute("INSERT INTO game_overrides (device_profile_id, game_id, action) VALUES "
               "(1, ?, 'include'), (1, ?, 'exclude')",
               (ids["Gran Turismo (USA).iso"], ids["Kirby (USA).gb"]))
    # The platform override gives saturn an emulator; psx/n64 stay with the OS.
    db.execute("INSERT INTO platform_overrides (device_profile_id, platform_id, emulator_id) "
               "VALUES (1, 'saturn', 'yabasanshiro')")
    zelda_key = catalog_game_id("snes", "Zelda (USA)")
    db.execute("UPDATE games SET matched_game_id = ? WHERE id = ?",
               (catalog_game_id("nes", "Metroid (USA)"), ids["Metroid (USA).nes"]))
    ingest_observations(db, COMPAT, "emulator-official", [
        {"platform_id": "snes", "emulator_id": "snes9x-standalone",
         "definition_game_id": zelda_key, "status": "broken"},
        {"platform_id": "gba", "emulator_id": "mgba", "definition_game_id": "*",
         "status": "ingame"}])
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        # a platform-wide record of another profile on the same chipset: excludes nes ...
        {"device_profile_id": 2, "platform_id": "nes", "emulator_id": None,
         "definition_game_id": "*", "performance_tier": "poor", "exclude_from_auto": 1},
        # ... but this device's own record of one game wins for that game
        {"device_profile_id": 1, "platform_id": "nes", "emulator_id": None,
         "definition_game_id": catalog_game_id("nes", "Metroid (USA)"),
         "performance_tier": "good", "exclude_from_auto": 0},
        {"device_profile_id": 1, "platform_id": "saturn", "emulator_id": None,
         "definition_game_id": "*", "performance_tier": "good", "exclude_from_auto": 0}])
    db.close()
    return {"ids": ids, "root": root}


def verdicts(cli: Any, *args: str) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", "1", *args)
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def test_a_verdict_read_from_another_device_of_the_chipset_names_that_device(
        cli: Any, setup: dict[str, Any]) -> None:
    """qa195 F11: performance borrowed from another device of the same chipset was said as
    if measured on this device; this device's own answer is said as before."""
    games = verdicts(cli)
    borrowed = [w for w in games["Zelda II (USA).nes"]["warnings"] if "Performance" in w]
    assert borrowed and all("measured on rg-34xx: same chipset" in w for w in borrowed), borrowed
    assert games["Metroid (USA).nes"]["perf"] == "PERF_OK"  # (this device's own answer)
    assert not any("measured on" in w for g in games.values() for w in g["warnings"]
                   if g["filename"] != "Zelda II (USA).nes")
    text = real(cli, "autolist", "1", "--limit", "0").out
    assert any("Zelda II (USA).nes" in line and "measured on rg-34xx" in line
               for line in text.splitlines())


def test_the_json_gives_the_answers_a_verdict_went_by(cli: Any, setup: dict[str, Any]
                                                      ) -> None:
    """qa195 F12: `autolist --json` gave the verdict's codes, not the rating behind them (a
    script could not check "playable on X per the data" without `cache why` per game)."""
    games = verdicts(cli)
    golden = games["Golden Sun (USA).gba"]  # (mgba's platform-wide answer: ingame)
    assert (golden["compat_status"], golden["perf_tier"]) == ("ingame", None)
    assert golden["compat_source"] == "emulator-official"  # (its id: the warning dates it)
    zelda = games["Zelda (USA).sfc"]  # (left out by its answer: broken)
    assert (zelda["compat_status"], zelda["included"]) == ("broken", False)
    metroid = games["Metroid (USA).nes"]  # (this device's own tier)
    assert (metroid["perf_tier"], metroid["compat_status"]) == ("good", None)
    assert metroid["perf_source"] == "retrocatalog-api"
    zelda2 = games["Zelda II (USA).nes"]  # (another device's of the chipset)
    assert (zelda2["perf_tier"], zelda2["perf_source"]) == ("poor", "retrocatalog-api")
    tetris = games["Tetris (World).gb"]  # (no source answered: nothing made up)
    assert [tetris[k] for k in ("compat_status", "compat_source", "perf_tier",
                                "perf_source")] == [None] * 4


def test_games_missing_from_the_library_are_counted_not_silently_dropped(
        cli: Any, setup: dict[str, Any]) -> None:
    """qa199 F4: a game whose file the last scan did not find was left out of the auto-list
    without a word ("N of 38" where the library counts 39)."""
    (setup["root"] / "gb" / "Kirby (USA).gb").unlink()
    assert real(cli, "scan", "--workers", "1").code == 0
    data = real(cli, "--json", "autolist", "1").json()["data"]
    assert data["missing_not_considered"] == 1
    assert data["considered"] == len(FILES) - 1
    assert "Kirby (USA).gb" not in {g["filename"] for g in data["games"]}
    text = real(cli, "autolist", "1", "--limit", "0").out
    assert "1 missing from the library not considered (`romrunner games ls missing:true`)" \
        in " ".join(text.split()), text
    # (of the games the profile would consider only: review45e F1, a gba-only profile was
    # told of the library's missing gb game)
    assert real(cli, "profile", "set", "1", "--exclude-platforms", "gb").code == 0
    assert real(cli, "--json", "autolist", "1").json()["data"]["missing_not_considered"] == 0
    assert "missing from the library" not in real(cli, "autolist", "1").out


def test_every_reason_code_of_the_gating(cli: Any, setup: dict[str, Any]) -> None:
    games = verdicts(cli)
    expected = {
        "Tetris (World).gb": (True, "INCLUDED", "PERF_MISSING_OPTIMISTIC",
                              "COMPAT_MISSING_ASSUME_OK"),
        "Kirby (USA).gb": (False, "USER_OVERRIDE_EXCLUDE", None, None),
        "Gran Turismo (USA).iso": (True, "USER_OVERRIDE_INCLUDE", None, None),
        "Cave Story.sh": (False, "NO_EMULATOR_AVAILABLE", "PERF_NO_RETROCAT_DATA_ASSUME_OK",
                          "NO_EMULATOR_AVAILABLE"),  # ports: no knulli entry, no fallback
        # 3do: the device's knulli entry names none, knulli's own profile does
        "Road Rash (USA).iso": (True, "INCLUDED", "PERF_NO_RETROCAT_DATA_ASSUME_OK",
                                "COMPAT_MISSING_ASSUME_OK"),
        "Metroid (USA).nes": (True, "INCLUDED", "PERF_OK", "COMPAT_MISSING_ASSUME_OK"),
        "Zelda II (USA).nes": (False, "PERF_TIER_EXCLUDED", "PERF_TIER_EXCLUDED", None),
        "Golden Sun (USA).gba": (True, "INCLUDED", "PERF_MISSING_OPTIMISTIC", "COMPAT_OK"),
        "Nights (USA).iso": (False, "COMPAT_MISSING_STRICT", "PERF_OK",
                             "COMPAT_MISSING_STRICT"),
        "Zelda (USA).sfc": (False, "COMPAT_STATUS_EXCLUDED", "PERF_MISSING_OPTIMISTIC",
                            "COMPAT_STATUS_EXCLUDED"),
    }
    got = {name: (games[name]["included"], games[name]["reason"], games[name]["perf"],
                  games[name]["compat"]) for name in expected}
    assert got == expected
    assert any(w.startswith("Compatibility: ingame (") for w in  # (its source, emulator)
               games["Golden Sun (USA).gba"]["warnings"])
    # the answer that left a game out names its source (QA23 F6), in the JSON and the text
    said = "Compatibility: broken (emulator-official, snes9x"
    assert any(w.startswith(said) for w in games["Zelda (USA).sfc"]["warnings"])
    text = real(cli, "autolist", "1", "--limit", "0").out
    assert any("Zelda (USA).sfc" in line and said in line for line in text.splitlines())
    # an included game rated below playable says so in the text too (QA84 F7: --json only)
    assert any("Golden Sun (USA).gba" in line and "INCLUDED (Compatibility: ingame (" in line
               for line in text.splitlines())
    assert any("No default emulator" in w for w in games["Cave Story.sh"]["warnings"])
    assert games["Road Rash (USA).iso"]["emulator_origin"] == "knulli default"
    assert {g["reason"] for g in games.values()} <= {*REASON_CODES, *DROP_REASONS}
    assert games["Tetris (World).gb"]["emulator_id"] == "gambatte"
    # the rule as `resolve` names it: the pack's entry for this device on this OS
    assert games["Tetris (World).gb"]["emulator_origin"] == "rg-35xx-plus on knulli default"
    assert games["Nights (USA).iso"]["emulator_origin"] == "profile platform override"
    assert games["Tetris (World).gb"]["target_folder"] == "gb"


def test_performance_modes_change_the_missing_data_rules(cli: Any,
                                                         setup: dict[str, Any]) -> None:
    assert real(cli, "profile", "set", "1", "--mode", "permissive").code == 0
    games = verdicts(cli)
    assert (games["Nights (USA).iso"]["included"], games["Nights (USA).iso"]["compat"]) == (
        True, "COMPAT_MISSING_STRICT_OVERRIDE")
    assert real(cli, "profile", "set", "1", "--mode", "strict").code == 0
    games = verdicts(cli)
    assert (games["Golden Sun (USA).gba"]["included"],
            games["Golden Sun (USA).gba"]["reason"]) == (False, "COMPAT_STATUS_EXCLUDED")


def test_one_game_one_rom_by_region_revision_and_dat_parent(cli: Any,
                                                            setup: dict[str, Any]) -> None:
    ids = setup["ids"]
    games = verdicts(cli)
    kept = ids["Zelda (USA) (Rev 1).sfc"]
    assert games["Zelda (USA) (Rev 1).sfc"]["included"] is True
    for other in ("Zelda (Europe).sfc", "Zelda (Japan).sfc"):
        assert (games[other]["dropped"], games[other]["kept_instead"]) == ("other_version", kept)
    assert games["Zelda (USA) (Beta).sfc"]["dropped"] == "prerelease"
    assert games["Mario (USA) [h1].sfc"]["dropped"] == "hack"
    # Different titles, one DAT parent/clone family: one of them.
    assert games["Super Metroid (USA).sfc"]["included"] is True
    assert games["Super Metroid - Kaisou (Japan).sfc"]["dropped"] == "other_version"
    assert real(cli, "profile", "set", "1", "--regions", "Japan,USA", "--hacks").code == 0
    games = verdicts(cli)
    assert games["Zelda (Japan).sfc"]["included"] is True
    assert games["Super Metroid - Kaisou (Japan).sfc"]["included"] is True
    assert games["Mario (USA) [h1].sfc"]["included"] is True
    assert real(cli, "profile", "set", "1", "--all-versions").code == 0
    games = verdicts(cli)
    assert games["Zelda (Europe).sfc"]["included"] is True


def test_profile_filters_and_per_platform_limit(cli: Any, setup: dict[str, Any]) -> None:
    assert real(cli, "profile", "set", "1", "--include-platforms", "gb,snes",
                "--max-per-platform", "1").code == 0
    result = real(cli, "--json", "autolist", "1").json()["data"]
    assert {g["platform_id"] for g in result["games"]} == {"gb", "snes"}
    assert result["filtered_by_profile"] == len(FILES) - 10  # 2 gb + 8 snes considered
    included = [g for g in result["games"] if g["included"]]
    assert sorted(g["platform_id"] for g in included) == ["gb", "snes"]
    assert any(g["dropped"] == "platform_limit" for g in result["games"])


def test_target_folders_on_a_card_and_saving_as_a_collection(
        cli: Any, db_path: Path, setup: dict[str, Any], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    saved = real(cli, "--json", "autolist", "1", "--to", str(card), "--save", "RG35XX")
    assert saved.code == 0, saved.err
    data = saved.json()["data"]
    tetris = next(g for g in data["games"] if g["filename"] == "Tetris (World).gb")
    assert tetris["target_folder"] == "roms/gb"
    db = open_database(db_path, OpenMode.READ).db
    members = {int(r[0]) for r in db.query(
        "SELECT game_id FROM collection_games WHERE collection_id = ?",
        (data["saved_collection"],))}
    assert members == {g["game_id"] for g in data["games"] if g["included"]}
    db.close()
    twice = real(cli, "autolist", "1", "--save", "RG35XX")  # would replace it silently
    assert twice.code == 2
    assert twice.err.splitlines()[-1] == (
        f"error: auto-list 'RG35XX' is already saved (collection {data['saved_collection']});"
        " nothing was changed (use --replace to replace it, or choose another name)")
    again = real(cli, "--json", "autolist", "1", "--save", "rg35xx", "--replace").json()["data"]
    assert again["saved_collection"] == data["saved_collection"]
    assert again["saved_name"] == "RG35XX"  # (as stored: QA63 F3 addendum said "rg35xx")
    said = real(cli, "autolist", "1", "--save", "rg35XX", "--replace").out
    assert f"saved as collection {data['saved_collection']} (RG35XX)" in said
    alone = real(cli, "autolist", "1", "--replace")  # (QA70 F3: exit 0, nothing replaced)
    assert alone.code == 2 and "--replace goes with --save" in alone.err, alone.err
    db = open_database(db_path, OpenMode.WRITE).db
    db.execute("INSERT INTO collections (name) VALUES ('Favorites')")
    db.close()
    refused = real(cli, "autolist", "1", "--save", "Favorites")
    assert refused.code == 2 and "'Favorites'" in refused.err
    # `collection ls` tells a saved auto-list from the hand-made Favorites (QA27 N7: both
    # were "manual", and --save refused one as "not an auto-list"), which is the built-in
    # favorites (qa202: it was listed as "manual" once stored, and refused a rename as built in)
    kinds = {c["name"]: c["kind"] for c in real(cli, "--json", "collection", "ls")
             .json()["data"] if c["id"] is not None}
    assert kinds == {"RG35XX": "auto-list", "Favorites": "built-in"}
    assert real(cli, "--json", "collection", "show", "RG35XX").json()["data"]["kind"] == \
        "auto-list"


def test_saving_an_auto_list_names_it_as_collection_create_does(
        cli: Any, db_path: Path, setup: dict[str, Any]) -> None:
    """`--save` takes only a name `collection create` takes (QA26 F1: `--save favorites`
    made the user's favorites an auto-list, and a later --replace dropped games added by
    hand; `Missing Files` made a second collection of a built-in name; ESC was kept; `''`
    saved nothing and said nothing)."""
    for name, said in (("favorites", "is built in"), ("Missing Files", "is built in"),
                       ("bad\x1bname", "empty or has control or invisible characters"),
                       # (QA112 F9: a zero-width space made a second "Zero" that looks alike)
                       ("Zero\u200b", "empty or has control or invisible characters"),
                       ("a\u200cb\x1b", "empty or has control or invisible characters"),
                       ("", "empty or has control or invisible characters")):
        refused = real(cli, "autolist", "1", "--save", name)
        assert refused.code == 2 and said in refused.err, (name, refused.err)
    db = open_database(db_path, OpenMode.READ).db
    assert db.query("SELECT name FROM collections") == []
    db.close()
    saved = real(cli, "--json", "autolist", "1", "--save", "Handheld").json()["data"]
    again = real(cli, "autolist", "1", "--save", "HANDHELD")  # one name, any case
    assert again.code == 2 and "already saved" in again.err
    replaced = real(cli, "--json", "autolist", "1", "--save", "handheld", "--replace")
    assert replaced.json()["data"]["saved_collection"] == saved["saved_collection"]


def test_the_lookups_are_set_based(cli: Any, db_path: Path, setup: dict[str, Any],
                                   tmp_path: Path) -> None:
    pack = load_pack(shared_path("definition-pack"))
    db = open_database(db_path, OpenMode.WRITE).db
    with db.count_statements() as small:
        build_autolist(db, pack, 1)
    root = db.scalar("SELECT id FROM library_roots")
    db.executemany("INSERT INTO games (root_id, filepath, file_size, platform_id, "
                   "detected_title, title_norm) VALUES (?, ?, 1, 'gb', ?, ?)",
                   [(root, f"gb/extra{i}.gb", f"Extra {i}", f"extra {i}")
                    for i in range(200)])
    with db.count_statements() as large:
        result = build_autolist(db, pack, 1)
    assert len(result.entries) == len(FILES) + 200
    assert len(large) == len(small)


def test_an_unknown_profile_is_named(cli: Any) -> None:
    assert cli("db", "init").code == 0
    result = real(cli, "autolist", "42")
    assert result.code == 2 and "profile 42" in result.err


@pytest.mark.parametrize(("emulator", "family"), [
    ("duckstation-standalone", "duckstation"), ("swanstation", "duckstation"),
    ("retroarch-pcsx-rearmed", "pcsx-rearmed"), ("pcsx_rearmed_libretro", "pcsx-rearmed"),
    ("dolphin-standalone", "dolphin"), ("ppsspp-sdl", "ppsspp"), ("mgba", "mgba"),
    ("aethersx2", "pcsx2"), ("nethersx2", "pcsx2")])  # (QA127 F1: PCSX2's forks)
def test_emulator_ids_meet_in_one_family(emulator: str, family: str) -> None:
    assert ratings_family(emulator) == family


def test_the_autolist_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    out = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.autolist", "--games", "500", "--names", "1000",
         "--card-files", "100", "--json", str(out)],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["autolist"]["games"] == 500 and figures["autolist"]["included"] > 0
    assert figures["autolist"]["peak_python_mib"] > 0
    assert set(figures["autolist"]["summary"]) <= {
        *REASON_CODES, "other_version", "hack", "prerelease", "platform_limit", "bad_dump",
        "overdump", "disc_set_playlist"}
    assert all(rate > 0 for rate in figures["legaliser"].values())
    assert figures["destination_scan"]["files"] == 100


def test_bad_dumps_and_overdumps_are_never_chosen(cli: Any, setup: dict[str, Any]) -> None:
    """GoodTools ``[b1]``/``[o1]`` copies of a title are left out with a reason of their own,
    even where every version is kept; a ``[h]`` hack only with --hacks (as before)."""
    snes = setup["root"] / "snes"
    (snes / "Zelda (USA) [b1].sfc").write_bytes(rom("zelda-bad"))
    (snes / "Zelda (USA) [o1].sfc").write_bytes(rom("zelda-over"))
    (snes / "Pilotwings (USA) [b1].sfc").write_bytes(rom("pilotwings-bad"))  # the only copy
    assert real(cli, "scan", "--workers", "1").code == 0
    games = verdicts(cli)
    assert games["Zelda (USA) [b1].sfc"]["dropped"] == "bad_dump"
    assert games["Zelda (USA) [o1].sfc"]["dropped"] == "overdump"
    assert games["Pilotwings (USA) [b1].sfc"]["dropped"] == "bad_dump"
    assert games["Zelda (USA) (Rev 1).sfc"]["included"] is True
    assert real(cli, "profile", "set", "1", "--all-versions", "--hacks").code == 0
    games = verdicts(cli)
    assert not games["Zelda (USA) [b1].sfc"]["included"]
    assert not games["Zelda (USA) [o1].sfc"]["included"]
    assert games["Mario (USA) [h1].sfc"]["included"] is True


def test_resolve_says_the_auto_lists_verdict_beside_the_overrides(
        cli: Any, setup: dict[str, Any]) -> None:
    """A game the overrides include but the auto-list drops is said to be left out, and why,
    by ``resolve --profile`` (it said "include <- default" alone: QA132 F2)."""
    snes = setup["root"] / "snes"
    (snes / "Pilotwings (USA) [b1].sfc").write_bytes(rom("pilotwings-bad"))
    assert real(cli, "scan", "--workers", "1").code == 0
    games = verdicts(cli)
    bad = games["Pilotwings (USA) [b1].sfc"]["game_id"]
    good = games["Tetris (World).gb"]["game_id"]
    data = real(cli, "--json", "resolve", str(bad), "--profile", "1").json()["data"]
    assert data["action"] == "include"
    assert data["autolist"]["included"] is False
    assert data["autolist"]["dropped"] == "bad_dump"
    text = real(cli, "resolve", str(bad), "--profile", "1").out
    assert "auto-list left out: bad_dump" in text
    text = real(cli, "resolve", str(good), "--profile", "1").out
    assert "auto-list included" in text
    assert "--profile says" in real(cli, "resolve", str(bad)).out
    assert "autolist" not in real(cli, "--json", "resolve", str(bad)).json()["data"]


def test_a_multi_disc_set_with_its_m3u_stays_together(cli: Any, setup: dict[str, Any]) -> None:
    """The discs are kept together and the user's .m3u is left out as the set's playlist
    (the deploy planner writes the .m3u the OS wants): not as "other_version"."""
    psx = setup["root"] / "psx"
    psx.mkdir()
    discs = ["Final Fantasy VII (USA) (Disc 1).iso", "Final Fantasy VII (USA) (Disc 2).iso"]
    for disc in discs:
        (psx / disc).write_bytes(rom(disc))
    (psx / "Final Fantasy VII (USA).m3u").write_text("\n".join(discs) + "\n")
    assert real(cli, "scan", "--workers", "1").code == 0
    games = verdicts(cli)
    got = {name: (games[name]["included"], games[name]["dropped"])
           for name in [*discs, "Final Fantasy VII (USA).m3u"]}
    assert got == {discs[0]: (True, None), discs[1]: (True, None),
                   "Final Fantasy VII (USA).m3u": (False, "disc_set_playlist")}
    assert games["Final Fantasy VII (USA).m3u"]["kept_instead"] in {
        games[d]["game_id"] for d in discs}


def test_of_two_identical_copies_the_loose_file_is_kept(cli: Any, tmp_path: Path) -> None:
    """QA20: the auto-list kept a zip over the same game's loose file (by id: the zip sorts
    first), where a deploy keeps the loose one of two copies; both now keep the loose file."""
    import zipfile

    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    data = rom("boulder")
    with zipfile.ZipFile(root / "Boulder Dash (Europe) (copy).zip", "w") as archive:
        archive.writestr("Boulder Dash (Europe).gb", data)
    (root / "Boulder Dash (Europe).gb").write_bytes(data)
    (tmp_path / "gb.dat").write_text(dat("Nintendo - Game Boy", [
        ("Boulder Dash (Europe)", "Boulder Dash (Europe).gb", "boulder", None)]))
    for args in (("dat", "import", str(tmp_path / "gb.dat")),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert real(cli, *args).code == 0, args
    games = {g["filename"]: g for g in
             real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    zipped = games["Boulder Dash (Europe) (copy).zip"]
    loose = games["Boulder Dash (Europe).gb"]
    assert zipped["game_id"] < loose["game_id"]  # (the tie the id used to break)
    assert loose["included"] and not zipped["included"]
    assert zipped["kept_instead"] == loose["game_id"]


def test_answers_past_their_expiry_are_said_when_they_decide(
        cli: Any, db_path: Path, setup: dict[str, Any]) -> None:
    """QA84 F6: ratings that expired eleven months before decided the auto-list (and a deploy
    --auto) without a word; only `cache stats` showed them stale."""
    fresh = real(cli, "--json", "autolist", "1").json()
    assert not [w for w in fresh["warnings"] if "past their expiry" in w]
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE emulator_compat_cache SET expires_at = "
                     "CAST(strftime('%s', 'now') AS INTEGER) - 86400")
    stale = real(cli, "--json", "autolist", "1").json()
    said = [w for w in stale["warnings"] if "past their expiry" in w]
    assert said and "emulator-official" in said[0] and "cache import" in said[0]


def test_a_saved_auto_list_edited_by_hand_is_the_users_and_never_replaced(
        cli: Any, db_path: Path, setup: dict[str, Any]) -> None:
    """QA117 F2: `autolist --save NAME --replace` dropped the games added to the saved list
    by hand and brought back the one removed, without a word."""
    saved = real(cli, "--json", "autolist", "1", "--save", "Mine").json()["data"]
    included = [g["game_id"] for g in saved["games"] if g["included"]]
    left_out = [g["game_id"] for g in saved["games"] if not g["included"]]
    assert included and left_out
    added = real(cli, "--json", "collection", "add", "Mine", str(left_out[0]))
    assert added.json()["data"]["adopted"] is True
    assert any("edited by hand it is a collection of yours now" in w
               for w in added.json()["warnings"])
    assert real(cli, "--json", "collection", "show", "Mine").json()["data"]["kind"] == "manual"
    refused = real(cli, "autolist", "1", "--save", "Mine", "--replace")
    assert refused.code == 2 and "is not an auto-list" in refused.err
    # (qa207 N1: the list was this profile's: the error says why it is no longer one)
    assert "edited by hand since" in refused.err and "collection rm Mine" in refused.err
    shown = real(cli, "--json", "collection", "show", "Mine").json()["data"]["games"]
    assert sorted(g["id"] for g in shown) == sorted([*included, left_out[0]])
    # (a removal by hand too)
    real(cli, "autolist", "1", "--save", "Other")
    removed = real(cli, "--json", "collection", "remove", "Other", str(included[0]))
    assert removed.json()["data"]["adopted"] is True


def test_a_game_an_override_includes_says_the_rating_that_would_leave_it_out(
        cli: Any, setup: dict[str, Any]) -> None:
    """QA127 F11: a game PCSX2 rates broken, kept by `override set --include`, carried no
    word of the rating."""
    zelda = verdicts(cli)["Zelda (USA).sfc"]
    assert real(cli, "override", "set", "--game", str(zelda["game_id"]), "--include",
                "--profile", "1").code == 0
    kept = verdicts(cli)["Zelda (USA).sfc"]
    assert (kept["included"], kept["reason"]) == (True, "USER_OVERRIDE_INCLUDE")
    assert any(w.startswith("Compatibility: broken (emulator-official, snes9x")
               for w in kept["warnings"]), kept["warnings"]
    assert verdicts(cli)["Gran Turismo (USA).iso"]["warnings"] == []  # (no rating: nothing)


@pytest.mark.parametrize("query", ["platform:snes", "platform:gb,nes", "title:zelda"])
def test_a_deploy_of_a_query_gates_its_platforms_as_the_whole_list_does(
        cli: Any, setup: dict[str, Any], db_path: Path, tmp_path: Path, query: str) -> None:
    """`deploy --auto QUERY` builds the auto-list of the query's platforms only (QA134 F2: the
    whole library's, 3-5 s at 100k, for three platforms): the games it takes are the whole
    list's included games the query chooses."""
    from romrunner.deploy.select import choose_games
    from romrunner.devices.paths import card_layout
    from romrunner.library.query import select

    assert real(cli, "profile", "set", "1", "--max-per-platform", "2").code == 0
    pack = load_pack(shared_path("definition-pack"))
    db = open_database(db_path, OpenMode.READ).db
    card = tmp_path / "card"
    card.mkdir()
    layout = card_layout(db, pack, 1, card)
    whole = {entry.game_id for entry in build_autolist(db, pack, 1, layout).included}
    chosen = select(db, query, known_platforms=pack.platforms)
    asked = {int(row[0]) for row in db.query(
        f"SELECT g.id FROM {chosen.from_sql} WHERE {chosen.where}", chosen.all_params)}
    taken = choose_games(db, pack, 1, layout, words=[query], auto=True)
    db.close()
    assert asked and set(taken.game_ids) == whole & asked
    assert taken.left_out_by_autolist == len(asked - whole)
