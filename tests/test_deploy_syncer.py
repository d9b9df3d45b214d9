"""Small files' fsyncs issued together, and finished files never left waiting under a long
copy — real files, real pipes, a real deploy."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from romrunner.deploy.execute import SENDFILE_CHUNK, Progress, deploy
from romrunner.deploy.syncer import MOST_OPEN, PROBE_FILES, SLOW_FSYNC, FileSyncer, fsync_is_slow
from tests.test_deploy import sources_by_dest
from tests.test_deploy_support import Layout, card_files, make_library, temp_files


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError as exc:
        return exc.errno == errno.EBADF
    return False


def test_every_file_handed_in_is_fsynced_and_closed_by_wait(tmp_path: Path) -> None:
    fds = []
    for number in range(MOST_OPEN + 10):  # more than may stay open: the oldest are settled
        fd = os.open(tmp_path / f"f{number}", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b"x" * number)
        fds.append(fd)
    syncer = FileSyncer(pooled=True)
    for fd in fds:
        syncer.submit(fd)
    syncer.wait()
    assert all(_closed(fd) for fd in fds)
    assert [(tmp_path / f"f{n}").stat().st_size for n in range(len(fds))] == list(range(len(fds)))
    syncer.close()


def test_an_fsync_that_fails_fails_the_wait_and_its_descriptor_is_closed(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()  # fsync of a pipe fails (EINVAL)
    good = os.open(tmp_path / "good", os.O_WRONLY | os.O_CREAT, 0o644)
    syncer = FileSyncer(pooled=True)
    syncer.submit(write_end)
    syncer.submit(good)
    with pytest.raises(OSError) as raised:
        syncer.wait()
    assert raised.value.errno == errno.EINVAL
    assert _closed(write_end) and _closed(good)
    syncer.wait()  # the error was reported once
    syncer.close()
    os.close(read_end)


def test_in_line_an_fsync_that_fails_raises_at_once_and_closes(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    syncer = FileSyncer(pooled=False)
    with pytest.raises(OSError) as raised:
        syncer.submit(write_end)
    assert raised.value.errno == errno.EINVAL and _closed(write_end)
    syncer.close()
    os.close(read_end)


def test_threads_are_used_only_once_fsync_shows_itself_slow() -> None:
    fast, slow = SLOW_FSYNC / 10, SLOW_FSYNC * 10
    assert not fsync_is_slow([slow] * (PROBE_FILES - 1))  # not enough seen yet
    assert not fsync_is_slow([fast] * PROBE_FILES)
    assert not fsync_is_slow([slow] * 3 + [fast] * (PROBE_FILES - 3))  # a few slow ones
    assert fsync_is_slow([slow] * PROBE_FILES)


def test_finished_small_files_are_in_place_before_a_long_copy_starts(tmp_path: Path) -> None:
    small = {f"snes/A{n} (USA).sfc": 40_000 + n for n in range(3)}
    big = "snes/Z Big (USA).sfc"
    library = make_library(tmp_path, {**small, big: SENDFILE_CHUNK + 4096})
    card = tmp_path / "card"
    card.mkdir()
    seen: list[dict[str, bool]] = []

    def watch(progress: Progress) -> None:
        if progress.current.endswith("Z Big (USA).sfc") and progress.bytes_done > 200_000:
            seen.append({name: (card / "Roms" / "snes" / name).is_file()
                         for name in (Path(path).name for path in small)})

    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                     progress=watch)
    assert summary.copied == 4 and summary.failed == 0
    assert seen, "no progress was reported during the long copy"
    assert all(all(names.values()) for names in seen), seen  # not temporary names
    assert not temp_files(card)
    assert card_files(card) == sources_by_dest(library, card)
