"""``romrunner games``: query the scanned library."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from romrunner.catalog.identify import identify
from romrunner.cli.context import app_context
from romrunner.errors import InputError
from romrunner.library.games import (
    find_by_hash,
    find_file,
    games_by_id,
    set_platform,
    show_game,
)
from romrunner.library.query import (
    COUNT_CAP,
    FIELDS,
    GamePage,
    describe_total,
    parse_query,
    query_games,
    quote_value,
)
from romrunner.library.reports import duplicates
from romrunner.store import OpenMode


@click.group()
def games() -> None:
    """Query the scanned library."""


@games.command(name="ls")
@click.argument("query", nargs=-1)
@click.option("--sort", default="title", show_default=True,
              help="Sort keys, comma-separated, '-' for descending: title, added, size, "
                   "platform, id.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@click.option("--after", default=None, help="Cursor printed by the previous page.")
@click.option("--count", "exact_count", is_flag=True,
              help=f"Count every match (above {COUNT_CAP:,} the total is 'at least').")
@click.option("--platform", default=None, help="Same as the query term platform:ID.")
@click.option("--missing", is_flag=True, help="Same as missing:true.")
@click.option("--unidentified", is_flag=True, help="Same as match:none.")
def games_ls(query: tuple[str, ...], sort: str, limit: int, after: str | None,
             exact_count: bool, platform: str | None, missing: bool,
             unidentified: bool) -> int:
    """List games matching QUERY, e.g. platform:snes region:usa,europe -flag:hack mario.

    Fields: platform region lang flag title missing match size year added id dat
    collection. Free words search titles; ',' is OR, '-' negates, quote values with spaces.
    """
    app = app_context()
    words = list(query)
    if platform is not None:
        words.append(f"platform:{quote_value(platform)}")
    if missing:
        words.append("missing:true")
    if unidentified:
        words.append("match:none")
    parsed = parse_query(words)
    page = query_games(app.open_db(OpenMode.READ), parsed, sort=sort, limit=limit,
                       after=after, exact_count=exact_count,
                       known_platforms=app.pack().platforms)
    app.finish(page_json(page), lambda console: render_page(console, page))
    return 0


def page_json(page: GamePage) -> dict[str, Any]:
    """A page for --json: the games, the total (and whether it is exact), the next cursor."""
    return {"games": page.rows, "total": page.total, "total_exact": page.total_exact,
            "next": page.next_cursor, "query": page.query, "sort": page.sort}


def render_page(console: Console, page: GamePage) -> None:
    """A page as text: the table, then "50 of 30,020" and how to get the next page."""
    if page.rows:
        console.print(games_table(page.rows))
    line = describe_total(len(page.rows), page.total, page.total_exact)
    if not page.total_exact:
        line += " (--count for the exact total)"
    if page.next_cursor:
        line += f" (use --limit / --after; next page: --after {page.next_cursor})"
    console.print(line, soft_wrap=True)


def games_table(rows: list[dict[str, Any]]) -> Table:
    """The ``games ls`` table."""
    table = Table("id", "platform", "title", "region", "match", "size", "file")
    for row in rows:
        title = row["catalog_title"] or row["detected_title"] or ""
        match = row["match_method"] or "-"
        table.add_row(str(row["id"]), row["platform_id"], title, row["region"] or "",
                      match + (" (missing)" if row["is_missing"] else ""),
                      FIELDS["size"].show(row["file_size"]), row["filename"])
    return table


@games.command(name="dupes")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True,
              help="Duplicate sets to show, the most space first.")
def games_dupes(limit: int) -> int:
    """Files with the same content (SHA1) in several places, and the space a cleanup frees."""
    app = app_context()
    sets = duplicates(app.open_db(OpenMode.READ), limit=limit)

    def render(console: Console) -> None:
        for item in sets:
            console.print(f"{item.sha1}  {item.copies} copies of "
                          f"{FIELDS['size'].show(item.size)}, "
                          f"{FIELDS['size'].show(item.reclaimable)} reclaimable")
            for entry in item.files:
                console.print(f"  {entry['id']:>8}  {entry['path']}", soft_wrap=True)
        total = sum(item.reclaimable for item in sets)
        console.print(f"{len(sets):,} duplicate sets, {FIELDS['size'].show(total)} reclaimable"
                      if sets else "no duplicates")

    app.finish([asdict(item) for item in sets], render)
    return 0


@games.command(name="find")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--sha1", default=None, help="40 hex digits.")
@click.option("--md5", default=None, help="32 hex digits.")
@click.option("--crc32", default=None, help="8 hex digits; needs --size.")
@click.option("--size", type=click.IntRange(0), default=None, help="File size in bytes.")
def games_find(file: Path | None, sha1: str | None, md5: str | None, crc32: str | None,
               size: int | None) -> int:
    """Games holding this data: give a FILE (hashed here) or a hash. Exit 1 when none."""
    app = app_context()
    if file is not None and (sha1 or md5 or crc32):
        raise InputError("give a FILE or a hash, not both")
    db = app.open_db(OpenMode.READ)
    if file is not None:
        ids = find_file(db, file)
    else:
        ids = find_by_hash(db, sha1=sha1, md5=md5, crc32=crc32, size=size)
    rows = games_by_id(db, ids)
    app.finish(rows, lambda console: console.print(
        games_table(rows) if rows else "no game in the library holds this data"))
    return 0 if rows else 1


@games.command(name="show")
@click.argument("game_id", type=int)
def games_show(game_id: int) -> int:
    """Everything about one game: hashes, members, tags, match."""
    app = app_context()
    game = show_game(app.open_db(OpenMode.READ), game_id)

    def render(console: Console) -> None:
        for key, value in game.items():
            if key != "files":
                console.print(f"{key:<20} {value}", markup=False)
        for item in game["files"]:
            console.print(f"  {item['kind']} {item['name']} sha1 {item['file_sha1']} "
                          f"match {item['matched_game_id']}", markup=False)

    app.finish(game, render)
    return 0


@games.command(name="set-platform")
@click.argument("platform_id")
@click.argument("game_ids", type=int, nargs=-1, required=True)
def games_set_platform(platform_id: str, game_ids: tuple[int, ...]) -> int:
    """Assign PLATFORM_ID to games by hand; rescans keep it."""
    app = app_context()
    db = app.open_db()
    changed = set_platform(db, list(game_ids), platform_id, set(app.pack().platforms))
    identify(db, list(game_ids))
    app.finish({"platform_id": platform_id, "changed": changed},
               lambda c: c.print(f"{changed} games set to {platform_id}"))
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (games,):
        group.add_command(command)
