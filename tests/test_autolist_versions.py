"""One game, one ROM picks the right version: a release before a copy someone changed, the
latest version, each multicart its own game, one disc per number of a set, a complete set
before an incomplete one (QA37 F1-F5)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.test_autolist import dat, real, rom
from tests.test_deploy_multidisc_layout import _chd


def _write(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(rom(name))


def _write_discs(folder: Path, names: list[str]) -> None:
    """A one-track cue/bin disc per name (the bin's bytes its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.bin").write_bytes(rom(name))
        (folder / f"{name}.cue").write_text(
            f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')


def _profile(cli: Any, library: Path, *settings: str) -> None:
    for args in (("library", "add", str(library)), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        result = real(cli, *args)
        assert result.code == 0, (args, result.err)
    if settings:
        assert real(cli, "profile", "set", "1", *settings).code == 0


def _scanned_then(cli: Any, folder: Path, first: list[str], later: list[str]) -> None:
    """``first`` written and scanned (their ids the lower: the old winners of a tie), then
    ``later`` written (the profile's scan stores them)."""
    _write(folder, first)
    assert real(cli, "library", "add", str(folder.parent)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    _write(folder, later)


def _listed(cli: Any) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {g["filename"]: g for g in result.json()["data"]["games"]}


CHANGED = ["Delta (USA) [p1].gb", "Echo (USA) [t1].gb", "Kilo (USA) (Unl).gb",
           "Mike (USA) (Pirate).gb", "Lima (USA) [a1].gb", "Papa (USA) (Beta).gb",
           "Quebec (USA) [h1].gb"]  # (a translation: by its language, see below)


def _release(name: str) -> str:
    return name.split(" [")[0].split(" (")[0] + (" (Japan).gb" if "Japan" in name
                                                  else " (USA).gb")


def test_a_release_beats_a_copy_someone_changed_whatever_the_scan_order(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F1: the changed copies, scanned first, won the tie with the release by their id.
    library = tmp_path / "roms"
    _write(library / "gb", CHANGED)
    assert real(cli, "library", "add", str(library)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    _write(library / "gb", [_release(name) for name in CHANGED])
    _profile(cli, library, "--prerelease", "--hacks")  # (allowed: they still lose the tie)
    listed = _listed(cli)
    for name in CHANGED:
        release = listed[_release(name)]
        assert release["included"], name
        assert (listed[name]["reason"], listed[name]["kept_instead"]) == (
            "other_version", release["game_id"]), name
        assert listed[name]["game_id"] < release["game_id"]  # (the id no longer decides)


def test_the_latest_version_wins(cli: Any, tmp_path: Path) -> None:
    # QA37 F2: "(v1.0)" was kept over "(v1.1)" (versions were not compared), by its id; a
    # version of two numbers is a decimal, as No-Intro's are (review 19 R5: "Falling (World)
    # (v1.01)" and "(v1.1)" tied, "A Grave Encounter (v1.21)" beat "(v1.3)").
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb",
                  ["Zeta (USA) (v1.0).gb", "Aqua (World) (v1.02).gb",
                   "Grave (World) (v1.21).gb", "Tool (World) (v1.0.1).gb"],
                  ["Zeta (USA) (v1.2).gb", "Aqua (World) (v1.1).gb", "Aqua (World) (v1.01).gb",
                   "Grave (World) (v1.3).gb", "Tool (World) (v1.0.10).gb"])
    catalog = tmp_path / "gb.dat"  # (identified ones compete by their catalog names)
    catalog.write_text(dat("Nintendo - Game Boy", [
        (name.removesuffix(".gb"), name, name, None)
        for name in ("Aqua (World) (v1.02).gb", "Aqua (World) (v1.1).gb",
                     "Aqua (World) (v1.01).gb")]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Zeta (USA) (v1.2).gb", "Aqua (World) (v1.1).gb",
                        "Grave (World) (v1.3).gb", "Tool (World) (v1.0.10).gb"}


def test_a_copy_known_by_name_only_kept_over_a_known_dump_says_so(
        cli: Any, tmp_path: Path) -> None:
    """qa194 F8: the preferred region's copy, named like a catalog entry whose bytes it does
    not have (often a bad or hacked dump), was kept over the other region's verified dump
    without a word."""
    library = tmp_path / "roms"
    names = ["Castle (Europe).gb", "Castle (USA).gb", "Dawn (Europe).gb", "Dawn (USA).gb",
             "Quest (Japan).gb"]
    _write(library / "gb", [*names, "Quest (Japan) [T+Eng].gb"])
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        ("Castle (Europe)", "Castle (Europe).gb", "not the library's bytes", None),
        *((name.removesuffix(".gb"), name, name, None) for name in names[1:])]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    _profile(cli, library, "--regions", "Europe,USA", "--translations")
    listed = _listed(cli)
    # (a fan translation kept over its original is no copy of it: review45d F6)
    quest = listed["Quest (Japan) [T+Eng].gb"]
    assert quest["included"] and listed["Quest (Japan).gb"]["kept_instead"] == quest["game_id"]
    assert not any("known dump" in w for w in quest["warnings"]), quest["warnings"]
    assert listed["Castle (Europe).gb"]["included"] and listed["Dawn (Europe).gb"]["included"]
    usa = listed["Castle (USA).gb"]
    assert (usa["reason"], usa["kept_instead"]) == (
        "other_version", listed["Castle (Europe).gb"]["game_id"])
    said = [w for w in listed["Castle (Europe).gb"]["warnings"] if "known dump" in w]
    assert len(said) == 1 and f"game {usa['game_id']}" in said[0], said
    dawn = listed["Dawn (Europe).gb"]["warnings"]  # (both known: nothing to say)
    assert not any("known dump" in w for w in dawn), dawn
    text = real(cli, "autolist", "1", "--limit", "0").out
    assert any("Castle (Europe).gb" in line and "Not a known dump" in line
               for line in text.splitlines()), text
    # a deploy of the auto-list says it too, once (qa199 F3: put on the card silently)
    card = tmp_path / "card"
    card.mkdir()
    planned = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert planned.code == 0, planned.err
    said = [w for w in planned.json()["warnings"] if "match no catalog entry" in w]
    assert len(said) == 1 and "Castle (Europe).gb" in said[0], planned.json()["warnings"]
    assert "Dawn" not in said[0] and "Quest" not in said[0]


MULTICARTS = ["4 in 1 (Europe) (4B-001, Sachen-Commin).gb", "4 in 1 (Europe) (4B-002, Sachen).gb",
              "Super 4-in-1 (Asia) (BD-418).gb", "Super 4-in-1 (Asia) (K4033).gb"]


def test_multicarts_of_one_title_are_each_a_game(cli: Any, tmp_path: Path) -> None:
    # QA37 F3: No-Intro tells these cartridges (other games each) apart by their tags only:
    # one was kept, the others left out as its versions; a DAT's match or not.
    library = tmp_path / "roms"
    _write(library / "gb", [*MULTICARTS, "4 in 1 (Europe) (4B-002, Sachen) [a1].gb"])
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        (name.removesuffix(".gb"), name, name, None) for name in MULTICARTS[:2]]))
    _profile(cli, library)
    listed = _listed(cli)
    assert all(listed[name]["included"] for name in MULTICARTS)
    assert listed["4 in 1 (Europe) (4B-002, Sachen) [a1].gb"]["reason"] == "other_version"
    assert real(cli, "dat", "import", str(catalog)).code == 0
    listed = _listed(cli)
    assert all(listed[name]["included"] for name in MULTICARTS)


def test_two_revisions_of_a_set_in_one_folder_give_each_disc_once(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F4: both revisions were one set (Redump revises one disc of a set at times): the
    # card's playlist listed discs 1, 1, 2, 2. The latest revision of each disc is kept.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Metal Gear Solid (USA) (Disc 1)",
                                   "Metal Gear Solid (USA) (Disc 2)",
                                   "Metal Gear Solid (USA) (Disc 1) (Rev 1)",
                                   "Metal Gear Solid (USA) (Disc 2) (Rev 1)",
                                   "Epic (USA) (Disc 1) (Rev 1)", "Epic (USA) (Disc 1)",
                                   "Epic (USA) (Disc 2)"])
    _profile(cli, library)
    included = sorted(name for name, game in _listed(cli).items() if game["included"])
    assert included == ["Epic (USA) (Disc 1) (Rev 1).cue", "Epic (USA) (Disc 2).cue",
                        "Metal Gear Solid (USA) (Disc 1) (Rev 1).cue",
                        "Metal Gear Solid (USA) (Disc 2) (Rev 1).cue"]
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    playlists = {path.name: path.read_text().splitlines() for path in card.rglob("*.m3u")}
    assert len(playlists) == 2
    for lines in playlists.values():
        assert len(lines) == 2 and all((card / "Roms" / "PS" / line).is_file() for line in lines)
        assert [Path(line).name for line in lines] == sorted(
            (Path(line).name for line in lines), key=lambda name: name.count("Disc 2"))


def test_a_complete_set_beats_an_incomplete_one_of_the_preferred_region(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F5: disc 1 alone of the USA set went on the card, silently, while the library
    # had both discs of the European set.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Saga Quest (USA) (Disc 1)", "Saga Quest (Europe) (Disc 1)",
                                   "Saga Quest (Europe) (Disc 2)",
                                   "Long Trip (USA) (Disc 2 of 3)",
                                   "Long Trip (USA) (Disc 1 of 3)",
                                   "Long Trip (Europe) (Disc 1 of 3)",
                                   "Long Trip (Europe) (Disc 2 of 3)",
                                   "Long Trip (Europe) (Disc 3 of 3)",
                                   "Lone (USA) (Disc 1)", "Trip (USA) (Disc 1)",
                                   "Trip (Japan) (Disc 1)", "Trip (Japan) (Disc 3)"])
    _profile(cli, library)
    included = sorted(name for name, game in _listed(cli).items() if game["included"])
    assert included == ["Lone (USA) (Disc 1).cue",  # (a few one-disc games say "Disc 1")
                        "Long Trip (Europe) (Disc 1 of 3).cue",
                        "Long Trip (Europe) (Disc 2 of 3).cue",
                        "Long Trip (Europe) (Disc 3 of 3).cue",
                        "Saga Quest (Europe) (Disc 1).cue", "Saga Quest (Europe) (Disc 2).cue",
                        "Trip (USA) (Disc 1).cue"]  # (the Japanese set lacks disc 2: a gap)
    (tmp_path / "card").mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(tmp_path / "card"), "--auto",
                "--dry-run")
    assert plan.code == 0, plan.err
    gaps = [w["message"] for w in plan.json()["data"]["plan"]["warnings"]
            if w["code"] == "set-disc-gap"]
    assert gaps == []  # (review 19 R3: "Lone (USA) (Disc 1)" is no set lacking disc 2)


