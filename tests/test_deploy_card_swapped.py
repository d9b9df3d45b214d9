"""A card pulled from a mount point that stays (fstab, a bind mount): the run must not go on
writing into the bare folder the card leaves, on the computer's own disk, and say it
completed (QA42 F6) — another folder at the card's path is "the card went away"."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.execute import LARGE_FILE, Progress, deploy
from tests.test_deploy_support import Layout, make_library

DISCS = {f"psx/Large {n} (USA).iso": LARGE_FILE + 1024 + n for n in range(4)}


def test_another_folder_at_the_cards_path_stops_the_run(tmp_path: Path) -> None:
    library = make_library(tmp_path, dict(DISCS))
    card = tmp_path / "mnt" / "card"
    card.mkdir(parents=True)
    pulled = tmp_path / "pulled"

    def pull(progress: Progress) -> None:
        if progress.files_done == 1 and not pulled.exists():
            card.rename(pulled)  # the card goes; its mount point, a bare folder, stays
            card.mkdir()

    result = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                    progress=pull)
    assert result.status != "completed"
    assert result.stopped is not None and "the card went away" in result.stopped
    # nothing written to the bare folder: no file, nor the card's manifest (QA48 F1: a
    # FUSE card could no longer be mounted on a folder holding it)
    assert list(card.iterdir()) == []
    assert len(list(pulled.rglob("*.iso"))) <= 2


def test_a_second_ctrl_c_while_a_cancelled_run_ends_is_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA42 F9: Ctrl-C pressed twice: the second one, while the cancelled run settled its
    files and wrote the card's manifest, cut that short (no manifest, no resume hint). A
    real SIGINT, sent as the run's end begins."""
    from romrunner.deploy import execute

    library = make_library(tmp_path, dict(DISCS))
    card = tmp_path / "card"
    card.mkdir()
    settle = execute._settle

    def interrupted_again(runner: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        settle(runner)  # type: ignore[arg-type]

    monkeypatch.setattr(execute, "_settle", interrupted_again)

    def first(progress: Progress) -> None:
        if progress.files_done == 1:
            raise KeyboardInterrupt

    result = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                    progress=first)
    assert result.status == "cancelled"
    assert result.stopped is not None and "deploy resume" in result.stopped
    assert (card / ".romrunner" / "manifest.json").exists()
    assert not list((card / ".romrunner").glob(".rr-tmp-*"))


def test_a_resync_that_writes_nothing_needs_no_free_space(tmp_path: Path) -> None:
    """QA48 F5: a card the handheld filled with saves (less free than the margin kept): the
    re-sync of an unchanged selection, writing nothing, failed "not enough space"."""
    from romrunner.deploy.execute import DeployOptions, preview

    library = make_library(tmp_path, {"gb/Game (USA).gb": 4096})
    card = tmp_path / "card"
    card.mkdir()
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert first.status == "completed" and first.copied == 1
    beyond = DeployOptions(margin_bytes=2 ** 62)  # more than any card has free
    dry = preview(library.db, library.plan(Layout(card)), beyond,
                  profile_id=library.profile_id)
    assert dry["enough_space"] is True and dry["bytes_needed"] == 0
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   options=beyond)
    assert again.status == "completed" and again.copied == 0
    (tmp_path / "lib2").mkdir()
    bigger = make_library(tmp_path / "lib2", {"gb/Other (USA).gb": 4096})
    with pytest.raises(Exception, match="not enough space"):
        deploy(bigger.db, bigger.plan(Layout(card)), profile_id=bigger.profile_id,
               options=beyond)


