"""`cache explain`, `cache stats`, `cache sources set`, `cache prune --dry-run`

Issue 14 item 3.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT
from romrunner.store.open import OpenMode, open_database

GAMEINDEX = ('SLUS-20312:\n  name: "Some Game"\n  region: "NTSC-U"\n  compat: 5\n'
             'SLUS-20313:\n  name: "Other Game"\n  region: "NTSC-U"\n  compat: 2\n')


def _setup(cli: Any, db_path: Path, tmp_path: Path) -> None:
    index = tmp_path / "GameIndex.yaml"
    index.write_text(GAMEINDEX)
    assert cli("cache", "import", index, "--format", "pcsx2-gameindex").code == 0
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps({"schemaVersion": "compat-source-v1", "items": [
        {"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLUS 203.12",
         "status": "broken", "confidence": "high", "notes": "crashes in chapter 2"}]}))
    result = cli("cache", "import", sheet, "--source", "community-verified")
    assert result.code == 0, result.err


def _compat(cli: Any, game: str) -> dict[str, Any]:
    shown = cli("--json", "cache", "explain", game)
    assert shown.code == 0, shown.err
    (item,) = shown.json()["data"]
    (group,) = item["kinds"]["compat"]
    return dict(group)


def test_explain_names_each_source_and_why_the_winner_won(cli: Any, db_path: Path,
                                                          tmp_path: Path) -> None:
    _setup(cli, db_path, tmp_path)
    group = _compat(cli, "slus_203.12")  # odd spelling of the serial
    assert [o["source"] for o in group["observations"]] == ["pcsx2-gameindex",
                                                            "community-verified"]
    assert [o["status"] for o in group["observations"]] == ["playable", "broken"]
    assert group["why"].startswith("source priority: pcsx2-gameindex ranks 1, "
                                   "community-verified 3")
    first = group["observations"][0]
    assert first["expires_at"] and first["age"] == "now" and first["stale"] is False
    changed = cli("--json", "cache", "sources", "set", "community-verified", "--priority", "1",
                  "--kind", "compat")
    assert changed.code == 0 and changed.json()["data"]["priority"]["compat"] == 1
    group = _compat(cli, "SLUS-20312")
    assert group["observations"][0]["source"] == "community-verified"
    assert "community-verified ranks 1, pcsx2-gameindex 2" in group["why"]
    with sqlite3.connect(db_path) as conn:  # the stored best answer moved too
        assert conn.execute("SELECT source, status FROM v_emulator_compat WHERE "
                            "definition_game_id = 'SLUS-20312'").fetchone() == (
            "community-verified", "broken")


def test_sources_set_ttl_redates_expiry_and_refuses_bad_input(cli: Any, db_path: Path,
                                                               tmp_path: Path) -> None:
    _setup(cli, db_path, tmp_path)
    done = cli("--json", "cache", "sources", "set", "pcsx2-gameindex", "--ttl", "2")
    assert done.code == 0 and done.json()["data"]["observations_reexpired"] == 2
    with sqlite3.connect(db_path) as conn:
        spans = {row[0] for row in conn.execute(
            "SELECT expires_at - fetched_at FROM compat_observations o JOIN cache_sources s "
            "ON s.id = o.source WHERE s.source_id = 'pcsx2-gameindex'")}
    assert spans == {7200}
    assert cli("cache", "sources", "set", "no-such-source", "--ttl", "5").code == 2
    nothing = cli("cache", "sources", "set", "pcsx2-gameindex")
    assert nothing.code == 2 and "nothing to set" in nothing.err
    assert cli("cache", "sources", "set", "pcsx2-gameindex", "--ttl", "0").code == 2


def test_stats_and_prune_dry_run_agree_with_what_prune_deletes(cli: Any, db_path: Path,
                                                               tmp_path: Path) -> None:
    _setup(cli, db_path, tmp_path)
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, COMPAT, "community-verified", [
        {"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": f"OLD-{n}",
         "status": "playable"} for n in range(3)], fetched_at="2020-01-01 00:00:00")
    db.close()
    stats = {(r["kind"], r["source"]): r for r in
             cli("--json", "cache", "stats").json()["data"]}
    community = stats[("compat", "community-verified")]
    assert (community["rows"], community["stale"], community["stale_share"]) == (4, 3, 0.75)
    assert stats[("compat", "pcsx2-gameindex")]["stale"] == 0
    assert community["bytes"] > 0 and community["best_answers"] == 3
    dry = cli("--json", "cache", "prune", "--dry-run")
    assert dry.code == 0 and dry.json()["data"]["deleted"]["compat"] == 3
    assert cli("--json", "cache", "stats").json()["data"] == list(stats.values())
    done = cli("--json", "cache", "prune")
    assert done.json()["data"]["deleted"]["compat"] == 3
    text = cli("cache", "stats")
    assert "community-verified" in text.out and "0%" in text.out


def test_a_game_is_named_by_the_title_other_commands_show(cli: Any, tmp_path: Path) -> None:
    """QA28 F5: `cache explain` took only the file's title — not "Asteroids (USA, Europe)",
    the title `games ls` shows of a renamed ast.gb its DAT identifies — and any six-letter
    word ("Tetris") for a Dolphin game id, answering "nothing cached" for the game."""
    import hashlib
    import zlib
    gb = tmp_path / "roms" / "gb"
    gb.mkdir(parents=True)
    data = b"\x42" * 8192
    (gb / "ast.gb").write_bytes(data)
    (gb / "Tetris (USA).gb").write_bytes(b"\x43" * 8192)
    (gb / "1942 (Japan).gb").write_bytes(b"\x44" * 8192)
    dat = tmp_path / "gb.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
                   'game (\n\tname "Asteroids (USA, Europe)"\n\trom ( name "Asteroids (USA, '
                   f'Europe).gb" size {len(data)} crc {zlib.crc32(data):08X} sha1 '
                   f'{hashlib.sha1(data).hexdigest()} )\n)\n')
    for args in (("dat", "import", dat), ("library", "add", tmp_path / "roms"),
                 ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    for text, filename in (("Asteroids (USA, Europe)", "ast.gb"), ("asteroids", "ast.gb"),
                           ("Tetris", "Tetris (USA).gb"),
                           ("1942", "1942 (Japan).gb")):  # a title of digits (QA31 F6)
        shown = cli("--json", "cache", "explain", text)
        assert shown.code == 0, (text, shown.err)
        (game,) = shown.json()["data"]
        assert game["game_id"] is not None, text
        listed = cli("--json", "games", "show", str(game["game_id"])).json()["data"]
        assert listed["filename"] == filename
    bare = cli("--json", "cache", "explain", "GALE01")  # a Dolphin id no game has: on its own
    assert bare.code == 0 and bare.json()["data"][0]["game_id"] is None


def test_cache_why_takes_the_emulator_ids_the_auto_list_names(cli: Any, db_path: Path,
                                                              tmp_path: Path) -> None:
    """QA39 F3: `cache why ps2 pcsx2-standalone GAME` (the id the OS profiles and the
    auto-list name) said "no cached answer" for the answer the auto-list used, which the
    cache keeps under `pcsx2`."""
    _setup(cli, db_path, tmp_path)
    plain = cli("--json", "cache", "why", "ps2", "pcsx2", "SLUS-20312")
    assert plain.code == 0, plain.err
    expected = [(row["source"], row["status"]) for row in plain.json()["data"]]
    assert expected == [("pcsx2-gameindex", "playable"), ("community-verified", "broken")]
    for named in ("pcsx2-standalone", "retroarch-pcsx2", "pcsx2_libretro"):
        why = cli("--json", "cache", "why", "ps2", named, "SLUS-20312")
        assert why.code == 0, (named, why.err)
        assert [(row["source"], row["status"]) for row in why.json()["data"]] == expected
    other = cli("--json", "cache", "why", "ps2", "duckstation", "SLUS-20312")  # another one
    assert other.code == 0 and other.json()["data"] == []
    for named in ("pcsx2", "pcsx2-standalone"):  # (QA40 F8: no answer: exit 2 for the family)
        none = cli("--json", "cache", "why", "ps2", named, "SLUS-99999")
        assert none.code == 0 and none.json()["data"] == [], (named, none.err)
    assert cli("cache", "why", "ps2", "nosuch-emu", "SLUS-99999").code == 2


def test_settings_are_layered_as_the_emulator_loads_them(cli: Any, tmp_path: Path) -> None:
    """QA39 F6: Dolphin loads GAL.ini, then GALP01.ini over it key by key: `cache explain`
    said GAL.ini's settings were "not applied" to a GALP01 disc."""
    from tests.conftest import shared_path
    assert cli("cache", "import", shared_path("knowledge", "dolphin", "GameSettings")).code \
        in (0, 1)
    shown = cli("--json", "cache", "explain", "GALP01")
    assert shown.code == 0, shown.err
    (item,) = shown.json()["data"]
    groups = {g["game_key"]: g for g in item["kinds"]["settings"]}
    assert (groups["GALP01"]["applies"], groups["GAL"]["applies"]) == (True, True)
    assert groups["GAL"]["why"].startswith("applies under GALP01 (layered")
    compat = {g["game_key"]: g["applies"] for g in item["kinds"]["compat"]}
    assert compat.get("GAL") in (None, False)  # (compat: the most specific answer alone)


