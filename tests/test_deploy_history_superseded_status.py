"""`deploy history`'s table kept a killed run that a later full deploy of its profile to its
card superseded as "interrupted" (qa207 N5); only `deploy show` said "superseded". The
table's status says "superseded" now (the JSON keeps the recorded status and its
``superseded_by``); a killed run nothing superseded stays "interrupted".

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_deploy_show_superseded import killed_gba_deploy


def _status(cli: Any, deployment: int) -> str:
    result = cli("deploy", "history")
    assert result.code == 0, result.err
    (line,) = [line for line in result.out.splitlines()
               if line.split()[:1] == [str(deployment)]]
    return line.split()[1]


def test_history_table_says_superseded_of_a_killed_run_a_later_deploy_superseded(
        cli: Any, tmp_path: Path) -> None:
    card, killed = killed_gba_deploy(cli, tmp_path)
    assert _status(cli, killed) == "interrupted"
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    assert _status(cli, killed) == "superseded"
    rows = cli("--json", "deploy", "history").json()["data"]
    (row,) = [row for row in rows if row["id"] == killed]
    assert row["status"] == "interrupted" and row["superseded_by"] is not None, row
