"""``romrunner destination``: what is on a card, and where a profile's files go on it."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console

from romrunner.bios.check import bios_subfolders
from romrunner.cli.context import PROFILE_ID, AppContext, app_context, path_param
from romrunner.devices.cardfs import card_filesystem, card_filesystem_warning, shown_filesystem
from romrunner.devices.paths import destination_paths as resolve_paths
from romrunner.devices.paths import layout_rows
from romrunner.devices.scan import RECORDED_MARKER, Folder, scan_destination
from romrunner.errors import ReadOnlyVolumeError, WriterBusyError
from romrunner.packs.model import filesystem_key
from romrunner.store import Database, OpenMode
from romrunner.words import counted, size_text


@click.group()
def destination() -> None:
    """Destinations (SD cards, folders): scan them, see where files go."""


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, folder = value.partition("=")
        if not sep or not key.strip() or not folder.strip():
            raise click.BadParameter(f"{value!r}: use KEY=FOLDER", param_hint="--set")
        if key.strip() in pairs:  # (QA98 F13: the last one kept without a word)
            raise click.BadParameter(f"{key.strip()} is given twice ({key.strip()}="
                                     f"{pairs[key.strip()]}, {value})", param_hint="--set")
        pairs[key.strip()] = folder.strip()
    return pairs


@destination.command(name="paths")
@click.argument("profile_id", type=PROFILE_ID)
@click.option("--to", "card", type=path_param(), required=True,
              help="The mounted card (or folder) root.")
@click.option("--set", "sets", multiple=True, metavar="KEY=FOLDER",
              help="Remember a folder for this card: KEY is roms, bios or a platform id; "
                   "FOLDER is relative to the card root (repeatable).")
@click.option("--unset", "unsets", multiple=True, metavar="KEY",
              help="Forget a remembered folder (repeatable).")
def destination_paths(profile_id: int, card: Path, sets: tuple[str, ...],
                      unsets: tuple[str, ...]) -> int:
    """Every platform's folder on the card for PROFILE_ID, and where each came from."""
    app = app_context()
    db, pack = app.open_db(), app.pack()
    layout = resolve_paths(db, pack, profile_id, card, _pairs(sets), list(unsets))
    rows = layout_rows(layout, bios_subfolders(db, pack, profile_id))
    unread = card_filesystem_warning(pack.operating_systems.get(layout.os_id), card)
    if unread is not None:  # (qa203 F4)
        app.warn(f"{card}: {unread}")

    def render(console: Console) -> None:
        console.print(f"{card} ({layout.os_id}, {layout.fs.value} names)", markup=False)
        for row in rows:
            label = row.platform_id or row.kind
            where = row.path if row.path is not None else "-"
            bios = f"  bios {row.bios_path}" if row.bios_path else ""
            console.print(f"{label:22} {where}  [{row.source or 'none'}: {row.reason}]{bios}",
                          markup=False)

    app.finish({"root": str(card), "os_id": layout.os_id, "fs": layout.fs.value,
                "folders": [asdict(row) for row in rows]}, render)
    return 0


def _open_to_record(app: AppContext) -> Database:
    """The database for a destination scan: written (the scan is stored in the history) when
    it exists and can be, else read (the scan is shown, not stored, and the user told why);
    a scan never creates a database."""
    if not app.db_path.exists():
        return app.open_db(OpenMode.READ)  # one line: "no database at PATH"
    try:
        return app.open_db(OpenMode.WRITE)
    except (WriterBusyError, ReadOnlyVolumeError) as exc:
        app.warn(f"this scan is shown but not stored in the history ({exc})")
        return app.open_db(OpenMode.READ)


@destination.command(name="scan")
@click.argument("path", type=path_param())
@click.option("--expect-os", default=None, help="The OS the card should run (breaks ties, "
              "and is checked).")
def destination_scan(path: Path, expect_os: str | None) -> int:
    """Which OS layout the card at PATH has, what is on it, and what is wrong (exit 1)."""
    app = app_context()
    scan = scan_destination(_open_to_record(app), app.pack(), path, expect_os)

    def render(console: Console) -> None:
        detected = f"{scan.detected_os} ({scan.confidence}: {scan.reason})" \
            if scan.detected_os else "none"
        size = "size not reported" if scan.free_bytes is None or scan.total_bytes is None \
            else f"{size_text(scan.free_bytes)} free of {size_text(scan.total_bytes)}"
        fs_type = scan.fs_type or "unknown"
        if scan.fs_type and (card_fs := card_filesystem(Path(scan.path))) is not None \
                and filesystem_key(scan.fs_type) != card_fs:  # (fuseblk: exFAT)
            fs_type += f" ({shown_filesystem(card_fs)})"
        console.print(f"{scan.path}: {detected}; {fs_type} file system, {size}", markup=False)
        for candidate in scan.candidates[:5]:
            found = "laid out by ROM Runner" if candidate.found == (RECORDED_MARKER,) \
                else counted(len(candidate.found), "marker")
            console.print(f"  candidate {candidate.os_id}: {candidate.confidence}, {found}",
                          markup=False)
        layout_os = scan.expected_os or scan.detected_os
        for folder in scan.folders:
            platform = "" if folder.type != "roms" else f"{folder.platform_id or '?'} "
            left = _other_layout_note(folder, layout_os) if folder.other_layout else ""
            console.print(f"  {folder.type} {folder.path}: {platform}"
                          f"{counted(folder.file_count, 'file')}{left}", markup=False)
        for finding in scan.findings:
            console.print(f"{finding.severity}: {finding.message} ({finding.suggestion})",
                          markup=False)

    app.finish(scan.as_dict(), render, ok=scan.ok, errors=[
        f"{finding.message} ({finding.suggestion})" for finding in scan.findings
        if finding.severity == "error"])
    return 0 if scan.ok else 1


def _other_layout_note(folder: Folder, layout_os: str | None) -> str:
    """Why a ROM folder the scan lists is not the OS's: left by the layout of the OS the
    card's record names, else in another spelling of the OS's ROM folder (a card that tells
    case apart may hold another OS's `roms/gb` beside this OS's `Roms/GB`, or the user's own
    `roms/GB` beside `ROMS/gb`: no layout left that one, review47e F6)."""
    if folder.left_by:
        return f" (left by {folder.left_by}'s layout, not {layout_os}'s ROM folder)"
    return f" (in another spelling of {layout_os}'s ROM folder, which {layout_os} does not read)"


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(destination)
