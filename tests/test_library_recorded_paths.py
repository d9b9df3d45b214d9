"""Games a release before v1.1.0 recorded by absolute path are adopted by the root that holds
them (QA38 F8): under a symlinked spelling of the folder, or, with ``library add NEW --from
OLD``, at the share's new mount point — with their collections and overrides, even after a
scan stored the same files again as new games."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from romrunner.store import Database
from romrunner.store.migrate import migrate
from tests.test_scan import rom_bytes, scan_json

NAMES = ["Alpha (USA).gb", "Bravo (USA).gb", "Charlie (USA).gb"]


def _library(folder: Path) -> None:
    (folder / "GB").mkdir(parents=True)
    for i, name in enumerate(NAMES):
        (folder / "GB" / name).write_bytes(rom_bytes(i, 32768))


def _recorded_database(db_path: Path, recorded_root: Path, files: Path) -> dict[str, int]:
    """A schema-1 database whose games are ``files``' ROMs recorded as ``recorded_root/GB/…``
    (absolute paths, as releases before v1.1.0 stored them), Bravo in a collection with an
    override; upgraded to the current schema."""
    db = Database(db_path)
    migrate(db, target=1)
    ids = {}
    for name in NAMES:
        data = (files / "GB" / name).read_bytes()
        ids[name] = int(db.execute(
            "INSERT INTO games (filepath, filename, file_size, file_md5, file_crc32, "
            "platform_id, detected_title) VALUES (?, ?, ?, ?, ?, 'gb', ?)",
            (str(recorded_root / "GB" / name), name, len(data),
             hashlib.md5(data).hexdigest(), f"{zlib.crc32(data):08x}",
             name.split(" (")[0])).lastrowid)
    db.execute("INSERT INTO collections (id, name) VALUES (1, 'trip')")
    db.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
               "VALUES (1, ?, 1)", (ids["Bravo (USA).gb"],))
    db.execute("INSERT INTO game_overrides (game_id, emulator_id) VALUES (?, 'gambatte')",
               (ids["Bravo (USA).gb"],))
    db.close()
    db = Database(db_path)
    migrate(db)
    db.close()
    return ids


def _rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def _trip(cli: Any) -> list[tuple[int, str]]:
    shown = cli("--json", "collection", "show", "trip").json()["data"]["games"]
    return [(game["id"], game["filename"]) for game in shown]


def test_a_root_added_through_a_symlink_adopts_the_games_recorded_that_way(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    _library(tmp_path / "lib")
    (tmp_path / "link").symlink_to(tmp_path / "lib")
    ids = _recorded_database(db_path, tmp_path / "link", tmp_path / "lib")
    added = cli("--json", "library", "add", tmp_path / "link").json()["data"]
    assert (added["games"], added["adopted"], added["recorded_before_v1_1_left"]) == (3, 3, 0)
    summary = scan_json(cli)
    assert (summary["added"], summary["missing"]) == (0, 0)
    assert _trip(cli) == [(ids["Bravo (USA).gb"], "Bravo (USA).gb")]
    assert _rows(db_path, "SELECT count(*) FROM games") == [(3,)]
    status = cli("--json", "db", "status").json()["data"]
    assert (status["games"], status["library_roots"]) == (3, 1)  # (not the recorded rows' '')


def test_files_recorded_at_an_old_mount_point_are_adopted_with_from_even_after_a_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The share is mounted elsewhere now: `library add NEW` adopts nothing and says how; a
    scan stores the files again as new games; `library add NEW --from OLD` then gives the
    recorded games (with the collection and the override) their files, and the scan's
    copies, which carry nothing of their own, go."""
    _library(tmp_path / "new")
    ids = _recorded_database(db_path, tmp_path / "old", tmp_path / "new")
    result = cli("library", "add", tmp_path / "new")
    assert result.code == 0
    assert cli("--json", "db", "status").json()["data"]["games"] == 0  # (review 21 R7)
    assert "3 games recorded before v1.1.0 are under no library root" in result.out
    assert f"as in {tmp_path / 'old' / 'GB'}" in result.out and "--from" in result.out
    assert scan_json(cli)["added"] == 3
    refused = cli("library", "add", tmp_path / "new", "--from", tmp_path / "elsewhere")
    assert refused.code != 0 and "nothing was changed" in refused.err
    assert _rows(db_path, "SELECT count(*) FROM games") == [(6,)]
    added = cli("--json", "library", "add", tmp_path / "new", "--from", tmp_path / "old")
    data = added.json()["data"]
    assert (data["games"], data["adopted"], data["recorded_before_v1_1_left"]) == (3, 3, 0)
    assert sorted(row[0] for row in _rows(db_path, "SELECT id FROM games")) \
        == sorted(ids.values())
    assert _trip(cli) == [(ids["Bravo (USA).gb"], "Bravo (USA).gb")]
    assert _rows(db_path, "SELECT game_id FROM game_overrides") == [(ids["Bravo (USA).gb"],)]
    summary = scan_json(cli)
    assert (summary["added"], summary["missing"], summary["unchanged"]) == (0, 0, 3)


