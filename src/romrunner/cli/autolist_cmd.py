"""``romrunner autolist``: which games go on a profile's device, with which emulator, and why."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from romrunner.cli.context import PROFILE_ID, app_context, path_param
from romrunner.cli.terminal import literal
from romrunner.devices.autolist import (
    COMPAT_STATUS_EXCLUDED,
    DISC_ZIPPED_UNKNOWN,
    DROP_ARCHIVE_UNREADABLE,
    DROP_INCOMPLETE_SET,
    NO_PLATFORM,
    NOT_A_KNOWN_DUMP,
    PERF_TIER_EXCLUDED,
    PLAYLIST_GOES_WITH_ITS_DISC,
    SET_GOES_WHOLE,
    AutoListEntry,
    run_autolist,
)
from romrunner.library.roots import unscanned_library
from romrunner.store import OpenMode
from romrunner.words import counted


@click.command(name="autolist")
@click.argument("profile_id", type=PROFILE_ID)
@click.option("--to", "card", type=path_param(), default=None,
              help="A mounted card: target folders as they are on it.")
@click.option("--save", default=None, metavar="NAME", help="Store the included games as a "
              "collection NAME (an earlier auto-list of that name: only with --replace).")
@click.option("--replace", is_flag=True,
              help="With --save: replace an auto-list saved earlier under that NAME.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True,
              help="Games shown in text output (0: all); --json lists every game.")
def autolist(profile_id: int, card: Path | None, save: str | None, replace: bool,
             limit: int) -> int:
    """Gate the library for PROFILE_ID: performance, compatibility, one game one ROM."""
    app = app_context()
    if replace and save is None:  # (QA70 F3: accepted, and nothing saved or replaced)
        raise click.UsageError("--replace goes with --save NAME (the auto-list to replace)")
    db = app.open_db() if save is not None else app.open_db(OpenMode.READ)
    result = run_autolist(db, app.pack(), profile_id, card_root=card, save=save,
                          replace=replace)
    for warning in result.warnings:
        app.warn(warning)
    unscanned = unscanned_library(db) if not result.entries else None
    if unscanned is not None:
        app.warn(unscanned)

    def render(console: Console) -> None:
        shown = result.entries if limit == 0 else result.entries[:limit]
        for entry in shown:
            mark = "+" if entry.included else "-"
            why = verdict_words(entry)
            console.print(f"{mark} {entry.game_id:>6}  {entry.platform_id:10} "
                          f"{literal(entry.filename)}  {why}  {entry.emulator_id or '-'} "
                          f"({entry.emulator_origin})  "
                          f"-> {entry.target_folder or '-'}", markup=False)
        if len(shown) < len(result.entries):
            console.print(f"… {len(result.entries) - len(shown):,} more (--limit 0 shows all)",
                          markup=False)
        console.print(f"{len(result.included):,} of {counted(len(result.entries), 'game')} "
                      "included"
                      + (f"; {result.filtered_by_profile:,} left out by the profile's filters"
                         if result.filtered_by_profile else "")
                      + (f"; {result.missing:,} missing from the library not considered "
                         "(`romrunner games ls missing:true`)" if result.missing else ""),
                      markup=False)
        console.print(", ".join(f"{k} {v}" for k, v in result.summary().items()), markup=False)
        undecided = result.summary().get(NO_PLATFORM, 0)
        if undecided:
            console.print(f"{undecided:,} {'game' if undecided == 1 else 'games'} of undecided "
                          "platform left out (no_platform): `romrunner games set-platform "
                          "PLATFORM ID…` settles them", markup=False, soft_wrap=True)
        if result.saved_collection is not None:
            console.print(f"saved as collection {result.saved_collection} "
                          f"({result.saved_name})",
                          markup=False)

    # (the JSON form of every entry only when asked for: 0.3 s at 100k games, QA134 F3)
    app.finish(result.as_dict() if app.json_output else None, render)
    return 0


# (the ends of the warnings of a game left out with another: see verdict_words)
_WITH_ANOTHER = (SET_GOES_WHOLE, PLAYLIST_GOES_WITH_ITS_DISC)


def verdict_words(entry: AutoListEntry) -> str:
    """An auto-list entry's reason as the text output says it: the drop or the verdict, and
    what the user needs to read it (the game kept instead, the parent, the rating...)."""
    why = entry.dropped or entry.reason
    if entry.kept_instead is not None:
        why += f" (kept {entry.kept_instead})"
    elif entry.kept_for is not None:  # a parent its split clone runs with
        why += f" (parent of {entry.kept_for})"
    elif entry.dropped and (entry.needs_parent or entry.dropped in (
            DROP_INCOMPLETE_SET, DROP_ARCHIVE_UNREADABLE)) and entry.warnings:
        # (the parent it needs, where it is; the ROMs it lacks; the formats its emulator reads)
        why += f" ({entry.warnings[-1]})"
    elif any(w.endswith(_WITH_ANOTHER) for w in entry.warnings):
        # (a disc left out for another disc of its set: which, and why: QA58 F2; a playlist
        # for a disc it names, review50e F3: the disc's reason alone read as the playlist's)
        why += "".join(f" ({w})" for w in entry.warnings if w.endswith(_WITH_ANOTHER))
    elif entry.reason == COMPAT_STATUS_EXCLUDED and not entry.dropped:
        # (the status and the source that gave it: QA23 F6)
        why += "".join(f" ({w})" for w in entry.warnings if w.startswith("Compat"))
    elif entry.reason == PERF_TIER_EXCLUDED and not entry.dropped and entry.warnings:
        why += f" ({entry.warnings[-1]})"  # (the tier, or its source's flag: QA58 F8)
    elif entry.included and not entry.dropped:
        # (an included game a source rates below playable: QA84 F7, --json only)
        why += "".join(f" ({w})" for w in entry.warnings
                       if (w.startswith("Compatibility: ")
                       and w.split()[1] in ("menu_intro", "ingame", "boots_only"))
                       or w.startswith(NOT_A_KNOWN_DUMP) or w.startswith(DISC_ZIPPED_UNKNOWN))
    return why


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(autolist)
