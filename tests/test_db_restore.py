"""`db restore BACKUP`: a backup put back as the database, checked first, the database it
replaces saved first, atomically (a kill -9 at any step leaves the old or the restored
database, never a mix), and a new lineage so backups of the line it left are never replaced
silently (QA6 B-7: there was no way back from a backup)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import Database
from romrunner.store.backup import LINEAGE_KEY, backup_database, database_state, is_backup_file
from romrunner.store.migrate import current_version, migrate, schema_gaps, schema_object_gaps
from romrunner.store.restore import restore_database
from tests.conftest import knulli_card_deployed, mounted_tmpfs, run_subprocess
from tests.test_lock import HOLDER
from tests.test_migrations import build_old

BUILTIN = {"favorites", "recently added", "missing files", "unidentified", "name-guessed"}


def collections(db: Path) -> set[str]:
    """The user's collections, read with a plain writable connection (so a WAL left by a
    killed command is recovered the way SQLite always does)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT name FROM collections")} - BUILTIN
    finally:
        conn.close()


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bak"))


@pytest.fixture
def live(cli: Any, db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A database with collection A backed up, then B and C added; (database, backup)."""
    assert cli("collection", "create", "A").code == 0
    backup = tmp_path / "bk" / "a.db"
    assert cli("db", "backup", str(backup)).code == 0
    assert cli("collection", "create", "B").code == 0
    assert cli("collection", "create", "C").code == 0
    return db_path, backup


def test_restore_puts_the_backup_back_and_saves_the_database_first(
        cli: Any, live: tuple[Path, Path]) -> None:
    db, backup = live
    result = cli("--json", "db", "restore", str(backup))
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert collections(db) == {"A"}
    saved = Path(data["saved"])
    assert saved.parent == db.parent and saved.name.startswith(f"{db.name}.before-restore-")
    assert is_backup_file(saved) and collections(saved) == {"A", "B", "C"}
    assert data["counts"]["collections"] == {"now": 3, "restored": 1}
    assert data["fewer"] == ["collections"] and data["other_database"] is False
    assert not is_backup_file(db)  # a database again, not a backup
    assert cli("db", "check").code == 0
    assert cli("collection", "create", "D").code == 0  # it is written to as ever

    back = cli("db", "restore", str(saved))  # the way back, in text
    assert back.code == 0, back.err
    lines = back.out.splitlines()
    assert lines[0].startswith(f"restored {db} from {saved} (written ")
    assert lines[1].startswith(f"the database it replaced is saved at {db}.before-restore-")
    assert collections(db) == {"A", "B", "C"}
    assert len(backups(db.parent)) == 2
    status = cli("--json", "db", "status").json()["data"]  # (QA106 F4: kept, never said)
    assert status["saved_by_restores"] == 2
    assert status["saved_bytes"] == sum(p.stat().st_size for p in backups(db.parent))
    assert "saved copies    2 databases `db restore` replaced" in cli("db", "status").out


def test_the_wal_of_the_replaced_database_is_never_applied(
        cli: Any, live: tuple[Path, Path]) -> None:
    """Changes still in the WAL (a reader kept it from being folded in) are saved with the
    database, and none of its pages end up in the restored one."""
    db, backup = live
    reader = sqlite3.connect(db)
    reader.execute("SELECT count(*) FROM collections").fetchone()
    try:
        assert cli("collection", "create", "E").code == 0
        assert Path(f"{db}-wal").stat().st_size > 0
        result = cli("--json", "db", "restore", str(backup))
        assert result.code == 0, result.err
    finally:
        reader.close()
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert collections(db) == {"A"}
    assert collections(Path(result.json()["data"]["saved"])) == {"A", "B", "C", "E"}


def test_a_restore_beside_another_programs_write_refuses_and_beside_a_reader_goes_on(
        live: tuple[Path, Path]) -> None:
    """QA32 F8: with another program's write transaction open (a sqlite3 shell: it takes no
    lock file of ours), the restore went ahead and that program's commit "succeeded" into the
    file replaced, lost; with a reader open it refused, calling it "another writer"."""
    db, backup = live
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO collections (name) VALUES ('D')")
        refused = run_subprocess("--db", str(db), "db", "restore", str(backup))
        assert refused.code == 2 and "another program is writing" in refused.err, refused.err
        other.execute("COMMIT")
    finally:
        other.close()
    assert collections(db) == {"A", "B", "C", "D"}  # its commit is in the database
    reader = sqlite3.connect(db, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM games").fetchone()
        done = run_subprocess("--db", str(db), "db", "restore", str(backup))
        assert done.code == 0, done.err
    finally:
        reader.close()
    assert collections(db) == {"A"}


def test_refusals_change_nothing(cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    db, backup = live
    before = collections(db)
    copy = tmp_path / "plain-copy.db"
    copy.write_bytes(db.read_bytes())
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    damaged = tmp_path / "damaged.db"
    data = bytearray(backup.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a b-tree page
    damaged.write_bytes(bytes(data))
    cases = {
        str(tmp_path / "none.db"): "no such file",
        str(tmp_path): "not a regular file",
        str(db): "is the database itself",
        str(copy): "not a ROM Runner backup (its header has no backup mark",
        str(not_sqlite): "not a ROM Runner backup",
        str(damaged): "nothing was changed",
    }
    for path, message in cases.items():
        result = cli("db", "restore", path)
        assert result.code == 2, (path, result.out)
        assert result.err.count("\n") == 1 and message in result.err, result.err
    assert collections(db) == before
    assert backups(db.parent) == []
    assert not list(db.parent.glob(".romrunner-restore.*"))


def test_a_backup_without_a_table_of_its_schema_is_refused_and_db_check_names_it(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    """QA146 F7: a backup whose `games` table was dropped by hand (its mark, version and
    quick check intact) was restored, exit 0, and every command then failed with "no such
    table: games", `db check` too."""
    db, backup = live
    before = collections(db)
    edited = tmp_path / "edited.db"
    edited.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(edited)
    conn.execute("DROP TABLE games")
    conn.commit()
    conn.close()
    assert is_backup_file(edited)
    refused = cli("db", "restore", str(edited))
    assert refused.code == 2 and refused.err.count("\n") == 1, refused.err
    assert "without its table games" in refused.err and "nothing was changed" in refused.err
    assert collections(db) == before and backups(db.parent) == []
    checked = cli("--db", str(edited), "--json", "db", "check")
    assert checked.code == 1, checked.err
    assert checked.json()["data"]["schema"] == ["table games"]
    assert "table games" in cli("--db", str(edited), "db", "check").out
    assert cli("--db", str(backup), "--json", "db", "check").json()["data"]["schema"] == []


@pytest.mark.parametrize("version", [1, 2, 3, 13, 24])
def test_a_database_upgraded_from_any_version_has_no_gap_in_its_schema(
        tmp_path: Path, version: int) -> None:
    """The check above never refuses a whole database: one built at an older version and
    upgraded has every table and column a new one has, as has the old one at its own."""
    db = build_old(tmp_path / "old.db", version)
    try:
        assert schema_gaps(db.conn, version) == []
        migrate(db)
        assert schema_gaps(db.conn, current_version(db)) == []
        # (nor a trigger or index `db check` looks for: QA157 F1)
        assert schema_object_gaps(db.conn, current_version(db)) == []
    finally:
        db.close()


