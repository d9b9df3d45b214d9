"""A file whose data several catalog games list: identification's member pass, rewritten for
speed (QA45 F5), names the game the join it replaced named (review 22 R1: a clone's zip became
its parent; a zip of a console game whose data another game of the DAT has took the other)."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any


def _rom(seed: str) -> bytes:
    return hashlib.sha256(seed.encode()).digest() * 16


def _line(name: str, data: bytes) -> str:
    return (f"\trom ( name {name} size {len(data)} crc {zlib.crc32(data):08x} "
            f"sha1 {hashlib.sha1(data).hexdigest()} )\n")


def test_archives_of_data_two_games_list_keep_their_game(cli: Any, tmp_path: Path,
                                                         db_path: Path) -> None:
    a, b, c = _rom("a"), _rom("b"), _rom("c")
    (tmp_path / "mame.dat").write_text(
        'clrmamepro (\n\tname "MAME"\n\tversion "1"\n)\n'
        'game (\n\tname "parent"\n' + _line("a.1", a) + _line("b.2", b) + ')\n'
        'game (\n\tname "clone"\n\tcloneof "parent"\n' + _line("b.2", b) + ')\n')
    (tmp_path / "gba.dat").write_text(
        'clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n\tversion "1"\n)\n'
        'game (\n\tname "Alpha (USA)"\n' + _line("Alpha (USA).gba", c) + ')\n'
        'game (\n\tname "Zeta (USA)"\n' + _line("Zeta (USA).gba", c) + ')\n')
    roms = tmp_path / "roms"
    (roms / "arcade").mkdir(parents=True)
    (roms / "gba" / "loose").mkdir(parents=True)
    with zipfile.ZipFile(roms / "arcade" / "clone.zip", "w") as archive:
        archive.writestr("b.2", b)
    with zipfile.ZipFile(roms / "gba" / "Zeta (USA).zip", "w") as archive:
        archive.writestr("Zeta (USA).gba", c)
    (roms / "gba" / "loose" / "Zeta (USA).gba").write_bytes(c)
    for args in (("dat", "import", tmp_path / "mame.dat", "--platform", "arcade"),
                 ("dat", "import", tmp_path / "gba.dat", "--platform", "gba"),
                 ("library", "add", roms), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    with sqlite3.connect(db_path) as conn:
        found = dict(conn.execute("SELECT filepath, matched_game_id FROM games").fetchall())
    assert found == {"arcade/clone.zip": "arcade:clone",
                     "gba/Zeta (USA).zip": "gba:Zeta (USA)",
                     "gba/loose/Zeta (USA).gba": "gba:Zeta (USA)"}
