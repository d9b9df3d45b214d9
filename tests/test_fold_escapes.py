"""A title holding terminal escape sequences: each sequence is one separator when the title is
folded for the sort key, the search index and queries (QA round 37: ``search red`` did not
find a file named ``\\x1b[31mRED\\x1b[0m Evil (USA).nes``, ``games ls 31mred`` did)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import Database, OpenMode, open_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from romrunner.textnorm import fold

EVIL = "\x1b[31mRED\x1b[0m Evil"


@pytest.mark.parametrize(("text", "folded"), [
    (EVIL, "red evil"),
    ("\x9b1mBold\x9b0m Move", "bold move"),  # (a CSI's one-character C1 form)
    ("Pok\u00e9mon\x1b[1;33m Gold", "pokemon gold"),  # (not ASCII: the other path)
    ("a\x1b]8;;http://x.example\x07Link\x1b]8;;\x1b\\ b", "a link b"),  # (OSC strings)
    ("x\x1b]never ended", "x never ended"),  # (an OSC never ended keeps the title's words)
    ("Tab\tand\x00Nul", "tab and nul"),  # (other control characters: separators)
    ("\x1b", ""),
])
def test_escape_sequences_fold_as_separators(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(fold(text)) == fold(text)


def test_search_and_games_ls_find_a_title_with_escapes(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms" / "NES"
    root.mkdir(parents=True)
    (root / f"{EVIL} (USA).nes").write_bytes(b"NES\x1a" + bytes(40000))
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert cli("scan").code == 0
    for args in (("search", "red"), ("search", "red", "evil"), ("games", "ls", "red", "evil"),
                 ("games", "ls", "title:red")):
        found = cli(*args, "--json")
        assert found.code == 0, args
        assert "Evil" in found.out, args
    stray = cli("games", "ls", "31mred", "--json")
    assert "Evil" not in stray.out


def _old_fold(text: str | None) -> str | None:
    """The fold before schema 31 (ASCII titles): the ESC dropped, its parameters kept."""
    return None if text is None else re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def test_migration_folds_stored_titles_again_and_rebuilds_the_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    migrate(old, target=30)
    old.close()
    conn = sqlite3.connect(path)  # (rows written by the earlier fold, as its scans wrote)
    conn.create_function("rr_fold", 1, _old_fold, deterministic=True)
    conn.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    conn.executemany(
        "INSERT INTO games (root_id, filepath, file_size, platform_id, "
        "detected_title, title_norm) VALUES (1, ?, 1, 'nes', ?, ?)",
        [(f"NES/{title} (USA).nes", title, _old_fold(title))
         for title in (EVIL, "Plain Game")])
    has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'games_fts'").fetchone()
    conn.commit()
    conn.close()
    db = open_database(path, OpenMode.WRITE).db  # a writing command migrates
    assert current_version(db) == LATEST_VERSION >= 31
    norms = {row[0]: row[1] for row in db.query("SELECT detected_title, title_norm FROM games")}
    assert norms == {EVIL: "red evil", "Plain Game": "plain game"}
    if has_fts:
        found = [row[0] for row in db.query(
            "SELECT rowid FROM games_fts WHERE games_fts MATCH 'red*'")]
        assert len(found) == 1
        assert not db.query("SELECT rowid FROM games_fts WHERE games_fts MATCH '31mred*'")
        # the rows the triggers delete are the ones indexed: a rename keeps the index sound
        db.execute("UPDATE games SET detected_title = 'Blue Evil', title_norm = 'blue evil' "
                   f"WHERE rowid = {int(found[0])}")
        db.execute("DELETE FROM games WHERE detected_title = 'Plain Game'")
        db.execute("INSERT INTO games_fts (games_fts, rank) VALUES ('integrity-check', 1)")
        assert db.scalar("SELECT count(*) FROM games_fts_docsize") == 1
    db.close()
