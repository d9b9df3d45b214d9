"""A new database appears whole or not at all (qa204 F3, F1): it is made under a temporary
name beside it and renamed into place once every migration has run. A command killed while
it made one (`kill -9`, power lost) left a half-migrated database, which the next commands
took for an older release's (told to upgrade it, a backup of it written); one that failed on
a full disk left the half-made files filling the disk, and said "created a new database"
after its error. Real files, real child processes killed with SIGKILL, a real small tmpfs."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from romrunner.store.migrate import LATEST_VERSION, _backup_path
from tests.conftest import mounted_tmpfs, run_subprocess

# Run first in the child: the creation's migration STOP_AT waits (after "ready" on stdout)
# until the file GO is there, or for good without one.
_HOLD_AT_MIGRATION = """
import os, sys, time
import romrunner.store.migrate as migrate
_apply = migrate._apply
def _held(db, migration, **kwargs):
    if migration.version == STOP_AT:
        print("ready", flush=True)
        while GO is None or not os.path.exists(GO):
            time.sleep(0.02)
    return _apply(db, migration, **kwargs)
migrate._apply = _held
"""

# Run first in the child: it stops for good as the new database would take its name (a
# hard link or a rename to TARGET).
_STOP_AT_ITS_NAME = """
import signal, sys
def _stop(event, args):
    if event in ("os.link", "os.rename") and str(args[1]) == TARGET:
        print("ready", flush=True)
        signal.pause()
sys.addaudithook(_stop)
"""

_RUN = "import sys\nfrom romrunner.cli.main import main\nsys.exit(main(ARGS))\n"


@contextmanager
def _child(prelude: str, args: list[str], **names: object) -> Iterator[subprocess.Popen[str]]:
    """The CLI run with ``args`` in a real child process, ``prelude`` run first (with
    ``names`` set); the body runs once it printed "ready"; killed (SIGKILL) on leaving."""
    given = "".join(f"{name} = {value!r}\n" for name, value in names.items())
    source = f"{given}ARGS = {args!r}\n{prelude}\n{_RUN}"
    proc = subprocess.Popen([sys.executable, "-c", source], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == "ready\n", (line, proc.stdout.read(), proc.stderr.read()
                                   if proc.stderr else "")
        yield proc
    finally:
        proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _version(db: Path) -> int:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT schema_version FROM schema_version").fetchone()[0])
    finally:
        conn.close()


def _after_a_killed_creation_the_next_command_makes_it_whole(db: Path) -> None:
    status = run_subprocess("--db", str(db), "db", "status")
    assert status.code == 2 and f"no database at {db}" in status.err, status.err
    listed = run_subprocess("--db", str(db), "games", "ls")
    assert listed.code == 2 and "older than" not in listed.err, listed.err
    made = run_subprocess("--db", str(db), "collection", "create", "Couch")
    assert made.code == 0, made.err
    # a first use: no upgrade, no backup, no "used here before"
    assert made.err == f"note: created a new database at {db} (--db or ROMRUNNER_DB names " \
        "another)\n", made.err
    assert sorted(p.name for p in db.parent.iterdir()) == ["library.db", "library.db.lock"]
    assert _version(db) == LATEST_VERSION


def test_a_creation_killed_at_a_migration_leaves_no_database(tmp_path: Path) -> None:
    """qa204 F3: killed between two migrations, the database was left at that schema
    version; `games ls` said to upgrade it, the next write wrote a `.v19-….bak` of it."""
    db = tmp_path / "library.db"
    with _child(_HOLD_AT_MIGRATION, ["--db", str(db), "collection", "create", "Sofa"],
                STOP_AT=20, GO=None):
        pass  # (killed at migration 20)
    assert not db.exists()
    assert [p.name for p in tmp_path.iterdir() if ".creating-" in p.name]  # (left, hidden)
    _after_a_killed_creation_the_next_command_makes_it_whole(db)


def test_a_creation_killed_as_it_takes_its_name_leaves_no_database(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with _child(_STOP_AT_ITS_NAME, ["--db", str(db), "collection", "create", "Sofa"],
                TARGET=str(db)):
        assert not db.exists()
    assert not db.exists()
    _after_a_killed_creation_the_next_command_makes_it_whole(db)


def test_a_database_being_created_is_not_there_until_whole(tmp_path: Path) -> None:
    """While one command makes the database, a reader finds none (not an older one to
    upgrade); a second writer waiting for it (--wait) then opens the complete one."""
    db, go = tmp_path / "library.db", tmp_path / "go"
    with _child(_HOLD_AT_MIGRATION, ["--db", str(db), "collection", "create", "Sofa"],
                STOP_AT=20, GO=str(go)) as first:
        read = run_subprocess("--db", str(db), "collection", "ls")
        assert read.code == 2 and read.err.startswith(
            f"error: no database at {db} yet: another romrunner command is creating it (pid "
            f"{first.pid}: collection create, since "), read.err
        assert read.err.endswith("; try again when it finishes\n"), read.err
        second = subprocess.Popen(
            [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "--wait",
             "collection", "create", "Couch"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        waiting = second.stderr.readline()  # (once it waits for the first: then it goes on)
        assert waiting.startswith("waiting: another romrunner command is writing"), waiting
        go.touch()
        assert first.wait(120) == 0
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert "migrated" not in err and ".bak" not in err, err
    listed = run_subprocess("--db", str(db), "--json", "collection", "ls")
    assert {"Couch", "Sofa"} <= {row["name"] for row in listed.json()["data"]}
    assert not list(tmp_path.glob("*.bak")) and _version(db) == LATEST_VERSION


def test_a_creation_on_a_full_disk_leaves_nothing_and_says_nothing_was_made(
        tmp_path: Path) -> None:
    """qa204 F1: on a 2 MiB disk `library add` failed "the disk is full", then said
    "created a new database", and left the database with a WAL that filled the disk."""
    lib = tmp_path / "lib"
    lib.mkdir()
    with mounted_tmpfs(tmp_path / "small", "2m") as small:
        db = small / "library.db"
        result = run_subprocess("--db", str(db), "library", "add", str(lib))
        assert result.code == 2, result.err
        assert result.err.startswith(f"error: {db}: ") and result.err.count("\n") == 1, \
            result.err
        assert "the disk is full" in result.err and "no database was made" in result.err
        assert ".creating-" not in result.err  # (the database's name, not the temporary's)
        assert sorted(small.iterdir()) == []  # (the disk given back; no lock file either)


_SYNC_FAILS = """
import romrunner.cli.context as context
from romrunner.errors import DiskFullError
def _full(db, pack):
    raise DiskFullError(f"{db.path}: the disk is full (database or disk is full)")
