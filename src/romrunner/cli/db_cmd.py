"""``romrunner db``: status, migrate, check, backup, restore, vacuum, stats."""

from __future__ import annotations

import functools
import os
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from romrunner.catalog.identify import match_counts, playlists_said, verify_counts
from romrunner.cli.context import AppContext, app_context, path_param
from romrunner.errors import CorruptDatabaseError, NoDatabaseError
from romrunner.library.roots import refuse_writing_into_library
from romrunner.store import OpenMode
from romrunner.store.backup import backup_database
from romrunner.store.integrity import CheckReport, check_database
from romrunner.store.maintenance import (
    DatabaseStatus,
    database_status,
    mend_version,
    page_count,
    repair_derived,
    vacuum,
    worth_vacuuming,
)
from romrunner.store.migrate import LATEST_VERSION, current_version, pending_migrations
from romrunner.store.migrate import migrate as run_migrations
from romrunner.store.open import how_one_is_made, upgrade, upgrade_advice
from romrunner.store.restore import RestoreReport, restore_database
from romrunner.store.stats import database_stats
from romrunner.words import counted, examples, shell_word


def require_database(path: Path, action: str, *, make_folders: bool = True) -> None:
    """Raise :class:`NoDatabaseError` when there is no database at ``path`` (a mistyped
    --db must not become a new, empty database to ``action``); ``make_folders``: as
    :func:`how_one_is_made`'s."""
    path = Path(path).expanduser()
    made = how_one_is_made(path, "`romrunner db init` creates one", make_folders=make_folders)
    if not path.exists():
        raise NoDatabaseError(f"no database at {path} (nothing to {action}; {made})")
    if path.is_file() and path.stat().st_size == 0:
        raise NoDatabaseError(f"{path}: empty file, no database in it yet (nothing to "
                              f"{action}; {made})")


@click.group()
def db() -> None:
    """Inspect and maintain the database file."""


@db.command()
def status() -> int:
    """Show the schema version, pending migrations, size and pack of the database."""
    app = app_context()
    # (a --pack given is loaded, so a wrong one is refused as every command refuses it, not
    # shadowed by the pack the database last saw: QA146 F6)
    given = app.pack() if app.pack_dir is not None else None
    database = app.open_db(OpenMode.INSPECT)
    info = database_status(database)
    # Hash matches and name-only guesses apart (schema 3 added how a match was made).
    has_roots = "library_roots" in database.table_names()
    matches = match_counts(database, roots_only=has_roots) if info.schema_version >= 3 \
        else None
    # What is not verified yet is read from the current schema's hash columns: an older
    # database says so after `db migrate` (its status must still show, to say it is due).
    stated = verify_counts(database, roots_only=True) \
        if not info.pending and not info.version_problem else None
    # (counted apart: not files scan --verify would hash; imported here, the library's
    # readers weigh on every other db command's start)
    from romrunner.library.games import damaged_files
    damaged = damaged_files(database) if stated is not None else []

    def render(console: Console) -> None:
        console.print(f"database        {info.path}")
        console.print(f"size            {info.bytes:,} bytes (WAL {info.wal_bytes:,})")
        console.print(f"schema version  {info.schema_version} (latest {info.latest_version})")
        if info.version_problem:
            console.print(f"schema problem  {info.version_problem}", markup=False,
                          soft_wrap=True)
        if info.pending:
            console.print(f"pending         {', '.join(info.pending)} "
                          "(run `romrunner db migrate`)")
        if info.line_of_changes:
            console.print(f"history         its own since this database was "
                          f"{info.line_of_changes}", markup=False, soft_wrap=True)
        console.print(f"journal mode    {info.journal_mode}")
        console.print(f"search          {'FTS5' if info.search_index else 'prefix index'}")
        console.print(f"pack            {info.pack_path or '-'} {(info.pack_hash or '')[:12]}")
        if given is not None and given.content_hash != info.pack_hash:
            console.print(f"pack given      {given.path} {given.content_hash[:12]} (the next "
                          "command that writes records it)", markup=False)
        console.print(f"library         {counted(info.games, 'game')} in "
                      f"{counted(info.library_roots, 'root')}")
        if info.recorded_under_no_root:
            console.print(f"                (and {counted(info.recorded_under_no_root, 'game')} "
                          "recorded before v1.1.0 under no root: `romrunner library add PATH "
                          "--from OLD-FOLDER` adopts them)")
        if info.saved_by_restores:
            console.print(f"saved copies    {counted(info.saved_by_restores, 'database')} "
                          f"`db restore` replaced, beside it ({info.saved_bytes:,} bytes: "
                          f"{info.path}.before-restore-*; remove those no longer needed)",
                          markup=False)
        if info.upgrade_backups:
            console.print(f"upgrade backups {_upgrade_backups_said(info)}", markup=False,
                          soft_wrap=True)
        if matches is not None:
            console.print(f"identified      {matches.identified:,} by hash, "
                          f"{matches.guessed:,} guessed by name, "
                          f"{matches.unidentified:,} unidentified"
                          f"{playlists_said(matches.playlists)} (present files)")
        if stated is not None and stated.unverified:
            its = "its" if stated.unverified == 1 else "their"
            console.print(f"not verified    {counted(stated.unverified, 'file')} without "
                          f"{its} SHA1 ({stated.identified_by_crc_only:,} identified by CRC32 "
                          "+ size alone); scan --verify hashes them")
        if damaged:
            one = len(damaged) == 1
            console.print(f"damaged         {counted(len(damaged), 'file')} a scan found "
                          f"damaged, {'its' if one else 'their'} data not what "
                          f"{'its' if one else 'their'} archive states "
                          f"({examples([os.path.basename(path) for path in damaged])}): "
                          f"replace {'it' if one else 'each'} with a good copy and rescan",
                          markup=False, soft_wrap=True)

    app.finish({**asdict(info), "matches": asdict(matches) if matches else None,
                "unverified": asdict(stated) if stated else None,
                "damaged": damaged if stated is not None else None,
                "pack_given": {"path": str(given.path), "hash": given.content_hash}
                if given is not None else None}, render)
    return 0


