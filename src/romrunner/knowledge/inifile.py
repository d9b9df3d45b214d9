"""A lenient reader of the emulators' ini files (sections, ``key = value``, ``#``/``;`` comments).

configparser refuses duplicate keys and text before the first section, both of which real
files have; here a later duplicate wins and is counted, and lines outside a section are
reported, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class IniText:
    """Sections in file order, each an ordered mapping; what was odd about the file."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)  # (section, key) as read
    comments: list[str] = field(default_factory=list)            # leading comment lines
    duplicates: int = 0
    conflicting: int = 0  # of the duplicates, those with another value than the key's first
    stray_lines: int = 0


def parse_ini(text: str) -> IniText:
    """Parse ``text`` leniently (see the module docstring)."""
    ini = IniText()
    current: dict[str, str] | None = None
    section = ""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line[0] in "#;":
            if current is None:
                ini.comments.append(line.lstrip("#; ").rstrip())
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            current = ini.sections.setdefault(section, {})
            continue
        key, equals, value = line.partition("=")
        if current is None or not equals:
            ini.stray_lines += 1
            continue
        key = key.strip()
        if key in current:
            ini.duplicates += 1
            if _without_comment(current[key]) != _without_comment(value):
                ini.conflicting += 1
        current[key] = value.strip()
        ini.order.append((section, key))
    return ini


# A comment after a value (`true  # Demo`), as PPSSPP reads one: not part of what it says.
_COMMENT_AFTER = re.compile(r"\s+[#;]")


def _without_comment(value: str) -> str:
    return _COMMENT_AFTER.split(value.strip(), maxsplit=1)[0]
