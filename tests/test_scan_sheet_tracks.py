"""Disc sheets whose tracks were not read (QA3 F-U): a .cue naming a track that is missing
or outside the root is not re-hashed by every rescan while that stays so, and is when the
track appears; an .m3u naming a disc that is not there is warned about."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.test_deploy_fuse_card import fusefat_card
from tests.test_scan import scan_json

SHEET = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_sheets_with_unread_tracks_are_left_alone_until_they_change(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for folder in ("psx/Lonely (USA)", "psx/Evil (USA)", "psx/Parasite Eve (USA)",
                   "psx/Abs (USA)"):
        (root / folder).mkdir(parents=True)
    (root / "psx/Lonely (USA)/Lonely (USA).cue").write_text(SHEET.format("Nope.bin"))
    (root / "psx/Evil (USA)/Evil (USA).cue").write_text(SHEET.format("../../../outside.bin"))
    (tmp_path / "outside.bin").write_bytes(b"not the library's" * 100)
    (root / "psx/Abs (USA)/Abs (USA).cue").write_text(SHEET.format(tmp_path / "outside.bin"))
    disc = root / "psx/Parasite Eve (USA)"
    (disc / "Parasite Eve (USA) (Disc 1).bin").write_bytes(b"disc one" * 1000)
    (disc / "Parasite Eve (USA) (Disc 1).cue").write_text(
        SHEET.format("Parasite Eve (USA) (Disc 1).bin"))
    (disc / "Parasite Eve (USA).m3u").write_text(
        "Parasite Eve (USA) (Disc 1).cue\nParasite Eve (USA) (Disc 2).cue\n")
    assert cli("library", "add", root).code == 0

    first = scan_json(cli)
    assert first["added"] == 5
    errors = {str(Path(e["path"]).relative_to(root)): e["error"] for e in first["errors"]}
    assert errors["psx/Parasite Eve (USA)/Parasite Eve (USA).m3u"] == (
        "track 'Parasite Eve (USA) (Disc 2).cue' is missing or unreadable")
    assert errors["psx/Lonely (USA)/Lonely (USA).cue"] == (
        "track 'Nope.bin' is missing or unreadable")
    assert "outside the library root" in errors["psx/Evil (USA)/Evil (USA).cue"]

    again = scan_json(cli)
    assert (again["updated"], again["unchanged"], again["bytes_hashed"]) == (0, 5, 0)
    assert again["errors"] == []

    (root / "psx/Lonely (USA)/Nope.bin").write_bytes(b"track" * 100)  # the track appears
    found = scan_json(cli)
    assert (found["updated"], found["unchanged"]) == (1, 4)
    assert scan_json(cli)["updated"] == 0


def test_games_show_of_a_playlist_gives_each_disc_game_with_its_size(
        cli: Any, tmp_path: Path) -> None:
    """A library .m3u's entries are disc games of their own: `games show` of the .m3u names
    each one's game, its size (sheet and tracks) and match, not "size unknown"."""
    disc = tmp_path / "lib/psx/Two Disc (USA)"
    disc.mkdir(parents=True)
    for n in (1, 2):
        (disc / f"Two Disc (USA) (Disc {n}).bin").write_bytes(bytes([n]) * (1000 * n))
        (disc / f"Two Disc (USA) (Disc {n}).cue").write_text(
            SHEET.format(f"Two Disc (USA) (Disc {n}).bin"))
    (disc / "Two Disc (USA).m3u").write_text(
        "Two Disc (USA) (Disc 1).cue\nTwo Disc (USA) (Disc 2).cue\n")
    assert cli("library", "add", tmp_path / "lib").code == 0
    scan_json(cli)
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    playlist = games["Two Disc (USA).m3u"]
    shown = cli("--json", "games", "show", str(playlist["id"])).json()["data"]
    entries = {f["name"]: f for f in shown["files"]}
    for n in (1, 2):
        cue = disc / f"Two Disc (USA) (Disc {n}).cue"
        entry = entries[cue.name]
        assert entry["disc_game_id"] == games[cue.name]["id"]
        assert entry["file_size"] == cue.stat().st_size + 1000 * n
    text = cli("games", "show", str(playlist["id"])).out
    assert "discs (games of their own)" in text and "size unknown" not in text


