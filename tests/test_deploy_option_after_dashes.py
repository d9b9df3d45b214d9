"""An option of the deploy written after ``--`` is a word of the query there, not the option:
``deploy 1 --to CARD -- fine --dry-run`` deployed for real (qa207 N4). It is refused, nothing
written; a query word that merely starts with a dash is still one."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile


@pytest.fixture
def card(cli: Any, tmp_path: Path) -> Path:
    rom = tmp_path / "roms" / "gb" / "Fine (USA).gb"
    rom.parent.mkdir(parents=True)
    rom.write_bytes(hashlib.sha256(b"fine").digest() * 128)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    return card


@pytest.mark.parametrize("slip", ["--dry-run", "--prune", "--json", "--to=elsewhere"])
def test_an_option_after_the_dashes_is_refused_and_nothing_is_written(
        cli: Any, card: Path, db_path: Path, slip: str) -> None:
    result = cli("deploy", "1", "--to", str(card), "--", "fine", slip)
    assert result.code == 2, (result.out, result.err)
    assert slip in result.err and "put the options before `--`" in result.err, result.err
    assert list(card.iterdir()) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM deployment_history").fetchone() == (0,)


def test_a_dashed_query_word_after_the_dashes_is_still_a_query_word(
        cli: Any, card: Path) -> None:
    result = cli("deploy", "1", "--to", str(card), "--dry-run", "--", "fine", "-zelda")
    assert result.code == 0, (result.out, result.err)
    assert "1 copy" in result.out, result.out