def test_redumps_trial_discs_are_demos_left_out_and_never_beat_a_release(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F8: "(Playable Game Preview)" beat the full Rayman (Europe); "(Taikenban)" (a
    # trial version), "(Trial Edition)", "(Demo Movie)" went on the card as games.
    library = tmp_path / "roms"
    demos = ["Rayman (USA) (Playable Game Preview)", "Brave Sword (Japan) (Taikenban)",
             "Biohazard 2 (Japan) (Trial Edition)", "Astronoka (Japan) (Demo Movie)",
             "Tokimeki (Japan) (Otameshi Disc)"]
    _write_discs(library / "psx", [*demos, "Rayman (Europe) (En,Fr,De)"])
    _profile(cli, library)
    listed = _listed(cli)
    assert {name for name, game in listed.items() if game["included"]} == {
        "Rayman (Europe) (En,Fr,De).cue"}
    assert {listed[f"{name}.cue"]["reason"] for name in demos} == {"prerelease"}
    found = real(cli, "--json", "games", "ls", "flag:demo").json()["data"]["games"]
    assert sorted(g["filename"] for g in found) == sorted(f"{name}.cue" for name in demos)


def test_goodtools_regions_run_together_are_regions(cli: Any, tmp_path: Path) -> None:
    # QA37 F9: "(JU)", "(UE)", "(JUE)" were no region: the "(J)" or PAL "(E)" copy was kept.
    library = tmp_path / "roms"
    _write(library / "nes", ["Super Mario Bros. (E) [!].nes", "Tetris (J) [!].nes",
                             "Gradius (E).nes", "Europa (EU).nes"])
    assert real(cli, "library", "add", str(library)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    _write(library / "nes", ["Super Mario Bros. (JU) [!].nes", "Tetris (UE) [!].nes",
                             "Gradius (JUE) [!].nes"])
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Super Mario Bros. (JU) [!].nes", "Tetris (UE) [!].nes",
                        "Gradius (JUE) [!].nes", "Europa (EU).nes"}
    usa = real(cli, "--json", "games", "ls", "region:usa").json()["data"]["games"]
    assert len(usa) == 3 and "Europa (EU).nes" not in {g["filename"] for g in usa}


def test_a_world_release_ranks_right_after_the_first_region_named(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F11: with --regions Europe,USA (World not named) the Japanese or Korean copy won.
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb",
                  ["Alpha (Japan).gb", "Bravo (Korea).gb", "Charlie (Japan) (Rev 1).gb",
                   "Delta (USA).gb"],
                  ["Alpha (World).gb", "Bravo (World).gb", "Charlie (World).gb",
                   "Delta (World).gb"])
    _profile(cli, library, "--regions", "Europe,USA")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Alpha (World).gb", "Bravo (World).gb", "Charlie (World).gb",
                        "Delta (World).gb"}  # (Delta: World is Europe's, the first named)
    assert real(cli, "profile", "set", "1", "--regions", "USA,Europe").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert "Delta (USA).gb" in included and "Delta (World).gb" not in included


def test_an_allowed_prerelease_never_beats_a_release_of_another_region_or_revision(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F1 (addendum): with --prerelease, "Bravo (USA) (Proto)" beat "Bravo (Europe)" and
    # "Sierra (USA) (Rev 2) (Beta)" beat "Sierra (USA) (Rev 1)".
    library = tmp_path / "roms"
    _write(library / "gb", ["Bravo (USA) (Proto).gb", "Bravo (Europe).gb",
                            "Sierra (USA) (Rev 2) (Beta).gb", "Sierra (USA) (Rev 1).gb",
                            "Unreleased (USA) (Proto).gb"])
    _profile(cli, library, "--prerelease")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Bravo (Europe).gb", "Sierra (USA) (Rev 1).gb",
                        "Unreleased (USA) (Proto).gb"}


def test_a_fan_translation_ranks_by_the_language_it_translates_to(
        cli: Any, tmp_path: Path) -> None:
    # review 19 R6: with --hacks and English preferred, "[T+Eng]" lost to the Japanese
    # original (its language was never read as English); a hack still loses to a release.
    library = tmp_path / "roms"
    # QA107 F3: a translation into a language not asked for ("Metroid (USA) [T+Fre]") beat
    # the release of a region named after its original's ("Metroid (Europe)").
    _write(library / "snes", ["Mother 2 (Japan) [T+Eng].sfc", "Kirby (USA) [h1].sfc",
                              "Gamma (USA) [T+Fre].sfc", "Metroid (USA) [T+Fre].sfc"])
    assert real(cli, "library", "add", str(library)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    _write(library / "snes", ["Mother 2 (Japan).sfc", "Kirby (Japan).sfc", "Gamma (USA).sfc",
                              "Metroid (Europe).sfc"])
    _profile(cli, library, "--hacks", "--languages", "En")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Mother 2 (Japan) [T+Eng].sfc", "Kirby (Japan).sfc",
                        "Gamma (USA).sfc", "Metroid (Europe).sfc"}


def test_a_query_choosing_two_revisions_of_a_disc_lists_the_latest_once(
        cli: Any, tmp_path: Path) -> None:
    # review 19 R8: a deploy by query of a set with two revisions of disc 2 wrote an .m3u
    # listing disc 2 twice (the frontend's "next disc" loaded the same disc again).
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Epic (Europe) (Disc 1)", "Epic (Europe) (Disc 2) (Rev 1)",
                                   "Epic (Europe) (Disc 2)"])
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "platform:psx").code == 0
    (playlist,) = card.rglob("*.m3u")
    assert [Path(line).name for line in playlist.read_text().splitlines()] == [
        "Epic (Europe) (Disc 1).cue", "Epic (Europe) (Disc 2) (Rev 1).cue"]


