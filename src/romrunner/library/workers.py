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

The same workers walk a rescan's top-level folders (``WorkerPool``, used by plan.py): no
worker outlives the scan, whatever kills it. On Linux each asks the kernel for a signal
when its parent dies (``PR_SET_PDEATHSIG``); everywhere it closes the parent's ends of the
pipes it inherited, so that its own pipe reaches end-of-file when the parent has gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar

from romrunner.library.examine import NOT_EXAMINED, Job
from romrunner.library.record import (
    FULL_HASHING,
    HashPlan,
    Record,
    examine_to_record,
    start_worker,
)
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
_PR_SET_NAME, _PR_SET_PDEATHSIG = 15, 1  # from <linux/prctl.h>
# This process's ends of its workers' pipes. A forked worker inherits them all; it closes
# them, or its own pipe (and every other worker's) would never reach end-of-file.
_PARENT_ENDS: set[Connection] = set()
Task = TypeVar("Task")
Serve = Callable[..., None]  # serve(conn, *args): a worker's loop


class _Worker(Generic[Task]):
    """One worker process, its end of the pipe, and the tasks it has not answered."""

    def __init__(self, name: str, serve: Serve, args: tuple[Any, ...],
                 inbox: queue.SimpleQueue[tuple[_Worker[Task], bytes | None]]) -> None:
        self.conn, child = _CONTEXT.Pipe()
        _PARENT_ENDS.add(self.conn)
        self.process: BaseProcess = _CONTEXT.Process(
            target=_run_worker, args=(child, name, os.getpid(), serve, args), daemon=True)
        try:
            _start_holding_interrupts(self.process)
        except BaseException:  # Ctrl-C, raised once the fork is done: this one goes too
            if self.process.pid is not None:
                self.process.kill()
                self.process.join()
            _PARENT_ENDS.discard(self.conn)
            self.conn.close()
            raise
        finally:
            child.close()
        self.sent: deque[Task] = deque()  # what it holds, oldest first
        self.reader = threading.Thread(target=self._read, args=(inbox,), daemon=True)
        self.reader.start()

    def _read(self, inbox: queue.SimpleQueue[tuple[_Worker[Task], bytes | None]]) -> None:
        """Move each answer into ``inbox``; None once the worker has gone."""
        while True:
            try:
                inbox.put((self, self.conn.recv_bytes()))
            except (EOFError, OSError):
                inbox.put((self, None))
                return

    def send(self, task: Task) -> None:
        """Hand the worker one more task."""
        self.sent.append(task)
        with contextlib.suppress(OSError):  # it has died: its reader is about to say so
            self.conn.send(task)

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
        _PARENT_ENDS.discard(self.conn)
        self.conn.close()


class WorkerPool(Generic[Task]):
    """Worker processes, each running ``serve(conn, *args)``: it receives tasks on ``conn``
    until it receives None, and sends one answer per task, in order.

    ``answer()`` returns each answer with the task it answers, or, when a worker has died,
    the tasks it held; ``restart()`` then starts another while ``restarts`` last.
    Leaving the ``with`` block stops every worker: politely after success, by SIGKILL when
    an exception (Ctrl-C included) leaves it.
    """

    def __init__(self, name: str, serve: Serve, args: tuple[Any, ...], count: int,
                 restarts: int) -> None:
        self._start_args = (name, serve, args)
        self._inbox: queue.SimpleQueue[tuple[_Worker[Task], bytes | None]] = \
            queue.SimpleQueue()
        self.workers: list[_Worker[Task]] = []
        self.restarts = restarts
        try:
            for _ in range(count):
                self._start()
        except BaseException:  # a fork that failed: stop the ones already started
            for worker in self.workers:
                worker.stop(kill=True)
            raise

    def _start(self) -> None:
        self.workers.append(_Worker(*self._start_args, self._inbox))

    def __enter__(self) -> WorkerPool[Task]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            for worker in self.workers:
                worker.stop(kill=kind is not None)
        except BaseException:  # (a second Ctrl-C while stopping: none is left running)
            for worker in self.workers:
                with contextlib.suppress(OSError, ValueError):
                    worker.process.kill()
            raise
        finally:
            self.workers.clear()

    def busy(self) -> bool:
        """True while some worker holds a task."""
        return any(worker.sent for worker in self.workers)

    def least_busy(self) -> _Worker[Task] | None:
        """The worker holding the fewest tasks (None when none is left)."""
        return min(self.workers, key=lambda worker: len(worker.sent), default=None)

    def answer(self, timeout: float | None = None
               ) -> tuple[Task, bytes] | tuple[list[Task], int | None]:
        """The next answer as (task, answer bytes); or, for a worker that died, the tasks it
        held and its exit code. Raises queue.Empty after ``timeout`` seconds."""
        worker, answer = self._inbox.get(timeout=timeout)
        if answer is not None:
            return worker.sent.popleft(), answer
        worker.stop(kill=True)
        self.workers.remove(worker)
        held = list(worker.sent)
        worker.sent.clear()
        return held, worker.process.exitcode

    def restart(self) -> None:
        """Start a worker in place of one that died, unless every restart is used up."""
        if self.restarts:
            self.restarts -= 1
            self._start()


