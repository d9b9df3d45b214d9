"""Card paths: device-side OS paths on a mounted card, per-platform folders, overrides."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from romrunner.deploy.legal import FileSystem
from romrunner.devices.mounts import mount_of
from romrunner.devices.paths import (
    DETECTED,
    FALLBACK,
    OS_CATALOG,
    OS_PROFILE,
    USER_OVERRIDE,
    _inside,
    _legal,
    card_layout,
    card_relative,
)
from romrunner.errors import InputError
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path

DEVICE_FOR = {"onionos": "miyoo-mini-plus", "emudeck": "steam-deck",
              "miyoo-stock-family": "miyoo-mini-plus",
              "retroid-stock-android-modern": "retroid-pocket-5", "android": "retroid-pocket-5"}


@pytest.mark.parametrize(("os_id", "device_path", "on_card"), [
    ("rocknix", "/storage/roms", "roms"),
    ("jelos", "/storage/.config/distribution", ".config/distribution"),
    ("knulli", "/userdata/roms", "roms"),
    ("batocera", "/userdata/system/batocera.conf", "system/batocera.conf"),
    ("batocera", "/boot/batocera-boot.conf", "boot/batocera-boot.conf"),  # not under /userdata
    ("onionos", "/mnt/SDCARD/Roms", "Roms"),
    ("muos", "/mnt/sdcard/MUOS/bios", "MUOS/bios"),
    ("muos", "/mnt/mmc/ROMS", "ROMS"),
    ("arkos", "/roms/bios", "roms/bios"),
    ("emudeck", "~/Emulation/roms", "Emulation/roms"),
    ("steamos", "/Emulation/roms", "Emulation/roms"),
    ("android", "/storage/emulated/0/RetroArch/system", "RetroArch/system"),
    ("recalbox", "/recalbox/share/bios", "bios"),
    ("an-os-we-do-not-know", "/userdata/roms", "roms"),  # the generic prefixes
])
def test_device_side_paths_land_on_the_card_root(os_id: str, device_path: str,
                                                  on_card: str) -> None:
    assert card_relative(os_id, device_path)[0] == PurePosixPath(on_card)


def make_profile(cli: Any, os_id: str) -> int:
    pack = str(shared_path("definition-pack"))
    added = cli("--pack", pack, "--json", "device", "add", DEVICE_FOR.get(os_id, "rg-35xx-plus"))
    assert added.code == 0, added.err
    created = cli("--pack", pack, "--json", "profile", "create", "--device",
                  str(added.json()["data"]["id"]), "--os", os_id)
    assert created.code == 0, created.err
    return int(created.json()["data"]["id"])


@pytest.mark.parametrize(("os_id", "roms", "bios", "folders"), [
    ("muos", "roms", "MUOS/bios", {"gba": "roms/gba", "genesis": "roms/md"}),
    ("knulli", "roms", "bios", {"genesis": "roms/megadrive", "tg16": "roms/pcengine"}),
    ("batocera", "roms", "bios", {"sms": "roms/mastersystem", "arcade": "roms/mame"}),
    ("rocknix", "roms", "roms/bios", {"tg16": "roms/tg16", "tgcd": "roms/tg16cd"}),
    # a blank card for ArkOS is its games partition (EASYROMS, mounted as /roms)
    ("arkos", ".", "bios", {"psx": "psx", "gamecube": "gc"}),
    ("onionos", "Roms", "BIOS", {"snes": "Roms/SFC", "nes": "Roms/FC", "ps2": None}),
    ("emudeck", "Emulation/roms", "Emulation/bios", {"gamecube": "Emulation/roms/gc"}),
])
def test_each_os_gets_its_real_folders(cli: Any, db_path: Path, tmp_path: Path, os_id: str,
                                       roms: str, bios: str, folders: dict[str, str]) -> None:
    profile = make_profile(cli, os_id)
    card = tmp_path / "card"
    card.mkdir()
    db = open_database(db_path, OpenMode.READ).db
    layout = card_layout(db, load_pack(shared_path("definition-pack")), profile, card)
    assert (str(layout.roms.path), str(layout.bios.path)) == (roms, bios)
    assert layout.roms.source in (OS_PROFILE, OS_CATALOG)
    for platform, expected in folders.items():
        choice = layout.rom_folder(platform)
        assert (str(choice.path) if choice else None) == expected, platform


def test_user_select_needs_a_choice_then_the_override_wins(cli: Any, tmp_path: Path) -> None:
    profile = make_profile(cli, "miyoo-stock-family")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    refused = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card))
    # (QA161 F5: each folder was asked for alone, a --set of one refused for the other)
    assert refused.code == 2 and refused.err.count("\n") == 1, refused.err
    assert "roms folder and bios folder are: choose both" in refused.err
    # (qa176 N4: the folders the pack's layout check knows a Miyoo stock card by, not FOLDER
    # to fill in; a blank card has neither)
    assert refused.err.strip() == (
        "error: miyoo-stock-family does not say where its roms folder and bios folder are: "
        f"choose both with `romrunner destination paths {profile} --to {card} --set roms=Roms "
        "--set bios=BIOS` if yours are those (the folders the pack knows its cards by; this "
        "card has neither)"), refused.err
    half = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
               "--set", "roms=Roms")
    assert half.code == 2 and "its bios folder is: choose a folder" in half.err, half.err
    assert "--set bios=BIOS` if yours is that (the folder the pack knows its cards by; this " \
        "card has none)" in half.err and "--set roms" not in half.err, half.err
    # a stock card as the firmware made it: its own folders, spelt as it spells them
    (card / "roms").mkdir()
    (card / "Bios").mkdir()
    stock = cli("--pack", pack, "deploy", str(profile), "--to", str(card), "platform:gb")
    assert stock.code == 2, stock.err
    assert stock.err.strip().endswith(
        f"choose both with `romrunner destination paths {profile} --to {card} --set roms=roms "
        "--set bios=Bios` (this card's roms and Bios folders, which the pack knows its cards "
        "by)"), stock.err
    (card / "roms").rmdir()
    (card / "Bios").rmdir()
    chosen = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to",
                 str(card), "--set", "roms=Roms", "--set", "bios=BIOS", "--set", "gb=Handheld/GB")
    assert chosen.code == 0, chosen.err
    rows = {row["platform_id"] or row["kind"]: row for row in chosen.json()["data"]["folders"]}
    assert (rows["roms"]["path"], rows["roms"]["source"]) == ("Roms", USER_OVERRIDE)
    assert (rows["gb"]["path"], rows["gb"]["source"]) == ("Handheld/GB", USER_OVERRIDE)
    assert (rows["snes"]["path"], rows["snes"]["source"]) == ("Roms/SFC", OS_PROFILE)
    # The choice is remembered for this card (its id file), and can be taken back.
    assert (card / ".romrunner" / "destination-id").is_file()
    again = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    assert again.json()["data"]["folders"][0]["path"] == "Roms"
    cleared = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                  "--unset", "roms")
    assert cleared.code == 2 and "choose a folder" in cleared.err


def test_a_stock_android_firmware_is_told_the_folders_of_its_base_os(
        cli: Any, tmp_path: Path) -> None:
    """QA161 F5, F1: a Retroid Pocket 5's only profile names no folder; its base OS, Android,
    does (on the device's internal storage: not said to be where the card is mounted)."""
    pack = str(shared_path("definition-pack"))
    android = json.loads((shared_path("definition-pack") / "operating-systems.json")
                         .read_text(encoding="utf-8"))
    entries = {entry["id"]: entry for entry in android["operatingSystems"]}
    assert entries["retroid-stock-android-modern"]["baseOS"] == "android"  # the premise
    base = entries["android"]["paths"]
    expected = " ".join(f"{key}={base[key].removeprefix('/storage/emulated/0/')}"
                        for key in ("roms", "bios"))
    profile = make_profile(cli, "retroid-stock-android-modern")
    card = tmp_path / "card"
    card.mkdir()
    refused = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card))
    assert refused.code == 2 and f"android, its base OS, uses {expected}" in refused.err, \
        refused.err
    assert f"`romrunner destination paths {profile} --to {card} --set roms=" in refused.err
    plain = make_profile(cli, "android")
    shown = cli("--pack", pack, "--json", "destination", "paths", str(plain), "--to",
                str(card))
    bios = next(row for row in shown.json()["data"]["folders"] if row["kind"] == "bios")
    assert bios["path"] == "RetroArch/system"
    assert "internal storage" in bios["reason"] and "mounts the card" not in bios["reason"]


