"""What a re-import did to its source's answers: which games' ratings and settings it changed
or withdrew, and what an answer lost (QA153 F4/F7).

A source's answers at the keys a file gives are read before the import and again after it;
the difference names each game whose answer changed. A file cut exactly at a line break
reads as whole but its last entry says less than the real one: what that entry lost is
the sign of a cut file (see :func:`cut_last_entry`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from romrunner.cache.importfile import FileRow
from romrunner.cache.kinds import COMPAT, SETTINGS
from romrunner.cache.lookup import AnswerKey, source_aliases, source_answers
from romrunner.knowledge.model import Entry
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
        if self.kind == COMPAT.name:
            if self.withdrawn:
                return f"{self.name()} (was {self.was})"
            if self.given:  # (said in a line of new ratings: no "(none) ->", qa177 F4)
                return f"{self.name()} ({self.now})"
            return f"{self.name()} {self.was} -> {self.now}"
        if self.lost:
            return f"{self.name()} ({examples(list(self.lost), 3)} dropped)"
        return self.name()

    def loss(self) -> str:
        """What the answer lost, for a line of text."""
        if self.kind == COMPAT.name:
            return f"{self.key}'s rating {self.was} withdrawn"
        if self.withdrawn:
            return f"{self.key}'s settings withdrawn ({examples(list(self.lost), 4)})"
        return f"{self.key}'s settings lose {examples(list(self.lost), 4)}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (settings as objects)."""
        return {"kind": self.kind, "platform_id": self.platform_id, "key": self.key,
                "emulator_id": self.emulator_id, "title": self.title,
                "was": _value(self.kind, self.was), "now": _value(self.kind, self.now),
                "lost": list(self.lost), "copied_from": self.copied_from}


@dataclass
class AnswerWatch:
    """A source's answers at the keys an import gives, read before it writes."""

    source: str
    keys: list[AnswerKey]
    titles: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, dict[AnswerKey, str]] = field(default_factory=dict)
    copied: dict[AnswerKey, str] = field(default_factory=dict)  # an alias key -> its original

    @classmethod
    def of_entries(cls, db: Database, source: str, entries: Sequence[Entry]) -> AnswerWatch:
        """The watch over every key of a knowledge file's entries (their own and their
        title's other serials), and over the source's copies of their answers at other keys
        (aliases an import may withdraw: each re-import names what it withdrew)."""
        titles: dict[str, str | None] = {}
        keys: dict[AnswerKey, None] = {}
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
                rows: Iterable[tuple[str, Mapping[str, object] | FileRow]]) -> AnswerWatch:
        """The watch over the compat and settings keys of an envelope's rows."""
        from romrunner.cache.ingest import stored_game_key

        keys: dict[AnswerKey, None] = {}
        for kind, row in rows:
            value = row.value if isinstance(row, FileRow) else row
            if kind not in (COMPAT.name, SETTINGS.name) or value is None:
                continue
            ids = (value.get("platform_id"), value.get("definition_game_id"),
                   value.get("emulator_id"))
            if all(isinstance(part, str) and part for part in ids):
                platform, game, emulator = (str(part) for part in ids)
                keys[(platform, stored_game_key(game), emulator)] = None
        return cls._read(db, source, list(keys), {})

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
        return found


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
    if was is None:
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
