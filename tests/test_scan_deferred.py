"""A scan reads zips from their central directory: members identified by their stated
CRC32 + size where exactly one catalog game has them, MD5/SHA1 deferred to scan --verify,
which catches a zip whose directory states a CRC its data does not have."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from romrunner.library.examine import CHANGED, Job, examine_zip
from romrunner.library.hashing import RomHasher, detect_header
from tests.test_scan import dat_text, digests, rom_bytes, scan_json


def _gba_dat(games: dict[str, bytes]) -> str:
    return dat_text("Nintendo - Game Boy Advance",
                    {name: (f"{name}.gba", data) for name, data in games.items()})


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _patch_stated_crc(path: Path, crc: int) -> None:
    """Write ``crc`` as the CRC32 of the zip's (only) member, in its local header and in
    the central directory, leaving its data as it was: a zip that lies about its data."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, central + 16, crc)
    path.write_bytes(bytes(data))


def _rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def _setup(cli: Any, tmp_path: Path, catalog: dict[str, bytes]) -> Path:
    root = tmp_path / "roms"
    (root / "gba").mkdir(parents=True)
    dat = tmp_path / "gba.dat"
    dat.write_text(_gba_dat(catalog))
    assert cli("--json", "dat", "import", dat).code == 0
    assert cli("library", "add", root).code == 0
    return root / "gba"


