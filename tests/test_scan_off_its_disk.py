"""A library root found on another file system than at its last completed scan — its disk not
mounted, its mount point scanned instead — is held back whole, whatever files lie there
(review43a F4: a stray file written at one game's path in an unmounted share's mount point
counted as that game found, and the share's other games were marked missing, exit 0).

Real tmpfs mounts (root only: skipped with the reason otherwise)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mounted_tmpfs
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
    with mounted_tmpfs(where, "8m"):
        try:
            yield where
        finally:
            _umount(where)  # (a second mount a test stacked on it)


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
    assert held.code == 2
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


def _stray_in(share: Path) -> None:
    """The share unmounted, a file written at one of its games' paths in its mount point."""
    _umount(share)
    assert not os.path.ismount(share)
    stray = share / _name(3)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"a stray, not the share's game" * 40)


def test_a_mount_recorded_while_the_share_was_away_does_not_hold_it_once_back(
        cli: Any, share: Path, db_path: Path) -> None:
    """review46a F1: a database from before the mount was recorded, scanned while the share
    was away (the older rules: its games marked missing, the system disk recorded as its
    mount): the share mounted again is scanned as usual, its games found again — never
    "that disk not mounted?" of a disk mounted now."""
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    with sqlite3.connect(db_path) as conn:  # (as a database upgraded from v1.3.23)
        conn.execute("UPDATE library_roots SET mount = NULL")
    _stray_in(share)
    assert cli("scan", "--workers", "1").code == 0
    assert len(_missing(cli)) == GAMES - 1
    (share / _name(3)).unlink()
    assert _mount_tmpfs(share, "8m") == ""
    _fill(share)
    back = cli("--json", "scan", "--workers", "1")
    assert back.code == 0, back.err
    assert back.json()["data"]["problems"] == [] and _missing(cli) == []


def test_a_library_copied_with_its_times_onto_the_disk_below_is_scanned_as_usual(
        cli: Any, share: Path, tmp_path: Path) -> None:
    """The rule holds a root found on the disk below only when fewer than half of its files
    are found as they were: the share's library copied, times kept, into the folder once its
    mount point (the share retired) is the library, scanned as usual."""
    times = _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    kept = tmp_path / "kept"
    shutil.copytree(share, kept)
    _umount(share)
    shutil.copytree(kept, share, dirs_exist_ok=True)
    for name, stamp in times.items():
        os.utime(share / name, ns=(stamp, stamp))
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["problems"] == [] and _missing(cli) == []


