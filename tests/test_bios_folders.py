"""Where each OS family reads a system's BIOS: MinUI and NextUI from ``Bios/<tag of its Roms
folder>/`` (QA7 F4); `bios check`, `destination paths` and a deploy say the same."""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.bios.example import build_example_bios
from romrunner.packs.loader import builtin_pack_path, load_folder_names
from romrunner.packs.model import FolderNames, PackWarning
from tests.conftest import shared_path

DEVICE = {"minui": "miyoo-mini", "nextui": "miyoo-mini", "batocera": "rg-35xx-plus",
          "analogue-os": "analogue-pocket", "muos": "rg-35xx-plus", "knulli": "rg-35xx-plus",
          "rocknix": "rg-35xx-plus", "emudeck": "steam-deck", "retrobat": "steam-deck",
          "retrodeck": "steam-deck", "android": "retroid-pocket-5",
          "anbernic-stock-android-t820-family": "rg-556"}


def rom(path: Path, seed: str, size: int = 4096) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


def setup(cli: Any, tmp_path: Path, os_id: str, pack: Path, bios: Path,
          games: dict[str, str]) -> tuple[Any, int]:
    """A scanned library of ``games``, the BIOS in ``bios`` scanned, a profile for ``os_id``;
    returns the CLI bound to ``pack`` and the profile id."""
    def run(*args: str) -> Any:
        return cli("--pack", str(pack), "--json", *args)

    for name, seed in games.items():
        rom(tmp_path / "library" / name, seed)
    assert run("library", "add", str(tmp_path / "library")).code == 0
    assert run("scan", "--workers", "1").code == 0
    assert run("bios", "scan", str(bios)).code == 0
    device = run("device", "add", DEVICE[os_id]).json()["data"]["id"]
    created = run("profile", "create", "--device", str(device), "--os", os_id)
    assert created.code == 0, created.err
    return run, int(created.json()["data"]["id"])


def folder_rows(run: Any, profile: int, card: Path) -> dict[str, dict[str, Any]]:
    """`destination paths` of ``profile`` on ``card``: platform -> its row."""
    shown = run("destination", "paths", str(profile), "--to", str(card))
    return {row["platform_id"]: row for row in shown.json()["data"]["folders"]
            if row["platform_id"]}


def card_files(card: Path) -> list[str]:
    return sorted(str(p.relative_to(card)) for p in card.rglob("*")
                  if p.is_file() and ".romrunner" not in p.parts)


@pytest.mark.parametrize(("os_id", "bios"), [("minui", "Bios"), ("nextui", "BIOS")])
def test_minui_family_bios_goes_to_the_tag_of_each_rom_folder(
        cli: Any, tmp_path: Path, os_id: str, bios: str) -> None:
    bios_dir, pack, _ = build_example_bios(tmp_path / "example",
                                           shared_path("definition-pack"))
    run, profile = setup(cli, tmp_path, os_id, pack, bios_dir,
                         {"nes/Hopper (USA).nes": "nes", "gba/Pocket (USA).gba": "gba"})
    card = tmp_path / "card"
    card.mkdir()
    rows = folder_rows(run, profile, card)
    assert (rows["gba"]["path"], rows["gba"]["bios_path"]) == (
        "Roms/Game Boy Advance (GBA)", f"{bios}/GBA")
    # (a system the OS has no folder for gets none of its BIOS either: none shown)
    folderless = [row for row in rows.values() if row["path"] is None]
    assert folderless and not [row for row in folderless if row["bios_paths"]], folderless
    assert (rows["nes"]["path"], rows["nes"]["bios_path"]) == (
        "Roms/Nintendo Entertainment System (FC)", f"{bios}/FC")
    # the platforms the deploy covers (the real pack's MinUI profile names no GBA emulator,
    # so a bare --profile leaves GBA out: QA7 F9)
    check = run("bios", "check", "--profile", str(profile), "--platform", "nes", "--platform",
                "gba")
    destinations = {entry["filename"]: entry["destination"]
                    for group in check.json()["data"]["groups"] for entry in group["one_of"]}
    assert destinations["example-gba-boot.bin"] == "GBA"
    assert destinations["example-nes-boot.bin"] == "FC"
    done = run("deploy", str(profile), "--to", str(card), "platform:nes,gba")
    assert done.code == 0, done.err
    assert card_files(card) == [
        f"{bios}/FC/example-nes-boot.bin", f"{bios}/GBA/example-gba-boot.bin",
        "Roms/Game Boy Advance (GBA)/Pocket (USA).gba",
        "Roms/Nintendo Entertainment System (FC)/Hopper (USA).nes"]
    text = cli("--pack", str(pack), "bios", "check", "--profile", str(profile), "--platform",
               "nes", "--platform", "gba")
    assert "gba in GBA/, nes in FC/" in " ".join(text.out.split())


