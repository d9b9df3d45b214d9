"""A copy of a file that ``scan --verify`` proved is not its catalog game's dump is not that
game by its CRC32 and size alone (QA round 37: ``cp a.md b.md; romrunner scan`` matched the
copy by CRC32 while the original, verified, was unknown)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_scan import digests, rom_bytes, scan_json
from tests.test_scan_deferred import _rows


def _forged_dat(name: str, rom: str, data: bytes, stated_like: bytes) -> str:
    """A DAT listing ``data``'s CRC32 and size with the MD5 and SHA1 of ``stated_like``: the
    file ``data`` matches it by CRC32 and size, and its full hashes say it is not it."""
    crc = digests(data)["crc"].upper()
    md5, sha1 = hashlib.md5(stated_like).hexdigest(), hashlib.sha1(stated_like).hexdigest()
    return ('clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n\tversion "test"\n)\n'
            f'game (\n\tname "{name}"\n\trom ( name "{rom}" size {len(data)} crc {crc} '
            f"md5 {md5} sha1 {sha1} )\n)\n")


def _setup(cli: Any, tmp_path: Path) -> tuple[Path, bytes]:
    data, real = rom_bytes(41, 30_000), rom_bytes(42, 30_000)
    folder = tmp_path / "roms" / "gba"
    folder.mkdir(parents=True)
    dat = tmp_path / "gba.dat"
    dat.write_text(_forged_dat("Catalog Game (USA)", "Catalog Game (USA).gba", data, real))
    assert cli("--json", "dat", "import", dat).code == 0
    assert cli("library", "add", tmp_path / "roms").code == 0
    (folder / "a.gba").write_bytes(data)
    return folder, data


def test_a_copy_of_a_file_verify_disproved_is_not_matched_by_crc32(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    folder, data = _setup(cli, tmp_path)
    first = scan_json(cli)
    assert first["identified_by_crc_only"] == 1  # believed by its CRC32, as documented
    verified = scan_json(cli, "--verify")
    assert verified["unmatched_by_verify"] == 1 and verified["identified"] == 0
    shutil.copy2(folder / "a.gba", folder / "b.gba")
    copied = scan_json(cli)
    assert copied["added"] == 1
    assert copied["identified"] == 0 and copied["identified_by_crc_only"] == 0
    assert _rows(db_path, "SELECT filename, match_method FROM games ORDER BY filename") == [
        ("a.gba", None), ("b.gba", None)]
    assert copied["unverified"] == 1  # the copy is said: --verify settles it
    settled = scan_json(cli, "--verify")
    assert settled["identified"] == 0 and settled["unverified"] == 0
    assert _rows(db_path, "SELECT filename, file_sha1 FROM games ORDER BY filename") == [
        ("a.gba", digests(data)["sha1"]), ("b.gba", digests(data)["sha1"])]


def test_a_copy_of_a_verified_dump_is_still_matched_by_crc32(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A stored file whose full hashes are the catalog's does not hold a copy back."""
    folder = tmp_path / "roms" / "gba"
    folder.mkdir(parents=True)
    data = rom_bytes(43, 30_000)
    dat = tmp_path / "gba.dat"
    dat.write_text(_forged_dat("Real Game (USA)", "Real Game (USA).gba", data, data))
    assert cli("--json", "dat", "import", dat).code == 0
    assert cli("library", "add", tmp_path / "roms").code == 0
    (folder / "a.gba").write_bytes(data)
    scan_json(cli)
    assert scan_json(cli, "--verify")["identified"] == 1
    shutil.copy2(folder / "a.gba", folder / "b.gba")
    copied = scan_json(cli)
    assert copied["identified_by_crc_only"] == 1
    assert _rows(db_path, "SELECT filename, match_method FROM games ORDER BY filename") == [
        ("a.gba", "sha1"), ("b.gba", "crc32")]


def test_a_copy_an_earlier_release_matched_by_crc32_is_identified_again(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """A library whose copy an earlier release took for the catalog game (tag rules 21)
    loses that match at its first scan by this one, without hashing."""
    from romrunner.catalog import identify
    folder, _ = _setup(cli, tmp_path)
    scan_json(cli)
    scan_json(cli, "--verify")
    shutil.copy2(folder / "a.gba", folder / "b.gba")
    with monkeypatch.context() as earlier:
        earlier.setattr(identify, "_no_disproved_copy", lambda method: "")
        assert scan_json(cli)["identified_by_crc_only"] == 1
    with sqlite3.connect(db_path) as conn:  # (the version that release recorded)
        conn.execute("UPDATE user_settings SET value = ? WHERE key = 'tag_rules_version'",
                     (str(identify.TAG_RULES_VERSION - 1),))
    again = scan_json(cli)
    assert again["rematched"] == 1 and again["identified"] == 0
    assert _rows(db_path, "SELECT filename, match_method FROM games ORDER BY filename") == [
        ("a.gba", None), ("b.gba", None)]
