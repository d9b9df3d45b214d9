"""A file under a name System.dat gives is checked against that DAT entry (QA11 N5).

Before: a System.dat row sharing its dump with a pack entry (``BIOS.col`` is the pack's
``coleco.rom``, ``scph9002(7502).bin`` its SCPH-7002/7502/9002 dump, ``sgb1.program.rom`` its
``sgb1.sfc``) only filled that entry's hashes; its name was dropped, so a wrong file under it
was "unknown (no known BIOS has its hashes or name)", and with core info imported ``BIOS.col``
became a presence-only entry although System.dat gives its hashes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from romrunner.bios.known import merge_known_bios, read_bios_dat
from romrunner.bios.verify import verify
from romrunner.library.hashing import Hashes
from romrunner.packs import load_pack
from tests.conftest import shared_path

NAMED = {"BIOS.col": ("colecovision", 8192), "scph9002(7502).bin": ("psx", 524288),
         "sgb1.program.rom": ("snes", 262144)}


def test_every_name_system_dat_gives_is_known_to_the_merged_bios() -> None:
    pack = load_pack(shared_path("definition-pack"))
    _, rows, _ = read_bios_dat(shared_path("dats", "system", "System.dat"), pack)
    index = merge_known_bios(pack, rows).index
    unknown = []
    for row in rows:
        size = row.size or 1024
        wrong = Hashes(size, "00000000", "0" * 32, "0" * 40)  # no dump has these
        if {v.status for v in verify(index, wrong, row.basename)} == {"unknown"}:
            unknown.append(row.name)
    assert not unknown, unknown


def test_bios_scan_checks_a_file_under_a_system_dat_name_against_its_entry(
        cli: Any, tmp_path: Path) -> None:
    pack = shared_path("definition-pack")
    assert cli("--pack", pack, "bios", "import-dat",
               shared_path("dats", "system", "System.dat")).code == 0
    # smsplus names BIOS.col (on its first database's platform, Game Gear): it joins the
    # entry with the hashes, no presence-only entry of its own
    assert cli("--pack", pack, "cache", "import", shared_path(
        "knowledge", "libretro-core-info", "smsplus_libretro.info")).code == 0
    folder = tmp_path / "bios"
    (folder / "small").mkdir(parents=True)
    for name, (_, size) in NAMED.items():
        (folder / name).write_bytes(os.urandom(size))
        (folder / "small" / name).write_bytes(os.urandom(100))
    result = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert result.code == 0, result.err
    files = {item["relative"]: item for item in result.json()["data"]["files"]}
    for name, (platform, size) in NAMED.items():
        for where, status in ((name, "wrong_hash"), (f"small/{name}", "wrong_size")):
            item = files[where]
            assert item["status"] == status, (where, item)
            assert item["entries"] and {e["platform_id"] for e in item["entries"]} == {
                platform}, item
            assert {e["file_size"] for e in item["entries"]} == {size}, item
    assert [e["entry"] for e in files["BIOS.col"]["entries"]] == ["coleco-bios"]
    text = cli("--pack", pack, "bios", "scan", folder)
    assert text.code == 0 and "no known BIOS has its" not in text.out, text.out


def test_system_dat_files_the_pack_takes_for_other_names_of_one_bios_are_kept_apart() -> None:
    """QA129 F2: the real pack lists NP2kai's font.bmp, itf.rom and sound.rom as other names
    of its PC-98 bios.rom; System.dat's rows for them (other sizes: other files) were
    dropped, "the pack's stand", and any file of those names then went on the card."""
    pack = load_pack(shared_path("definition-pack"))
    (pc98,) = [entry for entry in pack.bios if "font.bmp" in entry.alternate_filenames]
    _, rows, _ = read_bios_dat(shared_path("dats", "system", "System.dat"), pack)
    merged = merge_known_bios(pack, rows)
    assert not [c for c in merged.conflicts if c.name.endswith(("font.bmp", "sound.rom"))]
    for row in rows:
        if row.basename in ("font.bmp", "itf.rom", "sound.rom") and row.size != pc98.file_size:
            junk = Hashes(row.size or 1, "00000000", "0" * 32, "0" * 40)
            statuses = {v.status for v in verify(merged.index, junk, row.basename)}
            assert "presence_only" not in statuses and statuses & {"wrong_hash"}, (
                row.name, statuses)


def test_a_file_of_a_bios_entrys_other_name_and_size_listed_beside_its_own_is_kept_apart(
        cli: Any, tmp_path: Path) -> None:
    """Review 131 F2: System.dat's keropi section lists iplrom.dat and iplrom30.dat (the
    X68030's IPL, of the same size), which the pack takes for another name of its
    iplrom.dat; the row was dropped "the pack's stand", and with the px68k .info imported any
    131,072-byte file of that name was presence-only, "satisfied", and deployed."""
    pack = load_pack(shared_path("definition-pack"))
    (x68k,) = [entry for entry in pack.bios if "iplrom30.dat" in entry.alternate_filenames]
    _, rows, _ = read_bios_dat(shared_path("dats", "system", "System.dat"), pack)
    (row,) = [row for row in rows if row.basename == "iplrom30.dat"]
    assert row.size == x68k.file_size  # (the size alone does not tell them apart)
    merged = merge_known_bios(pack, rows)
    assert not [c for c in merged.conflicts if c.name.endswith("iplrom30.dat")]
    junk = Hashes(row.size or 1, "00000000", "0" * 32, "0" * 40)
    assert {v.status for v in verify(merged.index, junk, "iplrom30.dat")} == {"wrong_hash"}
    packdir = shared_path("definition-pack")
    for args in (("bios", "import-dat", shared_path("dats", "system", "System.dat")),
                 ("cache", "import", shared_path("knowledge", "libretro-core-info",
                                                 "px68k_libretro.info"))):
        assert cli("--pack", packdir, *args).code == 0, args
    folder = tmp_path / "bios" / "keropi"
    folder.mkdir(parents=True)
    (folder / "iplrom30.dat").write_bytes(os.urandom(row.size or 1))
    result = cli("--pack", packdir, "--json", "bios", "scan", folder.parent)
    assert result.code == 0, result.err
    (item,) = result.json()["data"]["files"]
    assert item["status"] == "wrong_hash", item
