"""--json errors quoting a name give it as it is (qa206 F1: `{name!r}` put the terminal's
escapes into the JSON string — a BEL as the four characters `\\x07`, a backslash doubled);
the terminal keeps repr's quoting. First instance: `bios check`'s unknown emulator/platform
and `bios import-dat`'s refused DATs, named with romrunner.errors.quoted."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_quoted_is_repr_on_a_terminal_and_exact_in_json() -> None:
    from romrunner.errors import InputError, exact, quoted, shown
    name = "x\ay\\t'"
    message = f"unknown emulator {quoted(name)} (hint {quoted('')})"
    assert shown(message) == f"unknown emulator {name!r} (hint '')"
    assert exact(message) == "unknown emulator 'x\ay\\t'' (hint '')"
    error = InputError(message)
    assert str(error) == shown(message) and error.exact == exact(message)
    assert InputError("plain").exact is None
    # a name holding what looks like a marker is still one name
    tricky = quoted("\x00q3:abc\x00")
    assert exact(f"a {tricky} b") == "a '\x00q3:abc\x00' b"


def test_bios_check_unknown_emulator(cli: Any) -> None:
    assert cli("db", "init").code == 0
    name = "x\ay\\t"
    as_json = cli("--json", "bios", "check", "--emulator", name)
    assert as_json.code == 2
    assert as_json.json()["errors"][0].startswith(f"unknown emulator '{name}' (")
    text = cli("bios", "check", "--emulator", name)
    assert "error: unknown emulator 'x\\x07y\\\\t' (" in text.err and "\a" not in text.err
    platform = cli("--json", "bios", "check", "--platform", "p\x1bq")
    assert platform.json()["errors"][0].startswith("unknown platform 'p\x1bq' (")


def test_bios_import_dat_of_a_game_dat(cli: Any, tmp_path: Path) -> None:
    dat = tmp_path / "game.dat"
    dat.write_text('clrmamepro (\n\tname "Bell\\Games\ax"\n\tversion "t"\n)\ngame (\n'
                   '\tname "G"\n\trom ( name "Game (USA).gb" size 64 crc 00000001 )\n)\n')
    refused = cli("--json", "bios", "import-dat", dat)
    assert refused.code == 2
    assert refused.json()["errors"][0] == (
        f"{dat}: 'Bell\\Games\ax' is a game DAT, not a BIOS/system DAT like libretro's "
        "System.dat; import game catalogs with `romrunner dat import`")
    text = cli("bios", "import-dat", dat)
    assert f"error: {dat}: 'Bell\\\\Games\\x07x' is a game DAT" in text.err
