"""Knowledge entries and our own JSON envelopes as cache observations (one row per kind).

Every row is a plain mapping in the shape :func:`romrunner.cache.ingest.ingest_observations`
takes (text ids and value columns); an item that cannot become one is a
:class:`~romrunner.cache.importfile.FileRow` with its ``problem`` set, so the ingest skips and
counts it where it is. The raw value a source wrote is kept next to the normalised one: a
status's raw word in ``notes`` (``raw: 5``), a settings format outside the cache's enum in
``format_detail`` (``pcsx2-gameindex``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from romrunner.cache.importfile import FileRow
from romrunner.knowledge.model import DOLPHIN_STATE, RAW_STATUS, Entry, game_key, normalise_status

COMPAT, SETTINGS, PERFORMANCE = "compat", "settings", "performance"
KindRow = tuple[str, "Mapping[str, object] | FileRow"]

STATUSES = frozenset({"perfect", "playable", "ingame", "menu_intro", "boots_only", "broken",
                      "unknown"})
SETTINGS_FORMATS = frozenset({"ini", "json", "xml", "custom"})
# Each knowledge format's settings: the cache's format enum, and the detail kept beside it.
FORMAT_SETTINGS = {
    "pcsx2-gameindex": "custom", "duckstation-gamedb": "custom", "ppsspp-compat": "ini",
    "dolphin-gameini": "ini",
}
# The emulators' own databases: the emulator applies these settings itself.
OFFICIAL_APPLY_MODE = "required"
OFFICIAL_CONFIDENCE = "high"
# RetroCatalog's conversion notes: score 0-100 onto tiers (lowest score of each tier).
SCORE_TIERS = ((80, "excellent"), (60, "good"), (40, "playable"), (1, "poor"), (0, "unplayable"))
ANY_GAME = "*"


def tier_of_score(score: int) -> str:
    """The performance tier of a 0-100 score (80-100 excellent … 0 unplayable)."""
    if not 0 <= score <= 100:
        raise ValueError(f"score {score} is not 0-100")
    return next(tier for lowest, tier in SCORE_TIERS if score >= lowest)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _notes(*parts: tuple[str, object]) -> str | None:
    text = "; ".join(f"{label}: {value}" for label, value in parts if value not in (None, ""))
    return text or None


def _joined(values: object) -> str | None:
    """A list of texts (an envelope's ``knownIssues``) as one, or None."""
    if not isinstance(values, list):
        return None
    return " | ".join(str(value).strip() for value in values if str(value).strip()) or None


def _setting_notes(notes: object, prefix: str = "") -> str | None:
    """An envelope's ``settingNotes`` (section -> key -> text, nested) as ``key: text`` parts,
    or None (QA153 F3: "Anything other than Safe causes freezing." was dropped)."""
    if isinstance(notes, str):
        return f"{prefix}: {notes.strip()}" if prefix and notes.strip() else None
    if not isinstance(notes, dict):
        return None
    parts = [_setting_notes(value, f"{prefix}.{key}" if prefix else str(key))
             for key, value in notes.items()]
    return " | ".join(part for part in parts if part) or None


def entry_rows(entries: Iterable[Entry], fmt: str) -> Iterator[KindRow]:
    """The compat and settings rows of a reader's entries; a DuckStation title's other
    serials (``codes``) get its rows too, unless the file has an entry of their own."""
    primary: set[str] = set()
    related: dict[str, Entry] = {}
    for entry in entries:
        primary.add(entry.game_key)
        for other in entry.related_keys:
            related.setdefault(other, entry)
        yield from _rows_of(entry, fmt, entry.game_key, None)
    for key, entry in related.items():
        if key not in primary:
            yield from _rows_of(entry, fmt, key, entry.game_key)


def _rows_of(entry: Entry, fmt: str, key: str, same_as: str | None) -> Iterator[KindRow]:
    ids = {"platform_id": entry.platform_id, "emulator_id": entry.emulator_id,
           "definition_game_id": key}
    described = (("title", entry.title), ("region", entry.region),
                 ("disc set", entry.disc_set), ("same title as", same_as),
                 ("source says", entry.comment))
    if entry.status is not None:
        yield COMPAT, {**ids, "status": entry.status, "confidence": OFFICIAL_CONFIDENCE,
                       "notes": _notes(("raw", entry.raw_status), *described)}
    if entry.settings:
        yield SETTINGS, {**ids, "settings_json": _dumps(entry.settings),
                         "settings_format": FORMAT_SETTINGS.get(fmt, "custom"),
                         "format_detail": fmt, "apply_mode": OFFICIAL_APPLY_MODE,
                         "confidence": OFFICIAL_CONFIDENCE, "notes": _notes(*described)}


# -- our own envelopes ------------------------------------------------------------------
class _Unusable(Exception):
    """An envelope item that cannot become an observation."""


def _text(item: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _game_key(item: Mapping[str, Any]) -> str:
    external = item.get("externalGameId")
    if isinstance(external, str) and external.strip():
        key = game_key(external)
        if key is None:
            raise _Unusable(f"externalGameId {external[:40]!r} is not a usable id (a serial "
                            "or a title id; a catalog id such as 'gb:Title (USA)', or '*' "
                            "for every game, goes in gameId)")
        return key
    game = _text(item, "gameId")
    if game is not None and game != "UNMAPPED":
        return game
    raise _Unusable("no game id (externalGameId or gameId)")


def _ids(item: Mapping[str, Any]) -> dict[str, object]:
    return {"platform_id": item.get("platformId"), "emulator_id": item.get("emulatorId"),
            "definition_game_id": _game_key(item)}


# The raw scales of the sources whose scale the engine knows: a raw value there says the
# status whatever an envelope's ``normalized`` says (QA84 F5: PCSX2's 5 was "playable" from
# its GameIndex and "perfect" from an envelope of the same source).
_SCALES: dict[str, Mapping[str, str]] = {
    "pcsx2-gameindex": {key: status for key, status in RAW_STATUS.items() if key.isdigit()},
    "dolphin-gameini": DOLPHIN_STATE}


def _status(value: object, source: str | None = None) -> tuple[str, object]:
    """(normalised status, raw value) of ``status`` as ``"word"`` or ``{raw, normalized}``;
    ``source``: the envelope's, whose known scale reads the raw value first."""
    raw, normalised = value, None
    if isinstance(value, dict):
        raw, normalised = value.get("raw"), value.get("normalized")
    on_scale = _SCALES.get(source or "", {}).get(str(raw).strip()) \
        if raw is not None and not isinstance(raw, bool) else None
    if on_scale is not None:
        return on_scale, raw
    if isinstance(normalised, str) and normalised in STATUSES:
        return normalised, raw
    found = normalise_status(raw)
    if found is None:
        raise _Unusable(f"status {raw!r} is not a known compatibility word")
    return found, raw


def _source_url(item: Mapping[str, Any]) -> str | None:
    links = item.get("links")
    link = links.get("source") if isinstance(links, dict) else None
    return _text(item, "sourceUrl") or (link if isinstance(link, str) else None)


def compat_item(item: Mapping[str, Any], source: str | None = None) -> dict[str, object]:
    """A ``compat-source-v1`` item (either variant) as a compat row (``source``: the
    envelope's)."""
    status, raw = _status(item.get("status"), source)
    return {**_ids(item), "status": status, "confidence": item.get("confidence"),
            "tested_version": item.get("testedVersion"), "source_url": _source_url(item),
            "last_updated": item.get("lastUpdated"),
            "notes": _notes(("raw", raw), ("title", item.get("title")),
                            ("notes", item.get("notes")))}


def settings_items(item: Mapping[str, Any], source: str | None = None
                   ) -> Iterator[tuple[str, dict[str, object]]]:
    """An ``emulator-settings-v1`` item's settings row, and its compat row when it carries a
    ``compatRating`` (``source``: the envelope's)."""
    ids = _ids(item)
    settings = item.get("settings")
    patches = item.get("patches")
    if isinstance(settings, dict) and isinstance(patches, dict) and patches:
        settings = {**settings, "patches": patches}
    declared = item.get("settingsFormat")
    fmt = declared if declared in SETTINGS_FORMATS else "custom"
    title = ("title", item.get("title"))
    found = False
    if settings not in (None, {}, []):
        found = True
        yield SETTINGS, {**ids, "settings_json": _dumps(settings), "settings_format": fmt,
                         "format_detail": declared if declared != fmt else None,
                         "apply_mode": item.get("applyMode"),
                         "confidence": item.get("confidence"),
                         "tested_version": item.get("testedVersion"),
                         "source_url": _source_url(item),
                         "notes": _notes(title, ("region", item.get("region")),
                                         ("notes", item.get("notes")),
                                         ("known issues", _joined(item.get("knownIssues"))),
                                         ("setting notes", _setting_notes(
                                             item.get("settingNotes"))))}
    if item.get("compatRating") is not None:
        found = True
        status, raw = _status(item["compatRating"], source)
        yield COMPAT, {**ids, "status": status, "confidence": item.get("confidence"),
                       "source_url": _source_url(item),
                       "notes": _notes(("raw", raw), title)}
    if not found:
        raise _Unusable("no settings and no compatRating")


def performance_items(item: Mapping[str, Any], profiles: Mapping[str, list[int]]
                      ) -> Iterator[tuple[str, dict[str, object]]]:
    """A ``device-performance-v1`` item (RetroCatalog-style) as one row per device profile
    of its device: ``score`` 0-100 → tier, ``gameId`` ``*`` (the default) platform-wide."""
    score = item.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise _Unusable(f"score {score!r} is not an integer 0-100")
    profile = item.get("deviceProfileId")
    device = item.get("deviceId")
    if isinstance(profile, int) and not isinstance(profile, bool):
        targets = [profile]
    elif isinstance(device, str) and device:
        targets = profiles.get(device, [])
        if not targets:
            raise _Unusable(f"device {device[:40]!r} has no device profile in this database")
    else:
        raise _Unusable("no deviceId or deviceProfileId")
    game = item.get("gameId", ANY_GAME)
    emulator = item.get("emulatorId")
    exclude = item.get("excludeFromAutoLists", False)
    for target in targets:
        yield PERFORMANCE, {
            "device_profile_id": target, "platform_id": item.get("platformId"),
            "definition_game_id": game, "emulator_id": None if emulator == ANY_GAME else emulator,
            "performance_tier": tier_of_score(score), "raw_score": score,
            "exclude_from_auto": exclude, "confidence": item.get("confidence"),
            "source_url": _source_url(item), "last_updated": item.get("lastUpdated"),
            "notes": _notes(("title", item.get("title")), ("notes", item.get("notes")))}


def envelope_rows(schema: str, rows: Iterable[FileRow], profiles: Mapping[str, list[int]],
                  source: str | None = None) -> Iterator[KindRow]:
    """The rows of an envelope's items (of ``source``); an unusable item stays a
    :class:`FileRow` problem (under the kind the envelope is mainly about)."""
    main = ENVELOPES[schema]
    for row in rows:
        if row.value is None:
            yield main, row
            continue
        try:
            if schema == COMPAT_ENVELOPE:
                found: list[tuple[str, Mapping[str, object]]] = [
                    (COMPAT, compat_item(row.value, source))]
            elif schema == SETTINGS_ENVELOPE:
                found = list(settings_items(row.value, source))
            else:
                found = list(performance_items(row.value, profiles))
        except _Unusable as exc:
            yield main, FileRow(row.where, None, str(exc))
            continue
        for kind, value in found:
            yield kind, FileRow(row.where, value)


COMPAT_ENVELOPE, SETTINGS_ENVELOPE, PERFORMANCE_ENVELOPE = (
    "compat-source-v1", "emulator-settings-v1", "device-performance-v1")
ENVELOPES = {COMPAT_ENVELOPE: COMPAT, SETTINGS_ENVELOPE: SETTINGS,
             PERFORMANCE_ENVELOPE: PERFORMANCE}
