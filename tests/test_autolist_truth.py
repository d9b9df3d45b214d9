"""One game, one ROM that tells the truth (QA3 F-A, F-B, F-T): copies of one catalog game
compete whatever their file names; a dropped game's reason is why it is dropped, in text
and --json alike; ties go to the name with fewer extra tags, and "(REV-x)" is a revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import real_pack_profile
from tests.test_autolist import dat, real, rom

FILES = {  # relative path -> content seed
    "snes/Super Mario World (U) [!].sfc": "smw",
    "misc/smw.sfc": "smw",                        # the same bytes, a name of its own
    "snes/Mario (USA) [h1].sfc": "mario-hack",
    "megadrive/Sonic The Hedgehog (USA, Europe) (Sonic Classic Collection).md": "sonic-c",
    "megadrive/Sonic The Hedgehog (USA, Europe).md": "sonic",
    "nes/Tetris (USA) (Tengen).nes": "tetris-tengen",
    "nes/Tetris (USA).nes": "tetris",
    "nes/Racer (USA) (REV-A).nes": "racer-a",
    "nes/Racer (USA) (REV-C).nes": "racer-c",
}


def _autolist(cli: Any, tmp_path: Path) -> dict[str, dict[str, Any]]:
    root = tmp_path / "roms"
    for relative, seed in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(rom(seed))
    catalog = tmp_path / "snes.dat"
    catalog.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        ("Super Mario World (USA)", "Super Mario World (USA).sfc", "smw", None)]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    assert real(cli, "library", "add", str(root)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    assert real(cli, "device", "add", "rg-35xx-plus").code == 0
    assert real(cli, "profile", "create", "--device", "1", "--os", "knulli").code == 0
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {g["filename"]: g for g in result.json()["data"]["games"]}


def test_copies_of_one_matched_game_compete_whatever_their_names(
        cli: Any, tmp_path: Path) -> None:
    games = _autolist(cli, tmp_path)
    kept, copy = games["Super Mario World (U) [!].sfc"], games["smw.sfc"]
    assert kept["platform_id"] == copy["platform_id"] == "snes"
    assert kept["included"] and not copy["included"]
    assert (copy["dropped"], copy["kept_instead"]) == ("other_version", kept["game_id"])


def test_a_dropped_games_reason_is_why_it_is_dropped(cli: Any, tmp_path: Path) -> None:
    games = _autolist(cli, tmp_path)
    hack = games["Mario (USA) [h1].sfc"]
    assert (hack["included"], hack["dropped"], hack["reason"]) == (False, "hack", "hack")
    assert games["smw.sfc"]["reason"] == "other_version"
    for game in games.values():
        assert game["included"] is (game["dropped"] is None and game["reason"] != "hack")
        if game["dropped"]:
            assert game["reason"] == game["dropped"]
    text = real(cli, "autolist", "1", "--limit", "0").out
    line = next(row for row in text.splitlines() if "Mario (USA) [h1].sfc" in row)
    assert line.startswith("-") and "  hack  " in line


def test_ties_go_to_fewer_extra_tags_and_rev_letters_are_revisions(
        cli: Any, tmp_path: Path) -> None:
    games = _autolist(cli, tmp_path)
    included = {name for name, game in games.items() if game["included"]}
    assert "Sonic The Hedgehog (USA, Europe).md" in included
    assert "Sonic The Hedgehog (USA, Europe) (Sonic Classic Collection).md" not in included
    assert "Tetris (USA).nes" in included and "Tetris (USA) (Tengen).nes" not in included
    assert "Racer (USA) (REV-C).nes" in included and "Racer (USA) (REV-A).nes" not in included


def test_an_included_version_wins_its_group_and_the_others_stay_out(
        cli: Any, tmp_path: Path) -> None:
    """Forcing one version in (`override set --include`) keeps it and leaves the versions it
    competes with out — it brought the other version back (found by QA)."""
    games = _autolist(cli, tmp_path)
    plain, tengen = games["Tetris (USA).nes"], games["Tetris (USA) (Tengen).nes"]
    assert plain["included"] and not tengen["included"]
    assert real(cli, "override", "set", "--game", str(tengen["game_id"]), "--include",
                "--profile", "1").code == 0
    after = {g["filename"]: g for g in real(cli, "--json", "autolist", "1").json()[
        "data"]["games"]}
    assert after["Tetris (USA) (Tengen).nes"]["included"]
    assert not after["Tetris (USA).nes"]["included"]
    assert after["Tetris (USA).nes"]["dropped"] == "other_version"
    assert after["Tetris (USA).nes"]["kept_instead"] == tengen["game_id"]


def test_games_without_an_emulator_on_the_os_say_how_to_name_one(
        cli: Any, tmp_path: Path) -> None:
    """QA85 F1: every arcade game of an Onion profile was NO_EMULATOR_AVAILABLE, and nothing
    said what would include them (an override naming an emulator). (Onion's list is partial
    — it shows ARCADE, which none of its listed cores runs: QA172 F2 — so its arcade games
    are "emulator unknown" now; TheRA's list is whole, and runs no 3DO game.)"""
    from tests.conftest import shared_path
    pack = str(shared_path("definition-pack"))
    folder = tmp_path / "lib" / "3do"
    folder.mkdir(parents=True)
    (folder / "Alpha (USA).iso").write_bytes(b"\x01" * 4096)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-353m"),
                 ("profile", "create", "--device", "1", "--os", "thera")):
        assert cli("--pack", pack, *args).code == 0, args
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.json()["data"]["summary"] == {"NO_EMULATOR_AVAILABLE": 1}
    hint = [w for w in listed.json()["warnings"] if "left out: no emulator" in w]
    assert hint and "`romrunner override set --platform 3do --emulator ID --profile 1`" \
        in hint[0] and "opera" in hint[0]
    assert cli("--pack", pack, "override", "set", "--platform", "3do", "--emulator",
               "opera", "--profile", "1").code == 0
    again = cli("--pack", pack, "--json", "autolist", "1")
    assert again.json()["data"]["included"] == 1, again.json()["data"]["games"]
    assert not [w for w in again.json()["warnings"] if "left out: no emulator" in w]


