"""``Database.atomic()`` on every failure path: a trigger's RAISE(ROLLBACK), a COMMIT on a full
disk (a real small tmpfs), a database file deleted or replaced while a command writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from romrunner.cli.context import AppContext
from romrunner.errors import DatabaseError, DatabaseReplacedError
from romrunner.store import Database, OpenMode, database, open_database
from romrunner.store.backup import backup_database
from tests.conftest import run_subprocess


def fresh(path: Path) -> Database:
    return open_database(path, OpenMode.WRITE).db


def keys(db: Database) -> list[str]:
    return [row[0] for row in db.query("SELECT key FROM user_settings "
                                       "WHERE key NOT IN ('database_id', 'database_place') "
                                       "ORDER BY key")]


def insert(db: Database, key: str, value: str = "1") -> None:
    db.execute("INSERT INTO user_settings (key, value) VALUES (?, ?)", (key, value))


@pytest.fixture
def guarded(db_path: Path) -> Iterator[Database]:
    """A database whose user_settings refuses the key 'bad' with RAISE(ROLLBACK)."""
    db = fresh(db_path)
    db.execute("CREATE TEMP TRIGGER refuse_bad BEFORE INSERT ON main.user_settings "
               "WHEN NEW.key = 'bad' BEGIN SELECT RAISE(ROLLBACK, 'bad key refused'); END")
    yield db
    db.close()


def test_nested_raise_rollback_surfaces_the_real_error(guarded: Database) -> None:
    db = guarded
    with pytest.raises(sqlite3.IntegrityError, match="bad key refused"), db.atomic():
        insert(db, "good")
        with db.atomic():
            insert(db, "bad")
    assert not db.in_transaction
    assert keys(db) == []
    with db.atomic():  # the connection is clean: the next transaction works
        insert(db, "after")
    assert keys(db) == ["after"]


def test_work_after_a_swallowed_raise_rollback_is_not_committed_on_its_own(
        guarded: Database) -> None:
    db = guarded
    with pytest.raises(DatabaseError, match="rolled back by an earlier error"), db.atomic():
        insert(db, "good")
        with contextlib.suppress(sqlite3.IntegrityError), db.atomic():
            insert(db, "bad")
        insert(db, "later")  # would be autocommitted outside any transaction
    assert keys(db) == []
    assert not db.in_transaction


def test_failed_release_or_inner_error_keeps_outer_work(guarded: Database) -> None:
    db = guarded
    with db.atomic():
        insert(db, "outer")
        with pytest.raises(ValueError), db.atomic():
            insert(db, "inner")
            raise ValueError
    assert keys(db) == ["outer"]


# -- a full disk: a real small tmpfs --------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted for the test (needs root; skipped with the reason otherwise): a
    new database's migrations, with their write-ahead log, take more than 2 MiB."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` up to the last block; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 512):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def strays(folder: Path, allowed: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in allowed)


def test_commit_on_a_full_disk_rolls_back_and_the_connection_stays_usable(
        small_disk: Path) -> None:
    path = small_disk / "library.db"
    db = fresh(path)
    filler = fill(small_disk)
    with pytest.raises(DatabaseError, match=r"library\.db: the disk is full"), db.atomic():
        for number in range(64):  # 4 MiB of rows: more than the disk holds
            insert(db, f"k{number}", "x" * 65536)
    assert not db.in_transaction
    filler.unlink()
    with db.atomic():
        insert(db, "after")
    assert keys(db) == ["after"]
    db.close()
    assert strays(small_disk, {"library.db", "library.db-wal", "library.db-shm"}) == []


def test_backup_onto_a_full_disk_leaves_no_temporary_file(small_disk: Path,
                                                          db_path: Path) -> None:
    db = fresh(db_path)
    with db.atomic():
        for number in range(40):
            insert(db, f"k{number}", "x" * 65536)
    target = small_disk / "backups"
    target.mkdir()
    fill(small_disk)
    with pytest.raises(DatabaseError, match=r"full|No space") as refused:
        backup_database(db, target / "copy.db")
    db.close()
    assert list(target.iterdir()) == []
    # (QA83 F6: the message named the hidden temporary file, not the destination given)
    assert str(refused.value).startswith(f"{target / 'copy.db'}: ")


def test_cli_write_on_a_full_disk_is_one_line_and_leaves_no_stray_file(
        small_disk: Path, tmp_path: Path) -> None:
    path = small_disk / "library.db"
    assert run_subprocess("--db", str(path), "db", "init").code == 0
    roms = tmp_path / "roms"
    roms.mkdir()
    fill(small_disk)
    result = run_subprocess("--db", str(path), "library", "add", str(roms))
    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1 and "internal error" not in result.err
    assert "library.db" in result.err
    assert strays(small_disk, {"library.db", "library.db-wal", "library.db-shm",
                               "library.db.lock", "filler"}) == []


def test_a_closed_database_on_a_full_disk_is_said_full_not_corrupt(small_disk: Path,
                                                                   tmp_path: Path) -> None:
    """QA32 F2: with no -shm beside a closed database, SQLite cannot make one on a full
    volume and says "disk I/O error": every command, `db check` too, called the healthy
    file corrupt and advised restoring a backup (losing the work since)."""
    made = tmp_path / "made.db"
    assert run_subprocess("--db", str(made), "collection", "create", "kept").code == 0
    path = small_disk / "library.db"  # a copy, closed: no working files beside it
    with contextlib.closing(sqlite3.connect(made)) as source, \
            contextlib.closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    assert sorted(p.name for p in small_disk.iterdir()) == ["library.db"]
    filler = fill(small_disk)
    for args in (("collection", "create", "more"), ("collection", "ls"), ("db", "check")):
        result = run_subprocess("--db", str(path), *args)
        assert result.code == 2 and "the disk is full" in result.err, (args, result.err)
        assert "corrupt" not in result.err and "restore" not in result.err, result.err
    filler.unlink()
    listed = run_subprocess("--db", str(path), "--json", "collection", "ls")
    assert [c["name"] for c in listed.json()["data"] if c["kind"] == "manual"] == ["kept"]


# -- the database file deleted or replaced mid-run ----------------------------------------

def test_commit_into_a_deleted_database_fails_loudly(db_path: Path) -> None:
    db = fresh(db_path)
    with pytest.raises(DatabaseReplacedError, match="deleted while this command ran"), \
            db.atomic():
        insert(db, "lost")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    assert not db.in_transaction
    db.close()
    assert not db_path.exists()


def test_commit_into_a_replaced_database_fails_loudly(db_path: Path, tmp_path: Path) -> None:
    db = fresh(db_path)
    other = tmp_path / "other.db"
    fresh(other).close()
    with pytest.raises(DatabaseReplacedError, match="replaced by another file"), db.atomic():
        insert(db, "lost")
        shutil.move(other, db_path)
    db.close()
    assert keys(Database(db_path)) == []


def test_command_end_refuses_to_report_success_into_a_deleted_file(db_path: Path) -> None:
    app = AppContext(db_path, None, json_output=True, quiet=True, verbose=False)
    app.open_db(OpenMode.WRITE)
    db_path.unlink()
    with pytest.raises(DatabaseReplacedError):
        app.finish({"added": 20000})
    app.close()


def test_creating_a_database_on_a_full_disk_leaves_nothing_half_made(
        small_disk: Path, tmp_path: Path) -> None:
    path = small_disk / "new.db"
    fill(small_disk)
    result = run_subprocess("--db", str(path), "library", "add", str(tmp_path))
    assert result.code == 2 and "internal error" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert strays(small_disk, {"filler", "new.db.lock"}) == []
    read = run_subprocess("--db", str(path), "games", "ls")
    assert read.code == 2 and "no database at" in read.err


def test_a_deleted_database_is_not_recreated_silently(db_path: Path, tmp_path: Path) -> None:
    first = run_subprocess("--db", str(db_path), "library", "add", str(tmp_path))
    assert first.code == 0 and "warning" not in first.err
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    assert run_subprocess("--db", str(db_path), "games", "ls").code == 2
    again = run_subprocess("--db", str(db_path), "--json", "library", "add", str(tmp_path))
    assert again.code == 0
    assert any("created a new, empty database" in line and "restore a backup" in line
               for line in again.json()["warnings"])


def _with_a_file_size_limit(limit: int) -> None:
    """(In the child, before exec) writes beyond ``limit`` bytes fail with EFBIG, as a disk
    quota's do with EDQUOT: SQLite calls both a "disk I/O error"."""
    import resource
    import signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_write_refused_by_a_quota_or_size_limit_is_not_called_corruption(
        tmp_path: Path) -> None:
    """QA83 F1: an import refused by a file size limit (a disk quota alike) was "database is
    corrupt or unreadable … restore a backup" — advice that loses the work since the backup
    — while the database was sound and the same import went through once the limit was
    lifted."""
    import sys
    db = tmp_path / "library.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    games = "".join(f'game (\n\tname "Game {n:05d} (USA)"\n\trom ( name "Game {n:05d} (USA).nes" '
                    f'size {4096 + n} crc {n:08X} )\n)\n' for n in range(4000))
    dat = tmp_path / "big.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Nintendo Entertainment System"\n'
                   '\tversion "1"\n)\n' + games)
    limit = db.stat().st_size + 64 * 1024
    refused = subprocess.run(
        [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "dat", "import", str(dat)],
        capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: _with_a_file_size_limit(limit))
    assert refused.returncode == 2, refused.stderr
    assert "could not be read or written" in refused.stderr, refused.stderr
    assert "corrupt" not in refused.stderr and "restore" not in refused.stderr
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM catalog_games").fetchone()[0] == 0
    assert run_subprocess("--db", str(db), "dat", "import", str(dat)).code == 0


