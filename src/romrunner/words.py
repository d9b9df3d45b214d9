"""Counts in words: a message that counts says its noun in the number's form ("1 file",
"2 files", never "1 files")."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` (thousands separated) and ``noun`` in its form: ``1 file``, ``1,024 files``;
    ``plural`` when it is not ``noun`` + "s" (``1 copy``, ``2 copies``)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def examples(items: Sequence[str], shown: int = 3, sep: str = ", ") -> str:
    """The first ``shown`` of ``items`` joined by ``sep``, and how many more (thousands
    separated): ``a.sfc, b.sfc, c.sfc and 1,204 more``; with ``sep="; "``, ``…; and 1,204
    more``. A message that names what it counts names a few and counts the rest, so that
    15,000 of them are one line."""
    more = len(items) - shown
    if more <= 0:
        return sep.join(items)
    return sep.join(items[:shown]) + (" and" if sep == ", " else f"{sep}and") + f" {more:,} more"


def shell_word(value: object) -> str:
    """``value`` (a path, a name, a query word) as a suggested command writes it, quoted for
    the shell when it must be: ``'/media/My Röms/bios'``, ``snes`` (qa173 F3: a hint that
    embeds a path with a space ran on a copy-paste as two words); a word holding a character
    a terminal cannot show (a newline, a tab, a byte of no encoding) in the shell's
    ``$'…'`` form, which names it in printable characters (qa202 F3: the newline shown as
    ``\\n`` inside single quotes named another path). Every hint of the form
    `` `romrunner … PATH` `` builds its user words with this, never by ``str``."""
    text = str(os.fspath(value)) if isinstance(value, os.PathLike) else str(value)
    if all(character.isprintable() for character in text):
        return shlex.quote(text)
    return "$'" + "".join(_ansi_c(character) for character in text) + "'"


_ANSI_C = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _ansi_c(character: str) -> str:
    """``character`` as the shell's ``$'…'`` quoting writes it: printable as it is, a byte
    of a file name in no encoding (a lone surrogate) as ``\\xHH``, others by code point."""
    if character in _ANSI_C:
        return _ANSI_C[character]
    if character.isprintable():
        return character
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # (os.fsdecode's stand-in for an undecodable byte)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x80 else f"\\U{code:08x}"


def size_text(size: float | None) -> str:
    """A size in bytes for people: ``512 B``, ``20.0 KiB``, ``3.5 MiB``, ``4.2 GiB``."""
    value = float(size or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def shortened(text: str, most: int = 240) -> str:
    """``text`` as is, or its start and end around ``…`` when it is longer than ``most``
    characters: a path 40 folders deep is one line a person can read (QA124 F5: 4,300
    characters); ``--json`` keeps the whole."""
    if len(text) <= most:
        return text
    head = most // 3
    return f"{text[:head]}…{text[-(most - head - 1):]}"