def _upgrade_backups_said(info: DatabaseStatus) -> str:
    """The backups upgrades wrote beside the database, as `db status` says them: how many,
    of which schema versions, their bytes and names, and what they are for."""
    backups = info.upgrade_backups
    versions = sorted({int(b["version"]) for b in backups})
    total = sum(int(b["bytes"]) for b in backups)
    names = ", ".join(Path(str(b["path"])).name for b in backups[-5:])
    more = f"{len(backups) - 5} older and " if len(backups) > 5 else ""
    return (f"{counted(len(backups), 'backup')} of schema version"
            f"{'s' if len(versions) > 1 else ''} {', '.join(map(str, versions))} beside it "
            f"({total:,} bytes: {more}{names}), each the database before an upgrade "
            "(`romrunner db restore FILE` takes it back); remove those no longer needed")


@db.command()
def init() -> int:
    """Create the database at --db (an existing one is kept as it is, upgraded if older)."""
    app = app_context()
    path = Path(app.db_path).expanduser()
    existed = path.exists() and path.stat().st_size > 0
    version = current_version(app.open_db(OpenMode.WRITE))
    data = {"path": str(path), "created": not existed, "schema_version": version}
    app.finish(data, lambda console: console.print(
        f"{'database already at' if existed else 'created a new database at'} {path} "
        f"(schema version {version})"))
    return 0


@db.command()
def migrate() -> int:
    """Apply pending migrations (a backup is written next to the database first)."""
    app = app_context()
    require_database(app.db_path, "migrate", make_folders=app.make_db_folders)
    database = app.open_db(OpenMode.MAINTAIN)
    report = run_migrations(database)
    reclaimable = worth_vacuuming(database) if report.applied else None
    data = {"from_version": report.from_version, "to_version": report.to_version,
            "applied": report.applied, "backup": str(report.backup) if report.backup else None,
            "backup_version": report.backup_version, "backup_kept": report.backup_kept,
            "backup_reused": report.backup_reused,
            "reclaimable_bytes": reclaimable, "cache_rows_dropped": report.cache_rows_dropped,
            "orphaned_overrides": report.orphaned_overrides,
            "catalogs_to_read_again": report.catalogs_to_read_again,
            "side_effects": report.side_effects()}

    def render(console: Console) -> None:
        if not report.applied:
            console.print(f"schema version {report.to_version}: nothing to migrate")
            return
        console.print(f"migrated from {report.from_version} to {report.to_version}: "
                      f"{', '.join(report.applied)}")
        if report.backup and report.backup_kept:
            console.print(f"backup of version {report.backup_version} (from the interrupted "
                          f"earlier run) kept at {report.backup}")
        elif report.backup and report.backup_reused:
            console.print(f"backup of version {report.backup_version}: {report.backup}, "
                          "already beside it holding the database as it was (not written "
                          "again)", markup=False, soft_wrap=True)
        elif report.backup:
            console.print(f"backup of version {report.backup_version} written to "
                          f"{report.backup}")
        for line in report.side_effects():
            console.print(line, markup=False, soft_wrap=True)
        if reclaimable is not None:
            console.print(f"{reclaimable / 1024**2:,.1f} MiB of the file is free space left "
                          "by rebuilt tables: `romrunner db vacuum` gives it back")

    app.finish(data, render)
    return 0


