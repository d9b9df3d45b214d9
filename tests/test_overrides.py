"""Overrides: ids checked against the pack, the family map, precedence and the explainer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.overrides import (
    EmulatorResolver,
    emulator_family,
    emulator_key,
    explain,
    list_overrides,
    remove_override,
    resolve_emulator_id,
    resolve_emulators,
    set_game_override,
    set_platform_override,
)
from romrunner.errors import InputError, NotFoundError
from romrunner.packs import load_pack
from romrunner.packs.loader import DefinitionPack
from romrunner.store import Database
from tests.conftest import shared_path
from tests.test_query import make_library


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = make_library(tmp_path / "lib.db")
    add_profile(db, "muos")
    return db


def add_profile(db: Database, os_id: str, device: str = "rg-35xx-plus") -> int:
    with db.atomic():
        device_row = db.execute("INSERT INTO devices (device_id, connection_type) "
                                "VALUES (?, 'sd_card')", (device,)).lastrowid
        profile = db.execute("INSERT INTO device_profiles (device_row_id, os_id) VALUES (?, ?)",
                             (device_row, os_id)).lastrowid
    assert profile is not None
    return profile


@pytest.fixture(scope="module")
def pack() -> DefinitionPack:
    return load_pack(None)


def test_family_map_spellings() -> None:
    assert emulator_key("retroarch-snes9x") == emulator_key("snes9x_libretro") == "snes9x"
    assert emulator_key("retroarch:mupen64plus_next") == "mupen64plus-next"
    assert emulator_family("dolphin-standalone") == emulator_family("dolphin") == "dolphin"
    assert emulator_family("duckstation-standalone") == "duckstation"
    assert emulator_family("mgba") == "mgba"


def test_emulator_ids_resolve_through_the_map(pack: DefinitionPack) -> None:
    assert resolve_emulator_id(pack, "snes9x") == "retroarch-snes9x"
    assert resolve_emulator_id(pack, "snes9x_libretro") == "retroarch-snes9x"
    assert resolve_emulator_id(pack, "duckstation") == "duckstation"
    with pytest.raises(InputError, match="'nope' is not in the definition pack"):
        resolve_emulator_id(pack, "nope")


def test_real_pack_aliases_and_installed_warnings(tmp_path: Path) -> None:
    real = load_pack(shared_path("definition-pack"))
    assert resolve_emulator_id(real, "dolphin") == "dolphin"
    assert resolve_emulator_id(real, "dolphin_libretro") == "dolphin"
    assert resolve_emulator_id(real, "dolphin-standalone") == "dolphin-standalone"
    db = make_library(tmp_path / "real.db")
    profile = add_profile(db, "rocknix")
    ok = set_platform_override(db, real, "snes", "snes9x", profile)
    assert ok.emulator_id == "snes9x" and ok.warnings == []
    with pytest.raises(InputError, match=r"does not list platform n64.*--force"):
        set_platform_override(db, real, "n64", "dolphin", profile)
    doubtful = set_platform_override(db, real, "n64", "dolphin", profile, force=True)
    assert any("does not list platform n64" in w for w in doubtful.warnings)
    assert any("not installed on rocknix" in w for w in doubtful.warnings)
    # qa188 F11: an emulator the pack says does not run on Android, on an Android device
    android = add_profile(db, "android", "odin-2")
    elsewhere = set_platform_override(db, real, "ps2", "pcsx2", android)
    assert elsewhere.warnings == [
        "emulator pcsx2 does not run on android (the definition pack says)"]
    assert set_platform_override(db, real, "ps2", "nethersx2", android).warnings == []


def test_precedence_and_the_explainer_agree_with_resolve(db: Database,
                                                         pack: DefinitionPack) -> None:
    profile = 1

    def both() -> tuple[Any, Any]:
        why = explain(db, pack, 1, profile)
        fast = resolve_emulators(db, pack, profile, [1])[1]
        assert (why.emulator_id, why.emulator_origin) == (fast.emulator_id, fast.origin)
        return why.emulator_id, why.emulator_origin

    assert both() == ("retroarch-snes9x", "muos default")
    set_platform_override(db, pack, "snes", "retroarch-mgba", force=True)
    assert both() == ("retroarch-mgba", "platform override")
    set_platform_override(db, pack, "snes", "retroarch-fceumm", profile, force=True)
    assert both() == ("retroarch-fceumm", "profile platform override")
    set_game_override(db, pack, 1, emulator="retroarch-gambatte", force=True)
    assert both() == ("retroarch-gambatte", "game override")
    set_game_override(db, pack, 1, profile_id=profile, emulator="snes9x", action="exclude")
    why = explain(db, pack, 1, profile)
    assert (why.emulator_id, why.emulator_origin) == ("retroarch-snes9x",
                                                      "profile game override")
    assert [r.level for r in why.emulator_rules if not r.decided] == [
        "game override", "profile platform override", "platform override", "muos default"]
    assert (why.action, why.action_origin) == ("exclude", "profile game override")
    assert explain(db, pack, 1, None).emulator_origin == "game override"
    assert resolve_emulators(db, pack, profile, [1])[1].action == "exclude"


def test_settings_merge_per_key_profile_first(db: Database, pack: DefinitionPack) -> None:
    set_game_override(db, pack, 1, settings={"frameskip": 1, "shader": "crt"})
    set_game_override(db, pack, 1, settings={"audio": "low"})  # merged, not replaced
    set_game_override(db, pack, 1, profile_id=1, settings={"frameskip": 2})
    why = explain(db, pack, 1, 1)
    assert why.settings == {"frameskip": (2, "profile game override"),
                            "shader": ("crt", "game override"),
                            "audio": ("low", "game override")}


def test_bad_ids_are_errors_and_store_nothing(db: Database, pack: DefinitionPack) -> None:
    for call, named in (
            (lambda: set_platform_override(db, pack, "snes", "nope"), "'nope'"),
            (lambda: set_platform_override(db, pack, "nope", "snes9x"), "'nope'"),
            (lambda: set_platform_override(db, pack, "snes", "snes9x", 99), "profile 99"),
            (lambda: set_game_override(db, pack, 999, emulator="snes9x"), "game 999"),
            (lambda: set_game_override(db, pack, 1, emulator="nope"), "'nope'"),
            (lambda: set_game_override(db, pack, 1, action="maybe"), "'maybe'")):
        with pytest.raises((InputError, NotFoundError), match=named):
            call()
    assert list_overrides(db) == []
    with pytest.raises(NotFoundError, match="no override"):
        remove_override(db, game_id=1)


def test_override_of_a_deleted_game_goes_with_it(db: Database, pack: DefinitionPack) -> None:
    set_game_override(db, pack, 2, emulator="snes9x", action="include")
    with db.atomic():
        db.execute("DELETE FROM games WHERE id = 2")
    assert list_overrides(db) == []
    with pytest.raises(NotFoundError, match="game 2"):
        explain(db, pack, 2)


def test_override_and_resolve_cli(cli: Any, db_path: Path) -> None:
    db = make_library(db_path)
    add_profile(db, "muos")
    db.close()
    assert cli("override", "set", "--platform", "snes", "--emulator", "snes9x").code == 0
    assert cli("override", "set", "--game", "1", "--profile", "1", "--exclude",
               "--setting", "frameskip=2").code == 0
    data = cli("--json", "resolve", "1", "--profile", "1").json()["data"]
    assert data["emulator_id"] == "retroarch-snes9x"
    assert data["emulator_origin"] == "platform override"
    assert data["action"] == "exclude" and data["action_origin"] == "profile game override"
    assert data["settings"] == {"frameskip": {"value": 2,
                                              "origin": "profile game override"}}
    text = cli("resolve", "1", "--profile", "1")
    assert "<- platform override" in text.out and "outranked: muos default" in text.out
    listed = cli("--json", "override", "ls").json()["data"]
    assert {(r["scope"], r["target"]) for r in listed} == {("platform", "snes"), ("game", "1")}
    for args, named in ((["set", "--platform", "snes", "--emulator", "nope"], "'nope'"),
                        (["set", "--platform", "nope", "--emulator", "snes9x"], "'nope'"),
                        (["set", "--game", "1"], "give --emulator"),
                        # (QA63 F5: "(all profiles)" read as "no profile has one")
                        (["rm", "--game", "1"], "no override for game 1 set for every "
                         "profile (without --profile); profile 1 has one (`romrunner "
                         "override rm --game 1 --profile 1`)"),
                        (["rm", "--game", "1", "--profile", "2"], "no override for game 1 "
                         "of profile 2; profile 1 has one"),
                        # (qa193 F10: an unknown game or platform was not said so)
                        (["rm", "--game", "9999"], "no override for game 9999: no game has "
                         "that id"),
                        (["rm", "--platform", "nope"], "no override for platform nope: it is "
                         "not a platform of the definition pack"),
                        (["rm", "--platform", "gba"], "no override for platform gba set for "
                         "every profile (without --profile)")):
        bad = cli("override", *args)
        assert bad.code == 2 and named in bad.err, (args, bad.err)
    assert cli("override", "rm", "--game", "1", "--profile", "1").code == 0
    assert cli("resolve", "999").code == 2


def test_a_page_resolves_like_the_explainer_per_game_without_a_query_per_game(
        db: Database, pack: DefinitionPack) -> None:
    """Every level on some game of the page (two profiles, global, disabled, action-only):
    the page's answer for each game is the explainer's, and the page costs at most two
    statement whatever its size (no per-game query), once the profile's resolver is built."""
    profile, other = 1, add_profile(db, "rocknix", device="other-device")
    set_platform_override(db, pack, "snes", "retroarch-mgba", force=True)
    set_platform_override(db, pack, "n64", "retroarch-fceumm", profile, force=True)
    set_platform_override(db, pack, "nes", "retroarch-gambatte", other, force=True)
    set_game_override(db, pack, 1, emulator="retroarch-gambatte", force=True)
    set_game_override(db, pack, 2, profile_id=profile, emulator="snes9x")
    set_game_override(db, pack, 2, emulator="retroarch-fceumm", action="exclude",
                      force=True)
    set_game_override(db, pack, 3, profile_id=profile, action="exclude")  # no emulator
    set_game_override(db, pack, 5, profile_id=other, emulator="snes9x",
                      force=True)  # another profile
    set_game_override(db, pack, 7, emulator="snes9x", force=True)
    with db.atomic():
        db.execute("UPDATE game_overrides SET is_enabled = 0 WHERE game_id = 7")
    resolver = EmulatorResolver(db, pack, profile)
    ids = [int(r["id"]) for r in db.query("SELECT id FROM games ORDER BY id")]
    counts = []
    for asked in (ids[:1], ids):
        seen: list[str] = []
        db.conn.set_trace_callback(seen.append)
        try:
            page = resolver.games(asked)
        finally:
            db.conn.set_trace_callback(None)
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 2 and sorted(page) == ids
    platforms = {int(r["id"]): str(r["platform_id"]) for r in db.query(
        "SELECT id, platform_id FROM games")}
    assert resolver.games_on(platforms) == page  # (the auto-list's: platforms it read)
    for game_id in ids:
        why = explain(db, pack, game_id, profile)
        fast = page[game_id]
        assert (fast.emulator_id, fast.origin) == (why.emulator_id, why.emulator_origin), game_id
        assert (fast.action or "include") == why.action, game_id
    assert (page[2].emulator_id, page[2].origin, page[2].action) == (
        "retroarch-snes9x", "profile game override", "exclude")
    assert page[3].origin == "platform override" and page[3].action == "exclude"
    assert page[5].origin != "profile game override" and page[7].origin != "game override"
    assert resolve_emulators(db, pack, None, [2])[2].emulator_id == "retroarch-fceumm"


