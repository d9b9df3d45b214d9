"""Counts in words: a message that counts says its noun in the number's form ("1 file",
"2 files", never "1 files")."""

from __future__ import annotations

import os
import re
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


def joined(items: Sequence[str], last: str = "and") -> str:
    """``items`` as a sentence lists them: ``a``, ``a and b``, ``a, b and c`` (review48a F7:
    three profiles' commands chained with "and"); ``last="or"``: ``a, b or c``."""
    if len(items) < 3:
        return f" {last} ".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


# The characters a terminal cannot show as they are (romrunner.cli.terminal shows them as
# escapes): C0 controls (newline and tab too: a file name may hold them, and a value must stay
# on its line and in its column), DEL, C1 controls, lone surrogates (undecodable bytes of a
# file name), and the invisible formatting characters that reorder or hide text (bidi
# overrides) — not the joiners (U+200C/D) of words and emoji.
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff"
                     "\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def shell_word(value: object) -> str:
    """``value`` (a path, a name, a query word) as a suggested command writes it, quoted for
    the shell when it must be: ``'/media/My Röms/bios'``, ``snes`` (qa173 F3: a hint that
    embeds a path with a space ran on a copy-paste as two words); a word holding a character
    a terminal cannot show (:data:`UNSHOWN`: a newline, a tab, a byte of no encoding) in
    bash's ``$'…'`` form, that character as its UTF-8 bytes (``\\xHH``, whatever the
    locale), so the hint pastes as that word (qa202 F3: the newline shown as ``\\n`` inside
    single quotes named another path). Every hint of the form `` `romrunner … PATH` ``
    builds its user words with this, never by ``str``."""
    text = str(os.fspath(value)) if isinstance(value, os.PathLike) else str(value)
    if UNSHOWN.search(text) is None:
        return shlex.quote(text)
    return "$'" + "".join(_ansi_c(character) for character in text) + "'"


_ANSI_C = {"\\": "\\\\", "'": "\\'"}


def _ansi_c(character: str) -> str:
    """``character`` as bash's ``$'…'`` quoting writes it: one a terminal shows as it is,
    else its bytes as ``\\xHH`` (a byte of a file name in no encoding, a lone surrogate, as
    that byte)."""
    if character in _ANSI_C:
        return _ANSI_C[character]
    if UNSHOWN.match(character) is None:
        return character
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # (os.fsdecode's stand-in for an undecodable byte)
        return f"\\x{code - 0xDC00:02x}"
    return "".join(f"\\x{byte:02x}"
                   for byte in character.encode("utf-8", errors="surrogatepass"))


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
