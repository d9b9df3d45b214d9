"""A game's size is its file's and its disc tracks' (issue 12): a .cue game's row is the
sheet, a hundred bytes; its tracks hold the disc. Listing, `size:`, sorting, `games show`
and `games dupes` all use the one definition (``games.total_size``)."""

from __future__ import annotations

import os
import random
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.search.index import index_games
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.migrate import current_version, migrate

TRACK_1, TRACK_2, CART, MEMBER = 300_000, 200_000, 400_000, 100_000


def _disc(folder: Path, title: str) -> Path:
    """A real .cue and its two .bin tracks (random bytes: no two discs alike)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{title} (Track 1).bin").write_bytes(os.urandom(TRACK_1))
    (folder / f"{title} (Track 2).bin").write_bytes(os.urandom(TRACK_2))
    sheet = folder / f"{title}.cue"
    sheet.write_text(f'FILE "{title} (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n'
                     f'    INDEX 01 00:00:00\nFILE "{title} (Track 2).bin" BINARY\n'
                     '  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')
    return sheet


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> dict[str, Any]:
    """A disc (a cue and two tracks), a cartridge, and a zip holding one ROM; scanned."""
    root = tmp_path / "roms"
    sheet = _disc(root / "psx" / "Big Disc (USA)", "Big Disc (USA)")
    (root / "snes").mkdir(parents=True)
    (root / "snes" / "Cart Game (USA).sfc").write_bytes(os.urandom(CART))
    (root / "gba").mkdir()
    archive = root / "gba" / "Zipped Game (Europe).zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("Zipped Game (Europe).gba", os.urandom(MEMBER))
    assert cli("library", "add", str(root)).code == 0
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    return {"root": root, "sheet": sheet, "cue": sheet.stat().st_size,
            "zip": archive.stat().st_size}


def _rows(cli: Any, *query: str) -> list[dict[str, Any]]:
    result = cli("--json", "games", "ls", *query)
    assert result.code == 0, result.err
    rows: list[dict[str, Any]] = result.json()["data"]["games"]
    return rows


def _names(cli: Any, *query: str) -> list[str]:
    return [row["filename"] for row in _rows(cli, *query)]


def test_a_disc_is_as_large_as_its_sheet_and_tracks(cli: Any,
                                                    library: dict[str, Any]) -> None:
    rows = {row["filename"]: row for row in _rows(cli)}
    disc = rows["Big Disc (USA).cue"]
    assert disc["file_size"] == library["cue"] < 1024  # the sheet itself
    assert disc["total_size"] == library["cue"] + TRACK_1 + TRACK_2
    assert rows["Cart Game (USA).sfc"]["total_size"] == CART
    # a zip is what is on disk (and what deploy copies): its members are not added
    assert rows["Zipped Game (Europe).zip"]["total_size"] == library["zip"]
    table = cli("games", "ls").out
    disc_line = next(line for line in table.splitlines() if "Big Disc" in line)
    assert "488.4 KiB" in disc_line and " B " not in disc_line


def test_size_field_and_sort_see_the_tracks(cli: Any, library: dict[str, Any]) -> None:
    assert _names(cli, "size:>450K") == ["Big Disc (USA).cue"]
    assert _names(cli, "size:<1K") == []
    assert _names(cli, "-size:>450K", "--sort", "size") == [
        "Zipped Game (Europe).zip", "Cart Game (USA).sfc"]
    assert _names(cli, "--sort", "-size") == [
        "Big Disc (USA).cue", "Cart Game (USA).sfc", "Zipped Game (Europe).zip"]
    # a keyset page after the disc, sorted by size, goes on from where it was
    first = cli("--json", "games", "ls", "--sort", "-size", "--limit", "1").json()["data"]
    assert [row["filename"] for row in first["games"]] == ["Big Disc (USA).cue"]
    assert _names(cli, "--sort", "-size", "--after", first["next"]) == [
        "Cart Game (USA).sfc", "Zipped Game (Europe).zip"]
    assert cli("collection", "create", "Big", "--query", "size:>450K").code == 0
    assert _names(cli, "collection:Big") == ["Big Disc (USA).cue"]


def test_games_show_gives_the_disc_size_and_its_parts(cli: Any,
                                                      library: dict[str, Any]) -> None:
    disc_id = _rows(cli, "size:>450K")[0]["id"]
    shown = cli("--json", "games", "show", str(disc_id)).json()["data"]
    total = library["cue"] + TRACK_1 + TRACK_2
    assert (shown["total_size"], shown["file_size"], shown["tracks_size"]) == (
        total, library["cue"], TRACK_1 + TRACK_2)
    text = cli("games", "show", str(disc_id)).out
    assert (f"size       {total:,} bytes (the sheet {library['cue']:,}, its tracks "
            f"{TRACK_1 + TRACK_2:,})") in text
    cart_id = _rows(cli, "size:390K..391K")[0]["id"]
    assert f"size       {CART:,} bytes\n" in cli("games", "show", str(cart_id)).out


def test_a_rescan_keeps_the_size_right(cli: Any, library: dict[str, Any]) -> None:
    folder = library["sheet"].parent
    (folder / "Big Disc (USA) (Track 2).bin").write_bytes(os.urandom(TRACK_2 + 1000))
    assert cli("scan", "--workers", "1").code == 0
    disc = _rows(cli, "title:big")[0]
    assert disc["total_size"] == library["cue"] + TRACK_1 + TRACK_2 + 1000
    (folder / "Big Disc (USA) (Track 2).bin").unlink()  # a track gone: it adds nothing
    cli("scan", "--workers", "1")
    assert _rows(cli, "title:big")[0]["total_size"] == library["cue"] + TRACK_1


def test_dupes_count_a_copied_disc_whole(cli: Any, library: dict[str, Any]) -> None:
    source = library["sheet"].parent
    shutil.copytree(source, library["root"] / "psx" / "copy" / source.name)
    assert cli("scan", "--workers", "1").code == 0
    sets = cli("--json", "games", "dupes").json()["data"]
    total = library["cue"] + TRACK_1 + TRACK_2
    assert [(item["size"], item["copies"], item["reclaimable"]) for item in sets] == [
        (total, 2, total)]
    assert "1 duplicate set, 488.4 KiB reclaimable" in cli("games", "dupes").out


def test_a_copied_sheet_whose_tracks_differ_is_no_duplicate(cli: Any,
                                                             library: dict[str, Any]) -> None:
    """The same .cue text beside other track data (another dump): deleting either copy
    would lose a disc, so they are not a duplicate set."""
    other = library["root"] / "psx" / "other" / library["sheet"].parent.name
    other.mkdir(parents=True)
    shutil.copy(library["sheet"], other)
    (other / "Big Disc (USA) (Track 1).bin").write_bytes(os.urandom(TRACK_1))
    (other / "Big Disc (USA) (Track 2).bin").write_bytes(os.urandom(TRACK_2))
    assert cli("scan", "--workers", "1").code == 0
    assert len(_rows(cli, "title:big")) == 2
    assert cli("--json", "games", "dupes").json()["data"] == []


def test_dupes_read_the_hash_indexes_not_the_table(tmp_path: Path) -> None:
    """`games dupes` finds shared hashes in the SHA1 and CRC32 + size indexes (in order,
    no table row read), archives of one member in the members' index, and reads only the
    rows holding them."""
    from romrunner.library.reports import _DUPLICATE_SETS

    db = open_database(tmp_path / "lib.db", OpenMode.WRITE).db
    plan = [str(row[3]) for row in db.query("EXPLAIN QUERY PLAN " + _DUPLICATE_SETS, (10,))]
    db.close()
    assert any("COVERING INDEX idx_games_sha1" in step for step in plan), plan
    assert any("COVERING INDEX idx_games_crc32_size" in step for step in plan), plan
    # No table read whole: only indexes are scanned (the members' to find archives of one).
    assert not any(step.startswith(("SCAN g", "SCAN f")) and "COVERING INDEX" not in step
                   for step in plan), plan


# -- the column kept by triggers ---------------------------------------------------------
_AGGREGATE = ("SELECT g.id, g.file_size + coalesce((SELECT sum(f.file_size) FROM game_files f "
              "WHERE f.game_id = g.id AND f.kind = 'track'), 0) FROM games g ORDER BY g.id")


def _totals(db: Database) -> list[tuple[int, int]]:
    return [(int(r[0]), int(r[1])) for r in db.query("SELECT id, total_size FROM games "
                                                     "ORDER BY id")]


def _expected(db: Database) -> list[tuple[int, int]]:
    return [(int(r[0]), int(r[1])) for r in db.query(_AGGREGATE)]


def _add_files(db: Database, rng: random.Random, game_ids: list[int], count: int,
               first: int) -> None:
    rows = [(first + n, rng.choice(game_ids), rng.choice(["track", "member", "chd"]),
             f"f{first + n}", rng.choice([None, rng.randrange(1, 10_000)]))
            for n in range(count)]
    db.executemany("INSERT INTO game_files (id, game_id, kind, name, file_size) "
                   "VALUES (?, ?, ?, ?, ?)", rows)


def test_total_size_stays_the_aggregate_through_every_change(tmp_path: Path) -> None:
    """Random inserts, updates (size, kind, owner) and deletes of files, games rewritten
    and deleted (their files go by cascade): after each batch, ``total_size`` is exactly
    the file's size plus its tracks'."""
    rng = random.Random(7)
    db = open_database(tmp_path / "lib.db", OpenMode.WRITE).db
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.executemany("INSERT INTO games (id, root_id, filepath, file_size, platform_id) "
                       "VALUES (?, 1, ?, ?, 'psx')",
                       [(n, f"g{n}.cue", rng.randrange(50, 500)) for n in range(1, 61)])
        index_games(db, 1)  # the search index holds what a game's deletion takes out
        _add_files(db, rng, list(range(1, 61)), 200, 1)
    assert _totals(db) == _expected(db)
    next_file = 1000
    for round_number in range(15):
        ids = [int(r[0]) for r in db.query("SELECT id FROM games")]
        with db.atomic():
            db.execute("UPDATE game_files SET file_size = ? WHERE id % 5 = ?",
                       (rng.choice([None, rng.randrange(1, 9_000)]), rng.randrange(5)))
            db.execute("UPDATE game_files SET kind = CASE kind WHEN 'track' THEN 'member' "
                       "ELSE 'track' END WHERE id % 7 = ?", (rng.randrange(7),))
            db.execute("UPDATE game_files SET game_id = ? WHERE id % 9 = ?",
                       (rng.choice(ids), rng.randrange(9)))
            db.execute("UPDATE games SET file_size = file_size + 1 WHERE id % 4 = ?",
                       (rng.randrange(4),))
            db.execute("DELETE FROM game_files WHERE id % 6 = ?", (rng.randrange(6),))
            db.execute("DELETE FROM games WHERE id = ?", (rng.choice(ids),))
            ids = [int(r[0]) for r in db.query("SELECT id FROM games")]
            _add_files(db, rng, ids, 30, next_file)
            next_file += 30
        assert _totals(db) == _expected(db), round_number
    assert db.scalar("SELECT count(*) FROM games WHERE tracks_size > 0") > 0


def test_migration_fills_the_size_of_a_version_17_library(tmp_path: Path) -> None:
    db = Database(tmp_path / "v17.db")
    migrate(db, target=17)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.executemany("INSERT INTO games (id, root_id, filepath, file_size, platform_id) "
                       "VALUES (?, 1, ?, ?, ?)",
                       [(1, "a.cue", 120, "psx"), (2, "b.zip", 5_000, "gba"),
                        (3, "c.sfc", 7_000, "snes"), (4, "d.cue", 90, "psx")])
        db.executemany("INSERT INTO game_files (game_id, kind, name, file_size) "
                       "VALUES (?, ?, ?, ?)",
                       [(1, "track", "a1.bin", 300_000), (1, "track", "a2.bin", 200_000),
                        (2, "member", "b.gba", 9_000), (4, "track", "gone.bin", None)])
    migrate(db)
    assert current_version(db) >= 18
    assert _totals(db) == [(1, 500_120), (2, 5_000), (3, 7_000), (4, 90)]
    with db.atomic():  # and the triggers keep it from there
        db.execute("DELETE FROM game_files WHERE name = 'a2.bin'")
    assert _totals(db)[0] == (1, 300_120)
    db.close()


def test_two_sheets_naming_one_set_of_tracks_free_only_a_sheet(cli: Any,
                                                                library: dict[str, Any]) -> None:
    """QA154 F15: a second .cue beside the first, naming the same track files, was "2 copies"
    of the whole disc with its tracks' bytes reclaimable: deleting a "copy" with its tracks
    deleted the only tracks of the other."""
    shutil.copy(library["sheet"], library["sheet"].with_name("Big Disc (USA) alt.cue"))
    assert cli("scan", "--workers", "1").code == 0
    sets = cli("--json", "games", "dupes").json()["data"]
    assert [(item["copies"], item["reclaimable"]) for item in sets] == [(2, library["cue"])]
    first, second = sets[0]["files"]
    assert (first["shares_tracks_with"], second["shares_tracks_with"]) == (
        [second["id"]], [first["id"]])
    assert f"its tracks are also those of game {first['id']}: deleting them deletes its " \
        "disc; only the sheet is a copy" in " ".join(cli("games", "dupes").out.split())
