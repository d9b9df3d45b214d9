"""`db status` works on a database of every earlier schema version: it is the command that
tells a user a migration is due (QA: a v1.2.3 database failed with 'no such column')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, migrate
from tests.conftest import run_subprocess


@pytest.mark.parametrize("version", [3, 8, 13, LATEST_VERSION - 1])
def test_status_of_an_older_database_says_to_migrate(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.db"
    db = Database(path)
    migrate(db, target=version)
    db.close()
    text = run_subprocess("--db", str(path), "db", "status")
    assert text.code == 0, text.err
    assert "run `romrunner db migrate`" in " ".join(text.out.split())
    assert "Traceback" not in text.err
    as_json = run_subprocess("--db", str(path), "--json", "db", "status")
    data = json.loads(as_json.out)["data"]
    assert data["schema_version"] == version and data["pending"]
    assert data["unverified"] is None
