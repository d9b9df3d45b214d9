"""Input that is wrong in a way the engine can name is named (qa204 F4, F5): a DAT declared
UTF-8 holding a Latin-1 byte is "not UTF-8" at its line, not "malformed or truncated"; a
clrmamepro DAT read as Windows-1252 says so once, naming the line; an empty DAT is "an empty
file"; a BIOS zip that cannot be read is "a damaged zip", not an unknown file.

Real files, real SQLite, the CLI in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

XML = (b'<?xml version="1.0" encoding="{enc}"?>\n<datafile><header><name>Nintendo - Game Boy '
       b'Color</name><version>1</version></header>\n<game name="Caf\xe9 (France)"><description>'
       b'Caf\xe9</description><rom name="Caf\xe9 (France).gbc" size="32768" crc="12345678"/>'
       b'</game></datafile>\n')
DOS = (b'clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion 1\n)\n\ngame (\n'
       b'\tname "Pok\x82mon (Japan)"\n\trom ( name "Pok\x82mon (Japan).gb" size 32768 '
       b'crc 12345678 )\n)\n')


def test_a_dat_declared_utf8_with_a_latin1_byte_is_said_not_utf8(cli: Any,
                                                                 tmp_path: Path) -> None:
    dat = tmp_path / "bad.dat"
    dat.write_bytes(XML.replace(b"{enc}", b"UTF-8"))
    result = cli("dat", "import", str(dat))
    assert result.code == 2
    assert f"error: {dat}: line 3 is not UTF-8 (byte 0xE9" in result.err, result.err
    assert "truncated" not in result.err
    # declared as what it is, it imports
    dat.write_bytes(XML.replace(b"{enc}", b"ISO-8859-1"))
    assert cli("dat", "import", str(dat)).code == 0
    listed = cli("--json", "dat", "ls").json()["data"]
    assert listed, listed


def test_a_clrmamepro_dat_read_as_windows_1252_says_so_once(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "dos.dat"
    dat.write_bytes(DOS + DOS[DOS.index(b"game ("):].replace(b"Japan", b"Korea"))
    result = cli("dat", "import", str(dat))
    assert result.code == 0, result.err
    said = [line for line in result.err.splitlines() if "not UTF-8" in line]
    assert len(said) == 1 and "line 7 is not UTF-8" in said[0] and "Windows-1252" in said[0], \
        result.err


def test_an_empty_dat_is_said_empty(cli: Any, tmp_path: Path) -> None:
    for content in (b"", b"\n  \n"):
        dat = tmp_path / "empty.dat"
        dat.write_bytes(content)
        result = cli("dat", "import", str(dat))
        assert result.code == 2 and f"{dat}: an empty file" in result.err, result.err


def test_a_damaged_bios_zip_is_said_damaged(cli: Any, tmp_path: Path) -> None:
    bios = tmp_path / "bios"
    bios.mkdir()
    (bios / "cut.zip").write_bytes(b"PK\x03\x04garbage")
    (bios / "other.bin").write_bytes(b"not a zip, not a bios")
    result = cli("bios", "scan", str(bios))
    lines = {line.split(":")[0].strip(): line for line in result.out.splitlines()
             if line.strip().startswith(("cut.zip", "other.bin"))}
    assert "a damaged zip" in lines["cut.zip"], result.out
    assert "damaged" not in lines["other.bin"], result.out
    files = {item["relative"]: item for item in
             cli("--json", "bios", "scan", str(bios)).json()["data"]["files"]}
    assert files["cut.zip"]["damaged"] and "damaged" not in files["other.bin"], files
