"""A catalog match settles the platform the folder name gave (QA10 F2): an SNES ROM, plain or
in a `.7z`, in `NES/` is identified by the SNES DAT's SHA1 and becomes an SNES game, saying
so (`from the matched catalog`); a platform set by hand stays; a hash two platforms' DATs
list moves nothing. Real scans, real DAT imports, with both packs."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import py7zr
import pytest

from tests.conftest import shared_path


def _data(seed: str, size: int = 8192) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


def _dat(system: str, roms: dict[str, bytes]) -> str:
    parts = [f'clrmamepro (\n\tname "{system}"\n\tversion "t"\n)\n']
    for name, data in roms.items():
        parts.append(f'game (\n\tname "{name.rsplit(".", 1)[0]}"\n\trom ( name "{name}" '
                     f'size {len(data)} crc {zlib.crc32(data):08x} '
                     f'md5 {hashlib.md5(data).hexdigest()} '
                     f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    return "".join(parts)


SNES_DAT = "Nintendo - Super Nintendo Entertainment System"
NES_DAT = "Nintendo - Nintendo Entertainment System"


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any) -> Any:
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))
    return lambda *args: cli(*pack, *args)


@pytest.fixture
def library(run: Any, tmp_path: Path) -> dict[str, Any]:
    """`NES/` holding an SNES ROM renamed `.nes`, an SNES `.7z`, a ROM both DATs list, and a
    real NES ROM; both DATs imported, scanned. Games by file name."""
    seven, plain, shared, nes = (_data("seven"), _data("plain"), _data("both"),
                                 _data("nes", 16384))
    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    (root / "NES" / "Plain Copy.nes").write_bytes(plain)
    with py7zr.SevenZipFile(root / "NES" / "Seven (USA).7z", "w") as archive:
        archive.writestr(seven, "Seven (USA).sfc")  # SNES by its member's extension
    with py7zr.SevenZipFile(root / "NES" / "Seven Copy.7z", "w") as archive:
        archive.writestr(seven, "Seven Copy.nes")  # SNES by its member's hash
    (root / "NES" / "Both (USA).nes").write_bytes(shared)
    with zipfile.ZipFile(root / "NES" / "Both Zipped.zip", "w") as archive:
        archive.writestr("Both Zipped.nes", shared)  # (QA13 F1: zipped, it moved to snes)
    (root / "NES" / "Real (USA).nes").write_bytes(nes)
    (tmp_path / "snes.dat").write_text(_dat(SNES_DAT, {
        "Seven (USA).sfc": seven, "Plain (USA).sfc": plain, "Both (USA).sfc": shared}))
    (tmp_path / "nes.dat").write_text(_dat(NES_DAT, {"Real (USA).nes": nes,
                                                     "Both (USA).nes": shared}))
    for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                 ("dat", "import", str(tmp_path / "nes.dat"), "--platform", "nes"),
                 ("library", "add", str(root)), ("scan", "--workers", "1")):
        result = run(*args)
        assert result.code == 0, (args, result.err)
    return _games(run)


def _games(run: Any) -> dict[str, Any]:
    rows = run("--json", "games", "ls", "--limit", "100").json()["data"]["games"]
    return {row["filename"]: row for row in rows}


def test_a_hash_match_settles_the_platform_the_folder_gave(
        run: Any, library: dict[str, Any]) -> None:
    assert {name: row["platform_id"] for name, row in library.items()} == {
        "Plain Copy.nes": "snes", "Seven (USA).7z": "snes", "Seven Copy.7z": "snes",
        "Both (USA).nes": "nes", "Both Zipped.zip": "nes", "Real (USA).nes": "nes"}
    for name in ("Plain Copy.nes", "Seven Copy.7z"):
        shown = run("games", "show", str(library[name]["id"]))
        assert "platform   snes (from the matched catalog)" in shown.out, shown.out
        data = run("--json", "games", "show", str(library[name]["id"])).json()["data"]
        assert (data["platform_id"], data["platform_source"]) == ("snes", "catalog")
    both = run("--json", "games", "show", str(library["Both (USA).nes"]["id"])).json()
    assert both["data"]["platform_source"] == "folder"  # its own platform's DAT has it
    zipped = run("--json", "games", "show", str(library["Both Zipped.zip"]["id"])).json()
    assert (zipped["data"]["platform_source"], zipped["data"]["matched_game_id"]) == (
        "folder", "nes:Both (USA)")  # a member by the loose file's rule
    # a rescan of the unchanged files changes nothing; the platform counters agree
    assert run("scan", "--workers", "1").code == 0
    assert _games(run)["Plain Copy.nes"]["platform_id"] == "snes"
    counts = {row["platform_id"]: row["games"]
              for row in run("--json", "platforms").json()["data"]}
    assert counts == {"nes": 3, "snes": 3}


def test_a_platform_set_by_hand_wins_over_the_catalog(run: Any,
                                                      library: dict[str, Any]) -> None:
    game = str(library["Plain Copy.nes"]["id"])
    assert run("games", "set-platform", "nes", game).code == 0
    assert run("scan", "--workers", "1", "--full").code == 0
    data = run("--json", "games", "show", game).json()["data"]
    assert (data["platform_id"], data["platform_source"]) == ("nes", "user")


def test_a_deploy_puts_the_settled_game_in_its_platform_s_folder(
        run: Any, library: dict[str, Any], tmp_path: Path) -> None:
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run(*args).code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = run("deploy", "1", "--to", str(card), "platform:snes")
    assert result.code == 0, result.err
    placed = sorted((p.parent.name, p.name) for p in card.rglob("*") if p.is_file()
                    and ".romrunner" not in p.parts)
    # (the two .7z of one content: one goes, the other is left out as its copy)
    assert placed == [("snes", "Plain Copy.nes"), ("snes", "Seven (USA).7z")]


@pytest.mark.parametrize("first", ["nes", "snes"])
def test_a_member_two_platforms_dats_list_keeps_its_archive_s_platform(
        cli: Any, tmp_path: Path, first: str) -> None:
    """QA13 F1: a GB zip whose member a GBA DAT lists too became a GBA game (titled after
    the GBA DAT's game), where the same file unzipped stays GB; whichever DAT came first."""
    shared = _data("shared by two")
    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    with zipfile.ZipFile(root / "NES" / "Twin.zip", "w") as archive:
        archive.writestr("Twin.nes", shared)
    (root / "NES" / "Twin Loose.nes").write_bytes(shared)
    dats = {"nes": (NES_DAT, {"Twin (USA).nes": shared}),
            "snes": (SNES_DAT, {"Other Name (Japan).sfc": shared})}
    for platform in (first, *(p for p in dats if p != first)):
        system, roms = dats[platform]
        (tmp_path / f"{platform}.dat").write_text(_dat(system, roms))
        assert cli("dat", "import", str(tmp_path / f"{platform}.dat"), "--platform",
                   platform).code == 0
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {name: (row["platform_id"], row["matched_game_id"])
             for name, row in _games(lambda *a: cli(*a)).items()}
    assert games == {"Twin.zip": ("nes", "nes:Twin (USA)"),
                     "Twin Loose.nes": ("nes", "nes:Twin (USA)")}


@pytest.mark.parametrize("first", ["gb", "gba"])
def test_an_undecided_file_two_platforms_dats_list_takes_its_candidate_platform(
        cli: Any, tmp_path: Path, first: str) -> None:
    """QA14: a `.gb` outside a platform folder (gb or gbc: undecided) whose data a GB and a
    GBA DAT both list became a GBA game, titled after the GBA DAT's game, when the GBA DAT
    came first; loose or zipped, it is the GB DAT's game whichever came first."""
    pack = ("--pack", str(shared_path("definition-pack")))
    shared = _data("a homebrew released twice")
    root = tmp_path / "lib"
    (root / "Misc").mkdir(parents=True)
    (root / "Misc" / "Twin.gb").write_bytes(shared)
    with zipfile.ZipFile(root / "Misc" / "Twin Zipped.zip", "w") as archive:
        archive.writestr("Twin Zipped.gb", shared)
    dats = {"gb": ("Nintendo - Game Boy", {"Twin (World).gb": shared}),
            "gba": ("Nintendo - Game Boy Advance", {"Other Game (USA).gba": shared})}
    for platform in (first, *(p for p in dats if p != first)):
        system, roms = dats[platform]
        (tmp_path / f"{platform}.dat").write_text(_dat(system, roms))
        assert cli(*pack, "dat", "import", str(tmp_path / f"{platform}.dat")).code == 0
    assert cli(*pack, "library", "add", str(root)).code == 0
    assert cli(*pack, "scan", "--workers", "1").code == 0
    games = {name: (row["platform_id"], row["matched_game_id"])
             for name, row in _games(lambda *a: cli(*pack, *a)).items()}
    assert games == {"Twin.gb": ("gb", "gb:Twin (World)"),
                     "Twin Zipped.zip": ("gb", "gb:Twin (World)")}


def test_a_dat_import_says_which_games_it_filed_under_another_platform(
        run: Any, tmp_path: Path) -> None:
    """QA22 C3: a DAT imported after the scan moved a game to another platform (a deploy
    then put it in that platform's folder beside the old copy) and said nothing."""
    snes = _data("an snes game in the nes folder")
    folder = tmp_path / "roms" / "NES"
    folder.mkdir(parents=True)
    (folder / "Sky Game (USA).nes").write_bytes(snes)
    (folder / "Real (USA).nes").write_bytes(_data("a real nes game", 16384))
    dat = tmp_path / "snes.dat"
    dat.write_text(_dat(SNES_DAT, {"Sky Game (USA).sfc": snes}))
    assert run("library", "add", str(tmp_path / "roms")).code == 0
    assert run("scan", "--workers", "1").code == 0
    imported = run("--json", "dat", "import", str(dat))
    assert imported.code == 0, imported.err
    moved = imported.json()["data"]["platform_changed"]
    assert [(m["filepath"], m["before"], m["after"]) for m in moved] == [
        ("NES/Sky Game (USA).nes", "nes", "snes")]
    assert any("1 game now of another platform" in w and "--prune" in w
               for w in imported.json()["warnings"])
    again = run("--json", "dat", "import", str(dat), "--force")  # nothing moves again
    assert again.json()["data"]["platform_changed"] == []


def test_a_dat_removal_says_which_games_it_filed_under_another_platform(
        run: Any, tmp_path: Path) -> None:
    """QA38 F4: `dat rm` re-files the games another catalog of another platform still has
    (their data in both) and said nothing; `dat import` names the same change."""
    data = _data("in both catalogs")
    folder = tmp_path / "roms" / "NES"
    folder.mkdir(parents=True)
    (folder / "Both (USA).nes").write_bytes(data)
    (folder / "Only (USA).nes").write_bytes(_data("only in the nes catalog", 16384))
    nes, snes = tmp_path / "nes.dat", tmp_path / "snes.dat"
    nes.write_text(_dat(NES_DAT, {"Both (USA).nes": data}))
    snes.write_text(_dat(SNES_DAT, {"Both (USA).sfc": data}))
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(nes)),
                 ("dat", "import", str(snes)), ("scan", "--workers", "1")):
        assert run(*args).code == 0, args
    assert run("--json", "games", "ls").json()["data"]["games"][0]["platform_id"] == "nes"
    removed = run("--json", "dat", "rm", NES_DAT)
    assert removed.code == 0, removed.err
    moved = removed.json()["data"]["platform_changed"]
    assert [(m["filepath"], m["before"], m["after"]) for m in moved] == [
        ("NES/Both (USA).nes", "nes", "snes")]
    assert any("1 game now of another platform" in w for w in removed.json()["warnings"])


