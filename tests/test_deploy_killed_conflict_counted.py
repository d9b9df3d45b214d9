"""A deploy killed before it reached a conflict its plan knew (the user's file where a game
goes): its record counted that file `pending` — `deploy history` 0 conflicts, the JSON's
totals conflict 0, pending 1 — and the resume then said "1 conflict" (qa205 N2). The plan's
conflicts are recorded before any file is written.

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename


def test_a_killed_runs_record_counts_the_conflict_its_plan_knew(cli: Any,
                                                               tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    for n, name in enumerate(("Alpha (USA)", "Beta (USA)", "Gamma (USA)")):
        (lib / "gba" / f"{name}.gba").write_bytes(bytes([n + 1]) * 70_000)
    (card / "ROMS" / "gba").mkdir(parents=True)
    (card / "ROMS" / "gba" / "Gamma (USA).gba").write_bytes(b"the user's own\n")
    muos_profile(cli, lib)
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['deploy', '1', '--to', {str(card)!r}, 'platform:gba']))\n")
    with writer_killed_before_rename(Path("Alpha (USA).gba"), code):
        pass
    (row,) = cli("--json", "deploy", "history").json()["data"]
    assert (row["totals"]["gba"]["conflict"], row["totals"]["gba"]["pending"]) == (1, 0), row
    shown = cli("--json", "deploy", "show", str(row["id"])).json()["data"]
    assert [p["dest_path"] for p in shown["problems"]] == ["ROMS/gba/Gamma (USA).gba"], shown
    resumed = cli("--json", "deploy", "resume", str(row["id"]))
    assert resumed.json()["data"]["conflicts"] == 1, resumed.out
    assert (card / "ROMS" / "gba" / "Gamma (USA).gba").read_bytes() == b"the user's own\n"
