"""A card whose ``.romrunner/`` was lost (QA #27): the files already there with the bytes to
write are kept as the user's. A few are named; many are counted on one line (each named with
--verbose, and in the JSON) instead of one nameless line per file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.test_followups_prune import library, on_card  # noqa: F401  (the fixture)


def lost_records(cli: Any, card: Path, query: str) -> dict[str, bytes]:
    """The files a deploy wrote, copied to ``card`` — a new card, another folder — without
    the hidden folder and with new times (a card that only lost its `.romrunner/`, same
    folder and times, is still ROM Runner's: tests/test_deploy_lost_record.py)."""
    first = card.with_name(card.name + "-first")
    first.mkdir()
    assert cli("deploy", "1", "--to", str(first), query).code == 0
    shutil.rmtree(first / ".romrunner")
    shutil.copytree(first, card, copy_function=shutil.copyfile)
    shutil.rmtree(first)
    return on_card(card)


def test_many_identical_files_are_counted_once_and_listed_with_verbose(
        cli: Any, library: Path, tmp_path: Path) -> None:  # noqa: F811
    card = tmp_path / "card"
    files = lost_records(cli, card, "platform:snes")
    assert len(files) == 11
    plain = cli("deploy", "1", "--to", str(card), "platform:snes", "--prune")
    assert plain.code == 0, plain.err
    lines = [line for line in plain.err.splitlines() if "skipped" in line]
    assert len(lines) == 1, plain.err
    assert "11 files" in lines[0] and "--verbose" in lines[0] and "--prune" in lines[0]
    # what is known, not more: a run of ours whose record was lost (a database restored from
    # a backup, a card's manifest not yet rewritten) may have written them (QA15 F6); and not
    # "no record of writing them" of files this database recorded at other times (QA74 F3)
    assert "no record of ROM Runner's names them as they are now" in lines[0]
    assert "neither this database" not in lines[0]
    assert on_card(card) == files
    shutil.rmtree(card / ".romrunner")
    verbose = cli("--verbose", "deploy", "1", "--to", str(card), "platform:snes")
    assert verbose.code == 0, verbose.err
    named = [line for line in verbose.err.splitlines() if line.startswith("  skipped: ")]
    assert len(named) == 12 and "11 files" in named[0]
    assert sorted(line.split("  skipped: ", 1)[1].split(": an identical")[0]
                  for line in named[1:]) == sorted(files)
    shutil.rmtree(card / ".romrunner")
    data = cli("--json", "deploy", "1", "--to", str(card), "platform:snes").json()["data"]
    assert sorted(error["path"] for error in data["errors"]) == sorted(files)


def test_a_few_identical_files_are_each_named(cli: Any, library: Path,  # noqa: F811
                                              tmp_path: Path) -> None:
    card = tmp_path / "card"
    files = lost_records(cli, card, "platform:gba")
    result = cli("deploy", "1", "--to", str(card), "platform:gba")
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if "skipped" in line]
    assert sorted(lines) == sorted(f"  skipped: {path}: an identical file of yours is kept"
                                   for path in files)
