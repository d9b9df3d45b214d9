"""The scan's writer stores new games many rows per statement, hashes as bytes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.examine import Examined, Job
from romrunner.library.games import find_by_hash
from romrunner.library.hashing import Hashes
from romrunner.library.roots import add_root
from romrunner.library.scan import ingest_examined
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database

COUNT = 23  # not a multiple of the rows per statement below


def _examined(root: Path) -> list[Examined]:
    items = []
    for number in range(COUNT):
        relpath = f"snes/Game {number} (USA).sfc"
        digest = hashlib.sha1(relpath.encode()).hexdigest()
        item = Examined(Job(str(root / relpath), relpath, 1000 + number, 10**18 + number),
                        Hashes(1000 + number, digest[:8], digest[:32], digest))
        item.parse_name()
        items.append(item)
    return items


def _stored(tmp_path: Path, name: str, variable_limit: int | None) -> list[dict[str, Any]]:
    root = tmp_path / "roms"
    root.mkdir(exist_ok=True)
    db = open_database(tmp_path / f"{name}.db", OpenMode.WRITE).db
    if variable_limit is not None:
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)
    summary = ingest_examined(db, load_pack(None), add_root(db, root), _examined(root))
    assert summary.added == COUNT
    digest = hashlib.sha1(b"snes/Game 22 (USA).sfc").hexdigest()
    assert find_by_hash(db, sha1=digest) == [COUNT]
    rows = [dict(row) for row in db.query(
        "SELECT id, filepath, filename, file_size, file_mtime_ns, file_crc32, file_md5, "
        "file_sha1, typeof(sha1_bin) AS stored, detected_title, platform_id FROM games "
        "ORDER BY id")]
    db.close()
    return rows


@pytest.mark.parametrize("limit", [100, 999])  # 2 and 28 rows per statement, and a rest
def test_many_rows_per_statement_store_what_one_row_per_statement_stores(
        tmp_path: Path, limit: int) -> None:
    one_each = _stored(tmp_path, "one", 60)  # fewer values than a row: one per statement
    chunked = _stored(tmp_path, f"chunked{limit}", limit)
    assert chunked == one_each
    assert [row["id"] for row in chunked] == list(range(1, COUNT + 1))
    first = chunked[0]
    digest = hashlib.sha1(b"snes/Game 0 (USA).sfc").hexdigest()
    assert (first["filename"], first["file_sha1"], first["file_md5"], first["file_crc32"],
            first["stored"]) == ("Game 0 (USA).sfc", digest, digest[:32], digest[:8], "blob")
