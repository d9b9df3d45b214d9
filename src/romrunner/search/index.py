"""Keeping the search index in step with new game rows.

The index holds the titles folded by :func:`romrunner.textnorm.fold` (``rr_fold`` in SQL),
the same function that folds a query, so every script is searchable the same way (migration
0008). Its title column holds ``title_norm`` where that is the folded title (as the writers
store it), else the folded title and :data:`MARK` (migration 0017), so a query may test a word
on ``title_norm`` and answer exactly what the index does. Its catalog column holds the catalog
title without its tags (:func:`indexed_catalog_title`, migration 0037), as the title column
holds the file's title, its name before the tags: ``(USA)``, ``(World)``, ``(Rev 1)`` are
field terms (``region:usa``, ``flag:beta``), not a title's words, for every game alike.
Rows are added to ``games_fts`` by the scan writer, set-based once per batch: measured, a
per-row insert trigger made a first scan 2.5x slower (docs/PERFORMANCE.md). Updates and deletes
are still mirrored by triggers (they are rare and need the old values).

A second index, ``games_fts_reading`` (migration 0032), holds the titles as they read where a
catalog writes them otherwise: No-Intro's "Legend of Zelda, The - A Link to the Past" reads
"The Legend of Zelda - A Link to the Past" (see :func:`reading_sql`). Only those games have a
row in it (3-4% of a No-Intro library), so a quoted phrase is found in a title as written or
as it reads (``"the legend"``, ``"zelda a link"``) while word searches, and their ranking,
read the main index alone.
"""

from __future__ import annotations

from romrunner.errors import CorruptDatabaseError
from romrunner.store.database import (
    Database,
    has_search_table,
    missing_search_tables,
    search_index_damage,
)
from romrunner.store.migrate import current_version
from romrunner.textnorm import ARTICLES

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


def indexed_catalog_title(alias: str = "g") -> str:
    """The SQL of the catalog title (:func:`catalog_title`) as the search index holds it
    (before the fold): without its tags, as a file's title is without its name's
    (``rr_title``: :func:`romrunner.library.tags.name_title`, migration 0037), so a free word
    is a title's word for every game alike (``(USA)`` is ``region:usa``, not a word)."""
    return f"rr_title({catalog_title(alias)})"


READING_TABLE = "games_fts_reading"
"""The index of the titles as they read (see :func:`reading_sql`): one row a game whose title
or catalog title reads otherwise than it is written, its columns those of ``games_fts``."""


def reading_sql(title: str) -> str:
    """The SQL of the title ``title`` (an SQL expression) folded as it reads where a catalog
    puts the article that begins it after its main title ("Legend of Zelda, The - A Link to
    the Past (USA)" reads "the legend of zelda a link to the past usa"), else NULL: its first
    ", " is followed by one of :data:`ARTICLES` that ends the main title (before " - ", " (",
    " [" or the end), and the text before that comma holds no such separator ("Kileak, The
    Blood", and "Golgo 13, Las Vegas" in a subtitle, read as written). Plain SQL, cheapest
    test first: a title without ", " costs one ``instr`` and no fold; migration 0032's
    triggers compute the same."""
    comma = f"instr({title}, ', ')"
    head = f"substr({title}, 1, {comma} - 1)"
    tail = f"substr({title}, {comma} + 2)"
    word_end = f"instr({tail} || ' ', ' ')"
    word = f"substr({tail}, 1, {word_end} - 1)"
    after = f"substr({tail}, {word_end})"
    articles = ", ".join(f"'{article}'" for article in ARTICLES)
    return (f"CASE WHEN {comma} > 1 AND lower({word}) IN ({articles}) "
            f"AND ({after} = '' OR substr({after}, 1, 3) = ' - ' "
            f"OR substr({after}, 1, 2) IN (' (', ' [')) "
            f"AND instr({head}, ' - ') = 0 AND instr({head}, ' (') = 0 "
            f"AND instr({head}, ' [') = 0 "
            f"THEN rr_fold({word} || ' ' || {head} || {after}) END")


def reading_rows_sql(key: str, title: str, catalog: str, source: str = "",
                     lead: str = "") -> str:
    """The SELECT of ``games_fts_reading``'s rows: ``lead``, then ``key`` (the rowid), the
    title and the catalog title (SQL expressions over ``source``, a FROM clause) each as it
    reads (:func:`reading_sql`), of the rows where one reads otherwise than it is written."""
    return (f"SELECT {lead}k, a, b FROM (SELECT k, {reading_sql('t')} AS a, "
            f"{reading_sql('c')} AS b FROM (SELECT {key} AS k, {title} AS t, {catalog} AS c"
            f"{' ' + source if source else ''})) WHERE a IS NOT NULL OR b IS NOT NULL")


def has_reading_index(db: Database) -> bool:
    """True when the database has :data:`READING_TABLE` (with FTS5, from schema 32)."""
    return db.query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (READING_TABLE,)) is not None


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
        catalog = indexed_catalog_title("games")
        db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
                   f"SELECT id, {TITLE_SQL}, rr_fold({catalog}) FROM games WHERE id >= ?",
                   (first_id,))
        if has_reading_index(db):
            db.execute(f"INSERT INTO {READING_TABLE} (rowid, detected_title, catalog_title) "
                       + reading_rows_sql("id", "detected_title", catalog,
                                          "FROM games WHERE id >= ?"), (first_id,))


def search_index_problem(db: Database) -> str | None:
    """What is wrong with the search index, or None: one indexed row per game, read (SQLite's
    integrity check does not look inside it: QA157 F12, an emptied index found no game by
    title and made every write fail "corrupt", while `db check` said ok), and every entry of
    it read (see ``search_index_damage``: a damaged block failed each search)."""
    with db.translate_errors():
        missing = missing_search_tables(db.conn, current_version(db))
    if missing:  # (review38b F2: dropped, check said ok and writes failed on its triggers)
        return (f"search index table {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} missing")
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
    if has_reading_index(db):
        try:  # (its entries were read by search_index_damage)
            indexed = int(db.scalar(f"SELECT count(*) FROM {READING_TABLE}_docsize"))
        except CorruptDatabaseError as exc:
            return f"search index damaged ({exc.__cause__ or exc})"
        reading = int(db.scalar("SELECT count(*) FROM (" + reading_rows_sql(
            "id", "detected_title", indexed_catalog_title("games"), "FROM games") + ")"))
        if indexed != reading:
            return (f"search index holds {indexed:,} titles as they read of {reading:,}")
    return None


def rebuild_search_index(db: Database) -> int:
    """Empty the search index and index every game again (it is derived from the games
    table: nothing is lost); the games indexed."""
    if not has_search_index(db):
        return 0
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('delete-all')")
    if has_reading_index(db):
        db.execute(f"INSERT INTO {READING_TABLE} ({READING_TABLE}) VALUES ('delete-all')")
    index_games(db, 0)
    return int(db.scalar("SELECT count(*) FROM games_fts_docsize"))
