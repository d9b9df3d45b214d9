"""Deleting one source's observations: the only way a source's rows are removed whole.

``cache prune`` deletes only what is long past expiry; a source that a pack stops listing
keeps its rows until the user clears it here. The best answers of the keys the source held
are recomputed in the same transaction (a key with no observation left loses its answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from romrunner.cache.best import (
    KEYS_TABLE,
    drop_unobserved_best,
    recompute_best,
    reset_changed_keys,
)
from romrunner.cache.kinds import KINDS, PERFORMANCE, CacheKind
from romrunner.cache.sources import find_source
from romrunner.errors import NotFoundError
from romrunner.store.database import Database


@dataclass
class ClearResult:
    """What :func:`clear_source` deleted (or, with ``dry_run``, would delete) per kind."""

    source: str
    dry_run: bool
    observations: dict[str, int] = field(default_factory=dict)
    best_answers_changed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Observations deleted (or due) over every kind."""
        return sum(self.observations.values())


def clear_source(db: Database, source_id: str, *,
                 kinds: tuple[CacheKind, ...] = tuple(KINDS.values()),
                 dry_run: bool = False) -> ClearResult:
    """Delete every observation of ``source_id`` in ``kinds``, in one transaction.

    The source stays registered (its TTL and priority are kept). An unknown source is a
    :class:`NotFoundError` naming it; ``dry_run`` counts and changes nothing.
    """
    result = ClearResult(source_id, dry_run)
    with db.atomic():
        source = find_source(db, source_id)
        if source is None:
            raise NotFoundError(f"unknown cache source {source_id!r} "
                                "(`romrunner cache sources` lists them)")
        for kind in kinds:
            if dry_run:
                result.observations[kind.name] = int(db.scalar(
                    f"SELECT count(*) FROM {kind.observations} WHERE source = ?",
                    (source.id,)))
                result.best_answers_changed[kind.name] = int(db.scalar(
                    f"SELECT count(*) FROM {kind.best} WHERE source = ?", (source.id,)))
                continue
            result.observations[kind.name], result.best_answers_changed[kind.name] = \
                _clear_kind(db, kind, source.id)
    return result


def _clear_kind(db: Database, kind: CacheKind, source: int) -> tuple[int, int]:
    keys = ", ".join(kind.keys)
    reset_changed_keys(db, kind)
    held = db.execute(f"INSERT INTO {KEYS_TABLE} SELECT {keys} FROM {kind.best} "
                      f"WHERE source = ?", (source,)).rowcount
    deleted = db.execute(f"DELETE FROM {kind.observations} WHERE source = ?",
                         (source,)).rowcount
    recompute_best(db, kind)
    drop_unobserved_best(db, kind)
    return deleted, held


def performance_answers(db: Database, profile_id: int) -> int:
    """How many performance observations were imported for ``profile_id``."""
    return int(db.scalar(f"SELECT count(*) FROM {PERFORMANCE.observations} "
                         "WHERE device_profile_id = ?", (profile_id,)))


def hand_over_performance(db: Database, old: int, new: int) -> None:
    """Give the performance observations of profile ``old`` (about to be removed) to profile
    ``new`` of the same device, where ``new`` has none of that source for the same key
    (those stay with ``old`` and go with it), and recompute ``new``'s best answers. An
    answer imported for a device reaches every profile of it; removing one profile must not
    take the device's answers from the others (QA54 F11)."""
    db.execute(f"UPDATE OR IGNORE {PERFORMANCE.observations} SET device_profile_id = ? "
               "WHERE device_profile_id = ?", (new, old))
    reset_changed_keys(db, PERFORMANCE)
    keys = ", ".join(PERFORMANCE.keys)
    db.execute(f"INSERT INTO {KEYS_TABLE} SELECT DISTINCT {keys} FROM "
               f"{PERFORMANCE.observations} WHERE device_profile_id = ?", (new,))
    recompute_best(db, PERFORMANCE)
