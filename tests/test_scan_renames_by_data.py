"""A game renamed by a ROM manager keeps its id and curation: a zip rewritten under a new name
(TorrentZip's comment, another compression, its member named after the DAT) is the game whose
members held the same data, and a disc whose tracks were renamed with its sheet rewritten to
name them is the game whose tracks held the same data (QA38 F10, F11: each was a new game,
the curation left on a missing row, nothing said)."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from tests.test_scan import rom_bytes, scan_json

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _curate(cli: Any, db_path: Path, filename: str) -> int:
    with sqlite3.connect(db_path) as conn:
        ((game_id,),) = conn.execute("SELECT id FROM games WHERE filename = ?", (filename,))
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(game_id)).code == 0
    return int(game_id)


def _kept(cli: Any) -> list[tuple[int, str]]:
    shown = cli("--json", "collection", "show", "keep").json()["data"]
    return [(g["id"], g["filename"]) for g in shown["games"]]


def test_a_zip_rewritten_under_a_new_name_keeps_its_game(cli: Any, tmp_path: Path,
                                                         db_path: Path) -> None:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    data = rom_bytes(7, 8192)
    with zipfile.ZipFile(folder / "hotel.zip", "w") as archive:
        archive.writestr("hotel.gb", data)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    scan_json(cli)
    game_id = _curate(cli, db_path, "hotel.zip")
    (folder / "hotel.zip").unlink()
    with zipfile.ZipFile(folder / "Hotel (USA).zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Hotel (USA).gb", data)  # the member named after the DAT
        archive.comment = b"TORRENTZIPPED-0123ABCD"
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _kept(cli) == [(game_id, "Hotel (USA).zip")]


def test_a_disc_renamed_with_its_sheet_rewritten_keeps_its_game(cli: Any, tmp_path: Path,
                                                                db_path: Path) -> None:
    folder = tmp_path / "roms" / "psx"
    folder.mkdir(parents=True)
    (folder / "solo.bin").write_bytes(rom_bytes(9, 2352 * 8))
    (folder / "solo.cue").write_text(CUE.format("solo.bin"))
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    scan_json(cli)
    game_id = _curate(cli, db_path, "solo.cue")
    (folder / "solo.bin").rename(folder / "Solo (USA).bin")
    (folder / "solo.cue").unlink()
    (folder / "Solo (USA).cue").write_text(CUE.format("Solo (USA).bin"))
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _kept(cli) == [(game_id, "Solo (USA).cue")]


def test_a_verified_game_moved_the_careful_way_keeps_its_hashes(cli: Any, tmp_path: Path,
                                                                 db_path: Path) -> None:
    """QA141 F10: copied to its new place (a first scan with a catalog stores the copy by its
    CRC32 alone), then deleted from the old one, a game `scan --verify` had hashed took the
    copy's row: its SHA1 and MD5 were gone (`games find --sha1` no longer found it) and its
    match became CRC32's."""
    import hashlib
    import zlib

    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    data = rom_bytes(11, 8192)
    (folder / "Hotel (USA).gb").write_bytes(data)
    (tmp_path / "gb.dat").write_text(
        'clrmamepro (\n\tname "GB"\n)\ngame (\n\tname "Hotel (USA)"\n'
        f'\trom ( name "Hotel (USA).gb" size {len(data)} crc {zlib.crc32(data):08x} '
        f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    for args in (("dat", "import", str(tmp_path / "gb.dat"), "--platform", "gb"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("scan", "--verify", "--workers", "1")):
        assert cli(*args).code == 0, args
    game_id = _curate(cli, db_path, "Hotel (USA).gb")
    (folder / "new").mkdir()
    (folder / "new" / "Hotel (USA).gb").write_bytes(data)  # the copy, then the original goes
    scan_json(cli)
    (folder / "Hotel (USA).gb").unlink()
    summary = scan_json(cli)
    assert (summary["renamed"], summary["missing"]) == (1, 0), summary
    assert _kept(cli) == [(game_id, "Hotel (USA).gb")]
    shown = cli("--json", "games", "show", str(game_id)).json()["data"]
    assert (shown["file_sha1"], shown["match_method"]) == (hashlib.sha1(data).hexdigest(),
                                                          "sha1")
    assert cli("games", "find", "--sha1", hashlib.sha1(data).hexdigest()).code == 0
