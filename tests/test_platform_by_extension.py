"""The folder name no longer beats the extension (QA10 F2): in `NES/`, a cover `.png` (the real
pack lists `.png` for PICO-8 only) or a `readme.md` is not a game; an `.sfc` is an SNES game,
with a note; a `.bin` several other platforms list is undecided. A PICO-8 cart is a game in
`PICO-8/`, or anywhere as `name.p8.png`. A row an earlier release stored for a cover is marked
missing, said, its curation kept. Real scans of real trees with both packs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.library import scan as scan_module
from tests.conftest import shared_path


def _write(path: Path, seed: str, size: int = 4096) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for name in ("NES/Real (USA).nes", "NES/cover.png", "NES/readme.md", "NES/Smc Copy.sfc",
                 "NES/Odd (USA).bin", "NES/jelpi.p8.png", "PICO-8/celeste.png",
                 "Misc/box.png"):
        _write(root / name, name)
    return root


def _games(cli: Any, *pack: str) -> dict[str, dict[str, Any]]:
    rows = cli(*pack, "--json", "games", "ls", "--limit", "100").json()["data"]["games"]
    return {row["filename"]: row for row in rows}  # (names differ in this tree)


def test_with_the_real_pack_the_extension_decides_against_the_folder(
        cli: Any, tree: Path) -> None:
    pack = ("--pack", str(shared_path("definition-pack")))
    assert cli(*pack, "library", "add", str(tree)).code == 0
    result = cli(*pack, "--json", "scan", "--workers", "1")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert data["skipped_unknown_types"] == {".png": 2, ".md": 1}
    games = _games(cli, *pack)
    assert {name: row["platform_id"] for name, row in games.items()} == {
        "Real (USA).nes": "nes", "Smc Copy.sfc": "snes", "Odd (USA).bin": "unknown",
        "jelpi.p8.png": "pico8", "celeste.png": "pico8"}
    notes = {str(Path(error["path"]).relative_to(tree)): error["error"]
             for error in data["errors"]}
    assert notes["NES/Smc Copy.sfc"] == ("in a folder of nes, which does not list .sfc: "
                                         "taken for snes (from its extension)")
    assert notes["NES/Odd (USA).bin"].startswith("in a folder of nes, which does not list "
                                                 ".bin: platform undecided (could be ")
    shown = cli(*pack, "games", "show", str(games["Smc Copy.sfc"]["id"]))
    assert "platform   snes (from the file extension)" in shown.out
    # a rescan of the unchanged tree examines nothing, the skipped files included
    again = cli(*pack, "--json", "scan", "--workers", "1").json()["data"]
    assert (again["bytes_hashed"], again["added"], again["unchanged"], again["missing"]) == (
        0, 0, 5, 0)
    assert again["skipped_unknown_types"] == {".png": 2, ".md": 1}


def test_with_the_builtin_pack_the_sfc_in_nes_is_an_snes_game(cli: Any, tree: Path) -> None:
    assert cli("library", "add", str(tree)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    platforms = {name: row["platform_id"] for name, row in _games(cli).items()}
    assert platforms == {"Real (USA).nes": "nes", "Smc Copy.sfc": "snes",
                         "Odd (USA).bin": "unknown"}


def test_a_cover_an_earlier_release_stored_is_forgotten_unless_curated(
        cli: Any, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row an earlier release stored for a cover is not a game: forgotten (its file
    untouched), so a `games forget --missing` is never needed for it (QA11 N2: that advice
    also forgot every game of an unmounted share); one in a collection is kept, missing,
    named by its id."""
    pack = ("--pack", str(shared_path("definition-pack")))
    assert cli(*pack, "library", "add", str(tree)).code == 0
    with monkeypatch.context() as earlier:  # the walk of the previous release: no media rules
        earlier.setattr(scan_module, "media_rules", lambda index: {})
        assert cli(*pack, "scan", "--workers", "1").code == 0
    cover = _games(cli, *pack)["cover.png"]
    box = _games(cli, *pack)["box.png"]
    assert not cover["is_missing"] and not box["is_missing"]  # stored as games
    assert cli(*pack, "collection", "create", "keep").code == 0
    assert cli(*pack, "collection", "add", "keep", str(cover["id"])).code == 0
    result = cli(*pack, "scan", "--workers", "1")
    assert result.code == 0, result.err
    said = " ".join(result.out.split())
    assert ("3 files stored as games by an earlier scan are no longer taken for games"
            in said), said
    assert "Misc/box.png, NES/cover.png, NES/readme.md" in said
    assert (f"2 forgotten, the files untouched; 1 in a collection or with an override is "
            f"kept, marked missing "
            f"(`romrunner games forget --not-games --force` forgets it: ids {cover['id']})"
            ) in said
    games = _games(cli, *pack)
    assert games["cover.png"]["is_missing"] and "box.png" not in games
    assert "readme.md" not in games and not games["Real (USA).nes"]["is_missing"]
    assert (tree / "Misc/box.png").is_file() and (tree / "NES/cover.png").is_file()
    assert cover["id"] in [int(row["id"]) for row in cli(
        *pack, "--json", "collection", "show", "keep").json()["data"]["games"]]
    # said once: the next rescan has nothing new to say, and marks nothing else
    quiet = cli(*pack, "--json", "scan", "--workers", "1").json()["data"]
    assert (quiet["not_games"], quiet["missing"], quiet["bytes_hashed"]) == (0, 0, 0)
    # forgetting the curated one needs --force
    assert cli(*pack, "games", "forget", str(cover["id"])).code != 0
    assert cli(*pack, "games", "forget", str(cover["id"]), "--force").code == 0
    assert "cover.png" not in _games(cli, *pack)


