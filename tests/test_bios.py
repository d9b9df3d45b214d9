"""BIOS verification: statuses, groups, exit codes, on real files and a pack written here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.bios.check import platform_groups
from romrunner.packs import load_pack
from romrunner.packs.loader import builtin_pack_path
from tests.conftest import shared_path

A, B, B2, C, D, E = (bytes([n]) * size for n, size in
                     ((1, 64), (2, 64), (3, 64), (4, 32), (5, 16), (6, 48)))


def known(data: bytes, preferred: bool = True) -> dict[str, Any]:
    return {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
            "crc32": f"{zlib.crc32(data):08x}", "isPreferred": preferred}


def entry(entry_id: str, filename: str, platform: str, size: int | None,
          hashes: list[dict[str, Any]], *, required: bool = True, hle: bool = False,
          emulators: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": entry_id, "name": entry_id, "filename": filename, "platformId": platform,
            "required": required, "hleFallback": hle, "knownHashes": hashes,
            "alternateFilenames": [], "biosSubdirectory": None,
            "alternateSubdirectories": ["bios"], "requiredForEmulators": list(emulators),
            "optionalForEmulators": [], "fileSize": size}


@pytest.fixture
def bios_setup(tmp_path: Path) -> dict[str, Path]:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    entries = [
        entry("psx-us", "scph5501.bin", "psx", 64, [known(A)], emulators=("duckstation",)),
        entry("psx-jp", "scph5500.bin", "psx", 64, [known(B), known(B2, preferred=False)],
              emulators=("duckstation",)),
        entry("nds-arm7", "bios7.bin", "nds", 32, [known(C)], emulators=("melonds",)),
        entry("nds-arm9", "bios9.bin", "nds", 16, [known(D)], emulators=("melonds",)),
        entry("gba", "gba_bios.bin", "gba", 48, [known(E, preferred=False)], hle=True,
              emulators=("mgba",)),
        entry("gba-twin", "gba_bios_twin.bin", "gba", 48, [known(E, preferred=False)],
              required=False),
        entry("fds", "disksys.rom", "famicom-disk-system", None, []),
    ]
    (pack / "bios-hashes.json").write_text(json.dumps({"version": "test", "biosFiles": entries}))
    folder = tmp_path / "bios"
    folder.mkdir()
    files = {"scph5500.bin": B2, "bios7.bin": C, "bios9.bin": b"\x09" * 16,
             "my-arm9-dump.bin": D, "disksys.rom": b"anything", "empty.bin": b"",
             "scph5501.bin": b"short", "GBA_BIOS.BIN": E, "notes.txt": b"hello"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with (folder / "dropped.iso").open("wb") as handle:
        handle.truncate(65 * 2**20)  # sparse: bigger than any BIOS, never hashed
    return {"pack": pack, "folder": folder}


def statuses(cli: Any, setup: dict[str, Path]) -> dict[tuple[str, str], dict[str, Any]]:
    result = cli("--pack", setup["pack"], "--json", "bios", "check", "--platform", "psx",
                 "--platform", "nds", "--platform", "gba", "--platform", "famicom-disk-system")
    groups = result.json()["data"]["groups"]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        for member in group["one_of"]:
            found[(group["platform_id"], member["id"])] = group
    return found


def test_scan_counts_add_up_with_a_file_too_large_to_be_a_bios(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """qa192 F10: `10 files, 9 hashed, 0 unchanged` said nothing of the tenth (too large to
    be any BIOS, named in a note only): the line's counts add up now."""
    result = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", bios_setup["folder"])
    data = result.json()["data"]
    assert (data["too_large"], data["unread"]) == (1, 0), data
    assert data["scanned"] == data["hashed"] + data["unchanged"] + data["too_large"] \
        + data["unread"]
    text = cli("--pack", bios_setup["pack"], "bios", "scan", bios_setup["folder"])
    first = text.out.splitlines()[0]
    assert first.startswith("10 files, 0 hashed, 9 unchanged, 1 too large to be a BIOS "
                            "(not hashed): "), first