def test_games_left_out_for_want_of_performance_data_say_what_includes_them(
        cli: Any, tmp_path: Path) -> None:
    """QA91 F10: every PS2 game of a Steam Deck profile was PERF_MISSING_STRICT, unexplained
    (the pack has no Steam Deck performance rows; PS2 is a demanding platform)."""
    pack = real_pack_profile(cli, tmp_path, "ps2/Fake Racer (USA).iso", b"\x02",
                             "steam-deck", "emudeck")
    listed = cli("--pack", pack, "--json", "autolist", "1")
    if listed.json()["data"]["summary"].get("PERF_MISSING_STRICT") != 1:
        import pytest
        pytest.skip("the pack now has performance data for ps2 on the Steam Deck")
    said = [w for w in listed.json()["warnings"] if "no performance data for ps2" in w]
    assert said and "`romrunner profile set 1 --mode permissive`" in said[0]


def test_games_of_a_platform_the_os_has_no_folder_for_are_said_to_be_so_in_every_mode(
        cli: Any, tmp_path: Path) -> None:
    """QA107 F2: Onion's GameCube games were "no performance data … `--mode permissive`
    includes them"; in permissive mode they were `no_folder`, and said of nowhere."""
    pack = real_pack_profile(cli, tmp_path, "gamecube/Fake Sailor (USA).iso", b"\x03",
                             "miyoo-mini-plus", "onionos")
    for mode in ("balanced", "permissive", "strict"):
        assert cli("--pack", pack, "profile", "set", "1", "--mode", mode).code == 0
        listed = cli("--pack", pack, "--json", "autolist", "1")
        (entry,) = listed.json()["data"]["games"]
        assert (entry["included"], entry["reason"]) == (False, "no_folder"), (mode, entry)
        warnings = listed.json()["warnings"]
        assert "1 game of gamecube left out: onionos has no folder for gamecube" in " ".join(
            warnings), (mode, warnings)
        assert not [w for w in warnings if "--mode permissive` includes them" in w], mode


