"""PCSX2's ``GameIndex.yaml`` (PS2): compatibility 0-6 and per-game fixes, keyed by serial."""

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

FORMAT = "pcsx2-gameindex"
SOURCE = "pcsx2-gameindex"
# Each per-game setting's type in PCSX2's schema: an entry giving another is not taken (a
# value of the wrong type is a damaged entry, not a setting).
SETTING_TYPES: dict[str, type] = {"gameFixes": list, "gsHWFixes": dict, "clampModes": dict,
                                  "roundModes": dict, "speedHacks": dict,
                                  "memcardFilters": list, "patches": dict}
SETTING_KEYS = ("gameFixes", "gsHWFixes", "clampModes", "roundModes", "speedHacks",
                "memcardFilters")


def looks_like(head: str) -> bool:
    """True when the text's start is a PCSX2 game index."""
    return "PCSX2 Game Database" in head or ("\n  name:" in head and "region: \"NTSC" in head
                                            and "compatibility:" not in head)


def _patches(value: object) -> dict[str, str]:
    """``patches: {name: {content: text}}`` (or ``{name: text}``) as ``{name: text}``."""
    if not isinstance(value, dict):
        return {}
    found: dict[str, str] = {}
    for name, patch in value.items():
        text = patch.get("content") if isinstance(patch, dict) else patch
        if isinstance(text, str):
            found[str(name)] = text
    return found


def _settings(body: dict[str, Any]) -> dict[str, Any] | None:
    settings = {key: body[key] for key in SETTING_KEYS if body.get(key) not in (None, [], {})}
    patches = _patches(body.get("patches"))
    if patches:
        settings["patches"] = patches
    return settings or None


def read(path: Path, report: ReadReport) -> Iterator[Entry]:
    """Each serial's entry: status from ``compat:`` (raw value kept), fixes as settings."""
    previous = None
    repeats = Repeats(report)
    for key, line, body, _ in yaml_entries(read_text(path), report):
        serial = database_key(key)
        if serial is None:
            report.skip(f"line {line}", not_a_serial(key, previous))
            continue
        previous = key
        wrong = next((key for key, kind in SETTING_TYPES.items()
                      if body.get(key) is not None and not isinstance(body[key], kind)), None)
        if wrong is not None:
            report.skip(f"line {line}", f"{key}: {wrong} is not a "
                        f"{'list' if SETTING_TYPES[wrong] is list else 'mapping'}")
            continue
        raw = body.get("compat")
        status = normalise_status(raw) if raw is not None else None
        if raw is not None and status is None:
            report.skip(f"line {line}", f"{key}: compat {raw!r} is not 0-6")
            continue
        if repeats.repeated(serial, line, body):
            continue
        name, region = body.get("name"), body.get("region")
        report.entries += 1
        yield Entry("ps2", "pcsx2", serial, title=name if isinstance(name, str) else None,
                    status=status, raw_status=None if raw is None else str(raw),
                    settings=_settings(body), settings_format=FORMAT,
                    region=region if isinstance(region, str) else None)
