"""Keeping the search index in step with new game rows.

The index holds the titles folded by :func:`romrunner.textnorm.fold` (``rr_fold`` in SQL),
the same function that folds a query, so every script is searchable the same way (migration
0008). Rows are added to ``games_fts`` by the scan writer, set-based once per batch: measured, a
per-row insert trigger made a first scan 2.5x slower (docs/PERFORMANCE.md). Updates and
deletes are still mirrored by triggers (they are rare and need the old values).
"""

from __future__ import annotations

from romrunner.store.database import Database


def has_search_index(db: Database) -> bool:
    """True when the database has the FTS5 search table (SQLite built with FTS5)."""
    return bool(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'games_fts'"))


def index_games(db: Database, first_id: int) -> None:
    """Add every game with ``id >= first_id`` to the search index (new rows only)."""
    if has_search_index(db):
        db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
                   "SELECT id, rr_fold(detected_title), rr_fold(catalog_title) FROM games "
                   "WHERE id >= ?", (first_id,))
