"""Opening the database: read commands never create one, special files are refused at once, a
read-only volume still reads, a corrupt file is reported the same way by every command,
backups never replace a user's file, an interrupted upgrade keeps its first backup."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import Database
from romrunner.store.backup import is_backup_file
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from tests.conftest import run_subprocess

READ_COMMANDS = [["games", "ls"], ["search", "zelda"], ["db", "check"], ["db", "status"],
                 ["db", "stats"], ["library", "ls"], ["dat", "ls"], ["games", "show", "1"],
                 ["cache", "why", "snes", "snes9x", "x"]]


# -- read commands never create a database ------------------------------------------------

@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_never_create_a_database_or_its_folder(tmp_path: Path,
                                                             args: list[str]) -> None:
    missing = tmp_path / "typo" / "library.db"
    result = run_subprocess("--db", str(missing), *args)
    assert result.code == 2
    # (p47a F7: no longer "any command that writes creates it" where the folder of a --db
    # is missing: a command that writes refuses that path)
    assert result.err.strip() == (f"error: no database at {missing} (its folder "
                                  f"{missing.parent} does not exist: check --db or "
                                  "ROMRUNNER_DB, or create the folder first)")
    assert not missing.parent.exists()


def test_an_empty_file_is_not_initialised_by_a_read_command(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for args in (["games", "ls"], ["db", "status"]):
        result = run_subprocess("--db", str(empty), *args)
        assert result.code == 2 and "empty file, no database in it yet" in result.err
    assert empty.stat().st_size == 0
    assert run_subprocess("--db", str(empty), "library", "ls").code == 2
    written = run_subprocess("--db", str(empty), "library", "add", str(tmp_path))
    assert written.code == 0, written.err  # a command that writes creates it
    assert current_version(Database(empty)) == LATEST_VERSION


# -- --db pointing at something that is not a regular file ---------------------------------

@pytest.mark.parametrize("args", [["games", "ls"], ["library", "add", "."], ["db", "migrate"]],
                         ids=" ".join)
def test_db_on_a_fifo_is_refused_at_once(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    result = run_subprocess("--db", str(fifo), *args, cwd=tmp_path)  # timeout: a hang fails
    assert result.code == 2
    assert result.err.strip() == f"error: {fifo}: is a FIFO, not a database file"


def test_db_on_a_device_is_refused(tmp_path: Path) -> None:
    result = run_subprocess("--db", "/dev/zero", "games", "ls")
    assert result.code == 2 and result.err.strip() == \
        "error: /dev/zero: is a device, not a database file"


# -- a corrupt database: one line with what to do, from every command ---------------------

@pytest.fixture(params=["games", "uidx_games_path"])
def corrupt_db(tmp_path: Path, db_path: Path, request: pytest.FixtureRequest) -> Path:
    """A scanned library with the root page of the games table or of its path index (read
    by the scan's planner; was "internal error: DatabaseError") overwritten."""
    roms = tmp_path / "roms" / "snes"
    roms.mkdir(parents=True)
    for number in range(40):
        (roms / f"Game {number} (USA).sfc").write_bytes(os.urandom(1024))
    assert run_subprocess("--db", str(db_path), "library", "add", str(roms.parent)).code == 0
    assert run_subprocess("--db", str(db_path), "scan").code == 0
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                       (request.param,)).fetchone()[0]
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with db_path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    return db_path


@pytest.mark.parametrize("args", [["scan"], ["games", "ls"], ["library", "ls"]], ids=" ".join)
def test_corrupt_database_is_one_line_with_what_to_do(corrupt_db: Path,
                                                      args: list[str]) -> None:
    result = run_subprocess("--db", str(corrupt_db), *args)
    if result.code == 0:
        assert args != ["scan"], "scan must read the damaged page"
        return  # this command never reads the damaged page
    assert result.code == 2
    line, = result.err.strip().splitlines()
    assert line.startswith(f"error: {corrupt_db}: database is corrupt or unreadable (")
    assert line.endswith("run `romrunner db check`, restore a backup "
                         "(`romrunner db restore BACKUP`)")
    assert "internal error" not in result.err


