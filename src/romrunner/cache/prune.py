"""Pruning expired observations in short, time-bounded batches (DECISIONS Q4).

Only what is past expiry plus a grace period (default 4x the source's TTL) is deleted. A
source that the pack in use no longer lists keeps its observations (a pack switch is not a
reason to lose data): ``cache clear --source`` is the only way to delete a source's rows.
An expired answer that leaves a game out of auto-lists (a rating of broken, boots only or
menu/intro, a device's poor or unplayable tier, an exclusion) is kept and said, never pruned:
deleting it would make its game "assumed to run" (QA153 F11: an emulator's "broken" became no
answer and the game rejoined the auto-list); a re-import of its source replaces it.
One long DELETE would hold the write lock for
tens of seconds and grow the WAL past a gigabyte, so each batch is its own transaction sized to
a time budget, followed by a pause in which other writers get the lock, and a passive
checkpoint so the WAL is reused rather than grown.
"""

from __future__ import annotations

import re
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
from romrunner.knowledge.model import NOT_PLAYABLE_STATUSES
from romrunner.store.database import Database
from romrunner.timeutil import from_text, now_text

DEFAULT_GRACE_FACTOR = 4.0
DEFAULT_BUDGET_MS = 100.0
DEFAULT_PAUSE_MS = 25.0
_FIRST_BATCH = 2000
_MIN_BATCH, _MAX_BATCH = 100, 50_000
KEPT_LISTED = 1000  # kept answers named in the result (the rest are counted)
# What leaves a game out of auto-lists (as devices/autolist.py's excluded statuses and tiers):
# such an answer is kept past its expiry, each kind's condition and its parameters.
KEPT_STATUSES = NOT_PLAYABLE_STATUSES
KEPT_TIERS = ("poor", "unplayable")
_KEPT: dict[str, tuple[str, tuple[object, ...]]] = {
    "compat": (f"status IN ({', '.join('?' * len(KEPT_STATUSES))})", KEPT_STATUSES),
    "performance": ("(performance_tier IN (?, ?) OR exclude_from_auto = 1)", KEPT_TIERS),
}
_ANSWER = {"compat": "status", "performance": "performance_tier"}
_TITLE = re.compile(r"(?:^|; )title: ([^;]+)")


@dataclass
class PruneResult:
    """What :func:`prune_cache` removed, and how its batches behaved."""

    deleted: dict[str, int] = field(default_factory=dict)
    # expired answers kept because they leave a game out of auto-lists, per kind, and the
    # first KEPT_LISTED of them
    kept: dict[str, int] = field(default_factory=dict)
    kept_answers: list[dict[str, object]] = field(default_factory=list)
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
    """Delete observations past expiry + grace (whether or not the pack lists their source),
    but those that leave a game out of auto-lists (counted and listed in ``kept``).

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
    for kind in kinds:
        _count_kept(db, kind, targets, result)
    if dry_run:
        for kind in kinds:
            kept, params = _kept(kind)
            result.deleted[kind.name] = sum(int(db.scalar(
                f"SELECT count(*) FROM {kind.observations} WHERE source = ? AND "
                f"expires_at < ? AND NOT {kept}", (target.source, target.cutoff, *params)))
                for target in targets)
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


def _kept(kind: CacheKind) -> tuple[str, tuple[object, ...]]:
    """The SQL condition (and its parameters) of ``kind``'s answers that prune keeps."""
    return _KEPT.get(kind.name, ("0", ()))


def _count_kept(db: Database, kind: CacheKind, targets: list[_Target],
                result: PruneResult) -> None:
    """Count and name the expired answers of ``kind`` that prune keeps."""
    if kind.name not in _KEPT:
        return
    kept, params = _kept(kind)
    result.kept[kind.name] = 0
    profile = "o.device_profile_id" if kind.int_keys else "NULL"
    for target in targets:
        where = (f"WHERE o.source = ? AND o.expires_at < ? AND {kept}",
                 (target.source, target.cutoff, *params))
        result.kept[kind.name] += int(db.scalar(
            f"SELECT count(*) FROM {kind.observations} o {where[0]}", where[1]))
        room = KEPT_LISTED - len(result.kept_answers)
        if room <= 0:
            continue
        for row in db.query(
                f"SELECT s.source_id, p.platform_id, k.definition_game_id, e.emulator_id, "
                f"{profile} AS device_profile_id, o.{_ANSWER[kind.name]} AS answer, o.notes "
                f"FROM {kind.observations} o JOIN cache_sources s ON s.id = o.source "
                f"JOIN platform_dim p ON p.id = o.platform JOIN game_key_dim k "
                f"ON k.id = o.game_key JOIN emulator_dim e ON e.id = o.emulator "
                f"{where[0]} ORDER BY p.platform_id, k.definition_game_id LIMIT ?",
                (*where[1], room)):
            title = _TITLE.search(row["notes"] or "")
            result.kept_answers.append({
                "kind": kind.name, "source": row["source_id"], "platform_id": row["platform_id"],
                "key": row["definition_game_id"], "emulator_id": row["emulator_id"] or None,
                "device_profile_id": row["device_profile_id"], "answer": row["answer"],
                "title": title.group(1).strip() if title else None})


def _next_batch_size(current: int, elapsed_ms: float, budget_ms: float) -> int:
    """Aim the next batch at the time budget, changing by at most 2x at a time."""
    if elapsed_ms <= 0:
        return min(current * 2, _MAX_BATCH)
    ideal = current * (budget_ms / elapsed_ms)
    return int(max(_MIN_BATCH, min(_MAX_BATCH, current * 2, max(current / 2, ideal))))


def _prune_batch(db: Database, kind: CacheKind, target: _Target, limit: int) -> int:
    keys = ", ".join(kind.keys)
    kept, params = _kept(kind)
    with db.atomic():
        reset_changed_keys(db, kind)
        db.execute(f"INSERT INTO {KEYS_TABLE} SELECT {keys} FROM {kind.observations} "
                   f"WHERE source = ? AND expires_at < ? AND NOT {kept} LIMIT ?",
                   (target.source, target.cutoff, *params, limit))
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
