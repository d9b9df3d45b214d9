"""Our files stay ours on a card whose file system sets a file's time when it is renamed
(fusefat, some FUSE, MTP and network mounts; QA6 B-1), and a prune says every file it keeps.

Without FUSE, such a card is played by a folder whose renames are followed by a later time
on the renamed file (the real rename, then ``utime``: what fusefat does). The real card is in
``test_deploy_fuse_card.py``. Real databases, folders and files throughout."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.execute import (
    IDENTICAL_KEPT,
    RENAME_PROBES,
    DeployOptions,
    deploy,
    fast_skips,
    preview,
    record_deployment,
    resume,
)
from romrunner.library.scan import scan_library
from tests.conftest import muos_profile
from tests.test_deploy_support import (
    Layout,
    Library,
    builtin_pack,
    card_files,
    make_library,
    temp_files,
)

GAMES: dict[str, int | bytes] = {f"gba/Game {n} (USA).gba": 4096 + n for n in range(12)}
LATER = 2 * 10**9  # fusefat's time step: the rename lands in a later one


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path, GAMES)


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    return folder


def _on_card(card: Path) -> dict[str, int]:
    """Each file of the card outside ``.romrunner/``: its time."""
    return {dest: (card / dest).stat().st_mtime_ns for dest in card_files(card)}


def _records(library: Library, card: Path) -> tuple[dict[str, int], dict[str, int]]:
    """The time each file has in the card's manifest, and in its newest database row."""
    manifest = json.loads((card / ".romrunner/manifest.json").read_bytes())["files"]
    rows: dict[str, int] = {}
    for row in library.db.query("SELECT dest_path, dest_mtime_ns FROM deployment_items WHERE "
                                "action = 'copy' AND status IN ('copied', 'skipped') "
                                "ORDER BY deployment_id, seq"):
        rows[row[0]] = int(row[1])
    return {dest: entry[1] for dest, entry in manifest.items()}, rows


def renamed_to(dst: Any, kwargs: dict[str, Any]) -> Path:
    """The path ``os.replace(src, dst, **kwargs)`` renames to: ``dst``, or ``dst`` in the
    folder open as ``dst_dir_fd`` (the deploy renames relative to its folders' descriptors)."""
    folder = kwargs.get("dst_dir_fd")
    if folder is None:
        return Path(dst)
    return Path(os.readlink(f"/proc/self/fd/{folder}")) / dst


def _moving_replace(card: Path, moved: list[int],
                    after: Callable[[int], None] | None = None) -> Callable[..., None]:
    """``os.replace`` as a card that moves a file's time at its rename into place does
    (counted in ``moved``; ``after`` is told the count after each)."""
    real_replace = os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        real_replace(src, dst, **kwargs)
        target = renamed_to(dst, kwargs)
        if target.is_relative_to(card) and ".romrunner" not in target.parts:
            info = target.stat()
            os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + LATER))
            moved[0] += 1
            if after is not None:
                after(moved[0])
    return replace


@pytest.fixture
def moving_card(card: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], int]]:
    """``card`` moves a file's time at its rename into place; yields how many it moved."""
    moved = [0]
    monkeypatch.setattr(os, "replace", _moving_replace(card, moved))
    yield lambda: moved[0]


def _move_times(card: Path, dests: list[str] | None = None) -> None:
    """The card's time of each file (or of ``dests``) moves on, its bytes unchanged."""
    for dest in dests if dests is not None else card_files(card):
        info = (card / dest).stat()
        os.utime(card / dest, ns=(info.st_atime_ns, info.st_mtime_ns + LATER))


def test_a_card_that_moves_times_at_rename_gets_the_time_after_it_recorded(
        library: Library, card: Path, moving_card: Callable[[], int]) -> None:
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (first.copied, first.errors) == (12, []) and moving_card() == 12
    on_card = _on_card(card)
    manifest, rows = _records(library, card)
    assert manifest == rows == on_card  # the final file's time, in the rows and the manifest
    plan = library.plan(Layout(card))
    files = json.loads((card / ".romrunner/manifest.json").read_bytes())["files"]
    assert fast_skips(card, plan.items, files)[0] == []  # a re-deploy settles all in bulk
    again = deploy(library.db, plan, profile_id=library.profile_id)
    assert (again.copied, again.skipped, again.errors) == (0, 12, [])
    kept = library.game_ids()[:1]
    pruned = deploy(library.db, library.plan(Layout(card), kept), profile_id=library.profile_id,
                    options=DeployOptions(prune=True, force_prune=True))
    assert (pruned.pruned, pruned.notes, pruned.prune_kept) == (11, [], [])
    assert list(card_files(card)) == ["Roms/gba/Game 0 (USA).gba"]