def test_a_disk_io_error_is_neither_corruption_nor_an_unknown_file() -> None:
    """Review 87 F5: once "disk I/O error" was no longer called corruption, `db check` (which
    the message advises) failed with it instead of reporting it as its finding, and opening
    the file asked to "move the file away" as if it were not ROM Runner's."""
    from romrunner.errors import CorruptDatabaseError, DiskIOError
    from romrunner.store.database import sqlite_error
    found = sqlite_error("x.db", sqlite3.OperationalError("disk I/O error"))
    assert isinstance(found, DiskIOError) and not isinstance(found, CorruptDatabaseError)
    assert "`romrunner db check` says whether the file is sound" in str(found)


def _as_a_user() -> list[str]:
    """The command prefix that runs a child process as a user would here: as root, without
    the capabilities that let root write anywhere (root ignores permissions)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root (which ignores permissions) without setpriv to drop "
                    "CAP_DAC_OVERRIDE")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _in_a_folder_it_cannot_write(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``romrunner ARGS`` as a child process with ``folder`` made read-only (mode 555)
    for it; the folder writable again afterwards."""
    import sys
    prefix = _as_a_user()
    folder.chmod(0o555)
    try:
        return subprocess.run([*prefix, sys.executable, "-m", "romrunner.cli.main", *args],
                              capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)


