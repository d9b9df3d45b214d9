"""QA6 B-4: a verified BIOS under another name counts and is deployed under the pack's name;
`bios scan` says which file is what; `bios check --profile` covers what the profile can use;
the status column is never cut; a pack hash that disagrees never fails a real dump and never
passes a bad one (end to end). Real files, real SQLite, the CLI in-process and as a
subprocess."""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_subprocess
from tests.test_bios_pack_hashes import bios_entry, corrupt, dump, hashes_of, write_pack

NES = dump("nes boot", 4096)
NES_ALT = dump("nes boot, another revision", 4096)
SHARED = dump("one chip, two consoles", 2048)
PS1 = dump("ps1 bios", 8192)
PS2 = dump("ps2 bios", 1024)


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # table cells on one line, to read them whole


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path, [
        bios_entry("nes-boot", "nes-boot.bin", "nes", NES,
                   known=[hashes_of(NES), hashes_of(NES_ALT, preferred=False)]),
        # one dump that two platforms need, each under its own name
        bios_entry("snes-chip", "snes-chip.bin", "snes", SHARED),
        bios_entry("gb-chip", "gb-chip.bin", "gb", SHARED),
        # three entries of one PS1 group sharing a dump (as scph5501/5503/7003 do)
        bios_entry("ps1-a", "ps1-a.bin", "psx", PS1, hle=True),
        bios_entry("ps1-b", "ps1-b.bin", "psx", PS1, hle=True,
                   known=[hashes_of(PS1, preferred=False)]),
        bios_entry("ps1-c", "ps1-c.bin", "psx", PS1, hle=True,
                   known=[hashes_of(PS1, preferred=False)]),
        bios_entry("ps2-main", "ps2-main.bin", "ps2", PS2),
    ])


def rom(path: Path, seed: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump(seed, 4096))


def library(cli: Any, tmp_path: Path, pack: Path, platforms: dict[str, str]) -> None:
    root = tmp_path / "roms"
    for folder, name in platforms.items():
        rom(root / folder / name, folder)
    assert cli("--pack", pack, "library", "add", root).code == 0
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert cli("--pack", pack, "device", "add", "rg-35xx-plus").code == 0
    assert cli("--pack", pack, "profile", "create", "--device", "1", "--os", "muos").code == 0


def card_bios(card: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in card.rglob("*") if p.is_file()
            and ".romrunner" not in p.parts and p.parent.name.lower() == "bios"}


