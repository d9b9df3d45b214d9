"""One game, one ROM also for games a DAT matched when the DAT has no parent/clone links
(most No-Intro and Redump DATs): they are grouped by title, like unmatched files, so importing
a DAT never makes an auto-list bigger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_autolist import dat, real, rom

TETRIS_AND_MARIO = {  # file name -> content seed, all four listed by the DAT below
    "Tetris (Japan) (En).gb": "tetris-j", "Tetris (World) (Rev 1).gb": "tetris-w1",
    "Super Mario Land (World).gb": "sml", "Super Mario Land (World) (Rev 1).gb": "sml1"}


def _discs(folder: Path, names: list[str]) -> None:
    """A one-track disc (sheet and track) for each of ``names`` in ``folder``."""
    for name in names:
        (folder / f"{name}.bin").write_bytes(rom(name) * 4)
        (folder / f"{name}.cue").write_text(f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n')


def _profile(cli: Any, roms: Path, os_id: str) -> None:
    """``roms`` added and scanned; profile 1 an RG35XX Plus on ``os_id``."""
    for args in (("library", "add", str(roms)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        assert real(cli, *args).code == 0, args


def _included(cli: Any) -> set[str]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {g["filename"] for g in result.json()["data"]["games"] if g["included"]}


def test_a_dat_without_parent_clone_groups_by_title(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    for name, seed in TETRIS_AND_MARIO.items():
        (root / name).write_bytes(rom(seed))
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        (name.removesuffix(".gb"), name, seed, None) for name, seed in TETRIS_AND_MARIO.items()]))
    assert real(cli, "library", "add", str(tmp_path / "roms")).code == 0
    assert real(cli, "device", "add", "rg-35xx-plus").code == 0
    assert real(cli, "profile", "create", "--device", "1", "--os", "muos").code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    without_dat = _included(cli)
    assert len(without_dat) == 2  # one Tetris, one Super Mario Land

    assert real(cli, "dat", "import", str(catalog)).code == 0
    games = real(cli, "--json", "games", "ls").json()["data"]["games"]
    assert all(g["match_method"] == "sha1" for g in games)
    with_dat = _included(cli)
    assert len(with_dat) == 2
    assert {name.split(" (")[0] for name in with_dat} == {"Tetris", "Super Mario Land"}


def test_a_copy_identified_by_its_hashes_beats_one_only_named_like_it(
        cli: Any, tmp_path: Path) -> None:
    # QA12 F2: of two copies of one catalog game, the one whose bytes the DAT has lost to one
    # that only bears its name (another dump: its bytes are in no DAT), by id alone.
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    (root / "Tetris (World).gb").write_bytes(rom("not the dump the DAT lists"))
    (root / "tetris_world.gb").write_bytes(rom("tetris-w"))
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [("Tetris (World)", "Tetris (World).gb",
                                                     "tetris-w", None)]))
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(catalog)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert real(cli, *args).code == 0, args
    games = {g["filename"]: g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert (games["Tetris (World).gb"]["match_method"], games["tetris_world.gb"]["match_method"]
            ) == ("name", "crc32")  # (the DAT imported first: known by CRC32 + size)
    assert games["Tetris (World).gb"]["id"] < games["tetris_world.gb"]["id"]  # (the old winner)
    listed = {g["filename"]: g
              for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["tetris_world.gb"]["included"]
    assert (listed["Tetris (World).gb"]["reason"], listed["Tetris (World).gb"]["kept_instead"]) \
        == ("other_version", games["tetris_world.gb"]["id"])


def test_a_renamed_multi_disc_set_a_dat_identifies_is_kept_whole(
        cli: Any, tmp_path: Path) -> None:
    # QA14: `ff7_1/2/3.cue`, each identified by its track as "Final Fantasy VII (USA) (Disc
    # N)", have no set by their names; one game one ROM took discs 2 and 3 for other versions
    # of disc 1 (their catalog titles are one) and dropped them: one disc on the card.
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    entries = []
    for disc in (1, 2, 3):
        (root / f"ff7_{disc}.bin").write_bytes(rom(f"ff7 disc {disc}"))
        (root / f"ff7_{disc}.cue").write_text(
            f'FILE "ff7_{disc}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
        name = f"Final Fantasy VII (USA) (Disc {disc})"
        entries.append((name, f"{name}.bin", f"ff7 disc {disc}", None))
    (root / "Other (USA).bin").write_bytes(rom("other"))
    (root / "Other (USA).cue").write_text(
        'FILE "Other (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    catalog = tmp_path / "psx.dat"
    catalog.write_text(dat("Sony - PlayStation", entries))
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(catalog)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    methods = {g["filename"]: g["match_method"]
               for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert [methods[f"ff7_{disc}.cue"] for disc in (1, 2, 3)] == ["tracks"] * 3
    listed = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert [listed[f"ff7_{disc}.cue"]["included"] for disc in (1, 2, 3)] == [True] * 3, {
        name: game["reason"] for name, game in listed.items()}


def test_the_platform_limit_counts_a_multi_disc_set_as_one_game(
        cli: Any, tmp_path: Path) -> None:
    """`--max-per-platform` keeps or leaves out a set's discs together (QA25 F7: with a limit
    of 2, discs 2 and 3 were listed left out, and `deploy --auto` put the whole set on the
    card all the same)."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = ["Crash Bandicoot (USA)", *(f"Final Fantasy VII (USA) (Disc {d})" for d in (1, 2, 3))]
    _discs(root, names)
    _profile(cli, tmp_path / "roms", "muos")
    assert real(cli, "profile", "set", "1", "--max-per-platform", "2").code == 0
    assert _included(cli) == {f"{name}.cue" for name in names}  # two games: Crash, the set
    assert real(cli, "profile", "set", "1", "--max-per-platform", "1").code == 0
    listed = real(cli, "--json", "autolist", "1").json()["data"]["games"]
    verdicts = {g["filename"]: (g["included"], g["reason"]) for g in listed}
    assert verdicts["Crash Bandicoot (USA).cue"][0]
    assert {verdicts[f"{name}.cue"] for name in names[1:]} == {(False, "platform_limit")}


