"""A mistyped --db that names another program's SQLite file (a browser's history, a
frontend's gamelist database): every command refuses it in one line and leaves it exactly as
it was — no WAL switch in its header, no lock file, no side file beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_subprocess


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE history (url TEXT)")
    conn.execute("INSERT INTO history VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("args", [["db", "init"], ["library", "add", "{lib}"], ["scan"],
                                  ["db", "migrate"], ["db", "vacuum"], ["games", "ls"],
                                  ["collection", "create", "favs"]])
def test_another_programs_database_is_refused_and_left_as_it_was(
        foreign: Path, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "lib").mkdir()
    before = foreign.read_bytes()
    done = run_subprocess("--db", str(foreign), *[a.format(lib=tmp_path / "lib") for a in args])
    assert done.code == 2, done.out
    assert "not a ROM Runner database" in done.err and len(done.err.strip().splitlines()) == 1
    assert foreign.read_bytes() == before  # the header still says its own journal mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "places.sqlite"]
