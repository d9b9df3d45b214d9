"""A weaker hash's match holds only where no stronger hash both sides know disagrees: a file
whose CRC32 and size a catalog game has, but whose SHA1 (or MD5) the catalog gives as
another's, is not that game — a bad dump, or data made to collide (QA14 F3: after `--full` a
contradicted CRC32 match stayed "identified"). `dat report` already judged so."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest

DATA = hashlib.sha256(b"the file's bytes").digest() * 64
OTHER = hashlib.sha256(b"the catalog's dump").digest() * 64
IDENTIFIED = ("sha1", "md5", "crc32")  # (a guess by its name would be no identification)


def _dat(*, sha1: str | None, md5: str | None) -> str:
    hashes = f"crc {zlib.crc32(DATA):08X}" + (f" md5 {md5}" if md5 else "") \
        + (f" sha1 {sha1}" if sha1 else "")
    return ('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "t"\n)\n'
            'game (\n\tname "Quest (USA)"\n'
            f'\trom ( name "Quest (USA).gb" size {len(DATA)} {hashes} )\n)\n')


def _method(cli: Any) -> str | None:
    games = cli("--json", "games", "ls").json()["data"]["games"]
    (game,) = games
    return game["match_method"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("stronger", ["sha1", "md5"])
def test_a_crc32_match_a_stronger_hash_contradicts_is_no_match(
        cli: Any, tmp_path: Path, stronger: str) -> None:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    (folder / "quest.gb").write_bytes(DATA)
    catalog = tmp_path / "gb.dat"
    other = {"sha1": hashlib.sha1(OTHER).hexdigest(), "md5": None} if stronger == "sha1" \
        else {"sha1": None, "md5": hashlib.md5(OTHER).hexdigest()}
    catalog.write_text(_dat(**other))
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0  # no catalog yet: hashed in full
    assert cli("dat", "import", str(catalog)).code == 0
    assert _method(cli) not in IDENTIFIED


def test_a_file_known_by_its_crc32_only_loses_the_match_its_verify_contradicts(
        cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    (folder / "quest.gb").write_bytes(DATA)
    catalog = tmp_path / "gb.dat"
    catalog.write_text(_dat(sha1=hashlib.sha1(OTHER).hexdigest(), md5=None))
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(catalog)),
                 ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    assert _method(cli) == "crc32"  # CRC32 first: all it can know until --verify
    verified = cli("scan", "--verify")
    assert verified.code == 0
    assert _method(cli) not in IDENTIFIED
    # and it says so (QA16 F2: "1 verified now", no word of the match it lost)
    assert "1 game identified by CRC32 + size is no longer: its MD5/SHA1 are not the " \
        "catalog game's" in verified.out
    # (qa204 F5: "1 verified now" beside it read as "passed")
    assert "1 hashed in full now" in verified.out and "verified now" not in verified.out
    again = cli("--json", "scan", "--verify").json()["data"]
    assert again["unmatched_by_verify"] == 0  # (said once: nothing left to verify)


def test_a_crc32_match_no_stronger_hash_contradicts_holds(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    (folder / "quest.gb").write_bytes(DATA)
    catalog = tmp_path / "gb.dat"
    catalog.write_text(_dat(sha1=None, md5=None))  # a DAT of CRC32s only
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("dat", "import", str(catalog)).code == 0
    assert _method(cli) == "crc32"


def test_a_match_an_earlier_release_kept_against_a_stored_sha1_is_withdrawn_at_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA18 M5: a library an earlier release identified by CRC32 + size, its stored SHA1
    another's, stayed "identified by hash" through `scan --verify` (nothing to hash: every
    hash stored). The first scan under tag rules 5 identifies such games again, once."""
    from romrunner.store.open import OpenMode, open_database
    from tests.test_deploy_copies import gb_dat_of_one_game, rom_bytes, same_crc

    real = rom_bytes("real", 8192)
    bad = same_crc(real, rom_bytes("bad", 8192))
    gb = tmp_path / "roms" / "gb"
    gb.mkdir(parents=True)
    dat = gb_dat_of_one_game(tmp_path / "gb.dat", "Real Game (USA)", real)
    (gb / "Bad Dump.gb").write_bytes(bad)
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(dat)),
                 ("scan", "--workers", "1", "--verify")):
        assert cli(*args).code == 0, args
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert game["match_method"] is None  # this release: its SHA1 says it is not the game
    db = open_database(db_path, OpenMode.WRITE).db  # (its triggers need our functions)
    with db.atomic():  # as an earlier release left it
        db.execute("UPDATE games SET matched_game_id = 'gb:Real Game (USA)', "
                   "match_method = 'crc32'")
        db.execute("UPDATE user_settings SET value = '4' WHERE key = 'tag_rules_version'")
    db.close()
    rescan = cli("--json", "scan", "--workers", "1", "--verify")  # nothing to hash
    assert rescan.code == 0 and rescan.json()["data"]["rematched"] == 1
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert game["match_method"] is None and game["matched_game_id"] is None
    status = cli("--json", "platforms").json()["data"]
    assert [p["hash_matched"] for p in status if p["platform_id"] == "gb"] == [0]