def test_cache_why_heads_each_games_answers(cli: Any, tmp_path: Path) -> None:
    """QA54 F10: two games sharing a key (GALE01 and GALP01 both take GAL.ini): the second
    game's GAL answer was printed under the first game's header."""
    from tests.conftest import shared_path
    from tests.test_serials import _nintendo_header
    root = tmp_path / "roms" / "gamecube"
    root.mkdir(parents=True)
    for region, name in (("P", "Europe"), ("E", "USA")):
        (root / f"Super Smash Bros. Melee ({name}).iso").write_bytes(
            _nintendo_header(f"GAL{region}01".encode(), wii=False) + bytes(4096))
    pack = shared_path("definition-pack")
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "dolphin", "GameSettings"))):
        assert cli("--pack", pack, *args).code in (0, 1), args
    why = ("cache", "why", "gamecube", "dolphin", "Super Smash Bros. Melee")
    rows = cli("--pack", pack, "--json", *why).json()["data"]
    assert [row["game_key"] for row in rows].count("GAL") == 2, rows
    text = cli("--pack", pack, *why).out
    headers = [line for line in text.splitlines() if line.startswith("game ")]
    assert sorted(headers) == sorted({f"game {row['game_id']} · {row['game_key']}:"
                                      for row in rows}), text


