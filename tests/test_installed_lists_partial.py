"""A platform no emulator the pack knows runs on an OS "will not start there" only where the
pack's lists of what the OS has installed are whole (QA172 F2: muOS's Dreamcast games and
OnionOS's arcade games were said not to start, from lists the pack itself says are partial —
muOS "includes additional cores beyond this list" — or that lack a system the OS's own menu
shows — Onion's ARCADE and FBNEO folders); elsewhere whether it runs them is not checked."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

from romrunner.devices.osprofile import resolve_os_profile
from romrunner.packs import load_pack
from tests.conftest import shared_path


def _library(cli: Any, tmp_path: Path, files: tuple[str, ...], device: str,
             os_id: str) -> Path:
    """``files`` (folder/name) under lib/ (a ``.zip`` a zip of one ROM), scanned with the real
    pack, ``device`` added and profile 1 for ``os_id``; returns the pack."""
    pack = shared_path("definition-pack")
    root = tmp_path / "lib"
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = hashlib.sha256(name.encode()).digest() * 512
        if path.suffix == ".zip":
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr(f"{path.stem}.6e", data)
        else:
            path.write_bytes(data)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", device),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        result = cli("--pack", str(pack), *args)
        assert result.code == 0, (args, result.err)
    return pack


def _warnings(cli: Any, pack: Path, card: Path, query: str) -> dict[str, list[str]]:
    """The deploy plan's warnings (dry run, profile 1) by code."""
    card.mkdir(exist_ok=True)
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), query,
              "--dry-run")
    assert dry.code == 0, dry.err
    found: dict[str, list[str]] = {}
    for warning in dry.json()["data"]["plan"]["warnings"]:
        found.setdefault(warning["code"], []).append(warning["message"])
    return found


def test_the_pack_says_which_installed_lists_are_partial() -> None:
    pack = load_pack(shared_path("definition-pack"))
    muos = resolve_os_profile(pack, "rg-35xx-plus", "muos")  # its note: "beyond this list"
    assert not muos.lists_what_is_installed
    assert muos.partial_list == "its note says the OS has more than it lists"
    onion = resolve_os_profile(pack, "miyoo-mini-plus", "onionos")  # shows ARCADE, FBNEO
    assert not onion.lists_what_is_installed
    assert onion.partial_list is not None and "arcade" in onion.partial_list \
        and "fbneo" in onion.partial_list, onion.partial_list
    stock = resolve_os_profile(pack, "rg-353m", "anbernic-stock-linux-rk3566-family")
    assert stock.partial_list == "it lists RetroArch, not its cores"
    thera = resolve_os_profile(pack, "rg-353m", "thera")  # a list the pack has whole
    assert thera.lists_what_is_installed and thera.partial_list is None
    minui = resolve_os_profile(pack, "miyoo-mini", "minui")  # its folders are its paks
    assert minui.lists_what_is_installed and minui.partial_list is None
    # (qa176 #1: the notes of Anbernic's stock Linux, "vary by firmware", and GarlicOS's,
    # "partially derived", say their lists are not whole)
    for device, os_id in (("rg-35xx-plus", "anbernic-stock-linux-rg35xx-family"),
                          ("rg-35xx-plus", "garlicos")):
        assert resolve_os_profile(pack, device, os_id).partial_list == \
            "its note says the OS has more than it lists", os_id
    # (review37 F2: a member of a family whose folder names are another OS's — TrimUI's and
    # Miyoo's stock firmware of Onion's, Recalbox of Batocera's — borrows those names; a
    # folder among them is no proof it shows the system: its list stays whole)
    for device, os_id in (("trimui-smart-pro", "trimui-stock-trimuios-smart-pro"),
                          ("anbernic-rg351p", "recalbox"), ("gkd-pixel", "plumos")):
        borrowed = resolve_os_profile(pack, device, os_id)
        assert borrowed.partial_list is None or "a folder of its own" not in \
            borrowed.partial_list, (os_id, borrowed.partial_list)


def test_stock_miyoo_and_trimui_keep_their_n64_and_psp_folders(cli: Any,
                                                               tmp_path: Path) -> None:
    """review37 F1: Onion's N64, PSP, Dreamcast and Saturn folders were taken away (it has
    none), and with them the stock Miyoo and TrimUI firmware's, which share Onion's names
    and run those systems (the pack lists PPSSPP installed there)."""
    pack = _library(cli, tmp_path, ("n64/Alpha (USA).z64", "psp/Beta (USA).iso"),
                    "trimui-smart-pro", "trimui-stock-trimuios-smart-pro")
    games = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    folders = {game["platform_id"]: game.get("target_folder") for game in games}
    assert folders == {"n64": "N64", "psp": "PSP"}, games
    onion = load_pack(pack).folder_names
    assert onion.target_name("n64", onion.family_of("onionos")) is None  # (Onion: none)


def test_muos_dreamcast_games_are_not_said_not_to_start(cli: Any, tmp_path: Path) -> None:
    pack = _library(cli, tmp_path, ("dreamcast/Alpha (USA).cdi", "gb/Gamma (USA).gb"),
                    "rg-35xx-plus", "muos")
    found = _warnings(cli, pack, tmp_path / "card", "platform:dreamcast")
    assert "no-emulator" not in found, found["no-emulator"]
    assert found["emulator-unknown"] == [
        "dreamcast: 1 game goes on the card; the definition pack names no emulator for "
        "dreamcast on muOS and lists only part of what it has installed (its note says the OS "
        "has more than it lists), so whether it runs them is not checked (`romrunner override "
        "set --platform dreamcast --emulator ID` names one)"]


def test_onion_arcade_games_are_not_said_not_to_start(cli: Any, tmp_path: Path) -> None:
    pack = _library(cli, tmp_path, ("arcade/pacman.zip", "fbneo/sf2.zip"),
                    "miyoo-mini-plus", "onionos")
    found = _warnings(cli, pack, tmp_path / "card", "missing:false")
    assert "no-emulator" not in found, found["no-emulator"]
    unknown = found["emulator-unknown"]
    assert [message.split(":")[0] for message in unknown] == ["arcade", "fbneo"], unknown
    assert "lists only part of what it has installed (onionos has a folder of its own for " \
        in unknown[0] and "which none of the emulators it lists runs)" in unknown[0], unknown
    # the auto-list agrees: unknown, not none
    games = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    assert {game["platform_id"]: game["reason"] for game in games} \
        != {"arcade": "NO_EMULATOR_AVAILABLE", "fbneo": "NO_EMULATOR_AVAILABLE"}
    assert not [game for game in games if game["reason"] == "NO_EMULATOR_AVAILABLE"], games


def test_a_whole_list_still_says_the_games_will_not_start(cli: Any, tmp_path: Path) -> None:
    # (QA36 F1's warning, where the pack's list is whole: TheRA has no Saturn or 3DO
    # emulator)
    pack = _library(cli, tmp_path, ("saturn/Beta (USA).iso",), "rg-353m", "thera")
    found = _warnings(cli, pack, tmp_path / "card", "platform:saturn")
    assert "emulator-unknown" not in found, found["emulator-unknown"]
    assert [message.split(":")[0] for message in found["no-emulator"]] == ["saturn"]
    assert "will not start there" in found["no-emulator"][0]
