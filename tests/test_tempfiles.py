"""Temporary files a killed writer left are removed by the next writer, and nothing else is
(romrunner.tempfiles); the real writers (a kept deploy plan, a fixdat) are tested beside their
own tests with :func:`tests.conftest.writer_killed_before_rename`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.reports import _write_atomically
from romrunner.tempfiles import remove_abandoned
from tests.conftest import writer_killed_before_rename

PATTERN = re.compile(r"\.out\.[a-z]{4}\.tmp")
FIXDAT_TEMPORARY = r"\.fix\.dat\.rr-[a-z0-9_]{8}\.tmp"  # (the temporary files of fix.dat)


def test_only_unheld_files_of_the_pattern_are_removed(tmp_path: Path) -> None:
    abandoned = tmp_path / ".out.abcd.tmp"
    abandoned.write_bytes(b"partial")
    kept = {name: tmp_path / name for name in (
        "out", ".out.abcd.tmp.bak", "x.out.abcd.tmp", ".out.ab.tmp", ".out.ABCD.tmp")}
    for path in kept.values():
        path.write_bytes(b"the user's")
    (tmp_path / ".out.dirs.tmp").mkdir()  # a folder of that name: not ours
    (tmp_path / ".out.link.tmp").symlink_to(tmp_path / "out")  # a link: never followed
    assert remove_abandoned(tmp_path, PATTERN) == 1
    assert not abandoned.exists()
    assert all(path.read_bytes() == b"the user's" for path in kept.values())
    assert (tmp_path / ".out.dirs.tmp").is_dir() and (tmp_path / ".out.link.tmp").is_symlink()
    assert remove_abandoned(tmp_path / "absent", PATTERN) == 0


def test_a_file_a_running_writer_holds_is_kept_until_it_is_killed(tmp_path: Path) -> None:
    target = tmp_path / "out"
    code = ("import os\nfrom romrunner.tempfiles import hold\n"
            f"fd = os.open({str(tmp_path / '.out.abcd.tmp')!r}, os.O_WRONLY | os.O_CREAT)\n"
            "hold(fd)\nos.write(fd, b'half')\nos.replace('/nonexistent', TARGET)\n")
    with writer_killed_before_rename(target, code):
        assert remove_abandoned(tmp_path, PATTERN) == 0
        assert (tmp_path / ".out.abcd.tmp").read_bytes() == b"half"
    assert (tmp_path / ".out.abcd.tmp").exists()  # (as the killed writer left it)
    assert remove_abandoned(tmp_path, PATTERN) == 1
    assert os.listdir(tmp_path) == []


# A cleaner (another command writing to that folder) run as a real process; with PAUSE it
# stops, the lock taken, just before it removes the file, until a line is written to it.
_CLEANER = """
import re, sys
from pathlib import Path
from romrunner.tempfiles import remove_abandoned
if sys.argv[3] == "PAUSE":
    def _pause(event, args):
        if event == "os.remove":
            print("locked", flush=True)
            sys.stdin.readline()
    sys.addaudithook(_pause)
print(remove_abandoned(Path(sys.argv[1]), re.compile(sys.argv[2])), flush=True)
"""


def _cleaner(folder: Path, pattern: str, pause: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CLEANER, str(folder), pattern, "PAUSE" if pause else "RUN"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_a_fixdat_whose_new_temporary_file_a_cleaner_removes_before_its_lock_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review45c F2: a second fixdat to the same output, started at the same instant, removed
    the first's temporary file between its making and its lock (no lock held: taken for a
    dead writer's), and the first failed "cannot be written". Here a real cleaner process
    runs in that instant, every time: the writer makes another file and writes the output."""
    out = tmp_path / "fix.dat"
    made: list[str] = []
    removed: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_clean(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)
        made.append(name)
        if len(made) == 1:  # (the first one only: a cleaner in the gap)
            cleaner = _cleaner(tmp_path, FIXDAT_TEMPORARY, pause=False)
            removed.append(cleaner.communicate(timeout=60)[0].strip())
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_clean)
    _write_atomically(out, "the fixdat")
    assert removed == ["1"] and not os.path.exists(made[0])  # (the cleaner did remove it)
    assert out.read_text() == "the fixdat" and os.listdir(tmp_path) == ["fix.dat"]


def test_a_new_temporary_file_a_cleaner_holds_when_it_is_locked_is_left_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review45c F2, the other order: the cleaner has locked the writer's new file (and is
    about to remove it) when the writer tries to: the writer leaves that file to the cleaner
    and makes another, which it puts in place."""
    out = tmp_path / "fix.dat"
    made: list[str] = []
    real_mkstemp = tempfile.mkstemp
    cleaners: list[subprocess.Popen[str]] = []

    def mkstemp_then_clean(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)
        made.append(name)
        if len(made) == 1:
            cleaners.append(_cleaner(tmp_path, FIXDAT_TEMPORARY, pause=True))
            stdout = cleaners[0].stdout
            assert stdout is not None and stdout.readline() == "locked\n"
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_clean)
    try:
        _write_atomically(out, "the fixdat")
        assert len(made) == 2 and out.read_text() == "the fixdat"
    finally:
        for cleaner in cleaners:
            assert cleaner.communicate("go\n", timeout=60)[0].strip() == "1"
    assert os.listdir(tmp_path) == ["fix.dat"]
