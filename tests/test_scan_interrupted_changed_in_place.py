"""A scan that re-reads files (``--full``) interrupted by Ctrl-C names the files of the
batches it committed whose content changed though their size and time did not (bit rot), as
the uninterrupted scan would have, and none of a batch rolled back: the next scan finds
those committed as they are stored now and cannot name them again (only "interrupted: work
committed so far is kept" was said, and the warning, with the games that lost their hash
match, was lost for good).

The scan runs in a child process that sends itself a real SIGINT inside the transaction of
its third writer batch (batches of 4 files), once that batch's changed files are known."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from romrunner.cli.main import EXIT_INTERRUPTED

_DRIVER = """
import os, signal, sys
from romrunner.library import scan
scan.BATCH_SIZE = 4
original = scan._Writer._say_undecided
calls = [0]
def third_batch_stopped(self, *args, **kwargs):
    calls[0] += 1
    if calls[0] == 3:
        os.kill(os.getpid(), signal.SIGINT)
    return original(self, *args, **kwargs)
scan._Writer._say_undecided = third_batch_stopped
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

FILES = 24


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=300)


def _rotted_library(tmp_path: Path, step: int = 2) -> tuple[Path, list[Path]]:
    """A library of Game Boy files identified by their SHA1 (a DAT of them imported, a full
    scan made), then every other file's (every ``step``-th) first byte changed with its size
    and time kept: the database and the files changed."""
    folder = tmp_path / "lib" / "gb"
    folder.mkdir(parents=True)
    dat = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n']
    files = []
    for number in range(FILES):
        data = os.urandom(4096)
        path = folder / f"Game {number:03} (USA).gb"
        path.write_bytes(data)
        files.append(path)
        dat.append(f'game (\n\tname "Game {number:03} (USA)"\n\trom ( name "{path.name}" '
                   f'size {len(data)} crc {zlib.crc32(data):08x} '
                   f'md5 {hashlib.md5(data).hexdigest()} '
                   f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    (tmp_path / "gb.dat").write_text("".join(dat), encoding="utf-8")
    db = tmp_path / "library.db"
    for args in (("library", "add", str(tmp_path / "lib")),
                 ("dat", "import", str(tmp_path / "gb.dat")),
                 ("scan", "--workers", "1", "--full")):
        done = _cli(db, *args)
        assert done.returncode == 0, (args, done.stderr)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM games WHERE match_method = 'sha1'"
                            ).fetchone() == (FILES,)
    rotted = files[::step]
    for path in rotted:
        stat = path.stat()
        data = bytearray(path.read_bytes())
        data[0] ^= 0xFF
        path.write_bytes(bytes(data))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return db, rotted


def _committed(db: Path, rotted: list[Path]) -> set[str]:
    """The files of ``rotted`` whose new content the database holds."""
    with sqlite3.connect(db) as conn:
        stored = {str(row[0]): row[1] for row in conn.execute(
            "SELECT filepath, file_sha1 FROM games")}
    return {str(path) for path in rotted
            if stored[f"gb/{path.name}"] == hashlib.sha1(path.read_bytes()).hexdigest()}