def test_games_set_to_an_emulator_that_does_not_list_their_platform_are_said(
        cli: Any, tmp_path: Path) -> None:
    """An override naming an emulator that does not list the platform warned once, at `override
    set`; the auto-list then included the games with it and said nothing (QA26)."""
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    for name in ("Alpha (USA).gb", "Beta (USA).gb"):
        (root / name).write_bytes(rom(name))
    _profile(cli, tmp_path / "roms", "muos")
    before = real(cli, "--json", "autolist", "1").json()["warnings"]
    assert not [w for w in before if "does not list platform" in w]
    assert real(cli, "override", "set", "--platform", "gb", "--emulator", "pcsx2",
                "--force").code == 0
    listed = real(cli, "--json", "autolist", "1").json()
    said = [w for w in listed["warnings"] if "does not list platform gb" in w]
    assert said and said[0].startswith("2 included games of gb run with pcsx2"), said


def test_the_platform_limit_keeps_the_profiles_regions_and_the_users_choice_first(
        cli: Any, tmp_path: Path) -> None:
    """`--max-per-platform N` kept the first N by title whatever the profile preferred
    (QA144 F6: a Japanese release kept, USA and Europe ones left out); a game the user
    included by hand is kept before any."""
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    names = ["Adventure (Japan).gb", "Bubble (Japan).gb", "Quest (Europe).gb", "Zelda (USA).gb"]
    for name in names:
        (root / name).write_bytes(rom(name))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "set", "1", "--regions", "USA,Europe", "--max-per-platform", "2")):
        assert real(cli, *args).code == 0, args
    assert _included(cli) == {"Quest (Europe).gb", "Zelda (USA).gb"}
    games = real(cli, "--json", "games", "ls").json()["data"]["games"]
    ids = {g["filename"]: g["id"] for g in games}
    assert real(cli, "override", "set", "--game", str(ids["Bubble (Japan).gb"]), "--profile", "1",
                "--include").code == 0
    assert _included(cli) == {"Bubble (Japan).gb", "Zelda (USA).gb"}


def test_the_platform_limit_keeps_releases_in_the_profiles_regions_before_a_translation(
        cli: Any, tmp_path: Path) -> None:
    """qa188 F7: `--max-per-platform 1` kept "Mike (Japan) [T+Eng]" over the USA releases in
    English of a profile asking for Japan, USA and English (the limit ranked by region and
    language only, before "is a translation"). README: releases in your regions and
    languages come before hacks (a translation is one), prereleases and others."""
    root = tmp_path / "roms" / "snes"
    root.mkdir(parents=True)
    for name in ("Delta (USA) (v1.1)", "Kilo (USA)", "Mike (Japan) [T+Eng]", "Mike (Japan)",
                 "Bravo (Japan)"):
        (root / f"{name}.sfc").write_bytes(rom(name))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini"),
                 ("profile", "create", "--device", "1", "--os", "onionos"),
                 ("profile", "set", "1", "--translations", "--regions", "Japan,USA",
                  "--languages", "En", "--max-per-platform", "0")):
        assert real(cli, *args).code == 0, args
    # (no limit: the translation is this profile's Mike, over the Japanese original)
    assert _included(cli) == {"Delta (USA) (v1.1).sfc", "Kilo (USA).sfc",
                              "Mike (Japan) [T+Eng].sfc", "Bravo (Japan).sfc"}
    assert real(cli, "profile", "set", "1", "--max-per-platform", "1").code == 0
    assert _included(cli) == {"Delta (USA) (v1.1).sfc"}
    assert real(cli, "profile", "set", "1", "--max-per-platform", "2").code == 0
    assert _included(cli) == {"Delta (USA) (v1.1).sfc", "Kilo (USA).sfc"}
    # (then a release in a named region, though in no language asked for, before the hack)
    assert real(cli, "profile", "set", "1", "--max-per-platform", "3").code == 0
    assert _included(cli) == {"Delta (USA) (v1.1).sfc", "Kilo (USA).sfc", "Bravo (Japan).sfc"}


