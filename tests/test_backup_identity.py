"""`db backup DEST` replaces an earlier backup only of the same database at a state no newer
than the one written; each database holds an id (migration 20)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from romrunner.store import Database
from romrunner.store.backup import backup_database, is_backup_file
from romrunner.store.migrate import migrate
from tests.test_migrations import build_old
from tests.test_query import make_library


def games_in(path: Path) -> int:
    db = Database(path, read_only=True)
    try:
        return int(db.scalar("SELECT count(*) FROM games"))
    finally:
        db.close()


def test_a_backup_of_another_database_is_not_replaced_without_force(
        cli: Any, tmp_path: Path) -> None:
    mine, empty = tmp_path / "mine.db", tmp_path / "empty.db"
    make_library(mine).close()
    assert cli("--db", str(empty), "db", "init").code == 0
    dest = tmp_path / "bk" / "newest.db"
    assert cli("--db", str(mine), "db", "backup", str(dest)).code == 0
    before = dest.read_bytes()
    refused = cli("--db", str(empty), "db", "backup", str(dest))
    assert refused.code == 2
    assert refused.err.count("\n") == 1
    assert f"error: {dest}: a ROM Runner backup of another database (written " in refused.err
    assert "9 games); nothing was written" in refused.err and "--force" in refused.err
    assert dest.read_bytes() == before
    assert cli("--db", str(empty), "db", "backup", str(dest), "--force").code == 0
    assert games_in(dest) == 0 and is_backup_file(dest)


def test_an_older_copy_does_not_replace_a_newer_backup(cli: Any, tmp_path: Path) -> None:
    live, dest = tmp_path / "live.db", tmp_path / "latest.db"
    make_library(live).close()
    old_copy = tmp_path / "old-copy.db"
    assert cli("--db", str(live), "db", "backup", str(old_copy)).code == 0
    assert cli("--db", str(live), "collection", "create", "Couch").code == 0
    assert cli("--db", str(live), "db", "backup", str(dest)).code == 0
    before = dest.read_bytes()
    refused = cli("--db", str(old_copy), "db", "backup", str(dest))
    assert refused.code == 2
    assert "a ROM Runner backup of this database holding changes it does not have" \
        in refused.err
    assert dest.read_bytes() == before
    # the same database going on: its later state replaces the backup, as before
    assert cli("--db", str(live), "collection", "add", "Couch", "1").code == 0
    assert cli("--db", str(live), "db", "backup", str(dest)).code == 0
    # deleting rows too
    assert cli("--db", str(live), "collection", "rm", "Couch", "--force").code == 0
    assert cli("--db", str(live), "db", "backup", str(dest)).code == 0


def test_a_file_moved_by_copying_is_the_same_database(cli: Any, tmp_path: Path) -> None:
    live, dest = tmp_path / "live.db", tmp_path / "latest.db"
    make_library(live).close()
    assert cli("--db", str(live), "db", "backup", str(dest)).code == 0
    moved = tmp_path / "moved.db"
    shutil.copyfile(live, moved)  # closed cleanly: no WAL left beside it
    for side in ("", ".lock"):  # (moved to another disk: copied, the first removed)
        Path(f"{live}{side}").unlink(missing_ok=True)
    assert cli("--db", str(moved), "collection", "create", "Couch").code == 0
    assert cli("--db", str(moved), "db", "backup", str(dest)).code == 0


def _lineages(path: Path) -> int:
    """How many lines of changes the database at ``path`` records."""
    db = Database(path, read_only=True)
    try:
        value = db.scalar("SELECT value FROM user_settings WHERE key = 'database_lineage'")
    finally:
        db.close()
    return len(json.loads(value)) if value else 0


def test_two_plain_copies_of_the_file_never_replace_each_others_backup(
        cli: Any, tmp_path: Path) -> None:
    """QA157 F15: two copies of the database file (a second computer, another folder; what
    a file-sync tool makes) were one line of changes: the laptop's `db backup` replaced the
    desk's (its new collection gone), and the desk's restore of the laptop's backup dropped
    the desk's changes without a word."""
    original = tmp_path / "rr.db"
    make_library(original).close()
    desk, laptop = tmp_path / "desk" / "rr.db", tmp_path / "laptop" / "rr.db"
    for copy in (desk, laptop):
        copy.parent.mkdir()
        shutil.copyfile(original, copy)
    shared = tmp_path / "usb" / "shared.db"
    assert cli("--db", str(desk), "collection", "create", "DESK_ONLY").code == 0
    assert cli("--db", str(desk), "db", "backup", str(shared)).code == 0
    before = shared.read_bytes()
    assert cli("--db", str(laptop), "collection", "create", "LAP1").code == 0
    assert cli("--db", str(laptop), "collection", "create", "LAP2").code == 0
    refused = cli("--db", str(laptop), "db", "backup", str(shared))
    assert refused.code == 2 and "another line of changes, split from this one by a copy" \
        in refused.err and "a copy of the database file" in refused.err, refused.err
    assert shared.read_bytes() == before
    theirs = tmp_path / "usb" / "laptop.db"
    assert cli("--db", str(laptop), "db", "backup", str(theirs)).code == 0
    dropped = cli("--db", str(desk), "db", "restore", str(theirs))
    assert dropped.code == 2 and "a copy of this database that became a database of its own" \
        in dropped.err and "dropping the changes made here since the copy" in dropped.err
    assert "DESK_ONLY" in cli("--db", str(desk), "collection", "ls").out
    # each copy forked once; its own later writes, backups and restores as ever
    assert _lineages(desk) == _lineages(laptop) == 1
    assert cli("--db", str(laptop), "collection", "create", "LAP3").code == 0
    assert cli("--db", str(laptop), "db", "backup", str(theirs)).code == 0
    assert cli("--db", str(laptop), "db", "restore", str(theirs)).code == 0
    assert cli("--db", str(laptop), "db", "vacuum").code == 0
    assert cli("--db", str(laptop), "collection", "create", "LAP4").code == 0
    assert _lineages(laptop) == 2  # (the restore's)
    assert cli("--db", str(desk), "db", "restore", str(theirs), "--force").code == 0