def test_settings_keep_what_the_user_typed_and_json_stays_valid(cli: Any,
                                                                 db_path: Path) -> None:
    make_library(db_path).close()
    done = cli("override", "set", "--game", "1", "--setting", "v=1.10", "--setting", "f=1e3",
               "--setting", "t=true", "--setting", "n=3", "--setting", "z=007",
               "--setting", "s=hello world")
    assert done.code == 0, done.err
    assert "v=1.10, f=1e3, t=true, n=3, z=007, s=hello world" in done.out
    listed = cli("--json", "override", "ls")
    settings = json.loads(listed.out, parse_constant=pytest.fail)["data"][0]["settings"]
    assert settings == {"v": "1.10", "f": "1e3", "t": True, "n": 3, "z": "007",
                        "s": "hello world"}
    assert "t=true" in cli("override", "ls").out and "v=1.10" in cli("resolve", "1").out
    for value in ("NaN", "Infinity", "-Infinity", "nan", "inf"):
        bad = cli("override", "set", "--game", "1", "--setting", f"x={value}")
        assert bad.code == 2 and "not a finite number" in bad.err, bad.err
    for text in ("k\x1b=v", "k=line\nbreak"):  # (QA26: an ESC in a key was stored)
        bad = cli("override", "set", "--game", "1", "--setting", text)
        assert bad.code == 2 and "control or invisible characters" in bad.err, bad.err
    both = cli("override", "set", "--game", "1", "--include", "--exclude")
    assert both.code == 2 and "--include and --exclude together" in both.err
    twice = cli("override", "set", "--game", "1", "--setting", "a=1", "--setting", "a=2")
    assert twice.code == 2 and "a is given twice" in twice.err  # (QA98: the last kept)
    assert cli("--json", "override", "ls").json()["data"][0]["action"] is None


