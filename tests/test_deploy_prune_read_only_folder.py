"""A folder of the card that cannot be written (mounted read-only on its own) fails the removals
a `--prune` makes there, one by one, as its dry run says — the rest of the run goes on: it is
not the card that "became read-only" (qa203 F2: the first refused removal stopped the run,
nothing was copied, and the failure was not counted)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

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
