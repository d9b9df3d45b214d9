"""QA fixes: a cut DAT never empties a catalog; a backup of a corrupt database replaces
nothing; read-only commands never create a database; LIKE on user text is escaped; a game
DAT is not a BIOS DAT."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import Database, OpenMode
from romrunner.store.open import open_database
from tests.conftest import run_subprocess, shared_path
from tests.test_catalog_dat_safety import catalog_rows, one_line_error


# -- 1. a DAT cut at a game boundary -----------------------------------------------------
def test_a_header_only_dat_is_refused(cli: Any, db_path: Path, tmp_path: Path) -> None:
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    assert cli("dat", "import", real).code == 0
    before = catalog_rows(db_path)
    assert before == [("Nintendo - Game Boy", "2026.08.01", 2238)]
    cut = tmp_path / "Nintendo - Game Boy.dat"
    cut.write_text("".join(real.read_text().splitlines(keepends=True)[:7]))  # head -7
    error = one_line_error(cli("dat", "import", cut))
    assert str(cut) in error and "no game" in error
    assert catalog_rows(db_path) == before
    # even with --force, and even into an empty database
    one_line_error(cli("dat", "import", "--force", cut))
    assert catalog_rows(db_path) == before
    fresh = tmp_path / "fresh.db"
    one_line_error(cli("--db", fresh, "dat", "import", cut))


def cut_at_game_boundary(real: Path, size: int) -> str:
    text = real.read_text()
    end = text.index("\n)\n", size) + 3
    return text[:end]


def test_a_dat_cut_at_a_game_boundary_is_refused_unless_forced(cli: Any, db_path: Path,
                                                               tmp_path: Path) -> None:
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    other = tmp_path / "snes.dat"
    other.write_text('clrmamepro (\n\tname "Nintendo - Super Nintendo Entertainment System"\n'
                     '\tversion "1"\n)\ngame (\n\tname "A (USA)"\n\trom ( name "a.sfc" size 4 '
                     'crc 00000001 )\n)\n')
    assert cli("dat", "import", real).code == 0
    before = catalog_rows(db_path)
    cut = tmp_path / "Nintendo - Game Boy.dat"
    cut.write_text(cut_at_game_boundary(real, 100_000))
    # all the files of the command are one unit: the good one is not imported either
    error = one_line_error(cli("dat", "import", other, cut))
    assert str(cut) in error and "2,238 games" in error and "--force" in error
    assert "same version" in error
    assert catalog_rows(db_path) == before
    forced = cli("--json", "dat", "import", "--force", cut)
    assert forced.code == 0, forced.err
    games = forced.json()["data"]["imports"][0]["games"]
    assert 300 < games < 2238
    assert catalog_rows(db_path) == [("Nintendo - Game Boy", "2026.08.01", games)]


def test_a_new_version_removing_more_than_half_is_refused(cli: Any, db_path: Path,
                                                          tmp_path: Path) -> None:
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    assert cli("dat", "import", real).code == 0
    before = catalog_rows(db_path)
    cut = tmp_path / "gb.dat"
    cut.write_text(cut_at_game_boundary(real, 100_000).replace(
        'version "2026.08.01"', 'version "2026.09.01"'))
    error = one_line_error(cli("dat", "import", cut))
    assert "more than half" in error and "version 2026.09.01" in error
    assert catalog_rows(db_path) == before
    # a cut of the upper part only removes less than half: a new version, accepted
    keep = tmp_path / "gb2.dat"
    keep.write_text(cut_at_game_boundary(real, 400_000).replace(
        'version "2026.08.01"', 'version "2026.09.01"'))
    result = cli("dat", "import", keep)
    assert result.code == 0, result.err
    assert "replaced version 2026.08.01 by 2026.09.01" in " ".join(result.out.split())


# -- 2. a backup of a corrupt database ---------------------------------------------------
def corrupt_index_page(db_path: Path) -> None:
    """Overwrite the root page of an index (the database still opens; quick_check fails)."""
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = raw.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND "
                       "tbl_name = 'catalog_games' AND rootpage > 0 ORDER BY name").fetchone()[0]
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with db_path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_a_backup_of_a_corrupt_database_replaces_nothing(cli: Any, db_path: Path,
                                                         tmp_path: Path) -> None:
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    assert cli("dat", "import", real).code == 0
    backups = tmp_path / "bk"
    backups.mkdir()
    good = backups / "good.db"
    assert cli("db", "backup", good).code == 0
    good_bytes = good.read_bytes()
    corrupt_index_page(db_path)
    for dest in (good, backups):
        for extra in ((), ("--force",)):
            error = one_line_error(cli("db", "backup", *extra, dest))
            assert f"{db_path}: database is corrupt or unreadable (" in error
            assert error.strip().endswith("run `romrunner db check`, restore a backup "
                                          "(`romrunner db restore BACKUP`)")
    assert good.read_bytes() == good_bytes
    assert sorted(p.name for p in backups.iterdir()) == ["good.db"]  # no temp copy left


# -- 3. commands that only read never create a database ------------------------------------
# (`pack status` answers without a database, saying none is there: test_cli_foundation)
READ_COMMANDS = [["bios", "check"], ["cache", "sources"],
                 ["destination", "scan", "{card}"], ["db", "vacuum"], ["db", "migrate"]]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_a_mistyped_db_is_not_created(tmp_path: Path, args: list[str]) -> None:
    card = tmp_path / "card"
    (card / "roms").mkdir(parents=True)
    missing = tmp_path / "typo" / "library.db"
    result = run_subprocess("--db", str(missing), *[a.format(card=card) for a in args])
    assert result.code == 2, (result.out, result.err)
    assert f"no database at {missing}" in result.err and "Traceback" not in result.err
    assert not missing.parent.exists()
    beside = tmp_path / "library.db"  # an existing folder: no file, no lock, no WAL
    result = run_subprocess("--db", str(beside), *[a.format(card=card) for a in args])
    assert result.code == 2 and "no database at" in result.err, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card"]


def test_read_commands_work_on_an_existing_database(cli: Any, db_path: Path,
                                                    tmp_path: Path) -> None:
    open_database(db_path, OpenMode.WRITE).db.close()
    card = tmp_path / "card"
    (card / "roms").mkdir(parents=True)
    lock = Path(f"{db_path}.lock")
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()
    for args in READ_COMMANDS:
        result = cli(*[a.format(card=card) for a in args])
        assert result.code in (0, 1), (args, result.err)
        if args[0] not in ("db", "destination"):  # vacuum, migrate and a stored scan write
            assert not lock.exists(), args
    # cache sources reads the source registry of the pack in use without recording it
    lock.unlink(missing_ok=True)  # db vacuum, migrate and destination scan took it
    other = cli("--pack", shared_path("definition-pack"), "--json", "cache", "sources")
    assert other.code == 0, other.err
    assert not lock.exists()
    assert cli("--pack", shared_path("definition-pack"), "db", "init").code == 0  # records it
    recorded = cli("--pack", shared_path("definition-pack"), "--json", "cache", "sources")
    assert recorded.json()["data"] == other.json()["data"]
    builtin = cli("--json", "cache", "sources").json()["data"]
    assert builtin != other.json()["data"]  # the pack in use decides, not the last one seen


def test_db_init_creates_the_database_once(tmp_path: Path) -> None:
    path = tmp_path / "new" / "library.db"
    path.parent.mkdir()  # (a --db whose folder is missing is refused: p47a F7)
    created = run_subprocess("--db", str(path), "db", "init")
    assert created.code == 0 and "created a new database at" in created.out
    again = run_subprocess("--db", str(path), "--json", "db", "init")
    assert again.code == 0 and again.json()["data"]["created"] is False
    assert run_subprocess("--db", str(path), "db", "vacuum").code == 0
    assert "nothing to migrate" in run_subprocess("--db", str(path), "db", "migrate").out


# -- 4. wildcards in user text -------------------------------------------------------------
def test_device_catalog_takes_wildcards_literally(cli: Any) -> None:
    pack = shared_path("definition-pack")

    def total(*text: str) -> int:
        result = cli("--pack", pack, "--json", "device", "catalog", *text)
        assert result.code == 0, result.err
        return int(result.json()["data"]["total"])

    everything = total()
    assert everything > 600
    for text in ("%", "_", "%%", "\\", "%_%"):
        assert total(text) == 0, text
    assert 0 < total("rg-35xx") == total("rg35xx") < everything
    assert total("rg35xx", "%") == 0
    assert total("rg%") == total("rg") < everything  # punctuation dropped, not a wildcard


# -- 5. bios import-dat takes DATs that list firmware --------------------------------------
def test_bios_import_dat_refuses_a_game_dat_renamed_system(cli: Any, db_path: Path,
                                                           tmp_path: Path) -> None:
    game_dat = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    renamed = tmp_path / "System.dat"
    renamed.write_text(game_dat.read_text().replace('name "Nintendo - Game Boy"',
                                                    'name "System"', 1)
                       .replace('description "Nintendo - Game Boy"', 'description "System"', 1))
    error = one_line_error(cli("bios", "import-dat", renamed))
    assert str(renamed) in error and "'System' does not list BIOS files" in error
    assert "0 of 2,254 entries look like firmware" in error and "dat import" in error
    # a disc DAT: .bin files, but every one a game with its region
    discs = tmp_path / "discs.dat"
    discs.write_text('clrmamepro (\n\tname "System"\n)\n' + "".join(
        f'game (\n\tname "Game {n} (Japan)"\n\trom ( name "Game {n} (Japan) (Track 1).bin" '
        f'size 4 crc 0000000{n} )\n)\n' for n in range(5)))
    assert "0 of 5 entries" in one_line_error(cli("bios", "import-dat", discs))
    assert not db_path.exists() or Database(db_path).scalar(
        "SELECT count(*) FROM bios_extra_hashes") == 0


def test_bios_import_dat_takes_firmware_lists(cli: Any, db_path: Path, tmp_path: Path) -> None:
    system = shared_path("dats", "system", "System.dat")
    result = cli("--json", "bios", "import-dat", system)
    assert result.code == 0, result.err
    assert result.json()["data"]["rows"] == 516
    no_intro = tmp_path / "bios.dat"  # No-Intro's own BIOS naming, region tags and all
    no_intro.write_text('clrmamepro (\n\tname "System"\n)\ngame (\n\tname "System"\n'
                        '\tcomment "Nintendo - Game Boy Advance"\n'
                        '\trom ( name "[BIOS] Game Boy Advance (World).gba" size 16384 '
                        'crc 81977335 )\n\trom ( name "gba_bios.bin" size 16384 crc 81977335 )\n'
                        '\trom ( name "Tetris (World).gb" size 32768 crc 46DF91AD )\n)\n')
    result = cli("--json", "bios", "import-dat", no_intro)
    assert result.code == 0, result.err
    assert result.json()["data"]["rows"] == 3


def test_a_full_dat_replaces_a_small_one_of_the_same_name(cli: Any, db_path: Path,
                                                          tmp_path: Path) -> None:
    """qa206 F6: the real 3,691-game GBA DAT was refused as "more than half of the games
    removed" after a 1-game DAT of the same name (the demo's): a cut file has fewer games."""
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    small = tmp_path / "small.dat"
    small.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "example"\n)\n\n'
                     'game (\n\tname "Not In The Real One (World)"\n\trom ( name '
                     '"Not In The Real One (World).gb" size 32768 crc 0badf00d )\n)\n')
    assert cli("dat", "import", small).code == 0
    result = cli("--json", "dat", "import", real)
    assert result.code == 0, result.err
    (imported,) = result.json()["data"]["imports"]
    assert imported["games"] > 2000 and imported["games_removed"] == 1, imported
    assert catalog_rows(db_path)[0][2] == imported["games"]


def test_a_cut_dat_of_more_games_than_a_filtered_one_is_still_refused(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """review52g F4: a newer full DAT cut at a game boundary replaced an older filtered one of
    the same name (fewer games) since it had as many games or more: 448 of 749 removed."""
    real = shared_path("dats", "no-intro", "Nintendo - Game Boy.dat")
    text = real.read_text(encoding="utf-8")
    head, *games = text.split("\ngame (")
    filtered = tmp_path / "filtered.dat"
    filtered.write_text(head + "".join("\ngame (" + game for game in games[::3]),
                        encoding="utf-8")
    assert cli("dat", "import", filtered).code == 0
    before = catalog_rows(db_path)
    cut = tmp_path / "cut.dat"
    kept = [game for index, game in enumerate(games) if index % 3][:1000]  # none of the old
    cut.write_text((head + "".join("\ngame (" + game for game in kept)).replace(
        'version "2026.08.01"', 'version "2026.09.01"'), encoding="utf-8")
    error = one_line_error(cli("dat", "import", cut))
    assert "more than half" in error and "--force" in error, error
    assert catalog_rows(db_path) == before
