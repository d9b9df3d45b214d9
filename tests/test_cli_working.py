"""A command that works for a while before its first line says what it does on a terminal
(QA45 F2, F3: `dat import` and a deploy's planning were silent for seconds), and only there:
a pipe, --quiet and --json get nothing of it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.test_scan import dat_text, rom_bytes


def _on_a_terminal(db: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI with its stderr on a pseudo-terminal: exit code, stdout, stderr."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "--db", str(db),
                             *args], stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    out = proc.stdout.read().decode() if proc.stdout is not None else ""
    return proc.wait(timeout=120), out, b"".join(chunks).decode(errors="replace")


def test_dat_import_and_deploy_planning_say_what_they_do_on_a_terminal(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    (lib / "Alpha (USA).gb").write_bytes(rom_bytes(1, 8192))
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Alpha (USA)": ("Alpha (USA).gb",
                                                                      rom_bytes(1, 8192))}))
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    code, out, err = _on_a_terminal(db_path, "dat", "import", str(dat))
    assert code == 0 and "Nintendo - Game Boy" in out
    assert "reading the DAT and identifying the library" in err
    card = tmp_path / "card"
    card.mkdir()
    code, out, err = _on_a_terminal(db_path, "deploy", "1", "--to", str(card), "--auto",
                                    "--dry-run")
    assert code == 0, err
    assert "choosing the games" in err and "planning 1 game…" in err
    quiet = _on_a_terminal(db_path, "--quiet", "deploy", "1", "--to", str(card), "--auto",
                           "--dry-run")
    assert quiet[0] == 0 and "planning" not in quiet[2]
    piped = cli("deploy", "1", "--to", card, "--auto", "--dry-run")  # (not a terminal)
    assert piped.code == 0 and "planning" not in piped.err
