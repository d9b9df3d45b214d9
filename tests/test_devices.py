"""Devices and profiles: catalog ids, chipsets, OS profile resolution, migration 8, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.catalog import (
    DEVICE_ALIASES,
    canonical_device_id,
    chipset_class,
    device_chipset,
    score_chain,
)
from romrunner.devices.osprofile import (
    ORIGIN_DEVICE,
    ORIGIN_FALLBACK,
    ORIGIN_OS,
    expand_policy_ids,
    fallback_defaults,
    resolve_os_profile,
)
from romrunner.errors import NotFoundError
from romrunner.packs import load_pack
from romrunner.packs.loader import DefinitionPack, builtin_pack_path
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from tests.conftest import shared_path
from tests.test_migrations import normalised_schema


@pytest.fixture(scope="module")
def real_pack() -> DefinitionPack:
    return load_pack(shared_path("definition-pack"))


def test_every_device_override_key_is_a_catalog_id_or_an_explicit_alias(
        real_pack: DefinitionPack) -> None:
    by_device = real_pack.os_profiles["deviceOsProfiles"]["byDeviceId"]
    unexplained = [key for key in by_device
                   if key not in real_pack.devices and key not in DEVICE_ALIASES]
    assert unexplained == []
    dangling = [alias for alias, target in DEVICE_ALIASES.items()
                if target is not None and target not in real_pack.devices]
    assert dangling == []


def test_the_three_device_namespaces_meet_on_the_catalog_id(real_pack: DefinitionPack) -> None:
    assert canonical_device_id(real_pack, "rg-35xx-plus") == "rg-35xx-plus"
    assert canonical_device_id(real_pack, "anbernic-rg35xx-plus") == "rg-35xx-plus"
    assert canonical_device_id(real_pack, "rg35xx-plus") == "rg-35xx-plus"
    with pytest.raises(NotFoundError, match="'gameforce-chi'"):
        canonical_device_id(real_pack, "gameforce-chi")  # an override key with no device
    with pytest.raises(NotFoundError, match="'no-such-handheld'"):
        canonical_device_id(real_pack, "no-such-handheld")


@pytest.mark.parametrize(("chip", "chipset"), [
    ("Allwinner H700", "h700"),                 # the pack's socToChipsetId
    ("RockChip RK3566", "rk3566"),              # pack spelling differs in case: our rule
    ("Qualcomm Snapdragon 8 Gen 2", "sd8gen2"),
    ("Qualcomm Snapdragon 865", "sd865"),
    ("UNISOC Tiger T618", "t618"),
    ("Allwinner A133 Plus", "a133p"),
    ("MediaTek Dimensity 1200", "dimensity-1200"),
    ("Broadcom BCM2711\n(Raspberry Pi 4B)", "bcm2711"),
    ("AMD Aerith", "van-gogh"),                 # Steam Deck LCD and OLED: one APU class
    ("AMD Sephiroth", "van-gogh"),
    ("AMD Van Gogh (Steam Deck)", "van-gogh"),  # as performance sources name it
    ("Custom SoC", None),
    (None, None),
])
def test_chip_text_becomes_a_chipset_class(real_pack: DefinitionPack, chip: str | None,
                                           chipset: str | None) -> None:
    assert chipset_class(real_pack, chip) == chipset


def test_inherits_scores_from_is_followed(real_pack: DefinitionPack) -> None:
    assert score_chain(real_pack, "rg35xx2024") == ["rg35xx2024", "rg-35xx"]
    assert device_chipset(real_pack, "rg35xx2024") == "h700"
    # gkd350h has no plumOS entry of its own: it inherits gkd-pixel's, a profileRef.
    resolved = resolve_os_profile(real_pack, "gkd350h", "plumos")
    assert resolved.layers[0] == "deviceOsProfiles.byDeviceId.gkd-pixel.plumos"
    assert "profilesByOsId.plumos (profileRef)" in resolved.layers
    assert resolved.emulator_for("gba") == ("gpsp", ORIGIN_OS)


def test_device_entry_is_merged_onto_the_os_profile(real_pack: DefinitionPack) -> None:
    resolved = resolve_os_profile(real_pack, "rg-35xx-plus", "knulli")
    assert resolved.layers == ["deviceOsProfiles.byDeviceId.anbernic-rg35xx-plus.knulli",
                               "profilesByOsId.knulli"]
    assert resolved.emulator_for("gba") == ("mgba", ORIGIN_DEVICE)
    # The device entry has no layout: the OS profile's stays.
    assert resolved.layout_paths["roms"] == "/userdata/roms"
    assert resolved.is_installed("mgba") is True
    assert resolved.is_installed("drastic") is False
    # n64 is in the OS's defaults, not the device's (which names 23 of the OS's 63): the
    # OS's default stays, and so do the emulators the OS lists as installed.
    os_defaults = real_pack.os_profiles["profilesByOsId"]["knulli"]["defaults"]
    n64 = os_defaults["platformToEmulator"]["n64"]
    assert resolved.emulator_for("n64") == (n64, ORIGIN_OS)
    assert resolved.is_installed(n64) is True
    assert "n64" not in resolved.fallback_platforms
    # a platform no knulli entry names: the fallback default, with a warning naming it
    missing = sorted(set(fallback_defaults(real_pack)) - set(
        os_defaults["platformToEmulator"]) - set(real_pack.os_profiles["deviceOsProfiles"][
            "byDeviceId"]["anbernic-rg35xx-plus"]["knulli"]["defaults"]["platformToEmulator"]))
    assert missing and all(resolved.emulator_for(p)[1] == ORIGIN_FALLBACK for p in missing)
    assert any("fallback defaults" in w for w in resolved.warnings)


def test_an_os_without_any_profile_uses_the_fallback_defaults_and_warns(
        real_pack: DefinitionPack) -> None:
    resolved = resolve_os_profile(real_pack, "rg-35xx-plus", "retrobat")
    assert resolved.layers == []
    assert resolved.emulator_for("ps2") == ("pcsx2", ORIGIN_FALLBACK)
    assert resolved.emulator_for("psx") == ("retroarch", ORIGIN_FALLBACK)  # ps1 -> psx
    assert any("no emulator profile for retrobat" in w for w in resolved.warnings)
    with pytest.raises(NotFoundError, match="'beos'"):
        resolve_os_profile(real_pack, "rg-35xx-plus", "beos")


def test_policy_pseudo_ids_are_mapped_explicitly(real_pack: DefinitionPack) -> None:
    assert expand_policy_ids(real_pack, ["ps1"]) == {"psx"}
    up_to_snes = expand_policy_ids(real_pack, ["up_to_snes"])
    assert {"nes", "snes", "gb", "gbc", "genesis", "atari-2600", "sms"} <= up_to_snes
    assert not {"psx", "n64", "gba", "arcade", "ports"} & up_to_snes
    assert expand_policy_ids(real_pack, ["xbox360"]) == set()


def test_migration_10_adds_the_profile_columns_and_keeps_rows(tmp_path: Path) -> None:
    old = Database(tmp_path / "v9.db")
    migrate(old, target=9)
    old.execute("INSERT INTO devices (id, device_id, nickname, connection_type) VALUES "
                "(1, 'rg-35xx-plus', 'mine', 'sd_card')")
    old.execute("INSERT INTO device_profiles (id, device_row_id, os_id, profile_name, "
                "custom_roms_path) VALUES (1, 1, 'muos', 'RG - muOS', '/ROMS')")
    old.close()
    migrated = open_database(tmp_path / "v9.db", OpenMode.WRITE).db
    assert current_version(migrated) == LATEST_VERSION
    row = migrated.query_one("SELECT * FROM device_profiles WHERE id = 1")
    assert row is not None
    assert (row["profile_name"], row["custom_roms_path"], row["performance_mode"],
            json.loads(row["include_platforms"]), row["max_games_per_platform"],
            row["one_game_one_rom"]) == ("RG - muOS", "/ROMS", "balanced", [], None, 1)
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(migrated) == normalised_schema(fresh)


def _real(cli: Any, *args: str) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), *args)


def test_devices_and_profiles_from_the_cli(cli: Any) -> None:
    added = _real(cli, "--json", "device", "add", "anbernic-rg35xx-plus", "--name", "mine")
    assert added.code == 0 and added.json()["data"]["device_id"] == "rg-35xx-plus"
    found = _real(cli, "--json", "device", "catalog", "rg35xx", "plus").json()["data"]
    assert [d["id"] for d in found["devices"]] == ["rg-35xx-plus"]
    assert found["devices"][0]["chipset"] == "h700"
    created = _real(cli, "--json", "profile", "create", "--device", "1", "--os", "muos")
    assert created.code == 0
    profile = created.json()["data"]
    assert (profile["id"], profile["name"]) == (1, "mine - muOS")  # the user's name (QA12 F7)
    assert any("fallback" in w for w in created.json()["warnings"])
    changed = _real(cli, "--json", "profile", "set", "1", "--mode", "strict", "--regions",
                    "Europe,USA", "--exclude-platforms", "psx", "--max-per-platform", "5")
    data = changed.json()["data"]
    assert (data["performance_mode"], data["region_preference"], data["exclude_platforms"],
            data["max_games_per_platform"]) == ("strict", ["Europe", "USA"], ["psx"], 5)
    shown = _real(cli, "--json", "profile", "show", "1").json()["data"]
    gba = shown["os_profile"]["emulators"]["gba"]
    assert (gba["emulator"], gba["origin"]) == ("mgba", ORIGIN_DEVICE)
    listed = _real(cli, "--json", "profile", "ls").json()["data"]
    assert [p["id"] for p in listed] == [1]
    owned = _real(cli, "--json", "device", "ls").json()["data"]
    assert [(d["id"], d["nickname"], d["chipset"], d["profiles"]) for d in owned] == [
        (1, "mine", "h700", 1)]
    oses = _real(cli, "--json", "profile", "os", "knul").json()["data"]
    assert oses == [{"id": "knulli", "name": "KNULLI", "in_os_catalog": True}]
    # An id only the emulator profiles know (QA6: listed with its id as its name) is said so.
    uncatalogued = [row for row in _real(cli, "--json", "profile", "os").json()["data"]
                    if not row["in_os_catalog"]]
    assert uncatalogued and all(row["name"] is None for row in uncatalogued)
    assert "not in the pack's OS catalog" in _real(cli, "profile", "os",
                                                   uncatalogued[0]["id"]).out
    none = _real(cli, "profile", "os", "zzz")  # (QA98 F7: nothing at all was said)
    assert none.code == 0 and none.out.startswith("no OS matches 'zzz'")
    every = len(_real(cli, "--json", "device", "catalog", "--limit", "1000").json()["data"][
        "devices"])
    no_device = _real(cli, "device", "catalog", "zzzz")  # (qa197 F10: "0 of 0 devices")
    assert no_device.code == 0 and " ".join(no_device.out.split()) == (
        f"no device matches 'zzzz': none of the pack's {every} has every word in its name, "
        f"brand or chip (`romrunner device catalog --limit {every}` lists them all)")
    assert "operating system" not in no_device.err
    for typed in ("muos", "Onion OS"):  # (qa205 N6: the OS typed, not the device)
        an_os = _real(cli, "--json", "device", "catalog", typed).json()
        assert an_os["data"]["total"] == 0, an_os
        said = [w for w in an_os["warnings"] if "is an operating system, not a device" in w]
        assert len(said) == 1 and "`romrunner profile os`" in said[0], an_os["warnings"]
    listed = _real(cli, "--json", "device", "catalog", "--limit", str(every))  # (as it says:
    assert len(listed.json()["data"]["devices"]) == every  # review45c F3, it showed 50)
    refused = _real(cli, "device", "rm", "1")  # its profile would go with it: refused
    assert refused.code == 2
    assert refused.err.splitlines()[-1] == (
        "error: device 1 has 1 profile, which would be removed with it; nothing was "
        "removed (use --force to remove it too)")  # (counted words: qa203 F8)
    assert [p["id"] for p in _real(cli, "--json", "profile", "ls").json()["data"]] == [1]
    removed = _real(cli, "--json", "device", "rm", "1", "--force").json()["data"]
    assert removed["profiles_removed"] == 1
    assert _real(cli, "--json", "profile", "ls").json()["data"] == []
    again = _real(cli, "device", "add", "rg-35xx-plus", "--name", "My Miyoo")
    assert again.code == 0 and again.out.splitlines()[0] == \
        "device 2: My Miyoo, RG-35XX Plus (rg-35xx-plus)"  # the name given is echoed (QA12 F7)
    assert _real(cli, "--json", "device", "rm", "2").json()["data"]["profiles_removed"] == 0
    assert _real(cli, "device", "add", "rg-35xx-plus").code == 0  # none: no --force needed
    assert _real(cli, "--json", "device", "rm", "3").json()["data"]["profiles_removed"] == 0


@pytest.mark.parametrize(("args", "named"), [
    (("device", "add", "no-such-handheld"), "'no-such-handheld'"),
    (("profile", "create", "--device", "1", "--os", "beos"), "'beos'"),
    (("profile", "create", "--device", "9", "--os", "muos"), "device 9"),
    (("profile", "show", "7"), "profile 7"),
    (("profile", "rm", "7"), "profile 7"),
    (("device", "rm", "7"), "device 7"),
    (("profile", "set", "1", "--exclude-platforms", "psx,zzz", "--mode", "strict"), "zzz"),
])
def test_unknown_ids_are_one_line_errors_and_change_nothing(cli: Any, args: tuple[str, ...],
                                                            named: str) -> None:
    assert _real(cli, "device", "add", "rg-35xx-plus").code == 0
    assert _real(cli, "profile", "create", "--device", "1", "--os", "knulli").code == 0
    before = _real(cli, "--json", "profile", "ls").json()["data"]
    result = _real(cli, *args)
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and named in errors[0]
    assert "Traceback" not in result.err
    assert _real(cli, "--json", "profile", "ls").json()["data"] == before


def test_a_device_the_pack_no_longer_has_is_said_so(cli: Any, tmp_path: Path) -> None:
    """QA114 F6: a device dropped from the pack showed only as "chipset unknown"."""
    assert cli("device", "add", "miyoo-mini-plus").code == 0
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    data = json.loads((pack / "devices.json").read_text(encoding="utf-8"))
    data["devices"] = [d for d in data["devices"] if d["deviceId"] != "miyoo-mini-plus"]
    (pack / "devices.json").write_text(json.dumps(data), encoding="utf-8")
    kept = cli("--json", "device", "ls").json()
    assert kept["warnings"] == [] and kept["data"][0]["in_pack"] is True
    dropped = cli("--json", "--pack", str(pack), "device", "ls").json()
    assert dropped["data"][0]["in_pack"] is False
    assert [w for w in dropped["warnings"] if w.startswith(
        "device 1: miyoo-mini-plus is not in the definition pack in use")]
    # (its profiles say it too: review 118 F10)
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    shown = cli("--json", "--pack", str(pack), "profile", "show", "1").json()
    assert [w for w in shown["warnings"] if w.startswith(
        "device miyoo-mini-plus is not in the definition pack in use")], shown["warnings"]


def test_an_os_profile_naming_an_emulator_the_pack_dropped_is_said_so(
        cli: Any, tmp_path: Path) -> None:
    """QA114 F5: a pack that dropped mGBA still named it for gba in muOS's profile; the
    auto-list included every gba game under it without a word."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    data = json.loads((pack / "emulators.json").read_text(encoding="utf-8"))
    data["emulators"] = [e for e in data["emulators"] if e["id"] != "retroarch-mgba"]
    (pack / "emulators.json").write_text(json.dumps(data), encoding="utf-8")
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0
    assert not [w for w in cli("--json", "profile", "show", "1").json()["warnings"]
                if "do not have" in w]
    shown = cli("--json", "--pack", str(pack), "profile", "show", "1").json()
    assert [w for w in shown["warnings"] if "names retroarch-mgba for gba" in w
            and "which the pack's emulators do not have" in w], shown["warnings"]


