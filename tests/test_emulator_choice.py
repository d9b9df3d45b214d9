"""One answer to "which emulator does this profile run a game with, and which rule decided":
``resolve``, ``autolist``, the deploy's archive check and ``bios check``'s per-platform choice
agree, with the real definition pack (QA6 B-2: resolve said "no emulator known for genesis"
where autolist named genesis-plus-gx) and with the built-in one."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.osprofile import ORIGIN_AVAILABLE, expand_policy_ids, resolve_os_profile
from romrunner.devices.profiles import load_profile, platform_emulators
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import real_pack_profile, shared_path

# platform -> a file the scan gives that platform (its folder and extension)
FILES = {"genesis": "genesis/Sonic (USA).md", "gba": "gba/Golden Sun (USA).gba",
         "atari-2600": "atari2600/Pitfall (USA).a26", "snes": "snes/Zelda (USA).sfc",
         "nes": "nes/Metroid (USA).nes", "gb": "gb/Tetris (World).gb",
         "psx": "psx/Crash (USA).iso", "n64": "n64/Mario 64 (USA).z64"}
ZIPPED = "genesis/Streets (USA).zip"  # a genesis game in a zip: the deploy checks its emulator
# (catalog device id, OS, the device's key in osEmulatorProfiles.json)
PAIRS = (("rg-35xx-plus", "muos", "anbernic-rg35xx-plus"),
         ("steam-deck", "batocera", "steam-deck"))


def _library(root: Path) -> None:
    for platform, relative in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(hashlib.sha256(platform.encode()).digest() * 64)
    with zipfile.ZipFile(root / ZIPPED, "w") as archive:
        archive.writestr("Streets (USA).md", hashlib.sha256(b"streets").digest() * 64)


def _expected(profiles: dict[str, Any], key: str, device: str, os_id: str,
              platform: str) -> tuple[str, str]:
    """From the pack file itself: the device's entry for the OS names the emulator; a
    platform it does not name takes the OS profile's default, then fallbackDefaults (the
    device's defaults are merged per platform: DECISIONS-devices D2)."""
    entry = profiles["deviceOsProfiles"]["byDeviceId"][key][os_id]
    named = entry["defaults"]["platformToEmulator"].get(platform)
    if named:
        return named, f"{device} on {os_id} default"
    by_os = profiles["profilesByOsId"].get(os_id, {}).get("defaults", {})
    if by_os.get("platformToEmulator", {}).get(platform):
        return by_os["platformToEmulator"][platform], f"{os_id} default"
    return profiles["fallbackDefaults"]["platformDefaults"][platform][0], "pack fallback"


def _games(cli: Any, run: Any, profile: int) -> dict[str, dict[str, Any]]:
    result = run(cli, "--json", "autolist", str(profile))
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def _resolve(cli: Any, run: Any, game_id: int, profile: int) -> dict[str, Any]:
    result = run(cli, "--json", "resolve", str(game_id), "--profile", str(profile))
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def _archive_emulator(cli: Any, run: Any, profile: int, card: Path) -> str | None:
    plan = run(cli, "--json", "deploy", str(profile), "--to", str(card), "--dry-run",
               "platform:genesis")
    assert plan.code == 0, plan.err
    (genesis,) = [entry for entry in plan.json()["data"]["plan"]["archives"]
                  if entry["platform_id"] == "genesis"]
    emulator: str | None = genesis["emulator"]
    return emulator


def _real(cli: Any, *args: str) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), *args)


def _builtin(cli: Any, *args: str) -> Any:
    return cli(*args)


@pytest.fixture
def real_setup(cli: Any, tmp_path: Path) -> Path:
    _library(tmp_path / "roms")
    assert _real(cli, "library", "add", str(tmp_path / "roms")).code == 0
    assert _real(cli, "scan", "--workers", "1").code == 0
    for number, (device, os_id, _) in enumerate(PAIRS, start=1):
        assert _real(cli, "device", "add", device).code == 0
        assert _real(cli, "profile", "create", "--device", str(number), "--os", os_id).code == 0
    card = tmp_path / "card"
    card.mkdir()
    return card