def test_a_share_held_back_keeps_its_games_from_their_copies_in_another_root(
        cli: Any, share: Path, tmp_path: Path) -> None:
    """A copy of one of the held share's games in another root scanned with it is a game of
    that root: the share's game is not taken for moved there (its disk is away, not its
    files)."""
    _fill(share)
    local = tmp_path / "local"
    local.mkdir()
    assert cli("library", "add", str(share)).code == 0
    assert cli("library", "add", str(local)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    _stray_in(share)
    copy = local / "GBA" / "Copy.gba"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(_content(5))
    held = cli("--json", "scan", "--workers", "1")
    assert held.code == 2
    games = {game["filepath"]: game for game in cli(
        "--json", "games", "ls", "--limit", "100").json()["data"]["games"]}
    assert _name(5) in games and "GBA/Copy.gba" in games
    assert games[_name(5)]["id"] != games["GBA/Copy.gba"]["id"]
    assert _missing(cli) == []


def test_an_unmounted_bind_mount_with_a_stray_is_held_back(cli: Any, tmp_path: Path) -> None:
    """review46a F3: a bind mount of a folder of the same disk has that disk's device number:
    the system's list of mounts tells it, unmounted, from the folder it was mounted on."""
    source, share = tmp_path / "data", tmp_path / "share"
    source.mkdir()
    share.mkdir()
    _fill(source)
    bound = subprocess.run(["mount", "--bind", str(source), str(share)], capture_output=True,
                           text=True)
    if bound.returncode != 0:
        pytest.skip(f"a bind mount cannot be made here (needs root): {bound.stderr.strip()}")
    try:
        assert cli("library", "add", str(share)).code == 0
        assert cli("scan", "--workers", "1").code == 0
        _stray_in(share)
        held = cli("--json", "scan", "--workers", "1")
        assert held.code == 2, held.out
        assert _missing(cli) == []
    finally:
        _umount(share)


def test_a_library_put_on_a_disk_of_its_own_is_not_held_for_its_new_times(
        cli: Any, tmp_path: Path) -> None:
    """review46a F5: a library copied onto a disk of its own mounted where it was (times not
    kept: every file rewritten, by its time) lies on a disk mounted below its old place, not
    on one it fell back to: scanned as usual, never "that disk not mounted?"."""
    root = tmp_path / "roms"
    _fill(root)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    kept = tmp_path / "kept"
    shutil.copytree(root, kept)
    with mounted_tmpfs(root, "8m"):
        for seed in range(GAMES):
            (root / _name(seed)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept / _name(seed), root / _name(seed))
        scanned = cli("--json", "scan", "--workers", "1")
        assert scanned.code == 0, scanned.err
        assert scanned.json()["data"]["problems"] == [] and _missing(cli) == []


def test_a_held_share_forgets_none_of_its_games_whatever_its_mount_point_holds(
        cli: Any, share: Path) -> None:
    """review46a F4: what the walk of the mount point no longer takes for games (a folder of
    a card's, by its `.romrunner` record) was counted as the share's files found, and its
    games forgotten, exit 0."""
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    _umount(share)
    record = share / "GBA" / ".romrunner" / "destination-id"
    record.parent.mkdir(parents=True)
    record.write_text("a card's\n")
    held = cli("--json", "scan", "--workers", "1")
    assert held.code == 2, held.out
    listed = cli("--json", "games", "ls", "--limit", "100").json()["data"]["games"]
    assert len(listed) == GAMES and _missing(cli) == []


def test_a_platform_folder_on_a_disk_of_its_own_unmounted_with_a_stray_is_held_back(
        cli: Any, tmp_path: Path) -> None:
    """review46a F2: a folder of the root that is a mount point (a platform's games on a disk
    of their own), unmounted with a stray at one of its games' paths: 11 of its 12 games
    were marked missing, exit 0, the stray stored over its game. The folder is held back;
    the root's other games are scanned as usual."""
    root = tmp_path / "lib"
    (root / "GB").mkdir(parents=True)
    (root / "GB" / "Local (USA).gb").write_bytes(b"a local game" * 100)
    folder = root / "PSX"
    with mounted_tmpfs(folder, "8m"):
        _fill(folder)
        assert cli("library", "add", str(root)).code == 0
        assert cli("scan", "--workers", "1").code == 0
        _umount(folder)
        assert not os.path.ismount(folder)
        stray = folder / _name(3)
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"a stray, not the folder's game" * 40)
        (root / "GB" / "New (USA).gb").write_bytes(b"a new local game" * 100)
        held = cli("--json", "scan", "--workers", "1")
        assert held.code == 2, held.out
        data = held.json()["data"]
        assert any(str(folder) in line and "not mounted?" in line for line in data["problems"])
        assert data["added"] == 1  # (the root's own new game: scanned as usual)
        assert _missing(cli) == []
        games = {game["filepath"]: game for game in cli(
            "--json", "games", "ls", "--limit", "100").json()["data"]["games"]}
        assert games[f"PSX/{_name(3)}"]["file_size"] == len(_content(3))
        stray.unlink()
        assert _mount_tmpfs(folder, "8m") == ""
        _fill(folder)
        back = cli("--json", "scan", "--workers", "1")
        assert back.code == 0, back.err
        assert back.json()["data"]["problems"] == [] and _missing(cli) == []


def test_a_share_hidden_by_a_disk_mounted_over_its_parent_is_held_back(
        cli: Any, tmp_path: Path) -> None:
    """review46c F1: the system still lists a mount another was mounted over (here, over the
    folder above it): the share, hidden, was taken for mounted, and 11 of its 12 games were
    marked missing, the stray stored over a game, exit 0."""
    outer, share = tmp_path / "outer", tmp_path / "outer" / "nas"
    reason = _mount_tmpfs(share, "8m")
    if reason:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {reason}")
    try:
        _fill(share)
        assert cli("library", "add", str(share)).code == 0
        assert cli("scan", "--workers", "1").code == 0
        assert _mount_tmpfs(outer, "8m") == ""  # (another disk, over the share's parent)
        stray = share / _name(3)
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"a stray, not the share's game" * 40)
        held = cli("--json", "scan", "--workers", "1")
        assert held.code == 2, held.out
        assert _missing(cli) == []
    finally:
        _umount(outer)
        _umount(share)