def test_a_database_in_a_folder_it_cannot_write_is_read_and_a_write_says_why(
        tmp_path: Path) -> None:
    """QA83 F2, QA157 F16: a database in a folder the user may read but not write refused
    every reading command ("database is read-only", then "cannot open the database file":
    SQLite cannot make its -shm there): reading commands read it as its file holds it, and
    a command that writes names the folder, why, and what to do."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "library.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    for name in os.listdir(folder):  # (a closed database: no -wal or -shm left beside it)
        assert name in ("library.db", "library.db.lock"), name
    for reading in (("collection", "ls"), ("db", "status"), ("db", "check")):
        done = _in_a_folder_it_cannot_write(folder, "--db", str(db), *reading)
        assert done.returncode == 0, (reading, done.stderr)
    assert "kept" in _in_a_folder_it_cannot_write(folder, "--db", str(db), "collection",
                                                  "ls").stdout
    done = _in_a_folder_it_cannot_write(folder, "--db", str(db), "collection", "create", "x")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: {folder}: the database's folder is not writable (permission denied): ROM "
        "Runner keeps its -wal, -shm and .lock files beside the database; make the folder "
        "writable for this user, or copy the database to a folder that is (commands that "
        "only read still work)"), done.stderr
    assert sorted(os.listdir(folder)) == ["library.db", "library.db.lock"]


def test_a_database_in_a_folder_that_refuses_new_files_even_to_root_is_read(
        tmp_path: Path) -> None:
    """QA157 F16 as the report found it, as root: a folder marked immutable (`chattr +i`,
    which root too must obey) made every reading command fail "cannot open the database
    file"."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr to mark a folder immutable (the test above covers "
                    "a user's folder)")
    folder = tmp_path / "locked"
    folder.mkdir()
    db = folder / "library.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    (folder / "library.db.lock").unlink()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not let chattr mark a folder immutable")
    try:
        listed = run_subprocess("--db", str(db), "collection", "ls")
        written = run_subprocess("--db", str(db), "collection", "create", "x")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert listed.code == 0 and "kept" in listed.out, listed.err
    assert written.code == 2 and "the database's folder is not writable" in written.err
    assert os.listdir(folder) == ["library.db"]