def test_resolve_autolist_deploy_and_bios_agree_with_the_real_pack(
        cli: Any, real_setup: Path, db_path: Path) -> None:
    pack_dir = shared_path("definition-pack")
    profiles = json.loads((pack_dir / "osEmulatorProfiles.json").read_text(encoding="utf-8"))
    pack = load_pack(pack_dir)
    every_rule: set[str] = set()
    for profile, (device, os_id, key) in enumerate(PAIRS, start=1):
        games = _games(cli, _real, profile)
        assert {game["platform_id"] for game in games.values()} == set(FILES)
        seen_rules = set()
        for game in games.values():
            want = _expected(profiles, key, device, os_id, game["platform_id"])
            why = _resolve(cli, _real, game["game_id"], profile)
            assert (why["emulator_id"], why["emulator_origin"]) == want, (profile, game)
            assert (game["emulator_id"], game["emulator_origin"]) == want, (profile, game)
            assert not any("no emulator known" in w for w in game["warnings"])
            seen_rules.add(want[1])
        assert f"{device} on {os_id} default" in seen_rules
        every_rule |= {"device" if " on " in rule else rule for rule in seen_rules}
        genesis = _expected(profiles, key, device, os_id, "genesis")[0]
        assert _archive_emulator(cli, _real, profile, real_setup) == genesis
        db = open_database(db_path, OpenMode.READ).db
        try:
            chosen = platform_emulators(db, pack, load_profile(db, profile), sorted(FILES))
        finally:
            db.close()
        assert chosen == {p: _expected(profiles, key, device, os_id, p) for p in FILES}
    # every kind of rule is covered: a device's entry, an OS's profile (Batocera's n64:
    # mupen64plus-standalone, which the Steam Deck's entry does not name), the pack's
    # fallback (n64 on muOS, whose profile names none)
    assert every_rule == {"device", "batocera default", "pack fallback"}
    # the two pairs differ where the pack says they do (else the test would prove little)
    psx = {_expected(profiles, key, device, os_id, "psx")[0] for device, os_id, key in PAIRS}
    assert len(psx) == 2


def test_overrides_outrank_the_real_packs_default_and_every_command_says_which(
        cli: Any, real_setup: Path) -> None:
    profiles = json.loads((shared_path("definition-pack") / "osEmulatorProfiles.json")
                          .read_text(encoding="utf-8"))
    device, os_id, key = PAIRS[0]
    games = _games(cli, _real, 1)
    zipped = games[Path(ZIPPED).name]["game_id"]
    gba = games[Path(FILES["gba"]).name]["game_id"]
    snes = games[Path(FILES["snes"]).name]["game_id"]
    assert _real(cli, "override", "set", "--platform", "gba", "--emulator", "gpsp",
                 "--profile", "1").code == 0
    assert _real(cli, "override", "set", "--game", str(zipped), "--emulator",
                 "picodrive").code == 0
    assert _real(cli, "override", "set", "--game", str(snes), "--profile", "1",
                 "--emulator", "snes9x").code == 0
    assert _real(cli, "override", "set", "--platform", "snes", "--emulator",
                 "snes9x").code == 0
    default = f"{device} on {os_id} default"
    expected = {
        gba: ("gpsp", "profile platform override",
              [("mgba", default)]),
        zipped: ("picodrive", "game override",
                 [(_expected(profiles, key, device, os_id, "genesis")[0], default)]),
        snes: ("snes9x", "profile game override",
               [("snes9x", "platform override"),
                (_expected(profiles, key, device, os_id, "snes")[0], default)]),
    }
    after = _games(cli, _real, 1)
    for game_id, (emulator, rule, outranked) in expected.items():
        why = _resolve(cli, _real, game_id, 1)
        assert (why["emulator_id"], why["emulator_origin"]) == (emulator, rule), game_id
        assert [(r["value"], r["level"]) for r in why["emulator_rules"]
                if not r["decided"]][:len(outranked)] == outranked, game_id
        (entry,) = [g for g in after.values() if g["game_id"] == game_id]
        assert (entry["emulator_id"], entry["emulator_origin"]) == (emulator, rule)
    # the deploy checks the zipped game with the emulator its game override names
    assert _archive_emulator(cli, _real, 1, real_setup) == "picodrive"
    # without a profile: the global rules, then the pack's fallback (no OS to ask)
    alone = _resolve_global(cli, zipped)
    assert (alone["emulator_id"], alone["emulator_origin"]) == ("picodrive", "game override")
    n64 = after[Path(FILES["n64"]).name]["game_id"]
    plain = _resolve_global(cli, n64)
    assert (plain["emulator_id"], plain["emulator_origin"]) == (
        profiles["fallbackDefaults"]["platformDefaults"]["n64"][0], "pack fallback")