def _folder_on_its_disk(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """A root on the system disk with one local game, and its folder PSX a disk of its own
    holding the 12 games, scanned: (root, folder). The caller unmounts it."""
    root = tmp_path / "lib"
    (root / "GB").mkdir(parents=True)
    (root / "GB" / "Local (USA).gb").write_bytes(b"a local game" * 100)
    folder = root / "PSX"
    reason = _mount_tmpfs(folder, "8m")
    if reason:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {reason}")
    _fill(folder)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root, folder


def test_a_folders_disk_retired_its_games_kept_on_the_root_are_scanned_as_usual(
        cli: Any, tmp_path: Path) -> None:
    """The folder rule's threshold: the disk's games copied, times kept, into the folder once
    its mount point are found as they were: not held."""
    _, folder = _folder_on_its_disk(cli, tmp_path)
    kept = tmp_path / "kept"
    try:
        shutil.copytree(folder, kept, copy_function=shutil.copy2)
    finally:
        _umount(folder)
    shutil.copytree(kept, folder, dirs_exist_ok=True, copy_function=shutil.copy2)
    same = cli("--json", "scan", "--workers", "1")
    assert same.code == 0 and same.json()["data"]["problems"] == [], same.out
    assert _missing(cli) == []


def test_a_folders_disk_retired_its_games_moved_to_another_folder_are_followed(
        cli: Any, tmp_path: Path) -> None:
    """review46c F2: the disk's games copied (times kept) to another folder of the root, the
    disk unmounted and its mount point removed: the folder is gone, not away — its games are
    followed to their new folder as the older rules follow a folder renamed (it was held at
    every scan, "its disk not mounted?", and the games stored again as new ones)."""
    root, folder = _folder_on_its_disk(cli, tmp_path)
    try:
        shutil.copytree(folder, root / "PS1", copy_function=shutil.copy2)
    finally:
        _umount(folder)
    folder.rmdir()
    moved = cli("--json", "scan", "--workers", "1")
    assert moved.code == 0, moved.out
    data = moved.json()["data"]
    assert (data["problems"], data["added"], data["renamed"]) == ([], 0, GAMES)
    assert _missing(cli) == []


def test_accept_missing_releases_a_folder_held_off_its_disk(cli: Any, tmp_path: Path) -> None:
    root, folder = _folder_on_its_disk(cli, tmp_path)
    _umount(folder)
    stray = folder / _name(3)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"a stray, not the folder's game" * 40)
    assert cli("scan", "--workers", "1").code == 2
    taken = cli("--json", "scan", "--workers", "1", "--accept-missing", str(root))
    assert taken.code == 0, taken.err
    assert len(_missing(cli)) == GAMES - 1
    again = cli("--json", "scan", "--workers", "1")
    assert again.code == 0 and again.json()["data"]["problems"] == []


_SHEET = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_a_mount_point_holding_the_shares_disc_sheets_alone_is_not_the_share(
        cli: Any, share: Path, tmp_path: Path) -> None:
    """review46c F4: a disc whose sheet is found as it was, its track not, was counted found
    (twice): a mount point holding the share's sheets alone was taken for the share, its
    discs marked missing."""
    for seed in range(4):
        bin_name = f"Disc Game {seed} (USA).bin"
        (share / "PSX").mkdir(exist_ok=True)
        (share / "PSX" / bin_name).write_bytes(bytes([seed + 1]) * 2352 * 4)
        (share / "PSX" / f"Disc Game {seed} (USA).cue").write_text(_SHEET.format(bin_name))
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for cue in (share / "PSX").glob("*.cue"):
        shutil.copy2(cue, sheets / cue.name)
    _umount(share)
    (share / "PSX").mkdir(parents=True)
    for cue in sheets.iterdir():
        shutil.copy2(cue, share / "PSX" / cue.name)
    held = cli("--json", "scan", "--workers", "1")
    assert held.code == 2, held.out
    assert _missing(cli) == []


