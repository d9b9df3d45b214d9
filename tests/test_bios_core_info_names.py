"""A firmware name several libretro cores give: one entry, one verdict per entry, no crash.

Before: two cores whose guessed platforms differed (SkyEmu: nds, VBA-M: gb) each added a
presence-only ``libretro-info:gba_bios.bin`` entry, two entries with one id, so a wrong
``gba_bios.bin`` got two verdicts for that id and ``bios scan`` died on the UNIQUE key.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from romrunner.bios import scan as bios_scan
from romrunner.bios.known import CoreFirmware, KnownBios, merge_core_firmware
from romrunner.packs import load_pack
from romrunner.packs.loader import builtin_pack_path
from romrunner.packs.model import BiosEntry
from tests.conftest import real_pack_profile, shared_path

# The names two or more cores give that the pack (or System.dat) has on another platform
# than the cores' first database, with the size the pack or System.dat gives them.
AFFECTED = {"gba_bios.bin": 16384, "bios_CD_U.bin": 131072, "bios_CD_E.bin": 131072,
            "bios_CD_J.bin": 131072, "cgb_boot.bin": 2304, "gbc_bios.bin": 2304}


def _random_files(folder: Path, sizes: dict[str, int]) -> None:
    folder.mkdir(parents=True)
    for name, size in sizes.items():
        (folder / name).write_bytes(os.urandom(size))


def test_every_core_info_and_system_dat_then_scan_gives_one_verdict_per_entry(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    pack = shared_path("definition-pack")
    dat = shared_path("dats", "system", "System.dat")
    info = shared_path("knowledge", "libretro-core-info")
    assert cli("--pack", pack, "cache", "import", *sorted(info.glob("*.info"))).code in (0, 1)
    assert cli("--pack", pack, "bios", "import-dat", dat).code == 0
    folder = tmp_path / "bios"
    _random_files(folder / "real-size", AFFECTED)               # a wrong dump of the right size
    _random_files(folder / "random", dict.fromkeys(AFFECTED, 1000))   # not even the size
    result = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert result.code == 0, result.err
    files = {item["relative"]: item for item in result.json()["data"]["files"]}
    assert len(files) == 2 * len(AFFECTED)
    for name, size in AFFECTED.items():
        for where, status in (("real-size", "wrong_hash"), ("random", "wrong_size")):
            item = files[f"{where}/{name}"]
            ids = [e["entry"] for e in item["entries"]]
            assert len(ids) == len(set(ids)), (name, ids)
            # the entries with the hashes, not a presence-only one a core's name made
            assert ids and not any(i.startswith("libretro-info:") for i in ids), (name, ids)
            assert {e["file_size"] for e in item["entries"]} == {size}, name
            assert item["status"] == status and {e["status"] for e in item["entries"]} == {
                status}, (name, item)
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute("SELECT count(DISTINCT bios_file_id) FROM bios_verification "
                              "WHERE status IN ('wrong_hash', 'wrong_size')").fetchone()[0]
    assert stored == 2 * len(AFFECTED)
    text = cli("--pack", pack, "bios", "scan", folder)
    assert text.code == 0 and "internal error" not in text.err
    assert "real-size/gba_bios.bin: wrong_hash (not a known dump of gba-bios)" in text.out
    # the cores joined the pack's entries: a wrong GBA BIOS is VBA-M's problem, not satisfied
    vbam = cli("--pack", pack, "--json", "bios", "check", "--emulator", "vbam")
    groups = vbam.json()["data"]["groups"]
    gba = [g for g in groups if any(e["id"] == "gba-bios" for e in g["one_of"])]
    assert gba and gba[0]["status"] != "satisfied" and gba[0]["problems"]


def _entry(entry_id: str, filename: str, platform: str) -> BiosEntry:
    return BiosEntry(id=entry_id, name=entry_id, filename=filename, platform_id=platform,
                     required=True, hle_fallback=False, known_hashes=())


def test_a_core_name_known_on_another_platform_joins_that_entry() -> None:
    gba = _entry("gba-bios", "gba_bios.bin", "gba")
    firmware = [CoreFirmware("skyemu", "gba_bios.bin", True, "nds"),
                CoreFirmware("vbam", "gba_bios.bin", True, "gb"),
                CoreFirmware("mgba", "gba_bios.bin", True, "gba"),
                CoreFirmware("gambatte", "dmg_boot.bin", True, "gb"),
                CoreFirmware("mesen-s", "dmg_boot.bin", False, "snes")]
    merged = merge_core_firmware([gba], firmware)
    assert [e.id for e in merged] == ["gba-bios", "libretro-info:dmg_boot.bin"]
    assert merged[0].optional_for_emulators == ("skyemu", "vbam", "mgba")
    assert merged[1].platform_id == "gb"   # the first core's; both cores on the one entry
    assert merged[1].optional_for_emulators == ("gambatte",)
    assert merged[1].required_for_emulators == ("mesen-s",)


def _dat(rows: list[tuple[str, str, bytes]]) -> str:
    lines = ['clrmamepro (\n\tname "System"\n\tversion "t"\n)\n', 'game (\n\tname "System"']
    for comment, name, data in rows:
        lines.append(f'\tcomment "{comment}"')
        lines.append(f'\trom ( name "{name}" size {len(data)} crc {zlib.crc32(data):08X} '
                     f'md5 {hashlib.md5(data).hexdigest()} '
                     f'sha1 {hashlib.sha1(data).hexdigest()} )')
    return "\n".join(lines) + "\n)\n"


def test_two_dumps_under_one_name_in_a_bios_dat_are_two_entries(
        cli: Any, tmp_path: Path) -> None:
    one, two = b"\x01" * 64, b"\x02" * 64
    dat = tmp_path / "System.dat"
    dat.write_text(_dat([("Sega - Dreamcast", "dc/x_boot.bin", one),
                         ("Sega - Dreamcast", "dc/x_boot.bin", two)]))
    assert cli("bios", "import-dat", dat).code == 0
    folder = tmp_path / "bios"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "x_boot.bin").write_bytes(os.urandom(64))
    (folder / "b" / "x_boot.bin").write_bytes(two)
    result = cli("--json", "bios", "scan", folder)
    assert result.code == 0, result.err
    files = {item["relative"]: item for item in result.json()["data"]["files"]}
    ids = [e["entry"] for e in files["a/x_boot.bin"]["entries"]]
    assert len(ids) == 2 and len(set(ids)) == 2 and files["a/x_boot.bin"]["status"] == \
        "wrong_hash"
    assert files["b/x_boot.bin"]["status"] == "exact_match"


def test_entries_sharing_an_id_stop_the_scan_naming_the_file_not_an_internal_error(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack(builtin_pack_path())
    twin = _entry("twin", "twin.bin", "gba")

    def known(db: Any, pack_: Any) -> KnownBios:  # a merge that went wrong
        return KnownBios(pack.index, [twin, replace(twin, platform_id="nds")])

    monkeypatch.setattr(bios_scan, "known_bios", known)
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "twin.bin").write_bytes(b"x")
    assert cli("db", "init").code == 0
    result = cli("bios", "scan", folder)
    assert result.code == 2 and "internal error" not in result.err
    assert result.err.startswith(f"error: {folder / 'twin.bin'}: two verdicts for BIOS entry "
                                 "'twin' (two known entries share that id, a bug)"), result.err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM bios_files").fetchone()[0] == 0


def _check(cli: Any, platform: str) -> dict[str, dict[str, Any]]:
    """`bios check --platform` with the real pack: entry id -> its JSON."""
    found = cli("--pack", shared_path("definition-pack"), "--json", "bios", "check",
                "--platform", platform)
    return {entry["id"]: entry for group in found.json()["data"]["groups"]
            for entry in group["one_of"]}


def test_a_core_info_places_the_pack_entry_of_its_core_where_the_core_reads_it(
        cli: Any, tmp_path: Path) -> None:
    """QA55 F1, F8, F11: the pack puts the PC-98 BIOS at `np2/bios.rom` (NP2kai reads
    `np2kai/bios.rom`: its .info says so), writes X Millennium's `IPLROM.X1` lower-case, and
    lists NP2kai's `font.bmp` and `itf.rom` as other names of `bios.rom`. Once the cores'
    .info files are imported, they place the entries; the pack's names stay accepted."""
    pack = shared_path("definition-pack")
    assert cli("--pack", pack, "db", "init").code == 0
    before = _check(cli, "pc-98")["pc98-bios"]
    assert (before["destination"], before["filename"]) != ("np2kai", "bios.rom")
    info = shared_path("knowledge", "libretro-core-info")
    imported = cli("--pack", pack, "cache", "import", info / "np2kai_libretro.info",
                   info / "x1_libretro.info")
    assert imported.code == 0, imported.err
    pc98 = _check(cli, "pc-98")
    assert (pc98["pc98-bios"]["destination"], pc98["pc98-bios"]["filename"]) == (
        "np2kai", "bios.rom")
    assert pc98["libretro-info:np2kai/font.bmp"]["destination"] == "np2kai"
    # X Millennium is `xmil` in the pack, `x1` in its .info: its own folder says it is its
    # core, and a case-sensitive card finds only the .info's spelling
    x1 = _check(cli, "sharp-x1")["sharp-x1-iplrom"]
    assert (x1["destination"], x1["filename"]) == ("xmil", "IPLROM.X1"), x1
    # The player's own font is that file, not a bad copy of the BIOS.
    folder = tmp_path / "bios"
    _random_files(folder, {"font.bmp": 4096})
    scanned = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert scanned.code == 0, scanned.err
    [font] = scanned.json()["data"]["files"]
    assert "wrong_hash" not in {match["status"] for match in font["entries"]}, font