def test_a_placeholder_path_asks_the_user_and_makes_no_folder(cli: Any, tmp_path: Path) -> None:
    """QA61 F1: retroarch-desktop's layout says `"roms": "<user-selected>"` (not the
    `__USER_SELECT__` other profiles write): a deploy made a real `<user-selected>/` folder on
    the card, ROMs and BIOS mixed in it, which no RetroArch reads."""
    profile = make_profile(cli, "retroarch-desktop")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    refused = cli("--pack", pack, "deploy", str(profile), "--to", str(card), "platform:gb")
    assert refused.code == 2 and "choose both" in refused.err, refused.err
    assert "dropped" not in refused.err  # (the pack asks: no OS was dropped from it)
    assert [p.name for p in card.iterdir() if p.name != ".romrunner"] == []
    chosen = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to",
                 str(card), "--set", "roms=roms", "--set", "bios=system")
    assert chosen.code == 0, chosen.err
    rows = {row["platform_id"] or row["kind"]: row for row in chosen.json()["data"]["folders"]}
    assert "<" not in rows["gb"]["path"] and rows["gb"]["path"].startswith("roms/"), rows["gb"]


def test_a_folder_on_the_card_is_detected_but_an_override_still_wins(
        cli: Any, tmp_path: Path) -> None:
    """muOS reads a platform's games from a folder of any of its names (it assigns a core
    to the folder): the card's own folder is used."""
    profile = make_profile(cli, "muos")
    card = tmp_path / "card"
    (card / "roms" / "Nintendo - Game Boy").mkdir(parents=True)
    pack = str(shared_path("definition-pack"))
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    rows = {row["platform_id"] or row["kind"]: row for row in shown.json()["data"]["folders"]}
    assert (rows["gb"]["path"], rows["gb"]["source"]) == ("roms/Nintendo - Game Boy", DETECTED)
    assert (rows["nes"]["path"], rows["nes"]["source"]) == ("roms/nes", FALLBACK)
    cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
        "--set", "gb=roms/gb")
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    rows = {row["platform_id"] or row["kind"]: row for row in shown.json()["data"]["folders"]}
    assert (rows["gb"]["path"], rows["gb"]["source"]) == ("roms/gb", USER_OVERRIDE)