def test_the_mount_a_path_shows_is_read_from_the_systems_list_in_mount_order(
        tmp_path: Path) -> None:
    """review46e F1: a btrfs mount's listed device is not the one `stat` gives, so no btrfs
    mount counted as shown; what a path shows is the last mounted of the mounts covering it
    (one mounted over it or over a folder above it since hides it), by the list alone."""
    from romrunner.devices.mounts import mount_points, shown_at

    listed = tmp_path / "mountinfo"
    lines = ["22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
             "30 22 0:40 /@roms /mnt/my\\040nas rw - btrfs /dev/loop0 rw",
             "31 30 0:41 / /mnt/my\\040nas/psx rw - btrfs /dev/loop1 rw"]
    listed.write_text("\n".join(lines) + "\n")
    points = mount_points(listed)
    assert points is not None and points.points == ["/", "/mnt/my nas", "/mnt/my nas/psx"]
    assert shown_at("/mnt/my nas/roms", points) == "/mnt/my nas"
    assert shown_at("/mnt/my nas/psx/a", points) == "/mnt/my nas/psx"
    assert shown_at("/home/u", points) == "/"
    listed.write_text("\n".join([*lines, "40 22 0:50 / /mnt rw - tmpfs tmpfs rw"]) + "\n")
    points = mount_points(listed)  # (a disk mounted over /mnt since: the share hidden)
    assert points is not None and shown_at("/mnt/my nas/roms", points) == "/mnt"
    assert mount_points(tmp_path / "absent") is None


def _shown(tmp_path: Path, lines: list[str], path: str) -> str | None:
    from romrunner.devices.mounts import mount_points, shown_at

    listed = tmp_path / "mountinfo"
    listed.write_text("\n".join(lines) + "\n")
    points = mount_points(listed)
    assert points is not None
    return shown_at(path, points)


def test_a_mount_moved_under_a_later_one_is_shown_wherever_it_lies_in_the_list(
        tmp_path: Path) -> None:
    """A share mounted elsewhere, then moved (`mount --move`) into a folder of a disk
    mounted after it, keeps its early place in the system's list: taken by the list's order
    for hidden by that disk, the share recorded the disk's mount as its own. The system
    walks a path from the root: into /mnt's disk, then into the share mounted on it."""
    lines = ["22 1 8:1 / / rw - ext4 /dev/sda1 rw",
             "30 40 0:40 / /mnt/nas rw - nfs4 nas:/roms rw",  # (moved: its parent is 40)
             "40 22 0:50 / /mnt rw - ext4 /dev/sdb1 rw"]
    assert _shown(tmp_path, lines, "/mnt/nas/psx/a.cue") == "/mnt/nas"
    assert _shown(tmp_path, lines, "/mnt/other") == "/mnt"
    hidden = ["22 1 8:1 / / rw - ext4 /dev/sda1 rw",
              "30 22 0:40 / /mnt/nas rw - nfs4 nas:/roms rw",  # (mounted before /mnt's disk)
              "40 22 0:50 / /mnt rw - ext4 /dev/sdb1 rw"]
    assert _shown(tmp_path, hidden, "/mnt/nas/psx/a.cue") == "/mnt"
    stacked = [*hidden[:2], "41 30 0:60 / /mnt/nas rw - tmpfs tmpfs rw",
               "42 30 0:61 / /mnt/nas/psx rw - tmpfs tmpfs rw"]  # (under 41, not reached)
    assert _shown(tmp_path, stacked, "/mnt/nas/psx/a.cue") == "/mnt/nas"
    from romrunner.devices.mounts import mount_of, mount_points
    listed = tmp_path / "mountinfo"
    listed.write_text("\n".join(stacked) + "\n")
    table = mount_points(listed)
    assert table is not None and table.shown_at("/mnt/nas/psx/a.cue").id == 41  # type: ignore[union-attr]
    assert mount_of(Path("/mnt/nas/psx"), listed).fs_type == "tmpfs"  # type: ignore[union-attr]
    looping = ["22 1 8:1 / / rw - ext4 /dev/sda1 rw", "30 30 0:40 / / rw - ext4 x rw"]
    assert _shown(tmp_path, looping, "/a") == "/"  # (a list that loops ends)


def test_a_chroots_list_and_a_mount_over_the_root_are_read_as_the_system_walks_them(
        tmp_path: Path) -> None:
    """review47a F1: in a chroot the list names no `/` — nothing was found mounted (a card
    on tmpfs got FAT's names, an unmounted folder's games were marked missing): the list's
    order is read, as before. F4: a mount over `/` since (`mount --bind / /`) is not the
    process's root, whose walk starts below it."""
    chroot = ["40 30 0:50 /srv/jail/proc /proc rw - proc proc rw",
              "41 30 0:51 / /media/card rw - tmpfs tmpfs rw"]
    assert _shown(tmp_path, chroot, "/media/card/roms") == "/media/card"
    assert _shown(tmp_path, chroot, "/proc/self") == "/proc"
    assert _shown(tmp_path, chroot, "/home/u") is None
    over_root = ["22 1 8:1 / / rw - ext4 /dev/sda1 rw",
                 "23 22 0:5 / /proc rw - proc proc rw",
                 "60 22 8:1 / / rw - ext4 /dev/sda1 rw"]  # (bound over / after /proc)
    assert _shown(tmp_path, over_root, "/proc/self") == "/proc"