context.sync_pack = _full
print("ready", flush=True)
"""


def test_a_new_database_whose_pack_could_not_be_recorded_is_removed(tmp_path: Path) -> None:
    """qa204 F1 as reported: the migrations fit and recording the pack filled the disk; the
    migrations' commits made the new database count as the command's work, kept."""
    db = tmp_path / "library.db"
    with _child(_SYNC_FAILS, ["--db", str(db), "collection", "create", "Sofa"]) as proc:
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert proc.wait(120) == 2, err
    assert "the disk is full" in err and "created a new database" not in err, err
    assert sorted(tmp_path.iterdir()) == []


def test_a_database_made_meanwhile_by_another_is_kept(tmp_path: Path) -> None:
    """Without the writer lock (the engine used as a library), a database another made while
    this one was being made is left as it is: never replaced by this one's."""
    from romrunner.store.open import create_database

    db = tmp_path / "library.db"
    db.write_bytes(b"theirs")
    assert create_database(db) is False
    assert db.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.db"]
    db.unlink()
    assert create_database(db) is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.db"]
    assert _version(db) == LATEST_VERSION


def test_a_stale_log_of_a_deleted_database_is_not_replayed_onto_a_new_one(
        tmp_path: Path) -> None:
    # review50g F1: a killed scan's write-ahead log left beside a database the user then
    # deleted (or emptied) was replayed onto the new one: the old games back, "database
    # disk image is malformed"-grade damage, said "created a new database"
    lib = tmp_path / "roms" / "gb"
    lib.mkdir(parents=True)
    for n in range(20):
        (lib / f"Game {n} (USA).gb").write_bytes(bytes([n + 1]) * 8192)
    for emptied in (False, True):
        db = tmp_path / f"db-{emptied}.sqlite"
        env = {"ROMRUNNER_DB": str(db), "HOME": str(tmp_path / "home")}
        assert run_subprocess("library", "add", str(tmp_path / "roms"), env=env).code == 0
        assert run_subprocess("scan", "--workers", "1", env=env).code == 0
        writer = sqlite3.connect(db)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE games SET filepath = filepath || '.old'")
        writer.commit()
        log = Path(f"{db}-wal").read_bytes()  # (taken while it holds the change)
        writer.close()
        if emptied:
            db.write_bytes(b"")
        else:
            db.unlink()
        Path(f"{db}-wal").write_bytes(log)
        made = run_subprocess("library", "add", str(tmp_path / "roms"), env=env)
        assert made.code == 0, made.err
        assert run_subprocess("db", "check", env=env).code == 0
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM games").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# Run first in the child: every chmod of an open file (os.fchmod) fails with REFUSED, as on a
# file system that keeps no permissions; each one refused is noted in the file NOTED. An
# audit hook, not a mock of the creation: no real file system at hand refuses fchmod and
# then creates a SQLite database (fusefat answers ENOSYS, then SQLite's locking fails there
# too), so the refusal is made at the os.fchmod call itself, in a real child process.
_FCHMOD_REFUSED = """
import errno, os, sys
def _refuse(event, args):
    if event == "os.chmod" and isinstance(args[0], int):
        with open(NOTED, "a") as noted:
            noted.write("refused\\n")
        raise OSError(REFUSED, os.strerror(REFUSED))
sys.addaudithook(_refuse)
"""


