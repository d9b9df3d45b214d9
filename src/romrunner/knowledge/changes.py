"""What a re-import did to its source's answers: which games' ratings and settings it changed
or withdrew, and what an answer lost (QA153 F4/F7); which devices' performance tiers it
changed.

A source's answers at the keys a file gives are read before the import and again after it;
the difference names each game whose answer changed. A file cut exactly at a line break
reads as whole but its last entry says less than the real one: what that entry lost is
the sign of a cut file (see :func:`cut_last_entry`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from romrunner.cache.importfile import FileRow
from romrunner.cache.kinds import COMPAT, PERFORMANCE, SETTINGS
from romrunner.cache.lookup import (
    AnswerKey,
    PerfKey,
    source_aliases,
    source_answers,
    source_performance,
)
from romrunner.knowledge.model import Entry
from romrunner.knowledge.observations import ANY_GAME
from romrunner.store.database import Database
from romrunner.words import examples

NAMES_SHOWN = 10  # games named in a line of text (--json lists them all)
_WATCHED = (COMPAT, SETTINGS)


@dataclass(frozen=True)
class AnswerChange:
    """One key whose answer from the source an import changed (``now`` None: withdrawn;
    ``was`` None: a rating the source gives where it gave none before, on a re-import)."""

    kind: str
    platform_id: str
    key: str
    emulator_id: str
    title: str | None
    was: str | None
    now: str | None
    lost: tuple[str, ...] = ()  # what the answer no longer gives (settings: dotted keys)
    copied_from: str | None = None  # the key whose answer this key's row copied (an alias)
    device: str | None = None  # performance: the device the answer is for
    profiles: tuple[int, ...] = ()  # performance: its device profiles the answer is for

    @property
    def withdrawn(self) -> bool:
        """The import left the source no answer here."""
        return self.now is None

    @property
    def given(self) -> bool:
        """The import gave an answer where the source had none (given back, or new)."""
        return self.was is None

    def name(self) -> str:
        """The key and the title, as a user knows the game; a key that held a copy of
        another's answer names that one (its title is the other's)."""
        if self.copied_from is not None:
            of = f"{self.copied_from} {self.title}" if self.title else self.copied_from
            return f"{self.key}, copied from {of}"
        return f"{self.key} {self.title}" if self.title else self.key

    def described(self) -> str:
        """The game and what happened to its answer, for a line of text."""
        if self.kind == PERFORMANCE.name:
            return f"{self._performance_key()}: {self.was} -> {self.now}"
        if self.kind == COMPAT.name:
            if self.withdrawn:
                return f"{self.name()} (was {self.was})"
            if self.given:  # (said in a line of new ratings: no "(none) ->", qa177 F4)
                return f"{self.name()} ({self.now})"
            return f"{self.name()} {self.was} -> {self.now}"
        if self.lost:
            return f"{self.name()} ({examples(list(self.lost), 3)} dropped)"
        return self.name()

    def _performance_key(self) -> str:
        """A performance answer's key as a user reads it: ``ps2 games on odin-2 (profile
        5)``, ``gamecube GZLE01 with dolphin on …``."""
        games = "games" if self.key == ANY_GAME else self.key
        emulator = f" with {self.emulator_id}" if self.emulator_id else ""
        profiles = ", ".join(map(str, self.profiles))
        label = "profile" if len(self.profiles) == 1 else "profiles"
        return (f"{self.platform_id} {games}{emulator} on {self.device or 'a device'} "
                f"({label} {profiles})")

    def loss(self) -> str:
        """What the answer lost, for a line of text."""
        if self.kind == COMPAT.name:
            return f"{self.key}'s rating {self.was} withdrawn"
        if self.withdrawn:
            return f"{self.key}'s settings withdrawn ({examples(list(self.lost), 4)})"
        return f"{self.key}'s settings lose {examples(list(self.lost), 4)}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (settings as objects)."""
        data: dict[str, Any] = {
            "kind": self.kind, "platform_id": self.platform_id, "key": self.key,
            "emulator_id": self.emulator_id or None, "title": self.title,
            "was": _value(self.kind, self.was), "now": _value(self.kind, self.now),
            "lost": list(self.lost), "copied_from": self.copied_from}
        if self.kind == PERFORMANCE.name:
            data["device_id"], data["device_profile_ids"] = self.device, list(self.profiles)
        return data


