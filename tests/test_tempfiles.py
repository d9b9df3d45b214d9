"""Temporary files a killed writer left are removed by the next writer, and nothing else is
(romrunner.tempfiles); the real writers (a kept deploy plan, a fixdat) are tested beside their
own tests with :func:`tests.conftest.writer_killed_before_rename`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from romrunner.tempfiles import remove_abandoned
from tests.conftest import writer_killed_before_rename

PATTERN = re.compile(r"\.out\.[a-z]{4}\.tmp")


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