def test_a_core_info_places_only_the_entries_whose_one_core_it_is() -> None:
    """QA58 F1: an entry with two names folding alike (`pgm.zip`, `PGM.ZIP`) was joined twice
    by FBNeo's .info, the second time as if FBNeo were its own core, and moved to `fbneo/`
    where the OS's MAME core does not read it; an entry of two cores (neogeo.zip: fbneo and
    fbalpha2012) is read by the other where the pack puts it."""
    pgm = replace(_entry("arcade-bios-pgm", "pgm.zip", "arcade"),
                  alternate_filenames=("PGM.ZIP",),
                  optional_for_emulators=("mame", "mame2003-plus"))
    neogeo = replace(_entry("neogeo-bios", "neogeo.zip", "neogeo"),
                     required_for_emulators=("fbneo", "fbalpha2012"))
    x68k = replace(_entry("x68000-bios", "iplrom.dat", "x68000"),
                   required_for_emulators=("px68k",))
    merged = {e.id: e for e in merge_core_firmware([pgm, neogeo, x68k], [
        CoreFirmware("fbneo", "fbneo/pgm.zip", True, "arcade"),
        CoreFirmware("fbneo", "fbneo/neogeo.zip", False, "arcade"),
        CoreFirmware("px68k", "keropi/iplrom.dat", False, "x68000")])}
    assert (merged["arcade-bios-pgm"].filename,
            merged["arcade-bios-pgm"].bios_subdirectory) == ("pgm.zip", None)
    assert "fbneo" in merged["arcade-bios-pgm"].optional_for_emulators
    assert merged["neogeo-bios"].bios_subdirectory is None
    assert (merged["x68000-bios"].filename, merged["x68000-bios"].bios_subdirectory) == (
        "iplrom.dat", "keropi")


