"""Text from data made safe for a terminal: the one place text output is escaped.

File names, DAT titles, root paths and source names reach the terminal through a
:class:`SafeConsole` (rich markup, emoji codes and highlighting off; control characters shown as
escapes) or through :func:`visible` for lines printed without rich. ``--json`` output never
passes through here: it keeps the data exact, and so does data printed for a file (a CSV sent
to a file or a pipe: :meth:`SafeConsole.print_lines` with ``exact``); files the engine writes
(fixdats, cards) never pass through here either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from romrunner.words import UNSHOWN

# The characters shown as escapes (see romrunner.words.UNSHOWN). The CLI's own layout never
# passes a newline through here: rich adds the line ends, and text of several lines is printed
# a line at a time.
_UNSAFE = UNSHOWN
# A backslash that would read as one of the escapes above (QA44 F5: a name holding `\t`,
# backslash and t, was shown as one holding a TAB) — but for a stored byte escape, `\x80` to
# `\xff` (romrunner.library.summary.display_path: a byte of a name that was not UTF-8), which
# is shown as it is, as visible() shows such a byte (qa206 F4: `Caf\\xe9 (France).gb` read as a
# name holding two backslashes). No byte below 0x80 is ever so stored (ASCII is UTF-8): a
# `\x1b` in a stored name is a backslash, and doubled.
_READS_AS_ESCAPE = re.compile(r"\\(?=[ntru\\]|x(?![89a-f][0-9a-f]))")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x80:
        return f"\\x{code:02x}"
    # (a C1 control, U+0080 to U+009F, as \u0085: `\x85` is a stored byte that was not UTF-8,
    # and the two names are two files — review53e F1)
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` on one line, with every control or invisible character shown as an escape:
    ``\\n``, ``\\t``, ``\\r``, else ``\\xNN`` below 0x80 and for a byte that was not UTF-8,
    ``\\uNNNN`` beyond (a C1 control too)."""
    return _UNSAFE.sub(_escape_char, text)


def literal(name: str) -> str:
    """A name from data (a file's, a title) for a listing's cell: a backslash that would
    read as one of :func:`visible`'s escapes doubled first, so what is shown reads back one
    way. (Messages quote names with ``repr``, which does that itself.)

    A stored name's byte escape (``\\xe9``: a byte that was not UTF-8, see
    ``romrunner.library.summary.display_path``) is shown as it is, as :func:`visible` shows
    such a byte: ``Caf\\xe9 (France).gb``. A name that holds those four characters itself is
    stored the same way (the stored form cannot tell them apart: the scan keeps one of two
    such names in a folder, and a file is reopened by its literal name first), so it is shown
    the same way too. ``--json`` gives the stored text: a byte that is not UTF-8 as the four
    characters ``\\xNN`` (lowercase), never a lone surrogate, which strict JSON and UTF-8
    readers refuse."""
    return _READS_AS_ESCAPE.sub(r"\\\\", name)


class SafeConsole(Console):
    """A rich console that never interprets data: no markup, no emoji codes, no highlighting,
    and every string rendered through :func:`visible`. A line is never broken by the console
    (``soft_wrap``): the terminal wraps it, and a file or a pipe gets it whole — a command
    the output suggests, pasted back, runs (QA12 F7: the demo's "try:" lines were cut at 80
    columns when piped)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("highlight", False)
        kwargs.setdefault("soft_wrap", True)
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Render ``text`` literally, with control characters escaped."""
        kwargs["markup"] = False
        kwargs["emoji"] = False
        kwargs["highlight"] = False
        return super().render_str(visible(text), **kwargs)

    def print_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Rows of cells as tab-separated lines, each cell through :func:`visible` (a tab in
        data shows as ``\\t``; the separators stay tabs), written at once (see
        :meth:`print_lines`)."""
        if self.quiet:
            return
        self.file.write("".join("\t".join(visible(cell) for cell in row) + "\n"
                                for row in rows))

    def print_lines(self, lines: Iterable[str], *, exact: bool = False) -> None:
        """Plain lines (a CSV, a list), each through :func:`visible`, written at once: rich's
        layout costs ~50 µs a line, which a 100,000-line report would feel.

        ``exact``: the lines are data (a CSV): escaped only when they reach a terminal, written
        as they are to a file or a pipe (``> missing.csv`` holds the DAT's exact names)."""
        if self.quiet:
            return
        if exact and not _is_tty(self.file):
            self.file.write("".join(line + "\n" for line in lines))
        else:
            self.file.write("".join(visible(line) + "\n" for line in lines))
        self.file.flush()


def _is_tty(stream: Any) -> bool:
    """True when ``stream`` is a terminal (asked of the stream itself: FORCE_COLOR, which makes
    rich treat a file as a terminal, must not make a CSV written to a file inexact)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
