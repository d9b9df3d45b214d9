"""``romrunner scan``: walk, hash and identify the library roots."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, NamedTuple

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

from romrunner.cli.context import AppContext, InterruptedReport, app_context, path_param
from romrunner.library.platforms import UNKNOWN
from romrunner.library.roots import (
    Root,
    root_to_scan,
)
from romrunner.library.scan import ScanSummary, scan_library, summary_matches
from romrunner.library.timeshift import said_offsets, said_precision
from romrunner.words import counted, examples, shell_word, shortened

# As romrunner.cli.main: a scan that held files back (or had no root) has failed; one that
# could not go through a root or folder found problems, like a check.
EXIT_CHECK_FAILED, EXIT_ERROR = 1, 2


MISSING_NAMED = 5  # files marked missing a text scan names; --json lists them all


@click.command()
@click.argument("paths", nargs=-1, type=path_param())
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Walking and hashing processes (default: all cores).")
@click.option("--full", is_flag=True,
              help="Rehash every file in full (CRC32, MD5, SHA1; zip members read), changed "
                   "or not.")
@click.option("--accept-missing", is_flag=True,
              help="Mark files missing even when most of a root, all of it, or all of a "
                   "folder of 10 or more games (SNES, or roms/SNES) vanished at once (by "
                   "default such a scan marks none of them and fails: an unmounted disk?).")
@click.option("--include-hidden", is_flag=True,
              help="Also scan hidden files and folders (names starting with a dot); "
                   "macOS ._ forks, .DS_Store, Thumbs.db, desktop.ini and empty files "
                   "are skipped always.")
@click.option("--verify", is_flag=True,
              help="Hash in full (CRC32, MD5, SHA1) what the scan examines, and every "
                   "file known by its CRC32 only (a scan reads zips from their directory, "
                   "and with a catalog hashes a file CRC32 first, deferring MD5 and SHA1 "
                   "where its CRC32 and size name exactly one catalog game).")
def scan(paths: tuple[Path, ...], workers: int | None, full: bool,
         accept_missing: bool, include_hidden: bool, verify: bool) -> int:
    """Scan library roots (all, or the given ones) and identify what changed.

    \b
    Exit codes:
      0  every root was scanned (files that could not be hashed, e.g. a damaged
         zip, are warnings listed in errors)
      1  a root or folder could not be scanned (absent, moved, permission denied,
         a walk worker that died): its games were left as they were
      2  no library roots (add one with `romrunner library add PATH`), or most of
         a root, all of it, or all of a folder of 10 or more games (SNES, roms/SNES)
         vanished at once, and those files were not marked missing
    """
    app = app_context()
    db = app.open_db()
    roots = [root_to_scan(db, path) for path in paths] if paths else None
    options = ScanOptions(workers, full, accept_missing, include_hidden, verify)
    if full or verify:  # (QA18: a plain scan after a Ctrl-C does not finish their hashing)
        app.interrupt_hint = (f"`romrunner scan {'--full' if full else '--verify'}` again "
                              "finishes it (a plain scan takes up only new and changed files)")
    else:  # (qa179 F10: the next step was not said)
        app.interrupt_hint = ("`romrunner scan` again carries on (the files stored are not "
                              "read again)")
    summary = ScanSummary()  # (what its committed batches found, should it be interrupted)
    app.interrupted_report = lambda: _said_if_interrupted(summary, app.json_output)
    _run_scan(app, roots, options, summary)

    def render(console: Console) -> None:
        console.print(
            f"scanned {summary.scanned:,}: {summary.added:,} added, {summary.updated:,} "
            f"updated, {summary.unchanged:,} unchanged"
            + _unchanged_detail(summary)
            + f", {summary.renamed:,} renamed{_renamed_detail(summary)}, "
            + (f"{summary.not_stored:,} not stored (errors below), " if summary.not_stored
               else "")
            + (f"{summary.damaged:,} found damaged (kept, errors below), " if summary.damaged
               else "")
            + f"{summary.missing:,} missing; {summary_matches(summary).said()}; "
            f"{summary.bytes_hashed:,} bytes hashed in {summary.seconds:.1f} s")
        if summary.missing_files:
            one = len(summary.missing_files) == 1
            console.print(
                f"marked missing: {examples(summary.missing_files, MISSING_NAMED, '; ')} "
                f"(`romrunner games ls missing:true` lists {'it' if one else 'them'}; "
                f"{'its copies' if one else 'their copies'} on cards are kept)",
                markup=False, soft_wrap=True)
        if summary.changed_in_place:
            console.print(changed_in_place_line(summary.changed_in_place), markup=False,
                          soft_wrap=True)
        if summary.unmatched_by_verify:
            lost = summary.unmatched_by_verify
            console.print(
                f"{counted(lost, 'game')} identified by CRC32 + size "
                f"{'is' if lost == 1 else 'are'} no longer: {'its' if lost == 1 else 'their'} "
                "MD5/SHA1 are not the catalog game's (a bad dump, or another dump with the same "
                "CRC32); `romrunner games ls match:name,none` lists the unidentified",
                markup=False, soft_wrap=True)
        one = summary.unverified == 1
        known = (f"{counted(summary.unverified, 'file')} {'is' if one else 'are'} "
                 f"{'still ' if verify else ''}known by {'its' if one else 'their'} CRC32 only")
        if summary.unverified and verify:  # it just tried: the errors say why it could not
            console.print(
                f"{known}: {'it' if one else 'they'} could not be verified (see the "
                "errors: a file that cannot be read)")
        elif summary.no_catalog and (summary.unidentified or summary.guessed):
            console.print("no DAT imported yet: `romrunner dat import FILE.dat…` (No-Intro, "
                          "Redump) identifies the games by their data", markup=False)
        elif summary.unverified:
            console.print(
                f"{known}, MD5/SHA1 not computed yet ({summary.identified_by_crc_only:,} "
                "identified by CRC32 + size alone); scan --verify hashes "
                f"{'it' if one else 'them'}")
        notes = summary.archives_of_notes
        if notes:
            console.print(
                f"{counted(len(notes), 'archive')} of undecided platform "
                f"{'holds' if len(notes) == 1 else 'hold'} notes, pictures or sounds only, no game "
                f"file ({examples([os.path.basename(path) for path in notes])}): no deploy or "
                "auto-list takes them", markup=False, soft_wrap=True)
        if summary.undecided_platform > len(notes):
            count = summary.undecided_platform - len(notes)
            console.print(
                f"{count:,} {'game is' if count == 1 else 'games are'} of undecided platform "
                "(an extension several platforms list, outside a folder that names one): no "
                "deploy or auto-list takes them; `romrunner games ls platform:unknown` lists "
                "them, `romrunner games set-platform PLATFORM ID…` settles them",
                markup=False, soft_wrap=True)
        _say_platforms_changed(console, summary.platform_changed)
        if summary.rematched:
            console.print(
                f"{counted(summary.rematched, 'game')} matched by an earlier release "
                f"{'was' if summary.rematched == 1 else 'were'} matched again by this "
                "release's rules (a merged arcade set is its parent; a match a stored SHA1 or "
                "MD5 contradicts is withdrawn; a file named as a DAT's ROM entry is guessed "
                "by that name): the counts above are today's",
                markup=False, soft_wrap=True)
        if summary.moved_to_copies:
            moved = summary.moved_to_copies
            one = len(moved) == 1
            shown = examples([f"id {item['id']} takes over id {item['copy']}"
                              for item in moved], 5)
            console.print(
                f"{counted(len(moved), 'game')} not found where {'it was' if one else 'they were'}"
                f" {'has' if one else 'have'} a copy stored later: moved to it, ids, collections "
                f"and overrides kept, the copy's own row forgotten ({shown})",
                markup=False, soft_wrap=True)
        if summary.followed_content:
            followed = summary.followed_content
            one = len(followed) == 1
            shown = examples([f"id {item['id']} {item['from']}"
                              f"{' (overwritten before)' if item['overwritten_before'] else ''}"
                              f" → {item['to']}" for item in followed], 5, sep="; ")
            console.print(
                f"{counted(len(followed), 'game')} found in another game's file (files that "
                "swapped names, or one moved onto another) "
                f"{'follows its' if one else 'follow their'} content: moved, ids, collections "
                f"and overrides kept ({shown})",
                markup=False, soft_wrap=True)
        if summary.overwritten:
            overwritten = summary.overwritten
            one = len(overwritten) == 1
            shown = examples([f"id {item['id']} by id {item['by']}" for item in overwritten],
                             5)
            console.print(
                f"{counted(len(overwritten), 'game')} whose file another game's was moved onto "
                f"{'is' if one else 'are'} missing, collections and overrides kept ({shown})",
                markup=False, soft_wrap=True)
        if summary.missing_with_copies:
            copied = summary.missing_with_copies
            one = len(copied) == 1
            # (a copy's ids capped too: one content many files share made a line of 30,000
            # characters, QA45 F7; --json lists them all)
            listed = examples([f"game {item['id']}, its copy game "
                               f"{examples(list(map(str, item['copies'])), 5)}"
                               for item in copied], 5, sep="; ")
            console.print(
                f"{counted(len(copied), 'missing game')} {'has' if one else 'have'} a present "
                f"copy ({listed}): the missing {'one stays' if one else 'ones stay'}, with "
                "any collections and overrides of theirs, not moved to the copy (one of "
                "several, or with collections, overrides or deploy records of its own, or "
                "stored before it); `romrunner games forget "
                f"{' '.join(str(item['id']) for item in copied[:5])}` forgets "
                f"{'it' if one else 'them'} (--force where curation would go with "
                f"{'it' if one else 'them'})", markup=False, soft_wrap=True)
        if summary.not_games:
            count = summary.not_games
            shown = examples(summary.not_games_paths)
            kept = summary.not_games_kept
            forgotten = count - len(kept)  # (QA46 F1: "forgotten" was said of kept rows too)
            said = [f"{forgotten:,} forgotten, the files untouched"] if forgotten else []
            if kept:
                said.append(
                    f"{len(kept):,} in a collection or with an override "
                    f"{'is' if len(kept) == 1 else 'are'} kept, marked missing (`romrunner "
                    "games forget --not-games --force` forgets "
                    f"{'it' if len(kept) == 1 else 'them'}: ids "
                    f"{examples(list(map(str, kept)), 10)})")
            console.print(
                f"{counted(count, 'file')} stored as games by an earlier scan "
                f"{'is' if count == 1 else 'are'} no longer taken for games (covers and notes "
                f"of a type no platform of their folder lists, files in a BIOS folder or a NAS "
                f"or Windows system folder, disc sheets that name no track, a card's copies; "
                f"{shown}): {'; '.join(said)}",
                markup=False, soft_wrap=True)
        if summary.disc_ids:
            console.print(f"read {counted(summary.disc_ids, 'disc id')} (serials, game ids) "
                          "from images")
        if summary.skipped_hidden or summary.skipped_empty:
            hint = "" if include_hidden else " (scan --include-hidden takes hidden ones)"
            console.print(f"skipped {summary.skipped_hidden:,} hidden or system and "
                          f"{summary.skipped_empty:,} empty files{hint}")
        if summary.linked_files and not summary.linked_into:
            console.print(_links_line(summary), markup=False, soft_wrap=True)
        if summary.bios_folders:
            folders = summary.bios_folders
            console.print(f"skipped {counted(len(folders), 'BIOS folder')}, never games "
                          f"({examples(folders)}): `romrunner bios scan "
                          f"{'FOLDER' if len(folders) > 1 else shell_word(folders[0])}` "
                          "verifies "
                          "BIOS files", markup=False, soft_wrap=True)
        if summary.skipped_unknown:
            console.print(f"skipped {counted(summary.skipped_unknown, 'file')} of unknown type: "
                          f"{_by_type(summary.skipped_unknown_types)}", soft_wrap=True)
        _say_file_errors(app, summary)
        for problem in summary.problems:
            app.err_console.print(f"error: {problem}", markup=False, soft_wrap=True)
        if summary.unscanned:
            app.err_console.print(
                f"error: {counted(len(summary.unscanned), 'root or folder', 'roots or folders')}"
                " could not be scanned; "
                "their games were left as they were", markup=False, soft_wrap=True)

    if summary.refiled:
        app.warn(_refiled_warning(summary.refiled))
    if summary.unsettled:
        app.warn(_unsettled_warning(summary.unsettled))
    if summary.unmatched_refiled:
        app.warn(_unmatched_refiled_warning(summary.unmatched_refiled))
    if summary.kept_unlisted_types:
        kept = sum(summary.kept_unlisted_types.values())
        one = kept == 1
        app.warn(f"{counted(kept, 'stored game')} {'is a file' if one else 'are files'} of a "
                 "type the definition pack in use lists for no platform ("
                 f"{_by_type(summary.kept_unlisted_types)}): left as "
                 f"{'it was' if one else 'they were'} (a pack update dropped "
                 f"{'its' if one else 'their'} platform?)")
    if summary.linked_into:  # (files the user wants scanned, no doubt: a warning)
        app.warn(_links_line(summary))
    failures = [*summary.problems, *summary.unscanned]
    if app.json_output and summary.errors:  # (QA18: `warnings` said nothing of them)
        app.warn(f"{counted(len(summary.errors), 'file or folder', 'files or folders')} "
                 "noted (not stored, skipped or taken with a remark: data.errors names each)")
    app.finish(asdict(summary), render, ok=not failures, errors=failures)
    if app.quiet and not app.json_output and (summary.not_stored or summary.damaged):
        _say_quietly_not_stored(app, summary)
    if app.quiet and not app.json_output and summary.changed_in_place:
        app.err_console.print(changed_in_place_line(summary.changed_in_place), markup=False,
                              soft_wrap=True)
    if summary.problems:
        return EXIT_ERROR
    return EXIT_CHECK_FAILED if summary.unscanned else 0



# The files changed in place a stopped scan (Ctrl-C, an error) names of its committed batches
# (more than the finished scan's 3: the next scan cannot name them again), the rest counted
CHANGED_NAMED_WHEN_STOPPED = 10


def changed_in_place_line(changed: list[dict[str, Any]], stopped: bool = False) -> str:
    """The line naming the files a scan read again whose content changed though their size
    and time did not (see ``ScanSummary.changed_in_place``), and the games of them that lost
    their hash match: a few of them and how many more (``--json`` lists them all); of a
    ``stopped`` scan (interrupted, or ended by an error), a few more, saying that the next
    scan cannot name them again (review48d F3: every one, 1.8 MB in one line for 15,000)."""
    one = len(changed) == 1
    shown = CHANGED_NAMED_WHEN_STOPPED if stopped else 3
    paths = examples([shortened(str(item["path"])) for item in changed], shown)
    line = (f"{counted(len(changed), 'file')} changed content though "
            f"{'its' if one else 'their'} size and time did not ({paths}): bit rot, or a "
            "tool that kept the time — compare with a backup copy")
    lost = [os.path.basename(str(item["path"])) for item in changed if item["lost_match"]]
    if lost:
        which = "it is" if one else (f"{len(lost):,} of them {'is' if len(lost) == 1 else 'are'}"
                                     f" ({examples(lost, shown)})")
        line += f"; {which} no longer identified by hash: guessed by name or unidentified now"
    if len(changed) <= shown:
        return line
    # (not "--json lists them" alone: the next scan's --json does not, review48d F3)
    return line + (" (the next scan cannot name them again; with --json a scan lists every "
                   "one, stopped or not)" if stopped else " (--json lists them)")


def _said_if_interrupted(summary: ScanSummary, json_output: bool) -> InterruptedReport:
    """What an interrupted scan says of the batches it committed: the files of them whose
    content changed though their size and time did not (the next scan finds them as they are
    stored now and no longer can): a few, the rest counted, and in ``--json`` every one as its
    data (and no line: review48d F2, building it was one more moment a second Ctrl-C lost the
    data)."""
    changed = summary.changed_in_place
    if not changed:  # (the envelope's data stays null, as before: review48f F2)
        return InterruptedReport([], None)
    return InterruptedReport([] if json_output else [changed_in_place_line(changed, stopped=True)],
                             {"changed_in_place": changed})


_TODAYS_RULES = ("by today's rules: a file's extension before its folder's name, a folder "
                 "named as a platform's own name or as a frontend names it decides it, a name "
                 "frontends give to different platforms decides none, a catalog's hash match "
                 "settles it")


def _say_platforms_changed(console: Any, changed: list[dict[str, Any]]) -> None:
    """The games an earlier release filed that today's rules file elsewhere, and apart those
    left of undecided platform now (review40b F4: "filed under another platform" said of
    them; the undecided line says how to settle them)."""
    for items, now in (([i for i in changed if i["to"] != UNKNOWN], "now filed under another "
                        "platform"), ([i for i in changed if i["to"] == UNKNOWN],
                                      "now of undecided platform")):
        if not items:
            continue
        shown = examples([f"{item['path']} {item['from']} → {item['to']}" for item in items]) \
            + (" (--json lists them)" if len(items) > 3 else "")
        console.print(
            f"{counted(len(items), 'game')} stored by an earlier release "
            f"{'is' if len(items) == 1 else 'are'} {now} ({_TODAYS_RULES}): {shown}; ids, "
            "collections, overrides and platforms set by hand kept",
            markup=False, soft_wrap=True)

def _say_file_errors(app: AppContext, summary: ScanSummary,
                     errors: list[dict[str, str]] | None = None) -> None:
    """The files the scan noted (not stored, found damaged, taken with a remark), or
    ``errors`` of them, one line each on stderr, the first 20 of them."""
    errors = summary.errors if errors is None else errors
    for error in errors[:20]:
        app.err_console.print(f"  {shortened(error['path'])}: {error['error']}",
                              markup=False)
    if len(errors) > 20:
        app.err_console.print(f"  … and {len(errors) - 20} more (--json lists all)")


def _say_quietly_not_stored(app: AppContext, summary: ScanSummary) -> None:
    """Under ``--quiet``, the files a scan could not store or found damaged are errors of
    the user's files: said on stderr in one line and each file below it, as without
    ``--quiet`` (qa173 F4: a cron job's `scan -q` never learnt of a damaged zip). The exit
    code stays the README's: 0 when every root was scanned (a file's problem is no root's;
    a failed scan has said its errors already), so the line is a warning (qa206 F9: "error:"
    with exit 0). Only those files are listed: a link or a
    file skipped, or one taken with a remark, is no error (qa176 N13: "1 file not stored
    (below)" above two lines, the other a dangling link skipped)."""
    said = [f"{counted(summary.not_stored, 'file')} not stored"] if summary.not_stored else []
    if summary.damaged:
        said.append(f"{counted(summary.damaged, 'stored game')} found damaged (kept)")
    app.err_console.print(f"warning: {' and '.join(said)} (below); the rest of "
                          "the scan is stored", markup=False, soft_wrap=True)
    failed = {*summary.not_stored_files, *summary.damaged_files}
    _say_file_errors(app, summary, [error for error in summary.errors
                                    if error["path"] in failed])


def _links_line(summary: ScanSummary) -> str:
    """The one line for the symbolic links to files the scan skipped: where their files are,
    and, for those outside the library, the roots to add to scan them."""
    total = summary.linked_files
    line = (f"skipped {counted(total, 'symbolic link')} to files (a scan reads the files "
            "themselves, never a link)")
    outside = sum(summary.linked_into.values())
    if not outside:
        return f"{line}: {'its file is' if total == 1 else 'their files are'} in the " \
               "library, scanned there"
    folders = summary.link_folders_to_add
    into = examples(sorted(summary.linked_into))
    line += f": {outside:,} lead{'s' if outside == 1 else ''} into {into}, outside the " \
            "library; `romrunner library add " \
            f"{shell_word(folders[0]) if len(folders) == 1 else 'FOLDER'}`" \
            f"{'' if len(folders) == 1 else ' for each of those folders'}, then " \
            "`romrunner scan`, takes those files in"
    if summary.link_roots_in_the_way:
        in_the_way = summary.link_roots_in_the_way
        one = len(in_the_way) == 1
        holds = "it holds the library root" if one else "they hold the library roots"
        line += (f" (refused while {holds} {examples(in_the_way)}: `romrunner library rm` "
                 f"{'it' if one else 'them'} first — {'its' if one else 'their'} games are "
                 "forgotten and found again by the scan, hashed anew — or move the linked "
                 "files into a library root)")
    if outside < total:
        line += f" (the other {total - outside:,} lead to files in the library, scanned there)"
    return line


def _times_shifted(shifted: list[dict[str, Any]]) -> str:
    """The files taken as the same after a FAT drive's time-zone shift, said in one part of
    the unchanged count's detail."""
    files = sum(root["files"] for root in shifted)
    offsets = {seconds * 10**9 for root in shifted for seconds in root["offsets_seconds"]}
    return (f"{files:,} not read again: on a FAT/exFAT drive, with the same size, their "
            f"times all moved by {said_offsets(offsets)}, a time-zone or daylight-saving "
            "change; `romrunner scan --full` reads every file")


def _times_coarser(coarser: list[dict[str, Any]]) -> str:
    """The files taken as the same with their times cut to a coarser precision, said in one
    part of the unchanged count's detail."""
    files = sum(root["files"] for root in coarser)
    precisions = " or ".join(said_precision(precision) for precision
                             in sorted({root["precision_ns"] for root in coarser}, reverse=True))
    return (f"{files:,} not read again: with the same size, their times came back cut to "
            f"{precisions} (a remount or copy that keeps coarser times); `romrunner scan "
            "--full` reads every file")


def _renamed_detail(summary: ScanSummary) -> str:
    """What the renamed count holds besides files read: `` (3 not read: …)``, or nothing."""
    if not summary.renamed_unread:
        return ""
    time = "time (or that time cut as the others')" if summary.times_coarser else "time"
    return (f" ({summary.renamed_unread:,} not read: the same name, size and {time} in another "
            "folder; `romrunner scan --full` reads every file)")


def _unchanged_detail(summary: ScanSummary) -> str:
    """What the unchanged count holds besides files not read: `` (2 hashed in full now, 3
    with new times, the same content)``, or nothing. ("hashed", not "verified": beside a
    line saying their match failed, "verified" read as "passed".)"""
    parts = [f"{summary.verified:,} hashed in full now"] if summary.verified else []
    if summary.touched:
        parts.append(f"{summary.touched:,} with new times, the same content")
    if summary.times_shifted:
        parts.append(_times_shifted(summary.times_shifted))
    if summary.times_coarser:
        parts.append(_times_coarser(summary.times_coarser))
    if summary.found_again:
        parts.append(f"{summary.found_again:,} missing before, found again")
    return f" ({', '.join(parts)})" if parts else ""


def _refiled_warning(refiled: list[dict[str, str | int]]) -> str:
    """The words of games a scan filed under another platform than the stored one."""
    one = len(refiled) == 1
    shown = _refiled_shown(refiled)
    return (f"{counted(len(refiled), 'game')} examined again {'is' if one else 'are'} now "
            f"filed under another platform ({'its' if one else 'their'} file moved to a "
            "folder or renamed to a name that says another, or none — a ROM manager's "
            "`ToSort/` — or the definition pack in use names "
            f"{'its' if one else 'their'} folder or extension otherwise: a pack update): "
            f"{shown}; ids, collections and game overrides kept, but profiles, platform and "
            "path overrides and queries naming the old platform no longer take "
            f"{'it' if one else 'them'} (`romrunner games set-platform PLATFORM ID…` files "
            f"{'it' if one else 'them'} back)")


def _refiled_shown(refiled: list[dict[str, str | int]]) -> str:
    """A few of the games filed under another platform, ``path from → to`` each."""
    return examples([f"{item['path']} {item['from']} → {item['to']}" for item in refiled]) \
        + (" (--json lists them)" if len(refiled) > 3 else "")


def _unmatched_refiled_warning(refiled: list[dict[str, str | int]]) -> str:
    """The words of games whose CRC32 + size match had filed them under another platform
    than their folder's, extension's or header's, and that scan --verify withdrew."""
    one = len(refiled) == 1
    return (f"{counted(len(refiled), 'game')} filed by {'its' if one else 'their'} CRC32 + "
            f"size match under another platform {'is' if one else 'are'} filed again as "
            f"{'its' if one else 'their'} folder, extension or header decides: scan --verify "
            f"withdrew that match ({'its' if one else 'their'} MD5/SHA1 are not the catalog "
            f"game's): {_refiled_shown(refiled)}; ids, collections and game overrides kept "
            "(`romrunner games set-platform PLATFORM ID…` files "
            f"{'it' if one else 'them'} by hand)")


def _unsettled_warning(unsettled: list[dict[str, str | int]]) -> str:
    """The words of games a scan filed under another platform than the one a catalog's
    match had settled: no match settles it so now (not a moved file, nor a pack update)."""
    one = len(unsettled) == 1
    shown = _refiled_shown(unsettled)
    return (f"{counted(len(unsettled), 'game')} examined again {'is' if one else 'are'} now "
            f"filed under another platform: the catalog match that had filed "
            f"{'it' if one else 'them'} under the old one no longer does (the DATs imported, "
            f"or {'its' if one else 'their'} data, changed since; {'its' if one else 'their'}"
            f" folder, extension or header decides now): {shown}; ids, collections and game "
            "overrides kept "
            "(`romrunner games set-platform PLATFORM ID…` files "
            f"{'it' if one else 'them'} by hand)")


SHOWN_TYPES = 5


def _by_type(counts: dict[str, int]) -> str:
    """The commonest types of the files skipped, with their counts (``--json`` has all)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{kind or '(no extension)'} {count:,}"
                     for kind, count in ranked[:SHOWN_TYPES])
    if len(ranked) > SHOWN_TYPES:
        text += f" and {len(ranked) - SHOWN_TYPES:,} more types (--json lists them)"
    return text


class ScanOptions(NamedTuple):
    """The scan command's options, as scan_library takes them."""

    workers: int | None
    full: bool
    accept_missing: bool
    include_hidden: bool
    verify: bool


def _run_scan(app: AppContext, roots: list[Root] | None, options: ScanOptions,
              summary: ScanSummary) -> None:
    """Scan ``roots`` into ``summary``, with a progress bar where one may be drawn."""
    db = app.open_db()
    if not app.interactive:
        scan_library(db, app.pack(), roots, summary=summary, **options._asdict())
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=app.err_console, transient=True) as bar:
        task = bar.add_task("hashing", total=None)

        def update(files: int, done: int, total_files: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"hashing {files:,}/{total_files:,} files")

        scan_library(db, app.pack(), roots, progress=update, summary=summary,
                     **options._asdict())


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (scan,):
        group.add_command(command)
