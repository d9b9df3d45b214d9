"""The hashing pool: every file answered once, work dealt evenly, a dead worker survived."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from pathlib import Path

import pytest

from romrunner.library.examine import Job, not_read
from romrunner.library.record import ROW_COLUMNS
from romrunner.library.workers import (
    _chunks_in_flight,
    _deal,
    examine_in_pool,
)
from romrunner.packs import load_pack


def small_files(folder: Path, count: int) -> list[Job]:
    folder.mkdir(parents=True)
    jobs = []
    for number in range(count):
        path = folder / f"Game {number} (USA).gba"
        path.write_bytes(hashlib.sha256(str(number).encode()).digest() * (8 + number % 5))
        info = path.stat()
        jobs.append(Job(str(path), f"gba/{path.name}", info.st_size, info.st_mtime_ns))
    return jobs


def test_every_job_gets_exactly_one_record_with_its_own_hashes(tmp_path: Path) -> None:
    jobs = small_files(tmp_path / "gba", 300)
    records = [r for r in examine_in_pool(jobs, 2, 7, load_pack(None).index, "roms") if r]
    assert sorted(r.job.relpath for r in records) == sorted(j.relpath for j in jobs)
    for record in records:
        assert record.error is None and record.row is not None
        assert record.sha1 == hashlib.sha1(Path(record.job.path).read_bytes()).hexdigest()
        assert record.row[ROW_COLUMNS.index("platform_id")] == "gba"  # from the folder name


def test_a_worker_that_dies_costs_its_files_not_the_scan(tmp_path: Path) -> None:
    """A worker busy on a file (here a sparse 256 GiB file: minutes of hashing, like a
    slow network share; a FIFO no longer blocks a worker) is killed, as the OOM killer or a
    user would: its file is reported, the rest are stored, and the pool does not wait for
    ever (multiprocessing.Pool would)."""
    jobs = small_files(tmp_path / "gba", 4)
    stuck = tmp_path / "gba" / "Stuck (USA).gba"
    with stuck.open("wb") as handle:
        handle.truncate(256 << 30)
    # Last: nothing queues behind it. (Its real time: a file not as the walk saw it is not
    # read at all.)
    jobs.append(Job(str(stuck), "gba/Stuck (USA).gba", 256 << 30, stuck.stat().st_mtime_ns))
    records = (r for r in examine_in_pool(jobs, 2, 1, load_pack(None).index, "roms",
                                          idle_seconds=0.05) if r is not None)
    done = [next(records) for _ in range(4)]
    assert all(r.error is None for r in done)
    for child in multiprocessing.active_children():
        child.kill()
    rest = list(records)
    assert [r.job.relpath for r in rest] == ["gba/Stuck (USA).gba"]
    assert rest[0].row is None and rest[0].error is not None
    assert rest[0].error.startswith("not examined: its hashing worker stopped")
    assert not_read(rest[0].error) and not rest[0].damaged  # (no verdict on its data)
    assert multiprocessing.active_children() == []


class Holder:
    """What ``_deal`` sees of a worker: the chunks it holds."""

    def __init__(self) -> None:
        self.sent: deque[range] = deque()

    def send(self, chunk: range) -> None:
        self.sent.append(chunk)


def test_large_files_are_dealt_in_turn_and_few_at_a_time() -> None:
    discs = [Job(f"/d/{i}.iso", f"{i}.iso", 700 << 20, 0) for i in range(40)]
    in_flight = _chunks_in_flight(discs, 1)
    assert in_flight == 2
    workers = [Holder(), Holder()]
    pending = deque(range(i, i + 1) for i in range(len(discs)))
    _deal(workers, pending, in_flight)  # type: ignore[arg-type]
    assert [len(w.sent) for w in workers] == [2, 2]
    assert [c.start for c in workers[0].sent] == [0, 2]  # one each, in turn
    assert len(pending) == 36


def test_small_files_keep_a_writer_batch_in_flight() -> None:
    carts = [Job(f"/c/{i}.gb", f"{i}.gb", 32 << 10, 0) for i in range(100_000)]
    in_flight = _chunks_in_flight(carts, 256)
    assert in_flight > 2 and in_flight * 256 <= 4096


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process group")
@pytest.mark.parametrize("how", [(), ("--verify",)])
def test_ctrl_c_during_a_pooled_scan_keeps_what_was_committed(
        tmp_path: Path, how: tuple[str, ...]) -> None:
    """Ctrl-C reaches the scan and its workers (one process group, as in a terminal) while
    the workers are deep in two large discs: the small files hashed before are already
    committed, the command says so in one line, and no worker is left behind."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    small_files(tmp_path / "roms" / "gba", 200)
    discs = tmp_path / "roms" / "psp"
    discs.mkdir()
    for name in ("Big One (USA).iso", "Big Two (USA).iso"):
        with (discs / name).open("wb") as handle:  # sparse: seconds to hash, no disk used
            handle.truncate(8 << 30)
    db = tmp_path / "r.db"
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "--quiet"]
    subprocess.run([*command, "library", "add", str(tmp_path / "roms")], check=True)
    scan = subprocess.Popen([*command, "scan", "--workers", "2", *how], stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    stored = 0
    while stored < 200 and scan.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT count(*) FROM games").fetchone()[0]
    assert scan.poll() is None, "the scan ended before it could be interrupted"
    assert stored == 200  # committed on time while the discs are still hashing
    os.killpg(scan.pid, signal.SIGINT)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == 130
    # (QA18: after a --full or --verify, a plain scan does not finish what it began)
    finish = "; `romrunner scan --verify` again finishes it (a plain scan takes up only new " \
        "and changed files)" if how else \
        "; `romrunner scan` again carries on (the files stored are not read again)"
    assert "Traceback" not in err and err.strip().splitlines() == [
        "interrupted: work committed so far is kept" + finish]
    with pytest.raises(ProcessLookupError):
        os.killpg(scan.pid, 0)  # no worker outlived the scan
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*), count(file_sha1) FROM games "
                            "WHERE filepath LIKE 'gba/%'").fetchone() == (200, 200)
        assert conn.execute("SELECT count(*) FROM games WHERE filepath LIKE 'psp/%'"
                            ).fetchone() == (0,)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process group")
def test_ctrl_c_during_a_dat_import_says_nothing_was_changed(tmp_path: Path) -> None:
    """QA13: Ctrl-C during `dat import` (one transaction: nothing of the DAT is kept) said
    "work committed so far is kept", as if part of the catalog were there."""
    import signal
    import subprocess
    import sys
    import time
    dat = tmp_path / "big.dat"
    with dat.open("w", encoding="utf-8") as handle:  # ~6 s to import on this machine
        handle.write('clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n)\n')
        for n in range(150_000):
            handle.write(f'game (\n\tname "G{n} (USA)"\n\trom ( name "G{n} (USA).gba" size '
                         f'{1000 + n} crc {n:08x} )\n)\n')
    db = tmp_path / "r.db"
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db)]
    subprocess.run([*command, "db", "init"], check=True, capture_output=True)
    started = subprocess.Popen([*command, "dat", "import", str(dat)], stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    time.sleep(1.5)  # into the import (the start-up is ~0.5 s)
    if started.poll() is not None:
        pytest.skip("the import finished before it could be interrupted")
    os.killpg(started.pid, signal.SIGINT)
    _, err = started.communicate(timeout=60)
    assert started.returncode == 130
    assert err.strip().splitlines() == ["interrupted: nothing was changed"], err
    listed = subprocess.run([*command, "--json", "dat", "ls"], capture_output=True, text=True)
    assert '"data": []' in listed.stdout, listed.stdout
