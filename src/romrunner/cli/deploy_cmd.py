"""``romrunner deploy``: put the chosen games on a card, finish an interrupted deployment,
and read the history.

``romrunner deploy PROFILE --to PATH …`` runs a deployment; ``deploy resume|history|show`` are
subcommands. The group routes any first word that is not a subcommand to the hidden ``run``.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from romrunner.cli.context import PROFILE_ID, ROW_ID, AppContext, app_context, path_param
from romrunner.cli.db_cmd import require_database
from romrunner.cli.querycmd import QueryCommand
from romrunner.cli.terminal import literal, visible
from romrunner.deploy.card import (
    CARD_DIR,
    DeployError,
    check_destination,
    describe_os_error,
    read_manifest,
    unreadable_card,
)
from romrunner.deploy.execute import (
    IDENTICAL_KEPT,
    LIBRARY_FILE,
    LINKED,
    REPLACES_EDITED,
    REPLACES_OTHER,
    DeployOptions,
    DeploySummary,
    preview,
    refuse_an_unmounted_card,
    refuse_library_overlap,
    short_of_space,
)
from romrunner.deploy.execute import Progress as DeployProgress
from romrunner.deploy.execute import deploy as run_deployment
from romrunner.deploy.execute import resume as resume_deployment
from romrunner.deploy.history import deployment_files, list_history, show_deployment
from romrunner.deploy.plan import DeployPlan, PlanIssue, build_plan, chosen_left_out
from romrunner.deploy.select import Chosen, choose_games
from romrunner.devices.destination import destination_id, refuse_a_bios_folder
from romrunner.devices.paths import card_layout
from romrunner.errors import GONE_ERRNOS
from romrunner.library.roots import unscanned_library
from romrunner.store import OpenMode
from romrunner.store.database import Database
from romrunner.words import counted, examples

EXIT_FILES_FAILED, EXIT_STOPPED, EXIT_INTERRUPTED = 1, 2, 130
EXIT_NOTHING_CHOSEN = 1  # as `games find` finding nothing: not an error, not a success


class _DeployGroup(click.Group):
    """``deploy PROFILE …`` runs a deployment; ``deploy resume|history|show`` are subcommands."""

    default_command = "run"  # `deploy PROFILE …` (the top group checks its options too)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """``deploy --help`` lists the options of ``deploy PROFILE …`` too (QA18: only
        ``deploy 1 --help`` showed them)."""
        run = self.commands["run"]
        rows = [row for param in run.get_params(ctx)
                if isinstance(param, click.Option) and "--help" not in param.opts
                and (row := param.get_help_record(ctx)) is not None]
        with formatter.section("Options of deploy PROFILE"):
            formatter.write_dl(rows)
        super().format_options(ctx, formatter)


@click.group(cls=_DeployGroup)
def deploy() -> None:
    """Put games, BIOS and playlists on a device's card; resume; history.

    \b
    romrunner deploy PROFILE --to CARD [QUERY…] [--collection C] [--auto] [--dry-run]
                     [--verify] [--prune [--force [--keep-only-copies]] [--prune-others]]
                     [--overwrite]
                     [--plain-folder]
    romrunner deploy resume [ID] | deploy history | deploy show ID
    """


@deploy.command(name="run", hidden=True, cls=QueryCommand)
@click.argument("profile_id", type=PROFILE_ID)
@click.argument("words", nargs=-1)
@click.option("--to", "card", required=True, type=path_param(),
              help="The mounted card (or folder) to deploy to.")
@click.option("--collection", default=None,
              help="The games of this collection (with a QUERY: those it matches).")
@click.option("--auto", is_flag=True, help="The profile's auto-list (with a QUERY: of those).")
@click.option("--dry-run", is_flag=True, help="Print the plan and the changes; write nothing.")
@click.option("--verify", is_flag=True, help="Re-read what is written and compare SHA1s.")
@click.option("--prune", is_flag=True,
              help="Remove files an earlier deployment of ours wrote that are no longer chosen.")
@click.option("--overwrite", is_flag=True,
              help="Replace files of yours that are where a deployed file goes.")
@click.option("--force", is_flag=True,
              help="Prune even when no game is chosen or more than half of our files would go, "
                   "and files of ours whose content no library file holds now (maybe the "
                   "only copy left).")
@click.option("--keep-only-copies", is_flag=True,
              help="With --force: keep the files of ours kept as maybe the only copy left.")
@click.option("--prune-others", is_flag=True,
              help="Prune too what another computer's ROM Runner put on the card.")
@click.option("--plain-folder", is_flag=True,
              help="Deploy to a folder a card was once mounted on, now a plain folder of "
                   "this computer on purpose (recorded: later deploys there need it no more).")
def deploy_run(profile_id: int, words: tuple[str, ...], card: Path, collection: str | None,
               auto: bool, dry_run: bool, verify: bool, prune: bool, overwrite: bool,
               force: bool, keep_only_copies: bool, prune_others: bool,
               plain_folder: bool) -> int:
    """Deploy PROFILE's games to the card: ROMs to the OS's folders, their BIOS, playlists."""
    _refuse_an_option_as_a_word(words)
    if force and not prune:
        raise click.UsageError("--force goes with --prune (files of yours in the way are "
                               "replaced with --overwrite)")
    if prune_others and not prune:
        raise click.UsageError("--prune-others goes with --prune")
    if keep_only_copies and not force:  # (without --force they are kept anyway)
        raise click.UsageError("--keep-only-copies goes with --prune --force (a prune without "
                               "--force keeps those files anyway)")
    app = app_context()
    # (a deploy needs a profile: never a new database)
    require_database(app.db_path, "deploy", make_folders=app.make_db_folders)
    db = app.open_db(OpenMode.READ if dry_run else OpenMode.WRITE)
    with card_errors(card):
        return _deploy_run(app, db, profile_id, words, card, collection, auto, dry_run,
                           DeployOptions(verify=verify, overwrite=overwrite, prune=prune,
                                         force_prune=force, prune_others=prune_others,
                                         keep_only_copies=keep_only_copies,
                                         plain_folder=plain_folder))


def _refuse_an_option_as_a_word(words: tuple[str, ...]) -> None:
    """Refuse a query word (one written after ``--``) that is an option of this command or a
    global one: ``deploy 1 --to CARD -- title:x --dry-run`` deployed for real, the slip read as
    a word of the query (qa207 N4; a deploy is the command where it writes)."""
    context = click.get_current_context()
    options = {name for command in (context.command, context.find_root().command)
               for param in command.params if isinstance(param, click.Option)
               for name in (*param.opts, *param.secondary_opts) if name.startswith("--")}
    written = next((word for word in words if word.split("=", 1)[0] in options), None)
    if written is not None:
        raise click.UsageError(f"{written!r} is written after `--`, where it is a word of the "
                               "query, not the option: nothing was done; put the options "
                               "before `--`")


def _deploy_run(app: AppContext, db: Database, profile_id: int, words: tuple[str, ...],
                card: Path, collection: str | None, auto: bool, dry_run: bool,
                options: DeployOptions) -> int:
    card = Path(os.path.abspath(card))  # (said and recorded by its full path: QA18 C4)
    pack = app.pack()
    refuse_library_overlap(db, card, ())  # before anything is written on the "card"
    refuse_a_bios_folder(db, card)
    refuse_an_unmounted_card(db, card, plain_folder=options.plain_folder)
    with app.working("choosing the games…"):
        layout = card_layout(db, pack, profile_id, card)
        chosen = choose_games(db, pack, profile_id, layout, words=words, collection=collection,
                              auto=auto)
    for warning in chosen.warnings:
        app.warn(warning)
    if chosen.excluded:
        app.warn(excluded_warning(chosen))
    if not chosen.game_ids and (not options.prune or not read_manifest(card)[0]):
        # (a prune of a card with files of ours goes on: its brake says it)
        if chosen.missing:
            app.warn(missing_warning(chosen))
        app.warn(f"no game chosen: {_why_none(db, chosen, profile_id)}")
        return _nothing_chosen(app, chosen)
    with app.working(f"planning {counted(len(chosen.game_ids), 'game')}…"):
        plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=profile_id,
                          pruning=options.prune)
    chosen = chosen.reaching(plan.reached)  # (a copy in another root placed: not missing)
    chosen = chosen.without_sets(plan.excluded_with_set)
    if chosen.missing:
        app.warn(missing_warning(chosen))
    _warn_plan(app, plan)
    if not chosen.game_ids and (not options.prune or not read_manifest(card)[0]):
        app.warn(f"no game chosen: {_why_none(db, chosen, profile_id)}")  # (QA17: exit 0)
        return _nothing_chosen(app, chosen)
    left_out = chosen_left_out(db, plan, chosen.game_ids)
    if dry_run:
        with app.working("checking the card…"):
            data = preview(db, plan, options,
                           destination_id=destination_id(card, create=False),
                           profile_id=profile_id)
        data["chosen"] = _chosen_data(chosen)
        data["chosen"]["left_out"] = left_out
        data["chosen"]["copies_left_out"] = copies_of_chosen(plan)
        if (note := rated_note(chosen)) is not None:
            data["notes"] = [note, *data["notes"]]
        return _finish_preview(app, data)
    if left_out and not plan.items and (not options.prune or not read_manifest(card)[0]):
        return _all_left_out(app, chosen, left_out)  # as no game chosen: nothing written
    # before the card's id file is written, and refused in the words of the dry run (a
    # read-only card; a blank card too small: before check_destination makes its folder)
    refuse_library_overlap(db, card, plan=plan)
    if not (card / CARD_DIR).exists():
        check_destination(card, create=False)
        _refuse_short_blank_card(db, card, plan, options)
    check_destination(card)
    with progress_callback(app) as update:
        summary = run_deployment(db, plan, profile_id=profile_id, options=options,
                                 destination_id=destination_id(card, create=True),
                                 name=chosen.description, progress=update)
    if (note := rated_note(chosen)) is not None:
        summary.notes.insert(0, note)
    # (the JSON's `chosen` as the dry run's: QA178 F5, a real run's had only files counts)
    chosen_data = {**_chosen_data(chosen), "left_out": left_out,
                   "copies_left_out": copies_of_chosen(plan)}
    return finish_summary(app, summary, left_out,
                          chosen=f"{counted(len(chosen.game_ids), 'game')} chosen "
                          f"({chosen.description}){copies_said(copies_of_chosen(plan))}",
                          plan_warnings=[issue.as_dict() for issue in plan.warnings],
                          chosen_data=chosen_data)


def _refuse_short_blank_card(db: Database, card: Path, plan: DeployPlan,
                             options: DeployOptions) -> None:
    """A card no deploy wrote to yet, too small for the plan: refused before anything is
    written on it (QA18: its `.romrunner/` was left behind), in the dry run's numbers. (On a
    card of ours the run checks, once it holds the card's lock.)"""
    data = preview(db, plan, options)
    if not data["enough_space"]:
        raise DeployError(f"{card}: not enough space: " + short_of_space(
            data["bytes_needed"], data["free_bytes"], data["margin_bytes"],
            prunable=data["prunable_bytes"]))