def test_a_file_at_db_that_is_not_a_rom_runner_database_is_never_replaced(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    _, backup = live
    theirs = tmp_path / "someone-elses.sqlite"
    conn = sqlite3.connect(theirs)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    before = theirs.read_bytes()
    result = cli("--db", str(theirs), "db", "restore", str(backup), "--force")
    assert result.code == 2
    assert "not a ROM Runner database" in result.err and "db restore replaces only" in result.err
    assert theirs.read_bytes() == before
    assert not list(tmp_path.glob("someone-elses.sqlite.before-restore-*"))


def test_a_newer_schema_is_refused(cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    db, backup = live
    newer = tmp_path / "newer.db"
    newer.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE schema_version SET schema_version = 999")
    conn.commit()
    conn.close()
    result = cli("db", "restore", str(newer))
    assert result.code == 2
    assert "schema version 999 is newer than this ROM Runner understands" in result.err
    assert collections(db) == {"A", "B", "C"}


def test_a_backup_of_another_database_needs_force(cli: Any, live: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    db, _ = live
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "collection", "create", "Z").code == 0
    theirs = tmp_path / "theirs.db"
    assert cli("--db", str(other), "db", "backup", str(theirs)).code == 0
    refused = cli("db", "restore", str(theirs))
    assert refused.code == 2
    assert f"error: {theirs}: a backup of another database (0 games; this database: 0 " \
           "games); nothing was changed (--force restores it, saving this database first)" \
           in refused.err
    assert collections(db) == {"A", "B", "C"} and backups(db.parent) == []
    forced = cli("--json", "db", "restore", str(theirs), "--force")
    assert forced.code == 0
    document = forced.json()
    assert document["data"]["other_database"] is True
    assert f"{theirs}: a backup of another database, restored with --force" \
        in document["warnings"]
    assert collections(db) == {"Z"}
    assert collections(Path(document["data"]["saved"])) == {"A", "B", "C"}


def test_an_older_schema_is_restored_as_it_is_and_said(cli: Any, tmp_path: Path,
                                                       db_path: Path) -> None:
    """The backup `db migrate` wrote (the way back to the release before) is restored at its
    version; the next `db migrate` upgrades it again."""
    old = build_old(tmp_path / "old.db", 19)
    old.execute("INSERT INTO collections (name) VALUES ('Old')")
    old.close()
    assert cli("--db", str(tmp_path / "old.db"), "db", "migrate").code == 0
    (pre_upgrade,) = tmp_path.glob("old.db.v19-*.bak")
    result = cli("--db", str(tmp_path / "old.db"), "--json", "db", "restore", str(pre_upgrade))
    assert result.code == 0, result.err
    document = result.json()
    assert document["data"]["schema_version"] == 19
    assert any("schema version 19, older than" in w for w in document["warnings"])
    read = cli("--db", str(tmp_path / "old.db"), "games", "ls")
    assert read.code == 2 and "run `romrunner db migrate`" in read.err
    assert cli("--db", str(tmp_path / "old.db"), "db", "migrate").code == 0
    assert collections(tmp_path / "old.db") == {"Old"}


def test_restore_with_no_database_creates_it(cli: Any, live: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    _, backup = live
    fresh = tmp_path / "new" / "library.db"
    Path(f"{fresh}-wal").parent.mkdir()
    Path(f"{fresh}-wal").write_bytes(b"a WAL left by a database removed by hand")
    result = cli("--db", str(fresh), "--json", "db", "restore", str(backup))
    assert result.code == 0, result.err
    assert result.json()["data"]["saved"] is None
    assert not Path(f"{fresh}-wal").exists()
    assert collections(fresh) == {"A"}
    assert cli("--db", str(fresh), "db", "check").code == 0


def test_a_refused_restore_with_no_database_leaves_nothing(cli: Any, tmp_path: Path) -> None:
    stray = tmp_path / "stray.db"
    stray.write_text("not a backup")
    fresh = tmp_path / "new" / "library.db"
    assert cli("--db", str(fresh), "db", "restore", str(stray)).code == 2
    assert not (tmp_path / "new").exists()


def test_a_corrupt_database_is_copied_as_it_is_then_replaced(
        cli: Any, live: tuple[Path, Path]) -> None:
    db, backup = live
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'collections'"
                        ).fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\xff" * page)
    damaged = db.read_bytes()
    result = cli("--json", "db", "restore", str(backup))
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert data["saved_as_is"] is True and data["corrupt"]
    assert Path(data["saved"]).read_bytes() == damaged
    assert collections(db) == {"A"}
    assert cli("db", "check").code == 0


def test_restore_waits_for_or_refuses_a_running_writer(live: tuple[Path, Path]) -> None:
    db, backup = live
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = run_subprocess("--db", str(db), "db", "restore", str(backup))
        assert refused.code == 2
        assert f"another romrunner command is writing to {db} (pid {holder.pid}: scan" \
            in refused.err
        assert collections(db) == {"A", "B", "C"}
        waiter = subprocess.Popen(
            [sys.executable, "-m", "romrunner.cli.main", "--wait", "--db", str(db), "db",
             "restore", str(backup)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert waiter.stderr is not None
        assert waiter.stderr.readline().startswith("waiting: another romrunner command")
        assert holder.stdin is not None
        holder.stdin.close()
        _, err = waiter.communicate(timeout=120)
        assert waiter.returncode == 0, err
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
    assert collections(db) == {"A"}


# -- a kill -9 at every step -----------------------------------------------------------------

# Runs the CLI with every call that changes files on disk (os.replace, os.unlink, os.fsync,
# os.rename, os.link) counted; at call number N it says so on stderr and waits to be killed.
PAUSING = """
import os, sys, time
from romrunner.cli.main import main
target, calls = int(sys.argv[1]), 0
def counted(name, real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == target:
            sys.stderr.write(f"PAUSED {name} {args[0] if args else ''}\\n")
            sys.stderr.flush()
            while True:
                time.sleep(60)
        return real(*args, **kwargs)
    return call
for name in ("replace", "unlink", "fsync", "rename", "link"):
    setattr(os, name, counted(name, getattr(os, name)))
code = main(sys.argv[2:])
sys.stderr.write(f"STEPS {calls}\\n")
sys.exit(code)
"""


def run_paused(target: int, *args: str) -> tuple[str, int | None]:
    """Run the CLI until its ``target``-th file step, then kill -9 it; (what it paused at,
    or its last line, and its exit code when it ran to the end)."""
    proc = subprocess.Popen([sys.executable, "-c", PAUSING, str(target), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    last = ""
    for line in proc.stderr:
        last = line.strip()
        if last.startswith("PAUSED"):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return last, None
    return last, proc.wait(timeout=120)


# A process that adds W and keeps the database open, so W stays in the WAL (the last
# connection to close would fold it into the file); it is killed -9 too, never closing.
WAL_KEEPER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("INSERT INTO collections (name) VALUES ('W')")
conn.commit()
print("ready", flush=True)
sys.stdin.read()
"""


def as_the_next_command_sees(db: Path) -> tuple[set[str], bool]:
    """The user's collections and whether the file is on a restored line, read as a ROM
    Runner command that writes opens it (WAL mode: a WAL left beside the file is applied
    now). Pages of the two databases mixed would show one's collections with the other's
    settings."""
    opened = Database(db)
    try:
        assert opened.scalar("PRAGMA integrity_check") == "ok"
        names = {row[0] for row in opened.query("SELECT name FROM collections")} - BUILTIN
        restored = opened.scalar("SELECT count(*) FROM user_settings WHERE key = ?",
                                 (LINEAGE_KEY,))
        return names, bool(restored)
    finally:
        opened.close()


OLD, RESTORED = ({"A", "B", "C", "W"}, False), ({"A"}, True)


def test_a_kill_at_any_step_leaves_the_old_or_the_restored_database(
        live: tuple[Path, Path], tmp_path: Path) -> None:
    db, backup = live
    original = tmp_path / "original"
    original.mkdir()
    for name in os.listdir(db.parent):
        if name.startswith(db.name):
            (original / name).write_bytes((db.parent / name).read_bytes())
    args = ("--db", str(db), "db", "restore", str(backup))

    def reset() -> subprocess.Popen[str]:
        for name in os.listdir(db.parent):
            if name.startswith((db.name, ".romrunner-")):
                (db.parent / name).unlink()
        for saved in original.iterdir():
            (db.parent / saved.name).write_bytes(saved.read_bytes())
        keeper = subprocess.Popen([sys.executable, "-c", WAL_KEEPER, str(db)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert keeper.stdout is not None and keeper.stdout.readline().strip() == "ready"
        assert Path(f"{db}-wal").stat().st_size > 0
        return keeper

    def kill(keeper: subprocess.Popen[str]) -> None:
        keeper.kill()
        keeper.wait(timeout=30)

    keeper = reset()
    last, code = run_paused(10**9, *args)
    kill(keeper)
    assert code == 0 and last.startswith("STEPS "), last
    steps = int(last.split()[1])
    assert steps >= 6
    outcomes = set()
    for target in range(1, steps + 1):
        keeper = reset()
        paused, code = run_paused(target, *args)
        kill(keeper)
        assert code is None, paused
        found = as_the_next_command_sees(db)
        assert found in (OLD, RESTORED), (paused, found)
        outcomes.add(found == RESTORED)
        checked = run_subprocess("--db", str(db), "db", "check")
        assert checked.code == 0, (paused, checked.out, checked.err)
        again = run_subprocess(*args)  # a restore after the kill finishes the job
        assert again.code == 0, (paused, again.err)
        assert as_the_next_command_sees(db) == RESTORED
        assert not list(db.parent.glob(".romrunner-restore.*")), paused
    assert len(outcomes) == 2  # killed both before and after the switch


# -- lineage: backups of the line of changes a restore left ------------------------------------

def test_a_backup_of_the_line_left_by_a_restore_is_not_replaced_silently(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    _, early = live  # early: A; the database: A, B, C
    late = tmp_path / "bk" / "late.db"
    assert cli("db", "backup", str(late)).code == 0
    assert cli("db", "restore", str(early)).code == 0  # back to A, a new line from there
    for name in ("D", "E", "F", "G"):  # its counters pass the late backup's
        assert cli("collection", "create", name).code == 0
    before = late.read_bytes()
    refused = cli("db", "backup", str(late))
    assert refused.code == 2
    assert f"error: {late}: a ROM Runner backup of this database holding changes it does " \
           "not have (written " in refused.err
    assert "restored " in refused.err and "to an earlier state" in refused.err
    assert late.read_bytes() == before
    # the backup the restore went back to is on its past: replaced without --force
    assert cli("db", "backup", str(early)).code == 0
    assert collections(early) == {"A", "D", "E", "F", "G"}
    # a backup of the new line is replaced by its later states, as ever
    newest = tmp_path / "bk" / "newest.db"
    assert cli("db", "backup", str(newest)).code == 0
    assert cli("collection", "create", "H").code == 0
    assert cli("db", "backup", str(newest)).code == 0
    # going back to the late backup leaves the new line: its backups are kept in turn
    assert cli("db", "restore", str(late)).code == 0
    for name in ("I", "J", "K", "L", "M", "N", "O"):
        assert cli("collection", "create", name).code == 0
    refused = cli("db", "backup", str(newest))
    assert refused.code == 2
    assert "a ROM Runner backup of this database from another line of changes, split from " \
           "this one by a restore (written " in refused.err
    assert cli("db", "backup", str(newest), "--force").code == 0


def test_lineage_survives_a_backup_and_a_second_restore(tmp_path: Path) -> None:
    """The record of restores travels in the file: a restored backup of a restored database
    still knows every line it came through."""
    db = tmp_path / "live.db"
    first = Database(db)
    migrate(first)
    first.close()
    bk = tmp_path / "one.db"
    conn = Database(db)
    backup_database(conn, bk)
    conn.close()
    one = restore_database(db, bk)
    conn = Database(db)
    backup_database(conn, tmp_path / "two.db")
    conn.close()
    two = restore_database(db, tmp_path / "two.db")
    conn = Database(db, read_only=True)
    state = database_state(conn.conn)
    conn.close()
    assert [r.lineage for r in state.restores] == [one.lineage, two.lineage]
    assert [r.parent for r in state.restores] == [None, one.lineage]
    assert state.lineage == two.lineage


def test_what_the_restored_database_holds_fewer_of_is_said_in_the_numbers_form(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    # QA13: "holds fewer rows … 1 collections"
    assert cli("collection", "create", "A").code == 0
    backup = tmp_path / "bk" / "a.db"
    assert cli("db", "backup", str(backup)).code == 0
    assert cli("collection", "create", "B").code == 0
    restored = cli("db", "restore", str(backup))
    assert restored.code == 0, restored.err
    assert ("the restored database holds fewer rows than the one it replaced: 1 collection "
            "(the saved copy keeps them)") in " ".join(restored.out.split())


def test_a_restore_run_again_on_the_database_it_restored_names_the_first_way_back(
        cli: Any, live: tuple[Path, Path]) -> None:
    """QA20 C4: a restore killed once it had swapped the files, run again as the README
    says, saved the restored state as "the database it replaced" and named that as the way
    back; the user's earlier state was in the first run's backup, never named. Run again on
    the database it made (unchanged since), it does nothing and names that first backup."""
    db, backup = live
    first = cli("--json", "db", "restore", str(backup))
    assert first.code == 0, first.err
    saved = Path(first.json()["data"]["saved"])
    assert collections(saved) == {"A", "B", "C"}
    again = cli("db", "restore", str(backup))
    assert again.code == 0, again.err
    assert f"{db} already is {backup} (restored " in again.out
    assert "unchanged since): nothing to do" in again.out
    assert f"the database that restore replaced is saved at {saved}" in again.out
    assert backups(db.parent) == [saved]  # no second before-restore backup
    assert collections(db) == {"A"}
    data = cli("--json", "db", "restore", str(backup)).json()["data"]
    assert data["already_restored_at"] is not None and data["saved"] == str(saved)
    # once the restored database has changed, a restore is a restore again
    assert cli("collection", "create", "D").code == 0
    changed = cli("--json", "db", "restore", str(backup))
    assert changed.code == 0, changed.err
    assert changed.json()["data"]["already_restored_at"] is None
    assert collections(Path(changed.json()["data"]["saved"])) == {"A", "D"}
    assert collections(db) == {"A"}


def test_the_way_back_a_restore_names_restores_whatever_changed_since_the_backup(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA38 F2: the counters that tell a restore run again (the line of changes, the
    AUTOINCREMENT counters, the games) are those of every backup of one line whose changes
    since were edits and deletions: `db restore` of the before-restore backup it named as the
    way back, and a restore of the same backup to undo mistakes made since, said "already
    is … nothing to do" and left the database as it was."""
    for name in ("A", "B"):
        assert cli("collection", "create", name).code == 0
    backup = tmp_path / "bk" / "ab.db"
    assert cli("db", "backup", str(backup)).code == 0
    assert cli("collection", "rm", "B", "--force").code == 0  # (a deletion only)
    assert collections(db_path) == {"A"}
    first = cli("--json", "db", "restore", str(backup))
    assert first.code == 0, first.err
    saved = Path(first.json()["data"]["saved"])
    assert collections(db_path) == {"A", "B"} and collections(saved) == {"A"}
    back = cli("--json", "db", "restore", str(saved))  # the way back it named
    assert back.code == 0, back.err
    assert back.json()["data"]["already_restored_at"] is None
    assert collections(db_path) == {"A"}
    again = cli("--json", "db", "restore", str(backup))
    assert again.code == 0 and collections(db_path) == {"A", "B"}
    assert cli("collection", "rm", "A", "--force").code == 0  # a mistake, undone:
    undo = cli("--json", "db", "restore", str(backup))
    assert undo.code == 0, undo.err
    assert undo.json()["data"]["already_restored_at"] is None
    assert collections(db_path) == {"A", "B"}


def test_a_backup_of_the_line_a_restore_left_holding_only_edits_is_not_replaced(
        cli: Any, tmp_path: Path) -> None:
    """QA38 F7: a backup of the line a restore left, whose changes since the state restored
    were edits and removals (the counters as they were), was replaced silently by a backup
    of the restored database; the backup restored itself is still replaced (its past)."""
    for name in ("A", "B"):
        assert cli("collection", "create", name).code == 0
    early = tmp_path / "bk" / "early.db"
    assert cli("db", "backup", str(early)).code == 0
    assert cli("collection", "rm", "A", "--force").code == 0  # a removal only
    edited = tmp_path / "bk" / "edited.db"
    assert cli("db", "backup", str(edited)).code == 0
    assert cli("db", "restore", str(early)).code == 0  # the removal's line left
    before = edited.read_bytes()
    refused = cli("db", "backup", str(edited))
    assert refused.code == 2
    assert "from the line of changes a restore left" in refused.err
    assert "holding changes it does not have" in refused.err
    assert edited.read_bytes() == before and collections(edited) == {"B"}
    copy = tmp_path / "bk" / "copy.db"
    copy.write_bytes(early.read_bytes())  # a copy of the state restored, another name...
    assert cli("db", "backup", str(copy)).code == 0  # ...is its past: replaced
    assert cli("db", "backup", str(early)).code == 0
    assert cli("db", "backup", str(edited), "--force").code == 0
    assert collections(edited) == {"A", "B"}


def test_a_ctrl_c_as_the_file_is_replaced_says_the_database_was_restored(
        cli: Any, live: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """QA42 F1: a Ctrl-C in the last moments of a restore said "interrupted: nothing was
    changed" while the database had been replaced by the backup. A real SIGINT, sent as the
    file is replaced: held until the replacement is done and said, then raised."""
    from romrunner.store import restore as restore_module

    db, backup = live
    swap = restore_module._swap

    def interrupted_swap(temp: Path, path: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        swap(temp, path)

    monkeypatch.setattr(restore_module, "_swap", interrupted_swap)
    result = cli("db", "restore", str(backup))
    assert result.code == 130
    assert "interrupted: work committed so far is kept" in result.err
    assert f"the database was restored from {backup}" in result.err
    (saved,) = backups(db.parent)
    assert f"saved at {saved}" in result.err
    assert collections(db) == {"A"} and collections(saved) == {"A", "B", "C"}


def test_a_ctrl_c_before_the_file_is_replaced_leaves_no_copy_behind(
        cli: Any, live: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """QA62 F1: interrupted after it saved the database beside itself but before replacing
    it, a restore said "nothing was changed" and left that full copy, unnamed (one more
    each retry). A real SIGINT, sent as the restored copy is being marked."""
    from romrunner.store import restore as restore_module

    db, backup = live
    mark = restore_module._mark_restored

    def interrupted_mark(*args: Any, **kwargs: Any) -> None:
        mark(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(restore_module, "_mark_restored", interrupted_mark)
    before = db.read_bytes()
    result = cli("db", "restore", str(backup))
    assert result.code == 130 and "nothing was changed" in result.err, result.err
    assert backups(db.parent) == [] and db.read_bytes() == before
    monkeypatch.setattr(restore_module, "_mark_restored", mark)
    assert cli("db", "restore", str(backup)).code == 0  # (the retry is the database's own)
    assert len(backups(db.parent)) == 1 and collections(db) == {"A"}


def test_the_row_of_paths_recorded_before_v1_1_0_is_no_root_in_the_counts(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    """QA46 F3: the placeholder row an upgrade from v1.0.0 leaves (path '') was counted as a
    library root by the restore's table, where `db status` says none."""
    db, backup = live
    (tmp_path / "lib").mkdir()
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO library_roots (path) VALUES ('')")
    data = cli("--json", "db", "restore", str(backup)).json()["data"]
    assert data["counts"]["library roots"] == {"now": 1, "restored": 0}


def test_a_database_reached_through_a_link_is_the_file_itself(tmp_path: Path) -> None:
    """QA49 F11: through a symbolic link, the writer lock was the link's (two writers at
    once) and `db restore` replaced the link, leaving the database as it was."""
    from romrunner.store.lock import WriterLock
    from tests.conftest import run_subprocess

    (tmp_path / "real").mkdir()
    (tmp_path / "link").mkdir()
    real, link = tmp_path / "real" / "rr.db", tmp_path / "link" / "rr.db"
    assert run_subprocess("--db", str(real), "collection", "create", "Before").code == 0
    link.symlink_to(real)
    assert run_subprocess("--db", str(real), "db", "backup", str(tmp_path / "bk.db")).code == 0
    assert run_subprocess("--db", str(link), "collection", "create", "After").code == 0
    restored = run_subprocess("--db", str(link), "db", "restore", str(tmp_path / "bk.db"))
    assert restored.code == 0, restored.err
    assert link.is_symlink()
    listed = run_subprocess("--db", str(real), "--json", "collection", "ls")
    names = [row["name"] for row in listed.json()["data"]]
    assert "Before" in names and "After" not in names
    lock = WriterLock(real, "scan")
    lock.acquire()
    try:
        busy = run_subprocess("--db", str(link), "collection", "create", "Meanwhile")
        assert busy.code == 2 and "another romrunner command is writing" in busy.err
    finally:
        lock.release()


def test_a_backup_written_to_through_db_is_a_database_from_then_on(
        cli: Any, live: tuple[Path, Path]) -> None:
    """QA98 F12: a backup used as a database (another computer's: review 29 R4) kept its
    backup mark once written to, so the next `db backup` to that path replaced it as an old
    backup of the same database, and what was written to it was lost. A command that only
    reads leaves it a backup, byte for byte."""
    db, backup = live
    before = backup.read_bytes()
    listed = cli("--db", str(backup), "--json", "collection", "ls")
    assert listed.code == 0, listed.err
    assert "A" in {c["name"] for c in listed.json()["data"]}
    assert backup.read_bytes() == before and is_backup_file(backup)
    made = cli("--db", str(backup), "collection", "create", "Z")
    assert made.code == 0, made.err
    assert "was a ROM Runner backup; written to now" in made.err
    assert not is_backup_file(backup) and collections(backup) == {"A", "Z"}
    again = cli("--db", str(backup), "collection", "create", "Y")
    assert again.code == 0 and "was a backup" not in again.err
    refused = cli("db", "backup", str(backup))  # the first computer's next backup, there
    assert refused.code == 2 and "not a ROM Runner backup" in refused.err, refused.err
    assert collections(backup) == {"A", "Y", "Z"}
    assert collections(db) == {"A", "B", "C"}


def _write_and_die(path: Path) -> None:
    """A collection 'Killed' written to the database at ``path`` by a process that then dies
    as a kill -9 after the commit leaves it: never closed, never checkpointed."""
    code = ("import os, sys\n"
            "from pathlib import Path\n"
            "from romrunner.collections.store import create_collection\n"
            "from romrunner.store import OpenMode, open_database\n"
            "db = open_database(Path(sys.argv[1]), OpenMode.WRITE).db\n"
            "with db.atomic():\n"
            "    create_collection(db, 'Killed')\n"
            "os._exit(0)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_backup_keeps_its_mark_through_a_failed_write_and_loses_it_with_the_first(
        cli: Any, live: tuple[Path, Path]) -> None:
    """Review 105 F7: the mark was cleared as the command closed the database — a command
    killed after it wrote left the file marked, for a later `db backup` to replace. Now it
    goes in the first transaction that writes, with it; a command that writes nothing
    leaves it."""
    db, backup = live
    failed = cli("--db", str(backup), "collection", "add", "NoSuch", "1")
    assert failed.code != 0 and is_backup_file(backup) and "was a backup" not in failed.err
    _write_and_die(backup)
    assert collections(backup) == {"A", "Killed"}
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0
    finally:
        conn.close()
    refused = cli("db", "backup", str(backup))
    assert refused.code == 2 and ("not a ROM Runner backup" in refused.err
                                  or "in use as a database" in refused.err), refused.err
    assert collections(backup) == {"A", "Killed"}
    assert collections(db) == {"A", "B", "C"}


def test_a_command_that_changes_no_row_leaves_a_backup_marked(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    """Review 108 F1: `library add` of a folder already a root opened a transaction that
    changed nothing, and the mark went with it: `db restore` then refused the backup."""
    _, backup = live
    roms = tmp_path / "roms"
    roms.mkdir()
    assert cli("library", "add", str(roms)).code == 0
    assert cli("db", "backup", str(backup), "--force").code == 0
    again = cli("--db", str(backup), "library", "add", str(roms))
    assert again.code == 0 and "was a backup" not in again.err, again.err
    assert is_backup_file(backup)


def test_db_backup_never_writes_beside_a_databases_log(
        cli: Any, live: tuple[Path, Path]) -> None:
    """Review 108 F2, F5: a write-ahead log a killed command left beside a file was applied
    to the backup `db backup --force` put there (corrupt), or beside a path whose file was
    deleted; and a file with such a log is no backup `db restore` takes."""
    db, backup = live
    _write_and_die(backup)
    wal = Path(f"{backup}-wal")
    assert wal.stat().st_size > 0 and not is_backup_file(backup)
    before = backup.read_bytes(), wal.read_bytes()
    for args in (("db", "backup", str(backup)), ("db", "backup", str(backup), "--force")):
        refused = cli(*args)
        assert refused.code == 2 and "write-ahead log is there" in refused.err, refused.err
    restore = cli("--db", str(db.parent / "other.db"), "db", "restore", str(backup))
    assert restore.code == 2 and "not a ROM Runner backup" in restore.err
    assert (backup.read_bytes(), wal.read_bytes()) == before  # (untouched)
    backup.unlink()  # the file gone, its log left
    gone = cli("db", "backup", str(backup))
    assert gone.code == 2 and "write-ahead log is there" in gone.err
    assert not backup.exists()


def test_the_way_back_a_restore_prints_is_one_pasteable_command(
        cli: Any, tmp_path: Path) -> None:
    """QA157 F3: with a space in the database's path the printed `db restore SAVED` split in
    three words; and, without --db, it restored into the default database."""
    import shlex

    db = tmp_path / "my dir" / "rr db.db"
    db.parent.mkdir()
    assert cli("--db", str(db), "collection", "create", "A").code == 0
    backup = tmp_path / "bk é" / "a.db"
    assert cli("--db", str(db), "db", "backup", str(backup)).code == 0
    assert cli("--db", str(db), "collection", "create", "B").code == 0
    result = cli("--db", str(db), "db", "restore", str(backup))
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    command = text.split("(`", 1)[1].split("` goes back to it)", 1)[0]
    words = shlex.split(command)
    assert words[:3] == ["romrunner", "--db", str(db)] and words[3:5] == ["db", "restore"]
    saved = Path(words[5])
    assert saved.name.startswith("rr db.db.before-restore-") and collections(saved) == {"A", "B"}
    assert cli(*words[1:]).code == 0
    assert collections(db) == {"A", "B"}


def test_the_way_back_of_a_forced_restore_of_another_database_works_as_printed(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    """qa202 F2: after `db restore OTHER --force`, the printed way back was refused ("a
    backup of another database", exit 2): the database saved is another one's now."""
    import shlex

    db, _ = live
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "collection", "create", "Z").code == 0
    theirs = tmp_path / "theirs.db"
    assert cli("--db", str(other), "db", "backup", str(theirs)).code == 0
    forced = cli("db", "restore", str(theirs), "--force")
    assert forced.code == 0, forced.err
    text = " ".join(forced.out.split())
    words = shlex.split(text.split("(`", 1)[1].split("` goes back to it)", 1)[0])
    assert words[-1] == "--force", words
    back = cli(*words[1:])
    assert back.code == 0, back.err
    assert collections(db) == {"A", "B", "C"}
    # (a restore of this database's own backup needs no --force, and its way back none)
    again = cli("db", "restore", str(live[1]))
    assert again.code == 0 and "--force`" not in " ".join(again.out.split()), again.out


def test_db_check_finds_a_trigger_dropped_by_hand_and_the_counters_it_let_drift(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA157 F1: with the platform counters' triggers dropped in the sqlite3 shell, `db check`
    said "ok" while `platforms` miscounted for ever."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    for n in range(3):
        (roms / f"Game {n} (USA).gb").write_bytes(bytes([n]) * 4096)
    assert cli("library", "add", str(roms.parent)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("db", "check").code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER games_counts_update")
    checked = cli("--json", "db", "check")
    assert checked.code == 1
    assert "trigger games_counts_update" in checked.json()["data"]["objects"]
    assert cli("games", "set-platform", "gbc", "1").code == 0
    counters = cli("--json", "db", "check").json()["data"]["counters"]
    assert [line.split(":")[0] for line in counters] == ["platform_counts gb",
                                                         "platform_counts gbc"]
    errors = cli("--json", "db", "check").json()["errors"]
    assert "counters of 2 platforms disagree with the games they count" in errors[0]
    assert "`romrunner db repair` makes them again" in errors[0]
    assert "platform_counts gb: 3 games" in cli("db", "check").out
    # db repair makes the trigger again and counts again (review 160 F1): it stays mended
    repaired = cli("--json", "db", "repair").json()["data"]
    assert repaired["objects_made"] == ["trigger games_counts_update"]
    assert repaired["platforms_recounted"] == 2
    assert cli("games", "set-platform", "gb", "1").code == 0
    assert cli("db", "check").code == 0


def test_db_check_finds_a_schema_version_edited_by_hand(cli: Any, db_path: Path) -> None:
    """QA157 F2: `schema_version` set back by hand: `db check` said ok, `db migrate` then
    failed on objects that were there already."""
    assert cli("collection", "create", "A").code == 0
    with sqlite3.connect(db_path) as conn:
        latest = conn.execute("SELECT schema_version FROM schema_version").fetchone()[0]
        conn.execute("UPDATE schema_version SET schema_version = ?", (latest - 1,))
    checked = cli("--json", "db", "check")
    assert checked.code == 1
    assert f"schema_version says {latest - 1} but the migrations recorded go to {latest}" \
        in checked.json()["data"]["objects"]


def test_db_check_text_says_what_is_wrong_plainly_and_what_to_do(
        cli: Any, db_path: Path) -> None:
    """`db check` in text ended "PROBLEMS FOUND" with no way out (only --json said one), a
    dropped trigger was called "wrong", and the schema_version sentence did not read."""
    assert cli("collection", "create", "A").code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER games_counts_update")
    dropped = cli("db", "check")
    assert dropped.code == 1
    lines = dropped.out.splitlines()
    assert "schema objects  trigger games_counts_update is missing" in lines, dropped.out
    assert "wrong" not in dropped.out, dropped.out
    assert lines[lines.index("result          PROBLEMS FOUND") + 1].endswith(
        "trigger games_counts_update is missing; `romrunner db repair` makes them again")
    with sqlite3.connect(db_path) as conn:
        latest = conn.execute("SELECT schema_version FROM schema_version").fetchone()[0]
        conn.execute("UPDATE schema_version SET schema_version = ?", (latest - 1,))
    edited = cli("db", "check")
    assert edited.code == 1
    said = " ".join(edited.out.split())
    assert f"schema_version says {latest - 1} but the migrations recorded go to {latest}" \
        in said, said
    assert said.endswith("trigger games_counts_update is missing; `romrunner db repair` "
                         f"sets schema_version back to {latest} (its tables are those of "
                         f"{latest}) and makes any missing one again"), said


def test_db_check_of_a_damaged_file_says_the_foreign_keys_were_not_checked(
        cli: Any, db_path: Path) -> None:
    """QA157 F4: a file too damaged for SQLite to walk said "foreign keys ok", a check that
    never ran."""
    import os

    for n in range(300):
        assert cli("collection", "create", f"C{n} " + "x" * 200).code == 0
    with open(db_path, "r+b") as stream:  # (4 KiB of garbage over a page mid-file)
        stream.seek(db_path.stat().st_size // 2 // 4096 * 4096)
        stream.write(os.urandom(4096))
    checked = cli("db", "check")
    assert checked.code == 1
    assert "foreign keys    not checked" in checked.out and "foreign keys    ok" not in checked.out


def test_db_check_finds_a_damaged_search_index_and_db_repair_rebuilds_it(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA157 F12: the search index emptied in the sqlite3 shell: `db check` said ok, a search
    by title found nothing and every write failed "corrupt" — a loop with no way out; and the
    counters a dropped trigger let drift (F1) had no mend but a backup."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    for name in ("Bonk (USA)", "Tetris (World)"):
        (roms / f"{name}.gb").write_bytes(name.encode() * 512)
    assert cli("library", "add", str(roms.parent)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO games_fts (games_fts) VALUES ('delete-all')")
        conn.execute("UPDATE platform_counts SET games = 7 WHERE platform_id = 'gb'")
    checked = cli("--json", "db", "check")
    assert checked.code == 1
    assert checked.json()["data"]["search_index"] == "search index holds 0 games of 2"
    assert "`romrunner db repair` rebuilds it" in checked.json()["errors"][0]
    assert cli("--json", "games", "ls", "bonk").json()["data"]["total"] == 0
    repaired = cli("--json", "db", "repair")
    assert repaired.code == 0, repaired.err
    assert repaired.json()["data"] == {"platforms_recounted": 1, "games_indexed": 2,
                                       "objects_made": [], "version_mended": None}
    assert cli("db", "check").code == 0
    assert cli("--json", "games", "ls", "bonk").json()["data"]["total"] == 1
    assert cli("games", "set-platform", "gbc", "1").code == 0  # (writes work again)


def test_a_database_whose_start_a_crash_zeroed_is_restored_with_force(
        cli: Any, live: tuple[Path, Path]) -> None:
    """QA157 F6: the database's first bytes zeroed (as after some crashes): every command,
    `db check` and `db restore` too, said "not a SQLite database" and nothing else."""
    db, backup = live
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as handle:
        handle.write(bytes(100))
    damaged = db.read_bytes()
    checked = cli("db", "check")
    assert checked.code == 2 and "db restore BACKUP --force" in checked.err
    refused = cli("db", "restore", str(backup))
    assert refused.code == 2 and db.read_bytes() == damaged
    result = cli("--json", "db", "restore", str(backup), "--force")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert data["saved_as_is"] is True and Path(data["saved"]).read_bytes() == damaged
    assert collections(db) == {"A"}
    assert cli("db", "check").code == 0


def test_a_restore_keeps_the_databases_group(cli: Any, live: tuple[Path, Path]) -> None:
    """QA157 F11: a database shared by a group (a family NAS, a `games` group), restored,
    kept its mode but not its group: the others could no longer write it."""
    import os

    db, backup = live
    group = 65534 if os.getgid() != 65534 else 0
    try:
        os.chown(db, -1, group)
    except PermissionError:
        pytest.skip("cannot give the database another group here (not root)")
    os.chmod(db, 0o664)
    assert cli("db", "restore", str(backup)).code == 0
    info = os.stat(db)
    assert (info.st_gid, info.st_mode & 0o777) == (group, 0o664)


def test_a_backup_onto_a_full_disk_says_what_it_needs_and_leaves_no_folder(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA157 F13: onto a full disk `db backup` said generic words (no size, "nothing of the
    failed step was saved") and left the folder it had made."""
    for n in range(400):  # (a database of some hundreds of KiB)
        assert cli("collection", "create", f"C{n} " + "x" * 400).code == 0
    mount = tmp_path / "small"
    with mounted_tmpfs(mount, "64k"):
        result = cli("db", "backup", str(mount / "new") + "/")
        assert result.code == 2, result.out
        assert "no backup was written, the disk is full: it needs about" in result.err
        assert list(mount.iterdir()) == []


@contextlib.contextmanager
def _database_on_a_full_disk(cli: Any, db_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the test database (a collection "mine" in it) on a 2 MiB tmpfs, written
    once there (so its writer's lock file is beside it, as every database ROM Runner wrote
    has: a reader makes none), then the tmpfs filled; unmounted at the end."""
    assert cli("collection", "create", "mine").code == 0
    mount = tmp_path / "full"
    with mounted_tmpfs(mount, "2m"):
        full_db = mount / "rr.db"
        shutil.copyfile(db_path, full_db)
        assert cli("--db", full_db, "collection", "create", "there").code == 0
        with (mount / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 4096)
        yield full_db


def test_a_database_on_a_full_disk_is_still_read_and_backed_up_elsewhere(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa198 F2: with the database's disk completely full every reading command failed (SQLite
    could not make its -shm there), `db backup` to another disk too; a write still fails
    cleanly and changes nothing."""
    with _database_on_a_full_disk(cli, db_path, tmp_path) as full_db:
        mount = full_db.parent
        listed = cli("--db", full_db, "collection", "ls")
        assert listed.code == 0, listed.err
        assert "mine" in listed.out
        backup = tmp_path / "elsewhere" / "rr.db"
        backed = cli("--db", full_db, "db", "backup", backup)
        assert backed.code == 0, backed.err
        assert cli("--db", backup, "collection", "ls").out == listed.out
        refused = cli("--db", full_db, "collection", "create", "more")
        assert refused.code != 0 and "the disk is full" in refused.err, refused.err
        assert cli("--db", full_db, "collection", "ls").out == listed.out
        # (a reader makes no lock file: made by root, its owner's writers could not open it)
        (mount / "rr.db.lock").rename(mount / "aside")
        unlocked = cli("--db", full_db, "collection", "ls")
        assert unlocked.code == 2 and "the disk is full" in unlocked.err, unlocked.err
        assert not (mount / "rr.db.lock").exists()
        (mount / "aside").rename(mount / "rr.db.lock")
        # Read as its file holds it, without SQLite's locks: no writer may start meanwhile,
        # not even once space is freed (review: a read saw two states of the file)
        reading = Database(full_db, read_only=True)
        try:
            (mount / "filler").unlink()
            held_off = cli("--db", full_db, "collection", "create", "more")
            assert held_off.code != 0 and "another romrunner command is using" in held_off.err \
                and "keeps writers off" in held_off.err, held_off.err  # (not "writing")
            assert reading.scalar("SELECT count(*) FROM collections WHERE name = 'more'") == 0
        finally:
            reading.close()
        assert cli("--db", full_db, "collection", "create", "more").code == 0


def test_a_read_on_a_full_disk_says_what_is_true_for_a_read(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """review45d F3: a reading command that could not read a full disk's database said a
    write's words, "nothing of the failed step was saved; free some space" — with nothing to
    save, and where a writer running was the cause (no read of the file as it is while one
    writes), waiting for it was the way, not freeing space."""
    with _database_on_a_full_disk(cli, db_path, tmp_path) as full_db:
        mount = full_db.parent
        writer = subprocess.Popen(  # (a command writing: it holds the writer lock)
            [sys.executable, "-c", "import fcntl, os, sys\n"
             "fd = os.open(sys.argv[1], os.O_RDWR)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
             "print('writing', flush=True)\nsys.stdin.readline()\n", f"{full_db}.lock"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
            waiting = cli("--db", full_db, "collection", "ls")
        finally:
            writer.communicate("done\n", timeout=60)
        assert waiting.code == 2 and waiting.err.count("\n") == 1, waiting.err
        assert "the disk is full" in waiting.err and "another romrunner command is writing " \
            "to it; nothing was changed; wait for that command to finish" in waiting.err
        assert "saved" not in waiting.err
        assert cli("--db", full_db, "collection", "ls").code == 0  # (once it has finished)
        (mount / "rr.db.lock").rename(mount / "aside")  # (no writer lock: not read as it is)
        unread = cli("--db", full_db, "collection", "ls")
        assert unread.code == 2 and unread.err.endswith(
            "so the database cannot be read; nothing was changed; free some space and run "
            "the command again\n"), unread.err
        (mount / "aside").rename(mount / "rr.db.lock")
        write = cli("--db", full_db, "collection", "create", "more")  # (a write: as before)
        assert write.code != 0 and "nothing of the failed step was saved; free some space" \
            in write.err, write.err


def test_a_backup_more_than_one_folder_away_from_an_existing_one_is_refused(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa196 F6: `db backup /media/me/STICK/x/rr.db` with the stick not mounted made the
    folders on the system disk and said "backup written" (hidden once the drive was mounted
    over them); one new folder in an existing one is still made."""
    assert cli("collection", "create", "mine").code == 0
    for dest in (tmp_path / "no" / "such" / "rr.db", str(tmp_path / "no" / "such") + "/"):
        refused = cli("db", "backup", dest)
        assert refused.code == 2, refused.out
        assert refused.err.startswith(f"error: {tmp_path / 'no'}: no such folder (is the "
                                      "drive mounted?)"), refused.err
        assert refused.err.count("\n") == 1 and not (tmp_path / "no").exists()
    made = cli("db", "backup", tmp_path / "one" / "rr.db")
    assert made.code == 0, made.err
    assert (tmp_path / "one" / "rr.db").is_file()


def test_restore_force_never_replaces_a_file_that_was_never_a_database(
        cli: Any, live: tuple[Path, Path], tmp_path: Path) -> None:
    """Review 160 F2: `--db` a ROM by a slip, `db restore --force` took it for a damaged
    database and put the backup in its place (its bytes copied aside)."""
    _, backup = live
    game = tmp_path / "Game (USA).gb"
    game.write_bytes(b"\x00\xc3" * 4096)
    before = game.read_bytes()
    result = cli("--db", str(game), "db", "restore", str(backup), "--force")
    assert result.code == 2 and "says it was ROM Runner's database" in result.err
    assert game.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("Game")) == [
        "Game (USA).gb"]


def test_db_check_finds_a_search_index_trigger_dropped_and_repair_makes_it_again(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA164 F4: with the search index's update trigger dropped, `db check` said ok and
    `search` found a renamed game by its old name for ever; `db repair` rebuilt the index
    but not the trigger, so it drifted again."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    (roms / "Adventure (USA).gb").write_bytes(b"a" * 4096)
    assert cli("library", "add", str(roms.parent)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    with sqlite3.connect(db_path) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'games_fts'").fetchone() \
                is None:
            pytest.skip("this SQLite has no FTS5: no search index to keep")
        conn.execute("DROP TRIGGER games_fts_update")
    checked = cli("--json", "db", "check")
    assert checked.code == 1 and "trigger games_fts_update" in checked.json()["data"]["objects"]
    repaired = cli("--json", "db", "repair").json()["data"]
    assert repaired["objects_made"] == ["trigger games_fts_update"]
    (roms / "Adventure (USA).gb").rename(roms / "Zelda Quest (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    found = cli("--json", "search", "Zelda").json()["data"]
    assert found and cli("db", "check").code == 0


def _edit_version_down(db_path: Path) -> int:
    """Set the database's schema_version one below the migrations it records; the latest."""
    with sqlite3.connect(db_path) as conn:
        latest = int(conn.execute("SELECT schema_version FROM schema_version").fetchone()[0])
        conn.execute("UPDATE schema_version SET schema_version = ?", (latest - 1,))
    return latest


def test_a_schema_version_edited_down_is_said_alike_and_db_repair_sets_it_back(
        cli: Any, db_path: Path) -> None:
    """schema_version lowered by hand: ordinary commands said "run `romrunner db migrate`",
    which failed ("index ... already exists"), as did `db repair`, and `db check` said to
    restore a backup; the tables were whole all along."""
    assert cli("collection", "create", "A").code == 0
    latest = _edit_version_down(db_path)
    way_out = f"`romrunner db repair` sets schema_version back to {latest}"
    for command in (("collection", "ls"), ("collection", "create", "B"), ("db", "migrate")):
        refused = cli(*command)
        assert refused.code == 2 and way_out in refused.err, (command, refused.err)
        assert "already exists" not in refused.err and "db migrate`" not in refused.err
    status = cli("--json", "db", "status").json()["data"]
    assert status["pending"] == [] and way_out in status["version_problem"]
    checked = cli("--json", "db", "check")
    assert checked.code == 1 and way_out in checked.json()["errors"][0]
    repaired = cli("--json", "db", "repair")
    assert repaired.code == 0, repaired.err
    assert repaired.json()["data"]["version_mended"] == [latest - 1, latest]
    assert cli("db", "check").code == 0
    assert collections(db_path) == {"A"}
    assert cli("collection", "create", "B").code == 0


def test_a_schema_version_edited_down_over_a_table_dropped_is_not_set_back(
        cli: Any, db_path: Path) -> None:
    """Where a table of the recorded version is gone too, the version is not set back (the
    file is not that version's): every command says to restore a backup, and nothing is
    changed."""
    assert cli("collection", "create", "A").code == 0
    latest = _edit_version_down(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE scan_replaced")
    for command in (("collection", "ls"), ("db", "migrate"), ("db", "repair")):
        refused = cli(*command)
        assert refused.code == 2, (command, refused.out)
        assert f"lacks tables or columns of {latest}; restore a backup" in refused.err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT schema_version FROM schema_version").fetchone()[0] \
            == latest - 1


def test_a_damaged_search_index_is_found_by_db_check_and_every_message_says_db_repair(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """A search index whose blocks are damaged: `search` and `games ls WORDS` said "database
    is corrupt ... restore a backup", `db check` said ok (SQLite's integrity check does not
    look inside it), and `db repair`, which mends it losing nothing, was never named."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    for n in range(40):
        (roms / f"Game Number {n} Quest (USA).gb").write_bytes(bytes([n]) * 4096)
    assert cli("library", "add", str(roms.parent)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    with sqlite3.connect(db_path) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'games_fts'").fetchone() \
                is None:
            pytest.skip("this SQLite has no FTS5: no search index")
        for row, size in conn.execute("SELECT id, length(block) FROM games_fts_data "
                                      "WHERE id > 10").fetchall():  # (its segments' blocks)
            conn.execute("UPDATE games_fts_data SET block = ? WHERE id = ?",
                         (b"\xff" * size, row))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for command in (("search", "Quest"), ("games", "ls", "Quest")):
        failed = cli(*command)
        assert failed.code == 2, (command, failed.out)
        assert "the search index is damaged" in failed.err and "`romrunner db repair` " \
            "rebuilds it" in failed.err and "restore" not in failed.err, failed.err
    before = db_path.read_bytes()
    checked = cli("--json", "db", "check")
    assert checked.code == 1, checked.out
    assert checked.json()["data"]["search_index"].startswith("search index damaged")
    assert "`romrunner db repair` rebuilds it" in checked.json()["errors"][0]
    assert db_path.read_bytes() == before  # (the check only read)
    assert cli("db", "repair").code == 0
    assert cli("db", "check").code == 0
    assert cli("--json", "games", "ls", "Quest").json()["data"]["total"] == 40


def _deployment_ids(cli: Any) -> list[int]:
    result = cli("--json", "deploy", "history")
    assert result.code == 0, result.err
    return sorted(int(row["id"]) for row in json.loads(result.out)["data"])


def test_ids_given_before_a_restore_are_never_given_again(cli: Any, tmp_path: Path) -> None:
    """qa175 F8: after a restore of a backup older than deployment 2, the next deploy was
    "deployment 2" again, with other contents: `deploy show 2` said before the restore now
    named another run. Ids go on above the highest the replaced database gave, through
    restores of restores."""
    lib, card = knulli_card_deployed(cli, tmp_path, ["Alpha (USA).gb"])
    backup = tmp_path / "one.rrbackup"
    assert cli("db", "backup", str(backup)).code == 0
    (lib / "Beta (USA).gb").write_bytes(b"b" * 5000)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", card, "--auto").code == 0
    assert _deployment_ids(cli) == [1, 2]
    assert cli("db", "restore", str(backup)).code == 0
    assert _deployment_ids(cli) == [1]
    assert cli("deploy", "1", "--to", card, "--auto").code == 0
    assert _deployment_ids(cli) == [1, 3]
    assert cli("db", "restore", str(backup), "--force").code == 0  # (3 is lost again)
    assert cli("deploy", "1", "--to", card, "--auto").code == 0
    assert _deployment_ids(cli) == [1, 4]


def test_the_next_write_removes_what_a_killed_restore_left(tmp_path: Path) -> None:
    """qa179 F5: a `db restore` killed before its swap left a hidden copy of the backup as
    big as the database (and a killed backup its own), which only another `db restore`
    removed. Any command that writes removes them now — not those of a restore running (it
    holds a lock on its file)."""
    import fcntl
    db = tmp_path / "rr.db"
    assert run_subprocess("--db", str(db), "collection", "create", "kept").code == 0
    died = [tmp_path / ".romrunner-restore.dead1.tmp", tmp_path / ".romrunner-backup.dead2.tmp",
            tmp_path / ".romrunner-restore.dead1.tmp-journal"]
    running = tmp_path / ".romrunner-restore.live3.tmp"
    for path in (*died, running):
        path.write_bytes(b"x" * 4096)
    mine = tmp_path / ".romrunner-restored-notes.tmp"  # (no name of ours: never touched)
    mine.write_text("mine")
    held = os.open(running, os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        assert run_subprocess("--db", str(db), "games", "ls").code == 0
        assert all(path.exists() for path in died)  # (a reader changes nothing)
        assert run_subprocess("--db", str(db), "collection", "create", "x").code == 0
    finally:
        os.close(held)
    assert [path.name for path in died if path.exists()] == []
    assert running.exists() and mine.read_text() == "mine"
