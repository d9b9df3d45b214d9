"""`deploy show --json` / `deploy history --json`: each platform's totals hold every count,
0 too (qa203 F7: `{"bytes": …, "files": 2, "skipped": 2}` beside `{…, "copied": 1, …}`);
its times are UTC text as every JSON output's (review50c F4: ISO 8601 here alone sorted
wrongly against the others' as text)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile
from tests.test_deploy_cli import rom

EVERY_COUNT = {"bytes", "conflict", "copied", "failed", "files", "pending", "pruned", "skipped"}
UTC_TEXT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def test_the_totals_hold_every_count_and_the_times_are_utc_text(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    root = tmp_path / "lib"
    rom(root / "gb/Alpha (USA).gb", "alpha", 32768)
    rom(root / "gb/Beta (Europe).gb", "beta", 32768)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    for _ in range(2):  # copied, then skipped
        assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    first, second = (cli("--json", "deploy", "show", n).json()["data"] for n in "12")
    assert first["totals"] == {"gb": {
        "bytes": 65536, "conflict": 0, "copied": 2, "failed": 0, "files": 2, "pending": 0,
        "pruned": 0, "skipped": 0}}
    assert second["totals"]["gb"] == {**first["totals"]["gb"], "copied": 0, "skipped": 2}
    for shown in (first, second):
        assert UTC_TEXT.fullmatch(shown["started_at"]) and UTC_TEXT.fullmatch(shown["completed_at"])
    history = cli("--json", "deploy", "history").json()["data"]
    assert [row["id"] for row in history] == [2, 1]
    for row in history:
        assert set(row["totals"]["gb"]) == EVERY_COUNT
        assert UTC_TEXT.fullmatch(row["started_at"]) and UTC_TEXT.fullmatch(row["completed_at"])
    # the same moment as the database's UTC text, which the text output keeps
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT started_at FROM deployment_history WHERE id = 2").fetchone()
        # a run stored by an earlier engine: only the counts it had
        db.execute("UPDATE deployment_history SET totals_json = ? WHERE id = 1",
                   (json.dumps({"gb": {"bytes": 65536, "copied": 2, "files": 2}}),))
    db.close()
    assert second["started_at"] == stored[0]
    assert f"started {stored[0]}" in cli("deploy", "show", "2").out
    old = cli("--json", "deploy", "show", "1").json()["data"]
    assert old["totals"] == first["totals"]
    (row,) = [row for row in cli("--json", "deploy", "history").json()["data"] if row["id"] == 1]
    assert row["totals"] == first["totals"]