def test_a_file_curated_twice_is_not_adopted(cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The scan's copy of Bravo was put in a collection too: which one to keep is the user's
    choice; nothing is adopted, the command names the file."""
    _library(tmp_path / "new")
    _recorded_database(db_path, tmp_path / "old", tmp_path / "new")
    assert cli("library", "add", tmp_path / "new").code == 0
    scan_json(cli)
    ((stored,),) = _rows(db_path, "SELECT id FROM games WHERE filepath = 'GB/Bravo (USA).gb'")
    assert cli("collection", "create", "mine").code == 0
    assert cli("collection", "add", "mine", str(stored)).code == 0
    before = _rows(db_path, "SELECT id, root_id, filepath FROM games ORDER BY id")
    refused = cli("library", "add", tmp_path / "new", "--from", tmp_path / "old")
    assert refused.code != 0 and "Bravo (USA).gb" in refused.err
    assert "nothing was adopted" in refused.err
    assert _rows(db_path, "SELECT id, root_id, filepath FROM games ORDER BY id") == before


def test_a_from_folder_that_is_not_the_old_root_is_refused(cli: Any, tmp_path: Path,
                                                           db_path: Path) -> None:
    """Review 21 R3: one game's folder given as the old root (`old/GB`, not `old`) adopted
    the rows at paths no file has (`Alpha (USA).gb` for `GB/Alpha (USA).gb`)."""
    _library(tmp_path / "new")
    _recorded_database(db_path, tmp_path / "old", tmp_path / "new")
    assert cli("library", "add", tmp_path / "new").code == 0
    before = _rows(db_path, "SELECT id, root_id, filepath FROM games ORDER BY id")
    wrong = cli("library", "add", tmp_path / "new", "--from", tmp_path / "old" / "GB")
    assert wrong.code != 0 and "is at its place under" in wrong.err
    assert _rows(db_path, "SELECT id, root_id, filepath FROM games ORDER BY id") == before


def test_a_recorded_row_with_nothing_of_its_own_gives_way_to_a_curated_twin(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Review 21 R10: the scan's row of Alpha was put in a collection; the recorded Alpha
    carries nothing: it goes, the others are adopted (the whole adoption was refused)."""
    _library(tmp_path / "new")
    ids = _recorded_database(db_path, tmp_path / "old", tmp_path / "new")
    assert cli("library", "add", tmp_path / "new").code == 0
    scan_json(cli)
    ((stored,),) = _rows(db_path, "SELECT id FROM games WHERE filepath = 'GB/Alpha (USA).gb'")
    assert cli("collection", "create", "mine").code == 0
    assert cli("collection", "add", "mine", str(stored)).code == 0
    added = cli("--json", "library", "add", tmp_path / "new", "--from", tmp_path / "old")
    assert added.code == 0, added.err
    assert sorted(row[0] for row in _rows(db_path, "SELECT id FROM games")) == sorted(
        [stored, ids["Bravo (USA).gb"], ids["Charlie (USA).gb"]])
    assert _trip(cli) == [(ids["Bravo (USA).gb"], "Bravo (USA).gb")]


def test_an_upgraded_sheet_and_zip_are_unchanged_at_the_first_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA46 F2: a v1.0.0 row of a `.cue` (no tracks recorded) was "updated" at the first scan
    after the upgrade, its bytes unchanged; a zip is, as nothing tells it is the same."""
    import zipfile

    roms = tmp_path / "roms"
    (roms / "psx").mkdir(parents=True)
    (roms / "mame").mkdir()
    (roms / "psx" / "Game (USA).bin").write_bytes(rom_bytes(5, 18816))
    (roms / "psx" / "Game (USA).cue").write_text(
        'FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    with zipfile.ZipFile(roms / "mame" / "pacman.zip", "w") as archive:
        archive.writestr("a.1", rom_bytes(6, 4096))
    db = Database(db_path)
    migrate(db, target=1)
    for rel, platform in (("psx/Game (USA).cue", "psx"), ("mame/pacman.zip", "arcade")):
        data = (roms / rel).read_bytes()
        db.execute("INSERT INTO games (filepath, filename, file_size, file_md5, file_crc32, "
                   "platform_id) VALUES (?, ?, ?, ?, ?, ?)",
                   (str(roms / rel), Path(rel).name, len(data), hashlib.md5(data).hexdigest(),
                    f"{zlib.crc32(data):08x}", platform))
    db.close()
    db = Database(db_path)
    migrate(db)
    db.close()
    assert cli("library", "add", roms).code == 0
    summary = scan_json(cli)
    # (the sheet's own hashes are those recorded; a zip read from its directory now has no
    # hash of its own to compare with the recorded ones: "updated", review 23 R4)
    assert (summary["updated"], summary["unchanged"], summary["added"]) == (1, 1, 0)


def test_db_status_says_the_recorded_games_are_under_no_root_not_unidentified(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA141 F4: a migrated v1.0.0 database's status read "0 games in 0 roots" beside "3
    unidentified" and "1 file known by its CRC32 only" (for files with an MD5 stored): the
    games recorded before v1.1.0 are said as such, and counted nowhere else until adopted."""
    _library(tmp_path / "lib")
    _recorded_database(db_path, tmp_path / "old", tmp_path / "lib")
    status = cli("db", "status")
    assert status.code == 0, status.err
    text = " ".join(status.out.split())
    assert "0 games in 0 roots (and 3 games recorded before v1.1.0 under no root" in text
    data = cli("--json", "db", "status").json()["data"]
    assert data["recorded_under_no_root"] == 3
    assert data["matches"] == {"identified": 0, "guessed": 0, "unidentified": 0,
                               "playlists": 0}
    assert data["unverified"]["unverified"] == 0 and "not verified" not in text
    cli("library", "add", tmp_path / "lib", "--from", tmp_path / "old")
    data = cli("--json", "db", "status").json()["data"]
    assert (data["games"], data["recorded_under_no_root"]) == (3, 0)
    assert data["matches"]["unidentified"] == 3 and data["unverified"]["unverified"] == 3
    assert "3 files without their SHA1" in " ".join(cli("db", "status").out.split())


def test_db_status_loads_a_pack_given_and_says_it_if_the_database_has_another(
        cli: Any, tmp_path: Path) -> None:
    """QA146 F6: `--pack /etc/passwd db status` exit 0, naming the pack the database last
    saw, as if the option were fine; every other command refuses it."""
    assert cli("db", "init").code == 0
    refused = cli("--pack", "/etc/passwd", "db", "status")
    assert refused.code == 2 and "/etc/passwd: not a folder" in refused.err
    missing = cli("--pack", tmp_path / "nope", "db", "status")
    assert missing.code == 2 and "nope" in missing.err
    from tests.conftest import shared_path

    real = shared_path("definition-pack")
    shown = cli("--pack", real, "--json", "db", "status").json()["data"]
    assert shown["pack_given"]["path"] == str(real) and shown["pack_path"] != str(real)
    text = " ".join(cli("--pack", real, "db", "status").out.split())
    assert f"pack given {real}" in text and "the next command that writes records it" in text
    assert cli("--json", "db", "status").json()["data"]["pack_given"] is None
