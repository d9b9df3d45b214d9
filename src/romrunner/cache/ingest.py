"""Writing observations from a source, and keeping the best answers right in the same step.

A refresh from a source replaces that source's row for each key (UPSERT on key + source);
the best answer of every key touched is recomputed in the same transaction. Work is done
set-based per batch through a temp staging table, so the statement count per batch is
constant whatever the batch size.

An import is one transaction: whatever stops it (a database error, Ctrl-C, an unreadable
file) leaves nothing behind, not even the source's registration. An entry that is not a
usable observation (wrong type, unknown value, empty id, lone surrogate, a number outside
SQLite's range, NaN, a boolean where a number belongs) is skipped and counted, never an
internal error; ``strict`` refuses the whole file instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter

from romrunner.cache.best import (
    KEYS_TABLE,
    apply_source_batch,
    drop_unobserved_best,
    note_worsened_keys,
    recompute_best,
    reset_changed_keys,
)
from romrunner.cache.importfile import FileRow
from romrunner.cache.kinds import DIMENSIONS, VALUE_DEFAULTS, CacheKind
from romrunner.cache.sources import CacheSource, default_ttl_hours, ensure_source, find_source
from romrunner.errors import InputError
from romrunner.library.serials import leading_serial, normalise_serial
from romrunner.store.database import Database
from romrunner.textnorm import storable
from romrunner.timeutil import from_text, hours_from, now_text, to_epoch

BATCH_SIZE = 20_000
PROBLEMS_KEPT = 5  # skipped entries described in the result (the rest are counted)
_STAGE = "temp.rr_stage"
_RESOLVED = "temp.rr_resolved"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_ALLOWED: dict[str, frozenset[str]] = {
    "status": frozenset({"perfect", "playable", "ingame", "menu_intro", "boots_only",
                         "broken", "unknown"}),
    "performance_tier": frozenset({"excellent", "good", "playable", "poor", "unplayable",
                                   "unknown"}),
    "confidence": frozenset({"high", "medium", "low"}),
    "apply_mode": frozenset({"suggested", "auto", "required"}),
    "settings_format": frozenset({"ini", "json", "xml", "custom"}),
}
_INTEGER_VALUES = frozenset({"raw_score"})
_FLAG_VALUES = frozenset({"requires_settings", "exclude_from_auto"})


@dataclass(frozen=True)
class RowProblem:
    """An entry that was skipped: where it is and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest_observations` wrote, and what it skipped."""

    observations: int
    batches: int
    source: str
    expires_at: str | None
    skipped: int = 0
    problems: tuple[RowProblem, ...] = ()  # the first PROBLEMS_KEPT skipped entries
    registered: bool = False               # the source was new and registered by this import
    skipped_at: tuple[str, ...] = ()       # where each skipped entry is (``item 1``), in order


@dataclass
class _Tally:
    label: str = ""
    strict: bool = False
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped_at: list[str] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        if self.strict:  # the first unusable entry refuses the file (the caller rolls back)
            raise InputError(f"{self.label}refused (--strict), nothing imported: "
                             f"{where}: {reason}")
        self.skipped += 1
        self.skipped_at.append(where)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(RowProblem(where, reason))

    def summary(self) -> str:
        return f"{self.skipped:,} skipped: " + "; ".join(map(str, self.problems)) + (
            "; ..." if self.skipped > len(self.problems) else "")


class _BadRow(Exception):
    """One entry is not a usable observation (caught and counted, never raised out)."""


def ingest_observations(db: Database, kind: CacheKind, source_id: str,
                        rows: Iterable[Mapping[str, object] | FileRow], *,
                        fetched_at: str | None = None, batch_size: int = BATCH_SIZE,
                        new_source: bool = False, strict: bool = False,
                        origin: str | None = None) -> IngestResult:
    """Store ``rows`` as observations of ``source_id`` and update the best answers.

    Each row gives the key as text IDs (``platform_id``, ``emulator_id``,
    ``definition_game_id``; performance rows also ``device_profile_id``) and the value
    columns of ``kind``. The whole import is one transaction. Unusable entries are skipped
    and counted (``strict``: the import is refused instead). A source that neither the pack
    nor this database knows is refused unless ``new_source``. An import with no usable entry
    is refused and changes nothing. ``origin`` (the file) prefixes the error messages.
    """
    label = f"{origin}: " if origin else ""
    fetched = fetched_at or now_text()
    try:
        fetched_moment = from_text(fetched)
    except ValueError:
        raise InputError(f"fetched time {fetched!r} is not YYYY-MM-DD HH:MM:SS (UTC)") from None
    tally = _Tally(label, strict)
    written = batches = 0
    with db.atomic():
        source, registered = _import_source(db, source_id, new_source, label)
        expires = None if source.ttl_hours is None else hours_from(fetched_moment,
                                                                   source.ttl_hours)
        fetched_s, expires_s = to_epoch(fetched), None if expires is None else to_epoch(expires)
        profiles = _device_profiles(db) if kind.int_keys else frozenset()
        for batch in _batches(_validated(kind, rows, tally, profiles), batch_size):
            _write_batch(db, kind, source, batch, fetched_s, expires_s)
            written += len(batch)
            batches += 1
        if not written:
            detail = f" ({tally.summary()})" if tally.skipped else " (no entries)"
            raise InputError(f"{label}no usable observation, nothing imported{detail}")
    return IngestResult(written, batches, source_id, expires, tally.skipped,
                        tuple(tally.problems), registered, tuple(tally.skipped_at))


def holds_observations(db: Database, kind: CacheKind, source_id: str) -> bool:
    """True when the cache holds answers of ``kind`` from ``source_id``."""
    return bool(db.scalar(f"SELECT EXISTS (SELECT 1 FROM {kind.observations} o JOIN "
                          "cache_sources s ON s.id = o.source WHERE s.source_id = ?)",
                          (source_id,)))


def withdraw_observations(db: Database, kind: CacheKind, source_id: str,
                          keys: list[tuple[str, str, str]]) -> int:
    """Delete ``source_id``'s observations of ``kind`` at ``keys`` (text ids in the order of
    ``kind.dim_keys``: platform, game key, emulator) and recompute those keys' best answers;
    the count deleted. For a newer file of the source whose entry no longer gives that kind
    (QA84 F1: its rating or fixes dropped upstream, the old ones stayed the answer). Not for
    keyed-by-profile kinds."""
    source = find_source(db, source_id)
    if source is None or not keys or kind.int_keys:
        return 0
    columns = [DIMENSIONS[key][1] for key in kind.dim_keys]
    db.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    db.execute(f"CREATE TABLE {_STAGE} ({', '.join(columns)})")
    db.executemany(f"INSERT INTO {_STAGE} VALUES ({', '.join('?' for _ in columns)})", keys)
    reset_changed_keys(db, kind)
    on_keys = " AND ".join(f"o.{key} = {expr}" for key, expr in
                           zip(kind.keys, _resolved_keys(kind).split(", "), strict=True))
    db.execute(f"INSERT OR IGNORE INTO {KEYS_TABLE} SELECT {_resolved_keys(kind)} "
               f"FROM {_stage_joined(kind)} WHERE EXISTS (SELECT 1 FROM {kind.observations} o "
               f"WHERE o.source = ? AND {on_keys})", (source.id,))
    deleted = db.execute(f"DELETE FROM {kind.observations} WHERE source = ? AND "
                         f"({', '.join(kind.keys)}) IN (SELECT {', '.join(kind.keys)} "
                         f"FROM {KEYS_TABLE})", (source.id,)).rowcount
    recompute_best(db, kind)
    drop_unobserved_best(db, kind)
    return int(deleted)


def stored_game_key(value: str) -> str:
    """A game key as an import stores it: a serial in its one spelling (QA54 F7), another id
    as given. (The per-row reader does the same inline: its loop is the ingest's cost.)"""
    if len(value) == 10 and value[4] == "-" and value[:4].isupper():
        return value
    return normalise_serial(value) or leading_serial(value) or value


def _import_source(db: Database, source_id: str, new_source: bool,
                   label: str = "") -> tuple[CacheSource, bool]:
    """The source an import writes to; an unknown one only with ``new_source`` (``label``:
    the file's, for the message: QA84 F10, one of 300 files named it)."""
    known = find_source(db, source_id)
    if known is not None:
        return known, False
    if not new_source:
        raise InputError(
            f"{label}unknown cache source {source_id!r}: neither the pack nor this database lists "
            f"it (`romrunner cache sources`); check the name, or pass --new-source to register "
            f"it (TTL {default_ttl_hours(source_id)} h, ranked after every listed source)")
    return ensure_source(db, source_id), True


def _device_profiles(db: Database) -> frozenset[int]:
    return frozenset(int(row[0]) for row in db.query("SELECT id FROM device_profiles"))


def _write_batch(db: Database, kind: CacheKind, source: CacheSource,
                 batch: list[tuple[object, ...]], fetched_s: int, expires_s: int | None) -> None:
    staged = _stage(db, kind, batch)
    _resolve_dimensions(db, kind, staged)
    note_worsened_keys(db, kind, source.id, f"{_RESOLVED} s",
                       [f"s.{key}" for key in kind.keys], fetched_s)
    _upsert_observations(db, kind, source.id, fetched_s, expires_s)
    apply_source_batch(db, kind, source.id)


def _validated(kind: CacheKind, rows: Iterable[Mapping[str, object] | FileRow],
               tally: _Tally, profiles: frozenset[int]) -> Iterator[tuple[object, ...]]:
    read = _row_reader(kind, profiles)
    for number, row in enumerate(rows, start=1):
        if isinstance(row, FileRow):
            where, value, problem = row.where, row.value, row.problem
        else:
            where, value, problem = "", row, None
        if problem is None:
            try:
                # a dict skips the ABC check (measured: 5% of the ingest's Python time)
                if type(value) is not dict and not isinstance(value, Mapping):
                    raise _BadRow("not a JSON object")
                yield read(value)
                continue
            except _BadRow as exc:
                problem = str(exc)
        tally.skip(where or f"observation {number}", problem)


# How a value column is checked: an enum, free text, or anything else (flags, integers).
_ENUM, _TEXT, _OTHER = 0, 1, 2


def _row_reader(kind: CacheKind, profiles: frozenset[int]
                ) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """The function that turns one entry into its staging tuple (or raises :class:`_BadRow`
    saying what is wrong). Everything that depends only on the kind is worked out here,
    once: the per-row loop is the ingest's Python cost (measured: a fifth of its CPU time
    at 5M rows). A column's default is valid by construction and is not checked again."""
    int_keys = kind.int_keys
    text_keys = tuple(DIMENSIONS[key][1] for key in kind.dim_keys)
    any_emulator = bool(int_keys)  # a performance answer may hold for any emulator
    columns = tuple(
        (column, VALUE_DEFAULTS.get(column), column in kind.required,
         _ENUM if column in _ALLOWED else _OTHER
         if column in _FLAG_VALUES or column in _INTEGER_VALUES else _TEXT,
         _ALLOWED.get(column, frozenset()))
        for column in kind.values)

    def read(row: Mapping[str, object]) -> tuple[object, ...]:
        values: list[object] = []
        append, get = values.append, row.get
        for key in int_keys:
            number = _integer(key, get(key))
            if number is None:
                raise _BadRow(f"{key} is missing")
            if number not in profiles:
                raise _BadRow(f"{key} {number} is not a device profile of this database")
            append(number)
        for key in text_keys:
            value = get(key)
            if isinstance(value, str) and value and not value.isspace():
                if key == "definition_game_id" and not (
                        len(value) == 10 and value[4] == "-" and value[:4].isupper()) \
                        and (serial := normalise_serial(value) or leading_serial(value)) \
                        is not None:
                    value = serial  # (the one spelling the games' keys have: QA54 F7)
                append(value if value.isascii() else _text(key, value))
            elif value is None and key == "emulator_id" and any_emulator:
                append("")
            elif value is None:
                raise _BadRow(f"{key} is missing")
            else:
                raise _BadRow(f"{key} must be a non-empty text id, not {_shown(value)}")
        for column, default, required, check, allowed in columns:
            value = get(column)
            if value is None:
                if default is None and required:
                    raise _BadRow(f"{column} is missing")
                append(default)
            elif type(value) is str and (value in allowed if check == _ENUM
                                         else check == _TEXT and value.isascii()):
                append(value)
            else:
                append(_value(kind, column, value))
        return tuple(values)

    return read


def _value(kind: CacheKind, column: str, value: object) -> object:
    if value is None:
        if column in kind.required:
            raise _BadRow(f"{column} is missing")
        return None
    if column in _FLAG_VALUES:
        if type(value) in (bool, int) and value in (0, 1):
            return int(bool(value))
        raise _BadRow(f"{column} must be true/false (or 1/0), not {_shown(value)}")
    if column in _INTEGER_VALUES:
        return _integer(column, value)
    allowed = _ALLOWED.get(column)
    if allowed is not None and (not isinstance(value, str) or value not in allowed):
        raise _BadRow(f"{column} {_shown(value)} is not one of {', '.join(sorted(allowed))}")
    if not isinstance(value, str):
        raise _BadRow(f"{column} must be text, not {_shown(value)}")
    return _text(column, value)


def _integer(column: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadRow(f"{column} must be an integer, not {_shown(value)}")
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise _BadRow(f"{column} {_shown(value)} is out of range")
    return value


def _text(column: str, value: str) -> str:
    if not storable(value):
        raise _BadRow(f"{column} holds an invalid character (a lone surrogate)")
    return value


def _shown(value: object) -> str:
    """A short description of a bad value for a message."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    if isinstance(value, str):
        return repr(value[:40]) + ("..." if len(value) > 40 else "")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**20:
        return f"an integer of {len(str(abs(value)))} digits"
    return repr(value)


def _batches(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _stage(db: Database, kind: CacheKind, batch: list[tuple[object, ...]]) -> tuple[str, ...]:
    """Write the batch to the staging table; returns the value columns staged. An optional
    column (no default) that no entry of the batch fills is left out, not bound as NULLs:
    most sources fill few of them, and binding them was half of this insert's time
    (measured: 2.1 -> 1.1 us a row with four of nine columns empty)."""
    first = len(kind.int_keys) + len(kind.dim_keys)
    kept = [index for index, column in enumerate(kind.values, start=first)
            if column in kind.required or VALUE_DEFAULTS.get(column) is not None
            or any(row[index] is not None for row in batch)]
    values = tuple(kind.values[index - first] for index in kept)
    columns = [*kind.int_keys, *(DIMENSIONS[key][1] for key in kind.dim_keys), *values]
    rows: Iterable[tuple[object, ...]] = batch
    if len(values) < len(kind.values):
        rows = map(itemgetter(*range(first), *kept), batch)
    db.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    db.execute(f"CREATE TABLE {_STAGE} ({', '.join(columns)})")
    db.executemany(f"INSERT INTO {_STAGE} VALUES ({', '.join('?' for _ in columns)})", rows)
    reset_changed_keys(db, kind)
    return values


def _resolve_dimensions(db: Database, kind: CacheKind, staged: tuple[str, ...]) -> None:
    for key in kind.dim_keys:
        table, column = DIMENSIONS[key]
        db.execute(f"INSERT OR IGNORE INTO {table} ({column}) "
                   f"SELECT DISTINCT {column} FROM {_STAGE}")
    # The batch with its integer keys, resolved once: the statements after this read it
    # instead of joining the dictionaries again (measured: +6% rows per CPU second).
    keys = ", ".join(f"{expr} AS {key}" for expr, key in
                     zip(_resolved_keys(kind).split(", "), kind.keys, strict=True))
    db.execute(f"DROP TABLE IF EXISTS {_RESOLVED}")
    values = ", ".join(f"s.{v}" if v in staged else f"NULL AS {v}" for v in kind.values)
    # Created in key order: the changed keys, the worsened-key check and the upsert then
    # read it in the order of the tables they write, and it is sorted once.
    db.execute(f"CREATE TABLE {_RESOLVED} AS SELECT {keys}, {values} "
               f"FROM {_stage_joined(kind)} ORDER BY {', '.join(kind.keys)}")
    db.execute(f"INSERT OR IGNORE INTO {KEYS_TABLE} SELECT {', '.join(kind.keys)} "
               f"FROM {_RESOLVED}")


def _resolved_keys(kind: CacheKind) -> str:
    return ", ".join([*(f"s.{key}" for key in kind.int_keys),
                      *(f"d_{key}.id" for key in kind.dim_keys)])


def _stage_joined(kind: CacheKind) -> str:
    joins = [f"{_STAGE} s"]
    for key in kind.dim_keys:
        table, column = DIMENSIONS[key]
        joins.append(f"JOIN {table} d_{key} ON d_{key}.{column} = s.{column}")
    return " ".join(joins)


def _upsert_observations(db: Database, kind: CacheKind, source: int, fetched: int,
                         expires: int | None) -> None:
    columns = [*kind.keys, "source", *kind.values, "fetched_at", "expires_at"]
    assignments = ", ".join(f"{column} = excluded.{column}"
                            for column in (*kind.values, "fetched_at", "expires_at"))
    db.execute(
        f"INSERT INTO {kind.observations} ({', '.join(columns)}) "
        f"SELECT {', '.join(f's.{k}' for k in kind.keys)}, ?, "
        f"{', '.join(f's.{v}' for v in kind.values)}, ?, ? FROM {_RESOLVED} s "
        f"ORDER BY s.rowid "  # the key order it was created in (no second sort)
        f"ON CONFLICT ({', '.join(kind.keys)}, source) DO UPDATE SET {assignments}",
        (source, fetched, expires))