def test_a_required_bios_naming_no_emulator_goes_with_a_profiles_named_emulator(
        cli: Any, tmp_path: Path) -> None:
    """The demo's case: GBA's example BIOS is required and names no emulator; the muOS
    profile's GBA emulator is named by another GBA entry (gba_bios.bin, optional for mGBA).
    The check said "satisfied" and the deploy left the file off the card."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    entries = json.loads((pack / "bios-hashes.json").read_text(encoding="utf-8"))["biosFiles"]
    named = {e["filename"]: e.get("requiredForEmulators", []) + e.get("optionalForEmulators", [])
             for e in entries if e["platformId"] == "gba"}
    assert named["example-gba-boot.bin"] == [] and named["gba_bios.bin"]  # the premise
    run, profile = setup(cli, tmp_path, "muos", pack, bios_dir, {"gba/Pocket (USA).gba": "gba"})
    check = run("bios", "check", "--profile", str(profile)).json()["data"]["groups"]
    gba = [g for g in check if g["platform_id"] == "gba"]
    assert {g["emulator_id"] for g in gba} <= set(named["gba_bios.bin"])
    required = [g for g in gba if g["required"]]
    assert [e["filename"] for g in required for e in g["one_of"]] == ["example-gba-boot.bin"]
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    assert (card / "MUOS/bios/example-gba-boot.bin").read_bytes() == \
        (bios_dir / "gba boot (copy).bin").read_bytes()


def test_other_families_keep_one_bios_folder(cli: Any, tmp_path: Path) -> None:
    bios_dir, pack, _ = build_example_bios(tmp_path / "example",
                                           shared_path("definition-pack"))
    run, profile = setup(cli, tmp_path, "batocera", pack, bios_dir,
                         {"gba/Pocket (USA).gba": "gba"})
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "platform:gba").code == 0
    assert "bios/example-gba-boot.bin" in card_files(card)
    groups = run("bios", "check", "--profile", str(profile)).json()["data"]["groups"]
    assert all(group["os_folder"] is None for group in groups)


def test_analogue_pocket_reads_games_and_bios_from_each_platforms_common_folder(
        cli: Any, tmp_path: Path) -> None:
    """openFPGA cores browse Assets/<platform>/common/ for games and read their BIOS there."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example",
                                           shared_path("definition-pack"))
    run, profile = setup(cli, tmp_path, "analogue-os", pack, bios_dir,
                         {"gba/Pocket (USA).gba": "gba", "gg/Shore (USA).gg": "gg"})
    card = tmp_path / "card"
    card.mkdir()
    rows = folder_rows(run, profile, card)
    assert (rows["gba"]["path"], rows["gba"]["bios_path"]) == (
        "Assets/gba/common", "Assets/gba/common")
    assert rows["gamegear"]["path"] == "Assets/gg/common"
    done = run("deploy", str(profile), "--to", str(card), "platform:gba,gamegear")
    assert done.code == 0, done.err
    assert card_files(card) == ["Assets/gba/common/Pocket (USA).gba",
                                "Assets/gba/common/example-gba-boot.bin",
                                "Assets/gg/common/Shore (USA).gg"]


@pytest.mark.parametrize(("folder", "tag"), [
    ("Sony PlayStation (PS)", "PS"), ("Game Boy Advance (MGBA)", "MGBA"), ("GBA", "GBA"),
    ("Pico-8 (USA) (P8)", "P8"), ("Broken (", "Broken ("),
])
def test_the_tag_is_the_last_parentheses_or_the_whole_name(folder: str, tag: str) -> None:
    names = FolderNames(bios_folders={"minui": "{romFolderTag}", "x": "{romFolder}/common"})
    assert names.bios_subfolder("minui", folder) == tag
    assert names.bios_subfolder("x", "gba") == "gba/common"
    assert names.bios_subfolder("es", folder) is None


def test_a_bad_bios_folder_rule_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "folder-names.json").write_text(json.dumps({"platforms": {}, "biosFolders": {
        "minui": "{romFolderTag}", "onion": "{platform}", "muos": 3, "spruce": " "}}))
    warnings: list[PackWarning] = []
    names = load_folder_names(tmp_path, warnings)
    assert names.bios_folders == {"minui": "{romFolderTag}"}
    assert sorted(w.entry for w in warnings) == [
        "biosFolders.muos", "biosFolders.onion", "biosFolders.spruce"]
    (tmp_path / "folder-names.json").write_text(json.dumps({"platforms": {},
                                                            "biosFolders": ["minui"]}))
    assert load_folder_names(tmp_path, warnings).bios_folders == {}


def test_an_entry_subfolder_is_not_doubled_by_the_platform_one(cli: Any,
                                                               tmp_path: Path) -> None:
    # The pack gives the Sharp X1 a BIOS subfolder twice (the platform's and each entry's
    # biosSubdirectory, both "xmil"): the deploy wrote bios/xmil/xmil/iplrom.x1.
    pack = tmp_path / "pack"
    data = json.loads(shared_path("definition-pack", "bios-hashes.json").read_text())
    payload = hashlib.sha256(b"x1").digest() * 128
    for entry in data["biosFiles"]:
        if entry["id"] == "sharp-x1-iplrom":
            assert entry["biosSubdirectory"] == "xmil"
            entry["fileSize"] = len(payload)
            entry["knownHashes"] = [{"md5": hashlib.md5(payload).hexdigest(),
                                     "sha1": hashlib.sha1(payload).hexdigest(),
                                     "crc32": f"{zlib.crc32(payload):08x}",
                                     "isPreferred": True}]
    pack.mkdir()
    for source in shared_path("definition-pack").rglob("*"):
        target = pack / source.relative_to(shared_path("definition-pack"))
        if source.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(source.read_bytes())
    (pack / "bios-hashes.json").write_text(json.dumps(data))
    bios_dir = tmp_path / "bios"
    bios_dir.mkdir()
    (bios_dir / "iplrom.x1").write_bytes(payload)
    run, profile = setup(cli, tmp_path, "batocera", pack, bios_dir,
                         {"x1/Tower (Japan).2d": "x1 game"})
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "platform:sharp-x1").code == 0
    assert card_files(card) == ["bios/xmil/iplrom.x1", "roms/x1/Tower (Japan).2d"]


