"""`cache prune` keeps an expired answer that leaves a game out of auto-lists, and says so
(QA153 F11: an emulator's "broken" pruned, the game was "assumed fine" and rejoined the
auto-list with no word)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from romrunner.cache import prune
from romrunner.devices import autolist
from tests.conftest import shared_path
from tests.test_knowledge_import import observation

_AGED = 400 * 86400  # seconds: past a GameIndex answer's TTL and 4 TTLs of grace


def _age(db_path: Path) -> None:
    """Every observation fetched and expired 400 days earlier (a library not re-imported
    for more than a year)."""
    with sqlite3.connect(db_path) as conn:
        for table in ("compat_observations", "settings_observations"):
            conn.execute(f"UPDATE {table} SET fetched_at = fetched_at - ?, "
                         "expires_at = expires_at - ?", (_AGED, _AGED))


def test_prune_keeps_an_expired_broken_rating_and_names_the_game(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    text = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml").read_text()
    start = text.index("SCES-50490:\n")
    index = tmp_path / "gi_new.yaml"  # FFX rated 1 (broken) by its emulator
    index.write_text(text[:start] + text[start:].replace("compat: 5", "compat: 1", 1))
    assert cli("cache", "import", index).code == 0
    _age(db_path)
    dry = cli("--json", "cache", "prune", "--dry-run").json()
    result = cli("--json", "cache", "prune")
    data = result.json()["data"]
    # (and the excerpt's 4 ratings of 2 Intro / 3 Menus, menu_intro: never in-game, left out
    # of auto-lists as well since QA174 F3)
    assert data["kept"]["compat"] == dry["data"]["kept"]["compat"] == 5
    assert data["deleted"]["compat"] == dry["data"]["deleted"]["compat"] > 100
    assert {"kind": "compat", "source": "pcsx2-gameindex", "platform_id": "ps2",
            "key": "SCES-50490", "emulator_id": "pcsx2", "device_profile_id": None,
            "answer": "broken", "title": "Final Fantasy X"} in data["kept_answers"]
    assert sorted(answer["answer"] for answer in data["kept_answers"]) == [
        "broken", *["menu_intro"] * 4]
    assert any("SCES-50490 Final Fantasy X (broken, pcsx2-gameindex)" in warning
               for warning in result.json()["warnings"]), result.json()["warnings"]
    assert observation(db_path, "compat", "SCES-50490", "pcsx2-gameindex")["status"] \
        == "broken"  # type: ignore[index]
    with sqlite3.connect(db_path) as conn:  # still the game's best answer
        assert conn.execute("SELECT status FROM v_emulator_compat WHERE definition_game_id = "
                            "'SCES-50490'").fetchall() == [("broken",)]
    text_run = cli("cache", "prune")
    assert "kept 5 expired answers" in text_run.err and "SCES-50490" in text_run.err


def test_prune_keeps_what_the_auto_list_excludes_on() -> None:
    """Prune's kept answers are the auto-list's reasons to leave a game out (one truth)."""
    assert frozenset(prune.KEPT_STATUSES) == autolist._EXCLUDED_STATUSES
    assert frozenset(prune.KEPT_TIERS) == autolist._EXCLUDED_TIERS
