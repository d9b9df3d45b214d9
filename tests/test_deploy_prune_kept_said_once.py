"""A `--prune` that keeps a file of ours edited in place on the card (its bytes changed at
the size and time we wrote) said it twice in one run (qa205 N4): the note "--prune kept 1
file ROM Runner wrote … changed on the card since" and a line "skipped: PATH: changed since
we wrote it, or gone: kept" — the run knows which of the two it is. Said once, by the note;
the file's row records the reason the run knows (changed).

Real directory trees, real SQLite, the CLI in-process."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def test_a_kept_prune_is_said_once_with_the_reason_the_run_knows(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    for n, name in enumerate(("Alpha (USA)", "Beta (USA)")):
        (lib / "gba" / f"{name}.gba").write_bytes(bytes([n + 1]) * 70_000)
    card.mkdir()
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", str(card), "platform:gba").code == 0
    edited = card / "ROMS" / "gba" / "Alpha (USA).gba"
    info = edited.stat()
    with edited.open("r+b") as handle:  # (in place: its size and time as we wrote them)
        handle.seek(10)
        handle.write(b"X")
    os.utime(edited, ns=(info.st_atime_ns, info.st_mtime_ns))
    run = cli("deploy", "1", "--to", str(card), "title:beta", "--prune", "--force")
    assert run.code == 0, (run.out, run.err)
    said = [line for line in (run.out + run.err).splitlines() if "Alpha (USA).gba" in line]
    assert len(said) == 1 and "--prune kept 1 file" in said[0], said
    assert edited.is_file()
    with sqlite3.connect(db_path) as db:
        (error,) = db.execute("SELECT error FROM deployment_items WHERE action = 'prune' "
                              "AND deployment_id = 2").fetchone()
    assert error.startswith("changed on the card since") and "or gone" not in error, error
