"""Disc ids on games (issue 14 item 2): migration 11, the scan's workers, the summary."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from romrunner.store.open import OpenMode, open_database
from tests.conftest import shared_path
from tests.test_migrations import normalised_schema
from tests.test_serials import build_iso, to_raw_mode2


def test_migration_13_from_version_12_keeps_rows_and_adds_disc_ids(tmp_path: Path) -> None:
    old = Database(tmp_path / "v12.db")
    migrate(old, target=12)
    old.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    old.execute("INSERT INTO games (id, root_id, filepath, filename, file_size, platform_id, "
                "detected_title) VALUES (7, 1, 'ps2/God of War (USA).iso', 'God of War (USA).iso', "
                "4096, 'ps2', 'God of War')")
    old.close()
    migrated = open_database(tmp_path / "v12.db", OpenMode.WRITE).db
    assert current_version(migrated) == LATEST_VERSION >= 13
    row = migrated.query_one("SELECT filename, disc_id, disc_id_source FROM games WHERE id = 7")
    assert row is not None and tuple(row) == ("God of War (USA).iso", None, None)
    migrated.execute("INSERT INTO core_firmware (core_id, path, optional) VALUES ('x', 'a', 1)")
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(migrated) == normalised_schema(fresh)


def _library(tmp_path: Path) -> Path:
    root = tmp_path / "roms"
    for folder in ("ps2", "psx", "psp", "gamecube"):
        (root / folder).mkdir(parents=True)
    build_iso(root / "ps2" / "Jak (Japan).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SCAJ_100.10;1\r\nVER = 1.00\r\n"})
    iso = build_iso(tmp_path / "ps1.iso", {"SYSTEM.CNF": b"BOOT = cdrom:\\SLPS_012.04;1\n"})
    to_raw_mode2(iso, root / "psx" / "Ps One (Japan).bin")
    (root / "psx" / "Ps One (Japan).cue").write_text(
        'FILE "Ps One (Japan).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    build_iso(root / "psp" / "Portable (USA).iso", {"UMD_DATA.BIN": b"ULUS-10410|0001|G|0"})
    header = bytearray(0x440)
    header[:6] = b"GALE01"
    struct.pack_into(">I", header, 0x1C, 0xC2339F3D)
    (root / "gamecube" / "Melee (USA).iso").write_bytes(bytes(header) + b"\x00" * 8192)
    (root / "ps2" / "Too Short (USA).iso").write_bytes(b"\x00" * 4000)  # no SYSTEM.CNF
    return root


def test_a_scanned_disc_library_shows_what_each_source_says(cli: Any, db_path: Path,
                                                            tmp_path: Path) -> None:
    """Issue 14, done when: PS2/PS1/PSP/GameCube images built with a real ISO 9660 layout,
    scanned; the knowledge imported; each game's explanation names its source's answer."""
    root = _library(tmp_path)
    assert cli("library", "add", root).code == 0
    scan = cli("--json", "scan", "--workers", "1")
    assert scan.code == 0, scan.err
    assert scan.json()["data"]["disc_ids"] == 4
    with sqlite3.connect(db_path) as conn:
        ids = dict(conn.execute("SELECT filename, disc_id || ' ' || disc_id_source FROM games "
                                "WHERE disc_id IS NOT NULL"))
        short = conn.execute("SELECT disc_id FROM games WHERE filename LIKE 'Too Short%'")
        assert short.fetchone() == (None,)
    assert ids == {"Jak (Japan).iso": "SCAJ-10010 SYSTEM.CNF",
                   "Ps One (Japan).cue": "SLPS-01204 SYSTEM.CNF",
                   "Portable (USA).iso": "ULUS-10410 UMD_DATA.BIN",
                   "Melee (USA).iso": "GALE01 disc header"}
    knowledge = [shared_path("knowledge", *parts) for parts in (
        ("pcsx2", "GameIndex.excerpt.yaml"), ("duckstation", "gamedb.excerpt.yaml"),
        ("ppsspp", "compat.ini"), ("dolphin", "GameSettings"))]
    assert cli("cache", "import", *knowledge).code == 0  # (the upstream files import whole)
    expected = {"Jak (Japan).iso": ("compat", "pcsx2-gameindex", "SCAJ-10010"),
                "Ps One (Japan).cue": ("compat", "duckstation-gamedb", "SLPS-01204"),
                "Portable (USA).iso": ("settings", "ppsspp-compat", "ULUS-10410"),
                "Melee (USA).iso": ("settings", "dolphin-gameini", "GAL")}
    with sqlite3.connect(db_path) as conn:
        game_ids = dict(conn.execute("SELECT filename, id FROM games"))
    for filename, (kind, source, key) in expected.items():
        shown = cli("--json", "cache", "explain", str(game_ids[filename]))
        assert shown.code == 0, shown.err
        (game,) = shown.json()["data"]
        groups = [g for g in game["kinds"][kind] if g["game_key"] == key]
        assert groups, (filename, game)
        best = groups[0]["observations"][0]
        assert best["source"] == source and best["is_best"] and best["age"] == "now"
        assert groups[0]["why"] == f"{source} is the only source"
    by_title = cli("--json", "cache", "explain", "ps one")
    assert [g["game_id"] for g in by_title.json()["data"]] == [game_ids["Ps One (Japan).cue"]]
    text = cli("cache", "explain", str(game_ids["Jak (Japan).iso"]))
    assert "pcsx2-gameindex" in text.out and "raw: 5" in text.out


def test_a_dat_serial_links_a_matched_game_with_no_readable_id(cli: Any, db_path: Path,
                                                               tmp_path: Path) -> None:
    """A game matched by a Redump DAT reaches serial-keyed knowledge through the DAT's
    serial (written `SLPS 01204` here: the DAT's spelling is normalised)."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    image = root / "Matched (Japan).bin"
    image.write_bytes(b"not an iso9660 image, but the dump the DAT lists" * 100)
    data = image.read_bytes()
    dat = tmp_path / "psx.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Sony - PlayStation"\n\tdescription "Sony - PlayStation"\n)\n\n'
        'game (\n\tname "Matched (Japan)"\n\tserial "SLPS 01204"\n'
        f'\trom ( name "Matched (Japan).bin" size {len(data)} crc {zlib.crc32(data):08x} '
        f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert cli("dat", "import", dat).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("cache", "import", shared_path("knowledge", "duckstation",
                                              "gamedb.excerpt.yaml")).code in (0, 1)
    shown = cli("--json", "cache", "explain", "SLPS_012.04")
    assert shown.code == 0, shown.err
    (game,) = shown.json()["data"]
    assert game["title"] == "Matched" and "SLPS-01204" in game["keys"]
    assert game["kinds"]["compat"][0]["observations"][0]["source"] == "duckstation-gamedb"
