"""Identification: which catalog game each scanned file (or archive member, or disc) is.

Set-based passes, strongest first: SHA1, then MD5, then CRC32 + size, each on the full file
and on its header-less data; then archive members and disc tracks decide their container;
last, files with no hash match are matched by normalised name and flagged ``name``. A match
made by the user (``match_method = 'user'``) is never replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.library.tags import strip_extension
from romrunner.store.database import Database
from romrunner.textnorm import fold

_HASH_PASSES = (
    ("sha1", "r.sha1 = t.file_sha1"),
    ("sha1", "r.sha1 = t.nh_sha1"),
    ("md5", "r.md5 = t.file_md5"),
    ("md5", "r.md5 = t.nh_md5"),
    ("crc32", "r.crc32 = t.file_crc32 AND r.size = t.file_size"),
    ("crc32", "r.crc32 = t.nh_crc32 AND r.size = t.file_size - t.header_size"),
)


@dataclass(frozen=True)
class IdentifyResult:
    """How many games in scope are identified, and how."""

    identified: int
    unidentified: int
    by_name: int


def identify(db: Database, game_ids: list[int] | None = None) -> IdentifyResult:
    """(Re)identify the given games, or the whole library when ``game_ids`` is None."""
    with db.atomic():
        db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_scope (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.identify_scope")
        if game_ids is None:
            db.execute("INSERT INTO temp.identify_scope SELECT id FROM games")
        else:
            db.executemany("INSERT OR IGNORE INTO temp.identify_scope VALUES (?)",
                           ((game_id,) for game_id in game_ids))
        _reset(db)
        by_name = 0
        if db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games)"):  # no DAT: no match
            for method, condition in _HASH_PASSES:
                _match_games(db, method, condition)
                _match_members(db, method, condition)
            _decide_by_members(db)
            by_name = _match_by_name(db)
        counts = db.query_one(
            "SELECT count(matched_game_id) AS hit, count(*) - count(matched_game_id) AS miss "
            "FROM games WHERE id IN (SELECT id FROM temp.identify_scope)")
        db.execute("DELETE FROM temp.identify_scope")
    assert counts is not None
    return IdentifyResult(int(counts["hit"]), int(counts["miss"]), by_name)


def _reset(db: Database) -> None:
    db.execute("UPDATE games SET matched_game_id = NULL, match_method = NULL, "
               "catalog_title = NULL WHERE id IN (SELECT id FROM temp.identify_scope) "
               "AND coalesce(match_method, '') <> 'user' "
               "AND (matched_game_id IS NOT NULL OR catalog_title IS NOT NULL)")
    db.execute("UPDATE game_files SET matched_game_id = NULL, match_method = NULL "
               "WHERE game_id IN (SELECT id FROM temp.identify_scope)")


def _match_games(db: Database, method: str, condition: str) -> None:
    db.execute(
        "UPDATE games AS t SET matched_game_id = cg.game_id, match_method = ?, "
        "catalog_title = cg.name, "
        "platform_source = CASE WHEN t.platform_id = 'unknown' THEN 'catalog' "
        "ELSE t.platform_source END, "
        "platform_id = CASE WHEN t.platform_id = 'unknown' THEN cg.platform_id "
        "ELSE t.platform_id END "
        "FROM catalog_roms r JOIN catalog_games cg ON cg.id = r.catalog_game_id "
        f"WHERE {condition} AND t.matched_game_id IS NULL "
        "AND t.id IN (SELECT id FROM temp.identify_scope) "
        "AND (t.platform_id = 'unknown' OR t.platform_id = cg.platform_id)",
        (method,))


def _match_members(db: Database, method: str, condition: str) -> None:
    db.execute(
        "UPDATE game_files AS t SET matched_game_id = cg.game_id, match_method = ? "
        "FROM catalog_roms r JOIN catalog_games cg ON cg.id = r.catalog_game_id "
        f"WHERE {condition} AND t.matched_game_id IS NULL AND t.kind IN ('member', 'track') "
        "AND t.game_id IN (SELECT id FROM temp.identify_scope)",
        (method,))


def _decide_by_members(db: Database) -> None:
    """An archive or disc whose matched members all name one game is that game."""
    db.execute(
        "UPDATE games AS g SET matched_game_id = f.game, "
        "match_method = CASE WHEN g.is_archive = 1 THEN f.method ELSE 'tracks' END, "
        "catalog_title = (SELECT name FROM catalog_games WHERE game_id = f.game LIMIT 1), "
        "platform_source = CASE WHEN g.platform_id = 'unknown' THEN 'catalog' "
        "ELSE g.platform_source END, "
        "platform_id = CASE WHEN g.platform_id = 'unknown' THEN "
        "(SELECT platform_id FROM catalog_games WHERE game_id = f.game LIMIT 1) "
        "ELSE g.platform_id END "
        "FROM (SELECT game_id, min(matched_game_id) AS game, min(match_method) AS method "
        "      FROM game_files WHERE kind IN ('member', 'track') "
        "      AND game_id IN (SELECT id FROM temp.identify_scope) "
        "      GROUP BY game_id "
        "      HAVING count(DISTINCT matched_game_id) = 1 "
        "         AND count(matched_game_id) = count(*)) AS f "
        "WHERE g.id = f.game_id AND g.matched_game_id IS NULL")


def _match_by_name(db: Database) -> int:
    # Only names that could match: of a platform the catalog has games of (folding a name
    # costs microseconds, and a first scan brings every file of the library here).
    rows = db.query("SELECT id, platform_id, filename FROM games AS g "
                    "WHERE id IN (SELECT id FROM temp.identify_scope) "
                    "AND matched_game_id IS NULL AND platform_id <> 'unknown' "
                    "AND EXISTS (SELECT 1 FROM catalog_games c "
                    "            WHERE c.platform_id = g.platform_id)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_names "
               "(id INTEGER PRIMARY KEY, platform_id TEXT, title_norm TEXT)")
    db.execute("DELETE FROM temp.identify_names")
    db.executemany("INSERT INTO temp.identify_names VALUES (?, ?, ?)",
                   ((row["id"], row["platform_id"], fold(strip_extension(row["filename"])))
                    for row in rows))
    # The redundant IN keeps the planner off a scan of every unmatched game in the library
    # (it otherwise walks idx_games_matched for NULLs: a whole-library scan per batch).
    matched = db.execute(
        "UPDATE games AS g SET matched_game_id = cg.game_id, match_method = 'name', "
        "catalog_title = cg.name FROM temp.identify_names n JOIN catalog_games cg "
        "ON cg.platform_id = n.platform_id AND cg.title_norm = n.title_norm "
        "WHERE g.id = n.id AND g.id IN (SELECT id FROM temp.identify_names) "
        "AND g.matched_game_id IS NULL").rowcount
    db.execute("DELETE FROM temp.identify_names")
    return matched
