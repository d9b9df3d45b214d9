"""``romrunner collection``: manual and smart collections of games."""

from __future__ import annotations

from dataclasses import asdict

import click
from rich.console import Console
from rich.table import Table

from romrunner.cli.context import ROW_ID, AppContext, app_context
from romrunner.cli.games_cmd import page_json, render_page
from romrunner.collections.store import (
    ADOPTED_NOTE,
    add_games,
    collection_page,
    collection_ref,
    create_collection,
    list_collections,
    remove_collection,
    remove_games,
    rename_collection,
    set_collection_query,
)
from romrunner.errors import InputError
from romrunner.library.query import nothing_found_hint, query_text
from romrunner.store import Database, OpenMode
from romrunner.words import counted


@click.group()
def collection() -> None:
    """Manual collections (ordered lists) and smart ones (a saved query, evaluated live).

    Built in: favorites (manual), recently added, missing files, unidentified, name-guessed.
    """


@collection.command(name="create")
@click.argument("name")
@click.option("--query", "query", default=None,
              help="Make a smart collection of this query (see `games ls --help`).")
def collection_create(name: str, query: str | None) -> int:
    """Create a manual collection, or a smart one with --query."""
    app = app_context()
    db = app.open_db()
    info = create_collection(db, name, query=_shell_query(query),
                             known_platforms=app.pack().platforms)
    if info.query:
        _hint(app, db, info.query, f"smart collection {info.name} selects no game")
    app.finish(asdict(info), lambda c: c.print(
        f"created {info.kind} collection {info.name}"
        + (f": {info.query}" if info.query else "")))
    return 0


def _hint(app: AppContext, db: Database, query: str, what: str) -> None:
    """Say that ``query`` (stored, or whose games were added) selects no game, and why when a
    word of it reads as another search syntax's (``mario OR zelda``), as `games ls` says it."""
    hint = nothing_found_hint(db, query, known_platforms=app.pack().platforms)
    if hint is not None:
        app.warn(f"{what}; {hint}")


@collection.command(name="rm")
@click.argument("name")
@click.option("--force", is_flag=True,
              help="Remove it even if it holds games picked by hand, or profiles or smart "
                   "collections name it (favorites: empty it).")
def collection_rm(name: str, force: bool) -> int:
    """Delete a collection (its games stay in the library).

    A manual collection holding games, or one that a profile's --include/--exclude-collections
    or a smart collection's query names, is kept unless --force (which also takes it out of
    those profiles). Favorites, built in, is emptied instead (--force), and stays."""
    app = app_context()
    removed = remove_collection(app.open_db(), name, force=force)
    for smart in removed.smart_broken:
        app.warn(f"smart collection {smart!r} names {removed.name!r}, which no longer exists: "
                 "its query no longer works")
    for smart, via in removed.smart_broken_through:
        app.warn(f"smart collection {smart!r} names {via!r}, whose query no longer works: "
                 "its own no longer works either")

    def render(console: Console) -> None:
        if removed.emptied is not None:
            console.print(f"emptied {removed.name} (built in, it stays, id {removed.id}): "
                          f"{counted(removed.emptied, 'game')} taken out (kept in the "
                          "library)", markup=False)
            return
        console.print(f"removed collection {removed.name} (id {removed.id})", markup=False)
        if removed.profiles_updated:
            console.print("no longer filtered by it: profile "
                          + ", ".join(str(i) for i in removed.profiles_updated), markup=False)

    for profile_id in removed.profiles_failing:
        app.warn(f"profile {profile_id} took only the games of {removed.name!r}: it still "
                 "names it, and its auto-lists and deploys fail until `romrunner profile set "
                 f"{profile_id} --include-collections …` names another (or '' for every "
                 "collection)")

    # (favorites emptied is not removed: null, review49d F3)
    app.finish({"removed": removed.name if removed.emptied is None else None,
                **asdict(removed)}, render)
    return 0


@collection.command(name="rename")
@click.argument("old")
@click.argument("new")
def collection_rename(old: str, new: str) -> int:
    """Rename a collection (smart collections that name it are rewritten to the new name)."""
    app = app_context()
    renamed = rename_collection(app.open_db(), old, new)

    def render(console: Console) -> None:
        console.print(f"renamed {renamed.old} to {renamed.name}", markup=False)
        for smart in renamed.rewritten:
            console.print(f"smart collection {smart!r} now names {renamed.name!r}",
                          markup=False)

    app.finish({"renamed": renamed.name, **asdict(renamed)}, render)
    return 0


@collection.command(name="edit")
@click.argument("name")
@click.option("--query", "query", required=True,
              help="The smart collection's new query (see `games ls --help`).")
def collection_edit(name: str, query: str) -> int:
    """Replace a smart collection's query (one whose query no longer works, after a `dat rm`,
    is mended so). The query is checked as `collection create --query` checks one; a bad one
    changes nothing."""
    app = app_context()
    db = app.open_db()
    edited = set_collection_query(db, name, _shell_query(query) or "",
                                  known_platforms=app.pack().platforms)
    _hint(app, db, edited.query, f"smart collection {edited.name} selects no game")

    def render(console: Console) -> None:
        console.print(f"smart collection {edited.name}: {edited.query}", markup=False)
        console.print(f"  (was: {edited.old_query})", markup=False)

    app.finish(asdict(edited), render)
    return 0


