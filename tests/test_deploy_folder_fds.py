"""A deploy writes, renames and looks at its files relative to each card folder's descriptor
(a short lookup per call instead of the whole path: issue 16), opened once per run, at most
:data:`~romrunner.deploy.execute.FOLDER_FDS` at a time, and closed however the run ends; the
guarantee is the one of whole paths (temporary name, fsync, intent committed, rename).

Real databases, folders, files and descriptors (``/proc/self/fd``); the full card is a real
tmpfs."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from romrunner.deploy.execute import DeployOptions, Progress, deploy, resume
from tests.test_deploy_faults import fill_after_first_file, tmpfs
from tests.test_deploy_prune_folders import FILES, TRACKS, _snes_only
from tests.test_deploy_support import Layout, Library, card_files, make_library, temp_files

# Five platforms: five folders on the card (Roms/<platform>), three files each.
GAMES: dict[str, int | bytes] = {
    f"{platform}/Game {n} (USA).{ext}": 300_000 + 1000 * n + k
    for k, (platform, ext) in enumerate((("gba", "gba"), ("snes", "sfc"), ("nes", "nes"),
                                         ("gb", "gb"), ("megadrive", "md")))
    for n in range(3)}


def folders_open(card: Path) -> list[str]:
    """The card folders (and the card) this process holds open: the deploy's descriptors."""
    held = []
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
            info = os.stat(f"/proc/self/fd/{entry}")
        except OSError:
            continue  # (the descriptor listdir itself used, closed by now)
        if stat.S_ISDIR(info.st_mode) and Path(target).is_relative_to(card):
            held.append(target)
    return held


def expected(library: Library, card: Path) -> dict[str, bytes]:
    return {item.dest: Path(item.source).read_bytes()
            for item in library.plan(Layout(card)).items}


def watching(card: Path, seen: list[int],
             then: Callable[[Progress], None] | None = None) -> Callable[[Progress], None]:
    """A progress callback noting how many card folders are open before each file."""

    def progress(state: Progress) -> None:
        seen.append(len(folders_open(card)))
        if then is not None:
            then(state)

    return progress


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path, GAMES)