def test_a_title_with_its_article_after_it_is_the_same_title(cli: Any, tmp_path: Path) -> None:
    # QA37 F10: "Legend of Zelda, The (USA)" (No-Intro) and "The Legend of Zelda (USA)" (a
    # hand-named copy) were two titles: both went on the card.
    library = tmp_path / "roms"
    _scanned_then(cli, library / "nes",
                  ["The Legend of Zelda (USA).nes", "Addams Family, The (Europe).nes"],
                  ["Legend of Zelda, The (USA) (Rev 1).nes", "The Addams Family (USA).nes",
                   "Theme Park (USA).nes", "Park, Theme (Europe).nes",
                   "Legend of Zelda, The - Link's Awakening (USA, Europe) (Rev 2).nes",
                   "The Legend of Zelda - Link's Awakening (USA, Europe).nes"])
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Legend of Zelda, The (USA) (Rev 1).nes", "The Addams Family (USA).nes",
                        "Theme Park (USA).nes", "Park, Theme (Europe).nes",  # (review 20 R3:)
                        "Legend of Zelda, The - Link's Awakening (USA, Europe) (Rev 2).nes"}


def test_a_dump_a_parent_clone_dat_lacks_competes_with_the_family_of_its_title(
        cli: Any, tmp_path: Path) -> None:
    # QA37 F7: with a DAT giving parents and clones, its versions were keyed by the family and
    # an unlisted dump by its title: two versions of one game on the card.
    library = tmp_path / "roms"
    listed = ["Wonder Quest (USA).gb", "Wonder Quest (Europe).gb"]
    _write(library / "gb", [*listed, "Wonder Quest (USA) (Rev 1).gb"])
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        ("Wonder Quest (USA)", listed[0], listed[0], None),
        ("Wonder Quest (Europe)", listed[1], listed[1], "Wonder Quest (USA)")]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Wonder Quest (USA) (Rev 1).gb"}


