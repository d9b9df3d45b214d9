"""``romrunner library``, ``scan``, ``games`` and ``dat``: the library from folder to catalog."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from romrunner.catalog.identify import identify
from romrunner.catalog.importer import import_dat, list_catalogs
from romrunner.cli.context import AppContext, app_context
from romrunner.errors import InputError
from romrunner.library.games import (
    GameFilter,
    find_by_hash,
    find_file,
    games_by_id,
    list_games,
    set_platform,
    show_game,
)
from romrunner.library.roots import (
    Root,
    add_root,
    get_root,
    list_roots,
    move_root,
    remove_root,
)
from romrunner.library.scan import ScanSummary, scan_library
from romrunner.store import OpenMode


@click.group()
def library() -> None:
    """Library roots: the folders ROM Runner scans."""


@library.command(name="add")
@click.argument("path", type=click.Path(path_type=Path))
def library_add(path: Path) -> int:
    """Register PATH as a library root."""
    app = app_context()
    root = add_root(app.open_db(), path)
    app.finish({"id": root.id, "path": str(root.path), "games": root.games},
               lambda c: c.print(f"library root {root.path} ({root.games} games)"))
    return 0


@library.command(name="ls")
def library_ls() -> int:
    """List library roots."""
    app = app_context()
    roots = list_roots(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        for root in roots:
            console.print(f"{root.path}  {root.games:,} games  "
                          f"last scanned {root.last_scanned_at or 'never'}", markup=False)

    app.finish([{"id": r.id, "path": str(r.path), "games": r.games,
                 "last_scanned_at": r.last_scanned_at} for r in roots], render)
    return 0


@library.command(name="rm")
@click.argument("path", type=click.Path(path_type=Path))
def library_rm(path: Path) -> int:
    """Forget a root and its games (files on disk are never touched)."""
    app = app_context()
    removed = remove_root(app.open_db(), path)
    app.finish({"path": str(path), "games_forgotten": removed},
               lambda c: c.print(f"forgot {path} and {removed} game rows; no file was touched"))
    return 0


@library.command(name="move")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
def library_move(old: Path, new: Path) -> int:
    """Point a root at its new location (nothing is rehashed)."""
    app = app_context()
    root = move_root(app.open_db(), old, new)
    app.finish({"id": root.id, "path": str(root.path), "games": root.games},
               lambda c: c.print(f"{old} is now {root.path} ({root.games} games kept)"))
    return 0


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Hashing processes (default: all cores).")
@click.option("--full", is_flag=True, help="Rehash every file, changed or not.")
def scan(paths: tuple[Path, ...], workers: int | None, full: bool) -> int:
    """Scan library roots (all, or the given ones) and identify what changed."""
    app = app_context()
    db = app.open_db()
    roots = [get_root(db, path) for path in paths] if paths else None
    summary = _run_scan(app, roots, workers, full)

    def render(console: Console) -> None:
        console.print(
            f"scanned {summary.scanned:,}: {summary.added:,} added, {summary.updated:,} "
            f"updated, {summary.unchanged:,} unchanged, {summary.renamed:,} renamed, "
            f"{summary.missing:,} missing; {summary.identified:,} identified, "
            f"{summary.unidentified:,} unidentified; {summary.bytes_hashed:,} bytes hashed "
            f"in {summary.seconds:.1f} s")
        for error in summary.errors[:20]:
            app.err_console.print(f"  {error['path']}: {error['error']}", markup=False)
        if len(summary.errors) > 20:
            app.err_console.print(f"  … and {len(summary.errors) - 20} more (--json lists all)")

    app.finish(asdict(summary), render)
    return 0


def _run_scan(app: AppContext, roots: list[Root] | None, workers: int | None,
              full: bool) -> ScanSummary:
    db = app.open_db()
    if not app.interactive:
        return scan_library(db, app.pack(), roots, workers=workers, full=full)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=app.err_console, transient=True) as bar:
        task = bar.add_task("hashing", total=None)

        def update(files: int, done: int, total_files: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"hashing {files:,}/{total_files:,} files")

        return scan_library(db, app.pack(), roots, workers=workers, full=full,
                            progress=update)


@click.group()
def games() -> None:
    """Query the scanned library."""


@games.command(name="ls")
@click.option("--platform", default=None, help="Only this platform id.")
@click.option("--missing", is_flag=True, help="Only files that have vanished.")
@click.option("--unidentified", is_flag=True, help="Only files matching no catalog game.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
def games_ls(platform: str | None, missing: bool, unidentified: bool, limit: int) -> int:
    """List games sorted by title."""
    app = app_context()
    rows = list_games(app.open_db(OpenMode.READ),
                      GameFilter(platform, missing, unidentified, limit))

    app.finish(rows, lambda console: console.print(games_table(rows)))
    return 0


def games_table(rows: list[dict[str, Any]]) -> Table:
    """The ``games ls`` table."""
    table = Table("id", "platform", "title", "region", "match", "file")
    for row in rows:
        title = row["catalog_title"] or row["detected_title"] or ""
        match = row["match_method"] or "-"
        table.add_row(str(row["id"]), row["platform_id"], title, row["region"] or "",
                      match + (" (missing)" if row["is_missing"] else ""), row["filename"])
    return table


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


@click.group()
def dat() -> None:
    """Game catalogs from DAT files (No-Intro, Redump, Logiqx XML)."""


@dat.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--platform", default=None, help="Platform id, when the DAT's name maps to none.")
def dat_import(files: tuple[Path, ...], platform: str | None) -> int:
    """Import DAT files and re-identify the library against them."""
    app = app_context()
    db = app.open_db()
    known = set(app.pack().platforms)
    results = [import_dat(db, path, platform_id=platform, known_platforms=known)
               for path in files]
    outcome = identify(db)
    for result in results:
        for problem in result.problems[:20]:
            app.warn(f"{result.path}: {problem}")

    def render(console: Console) -> None:
        for r in results:
            state = "unchanged" if r.unchanged else f"{r.games:,} games, {r.roms:,} roms"
            console.print(f"{r.name} ({r.platform_id}): {state} in {r.seconds:.2f} s",
                          markup=False)
        console.print(f"library: {outcome.identified:,} identified, "
                      f"{outcome.unidentified:,} unidentified")

    app.finish({"imports": [asdict(r) for r in results], "identified": outcome.identified,
                "unidentified": outcome.unidentified}, render)
    return 0


@dat.command(name="ls")
def dat_ls() -> int:
    """List imported DATs."""
    app = app_context()
    rows = list_catalogs(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        for row in rows:
            console.print(f"{row['name']} ({row['platform_id']}) {row['version'] or ''}: "
                          f"{row['game_count']:,} games", markup=False)

    app.finish(rows, render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (library, scan, games, dat):
        group.add_command(command)