# Held back while a worker starts, then ignored by it: Ctrl-C and a closed terminal reach
# every process of the terminal, and the parent decides. Not SIGTERM: that is how the parent
# (and Python's exit, after an interrupt) stops a worker (review 29 R2: ignored, a worker
# outlived an interrupted stop and the exit waited on it for ever).
_STOPS = {signal.SIGINT, signal.SIGHUP}
# Held back while a worker starts, until it has its own handlers (SIGTERM: the default).
_HELD = {*_STOPS, signal.SIGTERM}


def _start_holding_interrupts(process: BaseProcess) -> None:
    """Start ``process`` with Ctrl-C held back until the fork is done. A SIGINT that lands
    in the fork's own callbacks (``logging`` releases its lock there) is "ignored" by
    Python, traceback and all, and the scan would run on (QA20 C2); held back, it is raised
    here, after the fork, as any Ctrl-C. (The worker starts with it held back too and
    ignores it: see _run_worker.)"""
    if threading.current_thread() is not threading.main_thread():
        process.start()
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _run_worker(conn: Connection, name: str, parent: int, serve: Serve,
                args: tuple[Any, ...]) -> None:
    """A worker process: see to it that it ends with its parent, then serve.

    Ctrl-C reaches every process of the terminal (SIGHUP every process of a closed
    terminal); the parent decides what it means, so a worker ignores it instead of printing
    a traceback each or dying under it. (SIGTERM to the whole group, as `timeout` and systemd
    send it, ends the workers at once: their parent stops the scan, keeping what it wrote.)
    """
    for number in _STOPS:
        signal.signal(number, signal.SIG_IGN)
    # (a forked worker inherits the parent's handler, which turns SIGTERM into an interrupt
    # the worker ignores: it would outlive every stop, the exit's too)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)  # (held back by the start)
    _die_with_parent(name)
    for end in _PARENT_ENDS:  # inherited copies (fork): only the parent may hold them
        end.close()
    _PARENT_ENDS.clear()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        return
    with contextlib.suppress(EOFError, BrokenPipeError, ConnectionResetError):
        serve(conn, *args)  # EOF or a broken pipe: the parent has gone, so go too
    conn.close()


def _die_with_parent(name: str) -> None:
    """On Linux, have the kernel kill this process when its parent dies, whatever kills the
    parent (SIGKILL included), and name it (``ps`` and ``top`` show the name). The signal
    comes when the parent's thread that started this process ends: the scan starts its
    workers from its main thread. Elsewhere, end-of-file on the pipe is the signal."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def examine_in_pool(jobs: list[Job], count: int, chunk: int, index: PackIndex,
                    root_name: str, *, idle_seconds: float = 0.5,
                    plan: HashPlan = FULL_HASHING) -> Iterator[Record | None]:
    """Records of ``jobs`` from ``count`` worker processes, ``chunk`` jobs at a time (see
    ``chunk_size``), in the order they are done. Every job gets a record, an error one if
    its worker died. ``plan`` says how much of each file is hashed.

    None comes whenever ``idle_seconds`` pass with no answer (workers deep in large
    files), so the caller can commit what it holds instead of waiting for the next file.
    """
    pending = deque(range(start, min(start + chunk, len(jobs)))
                    for start in range(0, len(jobs), chunk))
    in_flight = _chunks_in_flight(jobs, chunk)
    with WorkerPool[range]("romrunner-hash", _serve, (jobs, index, root_name, plan),
                           min(count, len(pending)), restarts=count) as pool:
        while pool.workers:
            _deal(pool.workers, pending, in_flight)
            if not pool.busy():
                break
            try:
                done, answer = pool.answer(timeout=idle_seconds)
            except queue.Empty:
                yield None
                continue
            if isinstance(answer, bytes):
                yield from pickle.loads(answer)
                continue
            assert isinstance(done, list)
            reason = f"{NOT_EXAMINED}its hashing worker stopped (exit code {answer})"
            for lost in done:
                yield from (_error(jobs[i], reason) for i in lost)
            if pending:
                pool.restart()
        # What no worker could take (every restart used up) is reported, not dropped.
        for left in pending:
            yield from (_error(jobs[i], f"{NOT_EXAMINED}no hashing worker left") for i in left)


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


def _deal(workers: list[_Worker[range]], pending: deque[range], in_flight: int) -> None:
    """Top every worker up to ``in_flight`` chunks, one chunk to each in turn."""
    for _ in range(in_flight):
        for worker in workers:
            if not pending:
                return
            if len(worker.sent) < in_flight:
                worker.send(pending.popleft())


def _error(job: Job, reason: str) -> Record:
    return Record(job, None, [], None, 0, [], reason)


def _serve(conn: Connection, jobs: list[Job], index: PackIndex, root_name: str,
           plan: HashPlan) -> None:
    """A hashing worker's loop: examine each chunk of ``jobs`` it is sent until it is sent
    None."""
    start_worker(index, root_name, plan)
    while (chunk := conn.recv()) is not None:
        conn.send([examine_to_record(job) for job in jobs[chunk.start:chunk.stop]])
