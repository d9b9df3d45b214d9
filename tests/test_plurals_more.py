"""Counts in the number's form in the messages QA11 N6 left: `bios scan` ("1 files"), `bios
import-dat` ("1 rows; 1 extra entries … 1 conflicts"), `games dupes` ("1 game is known by
their CRC32 only"), `destination scan` ("1 markers"), a refused BIOS DAT ("0 of 1 entries")."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_bios_scan_and_import_dat_count_one_in_the_singular(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "odd.bin").write_bytes(b"\x07" * 100)
    scanned = cli("bios", "scan", folder)
    assert scanned.code == 0, scanned.err
    assert scanned.out.startswith("1 file, 1 hashed, 0 unchanged: 1 unknown\n")
    data = b"\x05" * 64
    dat = tmp_path / "System.dat"
    dat.write_text('clrmamepro (\n\tname "System"\n\tversion "t"\n)\ngame (\n\tname "System"\n'
                   f'\trom ( name "extra.bin" size {len(data)} crc {zlib.crc32(data):08x} '
                   f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} '
                   ')\n)\n')
    imported = cli("bios", "import-dat", dat)
    assert imported.code == 0, imported.err
    assert _one_line(imported.out).startswith(
        "System t: 1 row; 1 extra entry, 0 pack entries gained hashes, 0 conflicts (the "
        "pack's entries stand)")
    game = tmp_path / "game.dat"
    game.write_text('clrmamepro (\n\tname "System"\n\tversion "t"\n)\ngame (\n\tname "G"\n'
                    '\trom ( name "Game (USA).gb" size 64 crc 00000001 )\n)\n')
    refused = cli("bios", "import-dat", game)
    assert refused.code == 2 and "0 of 1 entry look like firmware" in _one_line(refused.err)


def test_games_dupes_says_one_game_is_known_by_its_crc32(cli: Any, tmp_path: Path) -> None:
    data = bytes(range(256)) * 64
    root = tmp_path / "roms"
    (root / "GBA").mkdir(parents=True)
    with zipfile.ZipFile(root / "GBA" / "Real (USA).zip", "w") as archive:
        archive.writestr("Real (USA).gba", data)
    dat = tmp_path / "gba.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n\tversion "t"\n)\n'
                   f'game (\n\tname "Real (USA)"\n\trom ( name "Real (USA).gba" size {len(data)} '
                   f'crc {zlib.crc32(data):08x} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    for args in (("dat", "import", dat), ("library", "add", root), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    dupes = cli("games", "dupes")
    assert dupes.code == 0, dupes.err
    assert "warning: 1 game is known by its CRC32 only" in _one_line(dupes.err)


def test_destination_scan_counts_one_marker(cli: Any, db_path: Path, tmp_path: Path) -> None:
    open_database(db_path, OpenMode.WRITE).db.close()
    card = tmp_path / "card"
    (card / "Roms").mkdir(parents=True)
    scanned = cli("--pack", shared_path("definition-pack"), "destination", "scan", card)
    assert scanned.code == 0, scanned.err
    assert ", 1 marker\n" in scanned.out and "1 markers" not in scanned.out
