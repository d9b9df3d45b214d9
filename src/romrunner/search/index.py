"""Keeping the search index in step with new game rows.

The index holds the titles folded by :func:`romrunner.textnorm.fold` (``rr_fold`` in SQL),
the same function that folds a query, so every script is searchable the same way (migration
0008). Its title column holds ``title_norm`` where that is the folded title (as the writers
store it), else the folded title and :data:`MARK` (migration 0017), so a query may test a word
on ``title_norm`` and answer exactly what the index does.
Rows are added to ``games_fts`` by the scan writer, set-based once per batch: measured, a
per-row insert trigger made a first scan 2.5x slower (docs/PERFORMANCE.md). Updates and deletes
are still mirrored by triggers (they are rare and need the old values).
"""

from __future__ import annotations

from romrunner.errors import CorruptDatabaseError
from romrunner.store.database import Database, has_search_table, search_index_damage

MARK = "\ue000"
"""The word that marks a game whose ``title_norm`` is not its folded title: a private-use
character, which :func:`romrunner.textnorm.fold` never keeps, so no title or typed text holds
it."""

# The title column's text; migration 0017 and its triggers compute the same.
TITLE_SQL = ("CASE WHEN title_norm IS rr_fold(detected_title) THEN title_norm "
             "ELSE coalesce(rr_fold(detected_title), '') || ' ' || char(57344) END")


def catalog_title(alias: str = "g") -> str:
    """The SQL of a game's catalog title (table alias ``alias``): its DAT's description where
    that is not its name (an arcade set's title: migration 0024), else its matched name."""
    return f"coalesce({alias}.catalog_name, {alias}.catalog_title)"


def has_search_index(db: Database) -> bool:
    """True when the database has the FTS5 search table (SQLite built with FTS5)."""
    with db.translate_errors():
        return has_search_table(db.conn)


MARKED = f'detected_title : "{MARK}"'
"""The FTS5 query of the games whose ``title_norm`` is not their folded title."""


def has_marked(db: Database) -> bool:
    """True when some game's ``title_norm`` is not its folded title (see :data:`MARK`)."""
    return db.query_one("SELECT 1 FROM games_fts WHERE games_fts MATCH ? LIMIT 1",
                        (MARKED,)) is not None


def index_games(db: Database, first_id: int) -> None:
    """Add every game with ``id >= first_id`` to the search index (new rows only)."""
    if has_search_index(db):
        db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
                   f"SELECT id, {TITLE_SQL}, rr_fold({catalog_title('games')}) FROM games "
                   "WHERE id >= ?", (first_id,))


def search_index_problem(db: Database) -> str | None:
    """What is wrong with the search index, or None: one indexed row per game, read (SQLite's
    integrity check does not look inside it: QA157 F12, an emptied index found no game by
    title and made every write fail "corrupt", while `db check` said ok), and every entry of
    it read (see ``search_index_damage``: a damaged block failed each search)."""
    if not has_search_index(db):
        return None
    damage = search_index_damage(db.conn)  # (QA164 F6: a damaged block, check said ok)
    if damage is not None:
        return f"search index damaged ({damage})"
    try:
        indexed = int(db.scalar("SELECT count(*) FROM games_fts_docsize"))
    except CorruptDatabaseError as exc:
        return f"search index damaged ({exc.__cause__ or exc})"
    games = int(db.scalar("SELECT count(*) FROM games"))
    if indexed != games:
        return f"search index holds {indexed:,} games of {games:,}"
    return None


def rebuild_search_index(db: Database) -> int:
    """Empty the search index and index every game again (it is derived from the games
    table: nothing is lost); the games indexed."""
    if not has_search_index(db):
        return 0
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('delete-all')")
    index_games(db, 0)
    return int(db.scalar("SELECT count(*) FROM games_fts_docsize"))