def _create_with_fchmod_failing(tmp_path: Path, refused: int) -> tuple[Path, int, str, int]:
    """`library add` making a new database in its own folder, each fchmod failing with
    ``refused``: the database's path, the exit code, stderr, how many were refused."""
    lib = tmp_path / "lib"
    lib.mkdir(exist_ok=True)
    folder = tmp_path / f"db-{refused}"
    folder.mkdir()
    db, noted = folder / "library.db", tmp_path / f"noted-{refused}"
    source = (f"NOTED = {str(noted)!r}\nREFUSED = {refused}\n{_FCHMOD_REFUSED}\n"
              f"ARGS = {['--db', str(db), 'library', 'add', str(lib)]!r}\n{_RUN}")
    proc = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                          timeout=300, check=False)
    count = len(noted.read_text().splitlines()) if noted.exists() else 0
    return db, proc.returncode, proc.stderr, count


def test_a_chmod_the_file_system_refuses_does_not_fail_the_creation(tmp_path: Path) -> None:
    # review50g F2: the new database's temporary file is given SQLite's usual mode by
    # fchmod; a file system refusing it (fusefat: ENOSYS; some network mounts: EPERM,
    # EOPNOTSUPP) failed the creation, "no database was made", where SQLite's own creation
    # never chmodded. The file keeps what the file system gives it.
    for refused in (errno.ENOSYS, errno.EPERM, errno.EOPNOTSUPP):
        db, code, err, count = _create_with_fchmod_failing(tmp_path, refused)
        assert count >= 1  # (the chmod was asked, and refused)
        assert code == 0, err
        assert "created a new database" in err and "cannot create" not in err, err
        assert sorted(p.name for p in db.parent.iterdir()) == ["library.db",
                                                               "library.db.lock"]
        assert _version(db) == LATEST_VERSION


def test_a_chmod_that_fails_otherwise_fails_the_creation_leaving_nothing(
        tmp_path: Path) -> None:
    db, code, err, count = _create_with_fchmod_failing(tmp_path, errno.EIO)
    assert count == 1
    assert code == 2, err
    assert err == f"error: {db}: cannot create the database (Input/output error); no " \
        "database was made\n", err
    assert sorted(db.parent.iterdir()) == []


def test_a_database_name_too_long_for_its_backups_is_refused_and_one_that_fits_upgrades(
        tmp_path: Path) -> None:
    # review51a F1: a name of 231 to 236 bytes was created, then every upgrade failed
    # writing its backup (`NAME.v38-TIME.bak`: "File name too long") and `db restore` its
    # own (from 220): a database no later release could open. Such a name is refused when
    # the database would be made; the longest one taken has room for those backups.
    folder = tmp_path / "dbs"
    folder.mkdir()
    long = folder / ("d" * 198 + ".db")  # 201 bytes
    refused = run_subprocess("--db", str(long), "collection", "create", "Couch")
    assert refused.code == 2, refused.err
    assert refused.err == f"error: {long}: cannot create the database: its name is longer " \
        "than 200 bytes, and the files ROM Runner writes beside it (its backups before an " \
        "upgrade or a restore) are named after it; give it a shorter name; no database was " \
        "made\n", refused.err
    assert list(folder.iterdir()) == []
    fits = folder / ("e" * 197 + ".db")  # 200 bytes
    assert run_subprocess("--db", str(fits), "collection", "create", "Couch").code == 0
    backup = tmp_path / "saved.db"
    assert run_subprocess("--db", str(fits), "db", "backup", str(backup)).code == 0
    restored = run_subprocess("--db", str(fits), "db", "restore", str(backup), "--force")
    assert restored.code == 0, restored.err
    assert [p.name for p in folder.iterdir() if ".before-restore-" in p.name], \
        list(folder.iterdir())
    # an upgrade's backup, at the name ROM Runner gives it (a second one in the same second
    # too), can be made beside it
    for _ in range(2):
        made = _backup_path(fits, 99)
        made.write_bytes(b"")
    assert len(list(folder.glob("*.v99-*.bak"))) == 2