def test_a_core_that_is_no_entrys_own_does_not_respell_a_file_at_the_bios_root() -> None:
    """A core the pack does not name for an entry spelling its root-level file otherwise
    (snes9x's `STBIOS.bin` for the bsnes entry `stbios.bin`) leaves the pack's name: at the
    root several cores read it; in a core's own folder (`xmil/IPLROM.X1`) the core's
    spelling is taken."""
    stbios = replace(_entry("snes-stbios", "stbios.bin", "snes"),
                     required_for_emulators=("bsnes",))
    xmil = replace(_entry("sharp-x1-iplrom", "iplrom.x1", "sharp-x1"),
                   bios_subdirectory="xmil", required_for_emulators=("xmil",))
    merged = {e.id: e for e in merge_core_firmware([stbios, xmil], [
        CoreFirmware("snes9x", "STBIOS.bin", True, "snes"),
        CoreFirmware("x1", "xmil/IPLROM.X1", True, "sharp-x1")])}
    assert merged["snes-stbios"].filename == "stbios.bin"
    assert (merged["sharp-x1-iplrom"].bios_subdirectory,
            merged["sharp-x1-iplrom"].filename) == ("xmil", "IPLROM.X1")
    assert "iplrom.x1" in merged["sharp-x1-iplrom"].alternate_filenames


