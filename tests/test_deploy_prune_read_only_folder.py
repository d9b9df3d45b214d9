"""A folder of the card that cannot be written (mounted read-only on its own) fails the removals
a `--prune` makes there, one by one, as its dry run says — the rest of the run goes on: it is
not the card that "became read-only" (qa203 F2: the first refused removal stopped the run,
nothing was copied, and the failure was not counted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mounted_tmpfs, muos_profile
from tests.test_autolist import rom


def test_a_prune_in_a_read_only_folder_fails_those_files_and_the_run_goes_on(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    for folder, name in (("gb", "Alpha (USA).gb"), ("gb", "Beta (USA).gb"),
                         ("gba", "Gamma (USA).gba")):
        (lib / folder).mkdir(parents=True, exist_ok=True)
        (lib / folder / name).write_bytes(rom(name))
    muos_profile(cli, lib)
    gb = card / "ROMS" / "gb"
    with mounted_tmpfs(gb, "4m"):
        first = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
        assert first.code == 0, first.err
        assert sorted(path.name for path in gb.iterdir()) == ["Alpha (USA).gb", "Beta (USA).gb"]
        remount = subprocess.run(["mount", "-o", "remount,ro", str(gb)], capture_output=True,
                                 text=True)
        assert remount.returncode == 0, remount.stderr
        dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--prune",
                  "--dry-run")
        run = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--prune")
        assert run.code == 1, (run.code, run.err)  # (files failed; not a stopped run: 2)
        data = run.json()["data"]
        assert (data["copied"], data["failed"], data["pruned"]) == (1, 2, 0), data
        assert (card / "ROMS" / "gba" / "Gamma (USA).gba").read_bytes() == rom(
            "Gamma (USA).gba")
        assert sorted(path.name for path in gb.iterdir()) == ["Alpha (USA).gb", "Beta (USA).gb"]
        said = " ".join(str(error) for error in data["errors"])
        assert "ROMS/gb is read-only" in said and "became read-only" not in said, said
        assert "ROMS/gb is read-only" in " ".join(str(e) for e in dry.json()["errors"]) + \
            dry.err + dry.out


_TRIGGER_AT_FIRST_RENAME = """
import sys
from pathlib import Path
def _fail(event, args):
    if event == "os.rename" and str(args[1]).endswith(".gba") \
            and not Path(TRIGGER).read_text():
        Path(TRIGGER).write_text("1")
        Path(KNOB).write_text("1")  # (the kernel's own file-system error: remounted ro)
sys.addaudithook(_fail)
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_card_the_kernel_makes_read_only_after_an_error_still_stops_the_run(
        cli: Any, tmp_path: Path) -> None:
    # review49d F1: ext4 mounted errors=remount-ro, after a file-system error, refuses every
    # write while statvfs still says it is writable: the run went on failing every file, then
    # died on a raw error with the deployment left "started". It stops, resumable.
    if shutil.which("mkfs.ext4") is None:
        pytest.skip("no mkfs.ext4 on this machine")
    image, card = tmp_path / "card.img", tmp_path / "card"
    card.mkdir()
    subprocess.run(["truncate", "-s", "64M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", str(image)], check=True)
    mounted = subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(image), str(card)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"an ext4 image cannot be mounted here (needs root): {mounted.stderr}")
    try:
        device = subprocess.run(["findmnt", "-no", "SOURCE", str(card)], capture_output=True,
                                text=True, check=True).stdout.strip().rpartition("/")[2]
        knob = Path(f"/sys/fs/ext4/{device}/trigger_fs_error")
        if not knob.exists():
            pytest.skip("this kernel has no ext4 trigger_fs_error")
        lib = tmp_path / "lib"
        (lib / "gba").mkdir(parents=True)
        for n in range(3):
            (lib / "gba" / f"Game {n} (USA).gba").write_bytes(rom(f"game {n}"))
        muos_profile(cli, lib)
        trigger = tmp_path / "triggered"
        trigger.write_text("")
        code = f"TRIGGER = {str(trigger)!r}\nKNOB = {str(knob)!r}\n{_TRIGGER_AT_FIRST_RENAME}"
        run = subprocess.run([sys.executable, "-c", code, "deploy", "1", "--to", str(card),
                              "platform:gba"], capture_output=True, text=True, timeout=300,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        assert trigger.read_text() == "1", run.stderr  # (the error came mid-run)
        assert run.returncode == 2, (run.returncode, run.stderr)
        assert "the card became read-only while writing" in run.stderr, run.stderr
        assert "deploy resume 1" in run.stderr and "Traceback" not in run.stderr, run.stderr
        # review49f F5: the card's manifest not written was said "(the card full?) … run the
        # deploy again once the card has room"
        said = " ".join(run.stderr.split())
        assert "could not be written (the card is read-only now)" in said, run.stderr
        assert "check the card, and `romrunner deploy resume 1` once it can be written" in said
        assert "card full" not in said and "has room" not in said, run.stderr
        history = cli("--json", "deploy", "history").json()["data"]
        deployments = history["deployments"] if isinstance(history, dict) else history
        assert deployments[0]["status"] == "failed", deployments[0]
    finally:
        subprocess.run(["umount", "-l", str(card)], capture_output=True)