@dataclass
class AnswerWatch:
    """A source's answers at the keys an import gives, read before it writes."""

    source: str
    keys: list[AnswerKey]
    titles: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, dict[AnswerKey, str]] = field(default_factory=dict)
    copied: dict[AnswerKey, str] = field(default_factory=dict)  # an alias key -> its original
    # the source's performance answers at the keys an envelope gives, and each device
    # profile's device (qa195 F3: a re-import that changed tiers said nothing)
    performance: dict[PerfKey, str] = field(default_factory=dict)
    devices: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of_entries(cls, db: Database, source: str, entries: Sequence[Entry],
                   unlisted: Sequence[AnswerKey] = ()) -> AnswerWatch:
        """The watch over every key of a knowledge file's entries (their own and their
        title's other serials), over the source's copies of their answers at other keys
        (aliases an import may withdraw: each re-import names what it withdrew), and over
        ``unlisted``: keys the file no longer lists, whose answers it withdraws."""
        titles: dict[str, str | None] = {}
        keys: dict[AnswerKey, None] = dict.fromkeys(unlisted)
        for entry in entries:
            for key in (entry.game_key, *entry.related_keys):
                titles.setdefault(key, entry.title)
                keys[(entry.platform_id, key, entry.emulator_id)] = None
        copied = _copies_of(db, source, set(keys))
        watch = cls._read(db, source, [*keys, *copied], titles)
        watch.copied = copied
        return watch

    @classmethod
    def of_rows(cls, db: Database, source: str,
                rows: Iterable[tuple[str, Mapping[str, object] | FileRow]],
                devices: Mapping[int, str] | None = None) -> AnswerWatch:
        """The watch over the compat, settings and performance keys of an envelope's rows
        (``devices``: each device profile's device, as a performance change names it)."""
        from romrunner.cache.ingest import stored_game_key

        keys: dict[AnswerKey, None] = {}
        performance: dict[PerfKey, None] = {}
        for kind, row in rows:
            value = row.value if isinstance(row, FileRow) else row
            if kind == PERFORMANCE.name and value is not None:
                if (key := _performance_key(value, stored_game_key)) is not None:
                    performance[key] = None
                continue
            if kind not in (COMPAT.name, SETTINGS.name) or value is None:
                continue
            ids = (value.get("platform_id"), value.get("definition_game_id"),
                   value.get("emulator_id"))
            if all(isinstance(part, str) and part for part in ids):
                platform, game, emulator = (str(part) for part in ids)
                keys[(platform, stored_game_key(game), emulator)] = None
        watch = cls._read(db, source, list(keys), {})
        watch.performance = source_performance(db, source, list(performance))
        watch.devices = dict(devices or {})
        return watch

    @classmethod
    def _read(cls, db: Database, source: str, keys: list[AnswerKey],
              titles: dict[str, str | None]) -> AnswerWatch:
        watch = cls(source, keys, titles)
        watch.before = {kind.name: source_answers(db, kind, source, keys) for kind in _WATCHED}
        return watch

    def changes(self, db: Database) -> list[AnswerChange]:
        """Each watched key whose answer the import changed or withdrew, in key order; on a
        re-import (the source had ratings at the watched keys), each rating it gives where
        the source had none too (QA174 F4: a rating given back flipped a verdict unsaid).
        A first import gives every rating: none is named."""
        found: list[AnswerChange] = []
        for kind in _WATCHED:
            before = self.before.get(kind.name, {})
            if not before:
                continue
            given = kind is COMPAT
            after = source_answers(db, kind, self.source,
                                   list(self.keys if given else before))
            for key in sorted(before.keys() | (after.keys() if given else set())):
                was, now = before.get(key), after.get(key)
                if now != was:
                    original = self.copied.get(key)
                    found.append(AnswerChange(
                        kind.name, key[0], key[1], key[2],
                        self.titles.get(key[1] if original is None else original), was, now,
                        _lost(kind.name, was, now), original))
        return [*found, *self._performance_changes(db)]

    def _performance_changes(self, db: Database) -> list[AnswerChange]:
        """Each performance answer the import changed (its tier, or its flag), one per
        device and key: the device's profiles named together. A tier given where the
        source had none is not named (a first import gives every tier)."""
        if not self.performance:
            return []
        after = source_performance(db, self.source, list(self.performance))
        profiles: dict[tuple[str, str, str, str, str, str], list[int]] = defaultdict(list)
        for key in sorted(self.performance):
            was, now = self.performance[key], after.get(key)
            if now is not None and now != was:
                profile, platform, game, emulator = key
                device = self.devices.get(profile, "")
                profiles[(device, platform, game, emulator, was, now)].append(profile)
        return [AnswerChange(PERFORMANCE.name, platform, game, emulator, None, was, now,
                             device=device or None, profiles=tuple(ids))
                for (device, platform, game, emulator, was, now), ids in profiles.items()]