def test_a_rank_set_is_a_place_in_the_order_and_the_users_own_answers_stay_first(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA70 F8: `--priority 0` tied a source with user-override (the source's confidence
    then beat the user's own answer), and a second source set to 0 tied with the first;
    user-override's own rank and lifetime could be changed."""
    assert cli("db", "init").code == 0
    for status, extra, source in (("playable", "", "srca"), ("perfect", "", "user-override"),
                                  ("broken", ', "confidence": "high"', "srcb")):
        rows = tmp_path / f"{source}.jsonl"
        rows.write_text('{"platform_id": "gb", "emulator_id": "gambatte", '
                        f'"definition_game_id": "k1", "status": "{status}"{extra}}}\n')
        new = ("--new-source",) if source != "user-override" else ()
        assert cli("cache", "import", rows, "--source", source, *new).code == 0

    def order() -> list[str]:
        why = cli("--json", "cache", "why", "gb", "gambatte", "k1").json()["data"]
        assert why[0]["is_best"]  # (the winner first)
        return [o["source"] for o in why]

    for refused in (("srca", "--priority", "0"), ("user-override", "--priority", "3"),
                    ("user-override", "--ttl", "1")):
        result = cli("cache", "sources", "set", *refused, "--kind", "compat")
        assert result.code == 2 and "user-override" in result.err, (refused, result.err)
    for source in ("srca", "srcb"):
        assert cli("cache", "sources", "set", source, "--priority", "1", "--kind",
                   "compat").code == 0
    assert order()[:3] == ["user-override", "srcb", "srca"]


def test_why_of_a_performance_answer_needs_a_profile_that_exists(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA70 F4: `cache why … --kind performance` without --profile, or with one that does
    not exist, said "no cached answer" (exit 0) for a game `cache explain` shows one for."""
    assert cli("db", "init").code == 0
    rows = tmp_path / "perf.jsonl"
    rows.write_text('{"device_profile_id": 1, "platform_id": "gb", "emulator_id": "gambatte", '
                    '"definition_game_id": "k1", "performance_tier": "good"}\n')
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("cache", "import", rows, "--source", "mine", "--new-source", "--kind",
                  "performance")):
        assert cli(*args).code == 0, args
    why = ("cache", "why", "gb", "gambatte", "k1", "--kind", "performance")
    missing = cli(*why)
    assert missing.code == 2 and "give --profile" in missing.err, missing.err
    unknown = cli(*why, "--profile", "99")
    assert unknown.code == 2 and "no such profile" in unknown.err, unknown.err
    found = cli("--json", *why, "--profile", "1")
    assert [row["source"] for row in found.json()["data"]] == ["mine"], found.out


_SETTINGS_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / \
    "settings_dolphin-gameini_example.json"


def _a_melee_disc(tmp_path: Path) -> str:
    """A GameCube disc image whose header says GALE01, in tmp_path/lib/gamecube; returns the
    real pack's path."""
    from tests.conftest import shared_path
    folder = tmp_path / "lib" / "gamecube"
    folder.mkdir(parents=True)
    header = bytearray(65536)
    header[0:6], header[0x1C:0x20] = b"GALE01", bytes.fromhex("C2339F3D")
    (folder / "Melee (USA).iso").write_bytes(bytes(header))
    return str(shared_path("definition-pack"))


def test_resolve_shows_the_settings_the_emulators_databases_suggest(
        cli: Any, tmp_path: Path) -> None:
    """QA127 F5: `resolve` ("the effective emulator and settings") showed `{}` for a game
    whose Dolphin settings the cache holds, marked required."""
    pack = _a_melee_disc(tmp_path)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("cache", "import", _SETTINGS_SAMPLE)):
        assert cli("--pack", pack, *args).code == 0, args
    shown = cli("--pack", pack, "--json", "resolve", "1").json()["data"]
    (suggested,) = shown["suggested_settings"]
    assert (suggested["game_key"], suggested["source"], suggested["apply_mode"]) == (
        "GALE01", "dolphin-gameini", "required")
    assert suggested["settings"]["Core"]["CPUThread"] == "True"
    assert "suggested GALE01: " in cli("--pack", pack, "resolve", "1").out
    # every setting whole, one per line, with --verbose (QA153 F9: cut, in text, everywhere)
    whole = cli("--pack", pack, "--verbose", "cache", "explain", "1").out
    flat = [f"{section}.{key} = {value}" for section, keys in suggested["settings"].items()
            for key, value in keys.items()]
    assert flat and all(line in whole for line in flat), whole
    assert "--verbose cache explain 1` shows them whole" in " ".join(
        cli("--pack", pack, "resolve", "1").out.split())
    # (the id the knowledge is keyed by, in `games show`'s text too: QA127 F12)
    assert "disc id    GALE01 (from the disc header)" in cli("--pack", pack, "games", "show",
                                                              "1").out


def test_explain_says_which_profiles_read_an_emulators_answer(
        cli: Any, tmp_path: Path) -> None:
    """QA127 F6: `cache explain` said an answer "applies" for a game whatever emulator each
    profile runs it with (DuckStation's rating, on a profile whose PS1 emulator is
    pcsx-rearmed)."""
    pack = _a_melee_disc(tmp_path)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("cache", "import", _SETTINGS_SAMPLE),
                 ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "emudeck"),
                 ("profile", "create", "--device", "1", "--os", "emudeck"),
                 ("override", "set", "--platform", "gamecube", "--emulator", "primehack",
                  "--profile", "2")):
        assert cli("--pack", pack, *args).code == 0, args
    (game,) = cli("--pack", pack, "--json", "cache", "explain", "1").json()["data"]
    (settings,) = game["kinds"]["settings"]
    assert settings["read_by_profiles"] == [1], settings
    assert "(read by profile 1)" in cli("--pack", pack, "cache", "explain", "1").out


