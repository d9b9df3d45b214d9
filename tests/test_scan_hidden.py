"""Hidden files and folders (dot-names), macOS resource forks (``._*``) and ``.DS_Store``,
Windows' ``Thumbs.db`` and ``desktop.ini``, and empty files are not games: a scan skips
them and says how many; ``scan --include-hidden`` takes hidden files and folders in (but
never resource forks, system files or empty files). A file whose name starts with a dot and
ends in a game's extension (``.hack - Infection Part 1 (USA).iso``) is a game."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database

GAME = b"G" * 4096


def library(tmp_path: Path) -> Path:
    root = tmp_path / "roms"
    files = {
        "gba/Real (USA).gba": GAME,
        "gba/._Real (USA).gba": b"\x00\x05\x16\x07" + bytes(4092),  # AppleDouble fork
        "gba/.DS_Store": b"Bud1" * 100,
        "gba/Thumbs.db": b"\xd0\xcf\x11\xe0" * 100,
        "gba/desktop.ini": b"[.ShellClassInfo]\r\n",
        "gba/Thumbs.gba": GAME[:2048],                    # a game that only looks like one
        "gba/Empty (USA).gba": b"",
        "gba/.Hidden (USA).gba": GAME[:3000],             # a dot-name with a game's extension
        "gba/.hidden-notes.txt": b"notes",                # a dot-name of no game's type
        "gba/.sync/Synced (USA).gba": GAME[:3001],        # a hidden folder, nested
        ".Trashes/501/Deleted (USA).gba": GAME[:3002],    # a hidden folder at the top
        "._Loose (USA).gba": bytes(4096),                 # a fork directly in the root
        "snes/Other (USA).sfc": b"S" * 4096,
    }
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def stored(db: Any) -> set[str]:
    return {row["filepath"] for row in db.query("SELECT filepath FROM games")}


@pytest.mark.parametrize("workers", [1, 2])
def test_hidden_system_and_empty_files_are_skipped_and_counted(tmp_path: Path,
                                                               workers: int) -> None:
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    add_root(db, library(tmp_path))
    pack = load_pack(None)
    summary = scan_library(db, pack, workers=workers)
    assert stored(db) == {"gba/Real (USA).gba", "gba/Thumbs.gba", "snes/Other (USA).sfc",
                          "gba/.Hidden (USA).gba"}
    assert summary.errors == []
    # ._Real, .DS_Store, .hidden-notes.txt, .sync/, .Trashes/, ._Loose (dot-names, folders
    # once), Thumbs.db and desktop.ini (system files, whatever their extension)
    assert (summary.skipped_hidden, summary.skipped_empty) == (8, 1)
    assert summary.skipped_unknown == 0  # the system files are not "of unknown type"
    assert (summary.added, summary.scanned) == (4, 4)

    again = scan_library(db, pack, workers=workers, include_hidden=True)
    assert stored(db) == {"gba/Real (USA).gba", "gba/Thumbs.gba", "snes/Other (USA).sfc",
                          "gba/.Hidden (USA).gba", "gba/.sync/Synced (USA).gba"}
    assert (again.added, again.unchanged) == (1, 4)
    # forks, .DS_Store, system files; and macOS' trash, never games (QA88 F8: a trashed
    # game came back as a game)
    assert (again.skipped_hidden, again.skipped_empty) == (6, 1)
    assert again.skipped_unknown == 1  # .hidden-notes.txt, taken in and of no game's type

    # Hidden games stored by an --include-hidden scan stay as they were afterwards: the
    # files are there, only skipped.
    third = scan_library(db, pack, workers=workers)
    assert (third.missing, third.unchanged, third.errors) == (0, 4, [])
    assert db.scalar("SELECT count(*) FROM games WHERE is_missing = 1") == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_nas_and_windows_system_folders_are_never_scanned(tmp_path: Path, workers: int) -> None:
    """QA33 F5: a Synology share's recycle bin (`#recycle` at the share's root) was scanned:
    the games the user deleted came back, and were deployed. Recycle bins, snapshots and
    thumbnail folders are skipped and counted, with --include-hidden too."""
    root = tmp_path / "share"
    files = {
        "gb/Kept (USA).gb": GAME,
        "#recycle/gb/Deleted (USA).gb": GAME[:3000],
        "#snapshot/GMT+00_2026.12.01/gb/Old (USA).gb": GAME[:3001],
        "gb/@eaDir/Kept (USA).gb/SYNOFILE_THUMB_M.gb": GAME[:3002],
        "@Recycle/gb/Gone (USA).gb": GAME[:3003],
        "$RECYCLE.BIN/S-1-5-21/$RX1Y2Z3.gb": GAME[:3004],
        "System Volume Information/gb/Tracked (USA).gb": GAME[:3005],
        "snes/lost+found/#1234.sfc": GAME[:3006],
        # (QA88 F7, F8: AFP shares' bins, macOS', freedesktop's and Samba's, NAS metadata)
        "Network Trash Folder/gb/Binned (USA).gb": GAME[:3007],
        "Temporary Items/gb/Temp (USA).gb": GAME[:3008],
        ".Trashes/501/Trashed (USA).gb": GAME[:3009],
        "gb/.Trash-1000/files/Trashed (USA).gb": GAME[:3010],
        ".recycle/gb/Samba (USA).gb": GAME[:3011],
        "gb/.AppleDouble/Kept (USA).gb": GAME[:3012],
        ".@__thumb/gb/Thumb (USA).gb": GAME[:3013],
        ".snapshot/hourly.0/gb/Snap (USA).gb": GAME[:3014],
    }
    for relpath, data in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    add_root(db, root)
    pack = load_pack(None)
    for include_hidden in (False, True):
        summary = scan_library(db, pack, workers=workers, include_hidden=include_hidden)
        assert stored(db) == {"gb/Kept (USA).gb"}, include_hidden
        assert summary.skipped_hidden == 15 and summary.errors == [], include_hidden


def test_a_bios_folder_in_a_root_is_no_games_and_is_named(cli: Any, tmp_path: Path) -> None:
    """QA33 F1: `roms/bios/` (RetroArch and EmulationStation layouts keep it there) was
    scanned: its BIOS files were games of undecided platform, and following the scan's
    advice (`games set-platform`) put them on the card as games."""
    root = tmp_path / "roms"
    for relpath, data in {"gba/Real (USA).gba": GAME, "bios/scph5501.bin": b"B" * 4096,
                          "BIOS/dc/dc_boot.bin": b"D" * 4096,
                          "psx/bios/scph1001.bin": b"P" * 4096}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    assert cli("library", "add", str(root)).code == 0
    scanned = cli("--json", "scan", "--workers", "1").json()["data"]
    assert sorted(scanned["bios_folders"]) == sorted(
        str(root / name) for name in ("bios", "BIOS", "psx/bios"))
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert [g["filename"] for g in games] == ["Real (USA).gba"]
    text = cli("scan", "--workers", "1")
    assert "BIOS folder" in text.out and "romrunner bios scan" in text.out, text.out


def test_rows_an_earlier_release_stored_from_bios_or_recycle_folders_are_no_games(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 18 R10, R14: a library scanned before BIOS folders and NAS recycle bins were
    skipped kept those rows as games (deployed: a BIOS as a PSX game, a deleted game); they
    are no longer games, forgotten, unless curated (then kept, marked missing)."""
    from romrunner.library import plan
    root = tmp_path / "lib"
    for relpath, data in {"gb/Keep (USA).gb": GAME, "#recycle/gb/Deleted (USA).gb": GAME[:3000],
                          "bios/scph5501.gb": b"B" * 4096,
                          "gb/bios/boot.gb": b"P" * 4096}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    assert cli("library", "add", str(root)).code == 0
    with monkeypatch.context() as earlier:  # the release before: every folder walked
        earlier.setattr(plan, "SYSTEM_FOLDERS", frozenset())
        earlier.setattr(plan, "BIOS_FOLDER", "")
        assert cli("scan", "--workers", "1").code == 0
    games = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert len(games) == 4, games
    assert cli("collection", "create", "mine").code == 0
    assert cli("collection", "add", "mine", str(games["scph5501.gb"])).code == 0
    with monkeypatch.context() as again:  # (the same scan, said in text, on a copy)
        db_file = Path(str(cli("--json", "db", "status").json()["data"]["path"]))
        copy = tmp_path / "copy.db"
        copy.write_bytes(db_file.read_bytes())
        again.setenv("ROMRUNNER_DB", str(copy))
        said = " ".join(cli("scan", "--workers", "2").out.split())
    # (QA46 F1: "forgotten" was said of the three, the kept one too)
    assert "no longer taken for games" in said and "2 forgotten, the files untouched; 1 in " \
        "a collection or with an override is kept, marked missing" in said, said
    scanned = cli("--json", "scan", "--workers", "2").json()["data"]
    assert (scanned["not_games"], scanned["missing"]) == (3, 0), scanned
    assert scanned["not_games_kept"] == [games["scph5501.gb"]]
    present = {g["filename"] for g in cli("--json", "games", "ls").json()["data"]["games"]
               if not g["is_missing"]}
    assert present == {"Keep (USA).gb"}