def test_profile_set_shows_the_settings_it_leaves(cli: Any) -> None:
    """QA120 F5: `profile set` printed the header line only, not what was just set."""
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0
    said = cli("profile", "set", "1", "--regions", "USA,Europe", "--max-per-platform", "10",
               "--exclude-platforms", "psx")
    assert said.code == 0
    lines = [" ".join(line.split()) for line in said.out.splitlines()]
    assert "games per platform 10" in lines and "regions preferred USA, Europe" in lines
    assert "platforms all except psx" in lines, lines


def test_an_empty_value_in_a_profile_list_is_refused_and_changes_nothing(cli: Any) -> None:
    """QA144 F5: `--regions USA,,Europe` dropped the empty value without a word (a typo that
    costs a preference); '' alone clears the list, as asked."""
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "set", "1", "--regions", "USA,Europe")):
        assert cli(*args).code == 0
    for bad in ("USA,,Europe", " , ", "USA,"):
        refused = cli("profile", "set", "1", "--regions", bad)
        assert refused.code == 2 and "--regions" in refused.err, refused.err
        assert "an empty value between commas" in " ".join(refused.err.split())
    shown = cli("--json", "profile", "show", "1").json()["data"]
    assert shown["region_preference"] == ["USA", "Europe"]
    cleared = cli("--json", "profile", "set", "1", "--regions", "")
    assert cleared.code == 0, cleared.err
    assert cli("--json", "profile", "show", "1").json()["data"]["region_preference"] == []