def tracks_of(cli: Any, filename: str) -> dict[str, int | None]:
    """The tracks the library holds for the sheet ``filename``: name -> size (None: unread)."""
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    shown = cli("--json", "games", "show", str(games[filename]["id"])).json()["data"]
    return {f["name"]: f["file_size"] for f in shown["files"] if f["kind"] == "track"}


def test_a_windows_1252_sheet_and_a_track_in_another_case_find_their_tracks(
        cli: Any, tmp_path: Path) -> None:
    """QA8 N7: `FILE "Poké Látin (Europe).bin"` in Windows-1252 bytes (the track named in
    UTF-8 on disk), and `Track 01.BIN` / `Data\\T2.bin` for `track 01.bin` / `data/t2.bin`,
    were "missing": the sheet's track left out, the .bin a game of its own. The track is
    recorded under the file's own name."""
    root = tmp_path / "lib"
    latin = root / "psx/Poké Látin (Europe)"
    latin.mkdir(parents=True)
    (latin / "Poké Látin (Europe).bin").write_bytes(b"latin" * 1000)
    (latin / "Poké Látin (Europe).cue").write_bytes(
        SHEET.format("Poké Látin (Europe).bin").encode("cp1252"))
    cased = root / "psx/Cased (USA)"
    (cased / "data").mkdir(parents=True)
    (cased / "track 01.bin").write_bytes(b"one" * 1000)
    (cased / "data/t2.bin").write_bytes(b"two" * 1000)
    (cased / "Cased (USA).cue").write_text(
        SHEET.format("Track 01.BIN") + SHEET.format("Data\\T2.bin").replace("01", "02"),
        newline="\r\n")
    twice = root / "psx/Twice (USA)"
    twice.mkdir(parents=True)
    for name in ("dup.bin", "DUP.bin"):
        (twice / name).write_bytes(name.encode() * 100)
    (twice / "Twice (USA).cue").write_text(SHEET.format("Dup.Bin"))
    assert cli("library", "add", root).code == 0

    scanned = scan_json(cli)
    errors = {e["path"]: e["error"] for e in scanned["errors"]}
    assert errors == {str(twice / "Twice (USA).cue"):  # two files match: none is taken
                      "track 'Dup.Bin' is missing or unreadable"}
    files = {g["filename"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert files == {"Poké Látin (Europe).cue", "Cased (USA).cue", "Twice (USA).cue",
                     "dup.bin", "DUP.bin"}  # the tracks found are not games of their own
    assert tracks_of(cli, "Poké Látin (Europe).cue") == {"Poké Látin (Europe).bin": 5000}
    assert tracks_of(cli, "Cased (USA).cue") == {"track 01.bin": 3000, "data/t2.bin": 3000}
    again = scan_json(cli)
    assert (again["updated"], again["bytes_hashed"], again["errors"]) == (0, 0, [])


def test_a_track_stored_unread_is_found_in_another_case_or_encoding(
        cli: Any, tmp_path: Path) -> None:
    """A sheet scanned while its track was missing (or before tracks were looked for as
    above) is read again once the track it means is there, under another case, or named
    as its Windows-1252 bytes read."""
    root = tmp_path / "lib"
    disc = root / "psx/Late (Europe)"
    disc.mkdir(parents=True)
    (disc / "Late (Europe).cue").write_bytes(
        (SHEET.format("Été Track.bin") + SHEET.format("Track 02.BIN")).encode("cp1252"))
    assert cli("library", "add", root).code == 0
    first = scan_json(cli)
    assert len(first["errors"]) == 2
    assert tracks_of(cli, "Late (Europe).cue") == {"\ufffdt\ufffd Track.bin": None,
                                                   "Track 02.BIN": None}
    assert scan_json(cli)["updated"] == 0  # still missing: left alone
    (disc / "Été Track.bin").write_bytes(b"one" * 1000)
    (disc / "track 02.bin").write_bytes(b"two" * 1000)
    found = scan_json(cli)
    assert (found["added"], found["updated"], found["errors"]) == (0, 1, [])
    assert tracks_of(cli, "Late (Europe).cue") == {"Été Track.bin": 3000,
                                                   "track 02.bin": 3000}
    assert scan_json(cli)["updated"] == 0


def test_a_sheet_and_track_named_in_latin1_bytes_on_disk_are_one_game(
        cli: Any, tmp_path: Path) -> None:
    """QA33 F17: `Pok\\xe9 (France).cue` naming `Pok\\xe9 (France).bin` in the very bytes the
    folder holds (a set copied byte for byte from an old Windows share): the track "is missing
    or unreadable", the .bin a game of its own that one game, one ROM preferred to whole sets.
    The track is found and stored as the library stores such names; the card gets it named
    as text, with the sheet naming it."""
    root = tmp_path / "lib"
    folder = root / "psx"
    folder.mkdir(parents=True)
    track, sheet = (os.fsdecode(b"Pok\xe9 (France)" + ext) for ext in (b".bin", b".cue"))
    (folder / track).write_bytes(b"latin track" * 800)
    (folder / sheet).write_bytes(b'FILE "Pok\xe9 (France).bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                 b"    INDEX 01 00:00:00\n")
    assert cli("library", "add", root).code == 0
    scanned = scan_json(cli)
    assert scanned["errors"] == [] and scanned["added"] == 1, scanned
    assert tracks_of(cli, "Pok\\xe9 (France).cue") == {"Pok\\xe9 (France).bin": 8800}
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psx").code == 0
    on_card = {p.name: p for p in card.rglob("*") if p.is_file() and ".romrunner" not in str(p)}
    assert set(on_card) == {"Poké (France).cue", "Poké (France).bin"}, set(on_card)
    assert 'FILE "Poké (France).bin"' in on_card["Poké (France).cue"].read_text()
    assert on_card["Poké (France).bin"].read_bytes() == b"latin track" * 800


def test_a_track_on_a_case_insensitive_library_disk_is_its_sheets(cli: Any,
                                                                  tmp_path: Path) -> None:
    """QA33 F26: on a FAT or exFAT disk (or a Windows share), a sheet's `FILE "audio (usa)
    (track 1).bin"` opened `Audio (USA) (Track 1).BIN` as written: the track was stored under
    the sheet's spelling and the walk's file, under its own, became a second game."""
    with fusefat_card(tmp_path) as disk:
        (disk / "psx" / "Data").mkdir(parents=True)
        (disk / "psx" / "Audio (USA) (Track 1).BIN").write_bytes(b"audio" * 2000)
        (disk / "psx" / "Data" / "Track 2.bin").write_bytes(b"data" * 2000)
        (disk / "psx" / "Audio (USA).cue").write_text(
            SHEET.format("audio (usa) (track 1).bin") + SHEET.format("data/Track 2.bin"))
        assert cli("library", "add", disk).code == 0
        scanned = scan_json(cli)
        assert scanned["errors"] == [] and scanned["added"] == 1, scanned
        assert tracks_of(cli, "Audio (USA).cue") == {"Audio (USA) (Track 1).BIN": 10000,
                                                     "Data/Track 2.bin": 8000}  # (R3)


@pytest.mark.parametrize("on_disk, in_sheet", [("NFD", "NFC"), ("NFC", "NFD")])
def test_a_track_named_in_another_unicode_form_is_its_sheets(
        cli: Any, tmp_path: Path, on_disk: str, in_sheet: str) -> None:
    """QA57 F1: a library copied through a Mac stores names decomposed (NFD) while its sheets
    name the tracks composed: each track was "missing or unreadable", a game of its own, and
    the card got bare tracks without their sheets. Either way round, one game per sheet."""
    import unicodedata
    root = tmp_path / "lib"
    (root / "psx").mkdir(parents=True)
    for stem in ("Légende Éternelle (France) (Disc 1)", "Crème (France)"):
        track = f"{stem} (Track 1).bin"
        (root / "psx" / unicodedata.normalize(on_disk, track)).write_bytes(os.urandom(4704))
        (root / "psx" / unicodedata.normalize(on_disk, f"{stem}.cue")).write_text(
            SHEET.format(unicodedata.normalize(in_sheet, track)), encoding="utf-8")
    assert cli("library", "add", root).code == 0
    scanned = scan_json(cli)
    assert scanned["errors"] == [] and scanned["added"] == 2, scanned
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert sorted(Path(g["filename"]).suffix for g in games) == [".cue", ".cue"]