def test_a_card_manifest_the_card_refuses_is_said(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """QA48 F6: the card filled as the run ended: its manifest was not written, without a
    word (another computer then takes every file for the user's). ENOSPC is injected for the
    manifest alone (filling a real card at that very moment is a race)."""
    import errno

    from romrunner.deploy import card as card_module

    library = make_library(tmp_path, {"gb/Game (USA).gb": 4096})
    card = tmp_path / "card"
    card.mkdir()
    write = card_module.write_atomic

    def full_for_the_manifest(path: Path, data: bytes) -> None:
        if path.name == card_module.MANIFEST_NAME:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write(path, data)

    monkeypatch.setattr(card_module, "write_atomic", full_for_the_manifest)
    result = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert result.copied == 1
    assert not (card / ".romrunner" / "manifest.json").exists()
    assert any("manifest.json) could not be written" in note for note in result.notes)
    monkeypatch.setattr(card_module, "write_atomic", write)
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert again.copied == 0 and (card / ".romrunner" / "manifest.json").is_file()
    assert not any("could not be written" in note for note in again.notes)


def test_a_rewrite_needs_room_for_its_new_copy_beside_the_old(tmp_path: Path) -> None:
    """Review 25 R3: a file rewritten (its source changed, the same size) was counted as
    0 B to write: the dry run said enough space, the run stopped "card full" — its new copy
    is written beside the old one and renamed over it."""
    from romrunner.deploy.execute import COPY, _bytes_needed, _Decision, _Item

    old = tmp_path / "old.gba"
    old.write_bytes(b"\x01" * 3_000_000)
    item = _Item(0, "rom", "copy", "gba", str(old), None, None, "roms/gba/Big.gba",
                 3_000_000, None, None, "pending")
    rewrite = _Decision(item, COPY, existing=os.stat(old))
    fresh = _Decision(_Item(1, "rom", "copy", "gba", str(old), None, None, "roms/gba/New.gba",
                            1000, None, None, "pending"), COPY)
    assert _bytes_needed([rewrite], 4096) == 3_002_368  # (3,000,000 in 4 KiB blocks)
    assert _bytes_needed([rewrite, fresh], 4096) == 3_002_368 + 4096
    assert _bytes_needed([fresh], 4096) == 4096


def test_a_resume_after_the_library_moved_reads_its_new_folder(tmp_path: Path) -> None:
    """QA52 F1: the library remounted elsewhere (`library move`) between an interrupted deploy
    and its resume: every file left to copy failed "missing since the scan", for ever."""
    from romrunner.deploy.execute import resume
    from romrunner.library.roots import move_root

    library, card, first = _interrupted_after_one_file(tmp_path)
    moved = tmp_path / "mnt" / "library"
    moved.parent.mkdir()
    library.root.rename(moved)
    move_root(library.db, library.root, moved)
    done = resume(library.db, first.deployment_id)
    assert done.status == "completed" and done.failed == 0, done.errors
    copies = sorted(card.rglob("*.iso"))
    assert len(copies) == len(DISCS)
    assert all(copy.read_bytes() == (moved / "psx" / copy.name).read_bytes() for copy in copies)


def test_a_resume_after_one_game_moved_in_its_root_sends_no_other_file_there(
        tmp_path: Path) -> None:
    """Review 28 R3: one game moved by the user (to its root's top) was taken for its whole
    folder moved: every other file left to copy was looked for beside it and failed."""
    from romrunner.deploy.execute import resume
    from romrunner.library.scan import scan_library
    from tests.test_deploy_support import builtin_pack

    library, card, first = _interrupted_after_one_file(tmp_path)
    moved = sorted((library.root / "psx").iterdir())[-1]
    moved.rename(library.root / moved.name)
    scan_library(library.db, builtin_pack(), workers=1)
    done = resume(library.db, first.deployment_id)
    assert done.failed <= 1, done.errors  # (the moved one, if it was still to copy)
    assert len(list(card.rglob("*.iso"))) >= len(DISCS) - 1


def test_the_first_flush_writes_the_cards_manifest(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """QA52 F3: the card's manifest was first written after 10 s: a run killed before left
    its copies "files of yours" to another computer's database. (Every file its own flush
    here, so that the first comes after the first file.)"""
    import json

    from romrunner.deploy import execute

    monkeypatch.setattr(execute, "FLUSH_SECONDS", 0.0)
    library = make_library(tmp_path, dict(DISCS))
    card = tmp_path / "card"
    card.mkdir()
    recorded: list[int] = []

    def watch(progress: Progress) -> None:
        manifest = card / ".romrunner" / "manifest.json"
        if progress.files_done == 2 and manifest.exists():
            recorded.append(len(json.loads(manifest.read_text())["files"]))

    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
           progress=watch)
    assert recorded and recorded[0] >= 1


def _interrupted_after_one_file(tmp_path: Path) -> tuple[Any, Path, Any]:
    """The DISCS library deployed to a new card, the run interrupted after its first file:
    the library, the card, the run's summary."""
    library = make_library(tmp_path, dict(DISCS))
    card = tmp_path / "card"
    card.mkdir()

    def stop(progress: Progress) -> None:
        if progress.files_done == 1:
            raise KeyboardInterrupt

    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   progress=stop)
    assert first.status != "completed"
    return library, card, first


