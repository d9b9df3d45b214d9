"""Keeping the best-answer tables right: recomputed, set-based, for the keys that changed.

The best answer for a key is its observation with, in order: the best source priority (the
user override ranks first), the highest confidence, the latest fetch. Expired observations
still compete: expiry means stale, not gone (DECISIONS Q4).
"""

from __future__ import annotations

from romrunner.cache.kinds import CacheKind
from romrunner.store.database import Database

KEYS_TABLE = "temp.rr_changed_keys"
_CONFIDENCE_RANK = "CASE o.confidence WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"
_UNRANKED = 1_000_000


def reset_changed_keys(db: Database, kind: CacheKind) -> None:
    """An empty temp table to collect the keys whose observations changed."""
    columns = ", ".join(f"{key} INTEGER NOT NULL" for key in kind.keys)
    db.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
    db.execute(f"CREATE TABLE {KEYS_TABLE} ({columns}, PRIMARY KEY ({', '.join(kind.keys)})) "
               "WITHOUT ROWID")


def recompute_best(db: Database, kind: CacheKind) -> None:
    """Rewrite the best answer of every key in the changed-keys table (one or two statements)."""
    keys = ", ".join(kind.keys)
    on_keys = " AND ".join(f"o.{key} = k.{key}" for key in kind.keys)
    values = ", ".join(kind.best_values)
    assignments = ", ".join(f"{column} = excluded.{column}"
                            for column in ("source", *kind.best_values, "fetched_at",
                                           "expires_at"))
    db.execute(
        f"INSERT INTO {kind.best} ({keys}, source, {values}, fetched_at, expires_at) "
        f"SELECT {keys}, source, {values}, fetched_at, expires_at FROM ("
        f" SELECT o.*, row_number() OVER (PARTITION BY "
        f"  {', '.join(f'o.{key}' for key in kind.keys)} "
        f"  ORDER BY coalesce(p.rank, {_UNRANKED}), {_CONFIDENCE_RANK}, o.fetched_at DESC, "
        f"  o.source) AS winner"
        f" FROM {KEYS_TABLE} k JOIN {kind.observations} o ON {on_keys}"
        f" LEFT JOIN cache_source_priority p ON p.cache_kind = ? AND p.source = o.source"
        f") WHERE winner = 1 "
        f"ON CONFLICT ({keys}) DO UPDATE SET {assignments}",
        (kind.name,))


def drop_unobserved_best(db: Database, kind: CacheKind) -> int:
    """Remove best answers whose key has no observation left (after a prune)."""
    keys = ", ".join(kind.keys)
    on_keys = " AND ".join(f"o.{key} = k.{key}" for key in kind.keys)
    return db.execute(
        f"DELETE FROM {kind.best} WHERE ({keys}) IN ("
        f" SELECT {keys} FROM {KEYS_TABLE} k WHERE NOT EXISTS ("
        f"  SELECT 1 FROM {kind.observations} o WHERE {on_keys}))").rowcount


def recompute_all(db: Database, kind: CacheKind) -> int:
    """Recompute every best answer of ``kind`` (after a change of source priority)."""
    with db.atomic():
        reset_changed_keys(db, kind)
        db.execute(f"INSERT INTO {KEYS_TABLE} SELECT DISTINCT {', '.join(kind.keys)} "
                   f"FROM {kind.observations}")
        recompute_best(db, kind)
        db.execute(f"DELETE FROM {kind.best} WHERE ({', '.join(kind.keys)}) NOT IN "
                   f"(SELECT {', '.join(kind.keys)} FROM {KEYS_TABLE})")
        return int(db.scalar(f"SELECT count(*) FROM {KEYS_TABLE}"))
