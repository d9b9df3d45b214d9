"""``romrunner demo``: the whole path on an example library the project makes itself."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from romrunner.bios.check import check_bios
from romrunner.bios.example import build_example_bios
from romrunner.bios.scan import scan_bios
from romrunner.catalog.importer import import_dat
from romrunner.cli.bios_cmd import bios_table
from romrunner.cli.context import app_context
from romrunner.library.example import build_example
from romrunner.library.games import GameFilter, list_games
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library


@click.command()
@click.option("--dir", "workdir", type=click.Path(path_type=Path), default=None,
              help="Where to build the example (default: a new temporary folder).")
def demo(workdir: Path | None) -> int:
    """Build an example library, scan it, identify it against its DAT, and show the result."""
    app = app_context()
    base = workdir or Path(tempfile.mkdtemp(prefix="romrunner-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    app.db_path = base / "romrunner.db"
    bios_folder, pack_copy, bios_platforms = build_example_bios(base, app.pack().path)
    app.use_pack(pack_copy)
    db = app.open_db()
    library, dats = build_example(base)
    root = add_root(db, library)
    known = set(app.pack().platforms)
    for dat in dats:
        import_dat(db, dat, known_platforms=known)
    summary = scan_library(db, app.pack(), [root], workers=1)
    games = list_games(db, GameFilter(limit=50))
    bios_summary = scan_bios(db, app.pack(), [bios_folder])
    bios_report = check_bios(db, app.pack(), platforms=bios_platforms)

    def render(console: Console) -> None:
        console.print(f"example library {library}")
        console.print(f"database        {app.db_path}")
        console.print(f"scanned {summary.scanned} files: {summary.identified} identified, "
                      f"{summary.unidentified} unidentified")
        table = Table("platform", "file", "identified as", "how")
        for game in games:
            table.add_row(game["platform_id"], game["filename"],
                          game["catalog_title"] or "-", game["match_method"] or "-")
        console.print(table)
        console.print(f"BIOS folder {bios_folder}: {bios_summary.scanned} files checked against "
                      f"test-only entries in {pack_copy}")
        console.print(bios_table(bios_report))
        console.print(f"try: romrunner --db {app.db_path} games ls")
        console.print(f"     romrunner --db {app.db_path} --pack {pack_copy} bios check")

    app.finish({"workdir": str(base), "database": str(app.db_path),
                "scan": {"scanned": summary.scanned, "added": summary.added},
                "identified": summary.identified, "unidentified": summary.unidentified,
                "games": games, "bios": {"ok": bios_report.ok, "groups": [
                    g.as_dict() for g in bios_report.groups]}}, render)
    return 0