@pytest.mark.parametrize(("os_id", "other", "own"), [
    ("batocera", "roms/PS1", "roms/psx"), ("knulli", "roms/PS1", "roms/psx"),
    ("onionos", "Roms/PSX", "Roms/PS"), ("emudeck", "Emulation/roms/ps1", "Emulation/roms/psx"),
    ("arkos", "ps1", "psx")])
def test_a_folder_of_another_name_the_frontend_does_not_read_is_not_used(
        cli: Any, tmp_path: Path, os_id: str, other: str, own: str) -> None:
    """QA145 F4: a card's `roms/PS1` (Batocera, KNULLI), `Roms/PSX` (Onion), even empty,
    took the PlayStation games, where the frontend (its systems' fixed folder names) never
    looks. The OS's own name is used, and the folder of the other name is said, untouched."""
    profile = make_profile(cli, os_id)
    card = tmp_path / "card"
    (card / other).mkdir(parents=True)
    (card / other / "mine.cue").write_text("the user's")
    pack = str(shared_path("definition-pack"))
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    assert shown.code == 0, shown.err
    psx = next(row for row in shown.json()["data"]["folders"] if row["platform_id"] == "psx")
    assert psx["path"] == own and psx["source"] != DETECTED
    assert f"the card's '{other}' is not read by {os_id}" in psx["reason"]
    assert (f"`romrunner destination paths {profile} --to {card} --set psx={other}` if it "
            "does") in psx["reason"], psx["reason"]  # (review47e F6 b: no PROFILE, CARD)
    assert (card / other / "mine.cue").read_text() == "the user's"