@contextmanager
def card_errors(card: Path | None) -> Iterator[None]:
    """An error from the card that escapes the deploy's own handling (the card pulled or its
    mount dead between two steps, a file of ours on it that is a folder) is one line naming
    the card or the file, never an "internal error". ``card``: the card (None: not known yet,
    for a resume: then only errors saying the card is gone are mapped)."""
    try:
        yield
    except OSError as exc:
        named = exc.filename2 if exc.filename2 is not None else exc.filename
        if named is None and exc.errno not in GONE_ERRNOS:
            raise  # not the card's (the output's, say): the one handler decides
        if card is not None:
            try:
                os.stat(card)
            except OSError as gone:
                raise DeployError(unreadable_card(card, gone)) from exc
        path = None if named is None else Path(os.fsdecode(named))
        on_card = path is not None and card is not None and \
            os.path.abspath(path).startswith(os.path.join(os.path.abspath(card), ""))
        if path is None or not (on_card or exc.errno in GONE_ERRNOS):
            raise
        advice = ": reconnect the card" if exc.errno in GONE_ERRNOS else ""
        raise DeployError(f"{path}: {describe_os_error(exc)}{advice}") from exc


def copies_of_chosen(plan: DeployPlan) -> int:
    """How many chosen games the plan leaves out as copies of another chosen game — not
    those whose content a game held on the card has (its kept one is not chosen)."""
    chosen = set(plan.game_ids)
    return sum(1 for _, kept in plan.copies if kept in chosen)


