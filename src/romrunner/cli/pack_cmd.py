"""``romrunner pack``: status and validation of definition packs."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from romrunner.cli.context import app_context
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import stored_pack_hash
from romrunner.store import OpenMode


@click.group()
def pack() -> None:
    """Inspect definition packs."""


@pack.command()
def status() -> int:
    """Show the pack in use, its versions and whether the database has seen it."""
    app = app_context()
    loaded = app.pack()
    stored = stored_pack_hash(app.open_db(OpenMode.READ))  # the pack the database last saw
    data = {"path": "builtin" if loaded.builtin else str(loaded.path),
            "content_hash": loaded.content_hash, "versions": loaded.versions,
            "stored_hash": stored, "counts": _counts(loaded), "warnings": len(loaded.warnings)}

    def render(console: Console) -> None:
        console.print(f"pack     {data['path']}")
        console.print(f"hash     {loaded.content_hash[:16]}")
        for name, count in _counts(loaded).items():
            console.print(f"{name:<18} {count}")
        console.print(f"warnings {len(loaded.warnings)}")

    app.finish(data, render)
    return 0


@pack.command()
@click.argument("directory", type=click.Path(path_type=Path))
def validate(directory: Path) -> int:
    """Load DIRECTORY as a pack and list every entry skipped or repaired (exit 1 if any)."""
    app = app_context()
    loaded = load_pack(directory)
    warnings = [str(w) for w in loaded.warnings]
    data = {"path": str(directory), "content_hash": loaded.content_hash,
            "counts": _counts(loaded), "problems": warnings}

    def render(console: Console) -> None:
        for line in warnings:
            console.print(line, markup=False)
        counts = ", ".join(f"{count} {name}" for name, count in _counts(loaded).items())
        console.print(f"{directory}: loaded {counts}; {len(warnings)} problems")

    app.finish(data, render, ok=not warnings, errors=[
        f"{directory}: {len(warnings)} pack entries skipped or repaired (data.problems lists "
        "them)"] if warnings else None)
    return 1 if warnings else 0


def _counts(loaded: DefinitionPack) -> dict[str, int]:
    return {"platforms": len(loaded.platforms), "emulators": len(loaded.emulators),
            "bios": len(loaded.bios), "devices": len(loaded.devices),
            "operating_systems": len(loaded.operating_systems),
            "layout_profiles": len(loaded.layout_profiles)}