def test_a_set_short_of_the_total_its_names_give_is_said(cli: Any, tmp_path: Path) -> None:
    # QA40 F3: "Long Trip (USA) (Disc 1 of 2)" alone, "Other Trip (USA) (Disc 1 of 3)" and
    # "(Disc 2 of 3)": on the card short of a disc, without a word.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Long Trip (USA) (Disc 1 of 2)",
                                   "Other Trip (USA) (Disc 1 of 3)",
                                   "Other Trip (USA) (Disc 2 of 3)", "Lone (USA) (Disc 1)"])
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    gaps = sorted(w["message"].split(":")[0] + ": " + w["message"].split(": ")[1].split(" is")[0]
                  for w in plan.json()["data"]["plan"]["warnings"]
                  if w["code"] == "set-disc-gap")
    assert gaps == ["Long Trip (USA): disc 2", "Other Trip (USA): disc 3"]


def test_two_revisions_of_a_disc_chosen_by_a_query_put_one_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    # QA40 F5: the older revision went into the set's hidden folder, listed by no playlist.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Epic (Europe) (Disc 1)", "Epic (Europe) (Disc 2) (Rev 1)",
                                   "Epic (Europe) (Disc 2)"])
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert done.code == 0, done.err
    assert sorted(p.name for p in card.rglob("*.cue")) == [
        "Epic (Europe) (Disc 1).cue", "Epic (Europe) (Disc 2) (Rev 1).cue"]
    assert any("1 disc of a set chosen twice left out (Epic (Europe) (Disc 2).cue (disc 2: "
               "Epic (Europe) (Disc 2) (Rev 1).cue goes)" in w for w in done.json()["warnings"])


def test_two_dumps_of_a_disc_chosen_by_a_query_put_the_better_one_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    # QA104 F1: of two dumps of one revision of a disc, the lower id went — a bad dump
    # `[b]` (naming the set's playlist after itself), the unfixed disc 2 over a `[fixed]`
    # one added later — and the other, in the set's hidden folder, was reached by nothing.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Eve (USA) (Disc 1) [b]", "Eve (USA) (Disc 2)",
                                   "Dragoon (USA) (Disc 1)", "Dragoon (USA) (Disc 2)",
                                   "Randevu (Russia) (Disc 1) (Alt)", "Randevu (Russia) (Disc 1)",
                                   "Randevu (Russia) (Disc 2)"])
    _profile(cli, library)
    _write_discs(library / "psx", ["Eve (USA) (Disc 1)", "Dragoon (USA) (Disc 2) [fixed]"])
    assert cli("scan", "--workers", "1").code == 0  # (added after: their ids are higher)
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert done.code == 0, done.err
    assert sorted(p.name for p in card.rglob("*.cue")) == [
        "Dragoon (USA) (Disc 1).cue", "Dragoon (USA) (Disc 2) [fixed].cue",
        "Eve (USA) (Disc 1).cue", "Eve (USA) (Disc 2).cue",
        "Randevu (Russia) (Disc 1).cue", "Randevu (Russia) (Disc 2).cue"]
    assert sorted(p.name for p in card.rglob("*.m3u")) == [
        "Dragoon (USA).m3u", "Eve (USA).m3u", "Randevu (Russia).m3u"]
    (said,) = [w for w in done.json()["warnings"] if "chosen twice left out" in w]
    assert said.startswith("3 discs of 3 sets chosen twice") and "best dump" in said
    assert "Eve (USA) (Disc 1) [b].cue (disc 1: Eve (USA) (Disc 1).cue goes)" in said


def test_goodnes_prg1_is_the_later_revision(cli: Any, tmp_path: Path) -> None:
    # QA40 F9: the PRG0 dump (its name first, its id lower) won a tie with PRG1.
    library = tmp_path / "roms"
    _write(library / "nes", ["Super Mario Bros. 3 (U) (PRG0) [!].nes",
                             "Super Mario Bros. 3 (U) (PRG1) [!].nes"])
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Super Mario Bros. 3 (U) (PRG1) [!].nes"}


def test_one_disc_in_two_formats_chosen_by_a_query_puts_one_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    # QA41 F3: a .chd beside the cue/bin of disc 2: the second went into the set's hidden
    # folder, in no playlist, unsaid. The set's most common format is kept.
    library = tmp_path / "roms"
    _write_discs(library / "psx", ["Epic (Europe) (Disc 1)", "Epic (Europe) (Disc 2)"])
    _chd(library / "psx" / "Epic (Europe) (Disc 2).chd", "disc 2 as chd")
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert done.code == 0, done.err
    assert list(card.rglob("*.chd")) == []
    (playlist,) = card.rglob("*.m3u")
    assert [Path(line).name for line in playlist.read_text().splitlines()] == [
        "Epic (Europe) (Disc 1).cue", "Epic (Europe) (Disc 2).cue"]
    assert any("Epic (Europe) (Disc 2).chd (disc 2: Epic (Europe) (Disc 2).cue goes)" in w
               for w in done.json()["warnings"]), done.json()["warnings"]


def test_a_name_with_no_language_tag_is_in_its_regions_language(
        cli: Any, tmp_path: Path) -> None:
    # QA68 F1: No-Intro tags no language where a release is in its region's own: "(World)"
    # is English; it tied with the French and German "(World) (Fr) (v1.1)", and the later
    # version in a language not asked for won. "(Germany)" is German.
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb",
                  ["Yugi (World) (Fr) (v1.1).gb", "Yugi (World) (De) (v1.1).gb",
                   "Jurassic (USA) (Rev 1).gb"],
                  ["Yugi (World).gb", "Jurassic (Germany).gb"])
    _profile(cli, library, "--languages", "En")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Yugi (World).gb", "Jurassic (USA) (Rev 1).gb"}
    assert real(cli, "profile", "set", "1", "--regions", "", "--languages", "De").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Yugi (World) (De) (v1.1).gb", "Jurassic (Germany).gb"}


