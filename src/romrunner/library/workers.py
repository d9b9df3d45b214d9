"""The hashing pool: worker processes that examine files and send back their records.

Not ``multiprocessing.Pool``, for three reasons measured or met in the scan:

* its three helper threads pickle, unpickle and poll in the writer's process, sharing its
  interpreter lock, and the writer gives the lock up at every SQLite step: on a first scan
  of small files the writer waited for the lock for a third of its time;
* it keeps every result the writer has not taken yet, without bound;
* when a worker dies (killed by the OOM killer or by hand, or crashed in a decoder) the
  files it held are never answered, and the scan waits for ever.

Here workers get the job list when they start (inherited, not copied, where processes
fork) and are sent only the bounds of each chunk, dealt in turn. One thread per worker
only moves the worker's answers out of the pipe (the lock is free while it waits), so a
worker never stalls while the writer commits a batch; unpickling stays with the caller.
What each worker holds at a time is bounded, and so is memory. The files of a worker that died
are reported as errors (the next scan retries them) and another worker takes its place.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from romrunner.library.examine import Job
from romrunner.library.record import Record, examine_to_record, start_worker
from romrunner.packs.index import PackIndex

_CONTEXT = (multiprocessing.get_context("spawn") if os.name == "nt"
            else multiprocessing.get_context("fork"))
# How much work each worker holds (sent, not answered): enough to stay busy while the writer
# commits a batch (a few thousand small files, or ~1 s of hashing), and no more, so that at
# the end no worker sits on a queue of disc images while another has nothing left.
IN_FLIGHT_FILES = 4096
IN_FLIGHT_BYTES = 256 << 20
CHUNK_BYTES = 32 << 20
MAX_CHUNK_FILES = 256


class _Worker:
    """One worker process, its end of the pipe, and the chunks it has not answered."""

    def __init__(self, jobs: list[Job], index: PackIndex, root_name: str,
                 inbox: queue.SimpleQueue[tuple[_Worker, bytes | None]]) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(
            target=_serve, args=(child, jobs, index, root_name), daemon=True)
        self.process.start()
        child.close()
        self.sent: deque[range] = deque()  # the chunks it holds, as ranges of job indexes
        self.reader = threading.Thread(target=self._read, args=(inbox,), daemon=True)
        self.reader.start()

    def _read(self, inbox: queue.SimpleQueue[tuple[_Worker, bytes | None]]) -> None:
        """Move each answer into ``inbox``; None once the worker has gone."""
        while True:
            try:
                inbox.put((self, self.conn.recv_bytes()))
            except (EOFError, OSError):
                inbox.put((self, None))
                return

    def send(self, chunk: range) -> None:
        """Hand the worker one more chunk."""
        self.sent.append(chunk)
        with contextlib.suppress(OSError):  # it has died: its reader is about to say so
            self.conn.send((chunk.start, chunk.stop))

    def stop(self, *, kill: bool) -> None:
        """Ask the worker to finish (or kill it) and wait for it and its reader."""
        if not kill:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.reader.join()  # the worker's end is closed: the reader has seen EOF
        self.conn.close()


def examine_in_pool(jobs: list[Job], count: int, chunk: int, index: PackIndex,
                    root_name: str, *, idle_seconds: float = 0.5
                    ) -> Iterator[Record | None]:
    """Records of ``jobs`` from ``count`` worker processes, ``chunk`` jobs at a time (see
    ``chunk_size``), in the order they are done. Every job gets a record, an error one if
    its worker died.

    None comes whenever ``idle_seconds`` pass with no answer (workers deep in large
    files), so the caller can commit what it holds instead of waiting for the next file.
    """
    pending = deque(range(start, min(start + chunk, len(jobs)))
                    for start in range(0, len(jobs), chunk))
    in_flight = _chunks_in_flight(jobs, chunk)
    inbox: queue.SimpleQueue[tuple[_Worker, bytes | None]] = queue.SimpleQueue()
    workers: list[_Worker] = []
    restarts = count
    finished = False
    try:
        workers += [_Worker(jobs, index, root_name, inbox)
                    for _ in range(min(count, len(pending)))]
        while workers:
            _deal(workers, pending, in_flight)
            if not any(worker.sent for worker in workers):
                break
            try:
                worker, answer = inbox.get(timeout=idle_seconds)
            except queue.Empty:
                yield None
                continue
            if answer is not None:
                worker.sent.popleft()
                yield from pickle.loads(answer)
                continue
            yield from _lost(worker, jobs)
            workers.remove(worker)
            if restarts and pending:
                restarts -= 1
                workers.append(_Worker(jobs, index, root_name, inbox))
        # What no worker could take (every restart used up) is reported, not dropped.
        for left in pending:
            yield from (_error(jobs[i], "not examined: no hashing worker left") for i in left)
        finished = True
    finally:
        for worker in workers:
            worker.stop(kill=not finished)


def chunk_size(jobs: list[Job], workers: int) -> int:
    """How many files a worker takes at a time: about CHUNK_BYTES of data, at most
    MAX_CHUNK_FILES.

    Each chunk is one answer to receive and unpickle, so chunks of tiny files are large.
    Chunks of large files stay small so that no worker is left with the last dozen disc
    images while another idles, and every worker gets several chunks.
    """
    by_bytes = CHUNK_BYTES // _average_size(jobs)
    return max(1, min(MAX_CHUNK_FILES, by_bytes, len(jobs) // (4 * workers)))


def _chunks_in_flight(jobs: list[Job], chunk: int) -> int:
    """How many chunks each worker may hold at a time (at least two: one to work on, one
    queued behind it)."""
    chunk_bytes = chunk * _average_size(jobs)
    return max(2, min(IN_FLIGHT_FILES // chunk, IN_FLIGHT_BYTES // chunk_bytes))


def _average_size(jobs: list[Job]) -> int:
    return max(1, sum(job.size for job in jobs) // max(1, len(jobs)))


def _deal(workers: list[_Worker], pending: deque[range], in_flight: int) -> None:
    """Top every worker up to ``in_flight`` chunks, one chunk to each in turn."""
    for _ in range(in_flight):
        for worker in workers:
            if not pending:
                return
            if len(worker.sent) < in_flight:
                worker.send(pending.popleft())


def _lost(worker: _Worker, jobs: list[Job]) -> Iterator[Record]:
    """Error records for the files a worker held when it died."""
    worker.stop(kill=True)
    reason = ("not examined: its hashing worker stopped "
              f"(exit code {worker.process.exitcode})")
    for chunk in worker.sent:
        yield from (_error(jobs[i], reason) for i in chunk)
    worker.sent.clear()


def _error(job: Job, reason: str) -> Record:
    return Record(job, None, [], None, 0, [], reason)


def _serve(conn: Connection, jobs: list[Job], index: PackIndex, root_name: str) -> None:
    """A worker's loop: examine each chunk of ``jobs`` it is sent until it is sent None.

    Ctrl-C reaches every process of the terminal; the parent decides what it means, so a
    worker ignores it instead of printing a traceback each.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_worker(index, root_name)
    while (bounds := conn.recv()) is not None:
        start, stop = bounds
        conn.send([examine_to_record(job) for job in jobs[start:stop]])
    conn.close()