def test_an_empty_value_in_a_profile_collection_list_is_refused_not_any(cli: Any) -> None:
    """qa193 F2: `--include-collections ','` (a list of an empty variable) was taken, the
    empty values dropped: the list left empty, which is any collection, the profile widened
    to the whole library. It is refused as the other lists refuse it; a collection whose
    name holds a comma is still that collection, and '' still clears."""
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("collection", "create", "gbgames"), ("collection", "create", "a,b"),
                 ("profile", "set", "1", "--include-collections", "gbgames")):
        assert cli(*args).code == 0, args
    for option in ("--include-collections", "--exclude-collections"):
        for bad in (",", " , ", "gbgames,,a,b", "gbgames,"):
            refused = cli("profile", "set", "1", option, bad)
            assert refused.code == 2, (option, bad, refused.out)
            assert "an empty value between commas" in " ".join(refused.err.split())
    shown = cli("--json", "profile", "show", "1").json()["data"]
    assert (shown["include_collections"], shown["exclude_collections"]) == ([1], [])
    assert cli("profile", "set", "1", "--include-collections", "a,b").code == 0
    assert cli("--json", "profile", "show", "1").json()["data"]["include_collections"] == [2]
    assert cli("profile", "set", "1", "--include-collections", "").code == 0
    assert cli("--json", "profile", "show", "1").json()["data"]["include_collections"] == []


