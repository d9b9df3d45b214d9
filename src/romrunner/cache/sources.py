"""The cache source registry: which sources exist, their TTL and their priority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from romrunner.errors import InputError
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
