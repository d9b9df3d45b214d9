"""A card that lost its `.romrunner/` gets a new id at its next deploy; the records of its
earlier id go on being read from then on, where that deploy found the card's files as they
recorded them (qa171 F2, F3): a file kept as "maybe the only copy left" is named at every
later prune, and a copy of ours the user edited stays "changed on the card since ROM Runner
wrote it", not "a file we did not write". Another card at the same folder inherits nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from romrunner.store import OpenMode, open_database
from tests.conftest import knulli_card_deployed

ONLY = "maybe the only copy left"


def _deployed(cli: Any, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Library gb/A..D deployed to a knulli card; the card, the library folder, and the
    card's folder of gb games."""
    lib, card = knulli_card_deployed(cli, tmp_path, ("A (USA).gb", "B (USA).gb", "C (USA).gb",
                                                     "D (USA).gb"), tmp_path / "mnt" / "card")
    (copy,) = card.rglob("D (USA).gb")
    return card, lib, copy.parent


def _d_gone_from_the_library(cli: Any, lib: Path) -> None:
    (lib / "D (USA).gb").unlink()
    for args in (("scan", "--workers", "1"), ("games", "forget", "--missing")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def _only_copies(data: dict[str, Any]) -> list[str]:
    return [note for note in data["notes"] if ONLY in note]


def _errors(data: dict[str, Any]) -> str:
    """What a run (``errors``) or its dry run (``conflicts``) says of the files it keeps."""
    said = [data.get("errors"), list(data.get("conflict_notes", {}).values())]
    return " ".join(str(entry) for entries in said if isinstance(entries, list)
                    for entry in entries)


def test_the_records_before_a_lost_record_folder_are_read_at_every_later_deploy(
        cli: Any, tmp_path: Path) -> None:
    card, lib, folder = _deployed(cli, tmp_path)
    with (folder / "B (USA).gb").open("ab") as edited:  # the user edits a copy of ours
        edited.write(b"extra")
    shutil.rmtree(card / ".romrunner")  # (the user cleans dot-folders)
    _d_gone_from_the_library(cli, lib)
    first = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert first.code == 1, first.err  # (1: a conflict, the file the user edited)
    data = first.json()["data"]
    assert len(_only_copies(data)) == 1 and "D (USA).gb" in _only_copies(data)[0]
    assert "changed on the card since ROM Runner wrote it" in _errors(data)
    assert (card / ".romrunner" / "destination-id").is_file()  # (a new id)
    for extra in (["--dry-run"], [], ["--dry-run"]):
        run = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune", *extra)
        assert run.code == 1, run.err  # (the conflict)
        data = run.json()["data"]
        notes = _only_copies(data)
        assert len(notes) == 1 and "D (USA).gb" in notes[0], (extra, data["notes"])
        assert "changed on the card since ROM Runner wrote it" in _errors(data), extra
        assert "a file we did not write" not in _errors(data), extra
    assert (folder / "D (USA).gb").is_file()  # (never removed: maybe the only copy)
    # --overwrite says what it replaces as the file of ours it is
    dry = cli("deploy", "1", "--to", card, "--auto", "--overwrite", "--dry-run",
              "--verbose")
    assert dry.code == 0, dry.err
    assert "B (USA).gb" in dry.out and "(yours)" not in dry.out, dry.out


def test_another_card_at_the_same_folder_inherits_no_records(cli: Any,
                                                             tmp_path: Path) -> None:
    """A blank card put in at the mount point of one deployed to: its first deploy reads
    the folder's earlier records (a file claimed only at its very size and time), none of
    which claims a file of it: its id carries none over, and no later run reads them."""
    card, lib, folder = _deployed(cli, tmp_path)
    games = folder.relative_to(card)
    card.rename(tmp_path / "first-card")  # unplugged; another card appears at the folder
    where = card / games
    where.mkdir(parents=True)
    shutil.copyfile(tmp_path / "first-card" / games / "D (USA).gb",
                    where / "D (USA).gb")  # the user's own copy: the same bytes, a new time
    os.utime(where / "D (USA).gb", (1_700_000_000, 1_700_000_000))
    _d_gone_from_the_library(cli, lib)
    for extra in ([], [], ["--dry-run"]):
        run = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune", *extra)
        assert run.code == 0, run.err
        assert _only_copies(run.json()["data"]) == [], extra
    assert (where / "D (USA).gb").is_file()
    database = open_database(Path(os.environ["ROMRUNNER_DB"]), OpenMode.READ).db
    options = [json.loads(row[0]) for row in database.query(
        "SELECT options_json FROM deployment_history WHERE id > 1")]
    assert [o for o in options if "carries" in o] == []