def test_a_collection_name_split_at_its_comma_in_a_list_is_said_with_its_id(
        cli: Any) -> None:
    """qa201 (a note): `--include-collections "my favs, best,zelda"` said "collection 'my
    favs' does not exist": the list's commas split the name of a collection that exists,
    and nothing said so, nor how to name it in a list. The message names the collection and
    its id, which the list takes; the profile is unchanged."""
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("collection", "create", "zelda"), ("collection", "create", "my favs, best"),
                 ("profile", "set", "1", "--include-collections", "zelda")):
        assert cli(*args).code == 0, args
    favs = next(c["id"] for c in cli("--json", "collection", "ls").json()["data"]
                if c["name"] == "my favs, best")
    for option in ("--include-collections", "--exclude-collections"):
        refused = cli("profile", "set", "1", option, "my favs, best,zelda")
        said = " ".join(refused.err.split())
        assert refused.code == 2, (option, refused.out)
        assert "'my favs, best'" in said and f"by its id ({favs})" in said, said
        assert "does not exist" not in said
    shown = cli("--json", "profile", "show", "1").json()["data"]
    assert (shown["include_collections"], shown["exclude_collections"]) == ([1], [])
    assert cli("collection", "create", "Favs,").code == 0  # (review48e F5: a comma last)
    trailing = cli("profile", "set", "1", "--include-collections", "Favs,,zelda")
    assert trailing.code == 2 and "'Favs,'" in trailing.err and "by its id" in trailing.err, \
        trailing.err
    unknown = cli("profile", "set", "1", "--include-collections", "zelda,nope")
    assert unknown.code != 0 and "'nope'" in unknown.err and "comma" not in unknown.err
    taken = cli("profile", "set", "1", "--include-collections", f"{favs},zelda")
    assert taken.code == 0, taken.err
    assert cli("--json", "profile", "show", "1").json()["data"]["include_collections"] == [
        favs, 1]