def test_a_run_a_later_deploy_to_its_card_superseded_elsewhere_is_not_taken_up_unnamed(
        tmp_path: Path) -> None:
    """QA69 F2: a run cut short, the card then mounted at another path, a deploy there
    completed: `deploy resume` (no id) took up the superseded run ("…/m1 does not exist"),
    and followed, it put back what the later deploy's --prune had removed."""
    from romrunner.deploy.execute import resume
    from romrunner.errors import NotFoundError

    library = make_library(tmp_path, dict(DISCS))
    first_mount = tmp_path / "m1"
    first_mount.mkdir()

    def cut(progress: Progress) -> None:
        if progress.files_done == 1:
            raise KeyboardInterrupt

    cancelled = deploy(library.db, library.plan(Layout(first_mount)),
                       profile_id=library.profile_id, progress=cut)
    assert cancelled.status == "cancelled"
    second_mount = tmp_path / "m2"
    first_mount.rename(second_mount)  # the same card, mounted elsewhere
    later = deploy(library.db, library.plan(Layout(second_mount)), profile_id=library.profile_id)
    assert later.status == "completed"
    with pytest.raises(NotFoundError, match="no unfinished deployment"):
        resume(library.db)


def test_a_card_known_by_its_volume_uuid_without_its_record_is_said_to_be(
        tmp_path: Path) -> None:
    """QA69 F5: a card known by its volume UUID (its id survives a deleted `.romrunner/`):
    its files were claimed, and pruned, by the database's records without the note a
    folder card gets."""

    from romrunner.deploy.execute import DeployOptions
    library = make_library(tmp_path, {"gb/A (USA).gb": 4096, "gba/B (USA).gba": 8192})
    card = tmp_path / "card"
    card.mkdir()
    uuid = "uuid:0000-test"
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   destination_id=uuid)
    assert first.status == "completed" and first.copied == 2
    shutil.rmtree(card / ".romrunner")
    gb = [i for i in library.game_ids() if library.db.scalar(
        "SELECT platform_id FROM games WHERE id = ?", (i,)) == "gb"]
    again = deploy(library.db, library.plan(Layout(card), gb), profile_id=library.profile_id,
                   destination_id=uuid, options=DeployOptions(prune=True, force_prune=True))
    assert again.pruned == 1
    assert any("no record of ROM Runner's files on the card" in n for n in again.notes), \
        again.notes


def test_a_card_whose_record_alone_is_missing_is_not_said_to_have_lost_romrunner(
        tmp_path: Path) -> None:
    """QA102 F6: a card whose first deploy was killed before it wrote the record of its
    files (.romrunner/ there, its manifest not) was said to have lost .romrunner/, or to be
    another card."""
    library = make_library(tmp_path, {"gb/A (USA).gb": 4096})
    card = tmp_path / "card"
    card.mkdir()
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert first.status == "completed" and first.copied == 1
    (card / ".romrunner" / "manifest.json").unlink()
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert again.status == "completed" and again.copied == 0
    (said,) = [n for n in again.notes if "no record of ROM Runner's files on the card" in n]
    assert "(.romrunner/manifest.json missing: deleted, or a deploy stopped before it wrote " \
        "it)" in said and "gone" not in said
    shutil.rmtree(card / ".romrunner")  # all of it (review 105 F2: a real run's lock makes
    # the folder again before the note is worded)
    third = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    (said,) = [n for n in third.notes if "no record of ROM Runner's files on the card" in n]
    assert "(.romrunner/ gone, or another card at this folder)" in said