@pytest.mark.parametrize(("os_id", "other"), [("android", "Roms/PS1"), ("lakka", "roms/PS1"),
                                             ("lakka", "roms/PSX")])  # (QA151 F5: the case)
def test_a_folder_of_another_name_is_used_where_the_frontend_reads_any(
        cli: Any, tmp_path: Path, os_id: str, other: str) -> None:
    """Review 149 F2: Daijisho (Android) maps a platform to any folder, RetroArch (Lakka)
    scans by content: a card's `Roms/PS1` is where the user's launcher looks, as before
    QA145 F4's rule for the frontends that read their own names only."""
    profile = make_profile(cli, os_id)
    card = tmp_path / "card"
    (card / other).mkdir(parents=True)
    pack = str(shared_path("definition-pack"))
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    assert shown.code == 0, shown.err
    psx = next(row for row in shown.json()["data"]["folders"] if row["platform_id"] == "psx")
    assert (psx["path"], psx["source"]) == (other, DETECTED), psx


@pytest.mark.parametrize("fs", [FileSystem.EXFAT, FileSystem.POSIX])
def test_a_folder_in_another_case_is_not_the_os_folder_where_case_is_told_apart(
        cli: Any, db_path: Path, tmp_path: Path, fs: FileSystem) -> None:
    """QA91 F3: on ext4 or btrfs (Batocera's share, a Steam Deck's drive) `roms/SNES` is not
    the `roms/snes` that Batocera and ES-DE read: games put there are in no game list. The
    folder's lookup decides, whatever the type says (`EXFAT`: a share of such a drive; on
    FAT32 and exFAT themselves the OS's spelling finds the card's folder)."""
    profile = make_profile(cli, "batocera")
    card = tmp_path / "card"
    (card / "ROMS" / "SNES").mkdir(parents=True)
    (card / "ROMS" / "SNES" / "mine.sfc").write_bytes(b"the user's")
    if (card / "roms").is_dir():
        pytest.skip("tmp_path is case-insensitive: the two spellings cannot both be tried")
    db = open_database(db_path, OpenMode.READ).db
    pack = load_pack(shared_path("definition-pack"))
    layout = card_layout(db, pack, profile, card, fs=fs)
    snes = layout.rom_folder("snes")
    assert snes is not None
    assert str(layout.roms.path) == "roms" and layout.roms.source != DETECTED
    assert "'ROMS' on the card is another folder" in layout.roms.reason
    (card / "roms" / "SNES").mkdir(parents=True)  # the case again one level down
    layout = card_layout(db, pack, profile, card, fs=fs)
    snes = layout.rom_folder("snes")
    assert snes is not None
    assert str(snes.path) == "roms/snes" and snes.source in (OS_PROFILE, FALLBACK)
    assert "'SNES' on the card is another folder" in snes.reason
    if fs is FileSystem.POSIX:  # both spellings on ext4: the OS's own is taken
        (card / "roms" / "snes").mkdir()
        snes = card_layout(db, pack, profile, card, fs=fs).rom_folder("snes")
        assert snes is not None and str(snes.path) == "roms/snes"


@pytest.mark.parametrize("folder", ["../outside", "roms/../../x", "escape", "/tmp/abs", "~/roms",
                                    "ro\x1bms"])
def test_an_override_outside_the_card_is_refused_and_nothing_is_stored(
        cli: Any, tmp_path: Path, folder: str) -> None:
    profile = make_profile(cli, "knulli")
    card = tmp_path / "card"
    card.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", card / "escape")
    pack = str(shared_path("definition-pack"))
    result = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                 "--set", f"roms={folder}")
    assert result.code == 2 and "Traceback" not in result.err
    assert len([line for line in result.err.splitlines() if line.startswith("error:")]) == 1
    assert not (card / ".romrunner").exists()
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to", str(card))
    assert shown.json()["data"]["folders"][0]["source"] == OS_PROFILE


