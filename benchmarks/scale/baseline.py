"""The v1.0.1 draft, used the way a straightforward app would use it.

The schema is v1.0.1 exactly as drafted (the engine's own migrations 1 and 2 build it):
TEXT everything, absolute paths, no SHA1 column, no FTS, one cache row per key (a refresh
from any source overwrites it), and the drafted indexes. Queries are the obvious ones:
``LIKE '%text%'`` search, OFFSET paging, one query per game and override level.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from benchmarks.scale.data import SyntheticGame
from romrunner.store.database import Database
from romrunner.store.migrate import migrate

V1_0_1 = 2


def create(path: Path) -> sqlite3.Connection:
    """A new v1.0.1 database at ``path`` with the same connection pragmas as the engine."""
    db = Database(path)
    migrate(db, target=V1_0_1)
    db.close()
    return reopen(path)


def reopen(path: Path) -> sqlite3.Connection:
    """A connection to an existing v1.0.1 database, with the engine's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON",
                   "busy_timeout = 60000", "temp_store = MEMORY", "cache_size = -65536"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def ingest(conn: sqlite3.Connection, root: str, games: Iterable[SyntheticGame],
           batch: int = 1000) -> int:
    """Insert scanned files with ``executemany``, a transaction per batch."""
    rows: list[tuple[object, ...]] = []
    count = 0

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO games (filepath, filename, file_size, file_md5, file_crc32, "
            "platform_id, detected_title, format, is_archive, archive_contents, region, "
            "last_scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
            rows)
        conn.execute("COMMIT")
        rows.clear()

    for game in games:
        members = json.dumps([{"name": m[0], "size": m[1], "crc32": m[2], "md5": m[3],
                               "sha1": m[4]} for m in game.members]) if game.members else None
        rows.append((f"{root}/{game.relpath}", game.filename, game.size, game.md5, game.crc32,
                     game.platform, game.title, game.filename.rsplit(".", 1)[-1],
                     int(bool(game.members) or game.filename.endswith(".zip")), members,
                     _region(game.title)))
        count += 1
        if len(rows) >= batch:
            flush()
    if rows:
        flush()
    return count


def _region(title: str) -> str | None:
    start = title.find("(")
    return title[start + 1:title.find(")", start)] if start >= 0 else None


def rescan_bookkeeping(conn: sqlite3.Connection, root: str,
                       walk: Sequence[tuple[str, int, int]]) -> int:
    """Load what is stored, compare each walked file's size, note the ones to rehash."""
    stored = dict(conn.execute("SELECT filepath, file_size FROM games"))
    changed = 0
    for relpath, size, _mtime in walk:
        if stored.get(f"{root}/{relpath}") != size:
            changed += 1
    return changed


def touch_scanned(conn: sqlite3.Connection, root: str,
                  walk: Sequence[tuple[str, int, int]]) -> int:
    """What the drafted ``last_scanned_at`` column asks for: one UPDATE per scanned file."""
    conn.execute("BEGIN")
    conn.executemany("UPDATE games SET last_scanned_at = CURRENT_TIMESTAMP WHERE filepath = ?",
                     ((f"{root}/{relpath}",) for relpath, _size, _mtime in walk))
    conn.execute("COMMIT")
    return len(walk)


def find_md5(conn: sqlite3.Connection, md5: str) -> list[int]:
    """Games with this MD5."""
    return [row[0] for row in conn.execute("SELECT id FROM games WHERE file_md5 = ?", (md5,))]


def find_crc(conn: sqlite3.Connection, crc: str, size: int) -> list[int]:
    """Games with this CRC32 and size."""
    return [row[0] for row in conn.execute(
        "SELECT id FROM games WHERE file_crc32 = ? AND file_size = ?", (crc, size))]


def typeahead(conn: sqlite3.Connection, text: str) -> list[int]:
    """Titles containing the text."""
    return [row[0] for row in conn.execute(
        "SELECT id FROM games WHERE detected_title LIKE ? ORDER BY detected_title LIMIT 20",
        (f"%{text}%",))]


def filtered_page(conn: sqlite3.Connection, platform: str, offset: int,
                  limit: int = 50) -> tuple[int, list[int]]:
    """A page of one platform sorted by title at ``offset``, with the total count."""
    total = conn.execute("SELECT count(*) FROM games WHERE platform_id = ?",
                         (platform,)).fetchone()[0]
    ids = [row[0] for row in conn.execute(
        "SELECT id FROM games WHERE platform_id = ? ORDER BY detected_title, id "
        "LIMIT ? OFFSET ?", (platform, limit, offset))]
    return int(total), ids