def test_a_whole_number_beyond_64_bits_is_kept_as_text(cli: Any, db_path: Path) -> None:
    """qa195 F7: 5,000 digits gave "internal error: ValueError" (Python's limit on turning
    text into a number); no emulator setting is such a number: kept as typed, as 1e999 is."""
    make_library(db_path).close()
    huge, top = "9" * 5000, str(2**63 - 1)
    done = cli("override", "set", "--game", "1", "--setting", f"h={huge}",
               "--setting", f"t={top}", "--setting", f"o={2**63}", "--setting", f"m={-2**63}")
    assert done.code == 0, done.err
    settings = cli("--json", "override", "ls").json()["data"][0]["settings"]
    assert settings == {"h": huge, "t": 2**63 - 1, "o": str(2**63), "m": -2**63}, settings


def test_a_nan_stored_before_the_check_reads_as_text(cli: Any, db_path: Path) -> None:
    db = make_library(db_path)
    db.execute("INSERT INTO game_overrides (game_id, custom_settings) VALUES "
               "(1, '{\"x\": NaN, \"y\": Infinity}')")
    db.close()
    listed = cli("--json", "override", "ls")
    assert json.loads(listed.out, parse_constant=pytest.fail)["data"][0]["settings"] == {
        "x": "NaN", "y": "Infinity"}