def test_a_bios_folder_moved_then_scanned_leaves_its_old_files_missing(
        cli: Any, tmp_path: Path) -> None:
    """QA38 F5: after the BIOS folder was renamed and the new one scanned, the old rows stayed
    present: `bios check` listed each dump twice and every deploy took the gone file (the
    first by path) and failed it, the card never getting the BIOS."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    run, profile = setup(cli, tmp_path, "muos", pack, bios_dir, {"gba/Pocket (USA).gba": "gba"})
    moved = bios_dir.with_name("firmware")  # sorts after "bios": the old path came first
    bios_dir.rename(moved)
    scanned = run("bios", "scan", str(moved))
    assert scanned.code == 0, scanned.err
    notes = scanned.json()["data"]["notes"]
    assert sorted(note["path"] for note in notes) == sorted(
        str(bios_dir.resolve() / path.name) for path in moved.iterdir())
    assert all(note["note"].endswith("marked missing") for note in notes)
    check = run("bios", "check", "--profile", str(profile)).json()["data"]["groups"]
    required = [g for g in check if g["platform_id"] == "gba" and g["required"]]
    assert [p["filepath"] for g in required for p in g["present"]] == [
        str(moved.resolve() / "gba boot (copy).bin")]
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    assert (card / "MUOS/bios/example-gba-boot.bin").read_bytes() == \
        (moved / "gba boot (copy).bin").read_bytes()


def test_a_bios_scan_skips_recycle_bins_and_hidden_files_as_a_library_scan_does(
        cli: Any, tmp_path: Path) -> None:
    """QA39 F8: dumps only in a NAS recycle bin or a Mac trash counted as present ("all
    required BIOS present"); `._*` forks and `@eaDir` thumbnails were unknown BIOS files."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    dump = (bios_dir / "gba boot (copy).bin").read_bytes()
    binned = tmp_path / "nas-bios"
    for relative in ("#recycle/gba boot (copy).bin", ".Trashes/gba boot (copy).bin",
                     "._gba boot (copy).bin", "@eaDir/gba boot (copy).bin/SYNO@.fileindexdb"):
        (binned / relative).parent.mkdir(parents=True, exist_ok=True)
        (binned / relative).write_bytes(dump)
    scanned = cli("--pack", str(pack), "--json", "bios", "scan", str(binned))
    assert scanned.code == 0, scanned.err
    data = scanned.json()["data"]
    assert (data["scanned"], data["skipped_hidden"], data["files"]) == (0, 4, [])
    check = cli("--pack", str(pack), "--json", "bios", "check", "--platform", "gba")
    groups = check.json()["data"]["groups"]
    assert [g["present"] for g in groups if g["required"]] == [[]]


def test_a_bios_scan_of_a_folder_that_is_gone_stores_nothing_of_the_others(
        cli: Any, tmp_path: Path) -> None:
    """QA39 F7: `bios scan GOOD GONE` failed ("not a folder") after storing GOOD's files: a
    failed command that changed the database, unlike `bios scan GONE GOOD`."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    assert cli("--pack", str(pack), "library", "add", str(tmp_path / "example")).code == 0
    for order in ((bios_dir, tmp_path / "gone"), (tmp_path / "gone", bios_dir)):
        failed = cli("--pack", str(pack), "bios", "scan", *map(str, order))
        assert failed.code == 2
        # (qa206 F2: a path that does not exist is said so, as `scan` and `library add` say)
        assert "gone: does not exist (a drive or share not mounted?); nothing was scanned" \
            in failed.err, failed.err
        check = cli("--pack", str(pack), "--json", "bios", "check", "--platform", "gba")
        assert [g["present"] for g in check.json()["data"]["groups"] if g["required"]] == [[]]
    a_file = tmp_path / "scph1001.bin"
    a_file.write_bytes(b"\0" * 16)
    failed = cli("--pack", str(pack), "bios", "scan", str(a_file))
    assert failed.code == 2 and "scph1001.bin: not a folder; nothing was scanned" in failed.err


def test_bios_scan_full_reads_a_dump_rewritten_at_the_same_size_and_time(
        cli: Any, tmp_path: Path) -> None:
    """QA39 F4: a BIOS replaced by other bytes at the same size and time (cp -p, rsync -t)
    stayed "exact_match" with no way to read it again, and went on the card."""
    import os
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    assert cli("--pack", str(pack), "bios", "scan", str(bios_dir)).code == 0
    dump = bios_dir / "gba boot (copy).bin"
    info = dump.stat()
    dump.write_bytes(bytes(255 - b for b in dump.read_bytes()))  # other bytes, same size
    os.utime(dump, ns=(info.st_atime_ns, info.st_mtime_ns))

    def present() -> list[Any]:
        check = cli("--pack", str(pack), "--json", "bios", "check", "--platform", "gba")
        return [g["present"] for g in check.json()["data"]["groups"] if g["required"]]

    plain = cli("--pack", str(pack), "--json", "bios", "scan", str(bios_dir)).json()["data"]
    assert plain["hashed"] == 0 and present() != [[]]  # (size and time trusted, as documented)
    full = cli("--pack", str(pack), "--json", "bios", "scan", "--full", str(bios_dir))
    assert full.code == 0, full.err
    assert full.json()["data"]["hashed"] == full.json()["data"]["scanned"] > 0
    assert present() == [[]]


def test_a_card_not_mounted_holding_the_same_dumps_is_not_said_gone(
        cli: Any, tmp_path: Path) -> None:
    """Review 19 R4: the moved-folder rule marked missing, "no longer there", the dumps of a
    card or share that was merely not mounted (its mount point empty) when another folder
    with the same dumps was scanned."""
    import shutil
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    card = tmp_path / "mnt" / "card" / "bios"
    shutil.copytree(bios_dir, card)
    assert cli("--pack", str(pack), "bios", "scan", str(card)).code == 0
    shutil.rmtree(tmp_path / "mnt" / "card")  # unmounted: /mnt empty
    scanned = cli("--pack", str(pack), "--json", "bios", "scan", str(bios_dir))
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["notes"] == []
    import sqlite3
    with sqlite3.connect(tmp_path / "library.db") as conn:
        kept = conn.execute("SELECT count(*) FROM bios_files WHERE is_missing = 0 "
                            "AND filepath LIKE ?", (f"{card.resolve()}%",)).fetchone()[0]
    assert kept == len(list(bios_dir.iterdir())) > 0


def test_a_bios_dump_among_the_games_is_no_game(cli: Any, tmp_path: Path) -> None:
    """QA39 F1: a BIOS kept in a ROM folder (`psx/scph5500.bin`) was an auto-list's game and
    went into the card's ROM folder beside the games."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    library = tmp_path / "library"
    (library / "gba").mkdir(parents=True)
    (library / "gba" / "boot.gba").write_bytes((bios_dir / "gba boot (copy).bin").read_bytes())
    rom(library / "gba" / "Pocket (USA).gba", "gba")

    def run(*args: str) -> Any:
        return cli("--pack", str(pack), "--json", *args)

    for args in (("library", "add", str(library)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run(*args).code == 0, args
    listed = {g["filename"]: g for g in run("autolist", "1").json()["data"]["games"]}
    assert (listed["boot.gba"]["included"], listed["boot.gba"]["reason"]) == (False, "bios_file")
    assert listed["Pocket (USA).gba"]["included"]
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", "1", "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    assert any("1 BIOS dump among the chosen games is not copied to a ROM folder (boot.gba "
               "(example-gba-boot.bin))" in w for w in done.json()["warnings"])
    assert sorted(p.name for p in card.rglob("*.gba")) == ["Pocket (USA).gba"]


def test_a_deploy_takes_the_copy_of_a_bios_that_is_there(cli: Any, tmp_path: Path) -> None:
    """QA40 F1: a BIOS folder moved out of a folder it left empty keeps its old rows present
    (the empty folder reads as a card not mounted); the deploy took the first copy by path,
    gone, and failed it at every deploy: it takes the one that is there."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    old = tmp_path / "a-old" / "bios"
    old.parent.mkdir()
    bios_dir.rename(old)
    run, profile = setup(cli, tmp_path, "muos", pack, old, {"gba/Pocket (USA).gba": "gba"})
    new = tmp_path / "z-new" / "bios"
    new.parent.mkdir()
    old.rename(new)  # (a-old left empty)
    assert run("bios", "scan", str(new)).code == 0
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    assert (card / "MUOS/bios/example-gba-boot.bin").read_bytes() == \
        (new / "gba boot (copy).bin").read_bytes()


def test_a_game_a_catalog_identifies_stays_a_game_whatever_its_bytes(
        cli: Any, tmp_path: Path) -> None:
    """Review 20 R1: a cartridge a game DAT identifies (Sonic & Knuckles) whose bytes a BIOS
    source also lists (System.dat's `sk.bin`) was left off the auto-list and every deploy as
    "a BIOS dump"; a catalog's "[BIOS]" entry is a BIOS all the same."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    data = (bios_dir / "gba boot (copy).bin").read_bytes()
    library = tmp_path / "library"
    (library / "gba").mkdir(parents=True)
    (library / "gba" / "lockon.gba").write_bytes(data)
    rom(library / "gba" / "Pocket (USA).gba", "gba")
    entry = (f'\trom ( name "x.gba" size {len(data)} crc {zlib.crc32(data):08X} '
             f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n')
    catalog = tmp_path / "gba.dat"

    def run(*args: str) -> Any:
        return cli("--pack", str(pack), "--json", *args)

    for args in (("library", "add", str(library)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run(*args).code == 0, args
    for name, included in (("Lock-On Game (World)", True), ("[BIOS] Boot (World)", False)):
        catalog.write_text('clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n\tversion '
                           f'"{name[:2]}"\n)\ngame (\n\tname "{name}"\n{entry})\n')
        assert run("dat", "import", str(catalog), "--force").code == 0
        listed = {g["filename"]: g for g in run("autolist", "1").json()["data"]["games"]}
        assert listed["lockon.gba"]["included"] is included, name


def test_a_scan_of_a_parent_folder_keeps_the_dumps_of_a_hidden_one(
        cli: Any, tmp_path: Path) -> None:
    """QA40 F6: `bios scan HOME` (which skips `.config`) marked missing the dumps a scan of
    `HOME/.config/retroarch/system` had stored, though they were there."""
    import shutil
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    home = tmp_path / "home"
    system = home / ".config" / "retroarch" / "system"
    shutil.copytree(bios_dir, system)
    (home / "Emulation").mkdir()
    assert cli("--pack", str(pack), "bios", "scan", str(system)).code == 0
    scanned = cli("--pack", str(pack), "--json", "bios", "scan", str(home))
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["skipped_hidden"] == 1
    check = cli("--pack", str(pack), "--json", "bios", "check", "--platform", "gba")
    assert [len(g["present"]) for g in check.json()["data"]["groups"] if g["required"]] == [1]


def test_a_deploy_takes_the_copy_that_is_there_under_another_name(
        cli: Any, tmp_path: Path) -> None:
    """QA41 F1: the gone copy, under the entry's own name, served the entry: the copy that
    is there, under another name, was never a candidate, and every deploy failed."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    (bios_dir / "gba boot (copy).bin").rename(bios_dir / "example-gba-boot.bin")
    old = tmp_path / "a-old" / "bios"
    old.parent.mkdir()
    bios_dir.rename(old)
    run, profile = setup(cli, tmp_path, "muos", pack, old, {"gba/Pocket (USA).gba": "gba"})
    new = tmp_path / "z-new" / "bios"
    new.parent.mkdir()
    old.rename(new)  # (a-old left empty)
    (new / "example-gba-boot.bin").rename(new / "my gba bios.bin")
    assert run("bios", "scan", str(new)).code == 0
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    assert (card / "MUOS/bios/example-gba-boot.bin").read_bytes() == \
        (new / "my gba bios.bin").read_bytes()


def test_the_bios_of_games_held_while_their_root_is_away_is_never_pruned(
        cli: Any, tmp_path: Path) -> None:
    """QA67 F1: the share unmounted, `deploy --auto --prune` kept the card's GBA games (their
    root is away) and removed the required BIOS they run with: a card of games that cannot
    start, said as "1 pruned"."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    run, profile = setup(cli, tmp_path, "muos", pack, bios_dir, {"gba/Pocket (USA).gba": "gba"})
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "--auto").code == 0
    before = set(card_files(card))
    assert "MUOS/bios/example-gba-boot.bin" in before
    (tmp_path / "library").rename(tmp_path / "library-away")  # the share is unmounted
    dry = run("deploy", str(profile), "--to", str(card), "--auto", "--prune", "--dry-run")
    assert dry.json()["data"]["prune"] == [], dry.out
    done = run("deploy", str(profile), "--to", str(card), "--auto", "--prune")
    assert done.json()["data"]["pruned"] == 0, done.out
    assert set(card_files(card)) == before


def test_two_problem_files_of_one_name_are_told_apart_by_their_paths(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA109 F8: `bios check` said "gba_bios.bin: wrong_hash; gba_bios.bin: wrong_hash"."""
    monkeypatch.setenv("COLUMNS", "400")  # (a path whole on its line)
    folders = [tmp_path / "bios", tmp_path / "more bios"]
    for n, folder in enumerate(folders):
        folder.mkdir()
        (folder / "gba_bios.bin").write_bytes(bytes([n + 1]) * 16384)
        assert cli("bios", "scan", str(folder)).code in (0, 1)
    checked = cli("bios", "check", "--platform", "gba")
    line = " ".join(checked.out.split())
    assert line.count("gba_bios.bin:") == 2, checked.out
    for folder in folders:
        assert str(folder / "gba_bios.bin") in line, line


def test_a_deploy_says_no_missing_bios_of_a_platform_it_only_keeps(
        cli: Any, tmp_path: Path) -> None:
    """QA141 F11: with the library's root away, a deploy of its GBA games warned that the
    SNES games (not chosen; their card copies only kept) had no verified BIOS: a BIOS is said
    missing for the platforms a deploy writes games of."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    run, profile = setup(cli, tmp_path, "muos", pack, bios_dir,
                         {"gba/Pocket (USA).gba": "gba", "snes/Tiles (USA).sfc": "snes"})
    card = tmp_path / "card"
    card.mkdir()
    first = run("deploy", str(profile), "--to", str(card), "--auto", "--dry-run")
    said = {w["platform_id"] for w in first.json()["data"]["plan"]["warnings"]
            if w["code"] == "missing-bios"}
    assert said == {"snes"}, said  # (the example's SNES BIOS is no good dump)
    done = run("deploy", str(profile), "--to", str(card), "--auto")
    assert done.code in (0, 1)
    # the run's JSON gives them with their codes too (QA147 F6: prose among warnings only)
    assert {w["platform_id"] for w in done.json()["data"]["plan_warnings"]
            if w["code"] == "missing-bios"} == {"snes"}
    (tmp_path / "library").rename(tmp_path / "library-away")
    dry = run("deploy", str(profile), "--to", str(card), "platform:gba", "--dry-run")
    assert not [w for w in dry.json()["data"]["plan"]["warnings"]
                if w["code"] == "missing-bios"], dry.out


def _pack_with_a_ps2_bios(tmp_path: Path, written_as: str) -> Path:
    """A copy of the real pack knowing a test PS2 BIOS (``ps2-test.bin``, also named
    ``PS2-TEST.BIN``, in the LRPS2 core's folder, as the pack's are), written in
    ``tmp_path/bios`` as ``written_as``."""
    pack = tmp_path / "pack"
    shutil.copytree(shared_path("definition-pack"), pack)
    data = json.loads((pack / "bios-hashes.json").read_text(encoding="utf-8"))
    dump = hashlib.sha256(b"a ps2 bios for tests").digest() * 128
    data["biosFiles"].append({
        "id": "ps2-test-bios", "name": "PS2 test BIOS", "filename": "ps2-test.bin",
        "alternateFilenames": ["PS2-TEST.BIN"],
        "platformId": "ps2", "required": True, "hleFallback": False, "fileSize": len(dump),
        "biosSubdirectory": "pcsx2/bios",
        "knownHashes": [{"md5": hashlib.md5(dump).hexdigest(),
                         "sha1": hashlib.sha1(dump).hexdigest(),
                         "crc32": f"{zlib.crc32(dump):08x}", "isPreferred": True}]})
    (pack / "bios-hashes.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "bios").mkdir()
    (tmp_path / "bios" / written_as).write_bytes(dump)
    return pack


def test_a_bios_named_by_another_of_its_names_says_its_name_on_the_card(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA147 F7: a file named by one of its entry's other names (`GBA_BIOS.BIN`) was shown
    bare by `bios check`, though the card gets the entry's name; QA147 F9: an unknown
    emulator listed the pack's ~280 emulator ids on one line."""
    pack = _pack_with_a_ps2_bios(tmp_path, "PS2-TEST.BIN")
    setup(cli, tmp_path, "batocera", pack, tmp_path / "bios", {"ps2/Racer (USA).iso": "ps2"})
    monkeypatch.setenv("COLUMNS", "400")  # table cells on one line, to read them whole
    text = cli("--pack", str(pack), "bios", "check", "--platform", "ps2").out
    assert "PS2-TEST.BIN (as ps2-test.bin on the card)" in text, text
    wrong = cli("--pack", str(pack), "bios", "check", "--emulator", "duckstaton")
    assert wrong.code == 2 and wrong.err.count("\n") == 1 and len(wrong.err) < 200, wrong.err
    assert "did you mean duckstation" in wrong.err


@pytest.mark.parametrize(("os_id", "expected"), [
    ("batocera", "bios/ps2/ps2-test.bin"), ("knulli", "bios/ps2/ps2-test.bin"),
    ("emudeck", "Emulation/bios/ps2-test.bin"),
    # (QA161 F2: RetroDECK's PCSX2 reads retrodeck/bios itself)
    ("retrodeck", "retrodeck/bios/ps2-test.bin"),
    ("rocknix", "roms/bios/pcsx2/bios/ps2-test.bin"),
    # (review 149 F1: RetroBat, of Batocera's family, reads bios/pcsx2/bios)
    ("retrobat", "bios/pcsx2/bios/ps2-test.bin")])
def test_a_ps2_bios_goes_where_the_os_points_pcsx2(
        cli: Any, tmp_path: Path, os_id: str, expected: str) -> None:
    """QA145 F8, QA147 F2: the pack's `pcsx2/bios` is the LRPS2 core's folder; Batocera
    (and KNULLI) point PCSX2 at `bios/ps2`, EmuDeck's PCSX2-Qt at `Emulation/bios` itself,
    so every PS2 game wanted a BIOS the deploy had put elsewhere. Where we know no such rule
    the pack's folder stands."""
    pack = _pack_with_a_ps2_bios(tmp_path, "ps2-test.bin")
    run, profile = setup(cli, tmp_path, os_id, pack, tmp_path / "bios",
                         {"ps2/Racer (USA).iso": "ps2 game"})
    check = run("bios", "check", "--profile", str(profile), "--platform", "ps2")
    (destination,) = {entry["destination"] for group in check.json()["data"]["groups"]
                      for entry in group["one_of"] if entry["filename"] == "ps2-test.bin"}
    card = tmp_path / "card"
    card.mkdir()
    if os_id == "retrobat":  # (its pack entry names no folders: the user says them)
        assert run("destination", "paths", str(profile), "--to", str(card), "--set",
                   "roms=roms", "--set", "bios=bios").code == 0
    done = run("deploy", str(profile), "--to", str(card), "platform:ps2")
    assert done.code in (0, 1), done.err
    assert expected in card_files(card), card_files(card)
    assert (destination or "") in expected
    # said before a deploy too (QA161 F6: `destination paths` showed no PS2 BIOS folder, the
    # check's text no folder line)
    shown = run("destination", "paths", str(profile), "--to", str(card)).json()["data"]
    root = next(row["path"] for row in shown["folders"] if row["kind"] == "bios")
    ps2 = next(row for row in shown["folders"] if row["platform_id"] == "ps2")
    folder = expected.rpartition("/")[0]
    assert ps2["bios_paths"] == ([] if folder == root else [folder]), ps2
    text = " ".join(cli("--pack", str(pack), "bios", "check", "--profile", str(profile),
                        "--platform", "ps2").out.split())
    inside = folder.removeprefix(root).strip("/")
    assert (f"ps2 in {inside}/" in text) == bool(inside), text


def test_a_ps2_bios_goes_where_the_libretro_core_reads_it_when_chosen(
        cli: Any, tmp_path: Path) -> None:
    """QA151 F3: with the LRPS2 core chosen on Batocera (an override), the BIOS still went
    to `bios/ps2/` (where Batocera points its standalone PCSX2), not `bios/pcsx2/bios/`."""
    pack = _pack_with_a_ps2_bios(tmp_path, "ps2-test.bin")
    run, profile = setup(cli, tmp_path, "batocera", pack, tmp_path / "bios",
                         {"ps2/Racer (USA).iso": "ps2 game"})
    assert run("override", "set", "--platform", "ps2", "--emulator", "pcsx2-libretro",
               "--profile", str(profile)).code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "platform:ps2").code in (0, 1)
    assert "bios/pcsx2/bios/ps2-test.bin" in card_files(card), card_files(card)
    assert "bios/ps2/ps2-test.bin" not in card_files(card)


def test_a_kept_bios_in_a_folder_the_os_does_not_read_now_is_said_so(
        cli: Any, tmp_path: Path) -> None:
    """QA151 F2: the card's good PS2 dump in `bios/pcsx2/bios/` (the LRPS2 core's), the
    library's gone: "the games run as long as it stays there", though Batocera's PCSX2 reads
    `bios/ps2/` only."""
    pack = _pack_with_a_ps2_bios(tmp_path, "ps2-test.bin")
    run, profile = setup(cli, tmp_path, "batocera", pack, tmp_path / "bios",
                         {"ps2/Racer (USA).iso": "ps2 game"})
    override = ("override", "set", "--platform", "ps2", "--emulator", "pcsx2-libretro",
                "--profile", str(profile))
    assert run(*override).code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "platform:ps2").code in (0, 1)
    assert "bios/pcsx2/bios/ps2-test.bin" in card_files(card)
    assert run("override", "rm", "--platform", "ps2", "--profile", str(profile)).code == 0
    (tmp_path / "bios" / "ps2-test.bin").write_bytes(b"gone bad" * 512)
    assert run("bios", "scan", str(tmp_path / "bios")).code == 0
    dry = run("deploy", str(profile), "--to", str(card), "platform:ps2", "--dry-run")
    said = " | ".join(w["message"] for w in dry.json()["data"]["plan"]["warnings"]
                      if w["code"] == "missing-bios")
    assert "the games run" not in said and "bios/pcsx2/bios/ps2-test.bin" in said, said
    assert "in a folder batocera does not read it from now: move it to bios/ps2" in said


def test_a_root_away_holds_only_the_games_the_card_has_and_takes_only_their_bios(
        cli: Any, tmp_path: Path) -> None:
    """QA152 F10: with the library's root away, every game of it was held: the BIOS of a
    platform with no copy on the card (one the profile excludes) was planned, and the warning
    counted all the root's games as kept on the card."""
    bios_dir, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    run, profile = setup(cli, tmp_path, "muos", pack, bios_dir,
                         {"gba/Pocket (USA).gba": "gba", "gb/Brick (USA).gb": "gb",
                          "gb/Block (USA).gb": "gb2"})
    card = tmp_path / "card"
    card.mkdir()
    assert run("deploy", str(profile), "--to", str(card), "platform:gb").code == 0
    before = set(card_files(card))
    assert not [path for path in before if "gba" in path.lower()]
    (tmp_path / "library").rename(tmp_path / "library-away")  # the share is unmounted
    again = run("deploy", str(profile), "--to", str(card), "platform:gb")
    assert set(card_files(card)) == before, again.out
    away = [w for w in again.json()["warnings"] if "library root is not reachable" in w]
    assert len(away) == 1 and "copies of 2 games of it kept" in away[0], away


@pytest.mark.parametrize("os_id", ["android", "batocera"])
def test_a_deploy_says_where_the_bios_files_it_writes_go(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """QA161 F6: only a dry run's --verbose list said where BIOS files went; F1: on Android
    they are read only from the folder each emulator is pointed at, which nothing said."""
    pack = _pack_with_a_ps2_bios(tmp_path, "ps2-test.bin")
    run, profile = setup(cli, tmp_path, os_id, pack, tmp_path / "bios",
                         {"ps2/Racer (USA).iso": "ps2 game"})
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:ps2")
    assert done.code in (0, 1), done.err
    (written,) = [path for path in card_files(card) if path.endswith("ps2-test.bin")]
    folder = written.rpartition("/")[0]
    notes = [note for note in done.json()["data"]["notes"] if "BIOS file" in note]
    assert notes and notes[0].startswith(f"1 BIOS file goes to {folder}/"), notes
    assert f"{folder}/ (1)" not in notes[0]  # (one folder: its count is the total's, qa176)
    # on Android, which emulator reads it there once pointed at it (QA163 F1): the one
    # `bios check` judges the platform for
    groups = run("bios", "check", "--profile", str(profile), "--platform", "ps2"
                 ).json()["data"]["groups"]
    (emulator,) = {group["emulator_id"] for group in groups}
    emulators = json.loads((pack / "emulators.json").read_text(encoding="utf-8"))["emulators"]
    name = next(entry["name"] for entry in emulators if entry["id"] == emulator)
    assert (f"point {name}'s BIOS folder at {folder}/" in notes[0]) == (os_id == "android"), \
        notes
    again = run("deploy", str(profile), "--to", str(card), "platform:ps2")
    assert not [note for note in again.json()["data"]["notes"] if "BIOS file" in note]


@pytest.mark.parametrize(("os_id", "expected"), [
    ("emudeck", "Emulation/bios/ryujinx/keys/prod.keys"),
    ("retrodeck", "retrodeck/bios/switch/keys/prod.keys"),
    ("batocera", "bios/switch/prod.keys"),
    ("rocknix", "roms/bios/ryujinx/keys/prod.keys")])
def test_switch_keys_go_where_the_os_points_its_switch_emulator(
        cli: Any, tmp_path: Path, os_id: str, expected: str) -> None:
    """QA161 F11, QA163 F3: the keys went to the BIOS folder's root, where no frontend's
    Switch emulator reads them (EmuDeck links `Emulation/bios/ryujinx/keys`, RetroDECK reads
    `bios/switch/keys`, Batocera's add-on `bios/switch`), while `bios check` said
    satisfied."""
    pack = shared_path("definition-pack")
    (tmp_path / "bios").mkdir()
    (tmp_path / "bios" / "prod.keys").write_text("key = 00\n", encoding="utf-8")
    run, profile = setup(cli, tmp_path, os_id, pack, tmp_path / "bios",
                         {"switch/Racer (USA).nsp": "switch game"})
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:switch")
    assert done.code in (0, 1), done.err
    assert expected in card_files(card), card_files(card)


def test_on_android_a_switch_emulator_is_told_to_install_the_keys_not_pointed_at_a_folder(
        cli: Any, tmp_path: Path) -> None:
    """QA165: on Android the Switch keys went to the card with "point …'s BIOS folder at"
    them, but Android's Switch emulators read no BIOS folder: each installs the keys picked
    in its own menu."""
    pack = shared_path("definition-pack")
    (tmp_path / "bios").mkdir()
    (tmp_path / "bios" / "prod.keys").write_text("key = 00\n", encoding="utf-8")
    run, profile = setup(cli, tmp_path, "android", pack, tmp_path / "bios",
                         {"switch/Racer (USA).nsp": "switch game"})
    card = tmp_path / "card"
    card.mkdir()
    done = run("deploy", str(profile), "--to", str(card), "platform:switch")
    assert done.code in (0, 1), done.err
    (written,) = [path for path in card_files(card) if path.endswith("prod.keys")]
    folder = written.rpartition("/")[0]
    (note,) = [note for note in done.json()["data"]["notes"] if "BIOS file" in note]
    groups = run("bios", "check", "--profile", str(profile), "--platform", "switch"
                 ).json()["data"]["groups"]
    (emulator,) = {group["emulator_id"] for group in groups}
    emulators = json.loads((pack / "emulators.json").read_text(encoding="utf-8"))["emulators"]
    # (the pack names no Switch emulator for Android: the note says "a Switch emulator, if
    # the device has one,")
    name = next((entry["name"] for entry in emulators if entry["id"] == emulator),
                "a Switch emulator, if the device has one,")
    assert f"{name} installs the Switch keys from its own menu (Install keys: pick " \
        f"prod.keys in {folder}/)" in note, note
    assert f"{name}'s BIOS folder" not in note and "point" not in note, note


def test_the_keys_note_names_no_switch_emulator_on_an_os_said_to_have_none(
        cli: Any, tmp_path: Path) -> None:
    """qa176 N14: on Anbernic's stock Android, where the deploy warns that no emulator the
    pack knows runs switch ("it will not start there"), the keys note went on "the Switch
    emulator installs the Switch keys from its own menu"."""
    pack = shared_path("definition-pack")
    (tmp_path / "bios").mkdir()
    (tmp_path / "bios" / "prod.keys").write_text("key = 00\n", encoding="utf-8")
    run, profile = setup(cli, tmp_path, "anbernic-stock-android-t820-family", pack,
                         tmp_path / "bios", {"switch/Racer (USA).nsp": "switch game"})
    card = tmp_path / "card"
    card.mkdir()
    assert run("destination", "paths", str(profile), "--to", str(card), "--set", "roms=Roms",
               "--set", "bios=RetroArch/system").code == 0
    done = run("deploy", str(profile), "--to", str(card), "platform:switch")
    assert done.code in (0, 1), done.err
    assert "switch: 1 game goes on the card, but no emulator the definition pack knows runs " \
        "switch" in done.out, done.out
    (note,) = [note for note in done.json()["data"]["notes"] if "BIOS file" in note]
    assert "the Switch emulator" not in note, note
    assert "; a Switch emulator, if the device has one, installs the Switch keys from its " \
        "own menu (Install keys: pick prod.keys in RetroArch/system/)" in note, note