def test_the_scan_says_how_many_it_skipped(cli: Any, tmp_path: Path) -> None:
    assert cli("library", "add", str(library(tmp_path))).code == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 0, text.err
    assert "skipped 8 hidden or system and 1 empty files (scan --include-hidden takes hidden " \
        "ones)" in " ".join(text.out.split())
    data = cli("--json", "scan", "--workers", "1", "--include-hidden").json()["data"]
    assert (data["added"], data["skipped_hidden"], data["skipped_empty"]) == (1, 6, 1)
    present = data["identified"] + data["guessed"] + data["unidentified"]
    # a plain scan after it counts the hidden games it leaves as they were (QA28 F9: only
    # the walked ones, "1 unidentified" where 3 were present)
    plain = cli("--json", "scan", "--workers", "1").json()["data"]
    assert plain["identified"] + plain["guessed"] + plain["unidentified"] == present
    assert plain["missing"] == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_files_of_unknown_type_are_counted_by_type_and_slips_named(
        cli: Any, tmp_path: Path, workers: int) -> None:
    """QA5 finding 8: files with no game's extension were skipped without a word. They are
    counted by type (one line; --json has every type); a name that ends in a game's extension
    but for a trailing dot or space is a warning naming it (it will not deploy either)."""
    root = tmp_path / "roms"
    files = ["snes/Real (USA).sfc", "snes/Dot (USA).sfc.", "snes/Space (USA).sfc ",
             "snes/Both (USA).sfc. ", "snes/Packed (USA).rar", "snes/Other (USA).RAR",
             "snes/readme.txt", "gba/cover.JPG", "gba/Mr. Nobody", "gba/notes.txt.",
             "gba/a.b1", "gba/a.b2", "gba/a.b3", "top.nfo"]
    for index, relpath in enumerate(files):
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes([index + 1]) * 1024)
    assert cli("library", "add", str(root)).code == 0
    for _ in range(2):  # the first scan and a rescan say the same
        result = cli("--json", "scan", "--workers", str(workers))
        assert result.code == 0, result.err
        data = result.json()["data"]
        assert (data["added"] + data["unchanged"], data["skipped_unknown"]) == (1, 10)
        assert data["skipped_unknown_types"] == {
            ".rar": 2, ".txt": 1, ".jpg": 1, "": 2, ".b1": 1, ".b2": 1, ".b3": 1, ".nfo": 1}
        errors = {Path(e["path"]).name: e["error"] for e in data["errors"]}
        assert sorted(errors) == ["Both (USA).sfc. ", "Dot (USA).sfc.", "Space (USA).sfc "]
        assert errors["Dot (USA).sfc."] == (
            "its name ends with a dot after .sfc, so it is not taken for a game (and a card's "
            "file system may refuse it): rename it to end in .sfc; skipped")
        assert "ends with a space after .sfc" in errors["Space (USA).sfc "]
        assert "ends with dots or spaces after .sfc" in errors["Both (USA).sfc. "]
    text = cli("scan", "--workers", str(workers))
    assert text.code == 0
    assert ("skipped 10 files of unknown type: (no extension) 2, .rar 2, .b1 1, .b2 1, "
            ".b3 1 and 3 more types (--json lists them)") in " ".join(text.out.split())
    assert "rename it to end in .sfc" in text.err