def test_an_emulator_the_pack_says_cannot_run_the_platform_or_the_os_is_said(
        cli: Any, db_path: Path) -> None:
    """qa193 F9: `override set --platform gb --emulator pcsx2` (every profile, an Android
    one among them) was taken with a warning of the platform only; the auto-list then kept
    the Game Boy games "compatibility assumed". An emulator that does not list the platform
    is refused unless --force; one that does not run on a profile's OS is said of an
    override for every profile as of one for that profile."""
    db = make_library(db_path)
    android = add_profile(db, "android", "retroid-pocket-5")
    add_profile(db, "rocknix", "rg-353v")
    db.close()
    pack = str(shared_path("definition-pack"))
    for args in (("--platform", "snes", "--emulator", "pcsx2"),
                 ("--game", "1", "--emulator", "pcsx2")):  # (a SNES game)
        refused = cli("--pack", pack, "override", "set", *args)
        assert refused.code == 2, refused.out
        assert "pcsx2 does not list platform snes" in refused.err and "--force" in refused.err
    assert cli("--pack", pack, "--json", "override", "ls").json()["data"] == []
    forced = cli("--pack", pack, "override", "set", "--platform", "snes", "--emulator",
                 "pcsx2", "--force")
    assert forced.code == 0, forced.err
    said = " ".join(forced.err.split())
    assert "pcsx2 does not list platform snes" in said
    assert (f"pcsx2 does not run on android (the definition pack says), the system of "
            f"profile {android} (android)") in said, said
    assert "rocknix" not in said
    # a profile's own override is not this one's concern; another emulator, no word
    assert cli("--pack", pack, "override", "set", "--platform", "ps2", "--emulator",
               "nethersx2", "--profile", str(android)).code == 0
    ps2 = cli("--pack", pack, "override", "set", "--platform", "ps2", "--emulator", "pcsx2")
    assert ps2.code == 0 and "does not run on" not in ps2.err, ps2.err
    game = cli("--pack", pack, "override", "set", "--game", "1", "--emulator", "snes9x")
    assert game.code == 0 and "warning" not in game.err, game.err