def test_the_original_file_goes_on_as_it_was_and_its_copy_forks(
        cli: Any, tmp_path: Path) -> None:
    """QA157 F15, the usual way: the first computer keeps its file, the second gets a copy.
    Only the copy starts a line of its own; its backup does not replace the first's latest,
    whose edits since the copy it lacks."""
    first, latest = tmp_path / "rr.db", tmp_path / "latest.db"
    make_library(first).close()
    assert cli("--db", str(first), "collection", "create", "kept").code == 0
    second = tmp_path / "second" / "rr.db"
    second.parent.mkdir()
    shutil.copyfile(first, second)
    assert cli("--db", str(first), "collection", "rename", "kept", "renamed").code == 0
    assert cli("--db", str(first), "db", "backup", str(latest)).code == 0
    assert _lineages(first) == 0
    # (QA164 F9: the copy's first command a backup, not a write: it replaced the latest)
    before = latest.read_bytes()
    first_thing = cli("--db", str(second), "db", "backup", str(latest))
    assert first_thing.code == 2 and "a copy of the database file" in first_thing.err, \
        first_thing.err
    assert latest.read_bytes() == before
    own = tmp_path / "second-own.db"  # (its own earlier backup: replaced, review 36b F3)
    assert cli("--db", str(second), "db", "backup", str(own)).code == 0
    again = cli("--db", str(second), "db", "backup", str(own))
    assert again.code == 0, again.err
    assert cli("--db", str(second), "collection", "create", "on-second").code == 0
    refused = cli("--db", str(second), "db", "backup", str(latest))
    assert refused.code == 2 and "from before it was copied" in refused.err, refused.err
    assert cli("--db", str(first), "db", "restore",
               str(_backup_of(cli, second, tmp_path))).code == 2


def test_migration_gives_each_database_an_id_and_keeps_its_rows(tmp_path: Path) -> None:
    ids = []
    for name in ("one.db", "two.db"):
        db = build_old(tmp_path / name, 19)
        db.execute("INSERT INTO user_settings (key, value) VALUES ('theme', 'dark')")
        db.execute("INSERT INTO collections (name) VALUES ('Couch')")
        migrate(db)
        assert db.scalar("SELECT value FROM user_settings WHERE key = 'theme'") == "dark"
        assert db.scalar("SELECT name FROM collections") == "Couch"
        ids.append(db.scalar("SELECT value FROM user_settings WHERE key = 'database_id'"))
        migrate(db)  # nothing pending: the id stays
        assert db.scalar("SELECT value FROM user_settings WHERE key = 'database_id'") == ids[-1]
        db.close()
    assert all(isinstance(i, str) and len(i) == 32 for i in ids) and ids[0] != ids[1]