def copies_said(count: int) -> str:
    """The words the line of the games chosen adds for ``count`` of them left out as copies of
    another chosen game (the same content, or the same game in another format): "" for none."""
    if not count:
        return ""
    return (f", {count:,} of them left out as {'a copy' if count == 1 else 'copies'} of "
            "another chosen game (the warnings say which)")


def _chosen_data(chosen: Chosen) -> dict[str, Any]:
    return {"games": len(chosen.game_ids), "how": chosen.description,
            "left_out_by_autolist": chosen.left_out_by_autolist,
            "filtered_by_profile": chosen.filtered_by_profile, "missing": chosen.missing,
            "excluded": chosen.excluded, "excluded_with_set": chosen.excluded_with_set,
            "excluded_copies": chosen.excluded_copies,
            "rated_not_playable": chosen.rated_not_playable}


RATED_NAMED = 5  # games named in the rated-not-playable note; more are counted


def rated_note(chosen: Chosen) -> str | None:
    """One note of the chosen games the knowledge rates not playable on the device (too slow
    on it, broken or never in-game on the emulator the OS runs them with): copied, as the
    user chose them, but not without a word (QA174 F6, qa193 F4); None when there are none."""
    rated = chosen.rated_not_playable
    if not rated:
        return None
    one = len(rated) == 1
    return (f"{len(rated):,} of the chosen games {'is' if one else 'are'} rated not playable "
            "on the device (its performance there, or broken or never in-game on the emulator "
            f"the OS runs {'it' if one else 'them'} with), copied as chosen "
            f"({chosen.autolist_command} leaves {'it' if one else 'them'} out): "
            f"{examples(rated, RATED_NAMED, '; ')}")


MISSING_NAMED = 5  # missing games named in the warning; more are counted


def missing_warning(chosen: Chosen) -> str:
    """``2 of 3 matching games are missing from the library since the last scan: not deployed
    (Speed Hog (USA).md, Fresh Start (USA).nes)``: of the games the selection matches, not of
    those chosen (the missing are not chosen: QA31 F6)."""
    names = chosen.missing
    listed = examples(names, MISSING_NAMED)
    return (f"{len(names):,} of {chosen.matched:,} matching games "
            f"{'is' if len(names) == 1 else 'are'} missing from the library since the last "
            f"scan: not deployed ({listed})")


def excluded_warning(chosen: Chosen) -> str:
    """``1 chosen game is excluded by an override: not deployed (Tater (USA).gb; …)``."""
    names = chosen.excluded
    said = (f"{counted(len(names), 'chosen game')} {'is' if len(names) == 1 else 'are'} "
            f"excluded by an override (`romrunner override ls` lists them; `override rm "
            f"--game ID` lifts one): not deployed ({examples(names, MISSING_NAMED)})")
    if chosen.excluded_copies:  # (an override excludes a file: QA28 F7)
        copies = chosen.excluded_copies
        said += (f"; {'its copy' if len(copies) == 1 else 'their copies'} in the library, "
                 f"the same catalog game, {'is' if len(copies) == 1 else 'are'} chosen too "
                 f"and deployed ({examples(copies, MISSING_NAMED)}: exclude "
                 f"{'it' if len(copies) == 1 else 'them'} too to keep the game off the card)")
    return said


def _why_none(db: Database, chosen: Chosen, profile_id: int) -> str:
    """Why a deploy's selection is empty, in the user's terms: first a library with no
    game yet (no root, or none scanned)."""
    unscanned = unscanned_library(db)
    if unscanned is not None:
        return unscanned
    words, _, _ = chosen.description.partition(", as the profile's auto-list allows")
    if chosen.excluded_with_set:
        return (f"every game {words} chooses is missing, excluded by an override, or in a "
                "multi-disc set one of whose discs an override excludes" if chosen.matched else
                "every game the profile's auto-list includes is in a multi-disc set one of "
                "whose discs an override excludes")
    if chosen.description.startswith("the profile's auto-list"):
        return (f"the auto-list of profile {profile_id} includes no game "
                f"({chosen.autolist_command} says why)")
    if chosen.matched == 0:
        return f"no game matches {words}"
    if chosen.missing and chosen.matched == len(chosen.missing):
        return f"every game {words} chooses is missing from the library"
    if chosen.excluded and chosen.matched == len(chosen.missing) + len(chosen.excluded):
        return (f"every game {words} chooses is "
                f"{'missing or ' if chosen.missing else ''}excluded by an override")
    return (f"of the {counted(chosen.matched, 'game')} {words} chooses, the auto-list of profile "
            f"{profile_id} includes none ({chosen.autolist_command} says why)")


