"""qa204 F2: a platform folder that went away while the scan examined it (its disk unmounted,
the folder renamed) was one "file vanished during the scan" line per file not yet examined,
exit 0, and the summary counted its games present. It is now said once, as a root that goes
away is: a folder that could not be scanned (exit 1), its games neither counted present nor
marked missing, and a scan with the folder back finds them as they were.

The folder is really renamed mid-scan: the scan examines the files one by one in this
process (`--workers 1`), and a wrapper around its record-making renames the folder once the
first NES file is examined."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from romrunner.library import scan as scan_module

NES_FILES = 12
EXAMINE = scan_module.examine_to_record


def _library(tmp_path: Path) -> Path:
    return _fill(tmp_path / "roms")


def _fill(root: Path) -> Path:
    (root / "gba").mkdir(parents=True)
    (root / "nes").mkdir()
    for n in range(3):
        (root / "gba" / f"Quest {n} (USA).gba").write_bytes(bytes([n + 1]) * (4096 + n))
    for n in range(NES_FILES):
        (root / "nes" / f"Castle {n} (USA).nes").write_bytes(bytes([n + 40]) * (8192 + n))
    return root


def _rename_once_examining(monkeypatch: pytest.MonkeyPatch, folder: Path, to: Path) -> None:
    """Rename ``folder`` to ``to`` right after the scan examined its first file."""
    examine = EXAMINE

    def examined_then_renamed(job: Any) -> Any:
        record = examine(job)
        if job.relpath.startswith(f"{folder.name}/") and folder.is_dir():
            folder.rename(to)
        return record

    monkeypatch.setattr(scan_module, "examine_to_record", examined_then_renamed)


def _games(db_path: Path) -> list[tuple[int, str, int]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT id, filepath, is_missing FROM games ORDER BY id").fetchall()


def test_a_folder_renamed_during_a_rescan_is_said_once_and_fails_the_scan(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _library(tmp_path)
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    before = _games(db_path)
    assert len(before) == 3 + NES_FILES
    moved = root / "nes.moved"
    _rename_once_examining(monkeypatch, root / "nes", moved)
    done = cli("--json", "scan", "--full", "--workers", "1")
    assert done.code == 1, done.out + done.err
    envelope = done.json()
    assert len(envelope["errors"]) == 1, envelope["errors"]
    assert envelope["errors"][0].startswith(
        f"{root / 'nes'}: folder went away during the scan")
    data = envelope["data"]
    assert not [e for e in data["errors"] if "vanished" in e["error"]], data["errors"]
    assert [e["path"] for e in data["errors"]] == [str(root / "nes")]
    # its games neither present (counted) nor missing: the 3 GBA games only are counted
    assert data["missing"] == 0
    assert data["identified"] + data["guessed"] + data["unidentified"] == 3, data
    assert _games(db_path) == before  # (nothing marked missing, nothing lost)
    monkeypatch.setattr(scan_module, "examine_to_record", EXAMINE)

    moved.rename(root / "nes")  # back: found as it was
    again = cli("--json", "scan", "--workers", "1")
    assert again.code == 0, again.out + again.err
    assert again.json()["data"]["missing"] == 0
    assert _games(db_path) == before
    text = cli("scan", "--full", "--workers", "1")
    assert text.code == 0 and "vanished" not in text.out + text.err


def test_a_folder_gone_during_a_first_scan_is_said_once_in_text(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _library(tmp_path)
    assert cli("library", "add", root).code == 0
    _rename_once_examining(monkeypatch, root / "nes", tmp_path / "elsewhere")
    done = cli("scan", "--workers", "1")
    assert done.code == 1, done.out + done.err
    assert "vanished" not in done.out + done.err
    assert done.err.count("folder went away during the scan") == 1, done.err
    assert "1 root or folder could not be scanned" in done.err
    assert "3 unidentified" in done.out, done.out  # (the one NES game stored is not there)
    assert all(missing == 0 for _, _, missing in _games(db_path))


def test_a_file_vanished_from_a_folder_still_there_keeps_its_own_line(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _library(tmp_path)
    _scan_deleting_the_last_nes_file(cli, root, monkeypatch)


def _scan_deleting_the_last_nes_file(cli: Any, root: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Scan ``root`` (added here), its last NES file deleted once the scan examined one of
    its folder's: that file alone is said vanished, exit 0."""
    assert cli("library", "add", root).code == 0
    examine = EXAMINE
    last = root / "nes" / f"Castle {NES_FILES - 1} (USA).nes"

    def examined_then_deleted(job: Any) -> Any:
        record = examine(job)
        if job.relpath.startswith("nes/") and last.exists():
            last.unlink()
        return record

    monkeypatch.setattr(scan_module, "examine_to_record", examined_then_deleted)
    done = cli("--json", "scan", "--workers", "1")
    assert done.code == 0, done.out + done.err
    assert [e["path"] for e in done.json()["data"]["errors"]] == [str(last)]
    assert "vanished" in done.json()["data"]["errors"][0]["error"]


