"""A prune's dry run names the first files it would remove and counts the rest by folder;
--verbose and the JSON list every one (QA16 F4: 4,577 lines for one dry run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_autolist import rom


def test_a_large_prune_dry_run_names_fifty_and_counts_the_rest(cli: Any,
                                                               tmp_path: Path) -> None:
    gb = tmp_path / "roms" / "gb"
    gb.mkdir(parents=True)
    for n in range(61):
        (gb / f"Game {n:02} (USA).gb").write_bytes(rom(f"game {n}"))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    args = ("deploy", "1", "--to", str(card), "title:\"game 00\"", "--prune", "--force",
            "--dry-run")
    text = cli(*args)
    assert text.code == 0, text.err
    named = [line for line in text.out.splitlines() if line.startswith("  would remove ROMS/")]
    assert len(named) == 50
    (rest,) = [line for line in text.out.splitlines() if line.startswith("  … and would")]
    assert rest == ("  … and would remove 10 more files of ours (10 in ROMS/gb; --verbose "
                    "lists every one, as the JSON's prune does)")
    every = cli("--verbose", *args)
    assert len([line for line in every.out.splitlines()
                if line.startswith("  would remove ROMS/")]) == 60
    assert len(cli("--json", *args).json()["data"]["prune"]) == 60
