"""A `deploy --prune` killed with -9 mid-prune (a real child process), then resumed (qa205
F6): the set's hidden disc folder the prune emptied stayed on the card for good (no later
prune removed or named it), and the resume said each file the killed run had removed twice,
"removed X" and "X: already gone from the card". It finishes the prune as an uninterrupted
run does (the emptied folder of ours removed) and says each file once.

Real directory trees, real SQLite, the CLI in-process; the killed prune a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile

CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
TITLE, QUEST = "Saga (USA)", "Quest (USA)"

# Run first in the child: it stops for good at its removal of the file STOP (those before it
# removed, their rows maybe not yet recorded), as a prune killed then leaves the card.
_STOP_AT_REMOVAL = """
import os, signal, sys
def _stop(event, args):
    if event == "os.remove" and os.path.basename(str(args[0])) == STOP:
        print("ready", flush=True)
        signal.pause()
sys.addaudithook(_stop)
"""


def _prune_killed(card: Path, query: str, stop: str) -> None:
    code = (f"STOP = {stop!r}\n{_STOP_AT_REMOVAL}\n"
            "from romrunner.cli.main import main\n"
            f"sys.exit(main(['deploy', '1', '--to', {str(card)!r}, {query!r}, '--prune', "
            "'--force']))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert "ready\n" in iter(proc.stdout.readline, ""), f"the prune ended before {stop}"
    finally:
        proc.kill()
        proc.wait()


def test_a_resumed_prune_removes_the_set_folder_it_emptied_and_says_each_file_once(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gb").mkdir(parents=True)
    (lib / "gb" / "Tetris (World).gb").write_bytes(b"\x01" * 32768)
    (lib / "psx").mkdir()
    for title, disc in [(TITLE, 1), (TITLE, 2), (QUEST, 1), (QUEST, 2)]:
        name = f"{title} (Disc {disc})"
        (lib / "psx" / f"{name}.bin").write_bytes(bytes([disc + len(title)]) * 2352 * 20)
        (lib / "psx" / f"{name}.cue").write_text(CUE.format(name))
    card.mkdir()
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    (folder,) = [path for path in card.rglob(f".{TITLE}") if path.is_dir()]
    (other,) = [path for path in card.rglob(f".{QUEST}") if path.is_dir()]
    # (killed at the last disc of Saga: Quest's folder emptied by the killed run)
    _prune_killed(card, "tetris", f"{TITLE} (Disc 2).bin")
    assert other.is_dir() and not list(other.iterdir())
    (deployment,) = [row["id"] for row in cli("--json", "deploy", "history").json()["data"]
                     if row["status"] != "completed"]
    resumed = cli("--json", "deploy", "resume", str(deployment))
    assert resumed.code == 0, resumed.out
    data = resumed.json()["data"]
    assert not folder.exists() and not other.exists(), data
    assert sorted(data["pruned_folders"]) == sorted(
        str(path.relative_to(card)) for path in (folder, other)), data["pruned_folders"]
    said = [*data["pruned_paths"], *(error["path"] for error in data["errors"])]
    assert len(said) == len(set(said)) == data["pruned"] == 10, said  # (8 files, 2 .m3u)
    # `deploy show` says each once too (review51g F3: "removed X" and "pruned: X: already
    # gone from the card")
    shown = cli("deploy", "show", str(deployment)).out
    for path in said:
        assert shown.count(f" {path}") == 1, (path, shown)
    again = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert again.code == 0 and again.json()["data"]["pruned"] == 0, again.out
