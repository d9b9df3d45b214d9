"""A damaged archive or disc sheet is that file's problem alone (QA95 F1, F3): a zip member
with an empty name, a zip whose "version needed" is one zipfile does not read, a sheet
naming a file with a NUL character (a playlist saved as UTF-16) — named in the scan's errors,
every other file stored, with one worker or several, scan after scan; `bios scan` goes on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest


def _empty_member_name_zip() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(zipfile.ZipInfo(""), b"data" * 10)
    return data.getvalue()


def _version_25_5_zip() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("Extras (USA).gb", b"\x01" * 64)
    raw = bytearray(data.getvalue())
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 6:central + 8] = (255).to_bytes(2, "little")  # "version needed" 25.5
    return bytes(raw)


DAMAGED = {
    "zip": ("gb/Damaged (USA).zip", _empty_member_name_zip()),
    "version": ("gb/Extras (USA).zip", _version_25_5_zip()),
    "cue": ("psx/Damaged (USA).cue", b'FILE "Track (USA).bin\x00" BINARY\n  TRACK 01 MODE1/2352\n'),
    "m3u": ("psx/Damaged (USA).m3u", "sub/Disc 1.cue\n".encode("utf-16")),
}


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_a_damaged_file_is_named_and_every_other_file_stored(
        cli: Any, tmp_path: Path, kind: str, workers: str) -> None:
    lib = tmp_path / "lib"
    (lib / "gb").mkdir(parents=True)
    (lib / "psx").mkdir()
    for n in range(12):
        (lib / "gb" / f"Game {n} (USA).gb").write_bytes(bytes([n + 1]) * 2048)
    relative, data = DAMAGED[kind]
    (lib / relative).write_bytes(data)
    assert cli("library", "add", lib).code == 0
    for round_ in range(2):  # (the second scan examines the damaged file alone)
        scan = cli("--json", "scan", "--workers", workers)
        assert scan.code == 0, scan.err
        assert "internal error" not in scan.err and "Traceback" not in scan.err
        if round_ == 0:
            assert Path(relative).name in scan.out + scan.err  # (named, not lost)
        (lib / "gb" / f"New {round_} (USA).gb").write_bytes(bytes([99 + round_]) * 2048)
    listed = {g["filename"] for g in cli("--json", "games", "ls", "--limit", "100").json()[
        "data"]["games"]}
    assert {f"Game {n} (USA).gb" for n in range(12)} | {"New 0 (USA).gb"} <= listed
    final = cli("--json", "scan", "--workers", workers)
    assert final.code == 0 and "New 1 (USA).gb" in {g["filename"] for g in cli(
        "--json", "games", "ls", "--limit", "100").json()["data"]["games"]}


@pytest.mark.parametrize("kind", ["zip", "version"])
def test_bios_scan_goes_on_past_a_damaged_zip(cli: Any, tmp_path: Path, kind: str) -> None:
    bios = tmp_path / "bios"
    bios.mkdir()
    (bios / "broken.zip").write_bytes(DAMAGED[kind][1])
    (bios / "other.bin").write_bytes(b"\x00" * 1024)
    result = cli("--json", "bios", "scan", bios)
    assert result.code in (0, 1), result.err
    assert "internal error" not in result.err
    paths = {Path(f["path"]).name for f in result.json()["data"]["files"]}
    assert {"broken.zip", "other.bin"} <= paths


def test_archives_with_a_matched_member_are_found_without_a_subquery_per_member(
        tmp_path: Path) -> None:
    """QA95 F2: a correlated EXISTS per member row read every member of the archive again:
    a zip of N members cost N² reads (126 s at 32,000 members, a whole set in one zip; the
    scan ignored Ctrl-C meanwhile). The archives are found once now."""
    from romrunner.catalog import identify
    from romrunner.store import OpenMode, open_database
    db = open_database(tmp_path / "x.db", OpenMode.WRITE).db
    db.execute("CREATE TEMP TABLE identify_scope (id INTEGER PRIMARY KEY)")
    plan = [str(row[3]) for row in db.query(
        "EXPLAIN QUERY PLAN " + identify._ARCHIVES_WITH_A_MATCH)]
    assert not [step for step in plan if "CORRELATED" in step], plan
    assert not [step for step in plan if step.startswith("SCAN")], plan


@pytest.mark.parametrize("sheet", ['FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE1/2352\n'
                                   .encode("utf-16"), b"", b"\x00\xff garbage \x01"])
def test_a_cue_sheet_naming_no_track_is_named_and_its_bin_is_the_one_game(
        cli: Any, tmp_path: Path, sheet: bytes) -> None:
    """QA95 F7: a .cue whose FILE lines the reader cannot see (UTF-16, empty, garbage) was
    a disc game of no track, and its .bin a second game: both went on the card."""
    lib = tmp_path / "lib" / "psx"
    lib.mkdir(parents=True)
    (lib / "Game (USA).cue").write_bytes(sheet)
    (lib / "Game (USA).bin").write_bytes(b"\x05" * 9000)
    assert cli("library", "add", tmp_path / "lib").code == 0
    scan = cli("scan", "--workers", "1")
    assert scan.code == 0
    if sheet:  # (an empty file is skipped as such, and said)
        assert "Game (USA).cue: names no track file" in scan.err, scan.err
    games = [g["filename"] for g in cli("--json", "games", "ls").json()["data"]["games"]]
    assert games == ["Game (USA).bin"]


@pytest.mark.parametrize("curated", [False, True])
def test_a_sheet_an_earlier_release_stored_without_a_track_is_no_game_after_a_scan(
        cli: Any, db_path: Path, tmp_path: Path, curated: bool) -> None:
    """Review 97 F1: a UTF-16 .cue an earlier release stored as a disc game of no track kept
    its row through every scan (`scan --full` named the error and left the row), and the
    deploy put it on the card beside its .bin. Its row goes at the next scan, or, in a
    collection, is kept as no longer a game — and stays so scan after scan."""
    import os
    import sqlite3

    lib = tmp_path / "lib" / "psx"
    lib.mkdir(parents=True)
    sheet = lib / "Game (USA).cue"
    sheet.write_text('FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE1/2352\n')
    (lib / "Game (USA).bin").write_bytes(b"\x05" * 9000)
    assert cli("library", "add", tmp_path / "lib").code == 0
    assert cli("scan", "--workers", "1").code == 0
    sheet.write_bytes('FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE1/2352\n'.encode("utf-16"))
    info = os.stat(sheet)
    with sqlite3.connect(db_path) as conn:  # as the earlier release stored it
        (cue_id,) = conn.execute("SELECT id FROM games WHERE filename = 'Game (USA).cue'")
        conn.execute("DELETE FROM game_files WHERE game_id = ?", cue_id)
        conn.execute("UPDATE games SET file_size = ?, file_mtime_ns = ? WHERE id = ?",
                     (info.st_size, info.st_mtime_ns, cue_id[0]))
        conn.execute("INSERT INTO games (root_id, filepath, file_size, platform_id) "
                     "SELECT root_id, 'psx/Game (USA).bin', 9000, platform_id FROM games "
                     "WHERE id = ?", cue_id)
    if curated:
        assert cli("collection", "create", "Keep").code == 0
        assert cli("collection", "add", "Keep", str(cue_id[0])).code == 0
    for _ in range(2):
        assert cli("scan", "--workers", "1").code == 0
        games = [g["filename"] for g in cli("--json", "games", "ls", "missing:no")
                 .json()["data"]["games"]]
        assert games == ["Game (USA).bin"]
        with sqlite3.connect(db_path) as conn:
            rows = conn.execute("SELECT is_missing, scan_error FROM games WHERE id = ?",
                                cue_id).fetchall()
        assert (rows[0][0] == 1 and rows[0][1].startswith("no longer a game")) if curated \
            else rows == []
