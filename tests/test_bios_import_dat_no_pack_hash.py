"""`bios import-dat`: a DAT row under the name of a pack entry that lists no hash (qa206 F5:
the real pack's CD-i `cdimono1.zip`) was a conflict "md5 … is not a hash the pack lists; the
pack's stand" — of an entry that lists none. It is said for what it is: the pack gives the
entry no hash, a file of that name is accepted unchecked, the DAT's hash is not used; in
--json under `no_pack_hash`, not among the conflicts. A row under the name of an entry that
does list hashes stays a conflict, worded whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from romrunner.packs.loader import builtin_pack_path
from tests.test_bios import entry, known, system_dat_text


def _pack_and_dat(tmp_path: Path) -> tuple[Path, Path]:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    entries = [entry("cdi-bios", "cdimono1.zip", "cdi", None, []),
               entry("psx-us", "scph5501.bin", "psx", 64, [known(b"\x01" * 64)])]
    (pack / "bios-hashes.json").write_text(json.dumps({"version": "t", "biosFiles": entries}))
    dat = tmp_path / "System.dat"
    dat.write_text(system_dat_text([
        ("Philips - CD-i", "cdimono1.zip", b"\x07" * 100, {}),
        ("Sony - PlayStation", "scph5501.bin", b"\x02" * 64, {}),
    ]))
    return pack, dat


def test_a_row_for_an_entry_without_hashes_is_no_conflict(cli: Any, tmp_path: Path) -> None:
    pack, dat = _pack_and_dat(tmp_path)
    text = cli("--pack", pack, "bios", "import-dat", dat)
    assert text.code == 0, text.err
    out = " ".join(text.out.split())
    assert "1 conflict (the pack's entries stand), 1 row for pack entries that list no hash" \
        in out
    assert "no pack hash: cdimono1.zip (pack entry cdi-bios): the pack lists no hash for it: " \
        "a file of this name is accepted unchecked (the DAT's md5 " in out
    assert "not a hash the pack lists" not in out and "the pack's stand" not in out
    assert "conflict: scph5501.bin vs pack entry psx-us: another dump under the pack's name: " \
        "its md5 " in out and "is none of the pack's hashes (the pack's hashes stand" in out

    data = cli("--pack", pack, "--json", "bios", "import-dat", dat).json()["data"]
    assert [(c["name"], c["kind"]) for c in data["conflicts"]] == [
        ("scph5501.bin", "other-dump")]
    assert [(c["name"], c["entry"], c["kind"]) for c in data["no_pack_hash"]] == [
        ("cdimono1.zip", "cdi-bios", "no-pack-hash")]


def test_a_file_of_that_name_is_still_accepted(cli: Any, tmp_path: Path) -> None:
    """What the line says stays true: the DAT's hash does not make the entry checked."""
    pack, dat = _pack_and_dat(tmp_path)
    cli("--pack", pack, "bios", "import-dat", dat)
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "cdimono1.zip").write_bytes(b"not the DAT's bytes")
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    check = cli("--pack", pack, "--json", "bios", "check", "--platform", "cdi").json()["data"]
    assert [group["status"] for group in check["groups"]] == ["satisfied"]


def test_the_same_rows_again_are_unchanged(cli: Any, tmp_path: Path, db_path: Path) -> None:
    """qa206 F5 (also): a re-import of the same System.dat printed every line again and never
    said "unchanged", as `dat import` does; a copy elsewhere is the same rows too."""
    import sqlite3
    pack, dat = _pack_and_dat(tmp_path)
    first = cli("--pack", pack, "--json", "bios", "import-dat", dat).json()["data"]
    assert first["unchanged"] is False
    ids = sqlite3.connect(db_path).execute("SELECT id FROM bios_extra_hashes").fetchall()
    again = cli("--pack", pack, "bios", "import-dat", dat)
    assert again.code == 0, again.err
    assert " ".join(again.out.split()).startswith(
        "System test-1: unchanged (the 2 rows of its last import); 0 extra entries")
    copy = tmp_path / "copy.dat"
    copy.write_bytes(dat.read_bytes())
    assert cli("--pack", pack, "--json", "bios", "import-dat", copy).json()["data"][
        "unchanged"] is True
    assert sqlite3.connect(db_path).execute(
        "SELECT id FROM bios_extra_hashes").fetchall() == ids  # nothing written
    dat.write_text(system_dat_text([("Philips - CD-i", "cdimono1.zip", b"\x08" * 100, {})]))
    changed = cli("--pack", pack, "--json", "bios", "import-dat", dat).json()["data"]
    assert (changed["unchanged"], changed["rows"]) == (False, 1)
    assert sqlite3.connect(db_path).execute(
        "SELECT count(*) FROM bios_extra_hashes").fetchone()[0] == 1