@pytest.mark.parametrize(("setting", "message"), [
    ("gb=.", "the card's root is no platform's folder"),  # QA27 N7: stored, games at the root
    ("gb=./", "the card's root is no platform's folder"),
    ("gb=~/x", "not a home folder"),  # (was "not an absolute path")
    ("gb=.romrunner", "ROM Runner's own folder"),  # (review 17: beside our manifest)
    ("gb=roms", "is the card's ROM folder itself"),  # (QA30 N5)
    ("gb=ROMS", "is the card's ROM folder itself"),
    ("gb=bios", "is the card's BIOS folder itself"),
    ("roms=.ROMRUNNER/x", "ROM Runner's own folder"),
    ("bios=roms", "is the card's ROM folder itself, where the BIOS files would mix"),  # QA31 F6
    ("bios=roms/gb", "is gb's folder itself"),
    ("roms=bios", "is the card's BIOS folder itself"),
    # QA178 F8: PS1 discs among the Game Boy games, accepted without a word
    ("psx=roms/gb", "path override psx=roms/gb: is gb's folder, where knulli lists its games "
                    "as gb's: psx's games would mix with them; nothing was changed"),
    ("psx=ROMS/GB", "is gb's folder"),
    ("psx=bios/psx", "is inside the card's BIOS folder"),  # (qa181 N2)
    # (qa181 N2: a frontend listing gb's games from its subfolders lists the discs as gb's)
    ("psx=roms/gb/psx", "path override psx=roms/gb/psx: is inside gb's folder (roms/gb), "
                        "where a frontend that lists gb's games from its subfolders would "
                        "list psx's among them; nothing was changed"),
    ("psx=ROMS/GB/x/y", "is inside gb's folder"),
])
def test_a_platform_at_the_card_root_or_a_home_folder_is_refused(
        cli: Any, tmp_path: Path, setting: str, message: str) -> None:
    profile = make_profile(cli, "knulli")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    result = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                 "--set", setting)
    assert result.code == 2 and message in result.err, result.err
    assert not (card / ".romrunner").exists()
    assert cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
               "--set", "roms=.").code == 0  # every platform's folder at the root: allowed


def test_the_platform_folders_one_command_sets_are_checked_together(
        cli: Any, tmp_path: Path) -> None:
    """review38b F4: each new folder was checked against the layout before the command — two
    platforms given one folder in one command were let through, and a move of gb away with
    psx into gb's old folder, in one command, refused."""
    profile = make_profile(cli, "knulli")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))

    def paths(*sets: str) -> Any:
        return cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                   *(word for one in sets for word in ("--set", one)))

    clash = paths("gb=roms/handheld", "gbc=roms/handheld")
    assert clash.code == 2 and "would mix with them" in clash.err, clash.err
    nested = paths("gb=roms/handheld", "gbc=roms/handheld/color")
    assert nested.code == 2 and ("holds gbc's folder (roms/handheld/color), where a frontend "
                                 "that lists gb's games from its subfolders would list gbc's "
                                 "among them") in nested.err, nested.err
    holding = paths("gbc=roms/handheld/color", "gb=roms/handheld")
    assert holding.code == 2 and "is inside gb's folder" in holding.err, holding.err
    around = paths("gba=roms/g")
    assert around.code == 0, around.err
    moved = paths("gb=roms/gameboy", "psx=roms/gb")
    assert moved.code == 0, moved.err