def test_db_check_reports_the_corruption_as_a_finding(corrupt_db: Path) -> None:
    result = run_subprocess("--db", str(corrupt_db), "--json", "db", "check")
    assert result.code == 1
    envelope = result.json()
    assert envelope["ok"] is False and envelope["data"]["integrity"] != ["ok"]


# -- a read-only volume ----------------------------------------------------------------------

@contextlib.contextmanager
def volume_made_read_only(tmp_path: Path, fill: Callable[[Path], None]) -> Iterator[Path]:
    """A tmpfs whose ``library.db`` ``fill`` makes, then remounted read-only (the test skips
    where no tmpfs can be mounted); unmounted after."""
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        path = mount / "library.db"
        fill(path)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield path
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def read_only_volume(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs holding a fresh library database, remounted read-only."""
    def library(path: Path) -> None:
        assert run_subprocess("--db", str(path), "library", "add", str(tmp_path)).code == 0

    with volume_made_read_only(tmp_path, library) as path:
        yield path


def test_read_only_volume_reads_and_refuses_writes_with_the_reason(
        read_only_volume: Path, tmp_path: Path) -> None:
    path = read_only_volume
    for args in READ_COMMANDS[:7]:
        result = run_subprocess("--db", str(path), *args)
        assert result.code == 0, (args, result.err)
    listed = run_subprocess("--db", str(path), "--json", "library", "ls").json()
    assert [root["path"] for root in listed["data"]] == [str(tmp_path)]
    for args in (["library", "add", str(tmp_path / "ro")], ["scan"], ["db", "migrate"]):
        result = run_subprocess("--db", str(path), *args)
        assert result.code == 2
        assert result.err.strip() == (f"error: {path}: the volume is read-only; commands "
                                      "that write cannot run here (commands that only read "
                                      "still work)")


# -- db backup ------------------------------------------------------------------------------

@pytest.fixture
def live_db(db_path: Path) -> Path:
    assert run_subprocess("--db", str(db_path), "db", "init").code == 0
    return db_path


def backup(db: Path, *args: str) -> tuple[int, str, str]:
    result = run_subprocess("--db", str(db), "--json", "db", "backup", *args)
    path = result.json()["data"]["backup"] if result.code == 0 else ""
    return result.code, path, result.err


def test_backup_never_overwrites_a_file_that_is_not_a_backup(live_db: Path,
                                                            tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    code, _, err = backup(live_db, str(notes))
    assert code == 2 and "exists and is not a ROM Runner backup" in err and "--force" in err
    assert notes.read_text() == "my notes"
    code, written, _ = backup(live_db, str(notes), "--force")
    assert Path(written) == notes
    assert code == 0 and is_backup_file(notes)


def test_backup_replaces_an_earlier_backup_of_ours(live_db: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    assert backup(live_db, str(dest))[0] == 0
    assert is_backup_file(dest)
    code, written, err = backup(live_db, str(dest))
    assert code == 0 and Path(written) == dest, err
    assert Database(dest, read_only=True).scalar("PRAGMA integrity_check") == "ok"


def test_backup_refuses_the_live_database_itself(live_db: Path) -> None:
    before = live_db.read_bytes()
    code, _, err = backup(live_db, str(live_db), "--force")
    assert code == 2 and "is the database itself" in err
    assert live_db.read_bytes() == before


@pytest.mark.parametrize("trailing", [True, False], ids=["new-folder/", "existing-folder"])
def test_backups_into_a_folder_are_named_by_time_and_never_clobber(
        live_db: Path, tmp_path: Path, trailing: bool) -> None:
    folder = tmp_path / "bk"
    if not trailing:
        folder.mkdir()
    dest = f"{folder}/" if trailing else str(folder)
    names = []
    for _ in range(3):
        code, written, err = backup(live_db, dest)
        assert code == 0, err
        assert Path(written).parent == folder
        names.append(Path(written).name)
    assert len(set(names)) == 3
    assert all(name.startswith("romrunner-") and name.endswith(".db") for name in names)
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temp files left
    assert folder.is_dir()


# -- an interrupted upgrade keeps the backup of the original version ----------------------

def test_rerun_of_an_interrupted_migration_keeps_the_original_backup(db_path: Path) -> None:
    db = Database(db_path)
    migrate(db, target=1)
    db.execute("INSERT INTO user_settings (key, value) VALUES ('mine', 'v1')")
    db.execute("CREATE TABLE library_roots (x)")  # makes migration 3 fail after 2 applied
    db.close()
    first = run_subprocess("--db", str(db_path), "db", "migrate")
    assert first.code == 2 and "migration 3" in first.err
    assert current_version(Database(db_path)) == 2
    backups = list(db_path.parent.glob("*.bak"))
    assert len(backups) == 1 and ".v1-" in backups[0].name

    raw = sqlite3.connect(db_path)
    raw.execute("DROP TABLE library_roots")
    raw.commit()
    raw.close()
    again = run_subprocess("--db", str(db_path), "--json", "db", "migrate")
    assert again.code == 0, again.err
    data = again.json()["data"]
    assert data["from_version"] == 2 and data["to_version"] == LATEST_VERSION
    assert data["backup"] == str(backups[0]) and data["backup_version"] == 1
    assert data["backup_kept"] is True
    assert list(db_path.parent.glob("*.bak")) == backups  # no second, half-migrated copy
    original = Database(backups[0], read_only=True)
    assert current_version(original) == 1
    assert original.scalar("SELECT value FROM user_settings WHERE key = 'mine'") == "v1"
    migrated = Database(db_path)
    assert migrated.scalar("SELECT count(*) FROM user_settings WHERE key LIKE 'romrunner.%'") \
        == 0
    text = run_subprocess("--db", str(db_path), "db", "migrate")
    assert text.code == 0 and "nothing to migrate" in text.out


def test_a_ctrl_c_while_the_database_opens_leaves_no_wal_beside_it(
        cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA62 F2: a Ctrl-C landing while a writing command opened the database (its WAL made,
    the connection not yet handed over) said "nothing was changed" and left `-wal`/`-shm`
    beside it. A real SIGINT, sent as the connection's policy is applied."""
    assert cli("collection", "create", "Couch").code == 0
    apply = Database._apply_policy

    def interrupted(self: Database) -> None:
        apply(self)
        if not self.read_only:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(Database, "_apply_policy", interrupted)
    result = cli("collection", "create", "Sofa")
    assert result.code == 130 and "nothing was changed" in result.err, result.err
    assert sorted(p.name for p in db_path.parent.iterdir()
                  if p.name.startswith(db_path.name)) == [db_path.name,
                                                          f"{db_path.name}.lock"]


def test_db_check_of_a_database_it_cannot_open_does_not_send_to_itself(
        tmp_path: Path) -> None:
    """QA109 F9: `db check` of a file too damaged to open said "run `romrunner db check`"."""
    db_path = tmp_path / "rr.db"
    for n in range(30):
        assert run_subprocess("--db", str(db_path), "-q", "collection", "create",
                              f"C{n}").code == 0
    data = bytearray(db_path.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    db_path.write_bytes(bytes(data))
    result = run_subprocess("--db", str(db_path), "db", "check")
    assert result.code == 2
    line, = result.err.strip().splitlines()
    assert line.startswith(f"error: {db_path}: database is corrupt or unreadable (")
    assert "db check" not in line and "`romrunner db restore BACKUP`" in line
    assert "`.recover`" in line


def test_an_older_database_on_a_read_only_volume_says_how_to_read_it(tmp_path: Path) -> None:
    """qa179 F1: a database of an older schema on a read-only volume: reading commands said
    to run `db migrate`, which said "(commands that only read still work)" — they did not.
    Both now say that it must be copied to a writable folder first."""
    from romrunner.store.migrate import LATEST_VERSION
    from tests.test_migrations import build_old

    copy = tmp_path / "copy.db"
    with volume_made_read_only(
            tmp_path, lambda path: build_old(path, LATEST_VERSION - 1).close()) as path:
        for args in (["collection", "ls"], ["db", "migrate"], ["scan"]):
            result = run_subprocess("--db", str(path), *args)
            said = " ".join(result.err.split())
            assert result.code == 2, (args, result.err)
            assert "still work" not in said, (args, said)
            assert ("copy it to a writable folder and give --db (or ROMRUNNER_DB) the copy"
                    in said), (args, said)
        shutil.copy(path, copy)  # (the way out said works)
    assert run_subprocess("--db", str(copy), "db", "migrate").code == 0
    assert run_subprocess("--db", str(copy), "collection", "ls").code == 0


def test_db_status_on_a_read_only_volume_says_the_files_journal_mode(
        read_only_volume: Path) -> None:
    """qa179 F4: `db status` of a WAL database on a read-only volume (opened immutable) said
    "journal mode delete"; the file's header says WAL."""
    with open(read_only_volume, "rb") as file:
        assert file.read(20)[18:20] == b"\x02\x02"  # (a WAL database, by its header)
    status = run_subprocess("--db", str(read_only_volume), "--json", "db", "status")
    assert status.code == 0 and status.json()["data"]["journal_mode"] == "wal", status.out


def test_db_check_of_an_older_database_says_it_needs_the_upgrade(tmp_path: Path) -> None:
    """qa179 F9: `db check` of a database of an older schema said "result ok", not that
    commands that only read refuse it until it is upgraded (review38b F3: not "other
    commands": a command that writes upgrades it itself)."""
    from tests.test_migrations import build_old
    db = tmp_path / "old.db"
    build_old(db, LATEST_VERSION - 1).close()
    text = run_subprocess("--db", str(db), "db", "check")
    assert text.code == 0, text.err
    assert (f"upgrade         schema version {LATEST_VERSION - 1} is older than "
            f"{LATEST_VERSION}: commands that only read refuse it until it is upgraded; "
            "`romrunner db migrate`, or any command that writes, upgrades it") \
        in " ".join(text.out.split("\n")), text.out
    assert run_subprocess("--db", str(db), "--json", "db", "check").json()["data"][
        "upgrade_needed"] is True
    assert run_subprocess("--db", str(db), "db", "migrate").code == 0
    assert run_subprocess("--db", str(db), "--json", "db", "check").json()["data"][
        "upgrade_needed"] is False


def test_on_a_read_only_volume_no_command_is_advised_that_cannot_run_there(
        tmp_path: Path) -> None:
    """qa181 N6: on a read-only volume an absent or empty database was told "any command
    that writes creates it" or "`romrunner db init` creates one", which the volume refused;
    and `db check` of an older database there advised `db migrate`, which it refuses."""
    from tests.test_migrations import build_old

    def fill(path: Path) -> None:
        build_old(path, LATEST_VERSION - 1).close()
        (path.parent / "empty.db").touch()

    with volume_made_read_only(tmp_path, fill) as path:
        volume = ("on a read-only volume, where no command can make one: give --db (or "
                  "ROMRUNNER_DB) a file on a writable one")
        for name, args in (("absent.db", ["games", "ls"]), ("empty.db", ["games", "ls"]),
                           ("absent.db", ["db", "check"]), ("empty.db", ["db", "migrate"])):
            result = run_subprocess("--db", str(path.parent / name), *args)
            said = " ".join(result.err.split())
            assert result.code != 0 and volume in said, (name, args, said)
            assert "creates" not in said, said
        check = run_subprocess("--db", str(path), "db", "check")
        said = " ".join(check.out.split())
        assert "it is on a read-only volume: copy it to a writable folder, give --db (or " \
            "ROMRUNNER_DB) the copy and run `romrunner db migrate`" in said, said


def test_a_new_database_s_empty_lists_say_what_fills_them(tmp_path: Path) -> None:
    """qa194 F4: on a new database `dat ls` and `library ls` printed nothing, `deploy
    history` a bare header, `platforms` pointed to `scan`, which then errors "no library
    roots"; each now names the command that fills it (JSON keeps the empty list)."""
    db = tmp_path / "new.db"
    assert run_subprocess("--db", str(db), "db", "init").code == 0
    said = {}
    for args in (["dat", "ls"], ["library", "ls"], ["deploy", "history"], ["platforms"]):
        text = run_subprocess("--db", str(db), *args)
        assert text.code == 0, text.err
        said[args[0]] = " ".join(text.out.split())
        assert run_subprocess("--db", str(db), "--json", *args).json()["data"] == []
    assert said["dat"] == "no DAT imported (`romrunner dat import FILE`)"
    assert said["library"] == "no library roots (`romrunner library add PATH`)"
    assert said["deploy"].startswith("no deployments yet (`romrunner deploy PROFILE --to")
    assert "`romrunner library add PATH`" in said["platforms"]