def test_override_rm_setting_drops_one_key_and_keeps_the_rest(cli: Any, db_path: Path) -> None:
    """qa202: a setting of a game override could only be set to "" or null (`k=`, `k=null`),
    or the whole override removed (`override rm`); `override rm --game ID --setting KEY`
    drops that key alone, and the override once nothing is left of it."""
    db = make_library(db_path)
    add_profile(db, "muos")
    db.close()
    assert cli("override", "set", "--game", "1", "--exclude", "--setting", "a=1",
               "--setting", "b=two", "--setting", "c=true").code == 0

    def settings(profile: int | None = None) -> dict[str, Any] | None:
        rows = [row for row in cli("--json", "override", "ls").json()["data"]
                if row["target"] == "1" and row["profile_id"] == profile]
        return rows[0]["settings"] if rows else None

    dropped = cli("override", "rm", "--game", "1", "--setting", "a", "--setting", "c")
    assert dropped.code == 0, dropped.err
    assert "game 1 (every profile): settings a, c removed; left: exclude; b=two" in \
        dropped.out, dropped.out
    assert settings() == {"b": "two"}
    assert cli("--json", "resolve", "1").json()["data"]["action"] == "exclude"  # (kept)
    for args, said in ((["--setting", "a"], "has no setting a (it sets b); nothing was "
                                            "changed"),
                       (["--setting", "b=two"], "give the key alone (KEY, not KEY=VALUE)"),
                       (["--setting", "b", "--profile", "1"], "no override for game 1 of "
                        "profile 1; every profile has one (`romrunner override rm --game 1 "
                        "--setting b`)")):
        bad = cli("override", "rm", "--game", "1", *args)
        assert bad.code == 2 and said in bad.err, (args, bad.err)
    platform = cli("override", "rm", "--platform", "snes", "--setting", "b")
    assert platform.code == 2 and "--setting goes with --game" in platform.err
    assert settings() == {"b": "two"}  # nothing changed by the refusals
    last = cli("--json", "override", "rm", "--game", "1", "--setting", "b").json()["data"]
    assert last["settings_removed"] == ["b"] and last["override"]["action"] == "exclude"
    assert settings() == {}  # the override stays: it still excludes the game
    assert cli("override", "set", "--game", "1", "--profile", "1", "--setting", "k=v").code == 0
    gone = cli("override", "rm", "--game", "1", "--profile", "1", "--setting", "k")
    assert gone.code == 0 and "nothing else was set: override removed" in gone.out, gone.out
    assert settings(1) is None and settings() == {}
    assert "--setting KEY" in cli("override", "rm", "--help").out


def test_override_rm_setting_says_where_a_key_is_set_and_refuses_an_empty_key(
        cli: Any, db_path: Path) -> None:
    """review49d F4: a key set at another scope was refused without a word of where it is
    set ("has no setting my key (it sets b)": unquoted, too); F5: `--setting ''` was looked
    up ("has no setting  (it sets c)") instead of refused as `KEY=VALUE` is."""
    db = make_library(db_path)
    add_profile(db, "muos")
    db.close()
    assert cli("override", "set", "--game", "1", "--setting", "b=x", "--exclude").code == 0
    assert cli("override", "set", "--game", "1", "--profile", "1",
               "--setting", "my key=1", "--setting", "c=2").code == 0
    before = cli("--json", "override", "ls").json()["data"]
    bad = cli("override", "rm", "--game", "1", "--setting", "my key")
    assert bad.code == 2
    assert " ".join(bad.err.split()) == (
        "error: the override for game 1 set for every profile (without --profile) has no "
        "setting 'my key' (it sets b); 'my key' is set in its override of profile 1: "
        "`romrunner override rm --game 1 --profile 1 --setting 'my key'` removes it there; "
        "nothing was changed"), bad.err
    back = cli("override", "rm", "--game", "1", "--profile", "1", "--setting", "b",
               "--setting", "c, d")
    assert back.code == 2
    assert " ".join(back.err.split()) == (
        "error: the override for game 1 of profile 1 has no setting b, 'c, d' (it sets c, "
        "'my key'); b is set in its override for every profile (without --profile): "
        "`romrunner override rm --game 1 --setting b` removes it there; nothing was "
        "changed"), back.err
    for key in ("", "  "):
        empty = cli("override", "rm", "--game", "1", "--profile", "1", "--setting", key)
        assert empty.code == 2 and "give the key of the setting to remove (KEY)" in empty.err
        assert "has no setting" not in empty.err, empty.err
    assert cli("--json", "override", "ls").json()["data"] == before  # nothing changed
    done = cli("override", "rm", "--game", "1", "--profile", "1", "--setting", "my key")
    assert done.code == 0 and "setting 'my key' removed; left: c=2" in done.out, done.out
