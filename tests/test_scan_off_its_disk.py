"""A library root found on another file system than at its last completed scan — its disk not
mounted, its mount point scanned instead — is held back whole, whatever files lie there
(review43a F4: a stray file written at one game's path in an unmounted share's mount point
counted as that game found, and the share's other games were marked missing, exit 0).

Real tmpfs mounts (root only: skipped with the reason otherwise)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faultsuite import _mount_tmpfs, _umount

GAMES = 12


def _content(seed: int) -> bytes:
    return hashlib.sha256(f"share game {seed}".encode()).digest() * 128


def _name(seed: int) -> str:
    return f"GBA/Share Game {seed:02d} (USA).gba"


@pytest.fixture
def share(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs mounted at ``tmp_path/share``, unmounted at the end whatever happened."""
    where = tmp_path / "share"
    reason = _mount_tmpfs(where, "8m")
    if reason:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {reason}")
    try:
        yield where
    finally:
        _umount(where)
        _umount(where)


def _fill(share: Path) -> dict[str, int]:
    """The share's games, written with fixed times (a disk keeps its files' times): path ->
    time in ns."""
    times = {}
    for seed in range(GAMES):
        path = share / _name(seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_content(seed))
        stamp = 1_600_000_000_000_000_000 + seed * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
        times[_name(seed)] = stamp
    return times


def _missing(cli: Any) -> list[str]:
    listed = cli("--json", "games", "ls", "--missing")
    assert listed.code == 0, listed.err
    return sorted(game["filepath"] for game in listed.json()["data"]["games"])


def test_a_stray_file_at_a_games_path_in_an_unmounted_shares_folder_marks_nothing_missing(
        cli: Any, share: Path) -> None:
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    first = cli("--json", "scan", "--workers", "1")
    assert first.code == 0, first.err
    assert first.json()["data"]["added"] == GAMES
    _umount(share)
    assert not os.path.ismount(share)
    stray = share / _name(3)  # (a sync tool, or a download, wrote there while it was away)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not the share's game" * 50)
    held = cli("--json", "scan", "--workers", "1")
    assert held.code != 0
    said = " ".join(held.json()["data"]["problems"])
    assert str(share) in said and "not mounted?" in said
    assert "--accept-missing" in said
    assert _missing(cli) == []
    stored = {game["filename"]: game for game in cli(
        "--json", "games", "ls").json()["data"]["games"]}
    assert len(stored) == GAMES
    assert stored[Path(_name(3)).name]["file_size"] == len(_content(3))  # (not the stray's)
    # the disk back at its mount point: scanned as usual, nothing missing, nothing new
    assert _mount_tmpfs(share, "8m") == ""
    _fill(share)
    back = cli("--json", "scan", "--workers", "1")
    assert back.code == 0, back.err
    assert back.json()["data"]["added"] == 0 and _missing(cli) == []


def test_accept_missing_takes_the_library_where_it_lies_now(cli: Any, share: Path) -> None:
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    _umount(share)
    stray = share / _name(3)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"the library as it is now" * 40)
    taken = cli("--json", "scan", "--workers", "1", "--accept-missing", str(share))
    assert taken.code == 0, taken.err
    assert len(_missing(cli)) == GAMES - 1
    # recorded where it lies now: the next scan is a plain one, nothing held
    again = cli("--json", "scan", "--workers", "1")
    assert again.code == 0, again.err
    assert again.json()["data"]["problems"] == []


def test_a_root_moved_to_another_disk_is_not_held_for_having_been_elsewhere(
        cli: Any, share: Path, tmp_path: Path) -> None:
    """`library move` to a copy on another disk whose files' times were not kept (every file
    rewritten, by its time): its next scan reads them, it holds nothing back."""
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    copy = tmp_path / "copy"
    for seed in range(GAMES):
        (copy / _name(seed)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(share / _name(seed), copy / _name(seed))
    moved = cli("library", "move", str(share), str(copy))
    assert moved.code == 0, moved.err
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["problems"] == [] and _missing(cli) == []
