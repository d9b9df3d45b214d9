"""The cache source registry: which sources exist, their TTL and their priority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from romrunner.cache.best import recompute_all
from romrunner.cache.kinds import KINDS
from romrunner.errors import InputError, NotFoundError
from romrunner.store.database import Database
from romrunner.textnorm import storable

USER_OVERRIDE = "user-override"  # never expires; created by the v1.1.0 migration
PACK_SOURCE = "rom-runner-db"    # pack-derived: no TTL, invalidated by a pack change
DEFAULT_TTL_HOURS = 168
COMMUNITY_TTL_HOURS = 720


@dataclass(frozen=True)
class CacheSource:
    """One row of ``cache_sources``."""

    id: int
    source_id: str
    ttl_hours: int | None
    in_registry: bool


def default_ttl_hours(source_id: str) -> int:
    """The TTL of a source the registry does not describe (DECISIONS Q4)."""
    return COMMUNITY_TTL_HOURS if "community" in source_id else DEFAULT_TTL_HOURS


def _checked_id(source_id: str) -> str:
    if not source_id or not source_id.strip():
        raise InputError("a cache source needs a non-empty id")
    if not storable(source_id):
        raise InputError(f"cache source {source_id!r}: holds an invalid character")
    return source_id


def find_source(db: Database, source_id: str) -> CacheSource | None:
    """The source called ``source_id``, or None when this database does not know it."""
    row = db.query_one("SELECT id, source_id, ttl_hours, in_registry FROM cache_sources "
                       "WHERE source_id = ?", (_checked_id(source_id),))
    if row is None:
        return None
    return CacheSource(int(row["id"]), str(row["source_id"]), row["ttl_hours"],
                       bool(row["in_registry"]))


def ensure_source(db: Database, source_id: str) -> CacheSource:
    """The source called ``source_id``, registered with the default TTL if it is new."""
    db.execute("INSERT INTO cache_sources (source_id, ttl_hours, origin) VALUES (?, ?, "
               "'default') ON CONFLICT(source_id) DO NOTHING",
               (_checked_id(source_id), default_ttl_hours(source_id)))
    found = find_source(db, source_id)
    assert found is not None
    return found


def list_sources(db: Database) -> list[dict[str, Any]]:
    """Every source with its TTL, registry state and priority rank per kind."""
    rows = db.query(
        "SELECT s.source_id, s.ttl_hours, s.stale_while_revalidate, s.origin, s.in_registry, "
        "(SELECT group_concat(p.cache_kind || ':' || p.rank) FROM cache_source_priority p "
        " WHERE p.source = s.id) AS ranks "
        "FROM cache_sources s ORDER BY s.source_id")
    result: list[dict[str, Any]] = []
    for row in rows:
        item = dict(row)
        ranks = str(item.pop("ranks") or "")
        item["priority"] = {part.split(":")[0]: int(part.split(":")[1])
                            for part in ranks.split(",") if part}
        result.append(item)
    return result


# The emulators' own databases (each knowledge format's source id) rank like the pack's
# `emulator-official` in every kind; they change slowly, so their answers keep 30 days.
OFFICIAL_RANK_OF = "emulator-official"
OFFICIAL_TTL_HOURS = 720
OFFICIAL_SOURCES = ("pcsx2-gameindex", "duckstation-gamedb", "ppsspp-compat", "dolphin-gameini")


def ensure_official_source(db: Database, source_id: str) -> CacheSource:
    """Register an emulator database's source (TTL, and `emulator-official`'s rank in each
    kind) unless this database knows it already: a TTL or priority the user set stays."""
    db.execute("INSERT INTO cache_sources (source_id, ttl_hours, origin) VALUES (?, ?, "
               "'default') ON CONFLICT(source_id) DO NOTHING",
               (_checked_id(source_id), OFFICIAL_TTL_HOURS))
    db.execute(
        "INSERT OR IGNORE INTO cache_source_priority (cache_kind, source, rank) "
        "SELECT p.cache_kind, s.id, p.rank FROM cache_source_priority p "
        "JOIN cache_sources o ON o.id = p.source AND o.source_id = ? "
        "JOIN cache_sources s ON s.source_id = ?", (OFFICIAL_RANK_OF, source_id))
    found = find_source(db, source_id)
    assert found is not None
    return found


@dataclass(frozen=True)
class SourceUpdate:
    """What :func:`set_source` changed."""

    source_id: str
    ttl_hours: int | None
    priority: dict[str, int]
    observations_reexpired: int


def set_source(db: Database, source_id: str, *, priority: int | None = None,
               ttl_hours: int | None = None, kinds: tuple[str, ...] = (),
               never_expires: bool = False) -> SourceUpdate:
    """Set a source's priority rank (in ``kinds``, default every kind) and/or its TTL.

    A new TTL re-dates the expiry of the source's stored observations (fetch time + TTL); a
    new rank re-ranks every best answer of the kinds it changed. One transaction.
    """
    if priority is None and ttl_hours is None and not never_expires:
        raise InputError("nothing to set: give --priority and/or --ttl")
    if priority is not None and priority < 0:
        raise InputError(f"priority {priority} must be 0 or more (0 ranks first)")
    if ttl_hours is not None and ttl_hours <= 0:
        raise InputError(f"TTL {ttl_hours} h must be at least 1 hour")
    selected = kinds or tuple(KINDS)
    reexpired = 0
    with db.atomic():
        source = find_source(db, source_id)
        if source is None:
            raise NotFoundError(f"unknown cache source {source_id!r} "
                                "(`romrunner cache sources` lists them)")
        if ttl_hours is not None or never_expires:
            ttl = None if never_expires else ttl_hours
            db.execute("UPDATE cache_sources SET ttl_hours = ?, updated_at = CURRENT_TIMESTAMP "
                       "WHERE id = ?", (ttl, source.id))
            for kind in KINDS.values():
                for table in (kind.observations, kind.best):
                    count = db.execute(
                        f"UPDATE {table} SET expires_at = CASE WHEN ? IS NULL THEN NULL "
                        f"ELSE fetched_at + ? * 3600 END WHERE source = ?",
                        (ttl, ttl, source.id)).rowcount
                    reexpired += count if table == kind.observations else 0
        if priority is not None:
            for name in selected:
                db.execute("INSERT INTO cache_source_priority (cache_kind, source, rank) "
                           "VALUES (?, ?, ?) ON CONFLICT (cache_kind, source) DO UPDATE "
                           "SET rank = excluded.rank", (name, source.id, priority))
                recompute_all(db, KINDS[name])
        ranks = {str(row["cache_kind"]): int(row["rank"]) for row in db.query(
            "SELECT cache_kind, rank FROM cache_source_priority WHERE source = ?",
            (source.id,))}
        ttl_now = db.scalar("SELECT ttl_hours FROM cache_sources WHERE id = ?", (source.id,))
    return SourceUpdate(source_id, None if ttl_now is None else int(ttl_now), ranks, reexpired)