def test_a_folder_the_pack_writes_in_a_file_name_is_its_destination(cli: Any) -> None:
    """QA58 F3 (QA55 F12): the pack's `np2/bios.rom` goes to `np2/` on the card, and `bios
    check --json` said `destination: null`."""
    assert cli("--pack", shared_path("definition-pack"), "db", "init").code == 0
    pc98 = _check(cli, "pc-98")["pc98-bios"]
    assert (pc98["filename"], pc98["destination"]) == ("np2/bios.rom", "np2")


def test_a_cores_firmware_goes_to_the_packs_emulator_of_that_core_not_a_namesake(
        cli: Any, tmp_path: Path) -> None:
    """QA84 F2: ``pcsx2_libretro.info``'s firmware was filed under the standalone ``pcsx2``
    (the core's id without ``_libretro``): the standalone emulator then needed a folder and
    a game database as BIOS, and deploys warned PS2 games "will not run"; the core itself
    needed nothing. Its firmware goes to the pack emulator whose ``coreName`` is the core's
    file; an entry that names a folder is not a BIOS file."""
    pack = shared_path("definition-pack")
    info = tmp_path / "pcsx2_libretro.info"
    info.write_text('display_name = "Sony - PlayStation 2 (LRPS2)"\n'
                    'corename = "LRPS2"\ndatabase = "Sony - PlayStation 2"\n'
                    'firmware_count = 2\n'
                    'firmware0_desc = "\'pcsx2/bios\' folder"\nfirmware0_path = "pcsx2/bios"\n'
                    'firmware0_opt = "false"\n'
                    'firmware1_desc = "qa84.bin (a file)"\n'
                    'firmware1_path = "pcsx2/qa84.bin"\nfirmware1_opt = "false"\n')
    imported = cli("--pack", pack, "cache", "import", info)
    assert imported.code == 0, imported.err
    assert "'pcsx2/bios' is a folder" in imported.err

    def needed(emulator: str) -> set[str]:
        result = cli("--pack", pack, "--json", "bios", "check", "--emulator", emulator)
        return {entry["filename"] for group in result.json()["data"]["groups"]
                for entry in group["one_of"]}

    assert "qa84.bin" in needed("pcsx2-libretro")
    assert "qa84.bin" in needed("pcsx2_libretro")  # (the core named by its file)
    standalone = needed("pcsx2")
    assert "qa84.bin" not in standalone and "bios" not in standalone


def test_a_folder_an_earlier_release_stored_as_core_firmware_is_no_bios_file(
        cli: Any, db_path: Path) -> None:
    """QA89 F3: `pcsx2/bios`, a folder the core's .info names, stored as a firmware file by an
    earlier release, stayed a required BIOS file nothing could satisfy until a re-import."""
    pack = shared_path("definition-pack")
    assert cli("--pack", pack, "db", "init").code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO core_firmware (core_id, path, optional, platform_id, "
                     "display_name, source_path) VALUES ('pcsx2-libretro', 'pcsx2/bios', 0, "
                     "'ps2', 'LRPS2', 'pcsx2_libretro.info')")
    checked = cli("--pack", pack, "--json", "bios", "check", "--emulator", "pcsx2-libretro")
    files = {entry["filename"] for group in checked.json()["data"]["groups"]
             for entry in group["one_of"]}
    assert "bios" not in files, files