def test_scan_statuses_per_file(cli: Any, bios_setup: dict[str, Path], db_path: Path) -> None:
    result = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", bios_setup["folder"])
    assert result.code == 0
    data = result.json()["data"]
    assert data["scanned"] == 10 and data["hashed"] == 9  # the sparse ISO is skipped
    assert any("dropped.iso" in n["path"] and "larger than any BIOS" in n["note"]
               for n in data["notes"])
    import sqlite3
    conn = sqlite3.connect(db_path)
    rows = {(Path(path).name, entry_id): (status, expected) for path, entry_id, status, expected
            in conn.execute("SELECT f.filepath, v.bios_definition_id, v.status, "
                            "v.expected_filename FROM bios_verification v "
                            "JOIN bios_files f ON f.id = v.bios_file_id")}
    assert rows[("scph5500.bin", "psx-jp")] == ("alternate_hash", None)
    assert rows[("bios7.bin", "nds-arm7")] == ("exact_match", None)
    assert rows[("bios9.bin", "nds-arm9")] == ("wrong_hash", None)
    assert rows[("my-arm9-dump.bin", "nds-arm9")] == ("exact_match", "bios9.bin")  # renamed
    assert rows[("scph5501.bin", "psx-us")] == ("wrong_size", None)
    assert rows[("disksys.rom", "fds")] == ("presence_only", None)
    assert rows[("empty.bin", "")] == ("unknown", None)
    assert rows[("notes.txt", "")] == ("unknown", None)
    # Case differs from the pack's name: still the entry; no preferred hash: exact.
    assert rows[("GBA_BIOS.BIN", "gba")] == ("exact_match", None)
    # A hash shared by two entries is recorded against each.
    assert ("GBA_BIOS.BIN", "gba-twin") in rows
    before = conn.execute("SELECT count(*) FROM bios_verification").fetchone()[0]
    again = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", bios_setup["folder"])
    assert again.json()["data"]["hashed"] == 0 and again.json()["data"]["unchanged"] == 9
    assert conn.execute("SELECT count(*) FROM bios_verification").fetchone()[0] == before


def test_groups_and_exit_codes(cli: Any, bios_setup: dict[str, Path]) -> None:
    cli("--pack", bios_setup["pack"], "bios", "scan", bios_setup["folder"])
    found = statuses(cli, bios_setup)
    # Either PS1 BIOS is enough: one group, satisfied by the alternate dump.
    assert found[("psx", "psx-us")] is found[("psx", "psx-jp")]
    assert found[("psx", "psx-jp")]["status"] == "satisfied"
    # The DS needs both of its parts: separate groups. ARM9 has a bad dump under its name and
    # a good one under another: the good one satisfies it (a deploy writes it as bios9.bin).
    assert found[("nds", "nds-arm7")]["status"] == "satisfied"
    arm9 = found[("nds", "nds-arm9")]
    assert arm9["status"] == "satisfied"
    assert [(Path(p["filepath"]).name, p["expected_filename"], p["card_name"])
            for p in arm9["present"]] == [("my-arm9-dump.bin", "bios9.bin", "bios9.bin")]
    assert [(Path(p["filepath"]).name, p["status"]) for p in arm9["problems"]] == [
        ("bios9.bin", "wrong_hash")]
    assert found[("famicom-disk-system", "fds")]["status"] == "satisfied"
    pack = bios_setup["pack"]
    assert cli("--pack", pack, "bios", "check", "--platform", "nds").code == 0
    os.remove(bios_setup["folder"] / "my-arm9-dump.bin")
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    assert statuses(cli, bios_setup)[("nds", "nds-arm9")]["status"] == "missing-blocking"
    assert cli("--pack", pack, "bios", "check", "--platform", "nds").code == 1
    assert cli("--pack", pack, "bios", "check", "--platform", "psx").code == 0
    os.remove(bios_setup["folder"] / "GBA_BIOS.BIN")
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    gba = cli("--pack", pack, "--json", "bios", "check", "--platform", "gba")
    assert gba.code == 0  # missing, but the emulator has an HLE fallback
    assert gba.json()["data"]["groups"][0]["status"] == "missing-hle-fallback"
    assert cli("--pack", pack, "bios", "check", "--platform", "gba", "--strict").code == 1
    melonds = cli("--pack", pack, "--json", "bios", "check", "--emulator", "melonds")
    assert melonds.code == 1 and len(melonds.json()["data"]["groups"]) == 2


def test_summary_agrees_with_the_rows(cli: Any, bios_setup: dict[str, Path]) -> None:
    """Issue 12 item 16: a "missing..." row never comes with "all required BIOS present"."""
    pack = bios_setup["pack"]
    os.remove(bios_setup["folder"] / "my-arm9-dump.bin")  # the ARM9 BIOS: only a bad dump
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    psx = cli("--pack", pack, "bios", "check", "--platform", "psx")
    assert psx.code == 0 and "all required BIOS present (1 of 1)" in psx.out
    assert "satisfied" in psx.out and "[green]" not in psx.out  # a style, not literal markup
    os.remove(bios_setup["folder"] / "GBA_BIOS.BIN")
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    rows = cli("--pack", pack, "--json", "bios", "check", "--platform", "gba").json()["data"]
    assert [g["status"] for g in rows["groups"] if g["required"]] == ["missing-hle-fallback"]
    gba = cli("--pack", pack, "bios", "check", "--platform", "gba")
    assert "all required BIOS present" not in gba.out
    assert gba.code == 0  # decided: the games start on the fallback; --strict fails
    assert "required BIOS missing: 1 of 1 (1 with an HLE fallback; passes unless --strict); " \
        "1 optional missing" in " ".join(gba.out.split())
    strict = cli("--pack", pack, "--json", "bios", "check", "--platform", "gba", "--strict")
    assert strict.code == 1 and strict.json()["ok"] is False
    assert strict.json()["data"]["summary"] == \
        "required BIOS missing: 1 of 1 (1 with an HLE fallback); 1 optional missing"
    both = cli("--pack", pack, "bios", "check", "--platform", "gba", "--platform", "nds")
    assert both.code == 1 and "all required BIOS present" not in both.out
    assert "required BIOS missing: 2 of 3 (1 with no fallback, 1 with an HLE fallback" \
        in " ".join(both.out.split())
    none = cli("--pack", pack, "bios", "check", "--platform", "snes")
    assert none.code == 0 and "nothing to check: no BIOS requirement for snes" in none.out


