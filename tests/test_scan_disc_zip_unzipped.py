"""A disc's zip unzipped (a Redump zip: its sheet and tracks), or a cue/bin set zipped, is that
disc's game in another form — as a zip of one ROM unzipped is: its collections, overrides and
history follow it, no game is left "missing" with its curation (qa206 F10: the favorite stayed
on a missing row, the unzipped sheet a new game)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

SHEET = ('FILE "DG (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
         'FILE "DG (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')
TRACKS = {"DG (Track 1).bin": bytes(range(256)) * 9, "DG (Track 2).bin": b"\x05\x06" * 700}


def _write_loose(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in TRACKS.items():
        (folder / name).write_bytes(data)
    (folder / "DG.cue").write_text(SHEET, encoding="utf-8")
    return folder / "DG.cue"


def _write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("DG.cue", SHEET)
        for name, data in TRACKS.items():
            archive.writestr(name, data)
    return path


def _curate(cli: Any) -> int:
    listed = cli("--json", "games", "ls").json()["data"]
    (game,) = listed["games"] if isinstance(listed, dict) else listed
    game_id = int(game["id"])
    assert cli("collection", "add", "favorites", str(game_id)).code == 0
    assert cli("override", "set", "--game", str(game_id), "--include").code == 0
    return game_id


def _scan_a_zipped_disc_and_curate(cli: Any, root: Path) -> int:
    (root / "psx").mkdir(parents=True)
    _write_zip(root / "psx" / "DG.zip")
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return _curate(cli)


def _games(cli: Any) -> list[dict[str, Any]]:
    listed = cli("--json", "games", "ls").json()["data"]
    return list(listed["games"] if isinstance(listed, dict) else listed)


def _favorites(cli: Any) -> list[int]:
    shown = cli("--json", "collection", "show", "favorites").json()["data"]
    return [int(game["id"]) for game in shown["games"]]


def test_a_disc_zip_unzipped_is_the_same_game(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    game_id = _scan_a_zipped_disc_and_curate(cli, root)
    _write_loose(root / "psx" / "DG2")
    (root / "psx" / "DG.zip").unlink()
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    games = _games(cli)
    assert [(g["id"], g["filename"]) for g in games] == [(game_id, "DG.cue")], games
    assert _favorites(cli) == [game_id]
    assert cli("games", "ls", "missing:true").out.count("DG") == 0


def test_a_disc_set_zipped_is_the_same_game(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    _write_loose(root / "psx" / "DG")
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    game_id = _curate(cli)
    _write_zip(root / "psx" / "DG.zip")
    for path in (root / "psx" / "DG").iterdir():
        path.unlink()
    (root / "psx" / "DG").rmdir()
    assert cli("scan", "--workers", "1").code == 0
    games = _games(cli)
    assert [(g["id"], g["filename"]) for g in games] == [(game_id, "DG.zip")], games
    assert _favorites(cli) == [game_id]


def test_a_zip_of_other_data_is_a_new_game(cli: Any, tmp_path: Path) -> None:
    # the control: one track's data differs — a new game; the old one missing, its curation kept
    root = tmp_path / "roms"
    game_id = _scan_a_zipped_disc_and_curate(cli, root)
    cue = _write_loose(root / "psx" / "DG2")
    (cue.parent / "DG (Track 2).bin").write_bytes(b"\x07" * 1400)
    (root / "psx" / "DG.zip").unlink()
    assert cli("scan", "--workers", "1").code == 0
    games = {int(g["id"]): g for g in _games(cli)}
    assert len(games) == 2 and game_id in games, json.dumps(games)
    assert _favorites(cli) == [game_id]