def test_a_world_release_in_no_language_asked_for_is_no_release_of_the_regions_named(
        cli: Any, tmp_path: Path) -> None:
    # QA68 F2: "Mana (World) (De)" (a German-only re-release) was kept over the English
    # "Mana (Europe)" for USA, World, Europe with English asked for.
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb", ["Mana (World) (De).gb", "Quest (World) (De).gb"],
                  ["Mana (Europe).gb", "Quest (Japan) (De).gb"])
    _profile(cli, library, "--regions", "USA,World,Europe,Japan", "--languages", "En,De")
    listed = _listed(cli)
    included = {name for name, game in listed.items() if game["included"]}
    # (Quest: German was asked for, so its World release is one of the regions named)
    assert included == {"Mana (World) (De).gb", "Quest (World) (De).gb"}, listed
    assert real(cli, "profile", "set", "1", "--languages", "En").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Mana (Europe).gb", "Quest (Japan) (De).gb"}
    # review 33 R1: an untagged "(World)" is English: for German, "(Germany)" wins over it
    _write(library / "gb", ["Tale (World).gb", "Tale (Germany).gb"])
    assert real(cli, "scan", "--workers", "1").code == 0
    assert real(cli, "profile", "set", "1", "--languages", "De").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert "Tale (Germany).gb" in included and "Tale (World).gb" not in included


def test_the_latest_prerelease_is_kept_among_prereleases(cli: Any, tmp_path: Path) -> None:
    # QA68 F3: with --prerelease and betas only, the one the scan met first was kept.
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb",
                  ["Pop (Europe) (Beta 1).gb", "Pop (Europe) (Beta 2).gb",
                   "Lion (USA) (Beta) (1994-03-07).gb", "Nine (USA) (Proto 9).gb"],
                  ["Pop (Europe) (Beta 6).gb", "Lion (USA) (Beta) (1994-10-12).gb",
                   "Nine (USA) (Proto 10).gb"])
    _profile(cli, library, "--prerelease")
    listed = _listed(cli)
    included = {name for name, game in listed.items() if game["included"]}
    assert included == {"Pop (Europe) (Beta 6).gb", "Lion (USA) (Beta) (1994-10-12).gb",
                        "Nine (USA) (Proto 10).gb"}, listed
    # review 33 R2: numbers compare within a kind; a beta is nearer the game than a numbered
    # proto or demo
    _write(library / "gb", ["Road (USA) (Proto 4).gb", "Road (USA) (Beta).gb",
                            "Elite (Europe) (Demo 3).gb", "Elite (Europe) (Beta).gb"])
    assert real(cli, "scan", "--workers", "1").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert {"Road (USA) (Beta).gb", "Elite (Europe) (Beta).gb"} <= included, included
    assert not {"Road (USA) (Proto 4).gb", "Elite (Europe) (Demo 3).gb"} & included


def test_of_two_copies_alike_the_one_on_a_root_that_is_there_is_kept(
        cli: Any, tmp_path: Path) -> None:
    # QA67 F2: the share unmounted, the auto-list kept its copies (scanned first) over the
    # same files on a backup disk: `deploy --auto` to a blank card wrote nothing.
    share, backup = tmp_path / "share", tmp_path / "backup"
    for root in (share, backup):
        _write(root / "gb", ["Alpha (USA).gb", "Bravo (Europe).gb"])
        assert real(cli, "library", "add", str(root)).code == 0
        assert real(cli, "scan", "--workers", "1").code == 0
    _profile(cli, share)

    def included() -> set[int]:
        listed = real(cli, "--json", "autolist", "1").json()["data"]["games"]
        assert len(listed) == 4
        return {game["game_id"] for game in listed if game["included"]}

    kept = included()
    assert kept == {1, 2}  # (the share's, scanned first: the lower ids)
    share.rename(tmp_path / "share-away")
    assert included() == {3, 4}
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert sorted(p.name for p in card.rglob("*.gb")) == ["Alpha (USA).gb", "Bravo (Europe).gb"]


def test_a_set_short_of_the_discs_its_catalog_lists_loses_to_a_complete_one(
        cli: Any, tmp_path: Path) -> None:
    # QA71 F4: "Dragoon (USA) (Disc 1..3)" (the DAT lists a Disc 4) was kept and deployed
    # over the complete Europe set: a card whose game stops at the end of disc 3.
    library = tmp_path / "roms"
    names = [f"Dragoon (USA) (Disc {n})" for n in (1, 2, 3)] + \
        [f"Dragoon (Europe) (Disc {n})" for n in (1, 2, 3, 4)]
    _write_discs(library / "psx", names)
    _profile(cli, library)
    included = sorted(name for name, game in _listed(cli).items() if game["included"])
    assert included == [f"Dragoon (USA) (Disc {n}).cue" for n in (1, 2, 3)]  # (no catalog)
    listed = [f"Dragoon (USA) (Disc {n})" for n in (1, 2, 3, 4)] + names[3:]
    dat = tmp_path / "psx.dat"
    dat.write_text('clrmamepro (\n\tname "Sony - PlayStation"\n\tversion "1"\n)\n' + "".join(
        f'game (\n\tname "{name}"\n\trom ( name "{name}.bin" size 7 crc {n:08x} )\n)\n'
        for n, name in enumerate(listed)))
    assert real(cli, "dat", "import", str(dat)).code == 0
    included = sorted(name for name, game in _listed(cli).items() if game["included"])
    assert included == [f"Dragoon (Europe) (Disc {n}).cue" for n in (1, 2, 3, 4)]
    # QA72 F6: another platform's catalog listing a third disc of a title says nothing of a
    # PlayStation set of two
    _write_discs(library / "psx", [f"Pair ({region}) (Disc {n})" for region in ("USA", "Europe")
                                   for n in (1, 2)])
    assert real(cli, "scan", "--workers", "1").code == 0
    saturn = tmp_path / "saturn.dat"
    saturn.write_text('clrmamepro (\n\tname "Sega - Saturn"\n\tversion "1"\n)\ngame (\n\t'
                      'name "Pair (USA) (Disc 3)"\n\trom ( name "x.bin" size 7 crc 00000001 )\n)\n')
    assert real(cli, "dat", "import", str(saturn)).code == 0
    included = sorted(name for name, game in _listed(cli).items() if game["included"])
    assert [name for name in included if name.startswith("Pair")] == [
        "Pair (USA) (Disc 1).cue", "Pair (USA) (Disc 2).cue"], included