def test_a_missing_optional_group_is_missing_optional_never_blocking(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA10 F7: "optional … missing-blocking" on one row read as a contradiction. Only a
    required group blocks (the exit code and the summary count required groups alone)."""
    pack = bios_setup["pack"]
    os.remove(bios_setup["folder"] / "GBA_BIOS.BIN")  # gba (required, HLE), gba-twin (optional)
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    result = cli("--pack", pack, "--json", "bios", "check", "--platform", "gba", "--strict")
    groups = result.json()["data"]["groups"]
    assert sorted((g["required"], g["hle_fallback"], g["status"]) for g in groups) == [
        (False, False, "missing-optional"), (True, True, "missing-hle-fallback")]
    assert result.json()["data"]["summary"] == \
        "required BIOS missing: 1 of 1 (1 with an HLE fallback); 1 optional missing"
    text = cli("--pack", pack, "bios", "check", "--platform", "gba")
    assert text.code == 0 and "missing-optional" in text.out
    assert "missing-blocking" not in text.out
    (row,) = [line for line in text.out.splitlines() if "missing-optional" in line]
    assert "optional" in row.replace("missing-optional", "")


def test_unknown_ids_are_errors_that_name_them(cli: Any, bios_setup: dict[str, Path]) -> None:
    pack = bios_setup["pack"]
    assert cli("--pack", pack, "db", "init").code == 0  # bios check only reads
    for args, named in ((("--emulator", "nope"), "unknown emulator 'nope'"),
                        (("--platform", "nope"), "unknown platform 'nope'"),
                        (("--platform", "psx", "--platform", "zzz"), "unknown platform 'zzz'")):
        result = cli("--pack", pack, "bios", "check", *args)
        assert result.code == 2 and named in result.err, args
        assert result.out == ""
    assert cli("--pack", pack, "bios", "check", "--emulator", "melonds").code == 1  # known


def test_real_pack_groups_per_platform() -> None:
    pack = load_pack(shared_path("definition-pack"))

    def required_groups(platform: str) -> list[int]:
        groups = platform_groups(e for e in pack.bios if e.platform_id == platform)
        return sorted(len(g.entries) for g in groups if g.required)

    psx = [e for e in pack.bios if e.platform_id == "psx"]
    ps2 = [e for e in pack.bios if e.platform_id == "ps2"]
    assert len(psx) > 1 and all(e.required for e in psx)
    assert required_groups("psx") == [len(psx)]  # any one PS1 BIOS is enough
    assert required_groups("ps2") == [len(ps2)]
    # QA50 F6: Sega CD's regional BIOS, required by two emulators in three combinations,
    # are one need for "any emulator" (the US one alone was "missing" the E/J group).
    sega_cd = [e for e in pack.bios if e.platform_id == "sega-cd" and e.required]
    assert len({e.required_for_emulators for e in sega_cd}) > 1
    assert required_groups("sega-cd") == [len(sega_cd)]
    nds = platform_groups(e for e in pack.bios if e.platform_id == "nds")
    assert len(nds) == len({e.file_size for e in pack.bios if e.platform_id == "nds"}) == 3


F, G, H = bytes([7]) * 40, bytes([8]) * 64, bytes([9]) * 24


def system_dat_text(rows: list[tuple[str, str, bytes, dict[str, str]]]) -> str:
    """A System.dat-style DAT: one game, ROMs sorted into sections by comments."""
    lines = ['clrmamepro (\n\tname "System"\n\tversion "test-1"\n)\n', 'game (\n\tname "System"']
    section = None
    for comment, name, data, overrides in rows:
        if comment != section:
            lines.append(f'\tcomment "{comment}"')
            section = comment
        hashes = {"crc": f"{zlib.crc32(data):08X}", "md5": hashlib.md5(data).hexdigest(),
                  "sha1": hashlib.sha1(data).hexdigest(), **overrides}
        lines.append(f'\trom ( name "{name}" size {len(data)} crc {hashes["crc"]} '
                     f'md5 {hashes["md5"]} sha1 {hashes["sha1"]} )')
    return "\n".join(lines) + "\n)\n"


def test_system_dat_merge_pack_wins_and_conflicts_are_reported(
        cli: Any, bios_setup: dict[str, Path], tmp_path: Path, db_path: Path) -> None:
    pack_file = bios_setup["pack"] / "bios-hashes.json"
    data = json.loads(pack_file.read_text())
    md5_only = {"md5": hashlib.md5(F).hexdigest(), "isPreferred": True}
    data["biosFiles"].append(entry("pce", "syscard3.pce", "tg16", 40, [md5_only]))
    pack_file.write_text(json.dumps(data))
    dat = tmp_path / "System.dat"
    dat.write_text(system_dat_text([
        # shares the md5 of a pack dump that has no sha1: fills it in
        ("NEC - PC Engine - TurboGrafx 16 - SuperGrafx", "syscard3.pce", F, {}),
        # the pack's own name, another dump: a conflict, never a second good hash
        ("Sony - PlayStation", "scph5501.bin", G, {}),
        # the same dump as a pack entry by md5, but another sha1: a conflict
        ("Nintendo - Nintendo DS", "bios7.bin", C, {"sha1": "0" * 40}),
        # unknown to the pack: a new optional entry, found under a subfolder
        ("Sega - Dreamcast", "dc/dc_boot.bin", H, {}),
        ("Sega - Dreamcast", "dc/dc_boot_copy.bin", H, {}),
    ]))
    result = cli("--pack", bios_setup["pack"], "--json", "bios", "import-dat", dat)
    assert result.code == 0, result.err
    report = result.json()["data"]
    assert report["rows"] == 5 and report["version"] == "test-1"
    assert report["added_entries"] == 1 and report["enriched_entries"] == 1
    assert {(c["name"], c["entry"]) for c in report["conflicts"]} == {
        ("scph5501.bin", "psx-us"), ("bios7.bin", "nds-arm7")}
    absent = cli("--pack", bios_setup["pack"], "bios", "import-dat", tmp_path / "nope.dat")
    assert absent.code == 2 and "nope.dat: no such file" in absent.err
    (tmp_path / "notes.txt").write_text("not a DAT")
    wrong = cli("--pack", bios_setup["pack"], "bios", "import-dat", tmp_path / "notes.txt")
    assert wrong.code == 2 and "notes.txt: not a clrmamepro or Logiqx XML DAT" in wrong.err
    again = cli("--pack", bios_setup["pack"], "--json", "bios", "import-dat", dat)
    assert again.json()["data"]["rows"] == 5
    import sqlite3
    assert sqlite3.connect(db_path).execute(
        "SELECT count(*) FROM bios_extra_hashes").fetchone()[0] == 5  # replaced, not doubled

    folder = tmp_path / "more-bios"
    folder.mkdir()
    (folder / "scph5501.bin").write_bytes(G)   # the DAT's dump under the pack's name
    (folder / "dc_boot.bin").write_bytes(H)
    (folder / "syscard3.pce").write_bytes(F)
    cli("--pack", bios_setup["pack"], "bios", "scan", folder)
    rows = {(Path(p).name, e): (s, m) for p, e, s, m in sqlite3.connect(db_path).execute(
        "SELECT f.filepath, v.bios_definition_id, v.status, v.matched_hash_type "
        "FROM bios_verification v JOIN bios_files f ON f.id = v.bios_file_id")}
    assert rows[("scph5501.bin", "psx-us")] == ("wrong_hash", None)   # the pack won
    assert rows[("dc_boot.bin", "System:Sega - Dreamcast:dc/dc_boot.bin")] == (
        "exact_match", "sha1")
    assert rows[("syscard3.pce", "pce")] == ("exact_match", "sha1")  # through the filled sha1


def test_real_system_dat_against_real_pack(tmp_path: Path) -> None:
    dat = shared_path("dats", "system", "System.dat")
    pack_dir = shared_path("definition-pack")
    from romrunner.bios.known import import_bios_dat
    from romrunner.store.open import OpenMode, open_database
    pack = load_pack(pack_dir)
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    result = import_bios_dat(db, dat, pack)
    rom_lines = sum(1 for line in dat.read_text().splitlines() if line.strip().startswith("rom ("))
    assert result.rows == rom_lines
    known = result.known
    by_id = {e.id: e for e in pack.bios}
    assert known.conflicts, "the real pack and System.dat disagree on some entries"
    for conflict in known.conflicts:
        merged = next(e for e in known.entries if e.id == conflict.entry_id)
        assert merged.known_hashes == by_id[conflict.entry_id].known_hashes  # the pack won
    assert known.added > 0 and len(known.entries) == len(pack.bios) + known.added


def test_check_per_device_profile(cli: Any, bios_setup: dict[str, Path], db_path: Path) -> None:
    """The emulator a profile uses for each platform decides which groups apply."""
    pack = bios_setup["pack"]
    cli("--pack", pack, "bios", "scan", bios_setup["folder"])
    import sqlite3
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO devices (id, device_id, connection_type) "
                     "VALUES (1, 'rg35xx', 'sd_card')")
        conn.execute("INSERT INTO device_profiles (id, device_row_id, os_id) "
                     "VALUES (1, 1, 'muos'), (2, 1, 'knulli')")
        conn.execute("INSERT INTO platform_overrides (device_profile_id, platform_id, "
                     "emulator_id) VALUES (1, 'nds', 'melonds'), (NULL, 'nds', 'desmume')")
    conn.close()

    def groups(profile: int) -> dict[str, list[dict[str, Any]]]:
        result = cli("--pack", pack, "--json", "bios", "check", "--profile", str(profile),
                     "--platform", "nds", "--platform", "psx")
        found: dict[str, list[dict[str, Any]]] = {}
        for group in result.json()["data"]["groups"]:
            found.setdefault(group["platform_id"], []).append(group)
        return found

    first = groups(1)
    # nds: the profile's own override (melonds) beats the global one; both parts needed.
    assert {(g["emulator_id"], g["emulator_origin"]) for g in first["nds"]} == {
        ("melonds", "profile platform override")}
    assert len(first["nds"]) == 2
    # psx: muos's default (the built-in pack's) is an emulator no entry names: any emulator.
    (psx,) = first["psx"]
    assert psx["emulator_id"] is None and "named by no BIOS entry" in psx["emulator_origin"]
    assert psx["emulator_origin"].startswith("muos default")
    second = groups(2)
    # The global override names an emulator no entry mentions either.
    assert all(g["emulator_origin"].startswith("platform override") for g in second["nds"])
    missing = cli("--pack", pack, "bios", "check", "--profile", "9")
    assert missing.code != 0 and "device profile 9: no such profile" in missing.err
    both = cli("--pack", pack, "bios", "check", "--profile", "1", "--emulator", "melonds")
    assert both.code == 2


def test_duplicate_copies_are_each_verified_and_both_listed(
        cli: Any, bios_setup: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "more"
    (other / "sub").mkdir(parents=True)
    (other / "bios7.bin").write_bytes(C)
    (other / "sub" / "bios7.bin").write_bytes(C)
    result = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", other)
    assert result.json()["data"]["statuses"] == {"exact_match": 2}
    again = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", other)
    assert again.json()["data"]["unchanged"] == 2  # a rescan does not rehash or duplicate
    found = statuses(cli, bios_setup)
    present = {Path(p["filepath"]).relative_to(other).as_posix()
               for p in found[("nds", "nds-arm7")]["present"]}
    assert present == {"bios7.bin", "sub/bios7.bin"}


def test_an_empty_folder_where_bios_were_found_is_held_back(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA23 F8: `bios scan` of the folder of an unmounted share (now empty) marked every BIOS
    verified there missing, exit 0, and `bios check` called them missing without a word. As a
    library scan holds back an empty root: nothing changes, said, exit 1; once the files are
    back, nothing was lost (and a folder emptied of a file is still a rescan as ever)."""
    folder = bios_setup["folder"]
    assert cli("--pack", bios_setup["pack"], "bios", "scan", folder).code == 0
    before = statuses(cli, bios_setup)
    aside = folder.with_name("bios.off")
    folder.rename(aside)
    folder.mkdir()
    held = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", folder)
    assert held.code == 1 and "is a share not mounted?" in held.json()["errors"][0]
    folder.rmdir()
    aside.rename(folder)
    assert statuses(cli, bios_setup) == before  # (nothing was lost; while away, `bios
    # check` says the files gone: QA129 F5)
    (folder / "bios7.bin").unlink()  # one file gone: a rescan says so as before
    assert cli("--pack", bios_setup["pack"], "bios", "scan", folder).code == 0
    assert statuses(cli, bios_setup)[("nds", "nds-arm7")] != before[("nds", "nds-arm7")]


@pytest.mark.parametrize("left", [".DS_Store", "psx/", "new.bin"])
def test_a_mount_point_holding_anything_but_the_bios_found_before_is_held_back(
        cli: Any, bios_setup: dict[str, Path], left: str) -> None:
    """qa192: the folder of an unmounted share holding a `.DS_Store`, an empty folder or one
    new file was no longer "empty": every BIOS was marked missing, exit 0. None of the
    files found before is there: held back (exit 1), the new file not stored either (or the
    next scan would find it and mark them all); --accept-missing confirms a real removal."""
    folder, pack = bios_setup["folder"], bios_setup["pack"]
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    before = statuses(cli, bios_setup)
    aside = folder.with_name("bios.off")
    folder.rename(aside)
    folder.mkdir()
    if left.endswith("/"):
        (folder / left).mkdir()
    else:
        (folder / left).write_bytes(b"\x42" * 64)
    new = " (it holds 1 file new to it, verified but not stored either: if the share is " \
        "not mounted, that file was written to its mount point)" if left == "new.bin" else ""
    for _ in range(2):
        held = cli("--pack", pack, "--json", "bios", "scan", folder)
        assert held.code == 1 and held.json()["data"]["missing"] == []
        assert held.json()["errors"] == [
            f"{folder}: none of the 9 BIOS files found there before is there{new}: not "
            "marked missing (is a share not mounted?); scan it again when it is back, or "
            "with --accept-missing if they were really removed"]
    accepted = cli("--pack", pack, "--json", "bios", "scan", "--accept-missing", folder)
    assert accepted.code == 0 and len(accepted.json()["data"]["missing"]) == 9
    shutil.rmtree(folder)
    aside.rename(folder)  # (it was there after all: found again)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    assert statuses(cli, bios_setup) == before


def test_a_rescan_names_the_files_gone_since_once(cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA55 F3: a BIOS file gone from the folder was marked missing without a word."""
    folder = bios_setup["folder"]
    assert cli("--pack", bios_setup["pack"], "bios", "scan", folder).code == 0
    (folder / "bios7.bin").unlink()
    gone = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", folder)
    assert gone.code == 0 and gone.json()["data"]["missing"] == [str(folder / "bios7.bin")]
    said = cli("--pack", bios_setup["pack"], "bios", "scan", folder)
    assert said.code == 0 and "gone" not in said.out  # (said once: it was missing already)
    (folder / "bios9.bin").unlink()
    text = cli("--pack", bios_setup["pack"], "bios", "scan", folder)
    assert f"1 file an earlier scan found is gone: {folder / 'bios9.bin'}" in text.out


def test_a_folder_given_twice_or_inside_another_is_scanned_once(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA55 F10: `bios scan lib/bios lib/bios` said 34 files of 17."""
    folder = bios_setup["folder"]
    (folder / "sub").mkdir()
    (folder / "sub" / "bios7 copy.bin").write_bytes(C)
    once = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", folder).json()["data"]
    for args in ((folder, folder), (folder / "sub", folder), (folder, folder / "sub" / "..")):
        again = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", *args)
        assert again.code == 0, again.err
        data = again.json()["data"]
        assert data["scanned"] == once["scanned"] == 11, args
        assert len(data["files"]) == len(once["files"]) and data["missing"] == []


def test_a_file_two_entries_share_by_name_and_dump_is_listed_once(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA55 F6: the pack's Sega CD USA versions share one name and dump; `bios check` listed
    the one file once per entry (`bios_CD_U.bin; bios_CD_U.bin; bios_CD_U.bin`)."""
    hashes = bios_setup["pack"] / "bios-hashes.json"
    data = json.loads(hashes.read_text())
    data["biosFiles"] += [entry(f"psx-us-v{n}", "scph5501.bin", "psx", 64, [known(A)],
                                emulators=("duckstation",)) for n in (2, 3)]
    hashes.write_text(json.dumps(data))
    (bios_setup["folder"] / "scph5501.bin").write_bytes(A)
    assert cli("--pack", bios_setup["pack"], "bios", "scan", bios_setup["folder"]).code == 0
    group = statuses(cli, bios_setup)[("psx", "psx-us")]
    names = [Path(row["filepath"]).name for row in group["present"]]
    assert names.count("scph5501.bin") == 1, names


def test_a_zip_holding_a_known_bios_is_said_to_hold_it(cli: Any,
                                                       bios_setup: dict[str, Path]) -> None:
    """QA55 F5: BIOS are downloaded zipped; a zip holding one was "unknown (no known BIOS has
    its hashes or name)" and nothing said what it holds."""
    import zipfile
    with zipfile.ZipFile(bios_setup["folder"] / "nds bios pack.zip", "w") as archive:
        archive.writestr("bios7.bin", C)
        archive.writestr("readme.txt", b"not a bios")
    scanned = cli("--pack", bios_setup["pack"], "--json", "bios", "scan", bios_setup["folder"])
    assert scanned.code == 0, scanned.err
    data = scanned.json()["data"]
    [item] = [f for f in data["files"] if f["relative"] == "nds bios pack.zip"]
    assert item["status"] == "unknown"
    assert item["inside"] == [{"member": "bios7.bin", "entry": "nds-arm7"}]
    assert any(n["path"].endswith("nds bios pack.zip") and "holds bios7.bin (nds-arm7)" in
               n["note"] and "extract it" in n["note"] for n in data["notes"])


def test_one_regions_bios_is_enough_whichever_emulator_requires_it(
        cli: Any, tmp_path: Path) -> None:
    """QA50 F6: the US Sega CD BIOS (two pack entries, one per emulator) verified, E/J absent:
    `bios check` for the platform (any emulator) is satisfied, and names the file once."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    us_old, us_new = bytes([11]) * 64, bytes([12]) * 64
    both = ("genesis-plus-gx", "picodrive")
    entries = [entry("cd-e", "bios_CD_E.bin", "sega-cd", 64, [known(bytes([13]) * 64)],
                     emulators=both),
               entry("cd-j", "bios_CD_J.bin", "sega-cd", 64, [known(bytes([14]) * 64)],
                     emulators=both),
               entry("cd-u-110", "bios_CD_U.bin", "sega-cd", 64, [known(us_old)],
                     emulators=("picodrive",)),
               entry("cd-u-200", "bios_CD_U.bin", "sega-cd", 64, [known(us_new)],
                     emulators=("genesis-plus-gx",))]
    (pack / "bios-hashes.json").write_text(json.dumps({"version": "test", "biosFiles": entries}))
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "bios_CD_U.bin").write_bytes(us_new)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    check = cli("--pack", pack, "--json", "bios", "check", "--platform", "sega-cd")
    assert check.code == 0, check.out
    groups = check.json()["data"]["groups"]
    assert [(g["required"], g["status"]) for g in groups] == [(True, "satisfied")]
    text = cli("--pack", pack, "bios", "check", "--platform", "sega-cd")
    assert text.out.count("bios_CD_U.bin") == 2, text.out  # in the names, and as the file had


def test_bios_check_says_a_file_gone_since_its_scan_satisfies_nothing(
        cli: Any, tmp_path: Path) -> None:
    """QA129 F5: the BIOS folder deleted, `bios check` still said its required BIOS
    "satisfied"."""
    from romrunner.bios.example import build_example_bios
    from romrunner.packs.loader import builtin_pack_path
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    assert cli("--pack", pack_dir, "bios", "scan", bios_dir).code == 0
    before = cli("--pack", pack_dir, "--json", "bios", "check").json()["data"]["groups"]
    satisfied = [g["platform_id"] for g in before if g["status"] == "satisfied"]
    assert satisfied, before
    for path in bios_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    after = cli("--pack", pack_dir, "--json", "bios", "check").json()["data"]["groups"]
    now = {g["platform_id"]: g for g in after}
    assert all(now[p]["status"] != "satisfied" for p in satisfied), after
    assert all(row["gone"] for p in satisfied for row in now[p]["present"])
    assert "gone" in cli("--pack", pack_dir, "bios", "check").out  # (a table: words wrap)


def test_a_stop_after_a_bios_dat_import_committed_says_it_was_imported(
        cli: Any, bios_setup: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """QA148 F3: Ctrl-C landing after `bios import-dat` committed said "interrupted: work
    committed so far is kept", as if partial. A real SIGINT, sent as the import returns."""
    import os
    import signal

    from romrunner.cli import bios_cmd

    dat = tmp_path / "System.dat"
    dat.write_text(system_dat_text([("Sega - Dreamcast", "dc/dc_boot.bin", H, {})]))
    imported = bios_cmd.import_bios_dat

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        report = imported(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return report

    monkeypatch.setattr(bios_cmd, "import_bios_dat", interrupted)
    result = cli("--pack", bios_setup["pack"], "--json", "bios", "import-dat", dat)
    assert result.code == 130, result.err
    assert result.json()["errors"] == [
        f"interrupted after its work was committed whole: {dat} was imported "
        "(`romrunner bios check` uses its hashes)"]


def test_a_bios_renamed_in_its_folder_is_said_renamed_not_gone(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """QA147 F8: `mv Scph1001.BIN SCPH1001.BIN; bios scan` said the file "gone", though its
    content was right there under the new name (a library scan says "renamed")."""
    folder, pack = bios_setup["folder"], bios_setup["pack"]
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    (folder / "bios7.bin").rename(folder / "BIOS7.BIN")
    (folder / "notes.txt").unlink()
    again = cli("--pack", pack, "--json", "bios", "scan", folder)
    data = again.json()["data"]
    assert data["renamed"] == [{"from": str(folder / "bios7.bin"),
                                "to": str(folder / "BIOS7.BIN")}]
    assert data["missing"] == [str(folder / "notes.txt")]
    (folder / "BIOS7.BIN").rename(folder / "bios7.bin")
    text = cli("--pack", pack, "bios", "scan", folder).out
    assert f"renamed: {folder / 'BIOS7.BIN'} -> {folder / 'bios7.bin'}" in text, text
    assert "gone" not in text


def test_a_bios_scan_of_a_library_root_counts_its_games_not_lists_them(
        cli: Any, bios_setup: dict[str, Path], tmp_path: Path) -> None:
    """QA147 F10: `bios scan` of a library root listed each game "unknown (no known BIOS
    has its hashes or name)": thousands of lines on a real library."""
    pack = bios_setup["pack"]
    games = tmp_path / "lib" / "gb"
    games.mkdir(parents=True)
    for number in range(3):
        (games / f"Game {number} (USA).gb").write_bytes(bytes([number]) * 4096)
    shutil.copy(bios_setup["folder"] / "bios7.bin", games / "bios7.bin")  # kept among games
    (tmp_path / "lib" / "bios").mkdir()  # (a BIOS folder in the library: listed, QA151 F8)
    (tmp_path / "lib" / "bios" / "mystery.rom").write_bytes(b"\x42" * 1024)
    assert cli("--pack", pack, "library", "add", tmp_path / "lib").code == 0
    scanned = cli("--pack", pack, "bios", "scan", tmp_path / "lib")
    assert scanned.code == 0, scanned.err
    text = " ".join(scanned.out.split())
    assert "3 files of the library's roots are no known BIOS (its games" in text, text
    assert "bios/mystery.rom: unknown (no known BIOS" in text
    assert text.count("unknown (no known BIOS") == 1
    data = cli("--pack", pack, "--json", "bios", "scan", tmp_path / "lib").json()["data"]
    assert sum(item["status"] == "unknown" for item in data["files"]) == 4


def test_a_bios_scan_of_the_library_s_own_bios_folder_lists_its_stray_file(
        cli: Any, bios_setup: dict[str, Path], tmp_path: Path) -> None:
    """qa196 F3: `bios scan LIB/bios` (as the game scan advises) called a stray readme of the
    root's BIOS folder one of "the library's roots' games": its path was judged relative to
    the folder scanned (`readme.txt`), not to the library root (`bios/readme.txt`)."""
    pack = bios_setup["pack"]
    (tmp_path / "lib" / "gb").mkdir(parents=True)
    (tmp_path / "lib" / "gb" / "Game (USA).gb").write_bytes(b"\x01" * 4096)
    folder = tmp_path / "lib" / "bios"
    folder.mkdir()
    (folder / "readme.txt").write_text("where my BIOS files come from")
    assert cli("--pack", pack, "library", "add", tmp_path / "lib").code == 0
    scanned = cli("--pack", pack, "bios", "scan", folder)
    assert scanned.code == 0, scanned.err
    text = " ".join(scanned.out.split())
    assert "readme.txt: unknown (no known BIOS" in text, text
    assert "of the library's roots" not in text, text
    whole = " ".join(cli("--pack", pack, "bios", "scan", tmp_path / "lib").out.split())
    assert "1 file of the library's roots is no known BIOS" in whole, whole
    assert "bios/readme.txt: unknown (no known BIOS" in whole, whole


def test_a_folder_of_one_bad_dump_replaced_by_a_good_one_is_a_change(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """A folder of fewer than three BIOS files whose every file gave way to new ones under
    other names (a bad scph5501.bin for a good scph5500.bin) is the folder changed, not a
    share away: the old file marked missing, the new one stored — not held back at every scan
    until --accept-missing. Emptied, it is still held back."""
    pack, folder = bios_setup["pack"], bios_setup["folder"].with_name("one")
    folder.mkdir()
    (folder / "scph5501.bin").write_bytes(b"short")
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    (folder / "scph5501.bin").unlink()
    assert cli("--pack", pack, "bios", "scan", folder).code == 1  # emptied: held back
    (folder / "scph5500.bin").write_bytes(B2)
    done = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert done.code == 0, done.err
    assert done.json()["data"]["missing"] == [str(folder / "scph5501.bin")]


def test_a_folder_of_two_bios_whose_mount_point_holds_a_stray_file_is_held_back(
        cli: Any, bios_setup: dict[str, Path]) -> None:
    """review42 F2: a folder of two BIOS files away (a share not mounted) whose mount point
    holds a `notes.txt` (no BIOS the pack knows) marked both missing, exit 0: the stray file
    was taken for their replacement. Held back now, nothing marked; a known dump there is
    still a change."""
    pack, folder = bios_setup["pack"], bios_setup["folder"].with_name("two")
    folder.mkdir()
    (folder / "scph5501.bin").write_bytes(b"short")
    (folder / "my-arm9-dump.bin").write_bytes(b"other")
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    away = folder.with_name("two-away")
    folder.rename(away)
    folder.mkdir()
    (folder / "notes.txt").write_text("hi")
    held = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert held.code == 1, held.out
    assert held.json()["data"]["missing"] == []
    (folder / "scph5500.bin").write_bytes(B2)  # a dump the pack knows: the folder changed
    done = cli("--pack", pack, "--json", "bios", "scan", folder)
    assert done.code == 0, done.err
    assert sorted(done.json()["data"]["missing"]) == sorted(
        str(folder / name) for name in ("my-arm9-dump.bin", "scph5501.bin"))