def test_a_share_moved_into_a_disk_mounted_after_it_is_recorded_at_its_own_place(
        tmp_path: Path) -> None:
    """The same with real mounts (root only): the share's mount is what a scan records."""
    from romrunner.devices.mounts import mount_points
    from romrunner.library.roots import mount_point_of

    first, outer = tmp_path / "first", tmp_path / "outer"
    reason = _mount_tmpfs(first, "8m")
    if reason:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {reason}")
    moved = outer / "nas"
    try:
        assert _mount_tmpfs(outer, "8m") == ""
        moved.mkdir()
        done = subprocess.run(["mount", "--move", str(first), str(moved)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"mount --move is refused here: {done.stderr.strip()}")
        assert mount_point_of(moved / "GBA", mount_points()) == str(moved)
        assert mount_point_of(outer / "other", mount_points()) == str(outer)
    finally:
        _umount(moved)
        _umount(outer)
        _umount(first)


def _listed(cli: Any) -> tuple[dict[str, Any], str]:
    """``library ls``: its one root's JSON entry, and its text."""
    data, text = cli("--json", "library", "ls"), cli("library", "ls")
    assert data.code == 0 and text.code == 0, data.err + text.err
    (entry,) = data.json()["data"]
    return entry, text.out


def test_library_ls_says_a_roots_disk_is_not_mounted_now(cli: Any, share: Path) -> None:
    """review46c F8: a root whose disk is not mounted (what a scan holds back) was listed as
    any other, and `--json` had no field to tell it."""
    _fill(share)
    assert cli("library", "add", str(share)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    entry, text = _listed(cli)
    assert (entry["state"], entry["there"], entry["unmounted"], entry["mount"]) == (
        "ok", True, None, str(share))
    assert "not mounted now" not in text
    _umount(share)
    stray = share / _name(3)  # (a folder holding something: there, on the disk below)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"a stray" * 40)
    entry, text = _listed(cli)
    assert (entry["state"], entry["there"], entry["unmounted"]) == (
        "unmounted", False, str(share))
    assert f"(mounted at {share}) is not mounted now" in text and "--accept-missing" in text
    shutil.rmtree(share / "GBA")  # (the mount point empty: what a scan holds back too)
    entry, text = _listed(cli)
    assert (entry["state"], entry["unmounted"]) == ("unmounted", str(share))
    assert "is not mounted now" in text
    share.rmdir()  # (no folder at all: moved? `library move` says where it is now)
    try:
        entry, text = _listed(cli)
        assert (entry["state"], entry["there"]) == ("not_found", False)
        assert "not found" in text and "library move" in text
    finally:
        share.mkdir()


def test_library_ls_names_a_folder_whose_disk_is_not_mounted_now(cli: Any,
                                                                 tmp_path: Path) -> None:
    _, folder = _folder_on_its_disk(cli, tmp_path)
    try:
        entry, text = _listed(cli)
        assert entry["folders_unmounted"] == [] and "not mounted now" not in text
        _umount(folder)
        entry, text = _listed(cli)
        assert (entry["state"], entry["there"], entry["unmounted"]) == (
            "folders_unmounted", True, None)
        assert entry["folders_unmounted"] == ["PSX"]
        assert "1 folder on a disk of its own at its last scan, not mounted now (PSX)" in text
        assert "if its files lie here now" in text
    finally:
        _umount(folder)


def test_library_ls_says_nothing_of_an_empty_root_not_scanned_yet(cli: Any,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert cli("library", "add", str(tmp_path / "empty")).code == 0
    entry, text = _listed(cli)
    assert (entry["state"], entry["there"], entry["folders_unmounted"]) == ("ok", True, [])
    assert "not there" not in text


def test_library_ls_tells_an_empty_root_from_one_it_cannot_list(cli: Any, tmp_path: Path
                                                                ) -> None:
    """review47c F2/F3: a root it may not list was said "empty" with --accept-missing, and
    a root whose games are all marked missing still got that advice."""
    root = tmp_path / "lib"
    (root / "GB").mkdir(parents=True)
    (root / "GB" / "Game (USA).gb").write_bytes(b"a game" * 100)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    shutil.rmtree(root / "GB")
    entry, text = _listed(cli)
    assert (entry["state"], entry["there"]) == ("empty", False)
    assert "--accept-missing" in text
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    entry, text = _listed(cli)
    assert entry["state"] == "empty" and "its games are marked missing" in text
    assert "--accept-missing" not in text
    os.chmod(root, 0)
    try:
        if os.access(root, os.R_OK):
            pytest.skip("this user reads a folder of mode 0 (root without CAP_DAC_OVERRIDE "
                        "dropped): no folder it may not list")
        entry, text = _listed(cli)
        assert (entry["state"], entry["there"]) == ("unreadable", False) and entry["why"]
        assert "cannot be listed now" in text and "--accept-missing" not in text
    finally:
        os.chmod(root, 0o755)


class _DeadMount:
    """A FUSE file system mounted at a folder whose server never answers (its ``/dev/fuse``
    held open, never read): every look at the folder waits, as on a network share that
    stopped responding or a dead FUSE mount. :meth:`abort` ends the wait (each waiting call
    then fails), and a watchdog does after ``limit`` seconds, so a test never hangs."""

    def __init__(self, where: Path, limit: float) -> None:
        import ctypes
        import threading

        self.where = where
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd: int | None = os.open("/dev/fuse", os.O_RDWR)
        options = f"fd={self.fd},rootmode=40000,user_id={os.getuid()},group_id={os.getgid()}"
        if self.libc.mount(b"romrunner-test", os.fsencode(where), b"fuse", 0,
                           options.encode()) != 0:
            reason = os.strerror(ctypes.get_errno())
            self.abort()
            pytest.skip(f"a FUSE file system cannot be mounted here (needs root): {reason}")
        self.lock = threading.Lock()
        self.watchdog = threading.Timer(limit, self.abort)
        self.watchdog.start()

    def abort(self) -> None:
        """Close the server's end: the waiting calls fail (ENOTCONN), and so do later ones."""
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)

    def unmount(self) -> None:
        """Abort, stop the watchdog and unmount (lazily: nothing waits on it any more)."""
        self.watchdog.cancel()
        self.abort()
        self.libc.umount2(os.fsencode(self.where), 2)  # (MNT_DETACH)


def test_library_ls_says_a_root_that_does_not_answer_without_waiting_for_it(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """review47c F5: nothing tested the deadline of `library ls` (review47a F2: it hung on a
    root whose file system stopped answering): asked of each root in a thread of its own, a
    root that does not answer within the wait is said not answering, and the others as they
    are. A real FUSE mount whose server never answers, over a scanned root."""
    from romrunner.devices.mounts import mount_points
    from romrunner.library.roots import disk_states, list_roots
    from romrunner.store.open import OpenMode, open_database

    if not os.path.exists("/dev/fuse"):
        pytest.skip("needs FUSE (/dev/fuse)")
    roots = [tmp_path / "lib", tmp_path / "other"]
    for n, root in enumerate(roots):
        (root / "GB").mkdir(parents=True)
        (root / "GB" / f"Game {n} (USA).gb").write_bytes(bytes([n + 1]) * 4096)
        assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    dead = _DeadMount(roots[0], limit=20.0)
    try:
        db = open_database(db_path, OpenMode.READ).db
        listed = list_roots(db)
        # (no clock read: a call waited for would fail once the watchdog aborts, and be
        # said unreadable, not "not_answering")
        states = disk_states(listed, mount_points(), wait=0.5)
        by_path = {str(root.path): states[root.id] for root in listed}
        db.close()
        assert by_path[str(roots[0])].state == "not_answering"
        assert by_path[str(roots[0])].there is None
        assert by_path[str(roots[1])].state == "ok"
        entries = {entry["path"]: entry for entry in
                   cli("--json", "library", "ls").json()["data"]}
        text = cli("library", "ls").out
        assert (entries[str(roots[0])]["state"], entries[str(roots[0])]["there"]) == \
            ("not_answering", None)
        assert entries[str(roots[1])]["state"] == "ok"
        assert "not answering (a network share or a disk that stopped responding?)" in text
    finally:
        dead.unmount()
