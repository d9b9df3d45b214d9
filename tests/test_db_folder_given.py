"""A database path the user gave (--db, ROMRUNNER_DB) whose folder does not exist is refused
by a command that writes, in one line naming the folder, with nothing made: a mistyped path
had its folders made and a new, empty database written there without a word (p47a F7). The
default database's folders are still made."""

from __future__ import annotations

from pathlib import Path

import pytest

from romrunner.errors import InputError
from romrunner.store import OpenMode, open_database
from tests.conftest import run_subprocess


def _refused(err: str, folder: Path) -> bool:
    return (err.count("\n") == 1
            and err.startswith(f"error: {folder}: no such folder for the database ")
            and "nothing was written" in err)


@pytest.mark.parametrize("given_by", ["--db", "ROMRUNNER_DB"])
def test_a_given_database_path_whose_folder_is_missing_is_refused(tmp_path: Path,
                                                                  given_by: str) -> None:
    library = tmp_path / "roms"
    library.mkdir()
    db = tmp_path / "typo" / "deep" / "x.db"
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(tmp_path / "data")}
    args: list[str] = []
    if given_by == "--db":
        args = ["--db", str(db)]
    else:
        env["ROMRUNNER_DB"] = str(db)
    for command in (["library", "add", str(library)], ["db", "init"]):
        result = run_subprocess(*args, *command, env=env)
        assert result.code == 2, result.err
        assert _refused(result.err, db.parent), result.err
    as_json = run_subprocess(*args, "--json", "collection", "create", "A", env=env)
    assert as_json.code == 2 and as_json.json()["errors"][0].startswith(
        f"{db.parent}: no such folder for the database x.db"), as_json.out
    # a command that reads says so too, not "any command that writes creates it"
    read = run_subprocess(*args, "games", "ls", env=env)
    assert read.code == 2 and f"its folder {db.parent} does not exist" in read.err, read.err
    assert "creates it" not in read.err
    assert not (tmp_path / "typo").exists() and not (tmp_path / "data").exists()
    # once the folder is there, the database is made in it
    db.parent.mkdir(parents=True)
    made = run_subprocess(*args, "library", "add", str(library), env=env)
    assert made.code == 0, made.err
    assert db.is_file()


def test_a_restore_to_a_given_path_whose_folder_is_missing_is_refused(
        tmp_path: Path) -> None:
    source = tmp_path / "rr.db"
    assert run_subprocess("--db", str(source), "collection", "create", "A").code == 0
    backup = tmp_path / "a-backup.db"
    assert run_subprocess("--db", str(source), "db", "backup", str(backup)).code == 0
    db = tmp_path / "typo" / "rr.db"
    result = run_subprocess("--db", str(db), "db", "restore", str(backup), "--force")
    assert result.code == 2, result.err
    assert _refused(result.err, db.parent), result.err
    assert not db.parent.exists()


def test_the_default_database_still_has_its_folders_made(tmp_path: Path) -> None:
    data_home = tmp_path / "data" / "deeper"
    env: dict[str, str | None] = {"XDG_DATA_HOME": str(data_home), "ROMRUNNER_DB": None}
    result = run_subprocess("collection", "create", "A", env=env)
    assert result.code == 0, result.err
    assert (data_home / "romrunner" / "romrunner.db").is_file()


def test_open_database_makes_folders_only_when_asked(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "rr.db"
    with pytest.raises(InputError, match="no such folder"):
        open_database(db, OpenMode.WRITE, make_folders=False)
    assert not (tmp_path / "a").exists()
    result = open_database(db, OpenMode.WRITE)
    result.db.close()
    assert db.is_file()