def test_explain_is_not_stopped_by_a_profile_the_pack_in_use_does_not_know(
        cli: Any, tmp_path: Path) -> None:
    """QA132 F1: a profile made for recalbox with the real pack, then the built-in pack (no
    recalbox): every `cache explain` failed, "OS 'recalbox' is not in the pack's …"."""
    pack = _a_melee_disc(tmp_path)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "recalbox")):
        assert cli("--pack", pack, *args).code == 0, args
    explained = cli("--json", "cache", "explain", "1")  # (the built-in pack)
    assert explained.code == 0, explained.err


def test_cache_why_of_a_game_rated_by_a_platform_wide_answer_shows_it(
        cli: Any, tmp_path: Path) -> None:
    """qa199 F1: a game whose only answer is its platform's (`gameId: "*"`), which the
    auto-list and `cache explain` apply to it, was "no cached answer" to `cache why`. A game
    with an answer of its own is shown its own only."""
    from tests.test_autolist import dat, rom
    root = tmp_path / "roms" / "snes"
    root.mkdir(parents=True)
    catalog = tmp_path / "snes.dat"
    catalog.write_text(dat("Nintendo - Super Nintendo Entertainment System", [
        (name, f"{name}.sfc", name, None) for name in ("Alpha (USA)", "Beta (USA)")]))
    for name in ("Alpha (USA)", "Beta (USA)"):
        (root / f"{name}.sfc").write_bytes(rom(name))
    assert cli("dat", "import", catalog).code == 0
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert cli("scan", "--workers", "1").code == 0
    sheet = tmp_path / "compat.json"
    sheet.write_text(json.dumps({"schemaVersion": "compat-source-v1", "items": [
        {"platformId": "snes", "emulatorId": "snes9x", "gameId": "*", "status": "playable"},
        {"platformId": "snes", "emulatorId": "snes9x", "gameId": "snes:Beta (USA)",
         "status": "ingame"}]}))
    assert cli("cache", "import", sheet, "--source", "community-verified").code == 0
    ids = {row["filename"]: row["id"]
           for row in cli("--json", "games", "ls").json()["data"]["games"]}

    alpha = cli("--json", "cache", "why", "snes", "snes9x", str(ids["Alpha (USA).sfc"]))
    rows = alpha.json()["data"]
    assert [(r["game_key"], r["status"], r["is_best"]) for r in rows] == [
        ("*", "playable", True)], rows
    text = cli("cache", "why", "snes", "snes9x", str(ids["Alpha (USA).sfc"])).out
    assert "platform-wide" in text and "no cached answer" not in text, text
    beta = cli("--json", "cache", "why", "snes", "snes9x", str(ids["Beta (USA).sfc"]))
    assert [r["status"] for r in beta.json()["data"]] == ["ingame"], beta.out