def test_times_recorded_before_the_rename_are_proven_ours_by_the_bytes(
        library: Library, card: Path) -> None:
    """A card written by a release that recorded the time before the rename (or a run that
    stopped before recording the time after it): the card shows later times than recorded.
    The bytes, read from the card, prove each file ours and unchanged: none is taken for the
    user's, the card's time is recorded (once: the next deploy settles them in bulk), and a
    prune removes them."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    _move_times(card)
    dry = preview(library.db, library.plan(Layout(card), library.game_ids()[:3]),
                  DeployOptions(prune=True, force_prune=True))
    assert (len(dry["prune"]), dry["notes"], dry["prune_kept"]) == (9, [], [])
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (again.copied, again.skipped, again.conflicts, again.errors) == (0, 12, 0, [])
    manifest, rows = _records(library, card)
    assert manifest == rows == _on_card(card)
    plan = library.plan(Layout(card))
    files = json.loads((card / ".romrunner/manifest.json").read_bytes())["files"]
    assert fast_skips(card, plan.items, files)[0] == []
    pruned = deploy(library.db, library.plan(Layout(card), library.game_ids()[:3]),
                    profile_id=library.profile_id,
                    options=DeployOptions(prune=True, force_prune=True))
    assert (pruned.pruned, pruned.notes) == (9, [])
    assert len(card_files(card)) == 3


def test_a_resume_after_a_stop_between_rename_and_time_record_finds_its_files(
        library: Library, card: Path) -> None:
    """The crash point after the rename and before the time after it is recorded (a kill -9
    on fusefat): the rows and the card's manifest hold the time before the rename. Resume
    takes each file for done, not for a file of the user's, and records the card's time."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    resume(library.db, deployment)
    with library.db.atomic():
        library.db.execute("UPDATE deployment_history SET status = 'started' WHERE id = ?",
                           (deployment,))
    (card / ".romrunner/manifest.json").unlink()  # not written again before the kill
    _move_times(card)
    before = card_files(card)
    summary = resume(library.db, deployment)
    assert (summary.status, summary.copied, summary.skipped, summary.errors) == (
        "completed", 0, 0, [])
    assert card_files(card) == before
    manifest, rows = _records(library, card)
    assert manifest == rows == _on_card(card)


