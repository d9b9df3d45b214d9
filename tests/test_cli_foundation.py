"""The CLI end to end: JSON envelope, one-line errors, exit codes, db and pack commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, migrate
from tests.conftest import run_subprocess, shared_path


def test_json_output_is_exactly_one_envelope(cli: Any) -> None:
    result = cli("--json", "db", "migrate")
    assert result.code == 0
    envelope = result.json()
    assert set(envelope) == {"version", "ok", "data", "warnings", "errors"}
    assert envelope["version"] == 1 and envelope["ok"] is True
    assert envelope["data"]["to_version"] == LATEST_VERSION
    status = cli("--json", "db", "status").json()
    assert status["data"]["schema_version"] == LATEST_VERSION and status["data"]["pending"] == []


def test_error_is_one_line_on_stderr_with_nonzero_exit(tmp_path: Path) -> None:
    bogus = tmp_path / "collection.db"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a database")
    result = run_subprocess("--db", str(bogus), "db", "status")
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"error: {bogus}: not a SQLite database"]
    assert "Traceback" not in result.err and result.out == ""
    as_json = run_subprocess("--db", str(bogus), "--json", "db", "check")
    assert as_json.code == 2
    envelope = json.loads(as_json.out)
    assert envelope["ok"] is False and "not a SQLite database" in envelope["errors"][0]


def test_db_check_fails_on_broken_foreign_keys(cli: Any, db_path: Path) -> None:
    assert cli("db", "migrate").code == 0
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("INSERT INTO collection_games (collection_id, game_id) VALUES (5, 9)")
    raw.commit()
    raw.close()
    result = cli("--json", "db", "check")
    assert result.code == 1
    data = result.json()["data"]
    assert data["integrity"] == ["ok"]
    assert any("collection_games" in line for line in data["foreign_keys"])


def test_db_backup_writes_a_consistent_copy(cli: Any, tmp_path: Path) -> None:
    cli("db", "migrate")
    dest = tmp_path / "backups" / "copy.db"
    result = cli("--json", "db", "backup", str(dest))
    assert result.code == 0 and Path(result.json()["data"]["backup"]) == dest
    copy = Database(dest, read_only=True)
    assert copy.scalar("SELECT schema_version FROM schema_version") == LATEST_VERSION
    assert copy.scalar("PRAGMA integrity_check") == "ok"
    assert not list(dest.parent.glob(".*.tmp"))


def test_db_stats_reports_tables_and_indexes(cli: Any) -> None:
    cli("db", "migrate")
    data = cli("--json", "db", "stats").json()["data"]
    by_name = {item["name"]: item for item in data}
    assert by_name["games"]["kind"] == "table" and by_name["games"]["rows"] == 0
    assert by_name["idx_games_sha1"]["kind"] == "index"
    assert by_name["idx_games_sha1"]["table"] == "games"
    assert all(item["bytes"] > 0 for item in data if item["kind"] == "table"
               and not item["name"].startswith("games_fts"))


def test_db_migrate_upgrades_an_old_file_and_says_so(cli: Any, db_path: Path) -> None:
    old = Database(db_path)
    migrate(old, target=1)
    old.close()
    result = cli("--json", "db", "migrate")
    data = result.json()["data"]
    assert data["from_version"] == 1 and data["to_version"] == LATEST_VERSION
    assert data["backup"] is not None and Path(data["backup"]).exists()


def test_newer_database_is_refused_by_the_cli(cli: Any, db_path: Path) -> None:
    cli("db", "migrate")
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE schema_version SET schema_version = ?", (LATEST_VERSION + 1,))
    raw.commit()
    raw.close()
    result = cli("db", "migrate")
    assert result.code == 2 and "newer than this ROM Runner understands" in result.err


def test_pack_validate_lists_problems_of_the_real_pack(cli: Any) -> None:
    pack = shared_path("definition-pack")
    result = cli("--json", "pack", "validate", str(pack))
    data = result.json()["data"]
    assert data["counts"]["platforms"] == 69
    assert result.code == (1 if data["problems"] else 0)
    assert all(":" in line for line in data["problems"])


def test_pack_option_and_status(cli: Any) -> None:
    pack = shared_path("definition-pack")
    data = cli("--json", "--pack", str(pack), "pack", "status").json()["data"]
    assert data["counts"]["bios"] == 319
    assert data["stored_hash"] == data["content_hash"]


def test_missing_pack_directory_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    result = cli("--pack", str(tmp_path / "nope"), "pack", "status")
    assert result.code == 2 and "pack directory does not exist" in result.err


def test_every_command_has_help() -> None:
    from romrunner.cli.main import cli as group

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    for path in walk(group, []):
        command = group
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help, f"romrunner {' '.join(path)} has no help text"