def _nothing_chosen(app: AppContext, chosen: Chosen) -> int:
    """No game chosen (a query matching nothing, an empty auto-list): nothing is written (no
    ``.romrunner/`` on a blank card either), the warning says why, and the exit is 1 (as
    ``games find`` finding nothing), so a typo does not pass for a deploy done."""
    def render(console: Console) -> None:
        console.print(f"0 games chosen ({chosen.description}): nothing deployed",
                      markup=False, soft_wrap=True)

    app.finish({"chosen": _chosen_data(chosen)}, render, ok=False,
               errors=["no game chosen (the warnings say why); nothing was written"])
    return EXIT_NOTHING_CHOSEN


def _all_left_out(app: AppContext, chosen: Chosen, left_out: int) -> int:
    """The plan placed none of the chosen games (each said in a warning) and has nothing
    else to write: as for no game chosen, nothing is written (no ``.romrunner/`` on a blank
    card) or recorded, and the exit is 1."""
    said = f"{counted(left_out, 'chosen game')} {'was' if left_out == 1 else 'were'} left out"

    def render(console: Console) -> None:
        console.print(f"{said} (the warnings above say why): nothing deployed", markup=False,
                      soft_wrap=True)

    app.finish({"chosen": _chosen_data(chosen), "left_out": left_out}, render, ok=False,
               errors=[f"{said} (the warnings say why); nothing was written"])
    return EXIT_FILES_FAILED


SAID_PER_CODE = 10  # a plan's errors of one kind said one by one; the rest counted


def _warn_plan(app: AppContext, plan: DeployPlan) -> None:
    """Say the plan's errors and warnings; of one kind of per-game error (no folder, no
    platform…) or warning (a set's disc gap…), the first :data:`SAID_PER_CODE` and a count
    of the rest: 15,000 games of undecided platform are not 15,000 lines (the JSON plan
    lists each)."""
    errors, away = _folded_into_their_roots(plan)
    _warn_capped(app, errors, "more chosen game", " left out")
    # (QA134 F4: 94 sets' disc gaps, one line each, every run)
    _warn_capped(app, [dataclasses.replace(issue, message=(
        f"{issue.message}; {counted(away[issue.path or ''], 'chosen game')} of it left out "
        "(`--dry-run --json` lists each)")) if issue.code == "root-unreachable"
        and issue.path is not None and issue.path in away else issue
        for issue in plan.warnings], "more warning")


def _folded_into_their_roots(plan: DeployPlan) -> tuple[list[PlanIssue], Counter[str]]:
    """The plan's errors less those of chosen files on a library root that is not reachable
    (said by the root's one warning: qa194 F6, ten lines of its files came before it), and
    how many such errors each root's warning stands for."""
    roots = tuple(f"{issue.path.rstrip(os.sep)}{os.sep}" for issue in plan.warnings
                  if issue.code == "root-unreachable" and issue.path)
    away: Counter[str] = Counter()
    errors = []
    for issue in plan.errors:
        root = next((root for root in roots if issue.code == "source-missing"
                     and (issue.path or "").startswith(root)), None)
        if root is None:
            errors.append(issue)
        else:
            away[root.rstrip(os.sep)] += 1
    return errors, away


def _warn_capped(app: AppContext, issues: list[PlanIssue], more: str, how: str = "") -> None:
    """Say ``issues``, the first :data:`SAID_PER_CODE` of each code, and count the rest."""
    said: Counter[str] = Counter()
    for issue in issues:
        said[issue.code] += 1
        if said[issue.code] <= SAID_PER_CODE:
            _warn_issue(app, issue)
    for code, count in said.items():
        if count > SAID_PER_CODE:
            app.warn(f"… and {counted(count - SAID_PER_CODE, more)}{how} as those above "
                     f"({code}; `--dry-run --json` lists each)")


def _warn_issue(app: AppContext, issue: PlanIssue) -> None:
    # (an issue naming its games in its words is not said after one's path)
    named = not issue.path or bool(issue.games) or issue.message.startswith(issue.path)
    app.warn(issue.message if named else f"{issue.path}: {issue.message}")


PRUNE_LISTED = 50  # files a dry run's text names it would remove (--verbose: all of them)


def _render_removed(console: Console, paths: list[str], verb: str, every: bool,
                    as_json: str) -> None:
    """The files a prune removes (or would): the first PRUNE_LISTED, the rest counted by
    folder, unless ``every`` (--verbose)."""
    for path in paths if every else paths[:PRUNE_LISTED]:
        console.print(f"  {verb} {literal(path)}", markup=False, soft_wrap=True)
    if not every and len(paths) > PRUNE_LISTED:
        folders = Counter(path.rpartition("/")[0] for path in paths[PRUNE_LISTED:])
        console.print(f"  … and {verb} {len(paths) - PRUNE_LISTED:,} more files of ours ("
                      + ", ".join(f"{count:,} in {folder}"
                                  for folder, count in folders.most_common(5))
                      + (", …" if len(folders) > 5 else "")
                      + f"; --verbose lists every one, as {as_json})",
                      markup=False, soft_wrap=True)


