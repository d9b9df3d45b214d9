"""``romrunner dat``: game catalogs from DAT files."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console

from romrunner.catalog.datfile import MAX_VALUE_PROBLEMS
from romrunner.catalog.identify import PlatformMove
from romrunner.catalog.importer import ImportResult, import_dats, list_catalogs, remove_catalog
from romrunner.cli.context import AppContext, app_context, path_param
from romrunner.library.platforms import UNKNOWN
from romrunner.library.query import quote_value
from romrunner.store import OpenMode
from romrunner.words import counted, examples, shell_word


@click.group()
def dat() -> None:
    """Game catalogs from DAT files (No-Intro, Redump, Logiqx XML)."""


@dat.command(name="import")
@click.argument("files", nargs=-1, required=True, type=path_param())
@click.option("--platform", default=None,
              help="Platform id, for a DAT whose name maps to none (given one DAT: whatever "
              "its name says; among several, one whose name maps to another is refused).")
@click.option("--force", is_flag=True,
              help="Read the file even when it is the catalog's own unchanged file; replace a "
                   "catalog even by an older version (dated, or numbered), by the same "
                   "version with games removed, or when more than half of its games would be "
                   "removed; move a catalog to another platform; file under --platform a DAT "
                   "none of whose ROMs is of a type that platform lists.")
def dat_import(files: tuple[Path, ...], platform: str | None, force: bool) -> int:
    """Import DAT files and re-identify the library against them.

    All the FILES are one unit: if any of them is refused (unreadable, truncated, damaged)
    nothing is imported. Importing a newer version of a catalog replaces it and says so; a
    DAT with no game is refused, and so is a replacement by an older version (dated, or
    numbered), by the same version with games removed, or one that removes more than half
    of the games, unless --force. So are a catalog's move to another platform than the one
    it is filed under, and a DAT filed by --platform (its name not saying that platform)
    none of whose ROMs is of a file type the platform lists.
    """
    app = app_context()
    db = app.open_db()
    pack = app.pack()
    what = f"{len(files):,} DAT files" if len(files) != 1 else "the DAT"
    with app.working(f"reading {what} and identifying the library against them…"):
        app.one_transaction(f"{what} {'was' if len(files) == 1 else 'were'} imported "
                            "(`romrunner dat ls` lists the catalogs)")
        report = import_dats(db, files, platform_id=platform,
                             known_platforms=pack.platforms, force=force,
                             index=pack.index)
    app.work_done()
    for skipped in report.skipped_bios_dats:
        app.warn(f"{skipped}: a BIOS/system DAT, not a game catalog: not imported (`romrunner "
                 f"bios import-dat {shell_word(skipped)}` reads it)")
    for result in report.imports:
        for problem in result.problems[:20]:
            app.warn(f"{result.path}: {problem}")
        total = len(result.problems) + max(0, result.dropped_values - MAX_VALUE_PROBLEMS)
        if total > 20:
            app.warn(f"{result.path}: and {total - 20:,} more problems (`--json` lists "
                     f"{len(result.problems):,} of them)")
    counts = report.library

    def render(console: Console) -> None:
        for r in report.imports:
            headered = ", headered" if r.headered else ""
            console.print(f"{r.name} ({r.platform_id}{headered}): {_state(r)} "
                          f"in {r.seconds:.2f} s")
            if r.replaced:
                console.print(f"  replaced version {r.previous_version or '-'} by "
                              f"{r.version or '-'}: {counted(r.games_added, 'game')} added, "
                              f"{r.games_removed:,} removed, {r.games_renamed:,} renamed, "
                              f"{r.games_changed:,} with other ROMs")
            if r.replaced and r.previous_platform not in (None, r.platform_id):
                console.print(f"  moved from {r.previous_platform} to {r.platform_id}: the "
                              "games it identifies are filed under "
                              f"{r.platform_id} now", markup=False)
        console.print(f"library: {counts.said()}")

    if report.undecided_by_crc:
        one = report.undecided_by_crc == 1
        app.warn(f"{counted(report.undecided_by_crc, 'game')} known by {'its' if one else 'their'} "
                 f"CRC32 only {'matches' if one else 'match'} no game now: another catalog "
                 "game has the same CRC32 and size; `romrunner scan --verify` hashes "
                 f"{'it' if one else 'them'}: a SHA1 or MD5 the DATs list decides")
    moved = report.platform_changed
    _warn_moved(app, moved)
    lost = report.no_longer_identified
    if lost:
        one = len(lost) == 1
        app.warn(f"{counted(len(lost), 'game')} identified by {'its' if one else 'their'} "
                 f"data before {'is' if one else 'are'} not now: the new version dropped "
                 f"or changed the catalog game {'it was' if one else 'they were'} ("
                 + examples([f"id {m.id} {m.filename}, was {m.was}" for m in lost], 5,
                            sep="; ")
                 + "; `--json` lists them all)")
    app.finish({"imports": [asdict(r) for r in report.imports],
                "identified": counts.identified, "guessed": counts.guessed,
                "unidentified": counts.unidentified, "playlists": counts.playlists,
                "undecided_by_crc": report.undecided_by_crc,
                "platform_changed": [asdict(m) for m in moved],
                "no_longer_identified": [asdict(m) for m in lost],
                "skipped_bios_dats": report.skipped_bios_dats}, render)
    return 0


def _warn_moved(app: AppContext, moved: list[PlatformMove]) -> None:
    """Name the games the catalogs' match filed under another platform (QA22 C3: a deploy
    then put them in the new platform's folder, unsaid; QA38 F4: after `dat rm` too), and
    apart those left of undecided platform: no match settles theirs now, and their folder
    and extension do not (qa187 F5: they were said to go to the new platform's folder)."""
    undecided = [m for m in moved if m.after == UNKNOWN]
    filed = [m for m in moved if m.after != UNKNOWN]
    if filed:
        one = len(filed) == 1
        app.warn(f"{counted(len(filed), 'game')} now of another platform, as the catalogs' "
                 f"match says ({_moves_shown(filed)}): a deploy puts {'it' if one else 'them'} "
                 "in the new platform's folder, and `romrunner deploy --prune` removes the "
                 "copies an earlier deploy put in the old one")
    if undecided:
        one = len(undecided) == 1
        app.warn(f"{counted(len(undecided), 'game')} now of undecided platform: no catalog's "
                 f"match decides {'its' if one else 'their'} platform any longer, and "
                 f"{'its' if one else 'their'} folder and extension name no one platform "
                 f"({_moves_shown(undecided)}): no deploy or auto-list takes "
                 f"{'it' if one else 'them'} until `romrunner games set-platform PLATFORM ID…` "
                 f"settles {'it' if one else 'them'}")


def _moves_shown(moves: list[PlatformMove]) -> str:
    """A few of the games moved, ``id N path before → after`` each."""
    return examples([f"id {m.game_id} {m.filepath} {m.before} → {m.after}" for m in moves],
                    5, sep="; ")


def _state(result: ImportResult) -> str:
    """What happened to one catalog, in words."""
    if result.unchanged:
        return f"unchanged ({counted(result.games, 'game')})"
    dropped = (f", {counted(result.dropped_values, 'ROM value')} dropped (no file can have "
               "them; warned above)") if result.dropped_values else ""
    return (f"version {result.version or '-'}, {counted(result.games, 'game')}, "
            f"{counted(result.roms, 'rom')}{dropped}")


@dat.command(name="ls")
def dat_ls() -> int:
    """List imported DATs."""
    app = app_context()
    rows = list_catalogs(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        if not rows:  # (qa194 F4: nothing at all was printed)
            console.print("no DAT imported (`romrunner dat import FILE`)", markup=False)
        for row in rows:
            headered = ", headered" if row["headered"] else ""
            games = row["game_count"]
            assert isinstance(games, int)  # a count the import stored
            unjudged = "" if row["judged"] else " (until then no set of it is judged incomplete)"
            again = f"; read by an earlier release: {_import_again(str(row['path']))}" \
                f"{unjudged}" if row["read_again"] else ""
            console.print(f"{row['name']} ({row['platform_id']}{headered}) "
                          f"{row['version'] or ''}: {counted(games, 'game')}{again}")

    app.finish(rows, render)
    return 0


def _import_again(path: str) -> str:
    """How to read a DAT again, by the path its import recorded: an earlier release recorded
    it as typed, so a relative one is no command to paste anywhere else (qa179 F6: "no such
    file" from another folder)."""
    if os.path.isabs(path):
        return f"`romrunner dat import {shell_word(path)}` reads it again"
    return (f"importing it again reads it anew (recorded as {shell_word(path)}, relative to "
            "the folder it was imported from: give `romrunner dat import` its full path)")


@dat.command(name="rm")
@click.argument("name")
def dat_rm(name: str) -> int:
    """Remove the imported DAT called NAME (as `dat ls` shows it; both the headered and the
    header-less one when there are two, or one as "NAME (headered)" / "NAME (headerless)").
    The games matched to it become unidentified unless another catalog knows them. One
    transaction."""
    app = app_context()
    app.one_transaction(f"the DAT {name!r} was removed")
    report = remove_catalog(app.open_db(), name, app.pack().index)
    app.work_done()
    if report.broken_collections:
        app.warn(f"smart {'collection' if len(report.broken_collections) == 1 else 'collections'}"
                 f" {examples([repr(n) for n in report.broken_collections])} "
                 f"name{'s' if len(report.broken_collections) == 1 else ''} this DAT "
                 f"(dat:{quote_value(name)}): no longer working, and a profile including "
                 "one fails its auto-list until `collection edit NAME --query …` mends it "
                 "(or `collection rm` or `profile set` changes it)")

    def render(console: Console) -> None:
        for source in report.removed:
            headered = ", headered" if source.headered else ""
            console.print(f"removed {source.name} ({source.platform_id}{headered}) "
                          f"{source.version or ''}: {counted(source.games, 'game')}")
        console.print(f"{counted(report.unidentified, 'game')} "
                      f"{'is' if report.unidentified == 1 else 'are'} now unidentified, "
                      f"{report.identified:,} still identified by another catalog's data, "
                      f"{report.name_guessed:,} matched to another catalog's game by its "
                      "name only")
        if report.newly_identified:
            console.print(f"{counted(report.newly_identified, 'game')} identified now: "
                          "this catalog had their data too, and another one still has it",
                          markup=False)

    _warn_moved(app, report.platform_changed)
    app.finish(asdict(report), render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (dat,):
        group.add_command(command)