def test_a_backup_from_before_database_ids_is_replaced_when_it_is_of_this_database(
        cli: Any, tmp_path: Path) -> None:
    """After an upgrade the nightly `db backup` over last night's file keeps working: a backup
    written by the release before (no id) is this database's when it went through the same
    migrations at the same moments; another database's is still refused (found by QA)."""
    live, other = tmp_path / "live.db", tmp_path / "other.db"
    for path, created in ((live, "2026-01-01 10:00:00"), (other, "2026-02-02 20:00:00")):
        db = build_old(path, 19)  # the schema before database ids
        db.execute("UPDATE schema_migrations SET applied_at = ?", (created,))
        db.execute("INSERT INTO collections (name) VALUES (?)", (path.stem,))
        db.close()
    mine_before, theirs = tmp_path / "bk" / "nightly.db", tmp_path / "bk" / "theirs.db"
    for source, dest in ((live, mine_before), (other, theirs)):  # as the release before wrote
        db = Database(source)
        backup_database(db, dest)
        db.close()
    assert is_backup_file(mine_before) and is_backup_file(theirs)
    assert cli("--db", str(live), "db", "migrate").code == 0
    assert cli("--db", str(live), "db", "backup", str(mine_before)).code == 0
    kept = Database(mine_before, read_only=True)
    assert kept.scalar("SELECT value FROM user_settings WHERE key = 'database_id'")
    kept.close()
    refused = cli("--db", str(live), "db", "backup", str(theirs))
    assert refused.code == 2 and "whose database is not recorded" in refused.err


def test_a_backup_taken_to_another_computer_never_replaces_the_firsts_latest(
        cli: Any, tmp_path: Path) -> None:
    """QA141 F1: a backup copied to a second computer and written to there went on as the
    same database: its `db backup` replaced the first computer's latest backup — edits made
    since (a rename, a removal: counters unchanged) lost without a word. Its first write
    makes it a line of changes of its own."""
    first, b0 = tmp_path / "m1.db", tmp_path / "b0.db"
    make_library(first).close()
    assert cli("--db", str(first), "collection", "create", "keep-me").code == 0
    assert cli("--db", str(first), "db", "backup", str(b0)).code == 0
    second = tmp_path / "m2.db"
    shutil.copyfile(b0, second)  # the backup, taken to the second computer
    assert cli("--db", str(second), "collection", "create", "on-m2").code == 0
    assert cli("--db", str(first), "collection", "rename", "keep-me", "renamed").code == 0
    latest = tmp_path / "m1-latest.db"
    assert cli("--db", str(first), "db", "backup", str(latest)).code == 0
    before = latest.read_bytes()
    refused = cli("--db", str(second), "db", "backup", str(latest))
    assert refused.code == 2 and "it may hold edits made since" in refused.err, refused.err
    assert latest.read_bytes() == before
    # each goes on replacing its own backups
    assert cli("--db", str(second), "db", "backup", str(tmp_path / "m2-latest.db")).code == 0
    assert cli("--db", str(second), "collection", "create", "more").code == 0
    assert cli("--db", str(second), "db", "backup", str(tmp_path / "m2-latest.db")).code == 0
    assert cli("--db", str(first), "collection", "create", "more").code == 0
    assert cli("--db", str(first), "db", "backup", str(latest)).code == 0
    # over the very backup it was copied from: refused, saying --force loses nothing then
    # (review 142 F2: its rows at the copy are not known)
    again = cli("--db", str(second), "db", "backup", str(b0))
    assert again.code == 2 and "--force replaces it losing nothing" in again.err, again.err
    assert cli("--db", str(second), "db", "backup", str(b0), "--force").code == 0


def test_a_backup_of_another_computers_copy_is_restored_only_with_force(
        cli: Any, tmp_path: Path) -> None:
    """QA141 F2: the second computer's backup (its database a copy of a backup, written to
    there) was restored over the first computer's database as its own, without a word."""
    first, b0 = tmp_path / "m1.db", tmp_path / "b0.db"
    make_library(first).close()
    assert cli("--db", str(first), "db", "backup", str(b0)).code == 0
    second = tmp_path / "m2.db"
    shutil.copyfile(b0, second)
    assert cli("--db", str(second), "collection", "create", "on-m2").code == 0
    theirs = tmp_path / "m2-backup.db"
    assert cli("--db", str(second), "db", "backup", str(theirs)).code == 0
    refused = cli("--db", str(first), "db", "restore", str(theirs))
    assert refused.code == 2 and "a copy of this database that became a database of its own" \
        in refused.err, refused.err
    # its own backup, and one from before the copy on the second computer, as ever
    assert cli("--db", str(second), "db", "restore", str(theirs)).code == 0
    assert cli("--db", str(second), "db", "restore", str(b0)).code == 0
    assert cli("--db", str(first), "db", "restore", str(theirs), "--force").code == 0


def _backup_of(cli: Any, database: Path, folder: Path) -> Path:
    """A backup of ``database`` written to ``folder``."""
    dest = folder / f"{database.parent.name}-backup.db"
    assert cli("--db", str(database), "db", "backup", str(dest)).code == 0
    return dest


