"""A path the system refuses to look at (a dead FUSE or network mount answers ENOTCONN; here a
name too long for the file system, which Python's is_dir does not swallow either): a scan
reports that root and scans the others; other commands say it in one line, never an internal
error (QA42 F11)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.test_scan import rom_bytes


def test_a_root_the_system_refuses_is_reported_and_the_others_are_scanned(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    (tmp_path / "lib" / "gb").mkdir(parents=True)
    (tmp_path / "lib" / "gb" / "Alpha (USA).gb").write_bytes(rom_bytes(1, 8192))
    assert cli("library", "add", tmp_path / "lib").code == 0
    refused = tmp_path / ("x" * 300) / "roms"
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO library_roots (path) VALUES (?)", (str(refused),))
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 1, result.err
    data = result.json()["data"]
    assert data["added"] == 1
    assert "internal error" not in result.out + result.err
    assert any("not reachable (File name too long)" in str(item) for item in
               data.get("not_scanned", data.get("errors", []))), data
    for args in (("library", "add", refused), ("bios", "scan", refused)):
        one = cli(*args)
        assert one.code == 2 and "internal error" not in one.err, (args, one.err)
        assert len(one.err.strip().splitlines()) == 1 and "File name too long" in one.err


def test_a_share_back_at_another_place_is_pointed_at_library_move(
        cli: Any, tmp_path: Path) -> None:
    """QA67 F3: the share remounted elsewhere, `scan NEW` said "add it with `library add`",
    which hashed the whole library again beside the old root its collections stay on; the
    way (`library move OLD NEW`) was said nowhere."""
    old = tmp_path / "nas"
    (old / "gb").mkdir(parents=True)
    for n in range(3):
        (old / "gb" / f"G{n} (USA).gb").write_bytes(bytes([n + 1]) * 4096)
    assert cli("library", "add", str(old)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    new = tmp_path / "nas-new"
    old.rename(new)
    scanned = cli("scan", "--workers", "1")
    assert "library move OLD NEW" in scanned.err, scanned.err
    named = cli("scan", str(new))
    assert named.code == 2 and f"library move {old} {new}" in named.err, named.err
    added = cli("library", "add", str(new))
    assert added.code == 0 and f"library move {old} {new}" in added.err, added.err



def test_a_root_that_is_a_file_now_is_said_a_file(cli: Any, tmp_path: Path) -> None:
    """qa192 F12: a root path that is now a regular file was said "not reachable (absent,
    moved or unmounted?)": it is there, a file."""
    root = tmp_path / "roots" / "B"
    root.mkdir(parents=True)
    (root / "Alpha (USA).gb").write_bytes(rom_bytes(1, 8192))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    root.rename(tmp_path / "roots" / "B.real")
    root.write_text("x\n")
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 1, result.err
    envelope = result.json()
    assert envelope["data"]["missing"] == 0
    assert envelope["errors"] == [f"{root}: library root is a file now, not a folder; nothing "
                                  "was marked missing (back at another place: `romrunner "
                                  "library move OLD NEW`)"], envelope["errors"]
    root.unlink()
    gone = cli("scan", "--workers", "1")
    assert gone.code == 1 and "not reachable (absent, moved or unmounted?)" in gone.err