def test_a_resumed_prune_says_the_copies_its_plan_held(tmp_path: Path) -> None:
    """QA94 F5: a `--prune` run Ctrl-C'd, then resumed: the resume kept the card's copy of a
    game the run had left out (a disc whose track changed since the scan) without a word —
    the run's own warning gone with its terminal."""
    from romrunner.deploy.execute import DeployOptions, resume

    sheet = b'FILE "Kept (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    library = make_library(tmp_path, {"psx/Kept (USA).cue": sheet, "psx/Kept (USA).bin": 40_000,
                                      **DISCS})
    card = tmp_path / "card"
    card.mkdir()
    kept_ids = [int(row[0]) for row in library.db.query(
        "SELECT DISTINCT game_id FROM game_files WHERE name LIKE 'Kept%'")]
    first = deploy(library.db, library.plan(Layout(card), kept_ids),
                   profile_id=library.profile_id)
    assert first.status == "completed" and first.copied == 2
    (library.root / "psx" / "Kept (USA).bin").write_bytes(b"\x07" * 40_001)  # re-ripped

    def stop(progress: Progress) -> None:
        if progress.files_done == 1:
            raise KeyboardInterrupt

    cut = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                 options=DeployOptions(prune=True), progress=stop)
    assert cut.status == "cancelled"
    resumed = resume(library.db)
    assert resumed.status == "completed"
    on_card = sorted(path.relative_to(card).as_posix() for path in card.rglob("Kept (USA).*"))
    assert [path.rsplit(".", 1)[1] for path in on_card] == ["bin", "cue"]
    assert resumed.prune_held == on_card
    assert any(note.startswith("--prune kept 2 files of games this deployment left out")
               and on_card[0] in note for note in resumed.notes), resumed.notes


def _cancelled_before_a_copy(tmp_path: Path) -> tuple[Any, Path, Any]:
    """The large discs' library, its card folder, and a deploy there Ctrl-C'd before it
    recorded any copy."""
    library = make_library(tmp_path, dict(DISCS))
    card = tmp_path / "card"
    card.mkdir()

    def stop(progress: Progress) -> None:
        raise KeyboardInterrupt

    cut = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                 progress=stop)
    return library, card, cut


def test_a_resume_without_an_id_names_a_run_cancelled_before_it_began(tmp_path: Path) -> None:
    """A Ctrl-C before the run recorded any copy: its message named `deploy resume ID`, and
    `deploy resume` without the id said only "no unfinished deployment" (such a run is taken
    up by its id alone: QA35 F6), blaming a later deploy there was none of."""
    from romrunner.deploy.execute import resume
    from romrunner.errors import NotFoundError

    library, card, cut = _cancelled_before_a_copy(tmp_path)
    assert cut.status == "cancelled" and cut.copied == 0
    with pytest.raises(NotFoundError,
                       match=rf"`romrunner deploy resume {cut.deployment_id}`") as said:
        resume(library.db)
    assert "later deploy" not in str(said.value)
    resumed = resume(library.db, cut.deployment_id)
    assert resumed.status == "completed" and len(list(card.rglob("*.iso"))) == len(DISCS)


def test_a_resume_leaves_out_the_games_forgotten_since_and_says_so(tmp_path: Path) -> None:
    """QA98 F2: a deploy interrupted, one of its games deleted on purpose and forgotten
    (`scan`, `games forget --missing`): every `deploy resume` failed with an internal error
    (the database's foreign key refused its row naming the game)."""
    from romrunner.deploy.execute import FORGOTTEN, resume
    from romrunner.library.roots import forget_missing
    from romrunner.library.scan import scan_library
    from tests.test_deploy_support import builtin_pack

    library, card, cut = _cancelled_before_a_copy(tmp_path)
    assert cut.status == "cancelled"
    gone = library.root / "psx" / "Large 1 (USA).iso"
    gone.unlink()
    scan_library(library.db, builtin_pack(), workers=1)
    assert forget_missing(library.db, None).games == 1
    resumed = resume(library.db, cut.deployment_id)
    assert resumed.failed == 1 and resumed.copied == len(DISCS) - 1
    assert sorted(path.name for path in card.rglob("*.iso")) == sorted(
        path.name for path in (library.root / "psx").glob("*.iso"))
    assert [error["error"] for error in resumed.errors] == [FORGOTTEN]
