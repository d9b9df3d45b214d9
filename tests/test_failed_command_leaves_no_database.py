"""A command that creates the database and then fails, having committed nothing of its own,
removes it again: the file, its lock file and the folders it made (QA6 B-7: `scan` with no
database created the default one, then failed "no library roots")."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from romrunner.errors import WriterBusyError
from romrunner.store.lock import WriterLock
from tests.conftest import run_subprocess


def test_scan_with_no_database_leaves_no_default_database(tmp_path: Path) -> None:
    data_home = tmp_path / "data"
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(data_home), "ROMRUNNER_DB": None}
    result = run_subprocess("scan", env=env)
    assert result.code == 2
    assert result.err == "error: no library roots; add one with `romrunner library add PATH`\n"
    assert not data_home.exists()  # not the file, the lock, nor the folders it made
    listed = run_subprocess("games", "ls", env=env)
    assert listed.code == 2 and "no database at" in listed.err
    # a later command that succeeds creates it as a first use (no "used here before")
    created = run_subprocess("db", "init", env=env)
    assert created.code == 0 and "warning" not in created.err
    assert (data_home / "romrunner" / "romrunner.db").is_file()


@pytest.mark.parametrize("args", [
    ["scan"],
    ["collection", "add", "Couch", "1"],
    ["library", "rm", "/nowhere"],
    ["profile", "set", "1", "--regions", "us"],
    ["dat", "rm", "foo"],
    ["dat", "import", "/nonexistent.dat"],
    ["bios", "scan", "/nonexistent"],
    ["collection", "create", "A", "--query", "bogus:1"],
    ["--json", "library", "add", "/nonexistent"],
])
def test_failing_writers_leave_nothing_behind(tmp_path: Path, args: list[str]) -> None:
    # (the default database, whose folders a command makes: a --db whose folder is missing
    # is refused before anything is made, p47a F7)
    data_home = tmp_path / "new" / "deeper"
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(data_home), "ROMRUNNER_DB": None}
    result = run_subprocess(*args, env=env)
    assert result.code == 2, result.err
    assert result.err.startswith("error: ") and result.err.count("\n") == 1
    assert "no such folder" not in result.err  # (the command's own error)
    assert not (tmp_path / "new").exists()


def test_an_empty_file_at_db_is_left_empty_by_a_failing_command(tmp_path: Path) -> None:
    """QA146 F5: `scan` on an existing 0-byte file (`touch`) failed "no library roots" and
    left it a 577 KB database, and a lock file beside it."""
    db = tmp_path / "library.db"
    db.touch()
    failed = run_subprocess("--db", str(db), "scan")
    assert failed.code == 2, failed.err
    assert db.is_file() and db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.db"]
    created = run_subprocess("--db", str(db), "collection", "create", "Couch")
    assert created.code == 0, created.err
    assert db.stat().st_size > 0


def test_an_existing_database_is_kept_when_a_command_fails(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    assert run_subprocess("--db", str(db), "db", "init").code == 0
    assert run_subprocess("--db", str(db), "collection", "create", "Couch").code == 0
    failed = run_subprocess("--db", str(db), "collection", "add", "Nope", "1")
    assert failed.code == 2
    assert db.is_file() and Path(f"{db}.lock").exists()
    listed = run_subprocess("--db", str(db), "--json", "collection", "ls")
    assert "Couch" in [row["name"] for row in listed.json()["data"]]


def test_a_new_database_holding_the_commands_work_is_kept_though_it_fails(
        tmp_path: Path) -> None:
    """`cache import` with a skipped entry exits 1 but imported the rest: kept."""
    rows = [{"platform_id": "psx", "emulator_id": "duckstation",
             "definition_game_id": "SLUS-00594", "status": "playable"}, [1, 2]]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    # (the default database in folders the command made: a --db whose folder is missing is
    # refused, p47a F7)
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(tmp_path / "new"), "ROMRUNNER_DB": None}
    db = tmp_path / "new" / "romrunner" / "romrunner.db"
    result = run_subprocess("cache", "import", str(data), "--source", "emulator-official",
                            env=env)
    assert result.code == 1, result.err
    assert db.is_file()
    why = run_subprocess("--json", "cache", "why", "psx", "duckstation", "SLUS-00594", env=env)
    assert why.code == 0 and why.json()["data"]


def test_a_writer_waiting_on_a_removed_lock_file_takes_the_new_one(tmp_path: Path) -> None:
    """The lock file of a discarded database is removed while held: a writer that waited on
    it must not go on holding a lock on the removed file while a third takes the new one."""
    db = tmp_path / "library.db"
    first = WriterLock(db, "scan")
    first.acquire()
    waiter = WriterLock(db, "library add")
    got = threading.Event()

    def wait() -> None:
        waiter.acquire(wait=True)
        got.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    try:
        assert not got.wait(0.2)  # it waits while the first holds the lock
        first.remove_file()
        first.release()
        assert got.wait(30)
        third = WriterLock(db, "dat import")
        with pytest.raises(WriterBusyError):
            third.acquire()
    finally:
        first.release()
        thread.join(30)
        waiter.release()
    assert Path(f"{db}.lock").exists()


@pytest.mark.parametrize("args", [["cache", "prune"], ["cache", "clear", "--source", "x"]])
def test_a_command_with_nothing_to_do_in_no_database_creates_none(
        tmp_path: Path, args: list[str]) -> None:
    """QA49 F1: `cache prune` at a mistyped path (a NAS not mounted) made the folders and an
    empty database there, and said it had deleted nothing, exit 0."""
    db = tmp_path / "typo" / "sub" / "romrunner.db"
    result = run_subprocess("--db", str(db), "--json", *args)
    assert result.code == 2 and "no database at" in result.json()["errors"][0], result.out
    assert not (tmp_path / "typo").exists()



@pytest.mark.parametrize("side", [".lock", "-wal"])
def test_another_databases_side_file_is_no_place_for_a_database(tmp_path: Path,
                                                                side: str) -> None:
    """QA49 F8: `--db main.db.lock` made a database in main.db's writer lock file (and in
    its empty WAL), which main.db's next command wiped."""
    main_db = tmp_path / "main.db"
    assert run_subprocess("--db", str(main_db), "collection", "create", "Real").code == 0
    side_file = Path(f"{main_db}{side}")
    side_file.touch()
    result = run_subprocess("--db", str(side_file), "collection", "create", "Mine")
    assert result.code == 2 and f"of the database {main_db}, not a database" in result.err
    assert side_file.stat().st_size == 0
    assert not Path(f"{side_file}.lock").exists()
    read = run_subprocess("--db", str(side_file), "collection", "ls")  # (QA51 F6)
    assert read.code == 2 and f"of the database {main_db}, not a database" in read.err


def test_an_empty_romrunner_db_is_refused_not_taken_for_the_default_database(
        tmp_path: Path) -> None:
    """`ROMRUNNER_DB=$LIB` with LIB unset used the default database — the user's library —
    without a word (QA98 F3, review 103 F5)."""
    data_home = tmp_path / "data"
    for empty in ("", "  "):
        env: dict[str, str | None] = {"XDG_DATA_HOME": str(data_home), "ROMRUNNER_DB": empty}
        refused = run_subprocess("collection", "create", "A", env=env)
        assert refused.code == 2 and refused.err.count("\n") == 1, refused.err
        assert "(an unset shell variable?)" in refused.err
        assert not data_home.exists()
        named = run_subprocess("--db", str(tmp_path / "rr.db"), "collection", "create", "A",
                               env=env)
        assert named.code == 0, named.err  # (--db names one: the variable is not read)
        (tmp_path / "rr.db").unlink()
