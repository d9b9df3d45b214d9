"""``romrunner library``: the folders ROM Runner scans."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from romrunner.cli.context import app_context, path_param
from romrunner.devices.mounts import mount_points
from romrunner.library.roots import (
    DiskState,
    Root,
    disk_states,
    list_roots,
    move_hint,
    move_root,
    recorded_elsewhere,
    register_root,
    remove_root,
)
from romrunner.store import OpenMode
from romrunner.words import counted, examples, shell_word


@click.group()
def library() -> None:
    """Library roots: the folders ROM Runner scans."""


@library.command(name="add")
@click.argument("path", type=path_param())
@click.option("--from", "adopt_from", type=path_param(),
              help="Where a release before v1.1.0 recorded these files (the share's old "
                   "mount point): their games, with their curation, become this root's.")
def library_add(path: Path, adopt_from: Path | None) -> int:
    """Register PATH as a library root.

    Games a release before v1.1.0 recorded under PATH (or under --from OLD) are adopted
    with their collections and overrides."""
    app = app_context()
    added = register_root(app.open_db(), path, adopt_from)
    root = added.root
    if added.remounted_from is not None:  # (QA67 F3: the whole library hashed again)
        app.warn(f"{root.path} holds the files of the library root {added.remounted_from}, "
                 "which is not there now: if it is that root remounted here, `romrunner "
                 f"library rm {shell_word(root.path)}` then "
                 f"{move_hint(Path(added.remounted_from), root.path)} keeps its games, "
                 "collections and overrides, nothing hashed again")
    elif added.copy_of is not None:  # (qa182: a re-pointed link's new disk, every game twice)
        app.warn(f"{root.path} holds the files of the library root {added.copy_of} (a copy, "
                 "or its new place reached by the path that root was added by): the next scan "
                 "makes each of them a second game here; if the library is here now, "
                 f"`romrunner library rm {shell_word(root.path)}` then "
                 f"{move_hint(Path(added.copy_of), Path(path))} moves that root, its games, "
                 "collections and overrides kept, nothing hashed again")

    def render(console: Console) -> None:
        adopted = f"; {added.adopted:,} recorded before v1.1.0 adopted" if added.adopted \
            else ""
        already = ": a library root already, nothing changed" if added.already else ""
        if added.respelt:  # (its path as given: the link a scan follows, or none)
            already = (f": a library root already, now known by {path} (a link: a scan "
                       "says so if it leads elsewhere later)" if root.given is not None else
                       ": a library root already, now known by its own path (no longer by "
                       "the link it was added by)")
        console.print(f"library root {root.path} ({counted(root.games, 'game')}{adopted})"
                      f"{already}", markup=False)
        if root.last_scanned_at is None and not added.already:  # (qa173 F8: the next step
            # for a first user; not for a root added again, qa177 F6; beside other roots,
            # the scan of this one: a plain scan goes through them all, qa177 F6 too)
            which = f" {shell_word(root.path)}" if added.others else ""
            console.print(f"next: `romrunner scan{which}` finds its games", markup=False)
        if added.recorded_left:
            console.print(
                f"{counted(added.recorded_left, 'game')} recorded before v1.1.0 "
                f"{'is' if added.recorded_left == 1 else 'are'} under no library root (as "
                f"in {added.recorded_folder}); if those files are now under {root.path}, "
                f"`romrunner library add {shell_word(root.path)} --from OLD-FOLDER` adopts them "
                "with "
                "their collections and overrides", markup=False)

    app.finish({"id": root.id, "path": str(root.path), "games": root.games,
                "already": added.already, "adopted": added.adopted,
                "recorded_before_v1_1_left": added.recorded_left,
                "recorded_folder": added.recorded_folder}, render)
    return 0


@library.command(name="ls")
def library_ls() -> int:
    """List library roots."""
    app = app_context()
    db = app.open_db(OpenMode.READ)
    roots = list_roots(db)
    recorded, folder = recorded_elsewhere(db)
    points = mount_points()
    states = disk_states(roots, points)

    def render(console: Console) -> None:
        if not roots and not recorded:  # (qa194 F4: nothing at all was printed)
            console.print("no library roots (`romrunner library add PATH`)", markup=False)
        for root in roots:
            # (qa182: the missing ones were counted in with no word)
            missing = f" ({root.missing:,} missing)" if root.missing else ""
            given = f"  (added as {root.given})" if root.given is not None else ""
            console.print(f"{root.path}  {counted(root.games, 'game')}{missing}  "
                          f"last scanned {root.last_scanned_at or 'never'}{given}",
                          markup=False)
            said = _disk_said(root, states[root.id])
            if said:
                console.print(f"  {said}", markup=False)
        if recorded:
            console.print(f"(and {counted(recorded, 'game')} recorded before v1.1.0 under no "
                          f"root, as in {folder}: `romrunner library add PATH --from "
                          "OLD-FOLDER` adopts them)", markup=False)

    app.finish([{"id": r.id, "path": str(r.path), "games": r.games, "missing": r.missing,
                 "given_path": None if r.given is None else str(r.given),
                 "last_scanned_at": r.last_scanned_at, "mount": r.mount,
                 "state": states[r.id].state, "there": states[r.id].there,
                 "unmounted": states[r.id].unmounted, "why": states[r.id].why,
                 "folders_unmounted": list(states[r.id].folders_unmounted)} for r in roots],
               render)
    return 0


def _disk_said(root: Root, state: DiskState) -> str | None:
    """What ``library ls`` says under a root that is not where its last scan found it."""
    accept = f"`romrunner scan --accept-missing {shell_word(root.path)}`"
    if state.state == "not_answering":
        return ("not answering (a network share or a disk that stopped responding?): a scan "
                "would wait for it")
    if state.state == "unreadable":
        return f"cannot be listed now ({state.why}): a scan does not scan it"
    if state.state == "not_found":
        return ("not found (a share not mounted, a disk unplugged, the folder moved?): a scan "
                "leaves its games as they were (`romrunner library move OLD NEW` if it moved)")
    if state.state == "unmounted":
        return (f"the disk it lay on at its last scan (mounted at {state.unmounted}) is not "
                f"mounted now: a scan holds it back, unless its files are found as they were "
                f"({accept} if the library lies here now)")
    if state.state == "empty":
        if root.missing >= root.games:  # (marked missing already: nothing to confirm)
            return "empty now: its games are marked missing"
        return ("empty now (a share not mounted, a disk unplugged?): a scan leaves its games "
                f"as they were ({accept} if they are gone for good)")
    if state.state == "folders_unmounted":
        one = len(state.folders_unmounted) == 1
        names = examples(list(state.folders_unmounted), 3)
        return (f"{counted(len(state.folders_unmounted), 'folder')} on a disk of its own at "
                f"its last scan, not mounted now ({names}): a scan holds "
                f"{'it' if one else 'them'} back ({accept} if {'its' if one else 'their'} "
                "files lie here now)")
    return None


@library.command(name="rm")
@click.argument("path", type=path_param())
@click.option("--force", is_flag=True,
              help="Forget it even when its games are in collections or have overrides.")
def library_rm(path: Path, force: bool) -> int:
    """Forget a root and its games (files on disk are never touched).

    Games in collections, with overrides or a platform set by hand are refused unless --force
    (that curation would be lost); a folder that moved keeps everything with `library move`."""
    app = app_context()
    removed = remove_root(app.open_db(), path, force=force)
    if not removed.reachable and removed.games:
        # (review 113 F3: a prune then removed its games' copies from the card, unsaid)
        app.warn(f"{removed.path} is not reachable now (not mounted?): the copies of its "
                 "games on a card are no longer held: a deploy with --prune removes those "
                 "whose content another library file holds, and keeps the others as maybe "
                 "the only copy left (`--force` removes them); `romrunner library add` it "
                 "again to keep them held")
    elif removed.missing:  # (review 115 F1: the same for its games missing since the scan)
        one = removed.missing == 1
        app.warn(f"{counted(removed.missing, 'game')} of {removed.path} "
                 f"{'was' if one else 'were'} missing since the scan: "
                 f"{'its copy' if one else 'their copies'} on a card "
                 f"{'is' if one else 'are'} no longer held: a deploy with --prune keeps "
                 f"{'it' if one else 'those'} as maybe the only copy left unless another "
                 "library file holds the content (`--force` removes "
                 f"{'it' if one else 'them'})")

    def render(console: Console) -> None:
        console.print(f"forgot {removed.path} and {removed.games} game rows; no file was "
                      "touched", markup=False)
        if removed.curation.losses():
            console.print(f"lost with them: {removed.curation.losses()}", markup=False)

    app.finish({"path": str(path), "games_forgotten": removed.games,
                "reachable": removed.reachable, "missing": removed.missing,
                **removed.curation.as_dict()}, render)
    return 0


@library.command(name="move")
@click.argument("old", type=path_param())
@click.argument("new", type=path_param())
@click.option("--force", is_flag=True,
              help="Move it even if NEW holds none of the root's files.")
def library_move(old: Path, new: Path, force: bool) -> int:
    """Point a root at its new location (nothing is rehashed).

    NEW must hold some of the root's files (a mistyped path is refused) unless --force."""
    app = app_context()
    moved = move_root(app.open_db(), old, new, force=force)
    root = moved.root
    bios = f", {counted(moved.bios_files, 'BIOS file')} with it" if moved.bios_files else ""
    app.finish({"id": root.id, "path": str(root.path), "games": root.games,
                "bios_files": moved.bios_files},
               lambda c: c.print(f"{old} is now {root.path} ({counted(root.games, 'game')} "
                                 f"kept{bios})"))
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (library,):
        group.add_command(command)