def test_a_standalone_emulator_gets_the_bios_entries_name_it_without_the_word(
        cli: Any, tmp_path: Path) -> None:
    """QA107 F5: EmuDeck runs Dreamcast games with `flycast-standalone`; the pack names
    `flycast` for `dc_boot.bin` and `dc_flash.bin`, so they were neither checked nor
    deployed. A libretro core stays an emulator of its own (see the test above)."""
    pack = real_pack_profile(cli, tmp_path, "dreamcast/Crazy Taxi (USA).cdi", b"\x05",
                             "steam-deck", "emudeck")
    checked = cli("--pack", pack, "--json", "bios", "check", "--profile", "1", "--platform",
                  "dreamcast")
    groups = checked.json()["data"]["groups"]
    assert {g["emulator_id"] for g in groups} == {"flycast-standalone"}, groups
    named = {entry["filename"] for group in groups for entry in group["one_of"]}
    assert {"dc_boot.bin", "dc_flash.bin"} <= named, named


def test_a_cores_firmware_files_known_by_name_alone_are_each_a_need(
        cli: Any, tmp_path: Path) -> None:
    """QA129 F6: NP2kai's .info firmware (no size, no hash) made one "one of" group: eight
    different files "satisfied" by any one."""
    from tests.conftest import shared_path
    pack = shared_path("definition-pack")
    assert cli("--pack", pack, "cache", "import", shared_path(
        "knowledge", "libretro-core-info", "np2kai_libretro.info")).code == 0
    folder = tmp_path / "bios" / "np2kai"
    folder.mkdir(parents=True)
    (folder / "2608_HH.WAV").write_bytes(b"\x01" * 256)
    assert cli("--pack", pack, "bios", "scan", tmp_path / "bios").code == 0
    groups = cli("--pack", pack, "--json", "bios", "check", "--platform", "pc-98").json()[
        "data"]["groups"]
    by_name = {tuple(sorted(e["filename"] for e in g["one_of"])): g["status"] for g in groups}
    assert by_name[("2608_HH.WAV",)] == "satisfied", by_name
    assert by_name[("2608_RIM.WAV",)] != "satisfied", by_name


def test_a_cores_firmware_is_not_the_standalone_emulators_of_its_name(
        cli: Any, tmp_path: Path) -> None:
    """qa193 F1: `ppsspp_libretro.info` names `ppge_atlas.zim` for the core `ppsspp`; PPSSPP
    Standalone (Android's PSP emulator), which ships its own, was then told it needs the file:
    `bios check` failed and a PSP deploy warned the games "will not run". The core keeps it."""
    pack = real_pack_profile(cli, tmp_path, "psp/Test Game (USA).iso", b"\x07",
                             "retroid-pocket-5", "android")
    info = shared_path("knowledge", "libretro-core-info", "ppsspp_libretro.info")
    assert cli("--pack", pack, "cache", "import", info).code == 0

    def needed(*args: str) -> tuple[int, set[tuple[str | None, str, bool]]]:
        result = cli("--pack", pack, "--json", "bios", "check", *args)
        return result.code, {(group["emulator_id"], entry["filename"], group["required"])
                             for group in result.json()["data"]["groups"]
                             for entry in group["one_of"]}

    assert needed("--emulator", "ppsspp") == (1, {("ppsspp", "ppge_atlas.zim", True)})
    # (nor as an optional file: the core's firmware is none of the standalone app's)
    assert needed("--emulator", "ppsspp-standalone") == (0, set())
    assert needed("--profile", "1", "--platform", "psp") == (0, set())
    deployed = cli("--pack", pack, "deploy", "1", "--to", tmp_path / "card", "platform:psp",
                   "--dry-run")
    assert "will not run" not in deployed.err, deployed.err
