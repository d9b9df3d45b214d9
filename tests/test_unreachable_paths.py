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
