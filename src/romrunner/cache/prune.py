"""Pruning expired observations in short, time-bounded batches (DECISIONS Q4).

Only what is past expiry plus a grace period (default 4x the source's TTL) is deleted. A
source that the pack in use no longer lists keeps its observations (a pack switch is not a
reason to lose data): ``cache clear --source`` is the only way to delete a source's rows.
One long DELETE would hold the write lock for
tens of seconds and grow the WAL past a gigabyte, so each batch is its own transaction sized to
a time budget, followed by a pause in which other writers get the lock, and a passive
checkpoint so the WAL is reused rather than grown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from romrunner.cache.best import (
    KEYS_TABLE,
    drop_unobserved_best,
    recompute_best,
    reset_changed_keys,
)
from romrunner.cache.kinds import KINDS, CacheKind
from romrunner.cache.sources import usable_ttl
from romrunner.errors import InputError
from romrunner.store.database import Database
from romrunner.timeutil import from_text, now_text

DEFAULT_GRACE_FACTOR = 4.0
DEFAULT_BUDGET_MS = 100.0
DEFAULT_PAUSE_MS = 25.0
_FIRST_BATCH = 2000
_MIN_BATCH, _MAX_BATCH = 100, 50_000


@dataclass
class PruneResult:
    """What :func:`prune_cache` removed, and how its batches behaved."""

    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    longest_batch_ms: float = 0.0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Target:
    source: int
    cutoff: int  # Unix seconds: observations that expired before it are due


def prune_cache(db: Database, *, now: str | None = None,
                grace_factor: float = DEFAULT_GRACE_FACTOR,
                budget_ms: float = DEFAULT_BUDGET_MS, pause_ms: float = DEFAULT_PAUSE_MS,
                kinds: tuple[CacheKind, ...] = tuple(KINDS.values()),
                on_batch: Callable[[int], None] | None = None,
                dry_run: bool = False,
                ttl_hours: Mapping[str, int | None] | None = None) -> PruneResult:
    """Delete observations past expiry + grace (whether or not the pack lists their source).

    Best answers of the touched keys are recomputed in the same batch; a key left with no
    observation loses its best answer. ``on_batch`` is called with each batch's row count.
    ``dry_run`` counts what is due (from the prune index) and deletes nothing. ``ttl_hours``:
    each source's TTL by its id, as the pack in use sets it (a dry run reads the database
    without recording that pack's registry: QA54 F3, it counted with the last pack's).
    """
    if not grace_factor >= 0:  # also NaN, which compares false with everything
        raise InputError(f"the grace factor must be a number >= 0, not {grace_factor}")
    started = time.perf_counter()
    result = PruneResult()
    targets = _targets(db, now or now_text(), grace_factor, ttl_hours)
    if dry_run:
        for kind in kinds:
            result.deleted[kind.name] = sum(int(db.scalar(
                f"SELECT count(*) FROM {kind.observations} WHERE source = ? AND "
                f"expires_at < ?", (target.source, target.cutoff))) for target in targets)
        result.seconds = time.perf_counter() - started
        return result
    batch = _FIRST_BATCH
    for kind in kinds:
        result.deleted[kind.name] = 0
        for target in targets:
            while True:
                batch_started = time.perf_counter()
                deleted = _prune_batch(db, kind, target, batch)
                elapsed_ms = (time.perf_counter() - batch_started) * 1000
                result.batches += 1 if deleted else 0
                result.longest_batch_ms = max(result.longest_batch_ms, elapsed_ms)
                result.deleted[kind.name] += deleted
                if on_batch is not None:
                    on_batch(deleted)
                if deleted < batch:
                    break
                batch = _next_batch_size(batch, elapsed_ms, budget_ms)
                db.checkpoint("PASSIVE")
                time.sleep(pause_ms / 1000)
    result.seconds = time.perf_counter() - started
    return result


def _targets(db: Database, now: str, grace_factor: float,
             ttl_hours: Mapping[str, int | None] | None = None) -> list[_Target]:
    moment = from_text(now)
    targets: list[_Target] = []
    for row in db.query("SELECT id, source_id, ttl_hours FROM cache_sources ORDER BY id"):
        ttl = usable_ttl(ttl_hours.get(row["source_id"], row["ttl_hours"])
                         if ttl_hours is not None else row["ttl_hours"])
        if ttl is not None:
            try:
                cutoff = moment - timedelta(hours=ttl * grace_factor)
            except OverflowError:
                continue  # a grace longer than the calendar: nothing is ever due
            targets.append(_Target(int(row["id"]), int(cutoff.timestamp())))
    return targets


def _next_batch_size(current: int, elapsed_ms: float, budget_ms: float) -> int:
    """Aim the next batch at the time budget, changing by at most 2x at a time."""
    if elapsed_ms <= 0:
        return min(current * 2, _MAX_BATCH)
    ideal = current * (budget_ms / elapsed_ms)
    return int(max(_MIN_BATCH, min(_MAX_BATCH, current * 2, max(current / 2, ideal))))


def _prune_batch(db: Database, kind: CacheKind, target: _Target, limit: int) -> int:
    keys = ", ".join(kind.keys)
    with db.atomic():
        reset_changed_keys(db, kind)
        db.execute(f"INSERT INTO {KEYS_TABLE} SELECT {keys} FROM {kind.observations} "
                   f"WHERE source = ? AND expires_at < ? LIMIT ?",
                   (target.source, target.cutoff, limit))
        deleted = db.execute(
            f"DELETE FROM {kind.observations} WHERE source = ? AND ({keys}) IN "
            f"(SELECT {keys} FROM {KEYS_TABLE})", (target.source,)).rowcount
        if deleted:
            # Removing an observation that was not a key's best answer changes nothing:
            # only keys whose best answer came from this source are re-ranked.
            on_keys = " AND ".join(f"b.{key} = {KEYS_TABLE}.{key}" for key in kind.keys)
            db.execute(f"DELETE FROM {KEYS_TABLE} WHERE NOT EXISTS (SELECT 1 FROM "
                       f"{kind.best} b WHERE {on_keys} AND b.source = ?)", (target.source,))
            recompute_best(db, kind)
            drop_unobserved_best(db, kind)
    return deleted