def _stopped_scan(tmp_path: Path, driver_code: str, mode: str, step: int = 2
                  ) -> tuple[Path, subprocess.CompletedProcess[str], set[str], set[str]]:
    """A `scan --full` (``mode``: "text", "--quiet" or "--json") of :func:`_rotted_library`
    run by ``driver_code``, which stops it in its third batch: the database, the run, and the
    files changed whose new content it committed, and those whose it did not (some of each:
    two batches committed, the third rolled back and the rest never read)."""
    db, rotted = _rotted_library(tmp_path, step)
    driver = tmp_path / "driver.py"
    driver.write_text(driver_code)
    options = [] if mode == "text" else [mode]
    stopped = subprocess.run(
        [sys.executable, str(driver), "--db", str(db), *options, "scan", "--workers", "1",
         "--full"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in stopped.stderr, stopped.stderr
    committed = _committed(db, rotted)
    not_committed = {str(path) for path in rotted} - committed
    assert committed and not_committed, (committed, not_committed)
    return db, stopped, committed, not_committed


@pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")
@pytest.mark.parametrize("mode", ["text", "--quiet", "--json"])
def test_ctrl_c_during_a_full_scan_names_the_committed_files_changed_in_place(
        tmp_path: Path, mode: str) -> None:
    db, stopped, committed, not_committed = _stopped_scan(tmp_path, _DRIVER, mode)
    assert stopped.returncode == EXIT_INTERRUPTED, stopped.stderr
    interrupted = ("interrupted: work committed so far is kept; `romrunner scan --full` "
                   "again finishes it (a plain scan takes up only new and changed files)")
    if mode == "--json":
        document = json.loads(stopped.stdout)
        assert document["ok"] is False and document["errors"] == [interrupted], document
        changed = document["data"]["changed_in_place"]
        assert {item["path"] for item in changed} == committed, changed
        assert all(item["lost_match"] is not None for item in changed), changed
        assert stopped.stderr.strip().splitlines() == [interrupted], stopped.stderr
    else:
        assert stopped.stdout == ""
        lines = stopped.stderr.strip().splitlines()
        assert len(lines) == 2 and lines[0] == interrupted, stopped.stderr
        said = lines[1]
        count = len(committed)
        assert said.startswith(f"{count} file{'s' if count > 1 else ''} changed content "
                               "though"), said
        assert all(path in said for path in committed), said  # (10 or fewer: every one)
        assert not any(path in said for path in not_committed), said
        lost = "it is" if count == 1 else f"{count} of them are ("  # (each, by its name)
        assert f"; {lost}" in said and said.endswith(
            "no longer identified by hash: guessed by name or unidentified now"), said
        assert "--json lists them" not in said  # (the next scan's would not)
    # the scan run again names the rest, each once: together every file changed is said
    again = _cli(db, "--json", "scan", "--workers", "1", "--full")
    assert again.returncode == 0, again.stderr
    assert {item["path"] for item in json.loads(again.stdout)["data"]["changed_in_place"]} \
        == not_committed


_FAILING_DRIVER = _DRIVER.replace(
    "        os.kill(os.getpid(), signal.SIGINT)",
    "        raise OSError(28, 'No space left on device', str(self.db.path))")


@pytest.mark.parametrize("mode", ["text", "--json"])
def test_a_full_scan_stopped_by_an_error_names_the_committed_files_changed_in_place(
        tmp_path: Path, mode: str) -> None:
    """review48d F1: a scan stopped by an error (a full disk) after committing batches said
    only the error: the files of those batches that changed in place were lost for good."""
    _, stopped, committed, not_committed = _stopped_scan(tmp_path, _FAILING_DRIVER, mode)
    assert stopped.returncode not in (0, EXIT_INTERRUPTED), stopped.stderr
    if mode == "--json":
        changed = json.loads(stopped.stdout)["data"]["changed_in_place"]
        assert {item["path"] for item in changed} == committed, changed
    else:
        lines = stopped.stderr.strip().splitlines()
        assert len(lines) == 2 and "No space left on device" in lines[0], stopped.stderr
        assert all(path in lines[1] for path in committed), lines[1]
        assert not any(path in lines[1] for path in not_committed), lines[1]


# The same scan, and a second SIGINT at the first call of ``RR_SECOND`` ("module:function"),
# as a second Ctrl-C pressed while the first one is being said.
_TWICE_DRIVER = _DRIVER.replace("from romrunner.cli.main import main", """
import importlib
module_name, _, function_name = os.environ["RR_SECOND"].partition(":")
module = importlib.import_module(module_name)
second = getattr(module, function_name)
def second_ctrl_c(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    return second(*args, **kwargs)
setattr(module, function_name, second_ctrl_c)
from romrunner.cli.main import main""")

_KEPT = ("interrupted: work committed so far is kept; `romrunner scan --full` again finishes "
         "it (a plain scan takes up only new and changed files)")


@pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")
@pytest.mark.parametrize(("second", "mode", "said"), [
    # while the report of the committed batches is built: the line of what is kept is out
    # already, the second Ctrl-C says itself after it
    ("romrunner.cli.scan_cmd:_said_if_interrupted", "text", [_KEPT, "interrupted"]),
    ("romrunner.cli.scan_cmd:_said_if_interrupted", "--json", [_KEPT, "interrupted"]),
    # before the first Ctrl-C is said at all: what is kept is said all the same
    ("romrunner.cli.main:_interrupted", "text", [_KEPT]),
    ("romrunner.cli.main:_interrupted", "--json", [_KEPT]),
])
def test_a_second_ctrl_c_still_says_the_committed_work_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str, mode: str,
        said: list[str]) -> None:
    """review48d F2: a second Ctrl-C while an interrupted scan was said lost the line "work
    committed so far is kept" (the report was built before it), and in --json the envelope
    said "interrupted: nothing was changed" of the batches committed."""
    monkeypatch.setenv("RR_SECOND", second)
    _, stopped, _, _ = _stopped_scan(tmp_path, _TWICE_DRIVER, mode)
    assert stopped.returncode == EXIT_INTERRUPTED, stopped.stderr
    assert stopped.stderr.strip().splitlines() == said, stopped.stderr
    if mode == "--json":
        document = json.loads(stopped.stdout)  # one document
        assert document["ok"] is False and document["errors"] == [_KEPT], document
        assert document["data"] is None  # (the report was cut short: nothing false in it)
    else:
        assert stopped.stdout == ""


@pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")
def test_an_interrupted_json_scan_builds_no_text_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review48d F2: in --json the interrupted scan built the text line it does not print, one
    more moment in which a second Ctrl-C lost the envelope's data; a second Ctrl-C sent from
    that line's building is never sent now, and the data is whole."""
    monkeypatch.setenv("RR_SECOND", "romrunner.cli.scan_cmd:changed_in_place_line")
    _, stopped, committed, _ = _stopped_scan(tmp_path, _TWICE_DRIVER, "--json")
    assert stopped.returncode == EXIT_INTERRUPTED, stopped.stderr
    document = json.loads(stopped.stdout)
    assert document["errors"] == [_KEPT], document
    assert {item["path"] for item in document["data"]["changed_in_place"]} == committed
    assert stopped.stderr.strip().splitlines() == [_KEPT], stopped.stderr


@pytest.mark.skipif(os.name != "posix", reason="sends itself SIGINT")
def test_a_stopped_scan_names_a_few_of_many_files_changed_in_place_and_counts_the_rest(
        tmp_path: Path) -> None:
    """review48d F3: the stopped scan's line named every file changed in place (1.8 MB in one
    line for 15,000). Every file rotted, three batches committed (12 files): ten are named,
    the rest counted, and the line says where all are listed — not that the next scan's
    --json lists them, which it cannot."""
    driver = _DRIVER.replace("calls[0] == 3", "calls[0] == 4")
    db, stopped, committed, not_committed = _stopped_scan(tmp_path, driver, "text", step=1)
    assert stopped.returncode == EXIT_INTERRUPTED, stopped.stderr
    assert len(committed) == 12, committed
    lines = stopped.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("interrupted: work committed"), lines
    said = lines[1]
    assert said.startswith("12 files changed content though their size and time did not ("), said
    assert sum(path in said for path in committed) == 10 and " and 2 more)" in said, said
    assert not any(path in said for path in not_committed), said
    assert "12 of them are (" in said  # (the games that lost their match: ten named too)
    assert said.endswith("(the next scan cannot name them again; with --json a scan lists "
                         "every one, stopped or not)"), said
    again = _cli(db, "--json", "scan", "--workers", "1", "--full")
    assert {item["path"] for item in json.loads(again.stdout)["data"]["changed_in_place"]} \
        == not_committed
