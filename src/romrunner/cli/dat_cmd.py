"""``romrunner dat``: game catalogs from DAT files."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console

from romrunner.catalog.identify import identify
from romrunner.catalog.importer import import_dat, list_catalogs
from romrunner.cli.context import app_context
from romrunner.store import OpenMode


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
    for command in (dat,):
        group.add_command(command)