def test_a_set_with_a_disc_whose_track_is_gone_is_left_out_whole(
        cli: Any, tmp_path: Path) -> None:
    """QA155 F6: disc 2's track deleted and rescanned, the auto-list left disc 2 out
    (track_missing) and kept disc 1: `deploy --auto` put half the game on the card."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = [f"Final Fantasy VII (USA) (Disc {d})" for d in (1, 2)]
    _discs(root, names)
    (root / "Crash Bandicoot (USA).iso").write_bytes(rom("crash") * 4)
    _profile(cli, tmp_path / "roms", "muos")
    assert _included(cli) == {*(f"{name}.cue" for name in names), "Crash Bandicoot (USA).iso"}
    (root / f"{names[1]}.bin").unlink()
    assert real(cli, "scan", "--workers", "1").code in (0, 1)
    games = real(cli, "--json", "autolist", "1").json()["data"]["games"]
    listed = {g["filename"]: g for g in games}
    assert _included(cli) == {"Crash Bandicoot (USA).iso"}
    assert listed[f"{names[0]}.cue"]["reason"] == "set_left_out"
    assert any("Disc 2 of its set is left out (track_missing)" in w
               for w in listed[f"{names[0]}.cue"]["warnings"])
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert not [p for p in card.rglob("*") if "Final Fantasy" in p.name]


def test_a_prune_without_the_cards_records_removes_the_playlist_it_made_with_its_discs(
        cli: Any, tmp_path: Path) -> None:
    """QA158 N1: `.romrunner/` gone, a prune removed a set's discs (proved ours by the
    database's records) and kept the .m3u it had written for them, "maybe the only copy
    left": the frontend listed a game whose discs were gone."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = [f"Final Fantasy VII (USA) (Disc {d})" for d in (1, 2)]
    _discs(root, names)
    (root / "Crash (USA).iso").write_bytes(rom("crash") * 4)
    _profile(cli, tmp_path / "roms", "rocknix")
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "platform:psx").code == 0
    playlist = card / "roms" / "psx" / "Final Fantasy VII (USA).m3u"
    assert playlist.is_file()
    for record in (card / ".romrunner").iterdir():
        record.unlink()
    (card / ".romrunner").rmdir()
    pruned = real(cli, "--json", "deploy", "1", "--to", str(card), "title:crash", "--prune")
    assert pruned.code == 0, pruned.err
    assert not playlist.exists()
    assert not [p for p in card.rglob("*") if p.is_file() and "Final Fantasy" in p.name]


