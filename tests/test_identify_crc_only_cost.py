"""Identification against CRC-only DATs costs what it costs against full-hash DATs (QA22 C0:
a `dat import` on a 17-game library ran for minutes: told by ANALYZE that the SHA1 index of a
CRC-only catalog holds one value, the planner scanned every catalog ROM for each member and
catalog game in the SHA1 and MD5 passes, which match nothing there). Measured in SQLite VM
steps, not seconds: the same on any machine."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from romrunner.catalog.identify import identify
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path

MEMBER = bytes(range(256)) * 64
STEP = 100  # VM instructions per progress callback


def _library(cli: Any, tmp_path: Path, *, crc_only: bool) -> Path:
    """roms/gb/Own Game (World).zip (one member) and the real Game Boy DAT plus that game
    imported, scanned; returns the database."""
    text = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat").read_text()
    if crc_only:
        text = re.sub(r" (md5|sha1) [0-9A-Fa-f]+", "", text)
    text += (f'\ngame (\n\tname "Own Game (World)"\n\trom ( name "Own Game (World).gb" '
             f'size {len(MEMBER)} crc {zlib.crc32(MEMBER):08x} )\n)\n')
    tmp_path.mkdir()
    (tmp_path / "gb.dat").write_text(text)
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Own Game (World).zip", "w") as archive:
        archive.writestr("Own Game (World).gb", MEMBER)
    db = tmp_path / "lib.db"
    for args in (("dat", "import", str(tmp_path / "gb.dat")),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli("--db", str(db), *args).code == 0, args
    return db


def _identify_steps(path: Path) -> int:
    db = open_database(path, OpenMode.WRITE).db
    try:
        db.conn.execute("ANALYZE")  # as `PRAGMA optimize` leaves a long-lived database
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0

        db.conn.set_progress_handler(count, STEP)
        counts = identify(db)
        db.conn.set_progress_handler(None, STEP)
        assert counts.identified == 1
        return steps
    finally:
        db.close()


def test_a_crc_only_catalog_identifies_at_the_cost_of_a_full_one(
        cli: Any, tmp_path: Path) -> None:
    full = _identify_steps(_library(cli, tmp_path / "full", crc_only=False))
    crc = _identify_steps(_library(cli, tmp_path / "crc", crc_only=True))
    assert crc <= 3 * full + 100, (crc, full)  # (before: 829 against 18)
