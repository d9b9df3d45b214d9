"""Writing observations from a source, and keeping the best answers right in the same step.

A refresh from a source replaces that source's row for each key (UPSERT on key + source);
the best answer of every key touched is recomputed in the same transaction. Work is done
set-based per batch through a temp staging table, so the statement count per batch is
constant whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice

from romrunner.cache.best import (
    KEYS_TABLE,
    apply_source_batch,
    note_worsened_keys,
    reset_changed_keys,
)
from romrunner.cache.kinds import DIMENSIONS, VALUE_DEFAULTS, CacheKind
from romrunner.cache.sources import ensure_source
from romrunner.errors import InputError
from romrunner.store.database import Database
from romrunner.timeutil import from_text, hours_from, now_text, to_epoch

BATCH_SIZE = 5000
_STAGE = "temp.rr_stage"

_ALLOWED: dict[str, frozenset[str]] = {
    "status": frozenset({"perfect", "playable", "ingame", "menu_intro", "boots_only",
                         "broken", "unknown"}),
    "performance_tier": frozenset({"excellent", "good", "playable", "poor", "unplayable",
                                   "unknown"}),
    "confidence": frozenset({"high", "medium", "low"}),
    "apply_mode": frozenset({"suggested", "auto", "required"}),
    "settings_format": frozenset({"ini", "json", "xml", "custom"}),
}


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest_observations` wrote."""

    observations: int
    batches: int
    source: str
    expires_at: str | None


def ingest_observations(db: Database, kind: CacheKind, source_id: str,
                        rows: Iterable[Mapping[str, object]], *,
                        fetched_at: str | None = None,
                        batch_size: int = BATCH_SIZE) -> IngestResult:
    """Store ``rows`` as observations of ``source_id`` and update the best answers.

    Each row gives the key as text IDs (``platform_id``, ``emulator_id``,
    ``definition_game_id``; performance rows also ``device_profile_id``) and the value
    columns of ``kind``. Each batch is one transaction: an interruption loses at most the
    batch in progress. Bad rows raise :class:`InputError` naming the row.
    """
    fetched = fetched_at or now_text()
    try:
        fetched_moment = from_text(fetched)
    except ValueError:
        raise InputError(f"fetched time {fetched!r} is not YYYY-MM-DD HH:MM:SS (UTC)") from None
    written = batches = 0
    with db.atomic():
        source = ensure_source(db, source_id)
    expires = None if source.ttl_hours is None else hours_from(fetched_moment,
                                                               source.ttl_hours)
    fetched_s, expires_s = to_epoch(fetched), None if expires is None else to_epoch(expires)
    for batch in _batches(_validated(kind, rows), batch_size):
        with db.atomic():
            _stage(db, kind, batch)
            _resolve_dimensions(db, kind)
            note_worsened_keys(db, kind, source.id, _stage_joined(kind),
                               _resolved_keys(kind).split(", "), fetched_s)
            _upsert_observations(db, kind, source.id, fetched_s, expires_s)
            apply_source_batch(db, kind, source.id)
        written += len(batch)
        batches += 1
    return IngestResult(written, batches, source_id, expires)


def _validated(kind: CacheKind, rows: Iterable[Mapping[str, object]]
               ) -> Iterator[tuple[object, ...]]:
    text_keys = [DIMENSIONS[key][1] for key in kind.dim_keys]
    for number, row in enumerate(rows, start=1):
        values: list[object] = []
        for key in kind.int_keys:
            value = row.get(key)
            if not isinstance(value, int):
                raise InputError(f"observation {number}: {key} must be an integer")
            values.append(value)
        for key in text_keys:
            value = row.get(key)
            if value is None and key == "emulator_id" and kind.int_keys:
                value = ""  # a performance answer may hold for any emulator
            if not isinstance(value, str):
                raise InputError(f"observation {number}: {key} is missing")
            values.append(value)
        for column in kind.values:
            value = row.get(column, VALUE_DEFAULTS.get(column))
            if value is None and column in kind.required:
                raise InputError(f"observation {number}: {column} is missing")
            allowed = _ALLOWED.get(column)
            if allowed is not None and value is not None and value not in allowed:
                raise InputError(f"observation {number}: {column} {value!r} is not one of "
                                 f"{', '.join(sorted(allowed))}")
            values.append(value)
        yield tuple(values)


def _batches(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _stage_columns(kind: CacheKind) -> list[str]:
    return [*kind.int_keys, *(DIMENSIONS[key][1] for key in kind.dim_keys), *kind.values]


def _stage(db: Database, kind: CacheKind, batch: list[tuple[object, ...]]) -> None:
    columns = _stage_columns(kind)
    db.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    db.execute(f"CREATE TABLE {_STAGE} ({', '.join(columns)})")
    db.executemany(f"INSERT INTO {_STAGE} VALUES ({', '.join('?' for _ in columns)})", batch)
    reset_changed_keys(db, kind)


def _resolve_dimensions(db: Database, kind: CacheKind) -> None:
    for key in kind.dim_keys:
        table, column = DIMENSIONS[key]
        db.execute(f"INSERT OR IGNORE INTO {table} ({column}) "
                   f"SELECT DISTINCT {column} FROM {_STAGE}")
    db.execute(f"INSERT OR IGNORE INTO {KEYS_TABLE} SELECT {_resolved_keys(kind)} "
               f"FROM {_stage_joined(kind)}")


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
        f"SELECT {_resolved_keys(kind)}, ?, {', '.join(f's.{v}' for v in kind.values)}, ?, ? "
        f"FROM {_stage_joined(kind)} WHERE true "
        f"ORDER BY {', '.join(str(i + 1) for i in range(len(kind.keys)))} "
        f"ON CONFLICT ({', '.join(kind.keys)}, source) DO UPDATE SET {assignments}",
        (source, fetched, expires))