def test_every_kept_instead_names_a_game_kept(cli: Any, tmp_path: Path) -> None:
    # QA71 F1: the USA set's discs its own "(Rev 1)" discs superseded said "kept" of those
    # Rev 1 discs, left out too when the Japanese set won.
    library = tmp_path / "roms"
    _write_discs(library / "psx", [
        "Gear (USA) (Disc 1)", "Gear (USA) (Disc 1) (Rev 1)", "Gear (USA) (Disc 2)",
        "Gear (USA) (Disc 2) (Rev 1)", "Gear (Japan) (Disc 1) (Ichi)",
        "Gear (Japan) (Disc 2) (Ni)"])
    _profile(cli, library, "--regions", "Japan", "--languages", "Ja")
    listed = _listed(cli)
    included = {game["game_id"] for game in listed.values() if game["included"]}
    assert sorted(name for name, game in listed.items() if game["included"]) == [
        "Gear (Japan) (Disc 1) (Ichi).cue", "Gear (Japan) (Disc 2) (Ni).cue"]
    for name, game in listed.items():
        if not game["included"]:
            assert game["kept_instead"] in included, (name, game)


def test_a_version_of_a_game_the_platform_limit_left_out_names_none_kept(
        cli: Any, tmp_path: Path) -> None:
    # review 34 R6: "(kept 4)" named a game the --max-per-platform limit then left out.
    library = tmp_path / "roms"
    _write(library / "gba", ["Zeta (USA).gba", "Zeta (Japan).gba", "Beta (USA).gba",
                             "Gamma (USA).gba"])
    _profile(cli, library, "--regions", "USA", "--max-per-platform", "1")
    listed = real(cli, "--json", "autolist", "1").json()["data"]["games"]
    included = {game["game_id"] for game in listed if game["included"]}
    assert len(included) == 1
    for game in listed:
        assert game["kept_instead"] is None or game["kept_instead"] in included, game
    # (qa197 F3: the versions of a game the limit left out said other_version, though no
    # version of it goes to the card)
    zeta = {game["filename"]: game for game in listed if game["filename"].startswith("Zeta")}
    if not any(game["included"] for game in zeta.values()):
        assert {game["reason"] for game in zeta.values()} == {"platform_limit"}, zeta
    assert {game["reason"] for game in listed if not game["included"]} == {"platform_limit"}


def test_releases_nothing_asked_tells_apart_go_by_the_usual_region_order(
        cli: Any, tmp_path: Path) -> None:
    # QA71 note: a Japanese-only profile got Europe's or Brazil's release over the USA one,
    # whichever the scan met first (a fresh scan could pick another).
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb", ["Quest (Brazil).gb", "Quest (Europe).gb"],
                  ["Quest (USA).gb"])
    _profile(cli, library, "--regions", "Japan", "--languages", "Ja")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Quest (USA).gb"}


def test_the_copy_a_deploy_can_read_comes_before_the_usual_region_order(
        cli: Any, tmp_path: Path) -> None:
    # review 35 R4: a Japan-only profile picked "Foo (USA)" on an unmounted share over
    # "Foo (Europe)" on a disk that is there; the deploy then wrote nothing.
    share, disk = tmp_path / "share", tmp_path / "disk"
    _write(share / "gb", ["Foo (USA).gb"])
    _write(disk / "gb", ["Foo (Europe).gb"])
    for root in (share, disk):
        assert real(cli, "library", "add", str(root)).code == 0
    _profile(cli, disk, "--regions", "Japan", "--languages", "Ja")
    share.rename(tmp_path / "share-away")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Foo (Europe).gb"}


def test_of_identical_copies_the_one_its_platform_reads_is_kept(
        cli: Any, tmp_path: Path) -> None:
    """QA80 F1: a stray copy of an SNES game named `.nes` (in the NES folder, walked first:
    the lower id) was kept over the `.sfc` of the same bytes, and the card got an SNES game
    as `.nes`, which snes9x does not open."""
    library = tmp_path / "roms"
    data = rom("star quest")
    for relative in ("nes/Star Quest (USA).nes", "snes/Star Quest (Europe).sfc"):
        (library / relative).parent.mkdir(parents=True, exist_ok=True)
        (library / relative).write_bytes(data)
    snes = tmp_path / "snes.dat"
    snes.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        ("Star Quest (Europe)", "Star Quest (Europe).sfc", "star quest", None)]))
    assert real(cli, "dat", "import", str(snes)).code == 0
    _profile(cli, library)
    games = {g["filename"]: g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert {g["platform_id"] for g in games.values()} == {"snes"}  # both the SNES game
    assert games["Star Quest (USA).nes"]["id"] < games["Star Quest (Europe).sfc"]["id"]
    listed = {g["filename"]: g
              for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["Star Quest (Europe).sfc"]["included"] is True
    assert listed["Star Quest (Europe).sfc"]["dropped"] is None
    assert listed["Star Quest (USA).nes"]["dropped"] == "other_version"


def test_a_chosen_file_with_another_platforms_extension_is_said(
        cli: Any, tmp_path: Path) -> None:
    """QA80 F1: the only copy of an SNES game, named `.nes`, was deployed to the SNES folder
    without a word (snes9x does not open it; the frontend may not list it)."""
    library = tmp_path / "roms"
    (library / "nes").mkdir(parents=True)
    (library / "nes" / "Star Quest (USA).nes").write_bytes(rom("star quest"))
    (library / "nes" / "Sky Kid (USA).nes").write_bytes(rom("sky kid"))
    snes = tmp_path / "snes.dat"
    snes.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        ("Star Quest (Europe)", "Star Quest (Europe).sfc", "star quest", None)]))
    assert real(cli, "dat", "import", str(snes)).code == 0
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    run = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    said = [w for w in run.json()["warnings"] if "extension its emulators do not list" in w]
    assert len(said) == 1 and said[0].startswith("snes:"), run.out
    assert "Star Quest (USA).nes" in said[0] and "Sky Kid" not in said[0]


