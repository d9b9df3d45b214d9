"""``romrunner demo``: the whole path on an example library the project makes itself."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.console import Console

from romrunner.cli.context import app_context
from romrunner.store import OpenMode
from romrunner.store.maintenance import database_status


@click.command()
@click.option("--dir", "workdir", type=click.Path(path_type=Path), default=None,
              help="Where to build the example (default: a new temporary folder).")
def demo(workdir: Path | None) -> int:
    """Build an example library in a temporary folder and show what ROM Runner makes of it."""
    app = app_context()
    root = workdir or Path(tempfile.mkdtemp(prefix="romrunner-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    app.db_path = root / "romrunner.db"
    info = database_status(app.open_db(OpenMode.WRITE))

    def render(console: Console) -> None:
        console.print(f"demo database {info.path}: schema version {info.schema_version}")

    app.finish({"workdir": str(root), "database": info.path,
                "schema_version": info.schema_version}, render)
    return 0
