"""``romrunner bios``: scan BIOS folders and check what each platform or emulator needs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from romrunner.bios.check import (
    BLOCKING,
    HLE,
    OPTIONAL_MISSING,
    SATISFIED,
    BiosReport,
    check_bios,
)
from romrunner.bios.known import NO_PACK_HASH, import_bios_dat
from romrunner.bios.scan import scan_bios, unknown_library_games
from romrunner.bios.verify import GOOD_STATUSES
from romrunner.cli.context import PROFILE_ID, app_context, path_param
from romrunner.library.roots import list_roots
from romrunner.store import OpenMode
from romrunner.words import counted, examples


@click.group()
def bios() -> None:
    """BIOS and firmware: verify files and see what is missing."""


@bios.command(name="scan")
@click.argument("paths", nargs=-1, required=True, type=path_param())
@click.option("--full", is_flag=True,
              help="Hash every file again, even those whose size and time are as stored.")
@click.option("--accept-missing", is_flag=True,
              help="Mark missing the files of a folder none of whose BIOS files is found "
                   "(really removed, not a share that is not mounted).")
def bios_scan(paths: tuple[Path, ...], full: bool, accept_missing: bool) -> int:
    """Hash and verify every file under PATHS against the pack's known BIOS.

    Prints the counts by status and a line per file that is not a verified BIOS under a name
    it is known by (--json lists every file, its status and the entries it matched). A
    symbolic link is not followed: it is named in a note. Exits 1 when a file or folder
    could not be read (each named on stderr): what could be was verified; or when none of
    the BIOS files a folder held is found (a share not mounted?): nothing of it is marked
    missing, nor are the files new to it stored, unless --accept-missing.
    """
    app = app_context()
    db = app.open_db()
    summary = scan_bios(db, app.pack(), list(paths), full=full, accept_missing=accept_missing)
    # (QA147 F10: a library root's every game listed "unknown": counted instead)
    in_the_library = unknown_library_games(summary.files, [root.path for root in list_roots(db)])

    def render(console: Console) -> None:
        statuses = ", ".join(f"{count:,} {status}"
                             for status, count in sorted(summary.statuses.items()))
        skipped = (f" ({summary.skipped_hidden:,} hidden or system files and folders "
                   "skipped: recycle bins, `._*`)") if summary.skipped_hidden else ""
        apart = "".join(f", {count:,} {what}" for count, what in (
            (summary.too_large, "too large to be a BIOS (not hashed)"),
            (summary.unread, "not read")) if count)
        console.print(f"{counted(summary.scanned, 'file')}, {summary.hashed:,} hashed, "
                      f"{summary.unchanged:,} unchanged{apart}"
                      + (f": {statuses}" if statuses else "") + skipped, markup=False)
        counted_apart = {id(item) for item in in_the_library}
        lines = [line for item in summary.files
                 if id(item) not in counted_apart and (line := scan_line(item))]
        if in_the_library:
            console.print(f"  {counted(len(in_the_library), 'file')} of the library's roots "
                          f"{'is' if len(in_the_library) == 1 else 'are'} no known BIOS (its "
                          "games; --json lists them): a BIOS kept among the games is found "
                          "by `romrunner scan` too", markup=False)
        for line in lines[:SCAN_LINES]:
            console.print(f"  {line}", markup=False)
        if len(lines) > SCAN_LINES:
            console.print(f"  … and {len(lines) - SCAN_LINES} more (--json lists every file)",
                          markup=False)
        for item in summary.renamed[:MISSING_NAMED]:
            console.print(f"renamed: {item['from']} -> {item['to']}", markup=False,
                          soft_wrap=True)
        if len(summary.renamed) > MISSING_NAMED:
            console.print(f"… and {len(summary.renamed) - MISSING_NAMED:,} more renamed "
                          "(--json lists them)", markup=False)
        if summary.missing:
            console.print(f"{counted(len(summary.missing), 'file')} an earlier scan found "
                          f"{'is' if len(summary.missing) == 1 else 'are'} gone: "
                          f"{examples(summary.missing, MISSING_NAMED)} (no longer counted by "
                          "`bios check` or deploys)", markup=False, soft_wrap=True)
        for note in summary.notes:
            console.print(f"note: {note['path']}: {note['note']}", markup=False)
        for error in summary.errors:
            app.err_console.print(f"error: {error['path']}: {error['error']}", markup=False,
                                  soft_wrap=True)

    unread = [f"{error['path']}: {error['error']}" for error in summary.errors]
    app.finish(asdict(summary), render, ok=not unread, errors=unread)
    return 1 if unread else 0


SCAN_LINES = 50  # lines of files listed by a text scan; --json has them all
MISSING_NAMED = 5  # gone files a text scan names; --json lists them all


def scan_line(item: dict[str, Any]) -> str | None:
    """What a scan says of one file: None for a verified BIOS under a name it is known by."""
    name, status, entries = item["relative"], item["status"], item["entries"]
    good = [e for e in entries if e["status"] in GOOD_STATUSES]
    if good and any(not e["expected_filename"] for e in good):
        return None
    if good:
        cards = sorted({e["expected_filename"] for e in good})
        named_as = [e for e in entries if e["status"] not in GOOD_STATUSES]
        advice = (f"its name is {_ids(named_as)}'s, which it is not: rename it (to "
                  f"{cards[0]})" if named_as else "renaming it here is optional")
        return (f"{name}: {status} as {', '.join(cards)} ({_ids(good)}); deploy writes it "
                f"under {'that name' if len(cards) == 1 else 'the one a platform needs'}, "
                f"{advice}")
    if status == "unknown" and item.get("damaged"):
        return (f"{name}: unknown: a damaged zip, not read ({item['damaged']}); a download "
                "cut short? Download it again")
    if status == "unknown":
        return f"{name}: unknown (no known BIOS has its hashes or name)"
    if status == "wrong_size":
        sizes = sorted({e["file_size"] for e in entries if e["file_size"]})
        return (f"{name}: wrong_size ({item['size']:,} bytes where {_ids(entries)} has "
                f"{' or '.join(f'{size:,}' for size in sizes)})")
    return f"{name}: {status} (not a known dump of {_ids(entries)})"


def _ids(entries: list[dict[str, Any]]) -> str:
    shown = [e["entry"] for e in entries[:3]]
    return ", ".join(shown) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")


@bios.command(name="import-dat")
@click.argument("path", type=path_param())
def bios_import_dat(path: Path) -> int:
    """Add the known hashes of a System.dat-style DAT (libretro's); the pack wins conflicts.

    A DAT that does not say it lists BIOS or firmware (a No-Intro or Redump game DAT) is
    refused: import those with `romrunner dat import`.
    """
    app = app_context()
    app.one_transaction(f"{path} was imported (`romrunner bios check` uses its hashes)")
    result = import_bios_dat(app.open_db(), path, app.pack())
    app.work_done()

    def render(console: Console) -> None:
        known = result.known
        conflicts = [c for c in known.conflicts if c.kind != NO_PACK_HASH]
        unhashed = [c for c in known.conflicts if c.kind == NO_PACK_HASH]
        rows = counted(result.rows, 'row')
        console.print(f"{result.source} {result.version or ''}: "
                      + (f"unchanged (the {rows} of its last import); " if result.unchanged
                         else f"{rows}; ")
                      + f"{counted(known.added, 'extra entry', 'extra entries')}, "
                      f"{counted(known.enriched, 'pack entry', 'pack entries')} gained hashes, "
                      f"{counted(len(conflicts), 'conflict')} (the pack's entries stand)"
                      + (f", {counted(len(unhashed), 'row')} for pack entries that list no "
                         "hash (a file of their name is accepted unchecked)" if unhashed else ""),
                      markup=False)
        for conflict in conflicts:
            console.print(f"conflict: {conflict.name} vs pack entry {conflict.entry_id}: "
                          f"{conflict.reason}", markup=False)
        for row in unhashed:  # (qa206 F5: said to conflict with hashes the pack has none of)
            console.print(f"no pack hash: {row.name} (pack entry {row.entry_id}): "
                          f"{row.reason}", markup=False)
        if result.unmapped_sections:
            console.print("sections with no pack platform (kept under their own name): "
                          + ", ".join(result.unmapped_sections), markup=False)

    for problem in result.problems:  # (on stderr and in the envelope: QA34 F7)
        app.warn(problem)
    app.finish(result.as_dict(), render)
    return 0


@bios.command(name="check")
@click.option("--platform", "platforms", multiple=True, help="Only this platform (repeatable).")
@click.option("--emulator", default=None, help="Groups this emulator needs.")
@click.option("--profile", type=PROFILE_ID, default=None,
              help="Device profile: each platform checked for the emulator it uses there.")
@click.option("--strict", is_flag=True, help="A missing BIOS with HLE fallback also fails.")
def bios_check(platforms: tuple[str, ...], emulator: str | None, profile: int | None,
               strict: bool) -> int:
    """Per platform (or emulator): each BIOS requirement, met or not.

    Exit 1 when a required BIOS is missing (missing-blocking). A required BIOS missing whose
    emulator has an HLE fallback (a built-in replacement: games start, some less accurately)
    is reported as missing-hle-fallback and exits 0, or 1 with --strict. A missing optional
    one is missing-optional and never fails the check. An unknown platform or emulator id
    is an error (exit 2).
    """
    app = app_context()
    if profile is not None and emulator is not None:
        raise click.UsageError("--profile and --emulator both choose the emulator; give one")
    report = check_bios(app.open_db(OpenMode.READ), app.pack(),
                        platforms=list(platforms) or None, emulator=emulator,
                        profile=profile, strict=strict)

    def render(console: Console) -> None:
        if report.scope is not None:
            scope = report.scope
            console.print(f"device profile {profile}: {counted(len(scope.platforms), 'platform')} "
                          f"({scope.basis})" + (f": {', '.join(scope.platforms)}"
                                                if scope.platforms else ""), markup=False)
            if scope.left_out:
                console.print(f"not checked: {', '.join(scope.left_out)} (the library has "
                              "games of them, but this profile has no emulator for them)",
                              markup=False)
            if scope.no_folder:
                console.print(f"not checked: {', '.join(scope.no_folder)} (the library has "
                              "games of them, but the OS has no folder for them)",
                              markup=False)
        if emulator is not None and any(group.emulator_id is None for group in report.groups):
            unnamed = sorted({g.platform_id for g in report.groups if g.emulator_id is None})
            console.print(f"{emulator}: no BIOS entry of the pack names it; "
                          f"{', '.join(unnamed)} checked for what any emulator of "
                          f"{'it' if len(unnamed) == 1 else 'them'} needs", markup=False)
        if report.groups:
            console.print(bios_table(report))
        folders = sorted({(group["platform_id"], entry["destination"])
                          for group in groups for entry in group["one_of"]
                          if entry["destination"]}) if profile is not None else []
        if folders:  # (QA161 F6: the entries' own folders, `pcsx2/bios`, were not said)
            console.print("BIOS files that go to a folder within the OS's BIOS folder (a "
                          "deploy puts them there): " + ", ".join(
                              f"{platform} in {folder}/" for platform, folder in folders),
                          markup=False)
        console.print(report.summary)

    groups = [g.as_dict() for g in report.groups]
    app.finish({"ok": report.ok, "summary": report.summary,
                "scope": report.scope.as_dict() if report.scope else None,
                "groups": groups}, render, ok=report.ok,
               errors=None if report.ok else [report.summary])
    return 0 if report.ok else 1


STATUS_WIDTH = max(len(status) for status in (SATISFIED, HLE, BLOCKING, OPTIONAL_MISSING))


def bios_table(report: BiosReport) -> Table:
    """The human table of a check: one row per group, what satisfies it or what is wrong.

    The status column is never shortened: it is the one word the user needs.
    """
    emulators = any(group.emulator_id for group in report.groups)
    table = Table(Column("platform", overflow="fold"),
                  *([Column("emulator", overflow="fold")] if emulators else []),
                  Column("need", overflow="fold"), Column("one of", overflow="fold", ratio=2),
                  Column("status", no_wrap=True, min_width=STATUS_WIDTH),
                  Column("have / problem", overflow="fold", ratio=3))
    for group in report.groups:
        style = "green" if group.status == SATISFIED else \
            "red" if group.status == BLOCKING else "yellow"
        have = "; ".join(_present(p, group.present) for p in group.present) or "; ".join(
            _problem(p, group.problems) for p in group.problems)
        if group.status != SATISFIED and group.inside_zips:
            have = "; ".join(part for part in (have, _inside_zips(group.inside_zips)) if part)
        table.add_row(group.platform_id, *([group.emulator_id or "any"] if emulators else []),
                      "required" if group.required else "optional",
                      _file_names(group.entries),
                      Text(group.status, style=style), have)
    return table


def _problem(problem: dict[str, Any], problems: list[dict[str, Any]]) -> str:
    """A problem file and its status; one gone since its scan is said gone, by its path
    (qa182: "scph1001.bin: wrong_hash" of a deleted folder's file, the user looking for it)."""
    if not problem.get("there", True):
        return (f"{problem['filepath']}: {problem['status']}, gone since its scan (`romrunner "
                "bios scan` of the folder above it forgets it)")
    return f"{_problem_file(problem, problems)}: {problem['status']}"


def _inside_zips(found: list[dict[str, str]]) -> str:
    """The members of stored zips that would meet an unmet group, extracted."""
    shown = "; ".join(f"{item['member']} inside {item['zip']}" for item in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return f"{shown}{more} (by the CRC32 and size its directory gives): extract it, then " \
           "`romrunner bios scan` again"


def _problem_file(problem: dict[str, Any], problems: list[dict[str, Any]]) -> str:
    """A problem file's name, or its whole path where another of the group's has its name
    (QA109 F8: "gba_bios.bin: wrong_hash; gba_bios.bin: wrong_hash")."""
    name = Path(problem["filepath"]).name
    twice = sum(Path(p["filepath"]).name == name for p in problems) > 1
    return str(problem["filepath"]) if twice else name


def _file_names(entries: list[Any], shown: int = 4) -> str:
    """A group's file names, each once (entries of one name for two emulators: QA50 F6)."""
    names = list(dict.fromkeys(entry.filename for entry in entries))
    return ", ".join(names[:shown]) + (" …" if len(names) > shown else "")


def _present(item: dict[str, Any], present: list[dict[str, Any]]) -> str:
    """A file that satisfies a group; under another name, what the card gets and whether
    renaming it in the library is worth it (not when its name serves another entry). By
    its whole path where another file of ``present`` has its name (qa182: "scph5501.bin;
    scph5501.bin", copies in two folders)."""
    name = Path(item["filepath"]).name
    shown = str(item["filepath"]) if sum(
        Path(other["filepath"]).name == name for other in present) > 1 else name
    if not item.get("there", True):  # (QA129 F5: said "satisfied" of a deleted folder's)
        return (f"{item['filepath']}: gone since its scan (a share not mounted? mount it; "
                "deleted, `romrunner bios scan` of the folder above it forgets it)")
    if not item["expected_filename"]:  # (named as the entry lists it: its card name may
        # still differ, QA147 F7: `GBA_BIOS.BIN` goes on the card as `gba_bios.bin`)
        card = str(item.get("card_name") or name).rsplit("/", 1)[-1]
        return shown if card == name else f"{shown} (as {card} on the card)"
    if item["name_serves"]:
        return f"{shown} (as {item['card_name']} on the card)"
    if item["name_taken"]:
        return (f"{shown} (as {item['card_name']} on the card; rename it: its name is another "
                "BIOS's)")
    return f"{shown} (as {item['card_name']} on the card; rename optional)"


def register(group: click.Group) -> None:
    """Add the bios group to ``group``."""
    group.add_command(bios)
