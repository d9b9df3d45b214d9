"""A root or folder that vanishes during a rescan does not get its games marked missing:
before marking anything, the scan looks again (the root must still answer, and each file
the walk did not find must still be gone), and a scan in which most of a root vanished
marks nothing, warns and exits non-zero until the root answers again.

The vanishing is made deterministic with real directory renames: before the walk (so the
walk misses a folder) and from the scan's progress callback, which runs after the walk and
before anything is marked missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from romrunner.library.roots import add_root
from romrunner.library.scan import ScanSummary, scan_library
from romrunner.packs import load_pack
from romrunner.store import Database, OpenMode, open_database


def tree(root: Path, folders: dict[str, int]) -> None:
    for folder, count in folders.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for number in range(count):
            (root / folder / f"{folder} {number} (USA).gba").write_bytes(
                f"{folder}{number}".encode() * 64)


def missing(db: Database) -> list[str]:
    rows = db.query("SELECT filepath FROM games WHERE is_missing = 1 ORDER BY filepath")
    return [row["filepath"] for row in rows]


def once(action: Callable[[], None]) -> Callable[..., None]:
    """A progress callback that does ``action`` at the first file examined."""
    done: list[bool] = []

    def progress(*_: int) -> None:
        if not done:
            done.append(True)
            action()
    return progress


def setup(tmp_path: Path, folders: dict[str, int]) -> tuple[Database, Path]:
    root = tmp_path / "roms"
    tree(root, folders)
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    add_root(db, root)
    assert scan_library(db, load_pack(None), workers=1).added == sum(folders.values())
    return db, root


def change_one(root: Path) -> None:
    """A changed file, so that the scan has a file to examine (and calls progress)."""
    (root / "gba" / "gba 0 (USA).gba").write_bytes(b"changed" * 100)


def test_a_folder_that_comes_back_before_marking_is_not_marked(tmp_path: Path) -> None:
    db, root = setup(tmp_path, {"gba": 6, "nes": 3})
    away = tmp_path / "nes-away"
    (root / "nes").rename(away)  # the walk misses it (a share that blinked)
    change_one(root)
    summary = scan_library(db, load_pack(None), workers=1,
                           progress=once(lambda: away.rename(root / "nes")))
    assert summary.missing == 0 and missing(db) == []
    assert summary.updated == 1
    back = [e for e in summary.errors if "found again" in e["error"]]
    assert [e["path"] for e in back] == [str(root / "nes")]
    assert back[0]["error"] == ("3 files the walk did not find were found again after it; "
                                "left as they were")


def test_a_root_that_stops_answering_before_marking_marks_nothing(tmp_path: Path) -> None:
    db, root = setup(tmp_path, {"gba": 6, "nes": 3})
    (root / "nes").rename(tmp_path / "nes-away")  # really gone, but then the root goes too
    change_one(root)
    summary = scan_library(db, load_pack(None), workers=1,
                           progress=once(lambda: root.rename(tmp_path / "unplugged")))
    assert summary.missing == 0 and missing(db) == []
    assert summary.missing_held_back == 3
    assert summary.problems == [
        f"{root}: library root stopped answering during the scan; 3 files not found were "
        "not marked missing"]


def test_a_genuinely_deleted_folder_is_still_marked(tmp_path: Path) -> None:
    db, root = setup(tmp_path, {"gba": 6, "nes": 3})
    (root / "nes").rename(tmp_path / "nes-away")
    summary = scan_library(db, load_pack(None), workers=2)
    assert (summary.missing, summary.missing_held_back) == (3, 0)
    assert len(missing(db)) == 3


def scan_cli(cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("--json", "scan", "--workers", "2", *args)
    envelope = result.json()
    assert envelope["ok"] is (result.code == 0)
    return result.code, envelope


def test_a_root_that_looks_unmounted_marks_nothing_and_fails(cli: Any, tmp_path: Path) -> None:
    """The root is there but empty (a mount point with nothing mounted): every stored file
    vanished at once. Nothing is marked; the scan says why and exits non-zero, until the
    root answers again; a real mass deletion is marked with --accept-missing."""
    root = tmp_path / "roms"
    tree(root, {f"gba{number}": 40 for number in range(4)})
    assert cli("library", "add", str(root)).code == 0
    assert scan_cli(cli)[0] == 0
    mounted = tmp_path / "the-disk"
    root.rename(mounted)
    root.mkdir()  # the empty mount point
    code, envelope = scan_cli(cli)
    assert code == 2
    data = envelope["data"]
    assert (data["missing"], data["missing_held_back"]) == (0, 160)
    assert envelope["errors"] == [
        f"{root}: 160 of 160 files were not found (more than half of the library root): "
        "nothing was marked missing; if the root is mounted and they were really removed, "
        "scan again with --accept-missing: "
        f"`romrunner scan --accept-missing {root}`"]
    assert cli("--json", "games", "ls", "--missing").json()["data"]["games"] == []
    text = cli("scan", "--workers", "1")
    assert text.code == 2 and f"error: {envelope['errors'][0]}\n" in text.err

    root.rmdir()
    mounted.rename(root)  # mounted again
    code, envelope = scan_cli(cli)
    assert code == 0 and envelope["data"]["unchanged"] == 160
    assert cli("--json", "games", "ls", "--missing").json()["data"]["games"] == []

    aside = tmp_path / "aside"
    aside.mkdir()
    for number in range(3):  # really removed, most of it (kept aside, to come back)
        (root / f"gba{number}").rename(aside / f"gba{number}")
    assert scan_cli(cli)[0] == 2
    code, envelope = scan_cli(cli, "--accept-missing")
    assert code == 0 and envelope["data"]["missing"] == 120
    listed = cli("--json", "games", "ls", "--missing", "--limit", "1000").json()["data"]
    assert len(listed["games"]) == 120
    # back after all: said found again, not only "unchanged" (QA141 F3)
    for number in range(3):
        (aside / f"gba{number}").rename(root / f"gba{number}")
    text = cli("scan", "--workers", "1")
    assert text.code == 0 and "unchanged (120 missing before, found again)" in text.out, \
        text.out


def test_a_small_deletion_is_not_held_back(tmp_path: Path) -> None:
    """Below the minimum, even most of a root can go: a tiny library is cleared normally."""
    db, root = setup(tmp_path, {"gba": 4})
    for path in list((root / "gba").iterdir())[:3]:
        path.unlink()
    summary: ScanSummary = scan_library(db, load_pack(None), workers=1)
    assert (summary.missing, summary.missing_held_back) == (3, 0)
    assert os.path.isdir(root)


def test_a_root_renamed_away_and_back_during_real_scans_loses_nothing(tmp_path: Path) -> None:
    """The issue's trial, with real processes: while rescans run, the root is renamed away
    and back again and again (a share that drops and reconnects). Whenever the renames
    fall, no game whose file is there is marked missing, and no scan fails with anything
    but the one-line "nothing was marked missing" error (exit 2) or a root or folder it
    could not scan, left as it was (exit 1)."""
    import subprocess
    import sys
    import time
    root = tmp_path / "roms"
    tree(root, {f"gba{number}": 150 for number in range(6)})
    db = tmp_path / "r.db"
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db)]
    subprocess.run([*command, "library", "add", str(root)], check=True, capture_output=True)
    subprocess.run([*command, "scan", "--workers", "1"], check=True, capture_output=True)
    away = tmp_path / "away"
    for trial in range(6):
        scan = subprocess.Popen([*command, "scan", "--workers", "2"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        pause = 0.002 * (trial + 1)
        while scan.poll() is None:
            root.rename(away)
            time.sleep(pause)
            away.rename(root)
            time.sleep(pause)
        _, err = scan.communicate()
        assert scan.returncode in (0, 1, 2), err  # 1: a root or folder was not scanned
        assert "Traceback" not in err and "internal error" not in err
        if scan.returncode == 2:
            assert "nothing was marked missing" in err
        if scan.returncode == 1:
            assert "their games were left as they were" in err
        with Database(db) as check:
            assert missing(check) == [], f"trial {trial}"


def test_a_rom_replaced_by_a_link_a_pipe_or_a_folder_is_gone_not_found_again(
        tmp_path: Path) -> None:
    """QA67 F6: a ROM a dedup tool replaced by a symbolic link, or by a FIFO or a folder,
    stayed present at every scan ("found again after the walk") while every deploy failed
    it with "rescan it": the walk skips such a path, and so does the look again."""
    root = tmp_path / "roms"
    tree(root, {"gba": 5})
    db = open_database(tmp_path / "db.sqlite", OpenMode.WRITE).db
    pack = load_pack(None)
    add_root(db, root)
    scan_library(db, pack, workers=1)
    folder = root / "gba"
    (tmp_path / "dedup").mkdir()
    os.replace(folder / "gba 0 (USA).gba", tmp_path / "dedup" / "gba 0 (USA).gba")
    (folder / "gba 0 (USA).gba").symlink_to(tmp_path / "dedup" / "gba 0 (USA).gba")
    (folder / "gba 1 (USA).gba").unlink()
    os.mkfifo(folder / "gba 1 (USA).gba")
    (folder / "gba 2 (USA).gba").unlink()
    (folder / "gba 2 (USA).gba").mkdir()
    scan_library(db, pack, workers=1)
    assert missing(db) == [f"gba/gba {n} (USA).gba" for n in (0, 1, 2)]
    db.close()


def test_another_disk_at_a_roots_mount_point_has_nothing_stored(
        cli: Any, tmp_path: Path) -> None:
    """QA141 F9: another disk at a root's mount point, holding a file at the path of one of
    the library's and a file of its own, was refused as most of the root not found — yet
    its files were stored: the library's game there rewritten with the other disk's bytes,
    the other file a new game left missing once the right disk was back."""
    root = tmp_path / "roms"
    tree(root, {f"gba{number}": 40 for number in range(4)})
    assert cli("library", "add", str(root)).code == 0
    assert scan_cli(cli)[0] == 0
    before = cli("--json", "games", "ls", "--limit", "1000").json()["data"]["games"]
    mounted = tmp_path / "the-disk"
    root.rename(mounted)
    (root / "gba0").mkdir(parents=True)  # the other disk
    (root / "gba0" / "gba0 0 (USA).gba").write_bytes(b"another disk's file" * 50)
    (root / "gba0" / "Stray (USA).gba").write_bytes(b"a file of its own" * 50)
    code, envelope = scan_cli(cli)
    assert code == 2 and (envelope["data"]["added"], envelope["data"]["updated"]) == (0, 0)
    assert any("new or changed files were not stored either" in e
               for e in envelope["errors"]), envelope["errors"]
    assert cli("--json", "games", "ls", "--limit", "1000").json()["data"]["games"] == before
    for path in (root / "gba0").iterdir():
        path.unlink()
    (root / "gba0").rmdir()
    root.rmdir()
    mounted.rename(root)  # the right disk again
    code, envelope = scan_cli(cli)
    assert code == 0 and envelope["data"]["unchanged"] == 160
    assert (envelope["data"]["updated"], envelope["data"]["missing"]) == (0, 0)