def _render_preview(console: Console, data: dict[str, Any], *, every: bool = False) -> None:
    plan = data["plan"]
    chosen = data["chosen"]
    console.print(f"{counted(chosen['games'], 'game')} chosen ({chosen['how']})"
                  f"{copies_said(chosen.get('copies_left_out', 0))}; "
                  f"{counted(plan['files'], 'file')}, {counted(plan['bytes'], 'byte')} for "
                  f"{plan['os_id']} "
                  f"on {plan['root']} ({plan['fs']})", soft_wrap=True)
    table = Table("platform", "files", "bytes")
    for platform, totals in plan["platforms"].items():
        table.add_row(platform, f"{totals['files']:,}", f"{totals['bytes']:,}")
    console.print(table)
    actions = ", ".join(f"{count:,} {action}" for action, count in sorted(data["actions"].items()))
    # (the room they take on the card beside the files' bytes where that is more: small files
    # on large clusters — QA162 F2, "1,536,000 bytes to write, 154,796,032 free — NOT ENOUGH
    # SPACE")
    needed = data.get("bytes_needed") or 0
    more = needed > data["bytes_to_write"] * 5 // 4 or (
        not data["enough_space"] and needed > data["bytes_to_write"])
    takes = f" ({needed:,} on the card, counted in its blocks)" if more else ""
    console.print(f"would do: {actions or 'nothing'}; {data['bytes_to_write']:,} bytes to write"
                  f"{takes}, "
                  + (f"{data['free_bytes']:,} free" if data["free_bytes"] is not None
                     else "free space unknown (the card's file system does not report it)")
                  + ("" if data["enough_space"] else " — NOT ENOUGH SPACE"), soft_wrap=True)
    left_out = chosen.get("left_out")
    if left_out:  # the run's words (its exit 1: the JSON's errors say it too)
        console.print(f"{counted(left_out, 'chosen game')} would be left out (the warnings "
                      "above say why)", markup=False, soft_wrap=True)
    if every:
        for entry in data["copy"]:
            source = f" from {literal(entry['from'])}" if entry["from"] else ""
            console.print(f"  would copy {literal(entry['path'])}{source}", markup=False,
                          soft_wrap=True)
    elif data["copy"]:
        console.print(f"  (--verbose lists the {counted(len(data['copy']), 'file')} it would "
                      "copy, and where)", markup=False, soft_wrap=True)
    for entry in data["replace"]:  # worded as the real run reports them
        console.print(f"  {replaced_line(entry, 'would replace')}", markup=False, soft_wrap=True)
    _render_removed(console, data["prune"], "would remove", every, "the JSON's prune does")
    for path in data["prune_folders"]:
        console.print(f"  would remove the folder {literal(path)} (ours, left empty)",
                      soft_wrap=True)
    for path in data["conflicts"]:  # worded as the real run reports them
        console.print(f"  conflict: {data['conflict_notes'].get(path) or path}", soft_wrap=True)
    for note in data["failures"][:20]:
        console.print(f"  would fail: {note}", markup=False, soft_wrap=True)
    if len(data["failures"]) > 20:
        console.print(f"  … and {len(data['failures']) - 20:,} more would fail (the JSON's "
                      "failures lists them)", soft_wrap=True)


@deploy.command(name="resume")
@click.argument("deployment_id", required=False, type=ROW_ID)
@click.option("--verify", is_flag=True, default=None,
              help="Re-read what is written (and files skipped) and compare SHA1s.")
@click.option("--overwrite", is_flag=True, default=None,
              help="Replace files of yours that are where a deployed file goes.")
@click.option("--to", "to", type=path_param(), default=None,
              help="Where the card is now, when it is mounted at another path (its id must "
                   "be the deployment's), or for a deployment an earlier release recorded by "
                   "a relative path.")
def deploy_resume(deployment_id: int | None, verify: bool | None,
                  overwrite: bool | None, to: Path | None) -> int:
    """Finish an interrupted deployment (default: the latest unfinished one)."""
    app = app_context()
    require_database(app.db_path, "resume", make_folders=app.make_db_folders)
    db = app.open_db()
    with card_errors(None), progress_callback(app) as update:
        summary = resume_deployment(db, deployment_id, verify=verify, overwrite=overwrite,
                                    progress=update, to=to,
                                    pack_hash=app.pack().content_hash)
    return finish_summary(app, summary, in_all=deployment_files(db, summary.deployment_id))


@contextmanager
def progress_callback(app: AppContext) -> Iterator[Callable[[DeployProgress], None] | None]:
    """A progress bar (bytes, rate, ETA) on stderr when interactive, else no callback."""
    if not app.interactive:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=app.err_console, transient=True) as bar:
        task = bar.add_task("deploying", total=None)

        def update(progress: DeployProgress) -> None:
            bar.update(task, completed=progress.bytes_done, total=progress.bytes_total,
                       description=f"{progress.files_done:,}/{progress.files_total:,} files")

        yield update