def test_a_stop_right_after_a_rename_that_moved_the_time_keeps_the_file_ours(
        library: Library, card: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C lands after the card renamed a file (and moved its time), before the run saw
    it: the file is renamed, its record says copied with the card's time, and resume neither
    copies it again nor takes it for the user's."""
    real_replace = os.replace

    def stop_at_the_fifth(moved: int) -> None:
        if moved == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", _moving_replace(card, [0], stop_at_the_fifth))
    stopped = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    monkeypatch.setattr(os, "replace", real_replace)
    assert stopped.status == "cancelled" and len(card_files(card)) == 5
    assert not temp_files(card)
    done = library.db.query("SELECT dest_path, dest_mtime_ns FROM deployment_items WHERE "
                            "deployment_id = ? AND status = 'copied'", (stopped.deployment_id,))
    on_card = _on_card(card)
    assert {row[0]: int(row[1]) for row in done} == on_card  # the fifth one too
    finished = resume(library.db, stopped.deployment_id)
    assert (finished.copied, finished.errors) == (7, [])
    assert all(e["error"] != IDENTICAL_KEPT for e in finished.errors)
    assert {dest: (card / dest).stat().st_mtime_ns for dest in on_card} == on_card


def test_a_resume_replaces_an_older_version_of_ours_whose_rename_was_lost(
        library: Library, card: Path) -> None:
    """The crash point after the intent and before the rename, on a file replacing an older
    version of ours: the older version is still there, exactly as recorded. Resume writes the
    new one (before, it called the older version the user's: a conflict)."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    source = library.root / "gba/Game 0 (USA).gba"
    source.write_bytes(source.read_bytes()[::-1] + b"longer")
    from romrunner.library.scan import scan_library
    from tests.test_deploy_support import builtin_pack
    scan_library(library.db, builtin_pack(), workers=1)
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    items = json.loads(library.db.scalar("SELECT manifest_json FROM deployment_history "
                                         "WHERE id = ?", (deployment,)))["items"]
    (seq, kind, action, game, platform, src, src_mtime, _, dest, size, sha1, _) = next(
        item for item in items if item[8] == "Roms/gba/Game 0 (USA).gba")
    with library.db.atomic():  # its intent: committed, with the time of a temporary file
        library.db.execute(
            "INSERT INTO deployment_items (deployment_id, seq, kind, action, game_id, "
            "platform_id, source_path, source_mtime_ns, dest_path, file_size, file_sha1, "
            "dest_mtime_ns, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'copied')",
            (deployment, seq, kind, action, game, platform, src, src_mtime, dest, size, sha1,
             123456789))
    old = (card / dest).read_bytes()
    summary = resume(library.db, deployment)
    assert (summary.copied, summary.conflicts, summary.errors) == (1, 0, [])
    assert (card / dest).read_bytes() == source.read_bytes() != old


def _gba_games_on_a_card(cli: Any, tmp_path: Path, count: int) -> Path:
    """``count`` GBA games ("Game N (USA).gba") scanned, a muOS profile, and all of them
    deployed to a card folder (returned)."""
    root = tmp_path / "lib"
    for n in range(count):
        path = root / "gba" / f"Game {n} (USA).gba"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes([n]) * 4096)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gba").code == 0
    return card


def test_a_prune_says_in_one_note_each_file_it_keeps_as_not_provably_ours(
        cli: Any, tmp_path: Path) -> None:
    """Files of ours no longer chosen but changed on the card (other bytes, other size) are
    kept, counted and named in one note: in the dry run and the real run, text and JSON."""
    card = _gba_games_on_a_card(cli, tmp_path, 4)
    folder = card / "ROMS" / "gba"
    (folder / "Game 1 (USA).gba").write_bytes(b"\xff" * 4096)   # edited: same size
    (folder / "Game 2 (USA).gba").write_bytes(b"\x02" * 100)    # cut short
    prune = ("deploy", "1", "--to", str(card), "Game 0", "--prune", "--force")
    note = ("--prune {} 2 files ROM Runner wrote that are no longer chosen but changed on the "
            "card since (other size or bytes), so not provably ROM Runner's: remove them "
            "yourself if not yours (ROMS/gba/Game 1 (USA).gba, ROMS/gba/Game 2 (USA).gba)")
    dry = cli("--json", *prune, "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert (data["prune"], data["notes"]) == (["ROMS/gba/Game 3 (USA).gba"],
                                              [note.format("would keep")])
    assert data["prune_kept"] == ["ROMS/gba/Game 1 (USA).gba", "ROMS/gba/Game 2 (USA).gba"]
    text = cli(*prune, "--dry-run")
    assert f"note: {note.format('would keep')}" in text.err, text.err
    ran = cli("--json", *prune)
    assert ran.code == 0, ran.err
    data = ran.json()["data"]
    assert (data["pruned"], data["notes"]) == (1, [note.format("kept")])
    assert sorted(p.name for p in folder.iterdir()) == [
        "Game 0 (USA).gba", "Game 1 (USA).gba", "Game 2 (USA).gba"]
    again = cli(*prune)
    assert again.code == 0 and f"note: {note.format('kept')}" in again.err, again.err


def _prune_of_two_recorded(library: Library, card: Path) -> int:
    """The library deployed to the card, then a --prune --force deployment that leaves out
    Game 10 and Game 11 recorded, not run yet (as a run killed before its prune); its id."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    chosen = [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE filepath NOT IN ('gba/Game 10 (USA).gba', "
        "'gba/Game 11 (USA).gba')")]
    deployment = record_deployment(library.db, library.plan(Layout(card), chosen),
                                   profile_id=library.profile_id,
                                   options=DeployOptions(prune=True, force_prune=True))
    return deployment


