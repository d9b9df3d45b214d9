"""A damaged page of the database outside the search index is said as the file's damage, not
as the search index's (which `db repair` rebuilds): real files, real damage, the real CLI."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def test_damage_outside_the_search_index_is_not_called_the_index_s(
        cli: Any, tmp_path: Path) -> None:
    """qa198 F1: a damaged page of the DATs' data failed `dat rm` with "the search index is
    damaged; `db repair` rebuilds it, losing nothing" — the index checked on the connection
    of the failed transaction — and `db repair` mended nothing."""
    dat = shared_path("dats/no-intro/Nintendo - Game Boy.dat")
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    (roms / "Some Game (USA).gb").write_bytes(b"\x01" * 4096)
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("dat", "import", str(dat))):
        assert cli(*args).code == 0, args
    path = Path(os.environ["ROMRUNNER_DB"])
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (page,) = conn.execute("SELECT pageno FROM dbstat WHERE name = 'catalog_roms' AND "
                               "pagetype = 'leaf' LIMIT 1 OFFSET 20").fetchone()
    with path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(bytes(random.Random(7).randrange(256) for _ in range(page_size)))
    failed = cli("dat", "rm", "Nintendo - Game Boy")
    assert failed.code != 0
    assert "search index is damaged" not in failed.err and "db repair" not in failed.err, \
        failed.err
    assert "Traceback" not in failed.err