def _resolve_global(cli: Any, game_id: int) -> dict[str, Any]:
    result = _real(cli, "--json", "resolve", str(game_id))
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def test_the_builtin_pack_keeps_its_answers(cli: Any, tmp_path: Path) -> None:
    """The built-in pack has no device entries: the OS's own defaults, named as before."""
    _library(tmp_path / "roms")
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    games = _games(cli, _builtin, 1)
    sonic = games["Sonic (USA).md"]
    why = _resolve(cli, _builtin, sonic["game_id"], 1)
    assert (why["emulator_id"], why["emulator_origin"]) == ("retroarch-genesis-plus-gx",
                                                           "muos default")
    assert (sonic["emulator_id"], sonic["emulator_origin"]) == ("retroarch-genesis-plus-gx",
                                                               "muos default")
    for game in games.values():
        why = _resolve(cli, _builtin, game["game_id"], 1)
        assert (why["emulator_id"], why["emulator_origin"]) == (
            game["emulator_id"], game["emulator_origin"]), game["filename"]


def test_an_inherited_entry_that_refers_to_its_os_profile_is_named_by_that_profile() -> None:
    """gkd350h has no plumOS entry: it inherits gkd-pixel's, a bare profileRef to plumOS's
    profile, whose defaults decide: "plumos default", not a device's."""
    pack_dir = shared_path("definition-pack")
    profiles = json.loads((pack_dir / "osEmulatorProfiles.json").read_text(encoding="utf-8"))
    assert set(profiles["deviceOsProfiles"]["byDeviceId"]["gkd-pixel"]["plumos"]) <= {
        "profileRef", "notes"}
    wanted = profiles["profilesByOsId"]["plumos"]["defaults"]["platformToEmulator"]["gba"]
    resolved = resolve_os_profile(load_pack(pack_dir), "gkd350h", "plumos")
    assert resolved.default_for("gba") == (wanted, "plumos default")
    assert resolved.default_for("no-such-platform") == (None, "none")


def test_an_android_os_gets_a_fallback_emulator_that_runs_on_android() -> None:
    """QA161 F3: an Android handheld's PS2 games went to PCSX2, which the pack says runs on
    Windows, Linux and macOS only, though it lists NetherSX2 for Android; a platform nothing
    runs on Android gets no emulator, said."""
    pack = load_pack(shared_path("definition-pack"))
    raw = json.loads((shared_path("definition-pack") / "osEmulatorProfiles.json")
                     .read_text(encoding="utf-8"))["fallbackDefaults"]["platformDefaults"]
    runs = {entry["id"]: [name.lower() for name in entry.get("availableOnOS") or []]
            for entry in json.loads((shared_path("definition-pack") / "emulators.json")
                                    .read_text(encoding="utf-8"))["emulators"]}
    assert "android" not in runs[raw["ps2"][0]]  # the premise: the fallback is not Android's
    android = resolve_os_profile(pack, "retroid-pocket-5", "android")
    chosen, _ = android.emulators["ps2"]
    assert chosen != raw["ps2"][0] and "android" in runs[chosen], chosen
    assert "does not run on android" in android.labels["ps2"]
    nowhere = [platform for platform in ("ps3", "wiiu") if platform in raw and not any(
        platform in entry.get("supportedPlatforms", []) and "android" in runs[entry["id"]]
        for entry in json.loads((shared_path("definition-pack") / "emulators.json")
                                .read_text(encoding="utf-8"))["emulators"])]
    assert nowhere  # the premise: the pack runs these on no Android
    assert all(platform not in android.emulators for platform in nowhere)
    assert any("do not run on android" in warning for warning in android.warnings)
    # QA161 F8: the GBA had none while the SNES had the pack's fallback RetroArch
    assert "gba" not in expand_policy_ids(pack, list(raw))  # the premise
    assert android.emulators["snes"][0] == android.emulators["gba"][0] == "retroarch"
    assert android.labels["gba"].startswith("built-in fallback")
    # elsewhere the pack's fallback stands
    deck = resolve_os_profile(pack, "steam-deck", "steamos")
    assert deck.emulators["ps2"][0] == raw["ps2"][0]