@db.command()
@click.option("--quick", is_flag=True, help="Run quick_check instead of integrity_check.")
def check(quick: bool) -> int:
    """Check integrity, foreign keys and orphans; exit 1 when anything is wrong."""
    app = app_context()
    try:
        opened = app.open_db(OpenMode.INSPECT)
        report = check_database(opened, quick=quick)
        older = current_version(opened) if pending_migrations(opened) else None
    except CorruptDatabaseError as exc:  # (QA109 F9: it said "run `romrunner db check`")
        raise CorruptDatabaseError(
            str(exc).replace("run `romrunner db check`, ", "") + ", or save what can still be "
            "read from a copy of the file with the sqlite3 shell's `.recover`") from exc
    data = {"ok": report.ok, "integrity": report.integrity,
            "foreign_keys": report.foreign_keys, "orphans": report.orphans,
            "schema": report.schema, "objects": report.objects, "counters": report.counters,
            "search_index": report.search_index,
            "foreign_keys_checked": report.foreign_keys_checked,
            # (qa179 F9: "result ok" of a database every other command refused as old)
            "upgrade_needed": older is not None}

    def render(console: Console) -> None:
        console.print("integrity       " + ("ok" if report.integrity == ["ok"]
                                            else "; ".join(report.integrity[:5])))
        if report.schema:
            console.print(f"schema          {len(report.schema)} missing: "
                          f"{', '.join(report.schema[:5])}", markup=False)
        if report.objects:
            console.print(f"schema objects  {_object_problems(report.objects, 5)}",
                          markup=False)
        # (QA157 F4: "ok" was said of a check that never ran on a damaged file)
        console.print("foreign keys    " + ("not checked" if not report.foreign_keys_checked
                                            else "ok" if not report.foreign_keys
                                            else f"{len(report.foreign_keys)} broken"))
        for line in report.foreign_keys[:10]:
            console.print(f"  {line}", markup=False)
        for label, count in report.orphans.items():
            if count:
                console.print(f"orphans         {count} {label}", markup=False)
        for line in report.counters[:10]:
            console.print(f"counters        {line}", markup=False)
        if report.search_index is not None:
            console.print("search index    " + report.search_index.removeprefix("search index "),
                          markup=False)
        console.print("result          " + ("ok" if report.ok else "PROBLEMS FOUND"))
        if older is not None:
            console.print(f"upgrade         schema version {older} is older than "
                          f"{LATEST_VERSION}: commands that only read refuse it until it is "
                          f"upgraded; {upgrade_advice(opened.path)}", soft_wrap=True,
                          markup=False)
        if not report.ok:  # (what to do, in text too: QA158 N8, only --json said it)
            console.print(_problems(report), markup=False, soft_wrap=True)

    app.finish(data, render, ok=report.ok, errors=None if report.ok else [_problems(report)])
    return 0 if report.ok else 1


def _missing_object(item: str) -> bool:
    """True when ``item`` of a check's schema objects names a trigger or index the file
    lacks (``trigger games_counts_update``), not another problem of its schema."""
    return item.startswith(("trigger ", "index "))


def _object_problems(objects: list[str], shown: int) -> str:
    """The first ``shown`` of a check's schema-object problems as a user reads them (a
    trigger or index the file lacks is said to be missing), and how many more: one wording
    for the text line and the problems sentence."""
    said = [f"{item} is missing" if _missing_object(item) else item for item in objects]
    return "; ".join(said[:shown]) + (f" and {len(said) - shown} more"
                                      if len(said) > shown else "")


