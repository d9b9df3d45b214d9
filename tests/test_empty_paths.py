"""An empty path on the command line — a shell variable unset, `--to "$CARD"` — is refused in
one line naming the option, never taken for the folder the shell is in (QA98 F3: a deploy
wrote the card's folders and `.romrunner/` into the user's home folder, exit 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("words", [
    ("deploy", "1", "--to", "", "platform:gb"),
    ("library", "add", ""),
    ("db", "backup", ""),
    ("dat", "import", ""),
    ("--db", "", "games", "ls"),
])
def test_an_empty_path_is_refused_and_nothing_is_written_where_the_shell_is(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        words: tuple[str, ...]) -> None:
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    (lib / "Game (USA).gb").write_bytes(b"\x01" * 4096)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    here = tmp_path / "home"
    here.mkdir()
    monkeypatch.chdir(here)
    refused = cli(*words)
    assert refused.code == 2 and "an empty path" in refused.err, refused.err
    assert len(refused.err.strip().splitlines()) == 1
    assert list(here.iterdir()) == []
    roots = cli("--json", "library", "ls").json()["data"]
    assert len(roots) == 1


def test_a_new_database_is_said_and_a_db_path_naming_a_folder_is_refused(
        cli: Any, tmp_path: Path) -> None:
    """QA98 F11: a mistyped `--db` started a new, empty library without a word, and `--db
    DIR/` made a database *file* named DIR."""
    typo = tmp_path / "x.bd"
    made = cli("--db", typo, "collection", "create", "Faves")
    assert made.code == 0 and f"note: created a new database at {typo}" in made.err
    again = cli("--db", typo, "collection", "create", "More")
    assert again.code == 0 and "created a new database" not in again.err
    for end in ("/", "/.", "/.."):  # (review 103 F5: `DIR/.` made the file DIR)
        folder = cli("--db", f"{tmp_path / 'newdir'}{end}", "collection", "create", "Faves")
        assert folder.code == 2 and "names a folder" in folder.err, end
        assert not (tmp_path / "newdir").exists() and not (tmp_path / "newdir.lock").exists()
    assert {p.name for p in tmp_path.iterdir()} == {"x.bd", "x.bd.lock"}
    init = cli("--db", tmp_path / "init.db", "db", "init")
    assert init.code == 0 and "note:" not in init.err  # (it says so itself)