def test_files_are_written_and_renamed_relative_to_their_folder(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = tmp_path / "card"
    card.mkdir()
    renames: list[tuple[Any, Any, dict[str, Any]]] = []
    creates: list[tuple[Any, int | None]] = []
    real_replace, real_open = os.replace, os.open

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        renames.append((src, dst, kwargs))
        real_replace(src, dst, **kwargs)

    def opening(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        if flags & os.O_CREAT and str(path).rpartition("/")[2].startswith(".rr-tmp-") \
                and ".romrunner" not in str(path):
            creates.append((path, kwargs.get("dir_fd")))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "open", opening)
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    monkeypatch.undo()
    assert (summary.copied, summary.errors) == (len(GAMES), [])
    assert card_files(card) == expected(library, card) and not temp_files(card)
    names = {dest.rpartition("/")[2] for dest in expected(library, card)}
    ours = [(src, dst, kwargs) for src, dst, kwargs in renames
            if str(dst).rpartition("/")[2] in names]  # (not the .romrunner/ files' renames)
    assert len(ours) == len(GAMES) and len(creates) == len(GAMES)
    for src, dst, kwargs in ours:  # a name in a folder, not a path
        assert "/" not in src and "/" not in dst, (src, dst)
        assert kwargs["src_dir_fd"] == kwargs["dst_dir_fd"] is not None
    for path, folder in creates:
        assert "/" not in path and folder is not None, (path, folder)


def test_at_most_folder_fds_are_open_and_no_batch_waits_in_a_closed_folder(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two descriptors for five folders, one batch for the whole run: each folder past the
    second commits the batch (its files renamed where they go) before the others close."""
    card = tmp_path / "card"
    card.mkdir()
    monkeypatch.setattr(execute, "FOLDER_FDS", 2)
    monkeypatch.setattr(execute, "BATCH_SECONDS", 3600.0)
    seen: list[int] = []
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                     progress=watching(card, seen))
    assert (summary.status, summary.copied, summary.errors) == ("completed", len(GAMES), [])
    assert max(seen) == 2 and folders_open(card) == []
    assert card_files(card) == expected(library, card) and not temp_files(card)
    rows = library.db.query("SELECT dest_path, file_size, dest_mtime_ns FROM deployment_items "
                            "WHERE deployment_id = ? AND status = 'copied'",
                            (summary.deployment_id,))
    assert len(rows) == len(GAMES)
    for dest, size, mtime_ns in rows:
        info = (card / dest).stat()
        assert (info.st_size, info.st_mtime_ns) == (size, mtime_ns), dest


def _interrupt_at_the_seventh(state: Progress) -> None:
    if state.files_done == 7:
        raise KeyboardInterrupt


def _source_gone_at_the_seventh(library: Library, card: Path) -> Callable[[Progress], None]:
    sources = {item.dest: item.source for item in library.plan(Layout(card)).items}

    def gone(state: Progress) -> None:
        if state.files_done == 7:  # the file about to be copied: its source is deleted
            Path(sources[state.current]).unlink()
    return gone


@pytest.mark.parametrize("ending", ["completed", "cancelled", "a file failed"])
def test_no_folder_stays_open_after_the_run(library: Library, tmp_path: Path,
                                            ending: str) -> None:
    card = tmp_path / "card"
    card.mkdir()
    then = {"completed": None, "cancelled": _interrupt_at_the_seventh,
            "a file failed": _source_gone_at_the_seventh(library, card)}[ending]
    seen: list[int] = []
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                     progress=watching(card, seen, then))
    assert summary.status == ("cancelled" if ending == "cancelled" else "completed")
    assert summary.failed == (1 if ending == "a file failed" else 0)
    assert max(seen) >= 1  # (held during the run)
    assert folders_open(card) == [] and not temp_files(card)
    if ending == "cancelled":
        finished = resume(library.db, summary.deployment_id)
        assert finished.status == "completed" and folders_open(card) == []
        assert card_files(card) == expected(library, card)


def test_no_folder_stays_open_after_a_card_full_stop(tmp_path: Path) -> None:
    files: dict[str, int | bytes] = {f"gba/Game {n} (USA).gba": 300_000 for n in range(4)}
    library = make_library(tmp_path, files)
    with tmpfs(tmp_path / "card") as card:
        seen: list[int] = []
        summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                         progress=watching(card, seen,
                                           fill_after_first_file(card / "my photos.bin")))
        assert summary.status == "failed" and summary.stopped is not None
        assert "card full" in summary.stopped
        assert max(seen) >= 1 and folders_open(card) == [] and not temp_files(card)


def test_no_folder_is_held_open_while_a_prune_removes_the_folders_it_emptied(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run copies (a folder held open) and prunes a set whose folder it empties: every
    descriptor is closed before that folder goes (a network share may refuse to remove a
    folder while a handle in it is open)."""
    library = make_library(tmp_path, FILES)
    card = tmp_path / "card"
    card.mkdir()
    psx = [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE platform_id = 'psx'")]
    layout = Layout(card, disc_layout="hidden")
    first = deploy(library.db, library.plan(layout, psx), profile_id=library.profile_id)
    assert first.copied == 5 and (card / TRACKS).is_dir()
    held: list[list[str]] = []
    real_rmdir = os.rmdir

    def rmdir(path: Any, **kwargs: Any) -> None:
        held.append(folders_open(card))
        real_rmdir(path, **kwargs)

    monkeypatch.setattr(os, "rmdir", rmdir)
    summary = deploy(library.db, library.plan(layout, _snes_only(library)),
                     profile_id=library.profile_id, options=DeployOptions(prune=True))
    monkeypatch.undo()
    assert (summary.copied, summary.pruned, summary.pruned_folders) == (1, 5, [TRACKS])
    assert held == [[]]  # (Roms/snes, where it copied, closed already)
