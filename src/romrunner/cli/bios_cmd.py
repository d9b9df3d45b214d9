"""``romrunner bios``: scan BIOS folders and check what each platform or emulator needs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from romrunner.bios.check import BLOCKING, SATISFIED, BiosReport, check_bios
from romrunner.bios.known import import_bios_dat
from romrunner.bios.scan import scan_bios
from romrunner.cli.context import ROW_ID, app_context
from romrunner.store import OpenMode


@click.group()
def bios() -> None:
    """BIOS and firmware: verify files and see what is missing."""


@bios.command(name="scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def bios_scan(paths: tuple[Path, ...]) -> int:
    """Hash and verify every file under PATHS against the pack's known BIOS."""
    app = app_context()
    summary = scan_bios(app.open_db(), app.pack(), list(paths))

    def render(console: Console) -> None:
        console.print(f"{summary.scanned} files, {summary.hashed} hashed, "
                      f"{summary.unchanged} unchanged: " + ", ".join(
                          f"{count} {status}" for status, count in sorted(
                              summary.statuses.items())), markup=False)
        for note in summary.notes:
            console.print(f"note: {note['path']}: {note['note']}", markup=False)
        for error in summary.errors:
            console.print(f"error: {error['path']}: {error['error']}", markup=False)

    app.finish(asdict(summary), render)
    return 0


@bios.command(name="import-dat")
@click.argument("path", type=click.Path(path_type=Path))
def bios_import_dat(path: Path) -> int:
    """Add the known hashes of a System.dat-style DAT (libretro's); the pack wins conflicts.

    A DAT that does not say it lists BIOS or firmware (a No-Intro or Redump game DAT) is
    refused: import those with `romrunner dat import`.
    """
    app = app_context()
    result = import_bios_dat(app.open_db(), path, app.pack())

    def render(console: Console) -> None:
        known = result.known
        console.print(f"{result.source} {result.version or ''}: {result.rows} rows; "
                      f"{known.added} extra entries, {known.enriched} pack entries gained "
                      f"hashes, {len(known.conflicts)} conflicts (the pack's entries stand)",
                      markup=False)
        for conflict in known.conflicts:
            console.print(f"conflict: {conflict.name} vs pack entry {conflict.entry_id}: "
                          f"{conflict.reason}", markup=False)
        if result.unmapped_sections:
            console.print("sections with no pack platform (kept under their own name): "
                          + ", ".join(result.unmapped_sections), markup=False)
        for problem in result.problems:
            console.print(f"warning: {problem}", markup=False)

    app.finish(result.as_dict(), render)
    return 0


@bios.command(name="check")
@click.option("--platform", "platforms", multiple=True, help="Only this platform (repeatable).")
@click.option("--emulator", default=None, help="Groups this emulator needs.")
@click.option("--profile", type=ROW_ID, default=None,
              help="Device profile: each platform checked for the emulator it uses there.")
@click.option("--strict", is_flag=True, help="A missing BIOS with HLE fallback also fails.")
def bios_check(platforms: tuple[str, ...], emulator: str | None, profile: int | None,
               strict: bool) -> int:
    """Per platform (or emulator): each BIOS requirement, met or not.

    Exit 1 when a required BIOS is missing. A required BIOS missing whose emulator has an
    HLE fallback (a built-in replacement: games start, some less accurately) is reported as
    missing-hle-fallback and exits 0, or 1 with --strict. An unknown platform or emulator id
    is an error (exit 2).
    """
    app = app_context()
    if profile is not None and emulator is not None:
        raise click.UsageError("--profile and --emulator both choose the emulator; give one")
    report = check_bios(app.open_db(OpenMode.READ), app.pack(),
                        platforms=list(platforms) or None, emulator=emulator,
                        profile=profile, strict=strict)

    def render(console: Console) -> None:
        if report.groups:
            console.print(bios_table(report))
        console.print(report.summary)

    app.finish({"ok": report.ok, "summary": report.summary,
                "groups": [g.as_dict() for g in report.groups]}, render, ok=report.ok,
               errors=None if report.ok else [report.summary])
    return 0 if report.ok else 1


def bios_table(report: BiosReport) -> Table:
    """The human table of a check: one row per group, what satisfies it or what is wrong."""
    table = Table("platform", "emulator", "need", "one of", "status", "have / problem")
    for group in report.groups:
        style = "green" if group.status == SATISFIED else \
            "red" if group.status == BLOCKING else "yellow"
        have = "; ".join(Path(p["filepath"]).name for p in group.present) or "; ".join(
            f"{Path(p['filepath']).name}: {p['status']}"
            + (f", rename to {p['expected_filename']}" if p["expected_filename"] else "")
            for p in group.problems)
        table.add_row(group.platform_id, group.emulator_id or "any",
                      "required" if group.required else "optional",
                      ", ".join(e.filename for e in group.entries[:4])
                      + (" …" if len(group.entries) > 4 else ""),
                      Text(group.status, style=style), have)
    return table


def register(group: click.Group) -> None:
    """Add the bios group to ``group``."""
    group.add_command(bios)