def test_a_library_of_games_only_says_nothing_of_unknown_types(cli: Any,
                                                               tmp_path: Path) -> None:
    root = tmp_path / "roms" / "snes"
    root.mkdir(parents=True)
    (root / "Real (USA).sfc").write_bytes(GAME)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 0 and "unknown type" not in text.out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_game_whose_name_starts_with_a_dot_is_scanned(cli: Any, tmp_path: Path,
                                                         workers: str) -> None:
    """Redump and No-Intro name the `.hack` series `.hack - Infection Part 1 (USA)`: skipped
    as a hidden file, such a game was never seen. A dot-name with a game's extension is a
    game (in the root itself too); forks, bare extensions and hidden folders are not."""
    root = tmp_path / "roms"
    files = {"gba/.hack - Link Test (USA).gba": GAME,
             ".hack - Loose (USA).gba": GAME[:4000],       # directly in the root
             "gba/._.hack - Link Test (USA).gba": b"\x00\x05\x16\x07" + bytes(4092),
             "gba/.gba": GAME[:3999],                       # no name before the extension
             "gba/.hack.d/Inside (USA).gba": GAME[:3998]}   # a hidden folder: still skipped
    for relpath, data in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    assert cli("library", "add", str(root)).code == 0
    text = cli("scan", "--workers", workers)
    assert text.code == 0, text.err
    assert "skipped 3 hidden or system" in " ".join(text.out.split()), text.out
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert sorted(g["filename"] for g in games) == [".hack - Link Test (USA).gba",
                                                    ".hack - Loose (USA).gba"]
    again = cli("--json", "scan", "--workers", workers).json()["data"]
    assert (again["added"], again["unchanged"], again["missing"]) == (0, 2, 0)
    # on the card such a name is a hidden file most frontends do not list: said
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    plan = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--dry-run")
    said = [w for w in plan.json()["data"]["plan"]["warnings"] if w["code"] == "hidden-name"]
    assert len(said) == 1 and said[0]["message"].startswith(
        "2 files whose name begins with a dot go on the card as hidden files"), said
    assert ".hack - Link Test (USA).gba" in said[0]["message"]