def test_a_copy_of_a_set_missing_a_track_leaves_out_only_that_copy(
        cli: Any, tmp_path: Path) -> None:
    """Review 160 F6: the rule above left out every copy of the set: with a complete copy in
    a backup root, the game was gone from the auto-list."""
    names = [f"Quest (USA) (Disc {d})" for d in (1, 2)]
    for root in ("main", "backup"):
        folder = tmp_path / root / "psx"
        folder.mkdir(parents=True)
        _discs(folder, names)
    for args in (("library", "add", str(tmp_path / "main")),
                 ("library", "add", str(tmp_path / "backup")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert real(cli, *args).code == 0, args
    (tmp_path / "main" / "psx" / f"{names[1]}.bin").unlink()
    assert real(cli, "scan", "--workers", "1").code in (0, 1)
    games = real(cli, "--json", "autolist", "1").json()["data"]["games"]
    included = [g for g in games if g["included"]]
    assert sorted(g["filename"] for g in included) == [f"{name}.cue" for name in names]


def test_a_prune_keeping_a_sets_discs_keeps_its_playlist(cli: Any, tmp_path: Path) -> None:
    """Review 160 F7: the card's records gone and the library no longer holding the set,
    the prune kept its discs ("maybe the only copy left") and removed the .m3u naming them:
    the game vanished from the menu, its discs kept in a hidden folder."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = [f"Quest (USA) (Disc {d})" for d in (1, 2)]
    _discs(root, names)
    (tmp_path / "roms" / "gb").mkdir()
    (tmp_path / "roms" / "gb" / "Keep (USA).gb").write_bytes(rom("keep"))
    _profile(cli, tmp_path / "roms", "rocknix")
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "platform:psx").code == 0
    playlist = card / "roms" / "psx" / "Quest (USA).m3u"
    assert playlist.is_file()
    root.rename(tmp_path / "gone")
    for args in (("scan", "--workers", "1", "--accept-missing"), ("games", "forget", "--missing")):
        assert real(cli, *args).code in (0, 1), args
    for record in (card / ".romrunner").iterdir():
        record.unlink()
    (card / ".romrunner").rmdir()
    pruned = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune",
                  "--force")
    assert pruned.code in (0, 1), pruned.err
    discs = [p for p in card.rglob("*.cue")]
    assert len(discs) == 2  # kept: maybe the only copy left
    assert playlist.is_file()  # and the playlist naming them with them


def test_an_include_of_one_disc_includes_its_set_whole(cli: Any, tmp_path: Path) -> None:
    """qa178 F1: `override set --include` on disc 3 of a Saturn set the gating leaves out (no
    performance data): the auto-list listed disc 3 alone, discs 1, 2 and 4 left out, while
    `deploy --auto` copied all four and counted fewer games chosen than it planned."""
    root = tmp_path / "roms" / "saturn"
    root.mkdir(parents=True)
    names = [f"Panzer Dragoon Saga (USA) (Disc {d})" for d in (1, 2, 3, 4)]
    _discs(root, [*names, "Nights into Dreams (USA)"])
    _profile(cli, tmp_path / "roms", "knulli")
    ids = {g["filename"]: g["id"]
           for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert _included(cli) == set()  # (balanced mode, no performance data for saturn)
    assert real(cli, "override", "set", "--game", str(ids[f"{names[2]}.cue"]), "--include",
                "--profile", "1").code == 0
    listed = {g["filename"]: g
              for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert _included(cli) == {f"{name}.cue" for name in names}
    for name in (names[0], names[1], names[3]):
        assert listed[f"{name}.cue"]["reason"] == "USER_OVERRIDE_INCLUDE"
        assert any("Included with Disc 3 of its set, which an override includes" in w
                   for w in listed[f"{name}.cue"]["warnings"]), listed[f"{name}.cue"]
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert plan.code == 0, plan.err
    data = plan.json()
    assert data["data"]["chosen"]["games"] == 4
    assert not [w for w in data["warnings"] if "not chosen added" in w]

    # a disc excluded beside the one included: the set is left out whole, as deploy does
    assert real(cli, "override", "set", "--game", str(ids[f"{names[1]}.cue"]), "--exclude",
                "--profile", "1").code == 0
    listed = {g["filename"]: g
              for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert _included(cli) == set()
    assert any("Disc 2 of its set is left out (USER_OVERRIDE_EXCLUDE)" in w
               for w in listed[f"{names[2]}.cue"]["warnings"]), listed[f"{names[2]}.cue"]


def test_a_profiles_collection_holding_one_disc_chooses_its_set_whole(
        cli: Any, tmp_path: Path) -> None:
    """QA180 F10: a profile limited to a collection holding disc 1 of a set listed disc 1
    alone ("1 of 1 game included"), and `deploy --auto` added disc 2, never gated, to
    complete the set. The collection now chooses the set whole (listed, saved, deployed
    alike); an excluded collection holding one disc leaves the set out whole."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = ["Crash Bandicoot (USA)", *(f"Heart of Darkness (USA) (Disc {d})" for d in (1, 2))]
    _discs(root, names)
    _profile(cli, tmp_path / "roms", "muos")
    games = real(cli, "--json", "games", "ls").json()["data"]["games"]
    ids = {g["filename"]: g["id"] for g in games}
    disc1, disc2 = (ids[f"{name}.cue"] for name in names[1:])
    for args in (("collection", "create", "hod"), ("collection", "add", "hod", str(disc1)),
                 ("profile", "set", "1", "--include-collections", "hod")):
        assert real(cli, *args).code == 0, args
    listed = real(cli, "--json", "autolist", "1", "--save", "hod list").json()["data"]
    assert {g["filename"] for g in listed["games"] if g["included"]} == \
        {f"{name}.cue" for name in names[1:]}
    assert listed["summary"]["INCLUDED"] == 2
    saved = real(cli, "--json", "games", "ls", 'collection:"hod list"').json()["data"]["games"]
    assert sorted(g["id"] for g in saved) == [disc1, disc2]
    card = tmp_path / "card"
    card.mkdir()
    deployed = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert deployed.code == 0, deployed.err
    assert deployed.json()["data"]["chosen"]["games"] == 2  # as the auto-list includes
    assert not [w for w in deployed.json()["warnings"] if "not chosen added" in w]
    for args in (("collection", "create", "out"), ("collection", "add", "out", str(disc2)),
                 ("profile", "set", "1", "--include-collections", "",
                  "--exclude-collections", "out")):
        assert real(cli, *args).code == 0, args
    assert _included(cli) == {"Crash Bandicoot (USA).cue"}
