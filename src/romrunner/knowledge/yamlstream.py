"""Top-level YAML mappings read one entry at a time (PCSX2's and DuckStation's databases).

Both files are one mapping of ``SERIAL:`` keys at column 0. Reading them entry by entry keeps
memory bounded, lets one broken entry be skipped and counted instead of refusing the file, and
lets an entry using anchors or aliases (a "billion laughs" bomb) be refused before it is built.
PyYAML's C loader parses each entry when it is available.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from romrunner.knowledge.model import ReadReport

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_ENTRY_CHARS = 1024 * 1024
_TOP_KEY = re.compile(r"^([^\s#\-][^:]*|\"[^\"]*\"|'[^']*'):(\s.*)?$")
_MAYBE_ALIAS = re.compile(r"(^|[\s:\[{,-])[&*][^\s]")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each top-level entry."""
    start, lines = 0, list[str]()
    for number, line in enumerate(text.split("\n"), 1):
        if _TOP_KEY.match(line):
            if lines:
                yield start, "\n".join(lines)
            start, lines = number, [line]
        elif lines:
            lines.append(line)
    if lines:
        yield start, "\n".join(lines)


def _uses_aliases(chunk: str) -> bool:
    if not _MAYBE_ALIAS.search(chunk):
        return False
    try:
        return any(isinstance(token, (yaml.AliasToken, yaml.AnchorToken))
                   for token in yaml.scan(chunk, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return False  # the load below reports it


_SUB_KEY = re.compile(r"^  ([A-Za-z_][\w-]*):")


def _only(chunk: str, keep: frozenset[str]) -> str:
    """The entry with only the second-level blocks named in ``keep`` (a block ends where the
    next line at its two-space indentation starts): PyYAML builds every node in Python, so
    not parsing the blocks a reader ignores is most of its speed (measured: DuckStation's
    metadata and controllers are two thirds of its nodes)."""
    lines = chunk.split("\n")
    kept = [lines[0]]
    keeping = True
    for line in lines[1:]:
        match = _SUB_KEY.match(line)
        if match:
            keeping = match.group(1) in keep
        elif line.startswith("  ") and not line.startswith("   ") and line.strip()[:1] != "#":
            keeping = True  # not a `key:` line at this level (a list item): keep to be safe
        if keeping:
            kept.append(line)
    return "\n".join(kept)


def _last_block(chunk: str) -> str | None:
    """The name of the entry's last second-level block as the file has it (``codes``)."""
    for line in reversed(chunk.split("\n")):
        match = _SUB_KEY.match(line)
        if match:
            return match.group(1)
    return None


def yaml_entries(text: str, report: ReadReport, keep: frozenset[str] | None = None
                 ) -> Iterator[tuple[str, int, dict[str, Any], str | None]]:
    """(key, line, mapping, the name of its last block in the file) of each well-formed
    top-level entry; the rest skipped in ``report``.

    With ``keep``, only those second-level keys are parsed (the others are never built).
    """
    # A file that does not end with a line break was cut short (a partial download, a full
    # disk): its last entry may be valid YAML that says less or other than the whole (QA23
    # F3: `gsHWFixes: half` replaced a good `{halfPixelOffset: 1}`), so it is skipped.
    cut = bool(text) and not text.endswith("\n")
    chunks = _chunks(text)
    following = next(chunks, None)
    while following is not None:
        (line, full), following = following, next(chunks, None)
        where = f"line {line}"
        if cut and following is None:
            report.skip(where, "the file ends inside this entry, with no line break: cut short? "
                        "(entry skipped)")
            break
        chunk = full if keep is None else _only(full, keep)
        if len(chunk) > MAX_ENTRY_CHARS:
            report.skip(where, f"entry of {len(chunk):,} characters is too large")
            continue
        if _uses_aliases(chunk):
            report.skip(where, "YAML anchors/aliases are not used by this format; entry refused")
            continue
        try:
            loaded = yaml.load(chunk, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem", None) or "not valid YAML"
            report.skip(where, str(mark))
            continue
        except RecursionError:
            report.skip(where, "nested too deeply")
            continue
        if not isinstance(loaded, dict) or len(loaded) != 1:
            report.skip(where, "not a `KEY:` mapping entry")
            continue
        ((key, body),) = loaded.items()
        if not isinstance(body, dict):
            report.skip(where, f"{key}: entry is not a mapping")
            continue
        yield str(key), line, body, _last_block(full)


class Repeats:
    """The keys a database file gives twice. The first entry of a serial is kept and a repeat
    is not read: one alike is said, one with other values is skipped and named with its line
    (qa188 F8: the later entry replaced the first unsaid, playable -> broken)."""

    def __init__(self, report: ReadReport) -> None:
        self.report = report
        self.first: dict[str, tuple[int, int]] = {}  # key -> (line, hash of its entry)

    def repeated(self, key: str, line: int, body: dict[str, Any]) -> bool:
        """True when ``key`` was read before: this entry at ``line`` is then not read."""
        digest = hash(json.dumps(body, sort_keys=True, default=str))
        earlier = self.first.get(key)
        if earlier is None:
            self.first[key] = (line, digest)
            return False
        if earlier[1] == digest:
            self.report.note(f"line {line}", f"{key} given again, alike (first at line "
                             f"{earlier[0]}): the repeat ignored")
        else:
            self.report.skip(f"line {line}", f"{key} given again with other values (first "
                             f"at line {earlier[0]}): this repeat skipped, the first kept")
        return True
