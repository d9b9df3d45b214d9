"""A v3 CHD a scan before v1.3.24's stored without its image's size (its 'chd' row's size
empty) is the same file at the next `scan --full`: "unchanged", its size now recorded — not
"updated", which read as thousands of changed files after the advised full scan (review52g
F1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.chdbuild import chd
from tests.test_games_find_archive_reading import _payload, _scanned


def _chd_sizes(db_path: Path) -> list[tuple[str, int | None]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT g.filename, f.file_size FROM game_files f JOIN games g "
                            "ON g.id = f.game_id WHERE f.kind = 'chd' ORDER BY 1").fetchall()


def test_a_v3_chd_stored_without_its_size_is_unchanged_at_a_full_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    root = tmp_path / "roms" / "ps2"
    root.mkdir(parents=True)
    images = {version: _payload(f"v{version}", 65536) for version in (3, 5)}
    for version, image in images.items():
        (root / f"V{version} (USA).chd").write_bytes(chd(version, image))
    _scanned(cli, root)
    assert _chd_sizes(db_path) == [("V3 (USA).chd", 65536), ("V5 (USA).chd", None)]
    with sqlite3.connect(db_path) as conn:  # as a scan before the size was recorded left it
        conn.execute("UPDATE game_files SET file_size = NULL WHERE kind = 'chd'")
    full = cli("--json", "scan", "--workers", "1", "--full")
    assert full.code == 0, full.err
    counts = full.json()["data"]
    assert (counts["updated"], counts["unchanged"]) == (0, 2), counts
    assert _chd_sizes(db_path) == [("V3 (USA).chd", 65536), ("V5 (USA).chd", None)]
    # (a CHD whose data did change is still "updated")
    (root / "V3 (USA).chd").write_bytes(chd(3, _payload("other", 65536)))
    changed = cli("--json", "scan", "--workers", "1", "--full").json()["data"]
    assert changed["updated"] == 1, changed