def _problems(report: CheckReport) -> str:
    """The one line saying what ``db check`` found."""
    found = []
    if report.integrity != ["ok"]:
        found.append(f"integrity: {report.integrity[0]}"
                     + (f" and {len(report.integrity) - 1} more" if len(report.integrity) > 1
                        else ""))
    if report.schema:
        found.append(f"its schema lacks {', '.join(report.schema[:3])}"
                     + (f" and {len(report.schema) - 3} more" if len(report.schema) > 3 else "")
                     + " (`romrunner db restore` a backup)")
    if report.objects:
        found.append("its schema is not what its version makes (edited by hand?): "
                     + _object_problems(report.objects, 3)
                     + ("; `romrunner db repair` makes them again"
                        if all(map(_missing_object, report.objects)) else
                        f"; `romrunner db repair` sets schema_version back to "
                        f"{report.mendable_version} (its tables are those of "
                        f"{report.mendable_version}) and makes any missing one again"
                        if report.mendable_version is not None else
                        "; restore a backup (`romrunner db restore BACKUP`)"))
    if report.counters:
        found.append(f"the counters of {counted(len(report.counters), 'platform')} "
                     "disagree with the games they count (`romrunner db repair` counts them "
                     "again)")
    if report.search_index is not None:
        found.append(f"{report.search_index} (`romrunner db repair` rebuilds it)")
    if report.foreign_keys:
        found.append(f"{counted(len(report.foreign_keys), 'broken foreign key')} (rows "
                     "naming a row that is gone: restore a backup, `romrunner db restore "
                     "BACKUP`)")
    orphans = sum(report.orphans.values())
    if orphans:
        found.append(f"{counted(orphans, 'orphaned row')}")
    return "the database has problems: " + "; ".join(found)


@db.command()
@click.argument("dest", type=path_param(text=True))
@click.option("--force", is_flag=True,
              help="Replace DEST even if it is not an earlier backup of this database.")
def backup(dest: str, force: bool) -> int:
    """Write a consistent copy of the database to DEST.

    DEST is a file (an existing file is replaced only when it is an earlier backup of this
    database, not holding changes this one lacks, or with --force) or a folder (existing, or
    ending in /), which gets a new romrunner-YYYYmmdd-HHMMSS.db each time.
    """
    app = app_context()
    database = app.open_db(OpenMode.INSPECT)
    refuse_writing_into_library(database, Path(dest))  # (QA28 F12: a backup named as a ROM)
    written = backup_database(database, dest, force=force)
    app.replaced_database(f"the backup was written to {written}")
    app.finish({"backup": str(written), "bytes": written.stat().st_size},
               lambda console: console.print(f"backup written to {written}"))
    return 0


@db.command()
@click.argument("backup_file", metavar="BACKUP", type=path_param())
@click.option("--force", is_flag=True,
              help="Restore a backup of another database (this one is still saved first).")
def restore(backup_file: Path, force: bool) -> int:
    """Put BACKUP (written by `db backup`, or before an upgrade) back as the database.

    The backup is checked first (a ROM Runner backup, its quick check, a schema this
    version opens), the database it replaces is saved beside it (a backup `db restore` takes
    back), and the file is replaced in one step: a crash leaves the old database or the
    restored one. It says what the restored state holds fewer of. A backup of another
    database needs --force.
    """
    app = app_context()
    report = restore_database(app.db_path, backup_file, force=force, wait=app.wait,
                              on_wait=app.say_waiting, on_replaced=functools.partial(
                                  _say_replaced, app, backup_file),
                              make_folders=app.make_db_folders)
    if report.of_a_copy:
        app.warn(f"{backup_file}: a backup of a copy of this database (a line of changes of "
                 "its own since the copy), restored with --force")
    elif report.other_database:
        app.warn(f"{backup_file}: a backup of another database, restored with --force")
    if report.corrupt is not None:
        app.warn(f"the database replaced was corrupt ({report.corrupt}); its files were "
                 f"copied as they were to {report.saved}")
    if report.schema_version < report.latest_version:
        app.warn(f"the restored database has schema version {report.schema_version}, older "
                 f"than {report.latest_version}: commands that only read refuse it until "
                 "`romrunner db migrate` (a backup is written first); the ROM Runner release "
                 "that wrote it opens it as it is")
    back = _way_back(app, report.saved, report.other_database) \
        if report.saved is not None else None
    app.finish(report.as_dict(), lambda console: _render_restore(console, report, back))
    return 0


def _say_replaced(app: AppContext, backup: Path, report: RestoreReport) -> None:
    """What an interrupt says once the database file is replaced by the backup."""
    saved = f"; the database it replaced is saved at {report.saved} " \
            f"({_way_back(app, report.saved, report.other_database)} goes back to it)" \
        if report.saved is not None else ""
    app.replaced_database(f"the database was restored from {backup}{saved}")


def _way_back(app: AppContext, saved: Path, forced: bool) -> str:
    """The command that restores ``saved`` into this database, pasteable: quoted, and naming
    the database (QA157 F3: a path with a space split in three, and without --db, once
    ROMRUNNER_DB was unset, it restored into the default database); with ``--force`` where
    the restore was ``forced`` (a backup of another database: the one saved is another
    database's now, and qa202 F2's way back was refused as such)."""
    # (absolute: a relative --db named another file from another folder, review 160 F11)
    return (f"`romrunner --db {shell_word(Path(app.db_path).absolute())} db restore "
            f"{shell_word(Path(saved).absolute())}{' --force' if forced else ''}`")


