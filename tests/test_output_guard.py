"""A file ROM Runner writes at a path the user names (`dat fixdat -o`, `db backup`) never
lands on the database, its side files, the library or a stored BIOS file, --force or not
(QA28 F12: a fixdat written over the database, and over a ROM). Real files, the real CLI."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def setup(cli: Any, tmp_path: Path, db_path: Path) -> dict[str, Path]:
    roms = tmp_path / "roms" / "GB"
    roms.mkdir(parents=True)
    game = roms / "Have (USA).gb"
    game.write_bytes(b"\x11" * 4096)
    missing = b"\x22" * 4096
    dat = tmp_path / "gb.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
        f'game (\n\tname "Lack (USA)"\n\trom ( name "Lack (USA).gb" size {len(missing)} '
        f'crc {zlib.crc32(missing):08X} sha1 {hashlib.sha1(missing).hexdigest()} )\n)\n')
    bios = tmp_path / "bios"
    bios.mkdir()
    (bios / "gb_bios.bin").write_bytes(b"\x33" * 256)
    for args in (("library", "add", tmp_path / "roms"), ("dat", "import", dat),
                 ("scan", "--workers", "1"), ("bios", "scan", bios)):
        assert cli(*args).code == 0, args
    return {"game": game, "bios": bios / "gb_bios.bin", "db": db_path, "roms": roms}


def test_a_fixdat_never_replaces_the_database_a_rom_or_a_bios(
        cli: Any, setup: dict[str, Path]) -> None:
    for target, said in ((setup["db"], "is the database itself"),
                         (setup["db"].with_name(setup["db"].name + "-wal"),
                          "is the database's wal file"),
                         (setup["game"], "inside the library root"),
                         (setup["roms"] / "new.dat", "inside the library root"),
                         (setup["bios"], "is a BIOS file of yours")):
        before = target.read_bytes() if target.exists() else None
        result = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", target, "--force")
        assert result.code == 2 and said in result.err, (target, result.err)
        assert (target.read_bytes() if target.exists() else None) == before
    assert cli("games", "ls").code == 0  # the database is whole


def test_a_backup_never_lands_on_the_databases_side_files_or_in_the_library(
        cli: Any, setup: dict[str, Path]) -> None:
    for target, said in ((setup["db"].with_name(setup["db"].name + "-wal"),
                          "is the database's wal file"),
                         (setup["db"].with_name(setup["db"].name + "-journal"),
                          "is the database's journal file"),
                         (setup["roms"] / "ast.gb", "inside the library root"),
                         (setup["roms"].parent, "is the library root")):
        result = cli("db", "backup", target, "--force")
        assert result.code == 2 and said in result.err, (target, result.err)
    assert sorted(p.name for p in setup["roms"].iterdir()) == ["Have (USA).gb"]
    assert not setup["db"].with_name(setup["db"].name + "-journal").exists()


def test_a_backup_or_fixdat_never_lands_in_a_bios_folder(
        cli: Any, setup: dict[str, Path]) -> None:
    """qa206 F7: `db backup BIOSFOLDER/` wrote into the folder `bios scan` read, and its next
    scan counted the backup an unknown BIOS file."""
    folder = setup["bios"].parent
    # (and a folder below it, which a scan of it reads: review52h F2)
    for args in (("db", "backup", f"{folder}/"), ("db", "backup", folder / "rr.db"),
                 ("db", "backup", f"{folder}/old/"),
                 ("dat", "fixdat", "Nintendo - Game Boy", "-o", folder / "fix.dat")):
        result = cli(*args)
        assert result.code == 2 and "a BIOS folder of yours" in result.err, (args, result.err)
    assert sorted(p.name for p in folder.iterdir()) == ["gb_bios.bin"]
    elsewhere = folder.parent / "backups"
    assert cli("db", "backup", f"{elsewhere}/").code == 0
    # the folder around the BIOS folder is none (a scan of the BIOS folder does not read it)
    assert cli("db", "backup", folder.parent / "rr.db").code == 0


def test_a_bios_folder_of_many_files_in_a_subfolder_is_still_one(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """review52h F3: only the first 1,000 stored paths under the folder were read: a subfolder
    sorting first with more (RetroArch's system/dolphin-emu/Sys) hid the folder's own files."""
    system = tmp_path / "system"
    (system / "a-many").mkdir(parents=True)
    for number in range(1005):
        (system / "a-many" / f"f{number:04}.bin").write_bytes(b"\x01")
    (system / "scph1001.bin").write_bytes(b"\x02" * 64)
    assert cli("bios", "scan", system).code == 0
    refused = cli("db", "backup", system / "rr.db")
    assert refused.code == 2 and "a BIOS folder of yours" in refused.err, refused.err


@pytest.mark.parametrize("version", [2, 13])
def test_a_backup_of_an_older_schema_is_written_and_still_kept_out_of_its_roots(
        cli: Any, tmp_path: Path, db_path: Path, version: int) -> None:
    """`db backup` is what a user runs before `db migrate`: the library check reads the
    roots of any schema version (schema 2 has no library_roots table)."""
    from romrunner.store import Database
    from romrunner.store.migrate import migrate
    roots = tmp_path / "roms"
    roots.mkdir()
    db = Database(db_path)
    migrate(db, target=version)
    if version >= 3:
        db.execute("INSERT INTO library_roots (path) VALUES (?)", (str(roots),))
    db.close()
    written = cli("db", "backup", tmp_path / "backup.db")
    assert written.code == 0, written.err
    if version >= 3:
        inside = cli("db", "backup", roots / "x.db")
        assert inside.code == 2 and "is inside the library root" in inside.err


def test_the_writer_lock_is_no_destination_of_a_fixdat_or_a_backup(
        cli: Any, setup: dict[str, Path]) -> None:
    """QA70 F1: `db backup DB.lock --force` wrote the backup there (the next writer truncated
    it: a 0-byte backup); `dat fixdat -o DB.lock --force` replaced the lock by a rename (a
    writer holding the old one no longer kept a second one out)."""
    lock = setup["db"].with_name(setup["db"].name + ".lock")
    assert cli("collection", "create", "c1").code == 0  # (a writer made the lock file)
    before = lock.stat()
    for args in (("db", "backup", lock, "--force"),
                 ("dat", "fixdat", "Nintendo - Game Boy", "-o", lock, "--force")):
        result = cli(*args)
        assert result.code == 2 and "writer lock file" in result.err, (args, result.err)
    after = lock.stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)


def test_a_fixdat_names_a_folder_as_such_and_never_writes_a_folders_name_as_a_file(
        cli: Any, setup: dict[str, Path], tmp_path: Path) -> None:
    """QA70 F2: an existing folder was "already exists (use --force)", then refused with
    --force; "NEW/" wrote a file named NEW; the database was "give … a folder"."""
    folder = tmp_path / "out"
    folder.mkdir()
    for target in (folder, f"{folder}/", f"{tmp_path / 'new'}/", f"{tmp_path / 'new'}/.",
                   f"{tmp_path / 'new'}/.."):  # (review 33 R5: "NEW/." wrote a file NEW)
        result = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", target)
        assert result.code == 2 and "folder" in result.err and "--force" not in result.err, \
            (target, result.err)
    assert not (tmp_path / "new").exists() and list(folder.iterdir()) == []
    refused = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", setup["db"], "--force")
    assert refused.code == 2 and "or a folder" not in refused.err, refused.err


def test_a_backup_to_a_name_ending_in_a_dot_makes_a_folder(
        cli: Any, setup: dict[str, Path], tmp_path: Path) -> None:
    """Review 33 R5: `db backup BK/` made a folder, `db backup BK/.` a file named BK."""
    for given, folder in ((f"{tmp_path / 'bk'}/.", tmp_path / "bk"),
                          (f"{tmp_path / 'bk2'}/", tmp_path / "bk2")):
        assert cli("db", "backup", given).code == 0
        assert folder.is_dir() and len(list(folder.glob("romrunner-*.db"))) == 1, given


def test_a_fixdat_never_replaces_a_device_a_pipe_or_a_link(
        cli: Any, setup: dict[str, Path], tmp_path: Path) -> None:
    """QA72 F5: `dat fixdat -o X --force` replaced a pipe, a link (and /dev/null) by a
    regular file; `db backup` refused them."""
    import os
    pipe, link, target = tmp_path / "pipe", tmp_path / "link", tmp_path / "target.txt"
    os.mkfifo(pipe)
    target.write_text("mine")
    link.symlink_to(target)
    for dest in (pipe, link):
        result = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", dest, "--force")
        assert result.code == 2 and "not a regular file" in result.err, (dest, result.err)
    assert pipe.is_fifo() and link.is_symlink() and target.read_text() == "mine"