def _finish_preview(app: AppContext, data: dict[str, Any]) -> int:
    """Show the dry run; its exit code is the one the real run would have: 2 when the card
    is too small, 1 when files would be left as conflicts or fail, else 0."""
    errors: list[str] = []
    code = 0
    if not data["enough_space"]:
        errors.append("not enough space on the card: " + short_of_space(
            data["bytes_needed"], data["free_bytes"], data["margin_bytes"],
            prunable=data["prunable_bytes"]))
        code = EXIT_STOPPED
    elif data["conflicts"] or data["failures"] or data["chosen"].get("left_out"):
        code = EXIT_FILES_FAILED
        if data["chosen"].get("left_out"):
            errors.append(f"{counted(data['chosen']['left_out'], 'chosen game')} would be "
                          "left out (the warnings say why)")
        if data["conflicts"]:
            one = len(data["conflicts"]) == 1
            errors.append(f"{counted(len(data['conflicts']), 'file')} would be left as "
                          f"{'a conflict' if one else 'conflicts'} (data.conflicts lists "
                          f"{'it' if one else 'them'})")
        if data["failures"]:
            errors.append(f"{counted(len(data['failures']), 'file')} would fail "
                          "(data.failures says why)")

    def render(console: Console) -> None:
        _render_preview(console, data, every=app.verbose)
        _render_identical(app, data["identical"])
        for note in data["notes"]:  # as the real run says them
            app.err_console.print(f"note: {note}", markup=False, soft_wrap=True)
        if code == EXIT_STOPPED:  # the run's refusal, in its words (QA14: JSON only)
            app.err_console.print(f"error: {errors[0]}", markup=False, soft_wrap=True)

    app.finish(data, render, ok=code == 0, errors=errors)
    return code


def finish_summary(app: AppContext, summary: DeploySummary, left_out: int = 0,
                   in_all: dict[str, int] | None = None, chosen: str | None = None,
                   plan_warnings: list[dict[str, Any]] | None = None,
                   chosen_data: dict[str, Any] | None = None) -> int:
    """Render a run's summary; exit 130 when interrupted (it says which deployment to resume),
    2 when it stopped early, 1 when files failed or conflicted or chosen games were left out
    of the plan (``left_out``). ``in_all``: a resume's deployment's files over all its runs
    (said beside the resume's own, QA18 M7: `deploy history` counted more). ``chosen``: the
    text's line of the games chosen, ``chosen_data`` the JSON's (as the dry run's)."""
    if summary.status == "cancelled":
        code = EXIT_INTERRUPTED
    elif summary.stopped:
        code = EXIT_STOPPED
    else:
        code = EXIT_FILES_FAILED if summary.failed or summary.conflicts or left_out else 0

    def render(console: Console) -> None:
        if chosen:  # (what was chosen, as the dry run says it: QA143 F3, the auto-list's
            # left-out games were said by the dry run only)
            console.print(chosen, markup=False, soft_wrap=True)
        console.print(
            f"deployment {summary.deployment_id} {summary.status}: {summary.copied:,} copied"
            + _replacing(summary.replaced)
            + f", {summary.skipped:,} skipped, {counted(summary.conflicts, 'conflict')}, "
            f"{summary.failed:,} failed, {summary.pruned:,} pruned; "
            f"{summary.bytes_copied:,} bytes in {summary.seconds:.1f} s"
            + ("" if in_all is None else
               f" (this run; the deployment in all: {in_all['copied']:,} copied, "
               f"{in_all['skipped']:,} skipped, {counted(in_all['conflicts'], 'conflict')}, "
               f"{in_all['failed']:,} failed, {in_all['pruned']:,} pruned)"),
            markup=False, soft_wrap=True)
        if left_out:
            console.print(f"{counted(left_out, 'chosen game')} "
                          f"{'was' if left_out == 1 else 'were'} left out (the warnings above "
                          "say why)", markup=False, soft_wrap=True)
        for entry in summary.replaced:
            console.print(f"  {replaced_line(entry, 'replaced')}", markup=False, soft_wrap=True)
        _render_removed(console, summary.pruned_paths, "removed", app.verbose,
                        "the JSON's pruned_paths and `romrunner --json deploy show ID` do")
        for folder in summary.pruned_folders:
            console.print(f"removed the folder {folder} (ours, left empty)",
                          markup=False, soft_wrap=True)
        for note in summary.notes:
            app.err_console.print(f"note: {note}", markup=False, soft_wrap=True)
        identical = [e for e in summary.errors if e["error"] == IDENTICAL_KEPT]
        # (a prune kept through a link: the note above names them)
        errors = [e for e in summary.errors
                  if e["error"] not in (IDENTICAL_KEPT, LINKED, LIBRARY_FILE)]
        _render_identical(app, identical)
        for error in errors[:20]:
            app.err_console.print(f"  {error['status']}: {_named_error(error)}",
                                  markup=False, soft_wrap=True)
        if len(errors) > 20:
            app.err_console.print(f"  … and {len(errors) - 20} more "
                                  f"(`romrunner deploy show {summary.deployment_id}`)")
        if summary.stopped and code != EXIT_INTERRUPTED:
            app.err_console.print(f"error: {summary.stopped}", markup=False, soft_wrap=True)

    if code == EXIT_INTERRUPTED:  # (in every mode, as every command says it: QA116 F2)
        reason = summary.stopped.removeprefix("interrupted; ") if summary.stopped else \
            f"`romrunner deploy resume {summary.deployment_id}` finishes it"
        sys.stderr.write(visible(f"interrupted: deployment {summary.deployment_id}: {reason}")
                         + "\n")
    data = summary.as_dict()
    data["left_out"] = left_out
    if plan_warnings is not None:  # (each with its code, as the dry run's plan gives them:
        # QA147 F6, a missing BIOS was prose among the warnings only)
        data["plan_warnings"] = plan_warnings
    if in_all is not None:
        data["in_all"] = in_all
    if chosen_data is not None:
        data["chosen"] = chosen_data
    app.finish(data, render, ok=code == 0, errors=_failure(summary, code, left_out))
    return code


