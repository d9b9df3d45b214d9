"""PPSSPP's ``compat.ini`` (PSP): each ``[Flag]`` section lists the title ids it applies to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from romrunner.errors import InputError
from romrunner.knowledge.inifile import parse_ini, report_damage
from romrunner.knowledge.model import Entry, ReadReport
from romrunner.knowledge.textfile import read_text
from romrunner.library.serials import normalise_serial
from romrunner.words import examples

FORMAT = "ppsspp-compat"
SOURCE = "ppsspp-compat"
_TITLE_ID = re.compile(r"^[A-Z0-9]{9}$")
_INLINE_COMMENT = re.compile(r"\s*[#;]")
_TITLE_IN_LINE = re.compile(r"\b[A-Z]{4}-?\d{5}\b")


def looks_like(head: str) -> bool:
    """True when the text's start is PPSSPP's compat.ini."""
    return "compat.ini for PPSSPP" in head or bool(re.search(r"^[A-Z]{4}\d{5}\s*=\s*true",
                                                             head, re.MULTILINE))


def read(path: Path, report: ReadReport) -> Iterator[Entry]:
    """One settings entry per title id: ``{"flags": [...]}``, the flags in file order.

    A file that does not end with a line break was cut short (a partial download, a full
    disk): a title's flags are spread over the file's sections, so any title's set of flags
    may be short; such a file is refused whole (QA32 F5: 29 titles' flags were shortened)."""
    text = read_text(path)
    if text and not text.endswith("\n"):
        raise InputError(f"{path}: the file ends inside a line, with no line break: cut "
                         "short? (a PPSSPP title's flags are spread over the whole file, so "
                         "none of it is imported)")
    ini = parse_ini(text)
    # (QA84 F11: upstream's own file repeats some lines, and exited 1 at every import: a
    # repeated key with its value is a note; only one saying otherwise is a skip)
    if ini.conflicting:
        # (qa188 F8: named with their lines, as a GameIndex's repeated serial is)
        where = [f"line {line} [{flag}] {key} (first at line {first})"
                 for line, first, flag, key in ini.conflicts]
        report.skip("file", f"{ini.conflicting} keys given twice with different values (their "
                    "titles keep the flags the cache held; one it held none of takes the "
                    f"last value): {examples(where, 3)}")
    if ini.duplicates > ini.conflicting:
        report.note("file", f"{ini.duplicates - ini.conflicting} keys given twice alike")
    # (qa183 F4: `[ClearToRAM` without its `]` credited its 22 titles to the flag before it,
    # exit 0: a damaged line is named, and the keys after a damaged header are read as none's)
    stray = report_damage(ini, report)
    # (qa188 F2: a title a damaged line names lost the flag it held, with the rest read: its
    # entry is marked damaged, and the importer keeps the flags stored before)
    damaged = {serial for bad in ini.broken for name in bad.names
               if (serial := normalise_serial(name)) is not None}
    damaged.update(serial for _, _, _, key in ini.conflicts  # (a skip too)
                   if (serial := normalise_serial(key)) is not None)
    damaged.update(serial for line in stray if line.section is not None
                   for found in _TITLE_IN_LINE.findall(line.text)
                   if (serial := normalise_serial(found)) is not None)
    flags: dict[str, list[str]] = {}
    for flag, entries in ini.sections.items():
        for title_id, value in entries.items():
            serial = normalise_serial(title_id)  # a few are written `UCES-01242`
            if serial is None or not _TITLE_ID.match(serial.replace("-", "")):
                report.note(f"[{flag}]", f"{title_id!r} is not a PSP title id; ignored")
                continue
            # (PPSSPP reads `# …` or `; …` after a value as a comment: QA54 F1, 34 titles'
            # flags dropped, `ULUS10006 = true # Metal Gear Acid`)
            setting = _INLINE_COMMENT.split(value, maxsplit=1)[0].strip().lower()
            if setting == "true":
                flags.setdefault(serial, []).append(flag)
            elif setting != "false":
                report.skip(f"line {ini.lines[(flag, title_id)]}",
                            f"[{flag}] {title_id} = {value!r}: neither true nor false")
                damaged.add(serial)
    for serial, names in flags.items():
        report.entries += 1
        yield Entry("psp", "ppsspp", serial, settings={"flags": names}, settings_format=FORMAT,
                    damaged=serial in damaged)
    # (a title each of whose lines is damaged is listed all the same: it keeps the flags
    # stored, not withdrawn as a title the file no longer lists)
    report.damaged_keys.update(damaged - flags.keys())
