"""A lenient reader of the emulators' ini files (sections, ``key = value``, ``#``/``;`` comments).

configparser refuses duplicate keys and text before the first section, both of which real
files have; here a later duplicate wins and is counted, and the lines that are none of these
are kept with their line numbers, never fatal: a reader names those of the sections it reads
(a Dolphin ini's cheat and patch sections are lines of code, not ``key = value``).

A damaged section header (``[ClearToRAM`` without its ``]``) starts no section, and what
follows it, up to the next header, is credited to none: read as the previous section's, every
title of PPSSPP's ``[ClearToRAM]`` was stored with the flag before it (qa183 F4).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from romrunner.knowledge.model import ReadReport


@dataclass(frozen=True)
class StrayLine:
    """A line that is no ``[Section]``, ``key = value`` or comment."""

    line: int
    text: str
    section: str | None  # the section it is in; None before the first


@dataclass(frozen=True)
class BrokenHeader:
    """A section header missing a bracket, and what followed it up to the next header."""

    line: int
    text: str
    last_line: int  # the last line before the next header (or the end of the file)
    keys: int       # the ``key = value`` lines among them, not read
    names: tuple[str, ...] = ()  # those lines' keys (the games a reader must not answer less)


@dataclass
class IniText:
    """Sections in file order, each an ordered mapping; what was odd about the file."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)  # (section, key) as read
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (section, key) -> line
    comments: list[str] = field(default_factory=list)            # leading comment lines
    duplicates: int = 0
    conflicting: int = 0  # of the duplicates, those with another value than the key's first
    # each of those: (its line, the line of the value it replaced, section, key)
    conflicts: list[tuple[int, int, str, str]] = field(default_factory=list)
    stray: list[StrayLine] = field(default_factory=list)
    broken: list[BrokenHeader] = field(default_factory=list)

    @property
    def stray_lines(self) -> int:
        """How many lines were neither a section, a key nor a comment."""
        return len(self.stray)


# `[Core]`, also with anything after it (`[Core] ; …`, `[ClearToRAM] (added in 1.14)`), as
# the emulators' own readers take it: the name up to the first `]` (review39b F10: read as a
# stray line, the keys after it went to the section before)
_HEADER = re.compile(r"^\[([^\]]*)\].*$")
# a header missing a bracket: `[Core` (no `]`), `Core]` (no `[`, a plain name)
_BROKEN_HEADER = re.compile(r"^(\[[^\]=]*|[\w .-]+\])$")


def parse_ini(text: str) -> IniText:
    """Parse ``text`` leniently (see the module docstring)."""
    ini = IniText()
    current: dict[str, str] | None = None
    section: str | None = None
    broken: BrokenHeader | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line[0] in "#;":
            if current is None and broken is None:
                ini.comments.append(line.lstrip("#; ").rstrip())
            continue
        header = _HEADER.match(line)
        if header is not None or _BROKEN_HEADER.match(line):
            if broken is not None:
                ini.broken.append(broken)
                broken = None
            if header is not None:
                section = header.group(1).strip()
                current = ini.sections.setdefault(section, {})
            else:
                broken, current, section = BrokenHeader(number, line, number, 0), None, None
            continue
        key, equals, value = line.partition("=")
        if broken is not None:  # under a damaged header: read as no section's
            broken = BrokenHeader(broken.line, broken.text, number,
                                  broken.keys + (1 if equals else 0),
                                  broken.names + ((key.strip(),) if equals else ()))
            continue
        if current is None or section is None or not equals:
            ini.stray.append(StrayLine(number, line, section))
            continue
        key = key.strip()
        if key in current:
            ini.duplicates += 1
            if _without_comment(current[key]) != _without_comment(value):
                ini.conflicting += 1
                ini.conflicts.append((number, ini.lines[(section, key)], section, key))
        current[key] = value.strip()
        ini.lines[(section, key)] = number
        ini.order.append((section, key))
    if broken is not None:
        ini.broken.append(broken)
    return ini


def report_damage(ini: IniText, report: ReadReport, where: str = "",
                  free_text: Callable[[str], bool] = lambda section: False) -> list[StrayLine]:
    """Name in ``report`` (each one skipped) each damaged header, with how many keys after it
    were not read, and each stray line outside the sections ``free_text`` says hold lines of their
    own kind (a Dolphin ini's cheat codes). ``where`` prefixes the line numbers (a file name
    when a reader reads several files). Returns the stray lines named."""
    named: list[StrayLine] = []
    for bad in ini.broken:
        what = (f"the {bad.keys} key{'' if bad.keys == 1 else 's'} after it (to line "
                f"{bad.last_line}) not read" if bad.keys else "nothing after it read")
        report.skip(f"{where}line {bad.line}",
                    f"{bad.text[:60]!r} is a damaged section header (a bracket missing): "
                    f"{what}, as they belong to no section")
    for stray in ini.stray:
        if stray.section is not None and free_text(stray.section):
            continue
        what = ("is before the first [Section]" if stray.section is None and "=" in stray.text
                else "is no [Section], key = value or comment")
        report.skip(f"{where}line {stray.line}", f"{stray.text[:60]!r} {what}; not read")
        named.append(stray)
    return named


# A comment after a value (`true  # Demo`), as PPSSPP reads one: not part of what it says.
_COMMENT_AFTER = re.compile(r"\s+[#;]")


def _without_comment(value: str) -> str:
    return _COMMENT_AFTER.split(value.strip(), maxsplit=1)[0]