def _replacing(replaced: list[dict[str, str]]) -> str:
    """What the copies replaced: files of the user's, files of ours edited on the card (QA138
    F2: both were "files not ROM Runner's"), another computer's versions of the games (qa176
    N11: counted as plain copies)."""
    if not replaced:
        return ""
    reasons = Counter(entry["reason"] for entry in replaced)
    edited, other = reasons[REPLACES_EDITED], reasons[REPLACES_OTHER]
    yours = len(replaced) - edited - other
    parts = [f"{yours:,} of yours" if yours else "",
             f"{edited:,} of ours edited on the card" if edited else "",
             f"{other:,} of another computer's" if other else ""]
    return f" (replacing {' and '.join(part for part in parts if part)})"


def replaced_line(entry: dict[str, str], verb: str) -> str:
    """``would replace (yours) PATH`` (the dry run), ``replaced (edited on the card) PATH``
    (the run, ``deploy show``): a file not ROM Runner's that --overwrite replaces, or
    another computer's version of a game."""
    return f"{verb} ({entry['reason']}) {entry['path']}"


def _failure(summary: DeploySummary, code: int, left_out: int = 0) -> list[str] | None:
    """The envelope's one-line reason when the run did not succeed."""
    if summary.stopped:
        return [summary.stopped]
    if code == EXIT_INTERRUPTED:
        return [f"deployment {summary.deployment_id} was interrupted; `romrunner deploy "
                f"resume {summary.deployment_id}` finishes it"]
    if code:
        return [f"deployment {summary.deployment_id}: {counted(summary.failed, 'file')} "
                f"failed, {counted(summary.conflicts, 'conflict')} (data.errors names each)"
                + (f", {counted(left_out, 'chosen game')} left out (the warnings say why)"
                   if left_out else "")]
    return None


IDENTICAL_NAMED = 5  # more files kept as identical than this are counted, not listed


def _named_error(error: dict[str, Any]) -> str:
    """A file's error, beginning with its path on the card (most messages already do)."""
    path, text = error.get("path") or "", str(error["error"])
    return text if not path or text.startswith(f"{path}:") else f"{path}: {text}"


def _render_identical(app: AppContext, identical: list[dict[str, Any]]) -> None:
    """Files already on the card with the bytes to write, not written by us (a card filled
    by hand, or whose ``.romrunner/`` was lost): a few are named; more are counted once and
    named with ``--verbose`` (the JSON names each)."""
    if len(identical) > IDENTICAL_NAMED:
        hint = "" if app.verbose else "; --verbose lists them"
        app.err_console.print(
            f"  skipped: {len(identical):,} files of yours already on the card are identical "
            f"to what would be written there: kept; no record of ROM Runner's names them as "
            f"they are now (the card's manifest, or a path, size and time this database "
            f"recorded writing), so --prune never removes them{hint}",
            markup=False, soft_wrap=True)
    if len(identical) <= IDENTICAL_NAMED or app.verbose:
        for error in identical:
            app.err_console.print(f"  skipped: {_named_error(error)}", markup=False,
                                  soft_wrap=True)


@deploy.command(name="history")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--profile", "profile_id", type=PROFILE_ID, default=None, help="Only this profile.")
def deploy_history(limit: int, profile_id: int | None) -> int:
    """Past deployments, newest first: what each copied, skipped, pruned and failed (the
    JSON keeps the totals per platform)."""
    app = app_context()
    rows = list_history(app.open_db(OpenMode.READ), limit=limit, profile_id=profile_id)

    def render(console: Console) -> None:
        if not rows:  # (qa194 F4: a bare header)
            console.print("no deployments yet (`romrunner deploy PROFILE --to CARD --auto` "
                          "makes one)", markup=False)
            return
        # Status and time whole at 80 columns too (QA18: "stat…", "2026…"), and the card's
        # path last, whole: a table folded it mid-word in what was left (QA22 P4)
        for line in _history_lines(rows):
            console.print(line, markup=False, soft_wrap=True)
        for row in rows:
            if row.get("superseded"):
                console.print(f"{row['superseded']} (not resumed)", markup=False,
                              soft_wrap=True)
            elif row.get("card_replaced"):
                console.print(row["card_replaced"], markup=False, soft_wrap=True)
            elif row["status"] == "interrupted":
                console.print(f"deployment {row['id']} was interrupted; {_AS_OF_NOW}; "
                              f"`{row['resume_hint']}` finishes it", markup=False,
                              soft_wrap=True)

    app.finish(rows, render)
    return 0


def _history_lines(rows: list[dict[str, Any]]) -> list[str]:
    """``deploy history``'s table as lines: columns as wide as their longest value, the
    card's path (and profile) last and unwrapped."""
    header = ("id", "status", "started", "copied", "skip", "prune", "fail", "conf",
              "card (profile)")
    # a conflict (a file of yours, kept) is not a failure
    cells = [(str(row["id"]), _history_status(row), str(row["started_at"] or "")[:16],
              *(f"{row['files'][name]:,}" for name in _HISTORY_COUNTS),
              f"{row['destination_path']} ({row['device_profile_id']})") for row in rows]
    # status and time read left to right; numbers right-aligned
    return _aligned([header, *cells], left={1, 2}, ragged_last=True)


def _history_status(row: dict[str, Any]) -> str:
    """A row's status in ``deploy history``'s table: a killed run a later deploy of its
    profile to its card superseded (``superseded_by``, as ``deploy show`` says it) is
    "superseded", not "interrupted" — it is never resumed (qa207 N5)."""
    if row["status"] == "interrupted" and row.get("superseded_by") is not None:
        return "superseded"
    return str(row["status"])