def test_a_zip_is_identified_by_its_stated_crc_and_verified_later(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    real = rom_bytes(1, 70_000)
    folder = _setup(cli, tmp_path, {"Real Game (USA)": real})
    _zip(folder / "Real Game (USA).zip", {"Real Game (USA).gba": real})
    (folder / "Loose Game (USA).gba").write_bytes(rom_bytes(2))

    first = scan_json(cli)
    assert first["added"] == 2 and first["errors"] == []
    assert first["identified"] == 1 and first["identified_by_crc_only"] == 1
    assert first["unverified"] == 1
    # Nothing of the zip was hashed: not the container, not its member's data.
    assert first["bytes_hashed"] == len(rom_bytes(2))
    assert _rows(db_path, "SELECT file_sha1, match_method, matched_game_id FROM games "
                          "WHERE filename LIKE '%.zip'") == [
        (None, "crc32", "gba:Real Game (USA)")]
    assert _rows(db_path, "SELECT file_crc32, file_size, file_md5, file_sha1 "
                          "FROM game_files") == [(digests(real)["crc"], len(real), None, None)]
    status = cli("--json", "db", "status").json()["data"]["unverified"]
    assert status == {"identified_by_crc_only": 1, "unverified": 1}
    assert "scan --verify" in cli("db", "status").out

    # its SHA1 is not known yet: asked by it, the answer says why (QA28 F8: a flat "no")
    by_sha1 = cli("games", "find", "--sha1", digests(real)["sha1"])
    assert by_sha1.code == 1 and "1 game is known by its CRC32 only" in by_sha1.out
    rescan = scan_json(cli)  # an unchanged rescan leaves the zip alone, and says so
    assert rescan["unchanged"] == 2 and rescan["bytes_hashed"] == 0
    assert rescan["unverified"] == 1 and rescan["identified_by_crc_only"] == 1

    verified = scan_json(cli, "--verify")
    assert (verified["updated"], verified["unchanged"], verified["verified"]) == (0, 2, 1)
    assert verified["unverified"] == 0 and verified["identified_by_crc_only"] == 0
    assert verified["identified"] == 1
    assert _rows(db_path, "SELECT file_md5, file_sha1 FROM game_files") == [
        (digests(real)["md5"], digests(real)["sha1"])]
    assert _rows(db_path, "SELECT match_method FROM games WHERE filename LIKE '%.zip'") == [
        ("sha1",)]
    assert scan_json(cli)["unverified"] == 0
    assert cli("games", "find", "--sha1", digests(real)["sha1"]).code == 0


def test_a_zip_whose_directory_lies_is_caught_by_verify(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    catalog_rom, other = rom_bytes(3, 50_000), rom_bytes(4, 50_000)
    folder = _setup(cli, tmp_path, {"Catalog Game (USA)": catalog_rom})
    lying = folder / "Catalog Game (USA).zip"
    _zip(lying, {"Catalog Game (USA).gba": other})  # other data, same size
    _patch_stated_crc(lying, int(digests(catalog_rom)["crc"], 16))

    first = scan_json(cli)  # the directory is all a scan reads: it believes it
    assert first["errors"] == [] and first["identified_by_crc_only"] == 1

    result = cli("--json", "scan", "--workers", "1", "--verify")
    assert result.code == 0, result.err
    verified = result.json()["data"]
    assert [e["path"] for e in verified["errors"]] == [str(folder / "Catalog Game (USA).zip")]
    assert "does not hold the data its zip directory states" in verified["errors"][0]["error"]
    assert verified["identified"] == 0 and verified["identified_by_crc_only"] == 0
    # found damaged, counted so: not among the files --verify would hash (qa190)
    assert (verified["damaged"], verified["unverified"]) == (1, 0)
    game = _rows(db_path, "SELECT matched_game_id, match_method, scan_error FROM games")
    assert game[0][:2] == (None, None) and "CRC32 differs" in game[0][2]
    # Identification again (a DAT import re-identifies) does not trust the stated CRC.
    assert cli("--json", "dat", "import", tmp_path / "gba.dat").code == 0
    assert cli("--json", "scan", "--workers", "1").json()["data"]["identified"] == 0
    assert _rows(db_path, "SELECT file_crc32 FROM game_files") == [(None,)]


def test_a_zip_caught_mid_copy_is_changed_not_damaged(tmp_path: Path) -> None:
    """A zip the walk saw whole, cut short by the time its directory is read (a copy over
    it under way), is no verdict on its data: changed during the scan, read next time — not
    damaged, which stays until it reads (review39c: a file caught mid-copy was marked
    damaged). The same bytes at the time the walk saw are damaged."""
    path = tmp_path / "Game (USA).zip"
    _zip(path, {"Game (USA).gba": rom_bytes(1, 50_000)})
    walked = path.stat()
    path.write_bytes(path.read_bytes()[: walked.st_size // 2])
    mid_copy = examine_zip(Job(str(path), "gba/Game (USA).zip", walked.st_size,
                               walked.st_mtime_ns), lambda crc, size: False)
    assert mid_copy.error == CHANGED and not mid_copy.damaged
    now = path.stat()
    cut = examine_zip(Job(str(path), "gba/Game (USA).zip", now.st_size, now.st_mtime_ns),
                      lambda crc, size: False)
    assert cut.damaged and cut.error is not None and "corrupt" in cut.error


def test_a_stated_crc_several_catalog_games_share_is_hashed_at_once(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    shared = rom_bytes(5, 30_000)
    folder = _setup(cli, tmp_path, {"Game A (USA)": shared, "Game A (Europe)": shared})
    _zip(folder / "Game A (USA).zip", {"Game A (USA).gba": shared})
    first = scan_json(cli)
    assert first["unverified"] == 0 and first["bytes_hashed"] == len(shared)
    assert _rows(db_path, "SELECT file_sha1 FROM game_files") == [(digests(shared)["sha1"],)]


def test_identification_takes_a_stated_crc_only_when_one_catalog_game_has_it(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    shared = rom_bytes(6, 30_000)
    folder = _setup(cli, tmp_path, {"Only (USA)": shared})
    _zip(folder / "only-renamed.zip", {"Only (USA).gba": shared})  # no name match
    assert scan_json(cli)["identified_by_crc_only"] == 1
    # A second catalog game with the same CRC32 and size: the stated CRC no longer decides.
    dat = tmp_path / "more.dat"
    dat.write_text(_gba_dat({"Only (Europe)": shared}).replace(
        "Nintendo - Game Boy Advance", "Nintendo - Game Boy Advance (Alt)"))
    assert cli("--json", "dat", "import", dat, "--platform", "gba").code == 0
    assert _rows(db_path, "SELECT matched_game_id FROM games") == [(None,)]
    assert scan_json(cli, "--verify")["identified"] == 1


def test_removing_the_catalog_that_shared_a_crc_identifies_the_game_by_the_other(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA38 F9: a zipped and a plain file left unmatched because a second catalog had their
    CRC32 and size too: `dat rm` of the first identifies them by the second, and says so
    (neither was matched to the removed catalog's game, so neither is "now unidentified")."""
    zipped, plain = rom_bytes(16, 30_000), rom_bytes(17, 30_000)
    folder = _setup(cli, tmp_path, {"Zipped Prime (USA)": zipped, "Plain Prime (USA)": plain})
    _zip(folder / "z.zip", {"z.gba": zipped})
    (folder / "p.gba").write_bytes(plain)
    assert scan_json(cli)["identified_by_crc_only"] == 2
    dat = tmp_path / "more.dat"
    dat.write_text(_gba_dat({"Zipped (Europe)": zipped, "Plain (Europe)": plain}).replace(
        "Nintendo - Game Boy Advance", "Nintendo - Game Boy Advance (Alt)"))
    assert cli("--json", "dat", "import", dat, "--platform", "gba").code == 0
    assert _rows(db_path, "SELECT matched_game_id FROM games") == [(None,), (None,)]
    lower = cli("dat", "rm", "nintendo - game boy advance")  # (QA98: no word of the case)
    assert lower.code != 0 and "did you mean 'Nintendo - Game Boy Advance'?" in lower.err
    removed = cli("--json", "dat", "rm", "Nintendo - Game Boy Advance").json()["data"]
    assert (removed["newly_identified"], removed["unidentified"]) == (2, 0)
    assert _rows(db_path, "SELECT filename, matched_game_id FROM games ORDER BY filename") == [
        ("p.gba", "gba:Plain (Europe)"), ("z.zip", "gba:Zipped (Europe)")]


def test_a_headered_member_is_hashed_at_once(cli: Any, tmp_path: Path,
                                             db_path: Path) -> None:
    root = tmp_path / "roms"
    (root / "nes").mkdir(parents=True)
    assert cli("library", "add", root).code == 0
    data = b"NES\x1a" + bytes(12) + rom_bytes(7)
    _zip(root / "nes" / "Headered (USA).zip", {"Headered (USA).nes": data})
    first = scan_json(cli)
    assert first["unverified"] == 0
    assert _rows(db_path, "SELECT header_size, nh_sha1 FROM game_files") == [
        (16, digests(data[16:])["sha1"])]


def test_a_plain_file_one_catalog_game_has_is_hashed_crc32_first(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    known, unknown = rom_bytes(8, 20_000), rom_bytes(9, 20_000)
    folder = _setup(cli, tmp_path, {"Known (USA)": known})
    (folder / "Known (USA).gba").write_bytes(known)
    (folder / "Homebrew.gba").write_bytes(unknown)
    first = scan_json(cli)
    assert first["identified"] == 1 and first["identified_by_crc_only"] == 1
    assert first["unverified"] == 1
    assert _rows(db_path, "SELECT filename, file_crc32, file_sha1, match_method FROM games "
                          "ORDER BY filename") == [
        ("Homebrew.gba", digests(unknown)["crc"], digests(unknown)["sha1"], None),
        ("Known (USA).gba", digests(known)["crc"], None, "crc32")]
    copy = tmp_path / "Known (USA).gba"  # (not the library's file: no copy of itself)
    copy.write_bytes(known)
    found = cli("--json", "games", "find", copy).json()["data"]
    assert [row["filename"] for row in found] == ["Known (USA).gba"]

    # A renamed file known by its CRC32 only keeps its row (found by CRC32 + size).
    (folder / "Known (USA).gba").rename(folder / "renamed.gba")
    renamed = scan_json(cli)
    assert renamed["renamed"] == 1 and renamed["added"] == 0 and renamed["missing"] == 0

    verified = scan_json(cli, "--verify")
    assert (verified["updated"], verified["verified"], verified["unverified"]) == (0, 1, 0)
    assert verified["identified"] == 1
    assert _rows(db_path, "SELECT file_sha1, match_method FROM games "
                          "WHERE filename = 'renamed.gba'") == [(digests(known)["sha1"], "sha1")]


@given(st.binary(min_size=0, max_size=3000), st.sampled_from([b"", b"NES\x1a", b"LYNX"]),
       st.lists(st.integers(min_value=1, max_value=900), max_size=8))
def test_hashes_do_not_depend_on_how_the_stream_is_cut(body: bytes, magic: bytes,
                                                         cuts: list[int]) -> None:
    data = magic + body
    whole = RomHasher("game.nes", len(data))
    whole.update(data)
    pieces = RomHasher("game.nes", len(data))
    start = 0
    for cut in cuts:
        pieces.update(memoryview(data)[start:start + cut])
        start += cut
    pieces.update(data[start:])
    expected = whole.result()
    assert pieces.result() == expected
    header = detect_header(data[:512], ".nes", len(data)) if len(data) else 0
    if header and len(data) > header:  # a header with nothing after it: no header-less hashes
        assert expected.nh_sha1 == digests(data[header:])["sha1"]
    assert expected.sha1 == digests(data)["sha1"]


def test_a_renamed_zip_known_by_its_directory_keeps_its_game(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A zip has no hash of its own after a first scan: renamed, it is still the same game
    (same size, same members), so its id, collections and overrides stay with it; a zip
    whose members differ is a new game."""
    real = rom_bytes(3, 50_000)
    folder = _setup(cli, tmp_path, {"Real Game (USA)": real})
    _zip(folder / "Real Game (USA).zip", {"Real Game (USA).gba": real})
    _zip(folder / "Other.zip", {"Other.gba": rom_bytes(4, 50_000)})
    assert scan_json(cli)["added"] == 2
    (before,) = _rows(db_path, "SELECT id FROM games WHERE filename = 'Real Game (USA).zip'")
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(before[0])).code == 0

    (folder / "Real Game (USA).zip").rename(folder / "Real Game (USA) [renamed].zip")
    (folder / "Other.zip").unlink()
    _zip(folder / "Another.zip", {"Other.gba": rom_bytes(5, 50_000)})
    rescan = scan_json(cli)
    assert rescan["renamed"] == 1 and rescan["added"] == 1
    assert _rows(db_path, "SELECT id, is_missing FROM games "
                          "WHERE filename = 'Real Game (USA) [renamed].zip'") == [(before[0], 0)]
    assert _rows(db_path, "SELECT is_missing FROM games WHERE filename = 'Other.zip'") == [(1,)]
    shown = cli("--json", "collection", "show", "keep").json()["data"]
    assert [game["id"] for game in shown["games"]] == [before[0]]


def test_verify_says_what_is_wrong_instead_of_asking_for_verify(
        cli: Any, tmp_path: Path) -> None:
    """QA3 F-N: after ``scan --verify`` tried a zip whose directory lies, the text names
    the zip's error and does not send the user to run --verify again."""
    catalog_rom, other = rom_bytes(7, 50_000), rom_bytes(8, 50_000)
    folder = _setup(cli, tmp_path, {"Liar (USA)": catalog_rom})
    lying = folder / "Liar (USA).zip"
    _zip(lying, {"Liar (USA).gba": other})
    _patch_stated_crc(lying, int(digests(catalog_rom)["crc"], 16))
    plain = cli("scan", "--workers", "1")
    assert plain.code == 0 and "1 file is known by its CRC32 only" in plain.out
    assert "scan --verify hashes it" in " ".join(plain.out.split())
    verified = cli("scan", "--workers", "1", "--verify")
    assert verified.code == 0
    out, err = " ".join(verified.out.split()), " ".join(verified.err.split())
    assert "scan --verify hashes" not in out
    assert "1 found damaged (kept, errors below)" in out and "CRC32 only" not in out
    assert "gba/Liar (USA).zip: " in err and "does not hold the data its zip directory " \
        "states" in err


def test_a_full_rescan_keeps_what_verify_computed(cli: Any, tmp_path: Path) -> None:
    """`scan --full` hashes in full: the SHA1 of a zip's member that `scan --verify` computed
    is not set back to 'known by its CRC32 only' by a full rescan (it was)."""
    folder = tmp_path / "lib" / "gba"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Zipped (USA).zip", "w") as archive:
        archive.writestr("Zipped (USA).gba", b"z" * 5000)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert scan_json(cli)["unverified"] == 1  # read from the zip's directory
    assert scan_json(cli, "--verify")["unverified"] == 0
    full = scan_json(cli, "--full")
    assert full["unverified"] == 0 and (full["updated"], full["unchanged"]) == (0, 1)
    sha1 = hashlib.sha1(b"z" * 5000).hexdigest()
    found = cli("--json", "games", "find", "--sha1", sha1)
    assert found.code == 0 and len(found.json()["data"]) == 1


def test_a_folder_renamed_keeps_what_verify_computed(cli: Any, tmp_path: Path,
                                                     db_path: Path) -> None:
    """QA13 F2: a folder renamed after `scan --verify` made its files, plain and zipped,
    "known by their CRC32 only" again (the rename's examination is CRC32 first), and
    `games find --sha1` of a file in the library answered "no game holds this data"."""
    plain, member = rom_bytes(11, 40_000), rom_bytes(12, 40_000)
    folder = _setup(cli, tmp_path, {"Plain (USA)": plain, "Zipped (USA)": member})
    (folder / "Plain (USA).gba").write_bytes(plain)
    _zip(folder / "Zipped (USA).zip", {"Zipped (USA).gba": member})
    assert scan_json(cli)["unverified"] == 2  # CRC32 first, the zip from its directory
    assert scan_json(cli, "--verify")["unverified"] == 0
    verified = _rows(db_path, "SELECT id, file_md5, file_sha1, match_method FROM games ORDER BY id")
    assert all(sha1 for _, _, sha1, _ in verified)
    folder.rename(folder.parent / "Game Boy Advance")
    for path in (folder.parent / "Game Boy Advance").iterdir():  # another time too: read, as
        later = path.stat().st_mtime_ns + 10**9  # a folder renamed with its times kept is not
        os.utime(path, ns=(later, later))
    moved = scan_json(cli)
    assert (moved["renamed"], moved["unverified"], moved["bytes_hashed"] > 0) == (2, 0, True)
    assert _rows(db_path, "SELECT id, file_md5, file_sha1, match_method FROM games ORDER BY id"
                 ) == verified
    (folder.parent / "Game Boy Advance").rename(folder)  # times kept: not read, hashes kept
    back = scan_json(cli)
    assert (back["renamed"], back["renamed_unread"], back["bytes_hashed"]) == (2, 2, 0)
    assert _rows(db_path, "SELECT id, file_md5, file_sha1, match_method FROM games ORDER BY id"
                 ) == verified
    folder.rename(folder.parent / "Game Boy Advance")
    assert scan_json(cli)["renamed_unread"] == 2
    for data in (plain, member):
        found = cli("--json", "games", "find", "--sha1", hashlib.sha1(data).hexdigest())
        assert found.code == 0 and len(found.json()["data"]) == 1, found.err
    # a file whose data changed under its name keeps nothing of the old hashes
    path = next((folder.parent / "Game Boy Advance").glob("Plain*"))
    path.write_bytes(rom_bytes(13, 40_000))
    changed = scan_json(cli)
    assert changed["updated"] == 1
    (sha1,) = _rows(db_path, f"SELECT file_sha1 FROM games WHERE id = {verified[0][0]}")[0]
    assert sha1 != verified[0][2]


def test_a_file_gone_while_a_full_scan_reads_keeps_its_match(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA42 F7: a share that dropped during `scan --full` stripped the match of every game
    known by its CRC32 it had not read yet (taken for a failed verification): the file not
    read is left as it was."""
    from romrunner.library import scan as scan_module
    from romrunner.packs import load_pack
    from romrunner.store import Database

    first, second = rom_bytes(30, 20_000), rom_bytes(31, 20_000)
    folder = _setup(cli, tmp_path, {"First (USA)": first, "Second (USA)": second})
    (folder / "First (USA).gba").write_bytes(first)
    (folder / "Second (USA).gba").write_bytes(second)
    assert scan_json(cli)["identified_by_crc_only"] == 2

    def drop(done: int, *_: int) -> None:
        if done == 1:
            (folder / "Second (USA).gba").unlink()

    db = Database(db_path)
    try:
        summary = scan_module.scan_library(db, load_pack(), workers=1, full=True,
                                           progress=drop)
    finally:
        db.close()
    assert summary.not_stored == 1
    assert _rows(db_path, "SELECT filename, matched_game_id FROM games ORDER BY filename") == [
        ("First (USA).gba", "gba:First (USA)"), ("Second (USA).gba", "gba:Second (USA)")]


def test_a_zip_holding_two_members_of_one_name_is_unchanged_at_a_full_scan(
        cli: Any, tmp_path: Path) -> None:
    """QA49 F3: one row per member name is stored; the full scan compared both members with
    it and said "updated" at every run."""
    import warnings
    (tmp_path / "lib" / "gb").mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (zipfile warns of the duplicate name)
        with zipfile.ZipFile(tmp_path / "lib" / "gb" / "dupe.zip", "w") as archive:
            archive.writestr("a.gb", b"x" * 1000)
            archive.writestr("a.gb", b"z" * 1000)
    assert cli("library", "add", tmp_path / "lib").code == 0
    assert cli("scan", "--workers", "1").code == 0
    for _ in range(2):
        full = cli("--json", "scan", "--full", "--workers", "1")
        assert full.code == 0, full.err
        assert (full.json()["data"]["updated"], full.json()["data"]["unchanged"]) == (0, 1)


def test_a_source_known_by_crc32_only_that_changed_is_copied_again(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA53 F4: a library file replaced in place by another dump of its size (a redump; a
    renamer's swap), known by its CRC32 only (no SHA1 to compare with the card's): the
    deploy said "skipped" and the card kept the old ROM."""
    import os

    old, new = rom_bytes(21, 20_000), rom_bytes(22, 20_000)
    folder = _setup(cli, tmp_path, {"Old (USA)": old, "New (USA)": new})
    (folder / "Game (USA).gba").write_bytes(old)
    card = _scanned_and_deployed(cli, tmp_path)
    (copy,) = card.rglob("Game (USA).gba")
    assert copy.read_bytes() == old
    (folder / "Game (USA).gba").write_bytes(new)
    os.utime(folder / "Game (USA).gba", ns=(1_800_000_000_000_000_000,) * 2)
    assert scan_json(cli)["identified_by_crc_only"] == 1  # (still no SHA1)
    again = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert again.code == 0 and again.json()["data"]["copied"] == 1, again.out
    assert copy.read_bytes() == new
    settled = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert settled.code == 0 and settled.json()["data"]["copied"] == 0, settled.out
    # Only touched (the same bytes, a new time: a copy without -p, a sync tool): its bytes
    # are read again, not copied again (review 28 R2), and that is recorded.
    os.utime(folder / "Game (USA).gba", ns=(1_800_000_100_000_000_000,) * 2)
    scan_json(cli)
    for _ in range(2):
        touched = cli("--json", "deploy", "1", "--to", card, "platform:gba")
        assert touched.code == 0 and touched.json()["data"]["copied"] == 0, touched.out
    assert copy.read_bytes() == new
    assert _rows(db_path, "SELECT count(*) FROM deployment_items WHERE status = 'skipped' "
                          "AND source_mtime_ns = 1800000100000000000") == [(1,)]


def test_a_restored_database_copies_the_older_dump_put_back_over_a_newer_card_copy(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA114 F1: after a restore, the library's older dump put back with its time and known
    by its CRC32 only: the card's newer copy (written before the restore) was "skipped" as
    up to date, and `--verify` then blamed the card."""
    import os

    old, new = rom_bytes(23, 20_000), rom_bytes(24, 20_000)
    folder = _setup(cli, tmp_path, {"Old (USA)": old, "New (USA)": new})
    game = folder / "Game (USA).gba"
    game.write_bytes(old)
    os.utime(game, ns=(1_700_000_000_000_000_000,) * 2)
    card = _scanned_and_deployed(cli, tmp_path)
    backup = tmp_path / "before.db"
    assert cli("db", "backup", backup).code == 0
    game.write_bytes(new)
    os.utime(game, ns=(1_800_000_000_000_000_000,) * 2)
    scan_json(cli)
    assert cli("deploy", "1", "--to", card, "platform:gba").code == 0
    (copy,) = card.rglob("Game (USA).gba")
    assert copy.read_bytes() == new
    assert cli("db", "restore", backup, "--force").code == 0
    game.write_bytes(old)
    os.utime(game, ns=(1_700_000_000_000_000_000,) * 2)   # (put back with its time)
    assert scan_json(cli)["identified_by_crc_only"] == 1
    again = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert again.code == 0 and again.json()["data"]["copied"] == 1, again.out
    assert copy.read_bytes() == old
    settled = cli("--json", "deploy", "1", "--to", card, "platform:gba", "--verify")
    assert settled.code == 0 and settled.json()["data"]["copied"] == 0, settled.out


def test_a_game_known_by_crc32_only_moved_to_another_platform_keeps_its_saved_copy(
        cli: Any, tmp_path: Path) -> None:
    """Review 28 R4: a game refiled under another platform (here by hand; a catalog update
    does it too) goes to that platform's folder; its old copy, whose save is in the old
    platform's saves folder (Knulli: saves/gba/), is kept — told by its game, the game known
    by its CRC32 only (no SHA1 to tell its content by)."""
    data = rom_bytes(31, 20_000)
    folder = _setup(cli, tmp_path, {"Game (USA)": data})
    (folder / "Game (USA).gba").write_bytes(data)
    card = _scanned_and_deployed(cli, tmp_path)
    (card / "saves" / "gba").mkdir(parents=True)
    (card / "saves" / "gba" / "Game (USA).srm").write_bytes(b"progress")
    assert cli("games", "set-platform", "gb", "1").code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert run.code == 0, run.err
    assert [k["path"] for k in run.json()["data"]["prune_saves"]] == ["roms/gba/Game (USA).gba"]
    assert (card / "roms" / "gba" / "Game (USA).gba").is_file()


def _scanned_and_deployed(cli: Any, tmp_path: Path) -> Path:
    """Scan, one Knulli profile, its Game Boy Advance games deployed to a new card folder."""
    card = tmp_path / "card"
    card.mkdir()
    for args in (("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "platform:gba")):
        assert cli(*args).code == 0, args
    return card


def test_another_computers_copy_of_a_changed_crc32_only_source_is_replaced(
        cli: Any, tmp_path: Path) -> None:
    """Review 28 R1: the card's copy written by another computer's database (no record here
    of the source time it was read at): a source known by its CRC32 only, changed in place,
    was skipped. Its bytes are read once; then the record is there."""
    old, new = rom_bytes(41, 20_000), rom_bytes(42, 20_000)
    folder = _setup(cli, tmp_path, {"Old (USA)": old, "New (USA)": new})
    (folder / "Game (USA).gba").write_bytes(old)
    card = _scanned_and_deployed(cli, tmp_path)
    (folder / "Game (USA).gba").write_bytes(new)  # (between the two computers' deploys)
    other = ("--db", str(tmp_path / "other.db"))
    for args in (("dat", "import", tmp_path / "gba.dat"), ("library", "add", folder.parent),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*other, *args).code == 0, args
    assert cli(*other, "--json", "games", "ls").json()["data"]["games"][0]["match_method"] \
        == "crc32"
    first = cli(*other, "--json", "deploy", "1", "--to", card, "platform:gba")
    assert first.code == 0 and first.json()["data"]["copied"] == 1, first.out
    (copy,) = card.rglob("Game (USA).gba")
    assert copy.read_bytes() == new
    again = cli(*other, "--json", "deploy", "1", "--to", card, "platform:gba")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out


def test_two_computers_taking_turns_do_not_read_crc32_only_sources_again(
        cli: Any, tmp_path: Path) -> None:
    """Review 115 F3: once each computer's records held the card's copy, every turn of the
    other computer made this one read every CRC32-only source again in full (a library of
    zips: all of it, for a deploy that changes nothing)."""
    data = rom_bytes(43, 20_000)
    folder = _setup(cli, tmp_path, {"Game (USA)": data})
    (folder / "Game (USA).gba").write_bytes(data)
    card = _scanned_and_deployed(cli, tmp_path)
    other = ("--db", str(tmp_path / "other.db"))
    for args in (("dat", "import", tmp_path / "gba.dat"), ("library", "add", folder.parent),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*other, *args).code == 0, args
    for db in (other, (), other):
        turn = cli(*db, "--json", "deploy", "1", "--to", card, "platform:gba")
        assert turn.code == 0 and turn.json()["data"]["skipped"] == 1, turn.out
    (folder / "Game (USA).gba").unlink()  # (not rescanned: a read of it would fail)
    mine = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert mine.code == 0 and mine.json()["data"]["skipped"] == 1, mine.out


def test_another_computers_other_dump_under_one_name_is_replaced_by_this_ones(
        cli: Any, tmp_path: Path) -> None:
    """Review 118 F1: two computers whose libraries hold other CRC32-only dumps under one
    name: once the other had written its dump there, this one's deploy said "skipped", and
    `--verify` blamed the card."""
    mine, theirs = rom_bytes(44, 20_000), rom_bytes(45, 20_000)
    folder = _setup(cli, tmp_path, {"Mario (USA)": mine, "Mario (USA) (Alt)": theirs})
    (folder / "Mario (USA).gba").write_bytes(mine)
    card = _scanned_and_deployed(cli, tmp_path)
    other_lib = tmp_path / "other" / "gba"
    other_lib.mkdir(parents=True)
    (other_lib / "Mario (USA).gba").write_bytes(theirs)
    other = ("--db", str(tmp_path / "other.db"))
    for args in (("dat", "import", tmp_path / "gba.dat"), ("library", "add", other_lib.parent),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "platform:gba")):
        assert cli(*other, *args).code == 0, args
    (copy,) = card.rglob("Mario (USA).gba")
    assert copy.read_bytes() == theirs
    again = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert again.code == 0 and again.json()["data"]["copied"] == 1, again.out
    assert copy.read_bytes() == mine


def _two_roots_of_one_name(cli: Any, tmp_path: Path, *db: str) -> tuple[Path, int, int]:
    """Two roots, each holding a CRC32-only "Mario (USA).gba" of another dump (in ``db``'s
    database, default the test's), a Knulli profile; the card, the two games' ids."""
    root = tmp_path / "roms" / "gba"
    if not root.exists():
        one, other = rom_bytes(41, 20_000), rom_bytes(42, 20_000)
        folder = _setup(cli, tmp_path, {"Mario (USA)": one, "Mario (USA) (Alt)": other})
        (folder / "Mario (USA).gba").write_bytes(one)
        second = tmp_path / "more" / "gba"
        second.mkdir(parents=True)
        (second / "Mario (USA).gba").write_bytes(other)
    else:
        assert cli(*db, "dat", "import", tmp_path / "gba.dat").code == 0
        assert cli(*db, "library", "add", root.parent).code == 0
    for args in (("library", "add", tmp_path / "more"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*db, *args).code == 0, args
    games = cli(*db, "--json", "games", "ls").json()["data"]["games"]
    assert all(g["match_method"] == "crc32" for g in games) and len(games) == 2
    card = tmp_path / "card"
    card.mkdir(exist_ok=True)
    first, later = sorted(g["id"] for g in games)
    return card, first, later


def test_of_two_crc32_only_files_of_one_card_name_the_copy_on_the_card_stays(
        cli: Any, tmp_path: Path) -> None:
    """Review 115 F2 (QA111 F1 for games known by their CRC32 only, every DAT-matched file):
    the name went to the lower id, and the card's copy was swapped for the other dump."""
    card, _, later = _two_roots_of_one_name(cli, tmp_path)
    assert cli("deploy", "1", "--to", card, f"id:{later}").code == 0
    (copy,) = card.rglob("Mario (USA).gba")
    held = copy.read_bytes()
    again = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert again.json()["data"]["copied"] == 0, again.out
    assert copy.read_bytes() == held
    # Another computer puts the other one there: the game on the card is the one it holds
    # now, not the one this database copied last (review 118 F2: "left out", and the other
    # game "skipped" with the card holding the first)
    other = ("--db", str(tmp_path / "other.db"))
    _, first, _ = _two_roots_of_one_name(cli, tmp_path, *other)
    assert cli(*other, "deploy", "1", "--to", card, f"id:{first}").code == 0
    theirs = copy.read_bytes()
    assert theirs != held
    mine = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    data = mine.json()
    assert data["data"]["copied"] == 0 and copy.read_bytes() == theirs, mine.out
    (left,) = [w for w in data["warnings"] if "left out" in w]
    (other_dump,) = [path for path in (tmp_path / "roms", tmp_path / "more")
                     if (path / "gba" / "Mario (USA).gba").read_bytes() != theirs]
    assert left.startswith(str(other_dump / "gba" / "Mario (USA).gba")), left


def _scanned_with_a_muos_profile(cli: Any, dat: Path, root: Path) -> None:
    """``dat`` imported for NES, ``root``'s parent added and scanned, a muOS profile made."""
    for args in (("dat", "import", dat, "--platform", "nes"), ("library", "add", root.parent),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args


def test_a_game_listed_as_its_rom_and_its_headerless_form_is_had_by_either(
        cli: Any, tmp_path: Path) -> None:
    """QA120 F1: libretro's No-Intro NES DAT lists each game twice under one name, its .nes
    and its header-less .unh; read as one game of two ROMs, a zip of a perfect .nes dump was
    "incomplete" (left out of every auto-list, `dat report` "have 0"), and the deploy called
    it an arcade set lacking ROMs."""
    body = rom_bytes(46, 32_768)
    headered = b"NES\x1a" + bytes(12) + body
    dat = tmp_path / "nes.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Nintendo - Nintendo Entertainment System"\n)\n'
        + "".join(f'game (\n\tname "Geimos (Japan) (En)"\n\trom ( name "Geimos (Japan) (En)'
                  f'.{ext}" size {len(data)} crc {digests(data)["crc"]} )\n)\n'
                  for ext, data in (("nes", headered), ("unh", body))))
    root = tmp_path / "roms" / "nes"
    root.mkdir(parents=True)
    _zip(root / "Geimos (Japan) (En).zip", {"Geimos (Japan) (En).nes": headered})
    _scanned_with_a_muos_profile(cli, dat, root)
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert game["match_method"] == "crc32"
    listed = cli("--json", "autolist", "1").json()["data"]["games"]
    assert [g["included"] for g in listed] == [True], listed
    report = cli("--json", "dat", "report").json()["data"]
    assert [(r["have"], r["incomplete"]) for r in report] == [(1, 0)], report
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert shown["catalogs"] and not any(c.get("missing_roms") for c in shown["catalogs"])


@pytest.mark.parametrize("names", [("PRG", "CHR"), ("Saga (USA).prg", "Saga (USA).chr")])
def test_a_game_of_two_roms_both_needed_is_incomplete_with_one(
        cli: Any, tmp_path: Path, names: tuple[str, str]) -> None:
    """Review 121 F1: the rule for one ROM in several forms took any game whose ROM names
    were one once cut at their last dot for one: a zip of one of two ROMs both needed went
    on the card."""
    first, second = rom_bytes(47, 16_384), rom_bytes(48, 8_192)
    dat = tmp_path / "nes.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Nintendo - Nintendo Entertainment System"\n)\n'
        'game (\n\tname "Saga (USA)"\n'
        + "".join(f'\trom ( name "{name}" size {len(data)} crc {digests(data)["crc"]} )\n'
                  for name, data in zip(names, (first, second), strict=True)) + ")\n")
    root = tmp_path / "roms" / "nes"
    root.mkdir(parents=True)
    _zip(root / "Saga (USA).zip", {names[0]: first})
    _scanned_with_a_muos_profile(cli, dat, root)
    listed = cli("--json", "autolist", "1").json()["data"]["games"]
    assert [(g["included"], g["reason"]) for g in listed] == [(False, "incomplete_set")], listed
    report = cli("--json", "dat", "report").json()["data"]
    assert [(r["have"], r["incomplete"]) for r in report] == [(0, 1)], report


def test_the_sql_and_python_forms_rules_agree() -> None:
    """Review 122 F4: names without a dot were forms of one ROM to the SQL rule only."""
    import sqlite3

    from romrunner.catalog.clones import any_rom_is_game, any_rom_is_the_game
    cases = [(["nes", "unh"], 0), (["G (J).nes", "G (J).unh"], 0), (["G.cue", "G.bin"], 0),
             (["a.lnx", "a.lyx", "a.bll"], 0), (["PRG", "CHR"], 0), (["G (J).nes"], 0),
             (["M (USA) (Unl).nes", "M (USA) (Unl) (Unfixed).bin"], 1)]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE catalog_games (id INTEGER, alternatives INTEGER)")
    conn.execute("CREATE TABLE catalog_roms (catalog_game_id INTEGER, name TEXT)")
    for game, (names, alternatives) in enumerate(cases):
        conn.execute("INSERT INTO catalog_games VALUES (?, ?)", (game, alternatives))
        conn.executemany("INSERT INTO catalog_roms VALUES (?, ?)", [(game, n) for n in names])
    by_sql = [bool(row[0]) for row in conn.execute(
        f"SELECT {any_rom_is_the_game('g')} FROM catalog_games g ORDER BY id")]
    assert by_sql == [any_rom_is_game(names, bool(alt)) for names, alt in cases] == [
        False, True, False, True, False, False, True]


@pytest.mark.parametrize("split", [False, True])
def test_a_game_listed_once_per_dump_is_had_by_either_dump(
        cli: Any, tmp_path: Path, split: bool) -> None:
    """Review 122 F1: libretro's DATs list a game once per dump (`Micro Machines (USA)`: an
    `(Unl).nes` and an `(Unl) (Unfixed).bin`); merged into one game of two ROMs, a zip of
    either dump was "incomplete", left out of every auto-list. Where one of the entries lists
    two ROMs (``split``), they are not alternatives: the set stays incomplete without them."""
    first, second, third = rom_bytes(51, 16_384), rom_bytes(52, 16_384), rom_bytes(53, 8_192)
    entries = [[("Micro Machines (USA) (Unl).nes", first)],
               [("Micro Machines (USA) (Unl) (Unfixed).bin", second)]]
    if split:
        entries[1].append(("Micro Machines (USA) (Unl) (Unfixed).chr", third))
    dat = tmp_path / "nes.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Nintendo - Nintendo Entertainment System"\n)\n'
        + "".join('game (\n\tname "Micro Machines (USA)"\n'
                  + "".join(f'\trom ( name "{name}" size {len(data)} '
                            f'crc {digests(data)["crc"]} )\n' for name, data in entry)
                  + ")\n" for entry in entries))
    root = tmp_path / "roms" / "nes"
    root.mkdir(parents=True)
    _zip(root / "Micro Machines (USA).zip", {"Micro Machines (USA) (Unl).nes": first})
    _scanned_with_a_muos_profile(cli, dat, root)
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    listed = cli("--json", "autolist", "1").json()["data"]["games"]
    report = cli("--json", "dat", "report").json()["data"]
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    missing = [rom for c in shown["catalogs"] for rom in c.get("missing_roms", [])]
    if split:
        assert [(g["included"], g["reason"]) for g in listed] == [(False, "incomplete_set")]
        assert [(r["have"], r["incomplete"]) for r in report] == [(0, 1)], report
        assert len(missing) == 2, shown["catalogs"]
    else:
        assert [g["included"] for g in listed] == [True], listed
        assert [(r["have"], r["incomplete"]) for r in report] == [(1, 0)], report
        assert shown["catalogs"] and missing == [], shown["catalogs"]