def test_profile_show_says_the_rule_resolve_says_of_retroarch_on_android(
        cli: Any, tmp_path: Path) -> None:
    """qa188 F3: `profile show` of an Odin 2 on Android said "gba: retroarch (fallback
    default)", though the pack's fallback defaults name no emulator for the GBA: RetroArch
    is taken because Android runs it, as `resolve` said ("built-in fallback: android runs
    RetroArch"). Each platform's line now gives the rule `resolve` gives."""
    (tmp_path / "roms" / "gba").mkdir(parents=True)
    (tmp_path / "roms" / "gba" / "Advance (USA).gba").write_bytes(b"\x2a" * 2048)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "odin-2"),
                 ("profile", "create", "--device", "1", "--os", "android")):
        assert _real(cli, *args).code == 0, args
    resolved = _real(cli, "--json", "resolve", "1", "--profile", "1").json()["data"]
    assert resolved["emulator_id"] == "retroarch"
    rule = resolved["emulator_origin"]
    assert rule == "built-in fallback: android runs RetroArch"
    text = _real(cli, "profile", "show", "1").out
    assert f"    gba: retroarch ({rule})" in text.splitlines(), text
    assert "fallback default" not in text
    assert "    psx: retroarch (pack fallback)" in text.splitlines()  # (the pack's does name it)
    shown = _real(cli, "--json", "profile", "show", "1").json()["data"]["os_profile"]
    assert shown["emulators"]["gba"] == {"emulator": "retroarch", "origin": "built-in fallback",
                                         "rule": rule}
    assert shown["emulators"]["psx"]["origin"] == ORIGIN_FALLBACK


