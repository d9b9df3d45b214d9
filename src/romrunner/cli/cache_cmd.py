"""``romrunner cache``: cached knowledge from each source."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from romrunner.cache.clear import clear_source
from romrunner.cache.explain import Explanation, explain_game, find_games, game_answers
from romrunner.cache.kinds import KINDS, kind_named
from romrunner.cache.prune import DEFAULT_GRACE_FACTOR, prune_cache
from romrunner.cache.sources import set_source
from romrunner.cache.stats import cache_stats
from romrunner.cli.context import PROFILE_ID, app_context, count_range, path_param
from romrunner.cli.db_cmd import require_database
from romrunner.knowledge.changes import named
from romrunner.knowledge.importer import (
    IMPORT_FORMATS,
    FileImport,
    KeptAnswers,
    import_knowledge,
)
from romrunner.packs.sync import sources_under_pack
from romrunner.store import OpenMode
from romrunner.words import counted, examples

_KIND = click.option("--kind", type=click.Choice(sorted(KINDS)), default="compat",
                     show_default=True, help="Which cache.")


@click.group()
def cache() -> None:
    """Cached knowledge: compatibility, performance and settings from each source."""


@cache.group(name="sources", invoke_without_command=True)
@click.pass_context
def cache_sources(ctx: click.Context) -> int:
    """List sources with their TTL and priority (`cache sources set` changes them)."""
    if ctx.invoked_subcommand is not None:
        return 0
    app = app_context()
    rows = sources_under_pack(app.open_db(OpenMode.READ), app.pack())

    def render(console: Console) -> None:
        table = Table("source", "ttl (h)", "origin", "registered", "priority")
        for row in rows:
            ranks = ", ".join(f"{k} {v}" for k, v in sorted(row["priority"].items()))
            table.add_row(str(row["source_id"]), str(row["ttl_hours"] or "never"),
                          str(row["origin"]), "yes" if row["in_registry"] else "no", ranks)
        console.print(table)
        for row in rows:  # (the envelopes' own dates: an older one is refused at import)
            if row["data_as_of"]:
                dates = ", ".join(f"{when} ({schema})"
                                  for schema, when in sorted(row["data_as_of"].items()))
                console.print(f"{row['source_id']}: data as of {dates}", markup=False)

    app.finish(rows, render)
    return 0


@cache_sources.command(name="set")
@click.argument("source_id")
@click.option("--priority", type=count_range(0), default=None,
              help="Place in each kind's priority (1 first among the sources: 0 is your own "
                   "answers', user-override; the sources at that place and after it move down "
                   "one).")
@click.option("--ttl", "ttl_hours", type=click.IntRange(1), default=None,
              help="Hours an answer stays fresh (at most 876000, 100 years); stored answers "
                   "are re-dated.")
@click.option("--never-expires", is_flag=True, help="Answers never go stale.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(KINDS)),
              help="Set the priority in this kind only (repeatable; default every kind).")
def cache_sources_set(source_id: str, priority: int | None, ttl_hours: int | None,
                      never_expires: bool, kinds: tuple[str, ...]) -> int:
    """Set SOURCE_ID's priority and/or TTL; best answers are re-ranked at once.

    What is set here outlives pack updates (and commands run with another --pack); set the
    number again to change it.
    """
    app = app_context()
    update = set_source(app.open_db(), source_id, priority=priority, ttl_hours=ttl_hours,
                        kinds=kinds, never_expires=never_expires)
    app.finish(asdict(update), lambda c: c.print(
        f"{source_id}: "
        + (f"ttl {update.ttl_hours} h" if update.ttl_hours else "never expires")
        + ", priority "
        + (", ".join(f"{k} {v}" for k, v in sorted(update.priority.items())) or "unranked")
        + f"; {counted(update.observations_reexpired, 'observation')} re-dated",
        markup=False))
    return 0


@cache.command(name="import")
@click.argument("files", nargs=-1, required=True, type=path_param())
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), default=None,
              help="The files' format (default: detected from each file's content).")
@click.option("--source", "source_id", default=None,
              help="The source of the answers: needed only for plain rows and for envelopes "
                   "that name none (each emulator database is its own source; given one file "
                   "alone, it replaces that file's own; among several, a file whose own "
                   "source is another is refused).")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="Which cache plain rows go to (default compat).")
@click.option("--new-source", is_flag=True,
              help="Register SOURCE if neither the pack nor the database knows it (default "
                   "TTL; ranked after every listed source).")
@click.option("--strict", is_flag=True, help="Refuse everything if any entry is unusable.")
@click.option("--older", is_flag=True,
              help="Import an envelope even when its generatedAt is older than its source's "
                   "answers already in the cache (refused otherwise).")
@click.option("--force", is_flag=True,
              help="Import an emulator's file even when its last entry takes away a rating or "
                   "settings the cache holds from it (refused otherwise: a file cut short at "
                   "a line break looks so).")
def cache_import(files: tuple[Path, ...], fmt: str | None, source_id: str | None,
                 kind: str | None, new_source: bool, strict: bool, older: bool,
                 force: bool) -> int:
    """Store the knowledge in FILES and update best answers.

    \b
    Formats (detected when --format is not given):
      pcsx2-gameindex     PCSX2 GameIndex.yaml (PS2): compat 0-6, fixes as settings
      duckstation-gamedb  DuckStation gamedb.yaml (PS1): rating words, traits, codes
      ppsspp-compat       PPSSPP compat.ini (PSP): flags per title id
      dolphin-gameini     Dolphin GameSettings/*.ini (a file or the folder)
      libretro-info       libretro core *.info (a file or the folder): core firmware,
                          used by `bios check --emulator CORE`
      compat-source-v1, emulator-settings-v1, device-performance-v1   our JSON envelopes
                          (device-performance-v1: RetroCatalog-style score 0-100 per
                          device and platform, gameId "*" platform-wide)
      rows                observation rows (JSON list or JSON Lines) with --source
    A folder: each of its files (and sub-folders) by its own format, the cores' .info files
    and Dolphin's game inis as one; a file none of them reads is named and counted as skipped
    (a README is named only). A Dolphin ini with no rating or settings (cheats alone) among
    the files given is passed over, and said; it withdraws nothing.
    An emulator's file removes no answer by being shorter: the source's answers no file
    given holds are kept, and counted in a warning; PPSSPP's compat.ini, always whole,
    withdraws the flags of a title it no longer lists (said).
    All files are imported in one transaction; unusable entries are skipped and counted (a
    serial given twice with other values: the first kept; a damaged line: its game keeps the
    answers the cache holds from the file's source).
    Exit codes: 0 every entry imported; 1 some skipped (the first few are named);
    2 refused, nothing changed (unreadable, unknown format or source, no usable entry,
    any skipped entry with --strict, an envelope older than its source's answers in the
    cache without --older, or an emulator's file whose last entry takes away answers the
    cache holds from it, without --force). A re-import names the games whose answers it
    withdrew or changed (the first few; --json lists them all).
    """
    app = app_context()
    app.one_transaction("the files were imported (`romrunner cache stats` counts them)")
    result = import_knowledge(app.open_db(), list(files), fmt=fmt, source=source_id,
                              kind=kind, new_source=new_source, strict=strict, older=older,
                              pack=app.pack(), force=force)
    app.work_done()
    for item in result.files:
        if item.registered_source:
            app.warn(f"registered the new cache source {item.source!r}")
        imported = item.cores if item.format == "libretro-info" else \
            sum(item.observations.values())
        if item.skipped:
            more = "; ..." if item.skipped > len(item.problems) else ""
            app.warn(f"{item.path}: {imported:,} imported, "
                     f"{item.skipped:,} skipped: {'; '.join(item.problems)}{more}")
        elif item.problems:  # entries read all the same
            app.warn(f"{item.path}: {imported:,} imported; {'; '.join(item.problems)}")
        if item.ignored:
            app.warn(f"{item.path}: not core info, ignored: {', '.join(item.ignored)}")
        if item.passed_over and item.skipped:  # (else said with the others below)
            app.warn(f"{item.path}: {item.passed_over}, passed over")
        for warning in _losses(item):
            app.warn(warning)
    for unread in result.unread:  # (the files of a folder given that were not imported)
        app.warn(f"{unread.path}: {unread.reason}")
    for kept in result.kept:
        app.warn(_kept_line(kept))
    passed = [item.path for item in result.files if item.passed_over and not item.skipped]
    if passed:  # (Dolphin's files of cheats alone, among the files given: one line)
        app.warn(f"{counted(len(passed), 'file')} with no rating or settings in "
                 f"{'it' if len(passed) == 1 else 'them'} (cheats or patches alone?), "
                 f"passed over: {examples(passed, 5)}")

    def render(console: Console) -> None:
        for item in result.files:
            if item.passed_over and not item.observations:
                continue  # (said in a warning)
            if item.format == "libretro-info":
                console.print(_cores_line(item), markup=False)
                continue
            counts = ", ".join(f"{count:,} {name}" for name, count in item.observations.items())
            total = counted(sum(item.observations.values()), "observation")
            console.print(f"{item.path}: {total}" + (f" ({counts})" if counts else "")
                          + f" from {item.source} "
                          f"({item.format}), expiring {item.expires_at or 'never'}"
                          + (f" ({item.skipped:,} skipped)" if item.skipped else ""),
                          markup=False)
            for line in _changes(item):
                console.print(line, markup=False)

    data: dict[str, Any] = {"files": [item.as_dict() for item in result.files],
                            "skipped": result.skipped,
                            "unread": [asdict(unread) for unread in result.unread],
                            "kept_answers": [kept.as_dict() for kept in result.kept]}
    if len(result.files) == 1:  # one file: its figures at the top level too
        only = result.files[0]
        data.update(only.as_dict(), observations=sum(only.observations.values()),
                    observations_by_kind=only.observations,
                    kind=kind or next(iter(only.observations), "compat"),
                    problems=[_problem(p) for p in only.problems])
    files_unread = sum(unread.skipped for unread in result.unread)
    entries = result.skipped - files_unread
    skipped = "; ".join(
        ([f"{counted(entries, 'entry', 'entries')} skipped, not imported"] if entries else [])
        + ([f"{counted(files_unread, 'file')} of the folders given not read"]
           if files_unread else [])) + " (named in the warnings)"
    app.finish(data, render, ok=not result.skipped,
               errors=[skipped] if result.skipped else None)
    return 1 if result.skipped else 0


def _kept_line(kept: KeptAnswers) -> str:
    """The source's answers that no file given holds, kept as they were: an emulator's file
    removes nothing by being shorter (an excerpt), and said (qa195: kept unsaid)."""
    counts = ", ".join(f"{count:,} {name}" for name, count in kept.counts.items())
    one = kept.total == 1
    expiry = (f"{'it expires' if one else 'the first expires'} {kept.first_expiry}"
              if kept.first_expiry else f"{'it never expires' if one else 'none expires'}")
    where = f"not in {kept.files[0]}" if len(kept.files) == 1 \
        else f"in none of the {len(kept.files)} files given"
    return (f"{counted(kept.total, 'answer')} of {kept.source} ({counts}) "
            f"{'is' if one else 'are'} {where}: kept ({expiry}; `romrunner "
            f"cache clear --source {kept.source}` then an import of the whole file drops "
            f"{'it' if one else 'them'})")


def _cores_line(item: FileImport) -> str:
    """What a core info import stored, as it is: a core whose file lists no firmware stores
    nothing (qa183: "1 core" was said while the database was unchanged)."""
    cores = f"{item.path}: {counted(item.cores, 'core')} read"
    if item.firmware:
        line = f"{cores}, {counted(item.firmware, 'firmware file')} stored"
    else:
        line = f"{cores}, listing no firmware file: nothing stored"
    if item.firmware_removed:
        line += (f"; {counted(item.firmware_removed, 'firmware file')} stored for "
                 f"{'it' if item.cores == 1 else 'them'} before, no longer listed, removed")
    return line


def _losses(item: FileImport) -> list[str]:
    """Warnings naming the games whose answers a re-import withdrew or shortened (QA153 F4:
    "1 compat answer … withdrawn" named no game)."""
    found = []
    unlisted = item.unlisted_answers
    withdrawn = [change for change in item.withdrawn_answers if change not in unlisted]
    if withdrawn:
        counts = ", ".join(f"{count:,} {name} answer{'' if count == 1 else 's'}"
                           for name, count in item.withdrawn.items())
        found.append(f"{item.path}: {counts or len(withdrawn)} of {item.source} "
                     "withdrawn: entries of the file that no longer give them: "
                     f"{named(withdrawn)}")
    if unlisted:  # (compat.ini lists a title only under the flags it needs)
        found.append(f"{item.path}: settings of {counted(len(unlisted), 'game')} of "
                     f"{item.source} withdrawn: no longer listed in the file, so "
                     f"{'it needs' if len(unlisted) == 1 else 'they need'} no flag now: "
                     f"{named(unlisted)}")
    shorter = [change for change in item.changed_answers if change.lost]
    if shorter:
        found.append(f"{item.path}: settings of {counted(len(shorter), 'game')} of "
                     f"{item.source} now give less than before: {named(shorter)}")
    return found


def _changes(item: FileImport) -> list[str]:
    """Lines naming the games whose rating or settings a re-import changed (QA153 F7: a
    newer file that made a game "broken" said the same as an unchanged re-import), and the
    devices' performance tiers it changed."""
    ratings = [change for change in item.changed_answers if change.kind == "compat"]
    # (a rating given where the source had none, QA174 F4, is a new rating, not a changed
    # one: its own line, as the JSON keeps it apart in given_answers, qa177 F4)
    given = sorted(item.given_answers,
                   key=lambda change: (change.platform_id, change.key, change.emulator_id))
    settings = [change for change in item.changed_answers
                if change.kind == "settings" and not change.lost]
    performance = [change for change in item.changed_answers if change.kind == "performance"]
    lines = []
    if ratings:
        lines.append(f"{item.path}: {counted(len(ratings), 'rating')} of {item.source} "
                     f"changed: {named(ratings)}")
    if given:
        lines.append(f"{item.path}: {counted(len(given), 'new rating')} of {item.source}: "
                     f"{named(given)}")
    if settings:
        lines.append(f"{item.path}: settings of {counted(len(settings), 'game')} of "
                     f"{item.source} changed: {named(settings)}")
    if performance:  # (a device's tiers: they decide its auto-lists as ratings do)
        lines.append(f"{item.path}: {counted(len(performance), 'performance answer')} of "
                     f"{item.source} changed: {named(performance)}")
    return lines


def _problem(text: str) -> dict[str, str]:
    where, _, reason = text.partition(": ")
    return {"where": where, "reason": reason}


@cache.command(name="why")
@click.argument("platform_id")
@click.argument("emulator_id")
@click.argument("game")
@_KIND
@click.option("--profile", type=PROFILE_ID, default=None, help="Device profile (performance only).")
def cache_why(platform_id: str, emulator_id: str, game: str, kind: str,
              profile: int | None) -> int:
    """Every source's answer for one game, the winning one first.

    GAME is a key as the cache stores it (a serial, a DAT game id), or a library game id,
    title or serial as `cache explain` takes them (each of its keys is tried).
    """
    app = app_context()
    pack = app.pack()
    rows = game_answers(app.open_db(OpenMode.READ), kind_named(kind), platform_id,
                        emulator_id, game, device_profile_id=profile,
                        known_platforms=pack.platforms, known_emulators=pack.emulators)

    def render(console: Console) -> None:
        if not rows:
            console.print(f"no cached answer for {game} ({platform_id}, {emulator_id})",
                          markup=False)
        shown: tuple[object, object] | None = None
        for row in rows:  # (a header per game and key: QA54 F10, two games sharing a key)
            if row["game_key"] != game and (row["game_id"], row["game_key"]) != shown:
                shown = (row["game_id"], row["game_key"])
                # (a key no library game has: no "game None", qa188 F5)
                wide = " (platform-wide: the game has no answer of its own)" \
                    if row["game_key"] == "*" else ""
                console.print(f"{row['game_key']}:{wide}" if row["game_id"] is None else
                              f"game {row['game_id']} · {row['game_key']}:{wide}", markup=False)
            value = row.get("status") or row.get("performance_tier") or row.get("settings_json")
            mark = "best" if row["is_best"] else "    "
            console.print(f"{mark} {row['source']:<24} {value}  {row['confidence']}  "
                          f"fetched {row['fetched_at']}{'  (stale)' if row['stale'] else ''}",
                          markup=False)

    app.finish(rows, render)
    return 0


@cache.command(name="prune")
@click.option("--grace-factor", type=click.FloatRange(0), default=DEFAULT_GRACE_FACTOR,
              show_default=True, help="Keep expired answers this many TTLs past expiry.")
@click.option("--dry-run", is_flag=True, help="Count what is due; delete nothing.")
def cache_prune(grace_factor: float, dry_run: bool) -> int:
    """Delete answers long past expiry, in short batches that never block a scan for long.

    Only expiry counts: a source the pack no longer lists keeps its rows (`cache clear
    --source S` deletes them). An expired answer that leaves a game out of auto-lists (rated
    broken, boots only or menu/intro; a device's poor or unplayable tier, or an exclusion) is
    kept and named: without it the game would be assumed to run. Re-import its source to refresh it.
    """
    app = app_context()
    require_database(app.db_path, "prune", make_folders=app.make_db_folders)
    db = app.open_db(OpenMode.READ) if dry_run else app.open_db()
    ttls = {row["source_id"]: row["ttl_hours"] for row in sources_under_pack(db, app.pack())} \
        if dry_run else None  # (the TTLs the run would prune with: the pack in use's)
    result = prune_cache(db, grace_factor=grace_factor, dry_run=dry_run, ttl_hours=ttls)
    total = sum(result.deleted.values())
    verb = "would delete" if dry_run else "deleted"
    if any(result.kept.values()):
        app.warn(_kept_warning(result.kept, result.kept_answers))
    app.finish({"dry_run": dry_run, "deleted": result.deleted, "kept": result.kept,
                "kept_answers": result.kept_answers, "batches": result.batches,
                "longest_batch_ms": round(result.longest_batch_ms, 1),
                "seconds": round(result.seconds, 3)},
               lambda c: c.print(f"{verb} {counted(total, 'observation')}" + (
                   "" if dry_run else f" in {counted(result.batches, 'batch', 'batches')}")
                   + " (" + ", ".join(
                       f"{name} {count:,}" for name, count in result.deleted.items()) + ")"))
    return 0


def _kept_warning(kept: dict[str, int], answers: list[dict[str, Any]]) -> str:
    """What prune kept past expiry and why (QA153 F11: a "broken" pruned, and the game
    rejoined the auto-list with no word)."""
    total = sum(kept.values())
    names = [f"{a['key']}{' ' + a['title'] if a['title'] else ''} ({a['answer']}, "
             f"{a['source']})" for a in answers[:10]]
    more = f"; and {total - len(names):,} more (`--json` lists them)" \
        if total > len(names) else ""
    return (f"kept {counted(total, 'expired answer')} that "
            f"{'leaves its game' if total == 1 else 'leave their games'} out of auto-lists "
            "(rated broken, boots only or menu/intro; a poor or unplayable tier, or excluded): "
            "without "
            f"{'it' if total == 1 else 'them'} the game would be assumed to run: "
            + "; ".join(names) + more
            + f"; re-import the source to refresh {'it' if total == 1 else 'them'} "
            f"(`romrunner cache clear --source S` deletes {'it' if total == 1 else 'them'})")


@cache.command(name="explain")
@click.argument("game")
def cache_explain(game: str) -> int:
    """What every source says about GAME (a library id, a title, or a serial / disc id).

    \b
    Per kind (compatibility, performance, settings) and per key the game is known by
    (its disc id, its DAT serial, its DAT game id, a Dolphin region-less id), each
    source's observation with its age and expiry, the winning answer first and why it won.
    """
    app = app_context()
    db = app.open_db(OpenMode.READ)
    pack = app.pack()
    found = [explain_game(db, keys, pack) for keys in find_games(db, game)]

    def render(console: Console) -> None:
        for explanation in found:
            _render_explanation(console, explanation, whole=app.verbose)

    app.finish([item.as_dict() for item in found], render)
    return 0


def _read_by(profiles: list[int] | None) -> str:
    """Which profiles run the game with the answer's emulator (see AnswerGroup.read_by)."""
    if profiles is None:
        return ""
    if not profiles:
        return " (no device profile runs the game with this emulator)"
    return f" (read by {'profile' if len(profiles) == 1 else 'profiles'} " \
        f"{', '.join(str(p) for p in profiles)})"


def _render_explanation(console: Console, explanation: Explanation, *,
                        whole: bool = False) -> None:
    """One game's answers; ``whole`` (--verbose): each answer's settings whole, one per line
    (QA153 F9: cut at 60 characters, and nothing in text showed them all)."""
    game = explanation.game
    head = f"game {game.game_id}: {game.title}" if game.game_id is not None else "no game"
    console.print(f"{head} [{game.platform_id or 'any platform'}] keys: "
                  f"{', '.join(game.keys) or 'none'}", markup=False)
    if not explanation.groups:
        console.print("  nothing cached for these keys", markup=False)
    for group in explanation.groups:
        where = group.emulator_id or "any emulator"
        if group.device_profile_id is not None:
            where += f", device profile {group.device_profile_id}"
        console.print(f"  {group.kind} · {where} · {group.game_key}: {group.reason}"
                      f"{_read_by(group.read_by)}", markup=False)
        for item in group.observations:
            value = item.get("status") or item.get("performance_tier") or _short(
                item.get("settings"))
            mark = "best" if item["is_best"] else "    "
            stale = " (stale)" if item["stale"] else ""
            as_of = f"as of {item['data_as_of'][:10]}, " if item.get("data_as_of") else ""
            console.print(f"    {mark} {item['source']:<22} {value}  {item['confidence']}  "
                          f"{item.get('notes') or ''}  {as_of}imported "
                          f"{'now' if item['age'] == 'now' else item['age'] + ' ago'}, "
                          f"expires {item['expires_at'] or 'never'}{stale}", markup=False)
            if whole and isinstance(item.get("settings"), dict):
                for key, setting in _flat_settings(item["settings"]):
                    console.print(f"           {key} = {setting}", markup=False)


def _short(settings: object) -> str:
    text = json.dumps(settings, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "... (-v: whole)"


def _flat_settings(settings: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """``settings`` as (dotted key, value) pairs: ``Video.ProjectionHack``, ``0``."""
    found: list[tuple[str, str]] = []
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += _flat_settings(value, f"{name}.")
        else:
            found.append((name, value if isinstance(value, str)
                          else json.dumps(value, ensure_ascii=False)))
    return found


@cache.command(name="stats")
def cache_stats_cmd() -> int:
    """Rows, bytes and stale share per source and kind."""
    app = app_context()
    rows = cache_stats(app.open_db(OpenMode.READ))

    def render(console: Console) -> None:
        table = Table("kind", "source", "rows", "stale", "bytes (est.)", "best answers")
        for row in rows:
            table.add_row(row.kind, row.source, f"{row.rows:,}",
                          f"{row.stale_share:.0%}", f"{row.bytes:,}", f"{row.best_answers:,}")
        console.print(table)
        if not rows:
            console.print("the cache is empty")

    app.finish([{**asdict(row), "stale_share": round(row.stale_share, 4)} for row in rows],
               render)
    return 0


@cache.command(name="clear")
@click.option("--source", "source_id", required=True, help="The source whose rows to delete.")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="Only this cache (default: every cache).")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; change nothing.")
def cache_clear(source_id: str, kind: str | None, dry_run: bool) -> int:
    """Delete every observation of one source (the only command that does).

    Best answers the source held are recomputed from the other sources in the same
    transaction. The source stays registered; `cache prune` never deletes a source's rows
    because a pack stops listing it.
    """
    app = app_context()
    kinds = (kind_named(kind),) if kind else tuple(KINDS.values())
    require_database(app.db_path, "clear", make_folders=app.make_db_folders)
    result = clear_source(app.open_db(), source_id, kinds=kinds, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    app.finish({"source": source_id, "dry_run": dry_run, "observations": result.observations,
                "best_answers_changed": result.best_answers_changed},
               lambda c: c.print(f"{verb} {counted(result.total, 'observation')} of "
                                 f"{source_id} ("
                                 + ", ".join(f"{name} {count:,}" for name, count
                                             in result.observations.items()) + ")"))
    return 0


def register(group: click.Group) -> None:
    """Add the cache group to ``group``."""
    group.add_command(cache)