@pytest.mark.parametrize(("setting", "message"), [
    ("gb=alias", "is the card's ROM folder itself (through a link on the card)"),
    ("gb=balias", "is the card's BIOS folder itself (through a link on the card)"),
    ("bios=alias", "is the card's ROM folder itself (through a link on the card)"),
])
def test_a_link_on_the_card_does_not_sidestep_the_folder_refusals(
        cli: Any, tmp_path: Path, setting: str, message: str) -> None:
    """QA31 F6: `gb=alias`, alias a link to the card's roms folder, put GB games in the ROM
    root (what `gb=roms` is refused for); `gb=balias` put them among the BIOS files."""
    profile = make_profile(cli, "knulli")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    folders = {row["kind"]: row["path"] for row in cli(
        "--pack", pack, "--json", "destination", "paths", str(profile), "--to",
        str(card)).json()["data"]["folders"] if row["kind"] in ("roms", "bios")}
    (card / folders["roms"]).mkdir(parents=True, exist_ok=True)
    (card / folders["bios"]).mkdir(parents=True, exist_ok=True)
    os.symlink(folders["roms"], card / "alias")
    os.symlink(folders["bios"], card / "balias")
    result = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                 "--set", setting)
    assert result.code == 2 and message in result.err, result.err
    assert not (card / ".romrunner").exists()
    assert cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
               "--set", "gb=alias/gb").code == 0  # a folder inside, through the link: allowed


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("x"), "is a file"),
])
def test_a_missing_or_file_destination_is_an_error(cli: Any, tmp_path: Path, make: Any,
                                                    message: str) -> None:
    profile = make_profile(cli, "knulli")
    target = tmp_path / "card"
    make(target)
    result = cli("--pack", str(shared_path("definition-pack")), "destination", "paths",
                 str(profile), "--to", str(target))
    assert result.code == 2 and message in result.err


def test_names_illegal_on_fat32_are_legalised_in_overrides() -> None:
    assert _legal("Games: Disc?/GB*", FileSystem.FAT32) == PurePosixPath("Games - Disc_/GB_")
    assert _legal("CON/roms.", FileSystem.FAT32) == PurePosixPath("_CON/roms")
    assert _legal("Games: Disc?", FileSystem.POSIX) == PurePosixPath("Games: Disc?")


def test_filesystem_type_comes_from_mountinfo(tmp_path: Path) -> None:
    card = tmp_path / "media" / "my sd"
    (card / "roms").mkdir(parents=True)
    info = tmp_path / "mountinfo"
    escaped = str(card).replace(" ", "\\040")
    info.write_text("1 0 8:1 / / rw - ext4 /dev/vda rw\n"
                    f"2 1 8:17 / {escaped} rw,relatime - vfat /dev/sdb1 rw\n")
    mount = mount_of(card / "roms", info)
    assert mount is not None and (mount.fs_type, mount.mount_point) == ("vfat", card)
    assert mount_of(tmp_path, info).fs_type == "ext4"  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./\\: ~CON")), min_size=1, max_size=20))
def test_no_override_text_ever_leaves_the_card(tmp_path_factory: Any, text: str) -> None:
    root = Path(tmp_path_factory.getbasetemp()) / "prop-card"
    root.mkdir(exist_ok=True)
    for fs in FileSystem:
        try:
            relative = _inside(root, _legal(text, fs))
        except InputError:
            continue
        resolved = (root / relative).resolve()
        assert resolved == root.resolve() or root.resolve() in resolved.parents


def test_a_choice_that_leaves_the_layout_unresolved_stores_nothing(cli: Any,
                                                                   tmp_path: Path) -> None:
    profile = make_profile(cli, "miyoo-stock-family")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    half = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
               "--set", "roms=Roms")  # the BIOS folder is still the user's to choose
    assert half.code == 2 and "bios folder" in half.err
    again = cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
                "--set", "bios=BIOS")
    assert again.code == 2 and "roms folder" in again.err  # the first --set was not kept


