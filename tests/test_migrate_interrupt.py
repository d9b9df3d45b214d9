"""Ctrl-C while migration 14 rewrites the games table: the run says it was interrupted (exit
130) and the database stays at its old version with every row (QA2: it said 'user-defined
function raised exception')."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import current_version
from tests.test_migrate_vacuum_hint import v13_library

GAMES = 150_000


def test_ctrl_c_during_the_lean_row_migration(tmp_path: Path) -> None:
    path = tmp_path / "v13.db"
    v13_library(path, GAMES)
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "--db", str(path),
                             "db", "migrate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("v13.db.v13-*.bak")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)  # into the migrations, which take seconds at this size
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "user-defined function" not in err
    assert "Traceback" not in err
    after = Database(path, read_only=True)
    try:
        assert current_version(after) == 13
        assert after.scalar("SELECT count(*) FROM games") == GAMES
        assert after.scalar("SELECT file_sha1 FROM games WHERE filepath = 'folder/g7.nes'") == \
            f"{7:040x}"
    finally:
        after.close()


def test_an_upgrade_interrupted_past_its_first_version_names_the_backup_it_keeps() -> None:
    """QA21 P1: the line said how far the upgrade got, not where the way back is."""
    from romrunner.store.migrate import UpgradeInterrupted

    backup = Path("/data/library.db.v13-20261202T000000Z.bak")
    partway = UpgradeInterrupted(13, 15, 23, backup).describe()
    assert "upgraded from schema version 13 to 15 of 23" in partway
    assert f"its backup at version 13: {backup}" in partway
    assert "backup" not in UpgradeInterrupted(13, 13, 23).describe()


_KILLED_BEFORE_THE_FIRST_COMMIT = """
import os, signal, sys
import romrunner.store.migrate as migrate
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
migrate._apply = killed
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_upgrade_killed_before_its_first_commit_leaves_the_backup_the_rerun_keeps(
        tmp_path: Path) -> None:
    """QA46 F7: the backup's record was stored with the first migration: a run killed before
    it left a full-size backup no run named, and the re-run wrote a second one. Now the re-run
    finds it and, the database unchanged since, reuses it (qa179 F2: by what it holds, as
    nothing is recorded in the database before its first migration commits, qa179 F3)."""
    import json

    path = tmp_path / "v13.db"
    v13_library(path, 50)
    driver = tmp_path / "driver.py"
    driver.write_text(_KILLED_BEFORE_THE_FIRST_COMMIT)
    killed = subprocess.run([sys.executable, str(driver), "--db", str(path), "db", "migrate"],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    first = list(tmp_path.glob("v13.db.v13-*.bak"))
    assert len(first) == 1
    rerun = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--db", str(path),
                            "--json", "db", "migrate"], capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    data = json.loads(rerun.stdout)["data"]
    # (written to since, by the release before — review 26 R1 — it would not be reused:
    # tests/test_migrate_backups.py)
    (backup,) = tmp_path.glob("v13.db.v13-*.bak")
    assert data["backup_kept"] is False and data["backup"] == str(backup) == str(first[0])
    assert data["backup_reused"] is True