def test_a_database_carried_between_two_computers_stays_one_line_of_changes(
        cli: Any, tmp_path: Path) -> None:
    """Review 36 F2: a database on a USB stick, used on one computer then another (its file
    gets a new inode number at every mount), forked at every hand-over, and its own
    `db backup` to its usual file was refused as a copy's."""
    stick = tmp_path / "stick" / "rr.db"
    stick.parent.mkdir()
    make_library(stick).close()
    backup = tmp_path / "usb-backup.db"
    assert cli("--db", str(stick), "collection", "create", "first").code == 0
    assert cli("--db", str(stick), "db", "backup", str(backup)).code == 0
    lines = _lineages(stick)
    # the other computer: its name recorded as where the file was last written, and the
    # file a new one at the same path (a remount's new inode)
    db = Database(stick)
    try:
        place = json.loads(str(db.scalar(
            "SELECT value FROM user_settings WHERE key = 'database_place'")))
        place["host"] = "the-other-computer"
        with db.atomic():
            db.execute("UPDATE user_settings SET value = ? WHERE key = 'database_place'",
                       (json.dumps(place),))
    finally:
        db.close()
    before = stick.stat().st_ino
    shutil.copyfile(stick, tmp_path / "stick" / "rr.db.new")
    (tmp_path / "stick" / "rr.db.new").replace(stick)
    assert stick.stat().st_ino != before  # the premise: another inode, as a remount gives
    assert cli("--db", str(stick), "collection", "create", "second").code == 0
    again = cli("--db", str(stick), "db", "backup", str(backup))
    assert again.code == 0, again.err
    assert _lineages(stick) == lines


def test_a_copy_of_the_file_written_to_is_said_once_and_db_status_shows_its_line(
        cli: Any, tmp_path: Path) -> None:
    """A plain copy of the database file split off silently at its first write (a backup
    written to said so), `db status` showed no line of changes, and the user first heard of
    it as a backup refused; that refusal spoke of "the very backup this one was copied
    from", which a file copy never was."""
    first, latest = tmp_path / "rr.db", tmp_path / "latest.db"
    make_library(first).close()
    assert cli("--db", str(first), "collection", "create", "kept").code == 0
    assert cli("--db", str(first), "db", "backup", str(latest)).code == 0
    second = tmp_path / "second" / "rr.db"
    second.parent.mkdir()
    shutil.copyfile(first, second)
    forked = cli("--db", str(second), "collection", "create", "on-second")
    said = " ".join(forked.err.split())
    assert forked.code == 0 and f"{second}: a copy of the database file {first}" in said, said
    assert "written to now, it is a database of its own" in said
    for again in (cli("--db", str(second), "collection", "create", "more"),
                  cli("--db", str(first), "collection", "create", "on-first")):
        assert again.code == 0 and "a copy of the database file" not in again.err, again.err
    status = cli("--json", "--db", str(second), "db", "status").json()["data"]
    assert status["line_of_changes"].startswith("a copy of the database file, first written")
    assert "history         its own since this database was a copy of the database file" \
        in cli("--db", str(second), "db", "status").out
    assert cli("--json", "--db", str(first), "db", "status").json()["data"][
        "line_of_changes"] is None
    refused = cli("--db", str(second), "db", "backup", str(latest))
    said = " ".join(refused.err.split())
    assert refused.code == 2 and "very backup" not in said, said
    assert "if the database it was copied from has no changes since this backup, --force " \
        "replaces it losing nothing" in said


def test_a_forced_restore_of_a_copys_backup_says_so_and_names_the_collections_apart(
        cli: Any, tmp_path: Path) -> None:
    """`db restore --force` of a backup of this database's own copy warned "a backup of
    another database", and its table (collections 2 -> 2) named none of the collections it
    dropped and took."""
    desk = tmp_path / "rr.db"
    make_library(desk).close()
    assert cli("--db", str(desk), "collection", "create", "kept").code == 0
    laptop = tmp_path / "laptop" / "rr.db"
    laptop.parent.mkdir()
    shutil.copyfile(desk, laptop)
    assert cli("--db", str(desk), "collection", "create", "desk-only").code == 0
    assert cli("--db", str(laptop), "collection", "create", "laptop-only").code == 0
    theirs = _backup_of(cli, laptop, tmp_path)
    forced = cli("--db", str(desk), "db", "restore", str(theirs), "--force")
    assert forced.code == 0, forced.err
    said = " ".join(forced.err.split())
    assert "a backup of a copy of this database" in said and "another database" not in said
    shown = " ".join(forced.out.split())
    assert "collections only in the database replaced (the saved copy keeps them): " \
        "desk-only" in shown, shown
    assert "collections only in the restored database: laptop-only" in shown