def test_a_resumed_prune_counts_the_files_changed_before_it_ran(library: Library,
                                                                card: Path) -> None:
    deployment = _prune_of_two_recorded(library, card)
    edited = card / "Roms/gba/Game 11 (USA).gba"
    edited.write_bytes(b"mine now")  # after the prune was decided, before it ran
    summary = resume(library.db, deployment)
    assert (summary.pruned, summary.prune_kept) == (1, ["Roms/gba/Game 11 (USA).gba"])
    assert [note for note in summary.notes if "--prune kept" in note] == [
        "--prune kept 1 file ROM Runner wrote that is no longer chosen but changed on the card "
        "since (other size or bytes), so not provably ROM Runner's: remove it yourself if not "
        "yours (Roms/gba/Game 11 (USA).gba)"]
    assert not (card / "Roms/gba/Game 10 (USA).gba").exists()
    assert edited.read_bytes() == b"mine now"


def test_a_resumed_prune_counts_the_files_the_killed_run_removed_as_pruned(
        library: Library, card: Path) -> None:
    """QA32 F4: a run killed mid-prune had removed some files before recording it; its
    resume said each "changed since we wrote it, or gone: kept", counted them skipped, and
    the history kept those totals. Gone is what the prune wanted: pruned."""
    deployment = _prune_of_two_recorded(library, card)
    (card / "Roms/gba/Game 11 (USA).gba").unlink()  # removed by the run before it was killed
    summary = resume(library.db, deployment)
    assert (summary.pruned, summary.skipped, summary.prune_kept) == (2, 0, [])
    assert not (card / "Roms/gba/Game 10 (USA).gba").exists()
    states = dict(library.db.query(
        "SELECT dest_path, status FROM deployment_items WHERE deployment_id = ? "
        "AND action = 'prune'", (deployment,)))
    assert states == {"Roms/gba/Game 10 (USA).gba": "pruned",
                      "Roms/gba/Game 11 (USA).gba": "pruned"}


def test_a_resumed_prune_keeps_what_a_new_prune_would_keep_now(library: Library,
                                                                card: Path) -> None:
    """Review 113 F2: a resume removed what its plan would prune, whatever had changed
    since: the copy of a game gone missing (maybe its last), one another profile chose."""
    deployment = _prune_of_two_recorded(library, card)
    (library.root / "gba/Game 10 (USA).gba").unlink()
    scan_library(library.db, builtin_pack(), workers=1)   # (Game 10: missing)
    other = library.db.execute("INSERT INTO device_profiles (device_row_id, os_id) "
                               "SELECT device_row_id, 'muos' FROM device_profiles").lastrowid
    game_11 = [int(library.db.scalar("SELECT id FROM games WHERE filepath = ?",
                                     ("gba/Game 11 (USA).gba",)))]
    chose = deploy(library.db, library.plan(Layout(card), game_11), profile_id=int(other or 0))
    assert chose.skipped == 1
    before = card_files(card)
    summary = resume(library.db, deployment)
    assert summary.pruned == 0 and card_files(card) == before
    assert summary.prune_held == ["Roms/gba/Game 10 (USA).gba"]
    assert [entry["path"] for entry in summary.prune_other_profile] == [
        "Roms/gba/Game 11 (USA).gba"]


def test_a_resumed_prune_counts_a_file_gone_already_as_pruned_whatever_its_game(
        library: Library, card: Path) -> None:
    """Review 115 F4: a file the killed run had removed, of a game missing since, was said
    kept on the card and counted skipped."""
    deployment = _prune_of_two_recorded(library, card)
    (card / "Roms/gba/Game 10 (USA).gba").unlink()  # (removed by the run before it was killed)
    (library.root / "gba/Game 10 (USA).gba").unlink()
    scan_library(library.db, builtin_pack(), workers=1)
    summary = resume(library.db, deployment)
    assert (summary.pruned, summary.prune_held) == (2, [])