def test_the_extension_preference_never_outranks_the_version(
        cli: Any, tmp_path: Path) -> None:
    """Review 79 F3: the extension preference of QA80 F1 ranked above region for every
    version of a title, not only copies of one: a USA release whose extension a pack's list
    lacks lost to a Europe one."""
    library = tmp_path / "roms" / "snes"
    library.mkdir(parents=True)
    (library / "Star Quest (USA).bin").write_bytes(rom("star quest usa"))
    (library / "Star Quest (Europe).sfc").write_bytes(rom("star quest eur"))
    snes = tmp_path / "snes.dat"
    snes.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        ("Star Quest (USA)", "Star Quest (USA).sfc", "star quest usa", None),
        ("Star Quest (Europe)", "Star Quest (Europe).sfc", "star quest eur",
         "Star Quest (USA)")]))
    assert real(cli, "dat", "import", str(snes)).code == 0
    _profile(cli, tmp_path / "roms")
    listed = {g["filename"]: g
              for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["Star Quest (USA).bin"]["included"] is True, listed
    assert listed["Star Quest (Europe).sfc"]["dropped"] == "other_version"


def test_a_fan_translation_left_out_is_said_as_one_not_as_a_hack(
        cli: Any, tmp_path: Path) -> None:
    """QA85 F11: `Super Metroid (Japan, USA) (En) [T+Fre].sfc` was left out as `hack`."""
    library = tmp_path / "roms"
    _write(library / "snes", ["Gamma (USA) [T+Fre].sfc", "Kirby (USA) [h1].sfc",
                              "Delta (USA) [T+Fre] [h1].sfc"])
    _profile(cli, library)
    listed = _listed(cli)
    assert listed["Gamma (USA) [T+Fre].sfc"]["dropped"] == "translation"
    assert listed["Kirby (USA) [h1].sfc"]["dropped"] == "hack"
    assert listed["Delta (USA) [T+Fre] [h1].sfc"]["dropped"] == "hack"


def test_translations_are_allowed_without_the_hacks(cli: Any, tmp_path: Path) -> None:
    """qa180 F7: an English reader's only English copy of a Japanese game, a fan translation,
    came only with every hack (`--hacks`): `--translations` lets in a translation that is no
    hack besides, ranked by the language it translates to, and no other hack."""
    library = tmp_path / "roms"
    _write(library / "snes", ["Mother 2 (Japan) [T+Eng].sfc", "Mother 2 (Japan).sfc",
                              "Kirby (USA) [h1].sfc", "Delta (Japan) [T+Eng] [h1].sfc",
                              "Delta (Japan).sfc", "Gamma (USA) [T+Fre].sfc",
                              "Gamma (USA).sfc"])
    _profile(cli, library, "--translations", "--languages", "En")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Mother 2 (Japan) [T+Eng].sfc", "Delta (Japan).sfc", "Gamma (USA).sfc"}
    shown = real(cli, "profile", "show", "1")
    assert re.search(r"hacks +left out", shown.out) and re.search(
        r"translations +allowed", shown.out), shown.out
    hacks = real(cli, "profile", "set", "1", "--hacks", "--no-translations")
    assert hacks.code == 2 and "hacks, which allow translations too" in hacks.err, hacks.err
    assert real(cli, "profile", "set", "1", "--no-translations").code == 0
    assert real(cli, "profile", "set", "1", "--hacks").code == 0  # (and JSON says so too,
    assert real(cli, "--json", "profile", "show", "1").json()["data"]["allow_translations"]
    assert real(cli, "profile", "set", "1", "--no-hacks").code == 0  # translations not set)
    listed = _listed(cli)
    assert listed["Mother 2 (Japan) [T+Eng].sfc"]["dropped"] == "translation"
    assert listed["Mother 2 (Japan).sfc"]["included"] is True


def test_the_latest_translation_beats_an_older_or_partial_one(cli: Any, tmp_path: Path) -> None:
    """qa180 F11: GoodTools' `[T-Eng]` (an older or partial translation) beat `[T+Eng0.9]`
    (the latest) of the same game, by the order of the scan."""
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gb", ["Wario Land (J) [T-Eng].gb"],
                  ["Wario Land (J) [T+Eng0.9].gb"])
    _profile(cli, library, "--translations", "--languages", "En")
    listed = _listed(cli)
    assert listed["Wario Land (J) [T+Eng0.9].gb"]["included"] is True, listed
    assert listed["Wario Land (J) [T-Eng].gb"]["dropped"] == "other_version"


