"""Temporary files made durable together when the card's ``fsync`` is slow.

One ``fsync`` at a time costs a journal commit each on ext4 and a FAT and directory write on
FAT32: ~5 ms per small file on this project's machine, most of a deploy of many small files.
Issued from several threads at once, the file system commits them together (1,000 files of
16 KiB: 5.3 s one by one, 0.6–0.9 s on 16 threads). Where ``fsync`` costs next to nothing
(tmpfs, a disk with a write cache) handing files to threads costs more than it saves (small
files at half the speed on tmpfs), so the first :data:`PROBE_FILES` files are fsynced in line
and timed, and threads are used only when their median took over :data:`SLOW_FSYNC`. Each
file is still fsynced on its own descriptor, and :meth:`FileSyncer.wait` returns only once
every file handed in is on the card — before its batch's intent is committed and it is
renamed into place.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

THREADS = 8
MOST_OPEN = 64         # descriptors waiting for their fsync at most (each is an open file)
PROBE_FILES = 16       # files fsynced in line and timed before threads are considered
SLOW_FSYNC = 0.0002    # seconds: a median fsync above this is worth issuing together


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_is_slow(seconds: list[float]) -> bool:
    """Whether fsyncs that took ``seconds`` are worth issuing together on threads."""
    return len(seconds) >= PROBE_FILES and statistics.median(seconds) > SLOW_FSYNC


class FileSyncer:
    """fsyncs and closes written files: in line, or on :data:`THREADS` threads once the
    card's fsync shows itself slow (``pooled`` decides it for a test)."""

    def __init__(self, pooled: bool | None = None) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()
        self._error: OSError | None = None
        self._pooled = pooled
        self._timings: list[float] = []

    @property
    def in_line(self) -> bool:
        """True once it is decided that files are fsynced in line by the caller (fast
        fsyncs): nothing is handed in any more."""
        return self._pooled is False

    def submit(self, fd: int) -> None:
        """Take ``fd`` (written, still open): it is fsynced, then closed. In line, an error is
        raised at once; on threads, by the next :meth:`wait`, so that no file of the batch is
        taken for durable."""
        if self._pooled is False:
            _fsync_and_close(fd)
            return
        if self._pooled is None:
            started = time.perf_counter()
            _fsync_and_close(fd)
            self._timings.append(time.perf_counter() - started)
            if len(self._timings) >= PROBE_FILES:
                self._pooled = fsync_is_slow(self._timings)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="rr-fsync")
        try:
            self._pending.append(self._pool.submit(_fsync_and_close, fd))
        except BaseException:
            os.close(fd)
            raise
        while len(self._pending) > MOST_OPEN:
            self._settle_oldest()

    def wait(self) -> None:
        """Return once every file handed in is fsynced and closed; raise the first error."""
        while self._pending:
            self._settle_oldest()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Wait for what is pending (errors dropped: its batch is not committed) and stop."""
        while self._pending:
            self._settle_oldest()
        self._error = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _settle_oldest(self) -> None:
        try:
            self._pending.popleft().result()
        except OSError as exc:
            if self._error is None:
                self._error = exc
