"""Files that declare what this engine cannot read get one line naming them, exit 2 and
nothing changed, never an internal error (QA95 F4: a DAT declaring Shift_JIS or an unknown
encoding; F6: a knowledge envelope whose schemaVersion is a list or an object)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

XML = ('<?xml version="1.0" encoding="{enc}"?>\n<datafile><header><name>Nintendo - Game Boy'
       '</name></header><game name="{name}"><rom name="a.gb" size="4" crc="01020304"/></game>'
       '</datafile>\n')


@pytest.mark.parametrize(("encoding", "name", "said"), [
    ("Shift_JIS", "テトリス (Japan)", "multi-byte encodings are not supported"),
    ("x-mac-klingon", "Tetris (World)", "unknown encoding: x-mac-klingon"),
])
def test_a_dat_in_an_encoding_the_reader_cannot_read_is_named(
        cli: Any, db_path: Path, tmp_path: Path, encoding: str, name: str, said: str) -> None:
    dat = tmp_path / "Nintendo - Game Boy.dat"
    text = XML.format(enc=encoding, name=name)
    dat.write_bytes(text.encode("shift_jis" if encoding == "Shift_JIS" else "utf-8"))
    assert cli("db", "init").code == 0
    before = db_path.read_bytes()
    result = cli("dat", "import", dat)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"error: {dat}: its XML declares an encoding this reader cannot read ({said}); save it "
        "as UTF-8"]
    assert cli("--json", "dat", "ls").json()["data"] == [] and db_path.read_bytes() == before


@pytest.mark.parametrize("schema", [["compat-source-v1"], {"v": 1}])
def test_an_envelope_whose_schema_version_is_no_text_is_named(
        cli: Any, tmp_path: Path, schema: object) -> None:
    envelope = tmp_path / "odd.json"
    envelope.write_text(json.dumps({"schemaVersion": schema, "items": []}))
    result = cli("cache", "import", envelope)
    assert result.code == 2 and "internal error" not in result.err
    assert result.err.startswith(f"error: {envelope}: schemaVersion ")


def test_a_clrmamepro_dat_in_windows_1252_keeps_its_accented_names(
        cli: Any, tmp_path: Path) -> None:
    """QA95 F5: a clrmamepro DAT written in Latin-1 imported with every accented name stored
    with U+FFFD (`Pok\ufffdmon`): it is read as Windows-1252, as disc sheets are."""
    dat = tmp_path / "Atari - Lynx.dat"
    dat.write_bytes('clrmamepro (\n\tname "Atari - Lynx"\n)\ngame (\n\tname "Pokémon Jr. '
                    '(Europe)"\n\trom ( name "Pokémon Jr. (Europe).lnx" size 4 crc 01020304 )'
                    '\n)\n'.encode("latin-1"))
    assert cli("dat", "import", dat).code == 0
    missing = cli("--json", "dat", "report", "--missing")
    assert "Pokémon Jr. (Europe)" in missing.out and "\ufffd" not in missing.out


def test_a_clrmamepro_dat_with_mac_line_ends_and_a_stray_byte_among_utf8_reads_whole(
        cli: Any, tmp_path: Path) -> None:
    """Review 97 F2, F3: lines ended by a lone CR (a Mac's) are lines, as before; a byte that
    is not UTF-8 on a line is read alone (Windows-1252, Latin-1 where it defines none), its
    line's UTF-8 characters kept."""
    dat = tmp_path / "Atari - Lynx.dat"
    games = "".join(f'game (\r\tname "Game {n} (Europe)"\r\trom ( name "g{n}.lnx" size 4 crc '
                    f'{n:08x} )\r)\r' for n in range(2000))
    odd = ('game (\r\tname "Café ' .encode() + b"\xe9\x81" + ' Pokémon (Europe)"\r\trom ( name '
           '"c.lnx" size 4 crc 0badf00d )\r)\r'.encode())
    dat.write_bytes(b'clrmamepro (\r\tname "Atari - Lynx"\r)\r' + games.encode() + odd)
    result = cli("--json", "dat", "import", dat)
    assert result.code == 0, result.err
    (report,) = cli("--json", "dat", "report", "--missing").json()["data"]
    names = {name for value in report.values() if isinstance(value, list)
             for name in value if isinstance(name, str)}
    assert "Game 1999 (Europe)" in names
    assert "Café é\u0081 Pokémon (Europe)" in names, [n for n in names if "Pok" in n]
