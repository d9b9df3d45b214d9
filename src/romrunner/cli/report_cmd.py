"""``romrunner dat report``, ``dat fixdat`` and ``platforms``: what a collector has and lacks."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from romrunner.cli.context import AppContext, app_context, path_param
from romrunner.cli.dat_cmd import dat
from romrunner.cli.terminal import SafeConsole
from romrunner.errors import InputError
from romrunner.library.reports import CatalogReport, dat_report, platform_counts, write_fixdat
from romrunner.store import OpenMode
from romrunner.store.backup import names_a_folder
from romrunner.words import counted

_COLUMNS = ("name", "platform_id", "version", "games", "have", "name_guessed", "missing",
            "unmatched_on_disk", "incomplete")


@dat.command(name="report")
@click.argument("names", nargs=-1)
@click.option("--missing", "list_missing", is_flag=True, help="List the missing games too.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per DAT, or per "
              "missing game with --missing).")
def dat_report_cmd(names: tuple[str, ...], list_missing: bool, as_csv: bool) -> int:
    """Have / name-guessed / missing per DAT, and files of its platform that match nothing.

    have: a present file (or a member or track of one) has the DAT's own ROM data, by SHA1,
    else MD5, else CRC32 + size (every ROM of a game of several, an arcade set; any of a
    disc's); incomplete: some ROMs of such a game, not all; name-guessed: a present file is
    matched to the game by its name only, or by another DAT's dump of a game of that name
    (not verified); missing: none of these.
    """
    app = app_context()
    if as_csv and app.json_output:
        raise InputError("give --csv or --json, not both")
    reports = dat_report(app.open_db(OpenMode.READ), names, list_missing=list_missing)
    twice = {r.name for r in reports if sum(1 for o in reports if o.name == r.name) > 1}

    def shown(r: CatalogReport) -> str:
        """The DAT's name as `dat report NAME`/`dat fixdat` take it: a headered and a
        header-less DAT of one name told apart (QA70 F9: two identical CSV rows)."""
        if r.name in twice:
            return f"{r.name} ({'headered' if r.headered else 'headerless'})"
        return r.name + (" (headered)" if r.headered else "")

    def render(console: Console) -> None:
        if as_csv:
            if list_missing:
                rows: list[tuple[object, ...]] = [("dat", "missing_game", "missing_roms")]
                rows += ((shown(r), game, "all") for r in reports for game in r.missing_games)
                rows += ((shown(r), game.name, "; ".join(game.missing_roms))
                         for r in reports for game in r.incomplete_games)
            else:
                rows = [_COLUMNS]
                rows += (tuple(shown(r) if c == "name" else asdict(r)[c] for c in _COLUMNS)
                         for r in reports)
            assert isinstance(console, SafeConsole)  # the CLI's one kind of console
            # exact in a file or pipe; on a terminal a control character shows as an escape
            console.print_lines((_csv_line(row) for row in rows), exact=True)
            return
        sets = any(r.incomplete for r in reports)  # (a DAT of one ROM a game has none)
        table = Table("dat", "platform", "games", "have", *(("incomplete",) if sets else ()),
                      "name-guessed", "missing", "unmatched on disk")
        for r in reports:
            table.add_row(shown(r), r.platform_id,
                          f"{r.games:,}", f"{r.have:,}",
                          *((f"{r.incomplete:,}",) if sets else ()), f"{r.name_guessed:,}",
                          f"{r.missing:,}", f"{r.unmatched_on_disk:,}")
        console.print(table if reports else "no DAT imported (`romrunner dat import`)")
        for r in reports:
            if r.missing_games:
                console.print(f"missing from {shown(r)}:")
                for game in r.missing_games:
                    console.print(f"  {game}", soft_wrap=True)
            if r.incomplete_games:
                console.print(f"incomplete in {shown(r)} (the ROMs not on disk):")
                for incomplete in r.incomplete_games:
                    disks = set(incomplete.missing_disks)
                    what = "ROMs and disks" if disks else "ROMs"
                    console.print(f"  {incomplete.name}: {len(incomplete.missing_roms)} of "
                                  f"{incomplete.roms} {what} missing: " + ", ".join(
                                      f"{name} (disk)" if name in disks else name
                                      for name in incomplete.missing_roms), soft_wrap=True)

    app.finish([asdict(r) for r in reports], render)
    return 0


def _csv_line(row: tuple[object, ...]) -> str:
    """One CSV record, without its line end. (The writer quotes a value holding any of
    its line end's characters: with ``\r\n`` a carriage return too, QA34 F6.)"""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row)
    return buffer.getvalue()[:-2]


@dat.command(name="fixdat")
@click.argument("name")
@click.option("-o", "--output", "written", type=path_param(text=True), required=True,
              help="The Logiqx XML file to write.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def dat_fixdat(name: str, written: str, force: bool) -> int:
    """Write a Logiqx XML DAT of NAME's games the library lacks (for igir / clrmamepro).

    A game counts as had when a file has its ROM data as NAME lists it (every ROM of a game
    of several but a disc): name-guessed games, and those held only as another DAT's dump,
    count as lacking; a game held in part is listed with the ROMs it lacks. The file is always
    well-formed XML: a control character XML cannot hold (in an odd DAT's names) is written
    as U+FFFD, with a warning naming the values.
    """
    app = app_context()
    if names_a_folder(written):  # ("NEW/" wrote a file NEW: QA70 F2)
        raise InputError(f"{written}: names a folder; give a file name")
    output = Path(written)
    result = write_fixdat(app.open_db(OpenMode.READ), name, output, force=force)
    app.replaced_database(f"the fixdat was written to {result.path}")
    if result.replaced:
        shown = ", ".join(repr(value) for value in result.replaced[:5])
        more = f" and {len(result.replaced) - 5} more" if len(result.replaced) > 5 else ""
        app.warn(f"{output}: {counted(len(result.replaced), 'name')} held control "
                 f"characters XML cannot hold, written as U+FFFD: {shown}{more}")
    app.finish(asdict(result), lambda c: c.print(
        f"{result.path}: {counted(result.games, 'missing game')} "
        + (f"({result.incomplete:,} of them incomplete) " if result.incomplete else "")
        + f"({counted(result.roms, 'ROM')}) of {result.name}"))
    return 0


# (qa194 F4: "`romrunner scan`" alone, which with no root yet errors "no library roots")
EMPTY_LIBRARY = ("the library is empty (`romrunner library add PATH` adds a folder, "
                 "`romrunner scan` reads it)")


@click.command(name="platforms")
@click.option("--all", "every", is_flag=True,
              help="Every platform the definition pack knows: the id a query or an override "
                   "names (`platform:genesis`), its name, the folder names it goes by.")
def platforms(every: bool) -> int:
    """Every platform of the library: games, hash-matched, name-guessed, unidentified,
    playlists (.m3u: no game to identify), missing."""
    app = app_context()
    if every:
        return _pack_platforms(app)
    rows = platform_counts(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        lists = any(r.playlists for r in rows)  # (a column only where the library has some)
        table = Table("platform", "games", "hash-matched", "name-guessed", "unidentified",
                      *(["playlists"] if lists else []), "missing")
        for r in rows:
            table.add_row(r.platform_id, f"{r.games:,}", f"{r.hash_matched:,}",
                          f"{r.name_guessed:,}", f"{r.unidentified:,}",
                          *([f"{r.playlists:,}"] if lists else []), f"{r.missing:,}")
        console.print(table if rows else EMPTY_LIBRARY, markup=False)

    app.finish([asdict(r) for r in rows], render)
    return 0


def _pack_platforms(app: AppContext) -> int:
    """``platforms --all``: the pack's platforms, by id."""
    known = sorted(app.pack().platforms.values(), key=lambda platform: platform.id)
    rows = [{"platform_id": p.id, "name": p.name, "folder_names": list(p.folder_names),
             "extensions": list(p.extensions)} for p in known]

    def render(console: Console) -> None:
        table = Table("platform", "name", "also known as", "file types")
        for p in known:
            table.add_row(p.id, p.name, ", ".join(p.folder_names), " ".join(p.extensions))
        console.print(table)

    app.finish(rows, render)
    return 0


def register(group: click.Group) -> None:
    """Add ``platforms`` to the CLI (``dat report``/``dat fixdat`` join the dat group on
    import)."""
    group.add_command(platforms)
