"""Recording the loaded pack in ``definition_pack_meta`` and invalidating what it derived."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from romrunner.cache.kinds import KINDS
from romrunner.cache.sources import apply_registry, list_sources
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database


@dataclass(frozen=True)
class PackSyncResult:
    """What :func:`sync_pack` changed."""

    changed: bool
    previous_hash: str | None
    invalidated_rows: int


def stored_pack_hash(db: Database) -> str | None:
    """The content hash of the pack the database last saw."""
    value = db.scalar("SELECT pack_hash FROM definition_pack_meta WHERE id = 1")
    return value if isinstance(value, str) else None


def stored_pack_hash_at(path: Path) -> str | None:
    """:func:`stored_pack_hash` of the database file at ``path``, read without opening it
    the usual way (nothing is created, migrated or locked); None when it cannot be read."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT pack_hash FROM definition_pack_meta WHERE id = 1"
                               ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row is not None and isinstance(row[0], str) else None


def sync_pack(db: Database, pack: DefinitionPack) -> PackSyncResult:
    """Record ``pack`` in the database; when its content changed, invalidate what it derived.

    Pack-derived cache rows have no TTL: they go stale when the pack's content hash changes
    (served, flagged stale, until their source is imported again), and the catalog games
    imported from the pack are removed. The cache source policy
    (TTL, priority) is refreshed from the pack's source registry.
    """
    previous = stored_pack_hash(db)
    if previous == pack.content_hash:
        return PackSyncResult(False, previous, 0)
    with db.atomic():
        invalidated = 0
        if previous is not None:
            before = _last_staled(db)
            invalidated = _invalidate_pack_derived(db, previous, before)
            if before is not None and before[0] == pack.content_hash:
                _current_again(db, before[1])
        _write_meta(db, pack)
        apply_registry(db, pack.compat_sources)
    return PackSyncResult(True, previous, invalidated)


def _write_meta(db: Database, pack: DefinitionPack) -> None:
    versions = pack.versions
    db.execute(
        "INSERT INTO definition_pack_meta (id, pack_version, platforms_version, "
        "emulators_version, devices_version, bios_hashes_version, loaded_at, pack_hash, "
        "pack_path, files_json, notes) VALUES (1, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET pack_version = excluded.pack_version, "
        "platforms_version = excluded.platforms_version, "
        "emulators_version = excluded.emulators_version, "
        "devices_version = excluded.devices_version, "
        "bios_hashes_version = excluded.bios_hashes_version, loaded_at = excluded.loaded_at, "
        "pack_hash = excluded.pack_hash, pack_path = excluded.pack_path, "
        "files_json = excluded.files_json, notes = excluded.notes",
        (versions.get("platforms.json"), versions.get("platforms.json"),
         versions.get("emulators.json"), versions.get("devices.json"),
         versions.get("bios-hashes.json"), pack.content_hash,
         "builtin" if pack.builtin else str(pack.path),
         json.dumps(versions, sort_keys=True), f"{len(pack.warnings)} load warnings"))


# The pack the pack-derived source's answers made stale at the last change were current
# under, and when they were made so (JSON: {"pack_hash": …, "at": …}).
_STALED_KEY = "romrunner.pack_derived_staled"


def _last_staled(db: Database) -> tuple[str, int] | None:
    """The pack the answers the last change made stale were current under, and the expiry
    that change gave them; None when no change made any."""
    value = db.scalar("SELECT value FROM user_settings WHERE key = ?", (_STALED_KEY,))
    try:
        staled = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        return None
    if not isinstance(staled, dict) or not isinstance(staled.get("pack_hash"), str) \
            or not isinstance(staled.get("at"), int):
        return None
    return staled["pack_hash"], staled["at"]


def _current_again(db: Database, at: int) -> None:
    """Back to the pack the answers an earlier change made stale (expiry ``at``) were current
    under — a command run once without `--pack`, then with it again: qa184 F5, stale for good
    — those answers still as that change left them are current again."""
    for kind in KINDS.values():
        for table in (kind.observations, kind.best):
            # (as the source's TTL gives it: review39b F6, one of 24 h never expired after)
            db.execute(f"UPDATE {table} SET expires_at = (SELECT CASE WHEN s.ttl_hours IS "
                       f"NULL THEN NULL ELSE {table}.fetched_at + s.ttl_hours * 3600 END "
                       f"FROM cache_sources s WHERE s.id = {table}.source) WHERE source IN "
                       f"({_PACK_SOURCES}) AND expires_at = ?", (at,))


_PACK_SOURCES = "SELECT id FROM cache_sources WHERE origin = 'pack'"


def _invalidate_pack_derived(db: Database, previous: str,
                             before: tuple[str, int] | None = None) -> int:
    """Mark the answers of the pack-derived source stale (expired now), and drop the
    catalogs imported from the pack; the count of answers made stale.

    Stale, not deleted: an expired answer is still served, flagged stale, until an import of
    its source replaces it (offline-first), and a source with no TTL is never pruned. A
    command run once with another pack, or without ``--pack``, deleted every answer the user
    had imported under that source, for good (qa183 F1).
    """
    current = int(time.time())
    now = current - 1  # (stale is "expired before now": already, this second)
    if before is not None and now == before[1]:  # (one expiry per change: see
        now -= 1                                 # _current_again)
    stale = 0
    for kind in KINDS.values():
        for table in (kind.observations, kind.best):
            count = db.execute(
                f"UPDATE {table} SET expires_at = ? WHERE source IN ({_PACK_SOURCES}) "
                "AND (expires_at IS NULL OR expires_at > ?)", (now, current)).rowcount
            stale += count if table == kind.observations else 0
    db.execute("INSERT INTO user_settings (key, value, value_type, updated_at) "
               "VALUES (?, ?, 'json', CURRENT_TIMESTAMP) ON CONFLICT (key) DO UPDATE "
               "SET value = excluded.value, value_type = excluded.value_type, "
               "updated_at = excluded.updated_at",
               (_STALED_KEY, json.dumps({"pack_hash": previous, "at": now})))
    db.execute("DELETE FROM catalog_sources WHERE format = 'pack'")
    return stale


def sources_under_pack(db: Database, pack: DefinitionPack) -> list[dict[str, Any]]:
    """The cache sources as :func:`list_sources` shows them once ``pack`` is recorded, read
    without writing: when the database last saw another pack, the pack's source registry is
    applied to an in-memory copy of the two (small) source tables."""
    if stored_pack_hash(db) == pack.content_hash:
        return list_sources(db)
    copy = Database(":memory:")
    try:
        for table in ("cache_sources", "cache_source_priority", "cache_source_dates",
                      "user_settings"):
            schema = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (table,))
            copy.execute(str(schema))
            rows = db.query(f"SELECT * FROM {table}")
            if rows:
                marks = ", ".join("?" * len(rows[0].keys()))
                copy.executemany(f"INSERT INTO {table} VALUES ({marks})",
                                 [tuple(row) for row in rows])
        with copy.atomic():
            apply_registry(copy, pack.compat_sources, recompute=False)
        return list_sources(copy)
    finally:
        copy.close()