@collection.command(name="add")
@click.argument("name")
@click.argument("game_ids", type=ROW_ID, nargs=-1)
@click.option("--query", "query", default=None, help="Also add every game of this query.")
def collection_add(name: str, game_ids: tuple[int, ...], query: str | None) -> int:
    """Append games to a manual collection (ids in order; games already in it stay put)."""
    if not game_ids and query is None:
        raise InputError("give game ids or --query")
    app = app_context()
    db = app.open_db()
    text = _shell_query(query)
    result = add_games(db, name, list(game_ids), query=text,
                       known_platforms=app.pack().platforms)
    if text is not None:
        _hint(app, db, text, "--query selects no game")
    already = f" ({counted(result.already, 'game')} already in it)" if result.already else ""
    if result.adopted:
        app.warn(f"{result.name} {ADOPTED_NOTE}")
    app.finish({"collection": result.name, "added": result.added,
                "already_in": result.already, "adopted": result.adopted},
               lambda c: c.print(f"{counted(result.added, 'game')} added to {result.name}"
                                 f"{already}", markup=False))
    return 0


@collection.command(name="remove")
@click.argument("name")
@click.argument("game_ids", type=ROW_ID, nargs=-1)
@click.option("--query", "query", default=None,
              help="Also take out every game of this query that is in it.")
def collection_remove(name: str, game_ids: tuple[int, ...], query: str | None) -> int:
    """Take games out of a manual collection (ids, and/or --query). An id that is no game of
    the library is refused (nothing is removed), as `collection add` does; a game not in the
    collection is named."""
    if not game_ids and query is None:
        raise InputError("give game ids or --query")
    app = app_context()
    result = remove_games(app.open_db(), name, list(game_ids), query=_shell_query(query),
                          known_platforms=app.pack().platforms)
    if result.not_in:
        shown = ", ".join(str(i) for i in result.not_in[:10])
        more = f" and {len(result.not_in) - 10:,} more" if len(result.not_in) > 10 else ""
        app.warn(f"{counted(len(result.not_in), 'game')} not in {result.name}: {shown}{more}")
    if result.adopted:
        app.warn(f"{result.name} {ADOPTED_NOTE}")
    app.finish({"collection": result.name, "removed": result.removed,
                "not_in": result.not_in, "adopted": result.adopted},
               lambda c: c.print(f"{counted(result.removed, 'game')} removed from "
                                 f"{result.name}"))
    return 0


@collection.command(name="ls")
def collection_ls() -> int:
    """Every collection with its size; a smart one whose query no longer works says why."""
    app = app_context()
    infos = list_collections(app.open_db(OpenMode.READ), known_platforms=app.pack().platforms)
    for info in infos:
        if info.problem:
            app.warn(f"collection {info.name!r}: {info.problem}")

    def render(console: Console) -> None:
        table = Table("id", "name", "kind", "games", "query")
        for info in infos:
            size = "?" if info.games is None else \
                f"{info.games:,}" + ("" if info.games_exact else "+")
            table.add_row("" if info.id is None else str(info.id), info.name, info.kind, size,
                          (info.query or "") + (f"  ({info.problem})" if info.problem else ""))
        console.print(table)
        if any(info.games is not None and not info.games_exact for info in infos):
            console.print("N+: at least N (a smart collection is counted live, and the count "
                          "stops early to stay quick; `romrunner games ls collection:NAME "
                          "--count` counts all)", soft_wrap=True)

    app.finish([asdict(info) for info in infos], render)
    return 0


@collection.command(name="show")
@click.argument("name")
@click.option("--sort", default=None,
              help="Sort keys as for `games ls` (default: the collection's own order).")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@click.option("--after", default=None, help="Cursor printed by the previous page.")
@click.option("--count", "exact_count", is_flag=True, help="Count every match.")
def collection_show(name: str, sort: str | None, limit: int, after: str | None,
                    exact_count: bool) -> int:
    """The games of a collection, a page at a time."""
    app = app_context()
    database = app.open_db(OpenMode.READ)
    ref = collection_ref(database, name)
    page = collection_page(database, name, sort=sort, limit=limit,
                           after=after, exact_count=exact_count,
                           known_platforms=app.pack().platforms)

    def render(console: Console) -> None:
        kind = "built in" if ref.kind == "built-in" else ref.kind  # (said once: qa197 F10)
        ident = kind if ref.id is None else f"id {ref.id}, {kind}"
        console.print(f"collection {ref.name} ({ident})", markup=False)
        render_page(console, page)

    app.finish({"id": ref.id, "name": ref.name, "kind": ref.kind, **page_json(page)}, render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(collection)


def _shell_query(query: str | None) -> str | None:
    """A --query value as the shell handed it over: one word, read as a QUERY word is
    (`--query dat:"Nintendo - Game Boy"` stays one value: QA28 F4)."""
    return None if query is None else query_text([query])