# -- 1. a verified dump under another name -----------------------------------------------------
def test_a_verified_dump_under_another_name_is_deployed_under_the_packs_name(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    library(cli, tmp_path, pack, {"nes": "Castle Run (USA).nes"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "NES boot.bin").write_bytes(NES)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    check = cli("--pack", pack, "bios", "check", "--platform", "nes")
    assert check.code == 0, check.out
    text = " ".join(check.out.split())
    assert "all required BIOS present (1 of 1)" in text
    assert "NES boot.bin (as nes-boot.bin on the card; rename optional)" in text
    card = tmp_path / "card"
    card.mkdir()
    deployed = cli("--json", "--pack", pack, "deploy", "1", "--to", card, "platform:nes")
    assert deployed.code == 0, deployed.err
    assert not [w for w in deployed.json()["warnings"] + deployed.json()["data"].get(
        "warnings", []) if "BIOS" in str(w)]
    assert card_bios(card) == {"nes-boot.bin": NES}
    # the library file keeps its name: the card name came from the pack entry
    assert sorted(p.name for p in folder.iterdir()) == ["NES boot.bin"]


def test_the_cards_own_bios_scanned_is_no_source_of_its_deploys(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA55 F7: the player verified the card's BIOS with `bios scan CARD/…`; the card's copy,
    under the entry's own name, then won over the library's misnamed dump, and every deploy
    to the card was refused ("holds a file this deploy copies from")."""
    library(cli, tmp_path, pack, {"nes": "Castle Run (USA).nes"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "NES boot.bin").write_bytes(NES)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:nes").code == 0
    [on_card] = [p for p in card.rglob("nes-boot.bin")]
    assert cli("--pack", pack, "bios", "scan", on_card.parent).code == 0
    again = cli("--json", "--pack", pack, "deploy", "1", "--to", card, "platform:nes")
    assert again.code == 0, again.err
    assert card_bios(card) == {"nes-boot.bin": NES}
    assert (folder / "NES boot.bin").read_bytes() == NES


def test_two_files_for_one_entry_the_same_one_is_chosen_every_time(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """Both misnamed: the preferred dump wins over an alternate one whatever the paths; a
    file under the entry's own name wins over both."""
    library(cli, tmp_path, pack, {"nes": "Castle Run (USA).nes"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "a alternate.bin").write_bytes(NES_ALT)  # sorts first, but only an alternate
    (folder / "z preferred.bin").write_bytes(NES)
    cli("--pack", pack, "bios", "scan", folder)

    def present() -> list[str]:
        data = cli("--json", "--pack", pack, "bios", "check", "--platform", "nes").json()
        (group,) = data["data"]["groups"]
        return [Path(p["filepath"]).name for p in group["present"]]

    assert present() == ["z preferred.bin"]
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:nes").code == 0
    assert card_bios(card) == {"nes-boot.bin": NES}
    (folder / "nes-boot.bin").write_bytes(NES_ALT)  # now one under the pack's own name
    cli("--pack", pack, "bios", "scan", folder)
    assert present() == ["nes-boot.bin"]
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:nes").code == 0
    assert card_bios(card) == {"nes-boot.bin": NES_ALT}


def test_one_dump_two_platforms_each_card_name_and_no_rename_advice(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    library(cli, tmp_path, pack, {"snes": "Sky Pilot (USA).sfc", "gb": "Pocket (USA).gb"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "snes-chip.bin").write_bytes(SHARED)  # right for snes, another name for gb
    cli("--pack", pack, "bios", "scan", folder)
    check = cli("--pack", pack, "bios", "check", "--platform", "snes", "--platform", "gb")
    assert check.code == 0
    text = " ".join(check.out.split())
    assert "snes-chip.bin (as gb-chip.bin on the card)" in text
    assert "rename" not in text  # renaming it would break snes
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:snes,gb").code == 0
    assert card_bios(card) == {"snes-chip.bin": SHARED, "gb-chip.bin": SHARED}


def test_a_file_named_as_one_bios_holding_another_s_dump_says_both(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA23 F4: named as the NES BIOS, holding the PS2 one: NES was "missing" with no problem
    named, and the advice for PS2 was "rename optional" — renaming is what frees NES's name."""
    library(cli, tmp_path, pack, {"nes": "Game (USA).nes", "ps2": "Game (USA).iso"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "nes-boot.bin").write_bytes(PS2)
    scan = " ".join(cli("--pack", pack, "bios", "scan", folder).out.split())
    assert "nes-boot.bin: exact_match as ps2-main.bin" in scan
    assert "its name is nes-boot's, which it is not: rename it (to ps2-main.bin)" in scan
    check = cli("--pack", pack, "--json", "bios", "check", "--platform", "nes",
                "--platform", "ps2").json()["data"]["groups"]
    nes = next(g for g in check if g["platform_id"] == "nes")
    assert nes["status"] == "missing-blocking"
    assert [(Path(p["filepath"]).name, p["status"]) for p in nes["problems"]] == [
        ("nes-boot.bin", "wrong_size")]
    text = " ".join(cli("--pack", pack, "bios", "check", "--platform", "ps2").out.split())
    assert "nes-boot.bin (as ps2-main.bin on the card; rename it: its name is another " \
        "BIOS's)" in text


def test_a_dump_several_entries_of_one_group_share_goes_once(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    library(cli, tmp_path, pack, {"psx": "Disc Game (USA).iso"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "my ps1 bios.bin").write_bytes(PS1)
    cli("--pack", pack, "bios", "scan", folder)
    data = cli("--json", "--pack", pack, "bios", "check", "--platform", "psx").json()["data"]
    (group,) = data["groups"]
    assert group["status"] == "satisfied"
    assert [(p["entry"], p["card_name"]) for p in group["present"]] == [("ps1-a", "ps1-a.bin")]
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:psx").code == 0
    assert card_bios(card) == {"ps1-a.bin": PS1}


# -- 2. bios scan says which file is what ------------------------------------------------------
def test_bios_scan_names_each_file_and_reports_links(cli: Any, pack: Path,
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "bios"
    (folder / "sub").mkdir(parents=True)
    (folder / "nes-boot.bin").write_bytes(NES)                 # verified, right name
    (folder / "NES boot.bin").write_bytes(NES)                 # verified, another name
    (folder / "ps2-main.bin").write_bytes(dump("bad", 1024))   # the name, not the dump
    (folder / "gb-chip.bin").write_bytes(b"short")             # the name, not the size
    (folder / "sub" / "readme.txt").write_bytes(b"hello")      # nothing known
    (folder / "ps1.bin").write_bytes(PS1)                      # one file, three entries
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "snes-chip.bin").write_bytes(SHARED)
    os.symlink(outside / "snes-chip.bin", folder / "snes-chip.bin")
    os.symlink(outside, folder / "linked folder")
    result = cli("--json", "--pack", pack, "bios", "scan", folder)
    assert result.code == 0, result.err
    data = result.json()["data"]
    files = {f["relative"]: f for f in data["files"]}
    assert set(files) == {"nes-boot.bin", "NES boot.bin", "ps2-main.bin", "gb-chip.bin",
                          "sub/readme.txt", "ps1.bin"}  # links are not followed
    assert {name: f["status"] for name, f in files.items()} == {
        "nes-boot.bin": "exact_match", "NES boot.bin": "exact_match",
        "ps2-main.bin": "wrong_hash", "gb-chip.bin": "wrong_size",
        "sub/readme.txt": "unknown", "ps1.bin": "exact_match"}
    assert [(e["entry"], e["expected_filename"]) for e in files["NES boot.bin"]["entries"]] \
        == [("nes-boot", "nes-boot.bin")]
    assert sorted(e["entry"] for e in files["ps1.bin"]["entries"]) == ["ps1-a", "ps1-b",
                                                                       "ps1-c"]
    assert files["sub/readme.txt"]["entries"] == []
    # counted per file (ps1.bin has three verdicts, one count)
    assert data["statuses"] == {"exact_match": 3, "wrong_hash": 1, "wrong_size": 1,
                                "unknown": 1}
    links = {Path(n["path"]).name: n["note"] for n in data["notes"]
             if "symbolic link" in n["note"]}
    assert set(links) == {"snes-chip.bin", "linked folder"}
    assert f"(to {outside / 'snes-chip.bin'}) not followed" in links["snes-chip.bin"]

    text = cli("--pack", pack, "bios", "scan", folder).out
    lines = " ".join(text.split())
    assert "ps2-main.bin: wrong_hash (not a known dump of ps2-main)" in lines
    assert "gb-chip.bin: wrong_size (5 bytes where gb-chip has 2,048)" in lines
    assert "sub/readme.txt: unknown" in lines
    assert "NES boot.bin: exact_match as nes-boot.bin (nes-boot); deploy writes it under " \
           "that name, renaming it here is optional" in lines
    assert "nes-boot.bin:" not in lines.replace("as nes-boot.bin", "")  # verified: no line
    # known under three names, none of them its own: one line, every name
    assert "ps1.bin: exact_match as ps1-a.bin, ps1-b.bin, ps1-c.bin (ps1-a, ps1-b, ps1-c); " \
           "deploy writes it under the one a platform needs" in lines
    assert "snes-chip.bin: symbolic link" in lines and "linked folder: symbolic link" in lines


# -- 3. bios check --profile covers the platforms the profile can use --------------------------
def test_profile_check_covers_the_platforms_the_profile_can_use(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    assert cli("--pack", pack, "device", "add", "rg-35xx-plus").code == 0
    assert cli("--pack", pack, "profile", "create", "--device", "1", "--os", "muos").code == 0
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "nes-boot.bin").write_bytes(NES)
    (folder / "snes-chip.bin").write_bytes(SHARED)
    cli("--pack", pack, "bios", "scan", folder)
    # No games: the platforms muOS's profile names (ps2 is not one of them on this device).
    empty = cli("--json", "--pack", pack, "bios", "check", "--profile", "1")
    scope = empty.json()["data"]["scope"]
    assert "nes" in scope["platforms"] and "ps2" not in scope["platforms"]
    assert "ps2" not in {g["platform_id"] for g in empty.json()["data"]["groups"]}
    # ps2-main (required, no fallback, missing) is outside the scope: it does not fail the
    # check; psx (HLE fallback) is the one missing; gb takes the snes dump under its name
    assert empty.code == 0, empty.out
    assert "1 with an HLE fallback" in empty.json()["data"]["summary"]
    # With games: the library's platforms the profile has an emulator for; a platform it has
    # no emulator for is left out (and its missing BIOS does not fail the check).
    root = tmp_path / "roms"
    rom(root / "nes" / "Castle Run (USA).nes", "nes")
    rom(root / "snes" / "Sky Pilot (USA).sfc", "snes")
    rom(root / "ps2" / "Big Game (USA).iso", "ps2")
    assert cli("--pack", pack, "library", "add", root).code == 0
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert {g["platform_id"] for g in cli("--json", "--pack", pack, "games", "ls").json()[
        "data"]["games"]} == {"nes", "snes", "ps2"}
    checked = cli("--json", "--pack", pack, "bios", "check", "--profile", "1")
    assert checked.code == 0, checked.out
    data = checked.json()["data"]
    assert data["scope"]["platforms"] == ["nes", "snes"]
    assert data["scope"]["left_out"] == ["ps2"]
    assert {g["platform_id"] for g in data["groups"]} == {"nes", "snes"}
    text = cli("--pack", pack, "bios", "check", "--profile", "1").out
    assert "not checked: ps2" in " ".join(text.split())
    # an explicit platform is checked as asked, and its result decides the exit code
    assert cli("--pack", pack, "bios", "check", "--profile", "1", "--platform", "ps2").code == 1


def test_real_pack_profile_check_leaves_out_what_an_rg35xx_cannot_run(
        cli: Any, tmp_path: Path) -> None:
    from tests.conftest import shared_path
    real = shared_path("definition-pack")
    assert cli("--pack", real, "device", "add", "rg-35xx-plus").code == 0
    assert cli("--pack", real, "profile", "create", "--device", "1", "--os", "muos").code == 0
    result = cli("--json", "--pack", real, "bios", "check", "--profile", "1")
    data = result.json()["data"]
    platforms = {g["platform_id"] for g in data["groups"]}
    assert "psx" in platforms and "gba" in platforms
    # not the pack's 220 requirements: no Switch keys, PS3, Vita or Xbox rows, and no
    # platform named only by the pack's fallback defaults (PS3, Wii U); arcade is checked:
    # muOS lists FBNeo as installed, which runs it (QA61 F6)
    assert not platforms & {"switch", "ps3", "psvita", "xbox", "wiiu", "3ds"}
    assert "arcade" in platforms
    assert len(data["groups"]) < 40


# -- 4. the status column ----------------------------------------------------------------------
def test_the_status_word_is_never_cut_at_80_columns(tmp_path: Path, pack: Path) -> None:
    env = {"ROMRUNNER_DB": str(tmp_path / "db.sqlite"), "COLUMNS": "80",
           "ROMRUNNER_PACK": str(pack)}
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "a rather long name for a bios file that the user gave it.bin").write_bytes(NES)
    assert run_subprocess("bios", "scan", str(folder), env=env).code == 0
    result = run_subprocess("bios", "check", "--platform", "nes", "--platform", "psx",
                            "--platform", "ps2", env=env)
    assert result.code == 1, result.err
    # the table fits the width (a prose line is never broken: the terminal wraps it)
    assert max(len(line) for line in result.out.splitlines() if line[:1] in "┏┃┡│└") <= 80, \
        result.out
    for word in ("missing-hle-fallback", "missing-blocking", "satisfied"):
        assert word in result.out, result.out
    assert "…" not in "".join(line.split("│")[-3] for line in result.out.splitlines()
                              if line.count("│") > 3)


# -- 5. pack hashes that disagree --------------------------------------------------------------
def test_a_wrong_pack_sha1_never_fails_a_real_dump_and_a_crc_never_passes_a_bad_one(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    good, crc_good, size_good, other, bad = (dump(seed, 4096) for seed in (
        "real dump", "crc dump", "size dump", "other dump", "bad dump"))
    forged = {"md5": hashlib.md5(other).hexdigest(), "sha1": hashlib.sha1(other).hexdigest(),
              "crc32": f"{zlib.crc32(bad):08x}", "isPreferred": True}  # the bad file's CRC
    pack = write_pack(tmp_path, [
        bios_entry("sha1-wrong", "sha1-wrong.bin", "psx", good, known=[hashes_of(
            good, sha1=corrupt(hashlib.sha1(good).hexdigest()))]),
        bios_entry("crc-only", "crc-only.bin", "nes", crc_good, known=[
            {"crc32": f"{zlib.crc32(crc_good):08x}", "isPreferred": True}]),
        bios_entry("crc-agrees", "crc-agrees.bin", "snes", other, known=[forged]),
        bios_entry("size-wrong", "size-wrong.bin", "gba", size_good, size=2048,
                   known=[hashes_of(size_good, sha1=corrupt(hashlib.sha1(size_good).hexdigest()))]),
    ])
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "sha1-wrong.bin").write_bytes(good)
    (folder / "crc-only.bin").write_bytes(crc_good)
    (folder / "size-wrong.bin").write_bytes(size_good)
    (folder / "crc-agrees.bin").write_bytes(bad)
    result = cli("--json", "--pack", pack, "bios", "scan", folder)
    assert result.code == 0
    data = result.json()["data"]
    verdicts = {f["relative"]: [(e["entry"], e["status"], e["matched_hash"])
                                for e in f["entries"]] for f in data["files"]}
    # md5 and size agree, the pack's sha1 does not: the real dump passes, by md5
    assert verdicts["sha1-wrong.bin"] == [("sha1-wrong", "exact_match", "md5")]
    note = next(n["note"] for n in data["notes"] if n["path"].endswith("sha1-wrong.bin"))
    assert "the pack's sha1 looks wrong" in note
    # a record with only a CRC: the CRC and the size prove it
    assert verdicts["crc-only.bin"] == [("crc-only", "exact_match", "crc32")]
    # the CRC agrees but the record's md5 and sha1 do not: never a pass
    assert verdicts["crc-agrees.bin"] == [("crc-agrees", "wrong_hash", None)]
    # md5 agrees, sha1 does not, and neither does the size: not proven
    assert verdicts["size-wrong.bin"] == [("size-wrong", "wrong_size", None)]


def test_the_cards_bios_of_one_region_is_kept_when_the_library_has_another_regions(
        tmp_path: Path, cli: Any) -> None:
    """QA58 F6: the library lost the USA BIOS but kept the EUR one (one group: any one is
    enough): `--prune` removed the card's good USA copy, the player's last, as no longer
    chosen — an emulator loading the disc's region's BIOS needs it."""
    usa, eur = dump("ps1 usa", 8192), dump("ps1 eur", 8192)
    pack = write_pack(tmp_path, [bios_entry("ps1-usa", "scph5501.bin", "psx", usa),
                                 bios_entry("ps1-eur", "scph5502.bin", "psx", eur)])
    library(cli, tmp_path, pack, {"psx": "Alpha (USA).iso"})
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "scph5501.bin").write_bytes(usa)
    (folder / "scph5502.bin").write_bytes(eur)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:psx").code == 0
    assert card_bios(card) == {"scph5501.bin": usa, "scph5502.bin": eur}
    (folder / "scph5501.bin").unlink()
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    pruned = cli("--json", "--pack", pack, "deploy", "1", "--to", card, "platform:psx",
                 "--prune")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 0
    assert card_bios(card) == {"scph5501.bin": usa, "scph5502.bin": eur}


def test_a_profile_check_leaves_out_what_the_os_has_no_folder_for(cli: Any,
                                                                   tmp_path: Path) -> None:
    """QA65 F2: `bios check --profile` on MinUI failed (exit 1, missing-blocking) for the
    ColecoVision BIOS, "a deploy puts it" in Bios/colecovision/ — MinUI has no folder for
    that platform: the auto-list leaves its games out, no deploy puts anything there."""
    from tests.conftest import shared_path
    real = shared_path("definition-pack")
    for folder, name in (("colecovision", "Zaxxon (USA).col"), ("gba", "Quest (USA).gba")):
        (tmp_path / "roms" / folder).mkdir(parents=True)
        (tmp_path / "roms" / folder / name).write_bytes(name.encode() * 512)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "minui")):
        assert cli("--pack", real, *args).code == 0, args
    checked = cli("--json", "--pack", real, "bios", "check", "--profile", "1")
    data = checked.json()["data"]
    assert data["scope"]["platforms"] == ["gba"], data["scope"]
    assert data["scope"]["no_folder"] == ["colecovision"], data["scope"]
    assert data["scope"]["left_out"] == [], data["scope"]  # (it has an emulator: QA66 F2)
    assert checked.code == 0, checked.out
    text = cli("--pack", real, "bios", "check", "--profile", "1").out
    assert "not checked: colecovision (the library has games of them, but the OS has no " \
        "folder for them)" in " ".join(text.split())
    # review 32 R3: a folder the user stored for it on a MinUI card places its games there
    # (and wants its BIOS): the check takes it in then
    card = tmp_path / "card"
    card.mkdir()
    stored = cli("--pack", real, "destination", "paths", "1", "--to", card, "--set",
                 "colecovision=Roms/Coleco")
    assert stored.code == 0, stored.err
    plan = cli("--json", "--pack", real, "deploy", "1", "--to", card, "platform:colecovision",
               "--dry-run").json()["data"]["plan"]
    assert "colecovision" in plan["platforms"], plan
    again = cli("--json", "--pack", real, "bios", "check", "--profile", "1").json()["data"]
    assert again["scope"]["platforms"] == ["colecovision", "gba"], again["scope"]
    assert again["scope"]["no_folder"] == [], again["scope"]
    assert [group["status"] for group in again["groups"]
            if group["platform_id"] == "colecovision"] == ["missing-blocking"], again