def test_a_file_the_user_put_back_after_our_prune_is_theirs_though_its_bytes_are_ours(
        library: Library, card: Path) -> None:
    """The bytes prove a file ours only by a record still standing: once a prune of ours
    removed the file, the same bytes put back there later (by the user, with their own time)
    are the user's, never pruned, and not said to be a file ROM Runner wrote."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    back = card / "Roms/gba/Game 5 (USA).gba"
    data = back.read_bytes()
    ids = library.game_ids()
    chosen = [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE filepath != 'gba/Game 5 (USA).gba'")]
    options = DeployOptions(prune=True, force_prune=True)
    first = deploy(library.db, library.plan(Layout(card), chosen),
                   profile_id=library.profile_id, options=options)
    assert first.pruned == 1 and not back.exists()
    back.write_bytes(data)  # put back by hand: the same bytes, a time of its own
    os.utime(back, ns=(back.stat().st_atime_ns, back.stat().st_mtime_ns + LATER))
    second = deploy(library.db, library.plan(Layout(card), chosen),
                    profile_id=library.profile_id, options=options)
    assert (second.pruned, second.prune_kept, second.notes) == (0, [], [])
    assert back.read_bytes() == data
    chosen_again = deploy(library.db, library.plan(Layout(card), ids),
                          profile_id=library.profile_id)
    assert [(e["path"], e["error"]) for e in chosen_again.errors] == [
        ("Roms/gba/Game 5 (USA).gba", IDENTICAL_KEPT)]


MANY: dict[str, int | bytes] = {f"gba/Many {n:02d} (USA).gba": 2048 + n
                                for n in range(RENAME_PROBES + 8)}


def test_a_card_that_moves_times_from_its_first_rename_has_every_time_checked(
        tmp_path: Path, card: Path, moving_card: Callable[[], int]) -> None:
    """More files than the renames probed: the first moved, so each one's time is read."""
    library = make_library(tmp_path, MANY)
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (first.copied, first.errors) == (len(MANY), []) and moving_card() == len(MANY)
    manifest, rows = _records(library, card)
    assert manifest == rows == _on_card(card)


def test_a_card_that_keeps_times_at_first_and_moves_them_later_loses_nothing(
        tmp_path: Path, card: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renames are trusted to keep times once the first ones did; a card that moves a time
    after that (never seen on a real one, but possible on a network mount) gets the time
    before the rename recorded, and the next deploy proves those files ours by their bytes:
    nothing copied again, nothing taken for the user's, the card's times recorded."""
    library = make_library(tmp_path, MANY)
    moved = [0]
    real_replace = os.replace
    renames = [0]
    late = _moving_replace(card, moved)

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        target = renamed_to(dst, kwargs)
        if target.is_relative_to(card) and ".romrunner" not in target.parts:
            renames[0] += 1
            if renames[0] > RENAME_PROBES:
                late(src, dst, **kwargs)
                return
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (first.copied, first.errors, moved[0]) == (len(MANY), [], 8)
    manifest, _ = _records(library, card)
    stale = sorted(dest for dest, when in _on_card(card).items() if manifest[dest] != when)
    assert len(stale) == 8  # not read after the rename: recorded with the time before it
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (again.copied, again.skipped, again.conflicts, again.errors) == (
        0, len(MANY), 0, [])
    manifest, rows = _records(library, card)
    assert manifest == rows == _on_card(card)
    plan = library.plan(Layout(card))
    files = json.loads((card / ".romrunner/manifest.json").read_bytes())["files"]
    assert fast_skips(card, plan.items, files)[0] == []


def test_a_file_a_prune_keeps_is_no_skipped_copy_in_the_history(
        cli: Any, tmp_path: Path) -> None:
    """QA102 F2: a file of ours edited on the card at the same size and time, no longer
    chosen: the prune finds its bytes changed and keeps it, named among the run's notes and
    not in its "N skipped", but `deploy history` counted it as skipped (7 against 5)."""
    card = _gba_games_on_a_card(cli, tmp_path, 3)
    edited = card / "ROMS" / "gba" / "Game 2 (USA).gba"
    before = edited.stat()
    edited.write_bytes(b"\xee" * 4096)
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    ran = cli("--json", "deploy", "1", "--to", str(card), "Game 0", "--prune", "--force")
    assert ran.code == 0, ran.err
    data = ran.json()["data"]
    assert edited.read_bytes() == b"\xee" * 4096 and data["pruned"] == 1
    (listed,) = [d for d in cli("--json", "deploy", "history").json()["data"]
                 if d["id"] == data["deployment_id"]]
    assert listed["files"]["skipped"] == data["skipped"] == 1
    assert listed["files"]["pruned"] == data["pruned"]
