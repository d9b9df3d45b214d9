"""A file name that is not UTF-8 is stored with ``\\xNN`` escapes (``Caf\\xe9 (France).gb``);
a listing showed the escape's backslash doubled (qa206 F4: ``Caf\\\\xe9``, as if the name held
two backslashes, while the README shows ``Caf\\xe9``). A stored byte escape is shown as
:func:`visible` shows such a byte; a backslash that reads as another escape is still doubled;
``--json`` gives the stored text (the byte as the four characters ``\\xNN``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.cli.terminal import literal, visible


def test_a_stored_byte_escape_is_shown_as_a_byte_is() -> None:
    assert visible(literal("Caf\\xe9 (France).gb")) == "Caf\\xe9 (France).gb" \
        == visible(os.fsdecode(b"Caf\xe9 (France).gb"))
    assert visible(literal("bad\\xff\\xfename")) == "bad\\xff\\xfename"
    assert visible(literal("x\\x80y")) == "x\\x80y"
    # not a byte escape: a backslash, doubled (no byte below 0x80 is stored so; the hex
    # display_path writes is lowercase)
    assert visible(literal("C\\x1bD")) == "C\\\\x1bD"
    assert visible(literal("C\\x7fD")) == "C\\\\x7fD"
    assert visible(literal("C\\xE9D")) == "C\\\\xE9D"
    assert visible(literal("C\\xzz")) == "C\\\\xzz"
    assert visible(literal("T\\tab")) == "T\\\\tab"
    # a real backslash before a byte escape: the backslash doubled, the byte as it is
    assert visible(literal("a\\\\xe9")) == "a\\\\\\xe9"
    # review53e F1: a byte 0x85 that was not UTF-8 and the character U+0085 (a C1 control)
    # are two names, shown apart
    assert visible(literal("Caf\\x85")) == "Caf\\x85" == visible(os.fsdecode(b"Caf\x85")) \
        != visible(literal("Caf\x85")) == "Caf\\u0085"
    assert visible("Nine\x9b31m") == "Nine\\u009b31m"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for index, name in enumerate((b"Caf\xe9 (France).gb", b"bad\xff\xfename (USA).gb",
                                  b"Tab\\tname (USA).gb")):
        with open(os.fsencode(gb) + b"/" + name, "wb") as handle:
            handle.write(bytes([index + 1]) * 4096)
    return tmp_path / "lib"


def test_listings_show_the_stored_escape_once(cli: Any, library: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan").code == 0
    listing = cli("games", "ls").out
    assert "Caf\\xe9 (France).gb" in listing and "Caf\\\\xe9" not in listing
    assert "bad\\xff\\xfename (USA).gb" in listing and "\\\\xff" not in listing
    assert "Tab\\\\tname (USA).gb" in listing  # a real backslash before t: doubled
    found = cli("search", "café").out
    assert "Caf\\xe9 (France).gb" in found and "Caf\\\\xe9" not in found
    games = cli("--json", "games", "ls").json()["data"]["games"]
    cafe = next(game for game in games if game["filename"].startswith("Caf"))
    assert cafe["filename"] == "Caf\\xe9 (France).gb"  # the stored text, four characters
    shown = cli("games", "show", str(cafe["id"])).out
    assert f"{library}/gb/Caf\\xe9 (France).gb" in shown and "\\\\xe9" not in shown
    raw = cli("--json", "games", "show", str(cafe["id"])).out
    assert "\\udce9" not in raw and json.loads(raw)["data"]["filepath"].endswith(
        "Caf\\xe9 (France).gb")