def test_a_set_short_of_the_last_disc_its_catalog_lists_is_said_at_deploy(
        cli: Any, tmp_path: Path) -> None:
    # QA161 F7: the library's discs 1-2 of a set whose DAT lists a disc 3 (the third
    # forgotten since) went on the card without a word, as the whole game.
    library = tmp_path / "roms"
    _write_discs(library / "psx", [f"Voyage (USA) (Disc {n})" for n in (1, 2)])
    _write_discs(library / "psx", ["Solo (USA)"])  # (a game of one disc beside it)
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()

    def gaps() -> list[str]:
        plan = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
        return [w["message"] for w in plan.json()["data"]["plan"]["warnings"]
                if w["code"] == "set-disc-gap"]

    assert gaps() == []  # (no catalog: nothing tells of a third disc)
    listed = [f"Voyage (USA) (Disc {n})" for n in (1, 2, 3)]
    dat = tmp_path / "psx.dat"
    dat.write_text('clrmamepro (\n\tname "Sony - PlayStation"\n\tversion "1"\n)\n' + "".join(
        f'game (\n\tname "{name}"\n\trom ( name "{name}.bin" size 7 crc {n:08x} )\n)\n'
        for n, name in enumerate(listed)))
    assert real(cli, "dat", "import", str(dat)).code == 0
    said = gaps()
    assert len(said) == 1 and said[0].startswith("Voyage (USA): disc 3 is not in the library"), \
        said
    # the auto-list says so of the set's discs too (QA161 F7: included, without a word)
    # (once each, and of the set only: the warnings of a platform's games were one list,
    # and every game of it got the words, twice: review45d F5)
    for name, game in _listed(cli).items():
        lacks = sum("Its set lacks a disc" in w for w in game["warnings"])
        assert game["included"] and lacks == (1 if "Voyage" in name else 0), (name, game)


def test_of_two_dated_builds_of_a_release_the_latest_is_kept(cli: Any, tmp_path: Path) -> None:
    """qa180 F3: two dated builds of an aftermarket game, no prerelease: the earlier was
    kept (the date was read for prereleases only), by the order of the scan."""
    library = tmp_path / "roms"
    _scanned_then(cli, library / "gbc",
                  ["Midterm Moments (World) (2022-05-28) (GB Compatible) (Aftermarket) (Unl)"
                   ".gbc"],
                  ["Midterm Moments (World) (2022-06-15) (GB Compatible) (Aftermarket) (Unl)"
                   ".gbc"])
    _profile(cli, library)
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Midterm Moments (World) (2022-06-15) (GB Compatible) (Aftermarket) "
                        "(Unl).gbc"}, included


def test_the_platform_limit_keeps_a_catalog_verified_release_before_an_unknown_file(
        cli: Any, tmp_path: Path) -> None:
    # qa201 F5: an unidentified file named "(USA)" (random bytes) took the only slot of
    # --max-per-platform before a verified USA release after it by title; and a verified
    # Europe release loses to no unknown "(USA)" file either. The limit's other orders hold:
    # a release in the profile's regions still before a verified prerelease.
    library = tmp_path / "roms"
    known = ["Pocket (USA, Europe).gb", "Quest (Europe).gb"]
    _write(library / "gb", ["Aaa Junk (USA).gb", *known])
    _write(library / "gba", ["Aaa Junk (USA).gba", "Zed (USA) (Beta).gba"])
    for system, names in (("Nintendo - Game Boy", known),
                          ("Nintendo - Game Boy Advance", ["Zed (USA) (Beta).gba"])):
        catalog = tmp_path / f"{system}.dat"
        catalog.write_text(dat(system, [(n.rpartition(".")[0], n, n, None) for n in names]))
        assert real(cli, "dat", "import", str(catalog)).code == 0
    _profile(cli, library, "--regions", "USA,Europe", "--prerelease",
             "--max-per-platform", "1")
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {"Pocket (USA, Europe).gb", "Aaa Junk (USA).gba"}
    assert real(cli, "profile", "set", "1", "--max-per-platform", "2").code == 0
    included = {name for name, game in _listed(cli).items() if game["included"]}
    assert included == {*known, "Aaa Junk (USA).gba", "Zed (USA) (Beta).gba"}


def _copies(folder: Path, copies: dict[str, str]) -> None:
    """Each file name of ``copies`` written with the bytes of the seed it maps to."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, seed in copies.items():
        (folder / name).write_bytes(rom(seed))


def test_of_identical_copies_the_one_named_as_its_catalog_game_goes(
        cli: Any, tmp_path: Path) -> None:
    # qa201 F7: of two files of one content, both identified as one catalog game, the lower
    # id went to the card: "   spaces  lead.gb" over "Dr. Mario (World) (Rev 1).gb", "Kirby
    # [h1C] (Hack).gb" over "Kirby's Pinball Land (USA, Europe).gb". Then, where no copy is
    # named so, one whose name adds no tag to the catalog's.
    library = tmp_path / "roms"
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        ("Dr. Mario (World) (Rev 1)", "Dr. Mario (World) (Rev 1).gb", "mario", None),
        ("Kirby's Pinball Land (USA, Europe)", "Kirby's Pinball Land (USA, Europe).gb",
         "kirby", None),
        ("Tetris (World)", "Tetris (World).gb", "tetris", None)]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    odd = {"   spaces  lead.gb": "mario", "Kirby [h1C] (Hack).gb": "kirby",
           "Tetris [h1C] (Hack).gb": "tetris"}
    _copies(library / "gb", odd)  # (scanned first: the lower ids)
    assert real(cli, "library", "add", str(library)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    _copies(library / "gb", {"Dr. Mario (World) (Rev 1).gb": "mario",
                             "Kirby's Pinball Land (USA, Europe).gb": "kirby",
                             "tetris copy.gb": "tetris"})
    _profile(cli, library)
    listed = _listed(cli)
    included = {name for name, game in listed.items() if game["included"]}
    assert included == {"Dr. Mario (World) (Rev 1).gb", "Kirby's Pinball Land (USA, Europe).gb",
                        "tetris copy.gb"}, listed
    for name in odd:
        assert listed[name]["reason"] == "other_version", listed[name]
    # a deploy of the auto-list puts those on the card
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert sorted(path.name for path in (card / "Roms" / "GB").iterdir()
                  if path.is_file()) == sorted(included)
    # and a deploy of a query choosing both copies of each keeps the same ones, saying which
    # goes (it kept the lower id, and said "left = kept")
    other = tmp_path / "card2"
    other.mkdir()
    queried = real(cli, "deploy", "1", "--to", str(other), "platform:gb")
    assert queried.code == 0, queried.err
    assert sorted(path.name for path in (other / "Roms" / "GB").iterdir()
                  if path.is_file()) == sorted(included)
    assert "Kirby's Pinball Land (USA, Europe).gb goes, not Kirby [h1C] (Hack).gb" in \
        queried.err, queried.err