def test_the_same_dat_imported_for_another_platform_moves_to_it(
        run: Any, tmp_path: Path) -> None:
    """QA38 F14: the same file imported again with another --platform said "(OTHER):
    unchanged" while the catalog stayed on its platform. A move to another platform needs
    --force now (qa187 F3), and says the platform it left."""
    dat = tmp_path / "nes.dat"
    dat.write_text(_dat(NES_DAT, {"Only (USA).nes": _data("only", 16384)}))
    assert run("dat", "import", str(dat), "--platform", "nes").code == 0
    again = run("--json", "dat", "import", str(dat), "--platform", "famicom-disk-system",
                "--force")
    assert again.code == 0, again.err
    (imported,) = again.json()["data"]["imports"]
    assert (imported["platform_id"], imported["unchanged"], imported["previous_platform"]) \
        == ("famicom-disk-system", False, "nes")
    listed = run("--json", "dat", "ls").json()["data"]
    assert [row["platform_id"] for row in listed] == ["famicom-disk-system"]
    same = run("--json", "dat", "import", str(dat), "--platform", "famicom-disk-system")
    assert same.json()["data"]["imports"][0]["unchanged"] is True


def test_one_platform_for_several_dats_never_refiles_one_named_for_another(
        run: Any, tmp_path: Path) -> None:
    """QA70 F6: `dat import snes.dat mine.dat --platform gb` (--platform for the DAT of one's
    own dumps) filed the No-Intro SNES DAT under gb too: its games became gb and a deploy
    put an .sfc in the Game Boy folder. Refused, naming it; nothing imported."""
    snes = tmp_path / "snes.dat"
    snes.write_text(_dat(SNES_DAT, {"Sky (USA).sfc": _data("sky")}))
    mine = tmp_path / "mine.dat"
    mine.write_text(_dat("My own GB dumps", {"Mine (World).gb": _data("mine")}))
    assert run("db", "init").code == 0
    refused = run("dat", "import", str(snes), str(mine), "--platform", "gb")
    assert refused.code == 2 and "snes.dat" in refused.err and "snes" in refused.err, \
        refused.err
    assert run("--json", "dat", "ls").json()["data"] == []
    both = run("--json", "dat", "import", str(mine), str(tmp_path / "none.dat"),
               "--platform", "gb")
    assert both.code == 2  # (a unit is all or nothing, as before)
    from tests.conftest import shared_path
    system = run("dat", "import", str(shared_path("dats", "system", "System.dat")), str(mine),
                 "--platform", "gb")  # (QA72 F4: filed as a gb game catalog)
    # (left out, said, the game DAT imported: qa194 F3)
    assert system.code == 0 and "not a game catalog: not imported" in system.err, system.err
    assert [row["name"] for row in run("--json", "dat", "ls").json()["data"]] == \
        ["My own GB dumps"]
    alone = run("--json", "dat", "import", str(mine), "--platform", "gb")
    assert alone.code == 0, alone.err
    named = run("--json", "dat", "import", str(snes))
    assert named.json()["data"]["imports"][0]["platform_id"] == "snes"
    platforms = {row["name"]: row["platform_id"] for row in
                 run("--json", "dat", "ls").json()["data"]}
    assert platforms == {"My own GB dumps": "gb", SNES_DAT: "snes"}, platforms
    # a new version of one's own DAT goes where the last one did, no --platform again
    mine.write_text(_dat("My own GB dumps", {"Mine (World).gb": _data("mine"),
                                             "More (World).gb": _data("more")}))
    again = run("--json", "dat", "import", str(mine))
    assert again.code == 0, again.err
    assert again.json()["data"]["imports"][0]["platform_id"] == "gb"