def test_a_stored_override_now_refused_is_not_used_and_said(cli: Any, db_path: Path,
                                                            tmp_path: Path) -> None:
    """QA60 F4: folders an earlier release stored for platforms (one inside `.romrunner/`,
    the BIOS folder itself) that `--set` now refuses were applied without a word: games went
    into `.romrunner/x/` and beside the BIOS files."""
    profile = make_profile(cli, "muos")
    card = tmp_path / "card"
    card.mkdir()
    pack = str(shared_path("definition-pack"))
    assert cli("--pack", pack, "destination", "paths", str(profile), "--to", str(card),
               "--set", "gb=Handheld/GB").code == 0  # (the card's id, an override stored)
    with sqlite3.connect(db_path) as db:  # as an earlier release stored them
        db.execute("UPDATE destination_path_overrides SET overrides_json = ?",
                   ('{"platforms": {"gb": ".ROMRUNNER/x", "gba": "MUOS/bios"}}',))
    db.close()
    shown = cli("--pack", pack, "--json", "destination", "paths", str(profile), "--to",
                str(card))
    rows = {row["platform_id"]: row for row in shown.json()["data"]["folders"]}
    assert (rows["gb"]["path"], rows["gba"]["path"]) == ("roms/gb", "roms/gba"), rows["gb"]
    assert "'.ROMRUNNER/x' is not used" in rows["gb"]["reason"]  # (any case: QA64 F11)
    assert "'MUOS/bios' is not used" in rows["gba"]["reason"]
    # (review47e F6 b: the command to run, not one with PROFILE and CARD to fill in)
    assert (f"`romrunner destination paths {profile} --to {card} --unset gb` removes it"
            in rows["gb"]["reason"]), rows["gb"]["reason"]


def test_paths_of_a_library_root_or_of_nothing_stored_write_nothing(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA70 F5: `destination paths --set` wrote `.romrunner/destination-id` into a library
    root (a card `deploy` refuses); F10: `--unset` of nothing stored wrote the card's id and
    an empty row, and `--set gb=X --unset gb` dropped the --set without a word."""
    library = tmp_path / "lib"
    (library / "gb").mkdir(parents=True)
    (library / "gb" / "A (USA).gb").write_bytes(b"a" * 4096)
    assert cli("library", "add", str(library)).code == 0
    profile = make_profile(cli, "muos")
    pack = str(shared_path("definition-pack"))
    card = tmp_path / "card"
    card.mkdir()
    for target, args, said in (
            (library, ("--set", "gb=x"), "inside the library root"),
            (library / "gb", ("--set", "roms=y"), "inside the library root"),
            (card, ("--unset", "gb"), "none is stored for this card"),
            (card, ("--set", "gb=Mine", "--unset", "gb"), "--set and to --unset")):
        result = cli("--pack", pack, "destination", "paths", str(profile), "--to",
                     str(target), *args)
        assert result.code == 2 and said in result.err, (target, args, result.err)
        assert not list(target.rglob(".romrunner")), target
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM destination_path_overrides").fetchone() == (0,)


def test_a_platform_moved_to_a_folder_of_the_users_is_said_so_and_counted_once(
        cli: Any, tmp_path: Path) -> None:
    """QA178 F2: after `destination paths --set psx=roms/PS1` the folder-moved warning said
    the games "now go to roms/PS1, the folder knulli reads for it" (KNULLI reads roms/psx),
    and a note counted again, as no longer chosen, the set's .m3u among its files left
    behind; the folder of another platform is refused (F8), another folder is taken."""
    cue = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    lib = tmp_path / "lib"
    (lib / "psx").mkdir(parents=True)
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        (lib / "psx" / f"{name}.cue").write_text(cue.format(f"{name}.bin"))
        (lib / "psx" / f"{name}.bin").write_bytes(bytes([disc]) * 30_000)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "platform:psx")):
        assert cli(*args).code == 0, args
    assert (card / "roms/psx/Saga (USA).m3u").is_file()
    assert cli("destination", "paths", "1", "--to", card, "--set", "psx=roms/PS1").code == 0
    result = cli("deploy", "1", "--to", card, "platform:psx")
    assert result.code == 0, result.err
    said = result.out + result.err
    assert ("roms/psx: 5 files an earlier deploy put here for psx are left behind: its games "
            "now go to roms/PS1, the folder you set for it with `romrunner destination "
            "paths`; `romrunner deploy --prune` removes them") in " ".join(said.split()), said
    assert "the folder knulli reads for it" not in said
    assert "no longer chosen" not in said, said  # (the .m3u: one of the 5)