@pytest.mark.parametrize("real_pack", [False, True])
def test_an_md_file_is_a_mega_drive_rom_wherever_it_lies_unless_named_as_notes(
        cli: Any, tmp_path: Path, real_pack: bool) -> None:
    """`.md` is how No-Intro names every Mega Drive ROM: a library's root, `Misc/`, `Sega/`
    are as good a place as `Genesis/` (QA11 N3: they were skipped as notes); a project's
    `README.md` is not a game, in a Genesis folder either."""
    pack = ("--pack", str(shared_path("definition-pack"))) if real_pack else ()
    root = tmp_path / "lib"
    roms = ["Sonic (USA).md", "Misc/Streets (USA).md", "Sega/Columns (USA).md",
            "Genesis/Shinobi (USA).md", "NES/Kid (USA).md"]
    for name in [*roms, "Genesis/README.md", "Misc/changelog.md"]:
        _write(root / name, name)
    assert cli(*pack, "library", "add", str(root)).code == 0
    data = cli(*pack, "--json", "scan", "--workers", "1").json()["data"]
    assert data["skipped_unknown_types"] == {".md": 2}
    assert {name: row["platform_id"] for name, row in _games(cli, *pack).items()} == {
        Path(name).name: "genesis" for name in roms}


def test_a_kept_cover_says_it_is_no_longer_a_game_not_that_its_file_is_gone(
        cli: Any, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA11 N2: `games show` of a cover kept for its collection says what it is (a file that
    is no longer a game, still there), and how to forget it."""
    pack = ("--pack", str(shared_path("definition-pack")))
    assert cli(*pack, "library", "add", str(tree)).code == 0
    with monkeypatch.context() as earlier:  # the walk of the previous release: no media rules
        earlier.setattr(scan_module, "media_rules", lambda index: {})
        assert cli(*pack, "scan", "--workers", "1").code == 0
    cover = _games(cli, *pack)["cover.png"]
    assert cli(*pack, "collection", "create", "keep").code == 0
    assert cli(*pack, "collection", "add", "keep", str(cover["id"])).code == 0
    assert cli(*pack, "scan", "--workers", "1").code == 0
    shown = " ".join(cli(*pack, "games", "show", str(cover["id"])).out.split())
    assert ("problem no longer a game: a .png file is not a game where it lies (a cover, a "
            "note, a disc sheet naming no track, a card's copy); the file is still there, "
            "untouched; kept for its collections or overrides "
            f"(`romrunner games forget {cover['id']} --force` forgets the row, `games forget "
            "--not-games --force` every such row)") in shown, shown
    assert "status no longer a game: its file is still there (see problem)" in shown
    assert "the last scan did not find the file" not in shown
    assert (tree / "NES/cover.png").is_file()


def test_forget_not_games_forgets_those_rows_and_no_missing_game(
        cli: Any, tree: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """QA11 N2: the only way to forget the covers an earlier release stored was `games forget
    --missing`, which forgets every missing game too (an unmounted share's); and a deploy
    called their card copies those of games "missing from the library (an unmounted share?)"."""
    pack = ("--pack", str(shared_path("definition-pack")))
    assert cli(*pack, "library", "add", str(tree)).code == 0
    with monkeypatch.context() as earlier:  # the walk of the previous release: no media rules
        earlier.setattr(scan_module, "media_rules", lambda index: {})
        assert cli(*pack, "scan", "--workers", "1").code == 0
    games = _games(cli, *pack)
    cover, real = games["cover.png"], games["Real (USA).nes"]
    assert cli(*pack, "collection", "create", "keep").code == 0
    assert cli(*pack, "collection", "add", "keep", str(cover["id"]), str(real["id"])).code == 0
    assert cli(*pack, "device", "add", "rg-35xx-plus").code == 0
    assert cli(*pack, "profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    deployed = cli(*pack, "--json", "deploy", "1", "--to", str(card), "--collection", "keep")
    assert deployed.code == 0 and deployed.json()["data"]["copied"] == 2, deployed.out
    (tree / "NES" / "Real (USA).nes").unlink()          # gone: a game missing since the scan
    assert cli(*pack, "scan", "--workers", "1", "--accept-missing").code == 0
    dry = cli(*pack, "--json", "deploy", "1", "--to", str(card), "platform:snes", "--prune",
              "--dry-run").json()["data"]["plan"]["warnings"]
    codes = {w["code"]: w["message"] for w in dry}
    assert "cover.png" in codes["not-a-game-held"] and "Real (USA)" not in codes[
        "not-a-game-held"]
    assert "cover.png" not in codes["missing-held"] and "Real (USA).nes" in codes["missing-held"]
    refused = cli(*pack, "games", "forget", "--not-games")  # its collection goes with it
    assert refused.code == 2 and "--force" in refused.err
    assert "of the 1 row of files that are no longer games" in refused.err  # not "missing"
    chosen = cli(*pack, "--json", "deploy", "1", "--to", str(card), "--collection", "keep",
                 "--dry-run").json()["warnings"]
    assert not [w for w in chosen if "games" in w and "missing" in w and "cover.png" in w], chosen
    done = cli(*pack, "--json", "games", "forget", "--not-games", "--force")
    assert done.code == 0 and done.json()["data"]["games_forgotten"] == 1, done.err
    left = _games(cli, *pack)
    assert "cover.png" not in left and left["Real (USA).nes"]["is_missing"]
    again = cli(*pack, "games", "forget", "--not-games")
    assert again.code == 0 and "nothing was forgotten" in again.out
    assert cli(*pack, "games", "forget", "--not-games", "--missing").code == 2


def test_a_bin_its_catalog_match_settles_is_not_said_undecided(cli: Any, tree: Path,
                                                                tmp_path: Path) -> None:
    # QA16: SNES chip dumps (`.bin` in `SNES/`) were said "platform undecided … set-platform
    # settles it" by the scan that then filed them as SNES by their CRC32
    import zlib

    data = (tree / "NES" / "Odd (USA).bin").read_bytes()
    _write(tree / "NES" / "Odder (USA).bin", "odder")
    catalog = tmp_path / "nes.dat"
    catalog.write_text('clrmamepro (\n\tname "Nintendo - Nintendo Entertainment System"\n)\n'
                       'game (\n\tname "Odd (USA)"\n\trom ( name "Odd (USA).bin" '
                       f'size {len(data)} crc {zlib.crc32(data):08x} '
                       f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    pack = ("--pack", str(shared_path("definition-pack")))
    for args in (("dat", "import", str(catalog)), ("library", "add", str(tree))):
        assert cli(*pack, *args).code == 0, args
    data_out = cli(*pack, "--json", "scan", "--workers", "1").json()["data"]
    notes = {str(Path(error["path"]).relative_to(tree)): error["error"]
             for error in data_out["errors"]}
    games = _games(cli, *pack)
    assert games["Odd (USA).bin"]["platform_id"] == "nes"
    assert "NES/Odd (USA).bin" not in notes
    assert notes["NES/Odder (USA).bin"].startswith("in a folder of nes, which does not list "
                                                   ".bin: platform undecided (could be ")
