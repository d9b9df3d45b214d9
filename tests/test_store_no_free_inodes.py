"""A disk with free bytes but no free inodes (every file it can hold made): `db backup` and
`db restore` say no new file can be made in its folder, not that the disk needs N KiB
free, nor that the backup cannot be read (p47a F4)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mounted_tmpfs


@contextlib.contextmanager
def _disk_with_few_inodes(tmp_path: Path) -> Iterator[Path]:
    """A 20 MiB tmpfs that holds at most 16 files; unmounted at the end."""
    mount = tmp_path / "inodes"
    with mounted_tmpfs(mount, "20m,nr_inodes=16"):  # (the options string, as is)
        yield mount


def _use_up_inodes(folder: Path, leave: int) -> None:
    """Make empty files in ``folder`` until no inode is free, then remove ``leave`` of them."""
    made: list[Path] = []
    with contextlib.suppress(OSError):
        while True:
            path = folder / f"filler-{len(made)}"
            path.touch()
            made.append(path)
    for path in made[:leave]:
        path.unlink()


def _said(err: str) -> str:
    return " ".join(err.split())


@pytest.mark.parametrize("leave", [0, 2])
@pytest.mark.parametrize("into_folder", [False, True], ids=["file", "folder"])
def test_a_backup_to_a_disk_without_free_inodes_says_so(cli: Any, tmp_path: Path,
                                                        leave: int, into_folder: bool) -> None:
    assert cli("collection", "create", "mine").code == 0
    with _disk_with_few_inodes(tmp_path) as mount:
        _use_up_inodes(mount, leave)
        before = sorted(mount.iterdir())
        dest = str(mount) + "/" if into_folder else str(mount / "rr.db")
        result = cli("db", "backup", dest)
        said = _said(result.err)
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert "no backup was written" in said, said
        assert f"the disk has no room for a new file in {mount}: it has " in said, said
        assert "free inodes" in said and "needs about" not in said, said
        assert sorted(mount.iterdir()) == before


@pytest.mark.parametrize("leave", [0, 1, 2, 3])
def test_a_restore_on_a_disk_without_free_inodes_says_so(cli: Any, db_path: Path,
                                                         tmp_path: Path, leave: int) -> None:
    assert cli("collection", "create", "mine").code == 0
    backup = tmp_path / "backup.db"
    assert cli("db", "backup", backup).code == 0
    with _disk_with_few_inodes(tmp_path) as mount:
        there = mount / "rr.db"
        shutil.copyfile(db_path, there)
        assert cli("--db", there, "collection", "create", "there").code == 0
        _use_up_inodes(mount, leave)
        before = there.read_bytes()
        result = cli("--db", there, "db", "restore", backup, "--force")
        said = _said(result.err)
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert f"the disk has no room for a new file in {mount}: it has " in said, said
        assert "free inodes" in said, said
        assert f"{backup}: cannot be read" not in said and ".tmp" not in said, said
        assert "not restored" in said or "nothing of the failed step was saved" in said, said
        assert there.read_bytes() == before
        assert not [p for p in mount.iterdir() if ".before-restore-" in p.name]


def test_enough_inodes_or_none_counted_is_not_said_short(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from romrunner.store.database import free_inodes_too_few, no_room_for_files
    assert free_inodes_too_few(tmp_path) is None  # (a test disk has inodes to spare)
    assert no_room_for_files(tmp_path) is None

    class _NoCount:  # (btrfs, many network file systems: 0 inodes of 0)
        f_files = f_ffree = f_favail = 0
        f_bavail, f_frsize = 1000, 4096

    monkeypatch.setattr("romrunner.store.database.os.statvfs", lambda _: _NoCount())
    assert free_inodes_too_few(tmp_path) is None


def test_a_backup_to_a_disk_short_of_bytes_says_the_bytes_whatever_its_inodes(
        cli: Any, tmp_path: Path) -> None:
    """review47d F1: a disk short of bytes with a few inodes left was said short of inodes
    (removing files as advised did not help)."""
    assert cli("collection", "create", "mine").code == 0
    mount = tmp_path / "small"
    with mounted_tmpfs(mount, "64k,nr_inodes=16"):
        _use_up_inodes(mount, 6)
        result = cli("db", "backup", str(mount / "rr.db"))
        said = _said(result.err)
        assert result.code == 2 and "the disk is full: it needs about" in said, said
        assert "inodes" not in said