def test_an_include_override_cannot_put_a_game_where_the_os_has_no_folder(
        cli: Any, tmp_path: Path) -> None:
    """qa195 F1: an include override set for every profile (meant for the PS2-capable ones)
    made Onion's auto-list call a PS2 game included, with no folder to put it in, and every
    `deploy --auto` of the card exited 1 ("1 chosen game left out")."""
    pack = real_pack_profile(cli, tmp_path, "ps2/Fake Racer (USA).iso", b"\x02",
                             "miyoo-mini-plus", "onionos")
    (tmp_path / "lib" / "gba").mkdir()
    (tmp_path / "lib" / "gba" / "Kart Racer (Europe).gba").write_bytes(b"\x11" * 8192)
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    listed = {g["filename"]: g for g in cli("--pack", pack, "--json", "autolist", "1")
              .json()["data"]["games"]}
    racer = listed["Fake Racer (USA).iso"]
    assert cli("--pack", pack, "override", "set", "--game", str(racer["game_id"]),
               "--include").code == 0
    again = cli("--pack", pack, "--json", "autolist", "1")
    data = again.json()["data"]
    games = {g["filename"]: g for g in data["games"]}
    racer = games["Fake Racer (USA).iso"]
    assert (racer["included"], racer["reason"]) == (False, "no_folder"), racer
    assert any("has no folder for ps2" in w and "override" in w for w in racer["warnings"])
    assert data["included"] == 1 and games["Kart Racer (Europe).gba"]["included"], data
    assert "1 game of ps2 left out: onionos has no folder for ps2" in " ".join(
        again.json()["warnings"])
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", pack, "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert dry.code == 0, dry.err
    done = cli("--pack", pack, "deploy", "1", "--to", str(card), "--auto")
    assert done.code == 0, done.err
    assert [p.name for p in card.rglob("*.gba")] == ["Kart Racer (Europe).gba"]
    assert not list(card.rglob("*.iso"))


def test_an_archive_no_emulator_loads_is_left_out_and_said_by_a_deploy(
        cli: Any, tmp_path: Path) -> None:
    """QA124 F2, F3: a `readme.txt` zipped under a game's name was that game by its name,
    auto-listed in place of the real ROM; a zip `scan --verify` found damaged was auto-listed
    and deployed, unsaid."""
    import zipfile

    gba = tmp_path / "lib" / "gba"
    gba.mkdir(parents=True)
    with zipfile.ZipFile(gba / "Kart Racer (USA).zip", "w") as archive:
        archive.writestr("readme.txt", "download more games at www.example")
    with zipfile.ZipFile(gba / "Kart Racer (Europe).zip", "w") as archive:
        archive.writestr("Kart Racer (Europe).gba", b"\x11" * 8192)
    with zipfile.ZipFile(gba / "Odd Dump (USA).zip", "w") as archive:  # (review 126 F1: a
        archive.writestr("Odd Dump (USA).bin", b"\x33" * 8192)  # type the pack's list lacks)
        archive.writestr("readme.txt", "dumped by me")
    damaged = gba / "Sky Pilot (USA).zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("Sky Pilot (USA).gba", b"\x22" * 8192)
    data = damaged.read_bytes()
    at = data.index(b"\x22" * 8192) + 100
    damaged.write_bytes(data[:at] + b"\x23" + data[at + 1:])  # its stated CRC32 now lies
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    verified = cli("scan", "--verify", "--workers", "1")
    assert "does not hold the data its zip directory states" in verified.out + verified.err
    assert "1 found damaged (kept, errors below)" in verified.out  # (not "not stored":
    assert "not stored" not in verified.out  # its row is kept, QA124 F7)
    listed = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert {name: (g["included"], g["reason"]) for name, g in listed.items()} == {
        "Kart Racer (USA).zip": (False, "no_rom"), "Kart Racer (Europe).zip": (True, "INCLUDED"),
        "Sky Pilot (USA).zip": (False, "damaged"), "Odd Dump (USA).zip": (True, "INCLUDED")}
    assert any("readme.txt" in w for w in listed["Kart Racer (USA).zip"]["warnings"])
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--dry-run")
    assert dry.code == 1, dry.err  # (a chosen game left out: qa190, as the auto-list)
    plan = dry.json()["data"]["plan"]
    said = {w["code"]: w["message"] for w in plan["warnings"] if w["code"].startswith("archive-")}
    (damaged,) = [e for e in plan["errors"] if e["code"] == "damaged"]
    assert "Sky Pilot (USA).zip: found damaged by a scan" in damaged["message"], damaged
    assert "archive-damaged" not in said and "Sky Pilot" not in str(said), said
    assert "Kart Racer (USA).zip" in said["archive-no-rom"], said
    assert "Kart Racer (Europe).zip" not in str(said) and "Odd Dump" not in str(said)