def _render_restore(console: Console, report: RestoreReport, back: str | None) -> None:
    if report.already_restored_at is not None:
        console.print(f"{report.database} already is {report.backup} (restored "
                      f"{report.already_restored_at}, unchanged since): nothing to do",
                      markup=False, soft_wrap=True)
        if report.saved is not None:
            console.print(f"the database that restore replaced is saved at {report.saved} "
                          f"({back} goes back to it)",
                          markup=False, soft_wrap=True)
        return
    console.print(f"restored {report.database} from {report.backup} (written "
                  f"{report.backup_written}, schema version {report.schema_version})",
                  markup=False, soft_wrap=True)
    if report.saved is not None and not report.saved_as_is:
        console.print(f"the database it replaced is saved at {report.saved} "
                      f"({back} goes back to it)",
                      markup=False, soft_wrap=True)
    elif report.saved is None:
        console.print("there was no database to save", markup=False)
    if any(count.now is not None for count in report.counts):
        table = Table("", "before", "restored")
        for count in report.counts:
            table.add_row(count.what, _number(count.now), _number(count.restored))
        console.print(table)
    if report.collections_dropped:
        console.print(f"collections only in the database replaced (the saved copy keeps "
                      f"them): {_names(report.collections_dropped)}", markup=False,
                      soft_wrap=True)
    if report.collections_taken:
        console.print(f"collections only in the restored database: "
                      f"{_names(report.collections_taken)}", markup=False, soft_wrap=True)
    if report.fewer:
        # (the kinds are plural nouns: "1 collection", "2 collections")
        fewer = ", ".join(counted(c.now - c.restored, c.what.removesuffix("s"), c.what)
                          for c in report.fewer
                          if c.now is not None and c.restored is not None)
        console.print(f"the restored database holds fewer rows than the one it replaced: "
                      f"{fewer} (the saved copy keeps them)", markup=False, soft_wrap=True)


def _names(names: list[str], shown: int = 10) -> str:
    """The first ``shown`` of ``names``, and how many more."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


@db.command(name="vacuum")
def vacuum_cmd() -> int:
    """Rebuild the database file compactly."""
    app = app_context()
    require_database(app.db_path, "vacuum", make_folders=app.make_db_folders)
    db = app.open_db(OpenMode.WRITE)
    pages = page_count(db)
    try:
        result = vacuum(db)
    except BaseException:
        # (the interrupt landed after the rebuild, which nothing undoes: QA116 F1 said
        # "nothing was changed" of a file compacted)
        if page_count(db) != pages:
            app.replaced_database("the database file was rebuilt compactly")
        raise
    if result.held_back:
        app.warn("another program is reading the database: the rebuilt file waits in its "
                 "write-ahead log, and the space comes back once that reader stops (run "
                 "`romrunner db vacuum` again then)")
    app.finish(asdict(result), lambda console: console.print(
        f"vacuumed: {result.bytes_before:,} -> {result.bytes_after:,} bytes "
        f"in {result.seconds:.2f} s"))
    return 0


@db.command()
def repair() -> int:
    """Count the platform counters again and rebuild the search index from the games (what
    `db check` says to repair this way); nothing else changes."""
    app = app_context()
    require_database(app.db_path, "repair", make_folders=app.make_db_folders)
    database = app.open_db(OpenMode.MAINTAIN)  # (a version edited down is mended first)
    mended = mend_version(database)
    for note in upgrade(database):
        app.warn(note)
    result = repair_derived(database)
    result.version_mended = mended
    app.finish(asdict(result), lambda console: console.print(
        (f"schema_version set back from {mended[0]} to {mended[1]} (the last migration the "
         f"file records; its tables are those of {mended[1]}); " if mended else "")
        + (f"made again: {', '.join(result.objects_made)}; " if result.objects_made else "")
        + f"platform counters counted again (off for "
        f"{counted(result.platforms_recounted, 'platform')}); search index rebuilt "
        f"({counted(result.games_indexed, 'game')})",
        markup=False))
    return 0


@db.command()
def stats() -> int:
    """Rows and bytes per table and index."""
    app = app_context()
    objects = database_stats(app.open_db(OpenMode.INSPECT))

    def render(console: Console) -> None:
        table = Table("name", "kind", "table", "rows", "bytes")
        for item in objects:
            table.add_row(item.name, item.kind, item.table,
                          "" if item.rows is None else f"{item.rows:,}", f"{item.bytes:,}")
        console.print(table)

    app.finish([asdict(item) for item in objects], render)
    return 0