def _aligned(lines: list[tuple[str, ...]], *, left: set[int],
             ragged_last: bool = False) -> list[str]:
    """Columns as wide as their longest value, never cut (a table narrowed to the terminal
    cut numbers: "150,9…"); the columns in ``left`` aligned left, the rest right; the last
    left unpadded when ``ragged_last`` (a path, whole)."""
    padded = len(lines[0]) - 1 if ragged_last else len(lines[0])
    widths = [max(len(line[i]) for line in lines) for i in range(padded)]
    return [" ".join([*(cell.ljust(width) if i in left else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(line, widths, strict=False))),
                      *line[padded:]]).rstrip() for line in lines]


_HISTORY_COUNTS = ("copied", "skipped", "pruned", "failed", "conflicts")
# A killed run's counts: its files' records now; its last few may be recorded copied (that is
# done just before the rename) without being on the card.
_AS_OF_NOW = ("its counts are its records as of now (its last files counted copied may not "
              "be on the card: resume copies them again)")


@deploy.command(name="show")
@click.argument("deployment_id", type=ROW_ID)
def deploy_show(deployment_id: int) -> int:
    """One deployment: totals per platform, counts by status, files that had problems."""
    app = app_context()
    data = show_deployment(app.open_db(OpenMode.READ), deployment_id)
    app.finish(data, lambda console: _render_show(console, data))
    return 0


SHOW_REMOVED = 200  # files `deploy show` names its prune removed (--json: every one)


def _render_show(console: Console, data: dict[str, Any]) -> None:
    console.print(f"deployment {data['id']} ({data['status']}) to {data['destination_path']}, "
                  f"started {data['started_at']}", markup=False, soft_wrap=True)
    console.print(_how_it_ran(data), markup=False, soft_wrap=True)
    if data["error_message"]:
        console.print(f"stopped: {data['error_message']}", markup=False, soft_wrap=True)
    if data.get("superseded"):
        console.print(f"{data['superseded']} (not resumed)", markup=False, soft_wrap=True)
    elif data.get("card_replaced"):
        console.print(data["card_replaced"], markup=False, soft_wrap=True)
    elif data["status"] == "interrupted":
        console.print(f"interrupted (no deploy is running on the card); {_AS_OF_NOW}; "
                      f"`{data['resume_hint']}` finishes it", markup=False, soft_wrap=True)
    statuses = ["copied", "skipped", "failed", "conflict", "pruned"]
    if any(totals.get("pending", 0) for totals in data["totals"].values()):
        statuses.append("pending")  # (qa191 F8: a killed run's files still to copy, unseen)
    rows = [(platform, f"{totals.get('files', 0):,}", f"{totals.get('bytes', 0):,}",
             *(f"{totals.get(key, 0):,}" for key in statuses))
            for platform, totals in data["totals"].items()]
    for line in _aligned([("platform", "files", "bytes", *statuses), *rows], left={0}):
        console.print(line, markup=False, soft_wrap=True)
    pending = [count for count in data.get("counts", ()) if count["status"] == "pending"]
    if pending:
        files = sum(int(count["files"]) for count in pending)
        size = sum(int(count["bytes"]) for count in pending)
        hint = f": `{data['resume_hint']}` does them" if data.get("resume_hint") else ""
        # (one superseded, or whose card is another now, is not resumed: said above — not
        # "not done yet", qa205 N3)
        ended = data.get("superseded") or data.get("card_replaced")
        console.print(f"{counted(files, 'file')} ({size:,} bytes) "
                      + ("not done by it when it stopped" if ended else f"not done yet{hint}"),
                      markup=False, soft_wrap=True)
    for entry in data["replaced"]:
        console.print(f"  {replaced_line(entry, 'replaced')}", markup=False, soft_wrap=True)
    for path in data["pruned"][:SHOW_REMOVED]:
        console.print(f"  removed {path}", markup=False, soft_wrap=True)
    if len(data["pruned"]) > SHOW_REMOVED:  # (review 149 F5: cut without a word)
        console.print(f"  … and {len(data['pruned']) - SHOW_REMOVED:,} more removed "
                      f"(`romrunner --json deploy show {data['id']}` lists every one)",
                      markup=False)
    for problem in data["problems"]:
        path, error = problem["dest_path"], problem["error"]
        named = error.startswith(f"{path}:")  # most messages begin with the path already
        console.print(f"  {problem['status']}: {error if named else f'{path}: {error}'}",
                      markup=False, soft_wrap=True)


_SAID_OPTIONS = (("prune", "--prune"), ("verify", "--verify"), ("overwrite", "--overwrite"),
                 ("force_prune", "--force"), ("prune_others", "--prune-others"),
                 ("keep_only_copies", "--keep-only-copies"))


def _how_it_ran(data: dict[str, Any]) -> str:
    """``deploy show``'s second line: the profile, what was chosen, the options given and
    when it ended (qa194 F5: runs of two profiles to several cards told apart only in JSON)."""
    profile = data.get("profile")
    said = (f"profile {profile['id']} ({profile['name']})" if profile
            else f"profile {data['device_profile_id']} (deleted since)"
            if data.get("device_profile_id") is not None else "no profile")
    parts = [said, str(data.get("deployment_name") or "selection not recorded")]
    options = data.get("options") or {}
    given = [flag for key, flag in _SAID_OPTIONS if options.get(key) is True]
    parts.append(" ".join(given) if given else "no options")
    if data.get("completed_at"):
        parts.append(f"ended {data['completed_at']}")
    return "; ".join(parts)


def register(group: click.Group) -> None:
    """Add the ``deploy`` group to the CLI."""
    group.add_command(deploy)
