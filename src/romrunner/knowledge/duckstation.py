"""DuckStation's ``gamedb.yaml`` (PS1): rating words, traits and settings, disc sets, codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from romrunner.knowledge.model import (
    Entry,
    ReadReport,
    database_key,
    normalise_status,
    not_a_serial,
)
from romrunner.knowledge.textfile import read_text
from romrunner.knowledge.yamlstream import Repeats, yaml_entries
from romrunner.library.serials import normalise_serial

FORMAT = "duckstation-gamedb"
SOURCE = "duckstation-gamedb"
SETTING_KEYS = ("traits", "settings")
_READ_KEYS = frozenset({"name", "compatibility", "discSet", "codes", *SETTING_KEYS})


def looks_like(head: str) -> bool:
    """True when the text's start is a DuckStation game database."""
    return ("\n  controllers:" in head or "\n  compatibility:" in head
            or "\n  codes:" in head or "\n  discSet:" in head)


def _serials(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    found = (normalise_serial(str(value)) for value in values)
    return tuple(serial for serial in found if serial)


def _said(compat: object) -> str | None:
    """The entry's own words on its rating: its ``comments`` and the version it was tested
    with (QA153 F3)."""
    if not isinstance(compat, dict):
        return None
    parts = [str(compat["comments"]).strip()] if compat.get("comments") else []
    if compat.get("versionTested"):
        parts.append(f"tested with {str(compat['versionTested']).strip()}")
    return "; ".join(part for part in parts if part) or None


def read(path: Path, report: ReadReport) -> Iterator[Entry]:
    """Each serial's entry; its ``codes`` (other serials of the same disc) become its related
    keys. ``discSet.serials`` are other discs, each looked up by its own serial (as DuckStation
    does): they share the set's name, never a disc's rating or settings (QA153 F6: a disc 2
    with no entry was given disc 1's rating, "same title as")."""
    previous = None
    repeats = Repeats(report)
    for key, line, body, last in yaml_entries(read_text(path), report, _READ_KEYS):
        serial = database_key(key)
        if serial is None:
            report.skip(f"line {line}", not_a_serial(key, previous))
            continue
        previous = key
        compat = body.get("compatibility")
        raw = compat.get("rating") if isinstance(compat, dict) else None
        status = normalise_status(raw) if raw is not None else None
        if raw is not None and status is None:
            report.skip(f"line {line}", f"{key}: unknown rating {raw!r}")
            continue
        if repeats.repeated(serial, line, body):
            continue
        found_set = body.get("discSet")
        disc_set: dict[str, Any] = found_set if isinstance(found_set, dict) else {}
        settings: dict[str, Any] = {k: body[k] for k in SETTING_KEYS if body.get(k)}
        related = tuple(dict.fromkeys(
            s for s in _serials(body.get("codes")) if s != serial))
        name = body.get("name")
        report.entries += 1
        yield Entry("psx", "duckstation", serial, title=name if isinstance(name, str) else None,
                    status=status, raw_status=None if raw is None else str(raw),
                    settings=settings or None, settings_format=FORMAT, related_keys=related,
                    disc_set=disc_set.get("name") if isinstance(disc_set.get("name"), str)
                    else None, comment=_said(compat),
                    # (qa188 F6: a file cut at a line break in this list loses the serials
                    # after the cut, and the rating copied to them)
                    ends_in_related=last == "codes")