def test_device_catalog_of_a_pack_without_devices_says_so(cli: Any, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    (pack / "devices.json").write_text(json.dumps({"version": "1", "devices": []}))
    for text in ((), ("rg35xx",)):
        said = cli("--pack", str(pack), "device", "catalog", *text)
        assert said.code == 0 and said.out == ("the pack's device catalog is empty "
                                               "(`romrunner pack status` says which pack is "
                                               "in use)\n")


_OS_TYPED = [  # (review51f F3: the OS hint came for the exact id or name only)
    ("real", "onion", "onionos"), ("real", "GARLIC", "garlicos"), ("real", "muos", "muos"),
    ("real", "Onion OS", "onionos"), ("real", "darkos", "darkos"),  # (emulator profile only)
    ("real", "Raspbian", "raspbian"),  # (an alias operating-systems.json gives)
    ("built-in", "onion", "onionos"), ("built-in", "MuOS", "muos"),
    ("built-in", "knulli", "knulli")]


@pytest.mark.parametrize(("pack", "typed", "os_id"), _OS_TYPED)
def test_an_os_typed_for_a_device_is_said_to_be_one_in_catalog_and_add(
        cli: Any, pack: str, typed: str, os_id: str) -> None:
    """review51f F3: `device catalog onion` or `garlic` (OnionOS, GarlicOS), and every
    `device add` of an OS, said nothing of it; whatever the case, by id, name, an alias, or the
    name without its "OS"; with the real pack and the built-in one."""
    run = (lambda *args: _real(cli, *args)) if pack == "real" else cli
    found = run("--json", "device", "catalog", typed).json()
    assert found["data"]["total"] == 0, found
    said = [w for w in found["warnings"] if "is an operating system, not a device" in w]
    assert len(said) == 1 and f"({os_id}) is an operating system" in said[0], found
    assert f"--os {os_id}`" in said[0], said
    added = run("device", "add", typed)
    assert added.code == 2 and added.err.count("error:") == 1, added.err
    assert f"({os_id}) is an operating system, not a device" in added.err, added.err


def test_a_brand_or_a_word_no_os_is_named_by_gets_no_os_hint(cli: Any) -> None:
    """review51f F3's guard: "retroid" (Retroid OS without its "OS") is a brand of devices,
    and "zzzz" names nothing: neither is said to be an operating system."""
    for args in (("device", "add", "retroid"), ("device", "add", "zzzz"),
                 ("device", "catalog", "zzzz"), ("device", "catalog", "retroid")):
        result = _real(cli, *args)
        assert "operating system" not in result.err, (args, result.err)
    assert "not in the device catalog" in _real(cli, "device", "add", "retroid").err
