"""`db migrate` says what it did beyond the schema: the cache it emptied (by design, with how
to refill it) and the overrides of deleted profiles it moved to orphaned_overrides (QA6 B-7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_migrations import build_old, fill_user_rows

EMPTIED = ("the cache was emptied (4 rows of emulator knowledge: derived data this upgrade "
           "drops by design); `romrunner cache import FILE…` fills it again from the "
           "emulators' files")
MOVED = ("2 overrides of deleted device profiles were moved to the table orphaned_overrides "
         "(kept, not applied)")


def old_database(path: Path, version: int) -> Path:
    db = build_old(path, version)
    fill_user_rows(db, with_v101_caches=version == 2)
    db.close()
    return path


def test_migrate_from_v1_says_it_emptied_the_cache_and_moved_overrides(
        cli: Any, tmp_path: Path) -> None:
    db = old_database(tmp_path / "old.db", 1)
    text = cli("--db", db, "db", "migrate")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert EMPTIED in lines and MOVED in lines

    again = old_database(tmp_path / "again.db", 1)
    document = cli("--db", again, "--json", "db", "migrate").json()
    assert document["ok"] is True
    data = document["data"]
    assert data["cache_rows_dropped"] == 4 and data["orphaned_overrides"] == 2
    assert data["side_effects"] == [EMPTIED, MOVED]


def test_migrate_from_v2_keeps_the_cache_and_says_only_what_moved(
        cli: Any, tmp_path: Path) -> None:
    db = old_database(tmp_path / "old.db", 2)
    data = cli("--db", db, "--json", "db", "migrate").json()["data"]
    assert data["cache_rows_dropped"] == 0 and data["side_effects"] == [MOVED]


def test_a_command_that_migrates_on_its_way_says_it_too(cli: Any, tmp_path: Path) -> None:
    db = old_database(tmp_path / "old.db", 1)
    result = cli("--db", db, "--json", "collection", "create", "Couch")
    assert result.code == 0, result.err
    warnings = result.json()["warnings"]
    assert warnings[0].startswith(f"migrated {db} from schema version 1 to ")
    assert EMPTIED in warnings and MOVED in warnings


def test_an_up_to_date_database_says_nothing_more(cli: Any, tmp_path: Path) -> None:
    assert cli("db", "init").code == 0
    data = cli("--json", "db", "migrate").json()["data"]
    assert data["side_effects"] == [] and data["orphaned_overrides"] == 0


def test_migrate_names_the_catalogs_an_earlier_reader_read(cli: Any, tmp_path: Path) -> None:
    """QA60 F1 addendum: nothing said that the arcade DATs had to be imported again after the
    upgrade (their sets were "incomplete" meanwhile)."""
    db = build_old(tmp_path / "old.db", 26)
    with db.atomic():
        db.execute("INSERT INTO catalog_sources (name, platform_id, format, path, file_sha1) "
                   "VALUES ('MAME', 'arcade', 'logiqx', '/dats/mame.xml', 'ab')")
    db.close()
    data = cli("--db", tmp_path / "old.db", "--json", "db", "migrate").json()["data"]
    assert [line for line in data["side_effects"] if "read by an earlier release" in line] == [
        "1 DAT catalog was read by an earlier release: import each file again (`romrunner dat "
        "ls` names them); this release reads an arcade set's BIOS set and CHD, and a game "
        "listed once per dump as any of its dumps; until then no set of 1 of them is judged "
        "incomplete"]
    assert data["catalogs_to_read_again"] == 1
    listed = cli("--db", tmp_path / "old.db", "dat", "ls").out
    assert "`romrunner dat import /dats/mame.xml` reads it again" in listed, listed


def test_dat_ls_gives_no_command_of_a_relative_path_an_earlier_release_recorded(
        cli: Any, tmp_path: Path) -> None:
    """qa179 F6: an earlier release recorded a DAT's path as typed (`mydats/x.dat`); after
    the upgrade `dat ls` gave `romrunner dat import 'mydats/x.dat'` as the way to read it
    again, "no such file" from any other folder."""
    db = build_old(tmp_path / "old.db", 26)
    with db.atomic():
        db.execute("INSERT INTO catalog_sources (name, platform_id, format, path, file_sha1) "
                   "VALUES ('GB', 'gb', 'logiqx', 'mydats/gb (1).dat', 'ab')")
    db.close()
    assert cli("--db", tmp_path / "old.db", "db", "migrate").code == 0
    listed = cli("--db", tmp_path / "old.db", "dat", "ls").out
    assert "`romrunner dat import 'mydats/gb (1).dat'`" not in listed, listed
    assert ("importing it again reads it anew (recorded as 'mydats/gb (1).dat', relative to "
            "the folder it was imported from: give `romrunner dat import` its full path)") \
        in " ".join(listed.split()), listed