def _with_changes_in_its_wal(source: Path, folder: Path) -> Path:
    """A copy in ``folder`` of the database at ``source`` whose -wal holds a change its file
    lacks, and no -shm beside them (a writer killed, then the folder made read-only)."""
    conn = sqlite3.connect(source, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("INSERT INTO user_settings (key, value, value_type) "
                     "VALUES ('test.in_wal', '1', 'json')")
        folder.mkdir()
        shutil.copy(source, folder / "library.db")
        shutil.copy(f"{source}-wal", folder / "library.db-wal")
    finally:
        conn.close()
    assert (folder / "library.db-wal").stat().st_size > 0
    return folder / "library.db"


def test_a_wal_a_read_only_folder_keeps_is_said_and_never_that_reading_works(
        tmp_path: Path) -> None:
    """A non-empty -wal without its -shm, in a folder the user may not write: reading
    commands were refused (rightly: the file alone lacks the log's changes) in words ending
    "(commands that only read still work)"."""
    source = tmp_path / "source.db"
    assert run_subprocess("--db", str(source), "collection", "create", "kept").code == 0
    db = _with_changes_in_its_wal(source, tmp_path / "shared")
    for command in (("collection", "ls"), ("db", "status"), ("collection", "create", "x")):
        done = _in_a_folder_it_cannot_write(db.parent, "--db", str(db), *command)
        assert done.returncode == 2, (command, done.stdout)
        said = " ".join(done.stderr.split())
        assert "write-ahead log (library.db-wal) holds changes not yet in its file" in said
        assert "together with its library.db-wal" in said and "still work" not in said, said
    assert sorted(os.listdir(db.parent)) == ["library.db", "library.db-wal"]


def test_an_older_database_in_a_folder_it_cannot_write_says_reading_needs_the_upgrade(
        tmp_path: Path) -> None:
    """A database of an older schema in a folder the user may not write: reading commands
    said to run `db migrate`, which said the folder was not writable "(commands that only
    read still work)": they did not."""
    from romrunner.store.migrate import LATEST_VERSION
    from tests.test_migrations import build_old

    folder = tmp_path / "old"
    folder.mkdir()
    db = folder / "library.db"
    build_old(db, LATEST_VERSION - 1).close()
    read = _in_a_folder_it_cannot_write(folder, "--db", str(db), "collection", "ls")
    assert read.returncode == 2
    assert f"its folder {folder} is not writable: make it writable" in " ".join(
        read.stderr.split()), read.stderr
    migrated = _in_a_folder_it_cannot_write(folder, "--db", str(db), "db", "migrate")
    said = " ".join(migrated.stderr.split())
    assert migrated.returncode == 2 and "still work" not in said, said
    assert "commands that only read need `romrunner db migrate` first" in said


def test_an_immutable_folder_is_said_to_be_immutable_not_a_matter_of_permissions(
        tmp_path: Path) -> None:
    """A folder marked immutable (`chattr +i`) was said to be "permission denied", with
    advice (make it writable for this user) that no chmod follows; a new database there was
    told to copy "the database" that is not there yet."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr to mark a folder immutable")
    folder = tmp_path / "locked"
    folder.mkdir()
    db = folder / "library.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not let chattr mark a folder immutable")
    try:
        written = run_subprocess("--db", str(db), "collection", "create", "x")
        new = run_subprocess("--db", str(folder / "new.db"), "collection", "create", "x")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    for done in (written, new):
        said = " ".join(done.err.split())
        assert done.code == 2 and "(operation not permitted: the folder is immutable)" in said
        assert f"`chattr -i {folder}`" in said and "permission denied" not in said, said
    said = " ".join(new.err.split())
    assert "copy the database" not in said and "still work" not in said, said
    assert "give --db (or ROMRUNNER_DB) a file in a folder that is" in said


def test_the_immutable_flag_advice_names_the_platforms_own_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The advice for an immutable database folder named Linux's `chattr -i` on macOS and
    the BSDs too, where the flag is `chflags`'s: `chflags nouchg` (the owner's flag), or
    `chflags noschg` as root (the system's)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setattr(database, "folder_is_immutable", lambda _: True)
    for platform in ("darwin", "freebsd14", "openbsd7"):
        monkeypatch.setattr(database.sys, "platform", platform)
        said = database._make_writable(folder)
        assert "chattr" not in said and "chflags nouchg" in said, said
        user = database.clear_immutable_command(folder, platform, stat.UF_IMMUTABLE)
        assert user == f"`chflags nouchg {folder}`", user
        system = database.clear_immutable_command(folder, platform, stat.SF_IMMUTABLE)
        assert system == f"`chflags noschg {folder}`, as root", system
    monkeypatch.setattr(database.sys, "platform", "linux")
    assert database._make_writable(folder) == \
        f"clear its immutable flag (`chattr -i {folder}`, as root)"


def test_side_files_a_read_of_a_read_only_file_left_are_named_by_the_next_write(
        tmp_path: Path) -> None:
    """qa179 F7: a database file the user may not write, read (SQLite makes its -shm and
    -wal with the file's mode, 0444), then made writable: every write failed "database is
    read-only; check the file and folder permissions" of a writable file and folder. The
    write names the side file and how to mend it, and changes nothing."""
    import sys
    prefix = _as_a_user()
    db = tmp_path / "r.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    for side in ("r.db-wal", "r.db-shm"):
        (tmp_path / side).unlink(missing_ok=True)
    db.chmod(0o444)

    def romrunner(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, sys.executable, "-m", "romrunner.cli.main", "--db",
                               str(db), *args], capture_output=True, text=True, timeout=120)

    read = romrunner("collection", "ls")
    assert read.returncode == 0 and "kept" in read.stdout, read.stderr
    left = [side for side in ("r.db-shm", "r.db-wal") if (tmp_path / side).exists()
            and not os.stat(tmp_path / side).st_mode & 0o200]
    if not left:
        pytest.skip("this SQLite left no read-only side file beside a read-only database")
    db.chmod(0o644)
    before = db.read_bytes()
    written = romrunner("collection", "create", "x")
    assert written.returncode == 2, written.stderr
    said = written.stderr.strip()
    assert said.startswith(f"error: {tmp_path / left[0]}: read-only") and "chmod u+w" in said, \
        said
    assert db.read_bytes() == before
    for side in left:
        (tmp_path / side).chmod(0o644)
    assert romrunner("collection", "create", "x").returncode == 0


def test_an_older_database_whose_file_is_read_only_says_to_make_it_writable(
        tmp_path: Path) -> None:
    """qa181 N6: an older database whose file the user may not write: a reading command
    said "run `romrunner db migrate`", which then failed "database is read-only"."""
    import sys

    from romrunner.store.migrate import LATEST_VERSION
    from tests.test_migrations import build_old
    prefix = _as_a_user()
    db = tmp_path / "old.db"
    build_old(db, LATEST_VERSION - 1).close()
    db.chmod(0o444)
    read = subprocess.run([*prefix, sys.executable, "-m", "romrunner.cli.main", "--db",
                           str(db), "collection", "ls"], capture_output=True, text=True,
                          timeout=120)
    said = " ".join(read.stderr.split())
    assert read.returncode == 2 and "the file is read-only" in said, said
    assert f"make it writable (`chmod u+w {db}`) or copy it to a file you may write, then " \
        "run `romrunner db migrate`" in said, said
    for args, out in ((["db", "check"], True), (["db", "migrate"], False)):
        # (and what `db check` and `db migrate` say of it: not "check the file permissions")
        told = subprocess.run([*prefix, sys.executable, "-m", "romrunner.cli.main", "--db",
                               str(db), *args], capture_output=True, text=True, timeout=120)
        said = " ".join((told.stdout if out else told.stderr).split())
        assert f"make it writable (`chmod u+w {db}`) or copy it" in said, (args, said)
    db.chmod(0o644)
    assert run_subprocess("--db", str(db), "db", "migrate").code == 0