def test_a_platform_no_android_emulator_runs_goes_on_no_android_card(
        cli: Any, tmp_path: Path) -> None:
    """QA163 F2: permissive mode put PS3 games on an Android card, "whether it runs them is
    not checked", though the pack says no emulator of the PS3 runs on Android."""
    pack = real_pack_profile(cli, tmp_path, "ps3/Racer (USA).iso", b"p", "retroid-pocket-5",
                             "android")
    runs = {entry["id"]: [name.lower() for name in entry.get("availableOnOS") or []]
            for entry in json.loads((shared_path("definition-pack") / "emulators.json")
                                    .read_text(encoding="utf-8"))["emulators"]
            if "ps3" in entry.get("supportedPlatforms", [])}
    assert runs and not any("android" in systems for systems in runs.values())  # premise
    for mode in ("balanced", "permissive"):  # (balanced said "no performance data, permissive
        # mode includes them": QA165 F5)
        assert cli("--pack", pack, "profile", "set", "1", "--mode", mode).code == 0
        listed = cli("--pack", pack, "--json", "autolist", "1")
        (entry,) = listed.json()["data"]["games"]
        assert (entry["included"], entry["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), entry
        said = listed.json()["warnings"]
        assert any("runs on android" in warning and "ps3" in warning for warning in said), said
        assert not any("permissive" in warning for warning in said), said


def test_anbernic_android_runs_arcade_sets_with_an_arcade_emulator_and_3ds_with_the_packs(
        cli: Any, tmp_path: Path) -> None:
    """Anbernic's stock Android (T820): its arcade sets went to Flycast "as installed" (a
    Dreamcast emulator the pack lists for arcade too: the Naomi boards, no MAME set), and its
    3DS games were "no emulator the pack knows runs 3ds" though the pack lists Android 3DS
    emulators. An arcade emulator the pack runs on Android, and a 3DS one, are named, said
    as not installed; an installed arcade emulator keeps its platforms (muOS's FBNeo)."""
    pack = load_pack(shared_path("definition-pack"))
    os_id = "anbernic-stock-android-t820-family"
    resolved = resolve_os_profile(pack, "rg-406h", os_id)
    assert resolved.installed is not None and "flycast" in resolved.installed  # premise
    assert "arcade" in pack.emulators["flycast"].platforms  # premise: the pack says so
    arcade, _ = resolved.emulators["arcade"]
    runner = pack.emulators[arcade]
    assert arcade != "flycast" and runner.platforms[0] in ("arcade", "fbneo"), arcade
    assert "android" in runner.available_on_os
    assert "flycast is a dreamcast emulator" in resolved.labels["arcade"]
    n3ds, _ = resolved.emulators["3ds"]
    assert "3ds" in pack.emulators[n3ds].platforms
    assert "android" in pack.emulators[n3ds].available_on_os
    assert resolved.labels["3ds"] == "available on android"
    assert any("flycast" in warning and "arcade" in warning for warning in resolved.warnings)
    # an installed arcade emulator keeps the arcade platforms it lists, not first too
    muos = resolve_os_profile(pack, "rg-35xx-plus", "muos")
    assert muos.emulators["fbneo"][0] == "fbneo"
    # the platforms nothing on Android runs stay without one
    assert "ps3" not in resolved.emulators and "ps3" in resolved.unrunnable
    # autolist and deploy name them, said as not installed
    fill = real_pack_profile(cli, tmp_path, "3ds/Zelda Test (USA).3ds", b"z", "rg-406h",
                             os_id)
    arcade_set = tmp_path / "lib" / "arcade" / "pacman.zip"
    arcade_set.parent.mkdir(parents=True)
    with zipfile.ZipFile(arcade_set, "w") as archive:
        archive.writestr("pacman.6e", hashlib.sha256(b"pacman").digest() * 128)
    assert cli("--pack", fill, "scan", "--workers", "1").code == 0
    assert cli("--pack", fill, "profile", "set", "1", "--mode", "permissive").code == 0
    listed = cli("--pack", fill, "--json", "autolist", "1")
    games = {game["platform_id"]: game for game in listed.json()["data"]["games"]}
    assert games["arcade"]["emulator_id"] == arcade and games["arcade"]["included"]
    assert games["3ds"]["emulator_id"] == n3ds, games["3ds"]
    assert games["3ds"]["reason"] != "NO_EMULATOR_AVAILABLE"
    said = listed.json()["warnings"]
    assert not any("no emulator the pack knows runs 3ds" in warning for warning in said), said
    assert any(f"{arcade} (available on android" in warning and "not among the emulators"
               in warning for warning in said), said
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", fill, "destination", "paths", "1", "--to", str(card), "--set",
               "roms=Roms", "--set", "bios=RetroArch/system").code == 0
    plan = cli("--pack", fill, "--json", "deploy", "1", "--to", str(card), "--dry-run",
               "--auto")
    codes = {(w["code"], w.get("platform_id")) for w in plan.json()["data"]["plan"]["warnings"]}
    assert ("no-emulator", "3ds") not in codes, codes
    assert ("emulator-not-installed", "arcade") in codes, codes


def test_a_profile_naming_a_platform_by_another_spelling_gives_it_its_emulator() -> None:
    """qa183 F3's pack warnings: the Retroid Pocket 2's legacy Retroid OS profile gives its
    PS1 and PC Engine emulators as `ps1` and `pce`, the Anbernic Android profiles their
    GameCube one as `gc` — ids the pack's platforms spell psx, tg16, gamecube: read as nothing,
    the platforms got the pack's fallback. They are read as the pack's ids, and `pack
    validate` says so rather than calling them unknown."""
    pack = load_pack(shared_path("definition-pack"))
    retroid = resolve_os_profile(pack, "retroid-pocket-2", "retroid-stock-retroidos-legacy")
    assert retroid.emulators["psx"] == ("pcsx_rearmed_libretro", "device profile")
    assert retroid.emulators["tg16"] == ("mednafen_pce_libretro", "device profile")
    assert "ps1" not in retroid.emulators and "pce" not in retroid.emulators
    android = resolve_os_profile(pack, "rg-556", "anbernic-stock-android-t820-family")
    assert android.emulators["gamecube"] == ("dolphin-standalone", "os profile")
    said = [w.reason for w in pack.warnings if "platformToEmulator" in str(w.entry)]
    assert any("writes gc for gamecube: read as the pack's ids" in r for r in said), said
    assert not any("does not have: gc" in r or "pce, ps1" in r for r in said), said


@pytest.mark.parametrize("os_id", ["darkos", "351elec"])
def test_an_os_with_an_emulator_profile_only_runs_arcade_sets_with_an_arcade_core(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """qa205 F2: on an OS the pack's catalog does not have (dArkOS, 351ELEC: an emulator
    profile only, where it runs not said), the installed Flycast — a Dreamcast emulator —
    was kept for arcade, unsaid, where ROCKNIX and ArkOS got an arcade emulator."""
    pack = load_pack(shared_path("definition-pack"))
    assert os_id not in pack.operating_systems  # premise: no system known for it
    resolved = resolve_os_profile(pack, "rg-35xx-plus", os_id)
    assert resolved.installed is not None and "flycast" in resolved.installed  # premise
    arcade, _ = resolved.emulators["arcade"]
    runner = pack.emulators[arcade]
    assert runner.platforms[0] == "arcade" and runner.type == "libretro-core", arcade
    assert "flycast is a dreamcast emulator" in resolved.labels["arcade"]
    assert any("flycast, which it lists as installed, runs arcade as a dreamcast emulator"
               in warning and f"{arcade} is used" in warning for warning in resolved.warnings)
    assert resolved.emulators["dreamcast"][0] == "flycast"  # (its own platform stays)
    fill = real_pack_profile(cli, tmp_path, "gb/Tetris Test (World).gb", b"t", "rg-35xx-plus",
                             os_id)
    arcade_set = tmp_path / "lib" / "arcade" / "pacman.zip"
    arcade_set.parent.mkdir(parents=True)
    with zipfile.ZipFile(arcade_set, "w") as archive:
        archive.writestr("pacman.6e", hashlib.sha256(b"pacman").digest() * 128)
    assert cli("--pack", fill, "scan", "--workers", "1").code == 0
    listed = cli("--pack", fill, "--json", "autolist", "1")
    games = {game["platform_id"]: game for game in listed.json()["data"]["games"]}
    assert games["arcade"]["emulator_id"] == arcade, games["arcade"]


@pytest.mark.parametrize("os_id", ["darkos", "351elec", "retrooz", "amberelec"])
def test_fbneo_sets_get_an_arcade_emulator_where_arcade_sets_got_one_not_listed(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """review51a F4: after f68efe87, on dArkOS, 351ELEC, RetroOZ (an emulator profile only)
    and AmberELEC (whose list is whole), arcade sets got an arcade emulator the OS does not
    list, but the fbneo folder's sets, which FBNeo's RetroArch core runs as well, were left
    out as run by no emulator there."""
    pack = load_pack(shared_path("definition-pack"))
    resolved = resolve_os_profile(pack, "rg-35xx-plus", os_id)
    assert resolved.lists_what_is_installed, resolved.partial_list  # premise: a whole list
    assert resolved.emulators["arcade"][1] == ORIGIN_AVAILABLE  # premise: f68efe87's swap
    fbneo, origin = resolved.emulators["fbneo"]
    runner = pack.emulators[fbneo]
    assert origin == ORIGIN_AVAILABLE and "fbneo" in runner.platforms, fbneo
    assert runner.platforms[0] in ("arcade", "fbneo") and runner.type == "libretro-core"
    assert "as for the other arcade sets" in resolved.labels["fbneo"], resolved.labels
    assert any(f"nothing it lists runs fbneo's sets either: {fbneo} is used for them"
               in warning for warning in resolved.warnings), resolved.warnings
    fill = real_pack_profile(cli, tmp_path, "gb/Tetris Test (World).gb", b"t", "rg-35xx-plus",
                             os_id)
    for folder, name in (("arcade", "pacman.zip"), ("fbneo", "sf2.zip")):
        sets = tmp_path / "lib" / folder / name
        sets.parent.mkdir(parents=True)
        with zipfile.ZipFile(sets, "w") as archive:
            archive.writestr(f"{name}.6e", hashlib.sha256(name.encode()).digest() * 128)
    assert cli("--pack", fill, "scan", "--workers", "1").code == 0
    listed = cli("--pack", fill, "--json", "autolist", "1").json()
    games = {game["platform_id"]: game for game in listed["data"]["games"]}
    assert games["fbneo"]["emulator_id"] == fbneo, (games.keys(), listed["warnings"])
    assert games["arcade"]["emulator_id"] == resolved.emulators["arcade"][0]
    assert not any("no emulator the pack knows runs fbneo" in w for w in listed["warnings"])