def _performance_key(value: Mapping[str, object],
                     stored: Callable[[str], str]) -> PerfKey | None:
    """A performance row's key as stored (``stored``: the game key's stored spelling), or
    None for a row the import will refuse."""
    profile, platform = value.get("device_profile_id"), value.get("platform_id")
    game, emulator = value.get("definition_game_id"), value.get("emulator_id") or ""
    if isinstance(profile, bool) or not isinstance(profile, int) \
            or not isinstance(platform, str) or not isinstance(game, str) \
            or not platform or not game or not isinstance(emulator, str):
        return None
    return (profile, platform, stored(game), emulator)


def _copies_of(db: Database, source: str, keys: set[AnswerKey]) -> dict[AnswerKey, str]:
    """The source's rows, at keys not in ``keys``, that copy the answer of one of ``keys``
    (see :func:`~romrunner.cache.lookup.source_aliases`), each with the key it copies."""
    found: dict[AnswerKey, str] = {}
    for kind in _WATCHED:
        for key, original in source_aliases(db, kind, source):
            if key not in keys and (key[0], original, key[2]) in keys:
                found.setdefault(key, original)
    return found


def cut_last_entry(entry: Entry, changes: Sequence[AnswerChange]) -> list[AnswerChange]:
    """The changes that took something away from ``entry``'s answers: for the last entry
    of a file, what a file cut short at a line break looks like (its rating or fixes gone,
    a fix's key or list item missing). A changed value is no loss: a cut does not change
    what it keeps. An entry whose text ends inside its list of other serials counts the
    keys its answer was copied to as well: those the list no longer names may be cut from
    it (qa188 F6: a gamedb cut inside its last entry's `codes:` withdrew the rating of the
    codes cut, exit 0)."""
    keys = {entry.game_key, *entry.related_keys}
    return [change for change in changes
            if (change.key in keys or (entry.ends_in_related
                                       and change.copied_from == entry.game_key))
            and change.lost]


def _lost(kind: str, was: str | None, now: str | None) -> tuple[str, ...]:
    """What the new answer no longer gives of the old one."""
    if was is None or kind == PERFORMANCE.name:
        return ()
    if kind == COMPAT.name:
        return ("status",) if now is None else ()
    old = _value(kind, was)
    if now is None:
        return tuple(map(str, old)) if isinstance(old, dict) else ("settings",)
    return tuple(_missing(old, _value(kind, now), ""))


def _missing(old: object, new: object, path: str) -> Iterable[str]:
    """The dotted keys (and list items) of ``old`` that ``new`` lacks."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            yield path or "settings"
            return
        for name, value in old.items():
            where = f"{path}.{name}" if path else str(name)
            if name in new:
                yield from _missing(value, new[name], where)
            else:
                yield where
    elif isinstance(old, list):
        if not isinstance(new, list):
            yield path or "settings"
            return
        for item in old:
            if item not in new:
                yield f"{path}[{json.dumps(item)[:40]}]"


def _value(kind: str, text: str | None) -> object:
    if text is None or kind != SETTINGS.name:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def named(changes: Sequence[AnswerChange]) -> str:
    """The games of ``changes`` for a line of text: the first few, and how many more."""
    return examples([change.described() for change in changes], NAMES_SHOWN, "; ")