def test_a_disc_whose_track_the_scan_could_not_read_is_left_out(
        cli: Any, tmp_path: Path) -> None:
    """QA138 F3: a .cue naming a .bin that is not there was auto-listed, and every `deploy
    --auto` then left it out and ended with exit 1 (a scheduled sync always "failed"). The
    auto-list leaves it out, saying which track, and a deploy of it ends well."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    sheet = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    for title, track_there in (("Spyro the Dragon (USA)", False), ("Crash Team (USA)", True)):
        (psx / f"{title}.cue").write_text(sheet.format(f"{title}.bin"))
        if track_there:
            (psx / f"{title}.bin").write_bytes(b"\x44" * 2352 * 4)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    listed = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert {name: (g["included"], g["reason"]) for name, g in listed.items()} == {
        "Spyro the Dragon (USA).cue": (False, "track_missing"),
        "Crash Team (USA).cue": (True, "INCLUDED")}
    assert any("Spyro the Dragon (USA).bin" in w
               for w in listed["Spyro the Dragon (USA).cue"]["warnings"])
    shown = cli("games", "show", str(listed["Spyro the Dragon (USA).cue"]["game_id"])).out
    assert "size       unknown: not read by the scan (missing or unreadable)" in shown  # (F5)
    card = tmp_path / "card"
    card.mkdir()
    run = cli("--json", "deploy", "1", "--to", str(card), "--auto")
    assert run.code == 0, run.out + run.err
    assert sorted(p.name for p in card.rglob("*.*") if ".romrunner" not in p.parts) == [
        "Crash Team (USA).bin", "Crash Team (USA).cue"]


def test_a_zipped_tape_sound_is_a_computers_game_and_samples_no_arcade_set(
        cli: Any, tmp_path: Path) -> None:
    """Review 137 F7: a `.wav` counted as no ROM anywhere, so a Spectrum tape zipped as a
    sound was left out as no_rom (the pack lists no `.wav` for it; its emulators load
    tapes); MAME's samples under a set's name stay no arcade set (QA133 F2)."""
    import zipfile

    from tests.conftest import shared_path

    pack = str(shared_path("definition-pack"))
    lib = tmp_path / "lib"
    for folder, name, member in (("zxspectrum", "Manic Miner (1983)(Bug-Byte).zip", "side a.wav"),
                                 ("arcade", "galaga.zip", "bang.wav")):
        (lib / folder).mkdir(parents=True)
        with zipfile.ZipFile(lib / folder / name, "w") as archive:
            archive.writestr(member, b"RIFF" + bytes(range(256)) * 16)
    for args in (("library", "add", str(lib)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli("--pack", pack, *args).code == 0, args
    listed = {g["filename"]: (g["reason"], g["dropped"]) for g in
              cli("--pack", pack, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["galaga.zip"][1] == "no_rom", listed
    assert listed["Manic Miner (1983)(Bug-Byte).zip"][1] != "no_rom", listed
