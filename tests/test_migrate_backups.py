"""An upgrade's backup and the database it leaves: a failed upgrade leaves the file as it was,
byte for byte (qa179 F3); a run killed between writing its backup and its first migration
leaves a backup the re-run reuses, not a second one (qa179 F2); the backups upgrades leave
are counted by `db status`, and an upgrade of a database restored from one that is still
there reuses it (qa179 F11). Real files, real child processes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from romrunner.store.migrate import LATEST_VERSION
from tests.conftest import run_subprocess
from tests.test_migrate_vacuum_hint import v13_library
from tests.test_migrations import build_old


def _settings(path: Path) -> dict[str, str]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT key, value FROM user_settings"))


def test_a_failed_upgrade_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """qa179 F3: where the file is (``database_place``) was committed before the first
    migration, so a failed upgrade that said "the database stays at schema version N"
    had changed it all the same."""
    path = tmp_path / "old.db"
    db = build_old(path, 31)
    # (a table of migration 32's name made by hand: the migration fails on it)
    db.execute("CREATE TABLE games_fts_reading (x)")
    db.close()
    before = path.read_bytes()
    result = run_subprocess("--db", str(path), "db", "migrate")
    assert result.code != 0 and "database left unchanged" in result.err, result.err
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))


_KILLED_AFTER_THE_BACKUP = """
import os, signal, sys
import romrunner.store.migrate as migrate
written = migrate.backup_database
def killed(*args, **kwargs):
    written(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
migrate.backup_database = killed
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _killed_after_its_backup(tmp_path: Path, path: Path) -> Path:
    driver = tmp_path / "driver.py"
    driver.write_text(_KILLED_AFTER_THE_BACKUP)
    killed = subprocess.run([sys.executable, str(driver), "--db", str(path), "db", "migrate"],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (first,) = tmp_path.glob(f"{path.name}.v13-*.bak")
    return first


def test_a_migrate_killed_after_its_backup_leaves_one_the_rerun_reuses(
        tmp_path: Path) -> None:
    """qa179 F2: killed after its backup was written and before that was recorded, the
    re-run wrote a second full-size backup beside the first, which nothing named."""
    path = tmp_path / "v13.db"
    v13_library(path, 50)
    first = _killed_after_its_backup(tmp_path, path)
    rerun = run_subprocess("--db", str(path), "--json", "db", "migrate")
    assert rerun.code == 0, rerun.err
    data = json.loads(rerun.out)["data"]
    assert list(tmp_path.glob("v13.db.v13-*.bak")) == [first]
    assert data["backup"] == str(first) and data["backup_reused"] is True
    assert data["to_version"] == LATEST_VERSION
    assert "romrunner.migration_backup" not in _settings(path)  # (done: no record left)
    text = run_subprocess("--db", str(path), "db", "restore", str(first))
    assert text.code == 0, text.err  # (the way back holds the games)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM games").fetchone()[0] == 50


def test_a_backup_left_beside_a_database_changed_since_is_not_reused(tmp_path: Path) -> None:
    """The backup a killed run left is reused only while it holds what the database does:
    written to since (by the release before), the upgrade writes a backup of its own."""
    path = tmp_path / "v13.db"
    v13_library(path, 50)
    first = _killed_after_its_backup(tmp_path, path)
    with sqlite3.connect(path) as conn:  # (an edit, no row added: the counters stay)
        conn.execute("UPDATE games SET region = 'Edited' WHERE id = 1")
    rerun = run_subprocess("--db", str(path), "--json", "db", "migrate")
    assert rerun.code == 0, rerun.err
    data = json.loads(rerun.out)["data"]
    assert data["backup_reused"] is False and data["backup"] != str(first)
    with sqlite3.connect(data["backup"]) as conn:
        assert conn.execute("SELECT region FROM games WHERE id = 1").fetchone() == ("Edited",)


def test_status_counts_upgrade_backups_and_an_upgrade_of_one_restored_reuses_it(
        tmp_path: Path) -> None:
    """qa179 F11: `db status` counted the databases `db restore` replaced, not the upgrades'
    backups (each as big as the database); and an upgrade of a database restored from one
    of them, still there, wrote another copy of the same state beside it."""
    path = tmp_path / "rr.db"
    v13_library(path, 50)
    assert run_subprocess("--db", str(path), "db", "migrate").code == 0
    (backup,) = tmp_path.glob("rr.db.v13-*.bak")
    assert run_subprocess("--db", str(path), "db", "restore", str(backup)).code == 0
    again = run_subprocess("--db", str(path), "--json", "db", "migrate")
    assert again.code == 0, again.err
    assert json.loads(again.out)["data"]["backup"] == str(backup)
    assert list(tmp_path.glob("rr.db.v*.bak")) == [backup]
    status = run_subprocess("--db", str(path), "--json", "db", "status")
    assert json.loads(status.out)["data"]["upgrade_backups"] == [
        {"path": str(backup), "version": 13, "bytes": backup.stat().st_size}]
    said = " ".join(run_subprocess("--db", str(path), "db", "status").out.split())
    assert (f"upgrade backups 1 backup of schema version 13 beside it "
            f"({backup.stat().st_size:,} bytes: {backup.name})") in said, said
