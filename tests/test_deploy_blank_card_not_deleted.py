"""A blank card swapped in at the mount point of a card deployed to (no .romrunner/, none of
the files the database's records say were written there) was told "N files ROM Runner put on
the card were deleted from it since", with the advice to exclude the games (qa207 F4): it
may be another card. Worded for both cases there; a card of ours that lost files (its
.romrunner/ kept, or gone with other files of ours still there) is still told they were
deleted.

Real directory trees, real SQLite, the CLI in-process."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.conftest import knulli_card_deployed

DELETED = "deleted from it since"
EITHER = "not on this card (deleted from it, or this is another card)"
NAMES = ("A (USA).gb", "B (USA).gb", "C (USA).gb")


def _notes(cli: Any, card: Path, *extra: str) -> list[str]:
    result = cli("--json", "deploy", "1", "--to", card, "--auto", *extra)
    assert result.code == 0, result.err
    return [n for n in result.json()["data"]["notes"] if "ROM Runner put on the card" in n]


def test_a_blank_card_at_the_same_folder_is_not_told_our_files_were_deleted_from_it(
        cli: Any, tmp_path: Path) -> None:
    _, card = knulli_card_deployed(cli, tmp_path, NAMES)
    shutil.rmtree(card)
    card.mkdir()  # another card, blank, at the same mount point
    for extra in (("--dry-run",), ()):
        notes = _notes(cli, card, *extra)
        assert not [n for n in notes if DELETED in n], notes
        (note,) = notes
        assert note.startswith(f"3 files ROM Runner put on the card are {EITHER}: "), note
    assert len(list(card.rglob("*.gb"))) == 3


def test_a_card_of_ours_without_its_record_that_lost_a_file_is_told_it_was_deleted(
        cli: Any, tmp_path: Path) -> None:
    _, card = knulli_card_deployed(cli, tmp_path, NAMES)
    shutil.rmtree(card / ".romrunner")
    (copy,) = card.rglob("C (USA).gb")
    copy.unlink()
    (note,) = _notes(cli, card, "--dry-run")
    assert note.startswith(f"1 file ROM Runner put on the card was {DELETED}: "), note