def smart_page(conn: sqlite3.Connection, platform: str, region: str,
               limit: int = 50) -> list[int]:
    """First page of 'this platform, this region, not missing', sorted by title."""
    return [row[0] for row in conn.execute(
        "SELECT id FROM games WHERE platform_id = ? AND (', ' || region || ', ') LIKE ? "
        "AND is_missing = 0 ORDER BY detected_title, id LIMIT ?",
        (platform, f"%, {region}, %", limit))]


def resolve(conn: sqlite3.Connection, profile: int, game_ids: Sequence[int],
            defaults: dict[str, str]) -> dict[int, str | None]:
    """Emulator per game: up to five queries per game, one level at a time."""
    result: dict[int, str | None] = {}
    for game_id in game_ids:
        platform = conn.execute("SELECT platform_id FROM games WHERE id = ?",
                                (game_id,)).fetchone()[0]
        emulator = None
        for sql, params in (
                ("SELECT emulator_id FROM game_overrides WHERE game_id = ? AND "
                 "device_profile_id = ? AND is_enabled = 1", (game_id, profile)),
                ("SELECT emulator_id FROM game_overrides WHERE game_id = ? AND "
                 "device_profile_id IS NULL AND is_enabled = 1", (game_id,)),
                ("SELECT emulator_id FROM platform_overrides WHERE platform_id = ? AND "
                 "device_profile_id = ?", (platform, profile)),
                ("SELECT emulator_id FROM platform_overrides WHERE platform_id = ? AND "
                 "device_profile_id IS NULL", (platform,))):
            row = conn.execute(sql, params).fetchone()
            if row and row[0]:
                emulator = row[0]
                break
        result[game_id] = emulator or defaults.get(platform)
    return result


def ingest_compat(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str, str, str]],
                  batch: int = 5000) -> int:
    """UPSERT observations (platform, emulator, game, status, source, expires); latest wins."""
    count = 0
    pending: list[tuple[str, ...]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO emulator_compat_cache (platform_id, emulator_id, definition_game_id, "
            "status, source, expires_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(platform_id, emulator_id, definition_game_id) DO UPDATE SET "
            "status = excluded.status, source = excluded.source, "
            "expires_at = excluded.expires_at, cached_at = CURRENT_TIMESTAMP", pending)
        conn.execute("COMMIT")
        pending.clear()

    for row in rows:
        pending.append(row)
        count += 1
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return count


def best_one(conn: sqlite3.Connection, key: tuple[str, str, str]) -> object:
    """The cached answer for one key."""
    return conn.execute("SELECT status, source FROM emulator_compat_cache WHERE platform_id = ? "
                        "AND emulator_id = ? AND definition_game_id = ?", key).fetchone()


def best_page(conn: sqlite3.Connection, platform: str, emulator: str,
              games: Sequence[str]) -> dict[str, str]:
    """Cached answers for a page of games."""
    marks = ", ".join("?" for _ in games)
    return {row[0]: row[1] for row in conn.execute(
        f"SELECT definition_game_id, status FROM emulator_compat_cache WHERE platform_id = ? "
        f"AND emulator_id = ? AND definition_game_id IN ({marks})",
        (platform, emulator, *games))}


def prune(conn: sqlite3.Connection, now: str) -> int:
    """Delete expired answers: one DELETE."""
    conn.execute("BEGIN IMMEDIATE")
    deleted = conn.execute("DELETE FROM emulator_compat_cache WHERE expires_at < ?",
                           (now,)).rowcount
    conn.execute("COMMIT")
    return int(deleted)


def query_page(conn: sqlite3.Connection, platform: str, region: str, word: str | None,
               offset: int, limit: int = 50) -> tuple[int, list[int]]:
    """The v1.0.1 way to answer a parsed query: LIKE filters, a count, an OFFSET page."""
    where = ("platform_id = ? AND (', ' || region || ', ') LIKE ? AND is_hack = 0")
    params: list[object] = [platform, f"%, {region}, %"]
    if word:
        where += " AND detected_title LIKE ?"
        params.append(f"%{word}%")
    total = conn.execute(f"SELECT count(*) FROM games WHERE {where}", params).fetchone()[0]
    ids = [row[0] for row in conn.execute(
        f"SELECT id FROM games WHERE {where} ORDER BY detected_title, id LIMIT ? OFFSET ?",
        (*params, limit, offset))]
    return int(total), ids