def test_a_file_vanished_from_a_bind_mounted_folder_keeps_its_own_line(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review50d F1: a folder bind-mounted from the same file system, still mounted, was taken
    # for one gone (os.path.ismount says False of it): exit 1, its games not counted
    root = _library(tmp_path)
    source = tmp_path / "elsewhere"
    (root / "nes").rename(source)
    (root / "nes").mkdir()
    bound = subprocess.run(["mount", "--bind", str(source), str(root / "nes")],
                           capture_output=True, text=True, check=False)
    if bound.returncode != 0:
        pytest.skip(f"a bind mount cannot be made here (needs root): {bound.stderr.strip()}")
    try:
        _scan_deleting_the_last_nes_file(cli, root, monkeypatch)
    finally:
        subprocess.run(["umount", "-l", str(root / "nes")], capture_output=True, check=False)


def _roots(db_path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT path, last_scanned_at FROM library_roots").fetchall()


def test_a_root_that_is_a_mount_point_unmounted_during_a_rescan_is_said_once(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review50d F2: the root itself a mount point, unmounted mid-scan, its empty mount point
    # a folder still: each of its folders was said "went away", each file at its top "file
    # vanished" (those counted present), and the scan recorded as its last one. Real mounts:
    # a tmpfs (the disk) bind-mounted at the root, so that it can come back as it was.
    from tests.conftest import mounted_tmpfs

    with mounted_tmpfs(tmp_path / "disk", "16m") as disk:
        _fill(disk)
        (disk / "Top (USA).gb").write_bytes(b"\x01" * 2048)
        (disk / "Zop (USA).gb").write_bytes(b"\x02" * 2049)
        root = tmp_path / "roms"
        root.mkdir()
        bind = ["mount", "--bind", str(disk), str(root)]
        bound = subprocess.run(bind, capture_output=True, text=True, check=False)
        if bound.returncode != 0:
            pytest.skip(f"a bind mount cannot be made here (needs root): {bound.stderr}")
        try:
            assert cli("library", "add", root).code == 0
            assert cli("scan", "--workers", "1").code == 0
            with sqlite3.connect(db_path) as conn:  # (a time no scan of now can write)
                conn.execute("UPDATE library_roots SET last_scanned_at = "
                             "'2001-02-03T04:05:06Z'")
            before, roots = _games(db_path), _roots(db_path)
            assert len(before) == 3 + NES_FILES + 2
            examine = EXAMINE

            def examined_then_unmounted(job: Any) -> Any:
                record = examine(job)
                if os.path.ismount(root):
                    subprocess.run(["umount", "-l", str(root)], check=True)
                return record

            monkeypatch.setattr(scan_module, "examine_to_record", examined_then_unmounted)
            done = cli("--json", "scan", "--full", "--workers", "1")
            assert done.code == 1, done.out + done.err
            envelope = done.json()
            assert envelope["errors"] == [
                f"{root}: library root went away during the scan (unmounted?); what it had "
                "not examined was not stored, nothing was marked missing, its games are not "
                "counted: scan again when it is back"], envelope["errors"]
            data = envelope["data"]
            assert [e["path"] for e in data["errors"]] == [str(root)], data["errors"]
            assert data["missing"] == 0
            assert data["identified"] + data["guessed"] + data["unidentified"] == 0, data
            assert _games(db_path) == before  # (nothing marked missing, nothing lost)
            assert _roots(db_path) == roots  # (its last scan is still the one before)
            monkeypatch.setattr(scan_module, "examine_to_record", EXAMINE)

            subprocess.run(bind, check=True)  # back: found as it was
            again = cli("--json", "scan", "--full", "--workers", "1")
            assert again.code == 0, again.out + again.err
            data = again.json()["data"]
            assert data["missing"] == 0 and data["errors"] == []
            assert data["identified"] + data["guessed"] + data["unidentified"] == 17, data
            assert _games(db_path) == before
        finally:
            subprocess.run(["umount", "-l", str(root)], capture_output=True, check=False)
