"""QA174: how the knowledge judges a game. RetroArch with no core named is judged by the
cores it runs the platform with on the OS (F1); a higher-priority source's answer at the
game's 3-character id outranks a lower one's at its 6-character id (F2); "never gets
in-game" leaves a game out whichever emulator's scale said it (F3); a deploy by query says
what it copies that the knowledge rates not playable (F6). Real images, the real pack, real
SQLite, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_serials import _nintendo_header, build_iso, to_raw_mode2


def real(cli: Any, *args: Any) -> Any:
    result = cli("--pack", str(shared_path("definition-pack")), *args)
    return result


def _ok(cli: Any, *args: Any) -> Any:
    result = real(cli, *args)
    assert result.code in (0, 1), (args, result.err)
    return result


def _ps1_bin(path: Path, serial_on_disc: str) -> None:
    """A raw (2352-byte sector) PS1 track whose SYSTEM.CNF boots ``serial_on_disc``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    iso = build_iso(path.with_suffix(".iso.tmp"),
                    {"SYSTEM.CNF": f"BOOT = cdrom:\\{serial_on_disc};1\n".encode()})
    to_raw_mode2(iso, path)
    iso.unlink()


def _envelope(path: Path, source: str, items: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"schemaVersion": "compat-source-v1", "source": source,
                                "generatedAt": "2026-11-25T00:00:00Z", "items": items}))
    return path


def _verdicts(cli: Any, profile: int = 1) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", str(profile))
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def _broken_everywhere(tmp_path: Path) -> Path:
    return _envelope(tmp_path / "c2.json", "community-verified", [
        {"platformId": "psx", "emulatorId": emulator, "externalGameId": "SLPS-99998",
         "status": "broken", "confidence": "high"}
        for emulator in ("pcsx_rearmed", "duckstation", "beetle-psx")])


def _ps1_library(cli: Any, tmp_path: Path, device: str, os_id: str) -> None:
    root = tmp_path / "roms"
    _ps1_bin(root / "psx" / "Some Unknown PS1 Game (Japan).bin", "SLPS_999.98")
    _ps1_bin(root / "psx" / "Bio Hazard (Japan).bin", "SLPS_012.04")  # DuckStation: NoIssues
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "duckstation",
                                                 "gamedb.excerpt.yaml")),
                 ("cache", "import", _broken_everywhere(tmp_path), "--new-source"),
                 ("device", "add", device), ("profile", "create", "--device", "1",
                                              "--os", os_id)):
        _ok(cli, *args)


def test_retroarch_without_a_core_is_judged_by_the_rocknix_psx_cores(
        cli: Any, tmp_path: Path) -> None:
    """QA174 F1: on ROCKNIX, PS1 resolves to the bare `retroarch` (the pack's fallback);
    every PS1 core ROCKNIX has rates the game broken: strict and balanced leave it out,
    saying which sources; DuckStation's NoIssues (swanstation and duckstation are cores
    there) applies to another game."""
    _ps1_library(cli, tmp_path, "powkiddy-rgb30", "rocknix")
    for mode in ("strict", "balanced"):
        _ok(cli, "profile", "set", "1", "--mode", mode)
        verdicts = _verdicts(cli)
        broken = verdicts["Some Unknown PS1 Game (Japan).bin"]
        assert broken["emulator_id"] == "retroarch", broken
        assert not broken["included"] and broken["reason"] == "COMPAT_STATUS_EXCLUDED", broken
        (said,) = [w for w in broken["warnings"] if w.startswith("Compatibility")]
        assert said.startswith("Compatibility: broken with retroarch, judged by the cores it "
                               "runs psx with: beetle-psx broken (community-verified"), said
        assert "duckstation broken" in said and "pcsx-rearmed broken" in said
        assert "unknown" not in said
        good = verdicts["Bio Hazard (Japan).bin"]
        assert good["included"] and good["compat"] == "COMPAT_OK", good
        assert any("duckstation perfect (duckstation-gamedb" in w for w in good["warnings"])


def test_retroarch_on_android_is_judged_by_the_packs_android_psx_cores(
        cli: Any, tmp_path: Path) -> None:
    """QA174 F1 on an Android profile (no installed list): the pack's PS1 cores that run
    on Android (PCSX-ReARMed, DuckStation's, SwanStation) all say broken."""
    _ps1_library(cli, tmp_path, "odin-2", "android")
    _ok(cli, "profile", "set", "1", "--mode", "strict")
    broken = _verdicts(cli)["Some Unknown PS1 Game (Japan).bin"]
    assert broken["emulator_id"] == "retroarch"
    assert broken["reason"] == "COMPAT_STATUS_EXCLUDED", broken
    said = " ".join(broken["warnings"])
    assert "duckstation broken" in said and "pcsx-rearmed broken" in said
    assert "beetle-psx" not in said  # (the pack says it runs on windows, linux, macos)


def test_a_core_with_no_answer_keeps_the_game_unrated(cli: Any, tmp_path: Path) -> None:
    """Two of ROCKNIX's three PS1 core families rate it broken, beetle-psx not at all: the
    core with no answer might run it, so it stays "unknown", the others' answers said."""
    root = tmp_path / "roms"
    _ps1_bin(root / "psx" / "Some Unknown PS1 Game (Japan).bin", "SLPS_999.98")
    two = _envelope(tmp_path / "two.json", "community-verified", [
        {"platformId": "psx", "emulatorId": emulator, "externalGameId": "SLPS-99998",
         "status": "broken"} for emulator in ("pcsx_rearmed", "duckstation")])
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", two, "--new-source"), ("device", "add", "powkiddy-rgb30"),
                 ("profile", "create", "--device", "1", "--os", "rocknix")):
        _ok(cli, *args)
    game = _verdicts(cli)["Some Unknown PS1 Game (Japan).bin"]
    assert game["included"] and game["compat"] == "COMPAT_MISSING_ASSUME_OK", game
    assert any("other emulators say: duckstation broken, pcsx-rearmed broken" in w
               for w in game["warnings"])


def _melee(cli: Any, tmp_path: Path, status: str) -> None:
    root = tmp_path / "roms" / "gamecube"
    root.mkdir(parents=True)
    for name, game_id in (("Super Smash Bros. Melee (USA).iso", b"GALE01"),
                          ("Super Smash Bros. Melee (Japan).iso", b"GALJ01")):
        (root / name).write_bytes(_nintendo_header(game_id, wii=False) + b"\x00" * 4096)
    listing = _envelope(tmp_path / "emuready.json", "emuready-listings", [
        {"platformId": "gamecube", "emulatorId": "dolphin", "externalGameId": "GALE01",
         "status": status}])
    for args in (("library", "add", root.parent), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "dolphin", "GameSettings")),
                 ("cache", "import", listing),
                 ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "steamos"),
                 ("profile", "set", "1", "--mode", "permissive")):
        _ok(cli, *args)


def test_dolphins_own_rating_of_the_3_character_id_outranks_a_lower_source_at_the_6(
        cli: Any, tmp_path: Path) -> None:
    """QA174 F2: Dolphin's GAL.ini (perfect, every region) against an emuready listing of
    GALE01 (boots_only, priority 2): the USA release was left out, the Japanese kept. The
    higher-priority source decides for the game; `cache explain` says so."""
    _melee(cli, tmp_path, "boots_only")
    verdicts = _verdicts(cli)
    usa = verdicts["Super Smash Bros. Melee (USA).iso"]
    japan = verdicts["Super Smash Bros. Melee (Japan).iso"]
    assert usa["compat"] == japan["compat"] == "COMPAT_OK", (usa, japan)
    assert not any("boots_only" in w for w in usa["warnings"]), usa
    (item,) = real(cli, "--json", "cache", "explain", str(usa["game_id"])).json()["data"]
    compat = {group["game_key"]: group for group in item["kinds"]["compat"]}
    assert compat["GAL"]["applies"] and not compat["GALE01"]["applies"], compat
    assert "GAL's answer, of a higher-priority source, applies" in json.dumps(compat["GALE01"])


def test_a_more_specific_id_still_overrides_within_its_own_source(
        cli: Any, tmp_path: Path) -> None:
    """Within one source the most specific id wins (Dolphin loads GALE01.ini over GAL.ini):
    an emuready listing of GAL (perfect) and of GALE01 (broken) leave the USA release out,
    the Japanese in."""
    root = tmp_path / "roms" / "gamecube"
    root.mkdir(parents=True)
    for name, game_id in (("Melee (USA).iso", b"GALE01"), ("Melee (Japan).iso", b"GALJ01")):
        (root / name).write_bytes(_nintendo_header(game_id, wii=False) + b"\x00" * 4096)
    listing = _envelope(tmp_path / "emuready.json", "emuready-listings", [
        {"platformId": "gamecube", "emulatorId": "dolphin", "externalGameId": "GAL",
         "status": "perfect"},
        {"platformId": "gamecube", "emulatorId": "dolphin", "externalGameId": "GALE01",
         "status": "broken"}])
    for args in (("library", "add", root.parent), ("scan", "--workers", "1"),
                 ("cache", "import", listing), ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "steamos"),
                 ("profile", "set", "1", "--mode", "permissive")):
        _ok(cli, *args)
    verdicts = _verdicts(cli)
    assert verdicts["Melee (USA).iso"]["reason"] == "COMPAT_STATUS_EXCLUDED"
    assert verdicts["Melee (Japan).iso"]["compat"] == "COMPAT_OK"


def test_never_in_game_is_left_out_whichever_emulator_said_it(
        cli: Any, tmp_path: Path) -> None:
    """QA174 F3: PCSX2's 2 (Intro) is menu_intro, DuckStation's CrashesInIntro boots_only;
    both never get in-game: left out in balanced and permissive alike (it was kept for PCSX2
    and left out for DuckStation)."""
    root = tmp_path / "roms"
    (root / "ps2").mkdir(parents=True)
    build_iso(root / "ps2" / "Dropship (Europe).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SCES_504.59;1\r\nVER = 1.00\r\n"})  # compat: 2
    text = shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml").read_text()
    start = text.index("SLPS-01434")
    gamedb = tmp_path / "gamedb.yaml"
    gamedb.write_text(text[:start] + text[start:].replace("NoIssues", "CrashesInIntro", 1))
    _ps1_bin(root / "psx" / "3D Kakutou Tkool (Japan).bin", "SLPS_014.34")
    perf = tmp_path / "perf.json"  # (the Deck runs PS2 well: the compatibility step decides)
    perf.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "generatedAt": "2026-11-15T00:00:00Z", "items": [
            {"deviceId": "steam-deck", "platformId": platform, "gameId": "*", "score": 85}
            for platform in ("ps2", "psx")]}))
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "pcsx2",
                                                 "GameIndex.excerpt.yaml")),
                 ("cache", "import", gamedb),
                 ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "steamos"),
                 ("cache", "import", perf),
                 ("override", "set", "--platform", "psx", "--emulator", "duckstation",
                  "--profile", "1")):
        _ok(cli, *args)
    for mode in ("balanced", "permissive"):
        _ok(cli, "profile", "set", "1", "--mode", mode)
        verdicts = _verdicts(cli)
        dropship = verdicts["Dropship (Europe).iso"]
        tkool = verdicts["3D Kakutou Tkool (Japan).bin"]
        assert dropship["compat"] == tkool["compat"] == "COMPAT_STATUS_EXCLUDED", \
            (mode, dropship, tkool)
        assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in dropship["warnings"]
        assert "Compatibility: boots_only (duckstation-gamedb, duckstation)" \
            in tkool["warnings"]


def test_a_game_rated_never_in_game_is_not_said_to_want_performance_data(
        cli: Any, tmp_path: Path) -> None:
    """qa195 F2: with no performance data for PS2 on the device, balanced and strict modes
    gave a game PCSX2 rates menu_intro as PERF_MISSING_STRICT, and the hint "`--mode
    permissive` includes them" counted it, though it stays out in every mode. Its reason is
    the rating now (the missing data said beside it); the hint counts the unrated game only,
    which permissive mode does include."""
    root = tmp_path / "roms"
    (root / "ps2").mkdir(parents=True)
    build_iso(root / "ps2" / "Midnight Club (Europe).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLES_500.71;1\r\nVER = 1.00\r\n"})  # compat: 3
    build_iso(root / "ps2" / "Nobody Knows (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.99;1\r\nVER = 1.00\r\n"})  # unrated
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "pcsx2",
                                                 "GameIndex.excerpt.yaml")),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        _ok(cli, *args)
    for mode in ("balanced", "strict"):
        _ok(cli, "profile", "set", "1", "--mode", mode)
        listed = real(cli, "--json", "autolist", "1")
        verdicts = {g["filename"]: g for g in listed.json()["data"]["games"]}
        unrated, midnight = verdicts["Nobody Knows (USA).iso"], verdicts[
            "Midnight Club (Europe).iso"]
        if unrated["reason"] != "PERF_MISSING_STRICT":
            import pytest
            pytest.skip("the pack now has performance data for ps2 on the RG35XX Plus")
        assert (midnight["included"], midnight["reason"], midnight["perf"],
                midnight["compat"]) == (False, "COMPAT_STATUS_EXCLUDED",
                                        "PERF_MISSING_STRICT", "COMPAT_STATUS_EXCLUDED"), \
            (mode, midnight)
        assert "Compatibility: menu_intro (pcsx2-gameindex, pcsx2)" in midnight["warnings"]
        assert any(w.startswith("No performance data for ps2") for w in midnight["warnings"])
        (hint,) = [w for w in listed.json()["warnings"] if "no performance data" in w]
        assert hint.startswith("1 game of ps2 left out"), hint
        text = real(cli, "autolist", "1")
        line = next(x for x in text.out.splitlines() if "Midnight Club" in x)
        assert "COMPAT_STATUS_EXCLUDED (Compatibility: menu_intro" in line, line
    _ok(cli, "profile", "set", "1", "--mode", "permissive")
    verdicts = _verdicts(cli)
    assert verdicts["Nobody Knows (USA).iso"]["included"]  # (as the hint said)
    assert verdicts["Midnight Club (Europe).iso"]["reason"] == "COMPAT_STATUS_EXCLUDED"


def test_a_deploy_by_query_notes_the_games_rated_not_playable(
        cli: Any, tmp_path: Path) -> None:
    """QA174 F6: `deploy QUERY` copies what was chosen, a game its emulator's knowledge
    rates broken too, but says so in one note naming the game, status and source."""
    root = tmp_path / "roms"
    (root / "ps2").mkdir(parents=True)
    build_iso(root / "ps2" / "Unknown Homebrew Disc (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.99;1\r\nVER = 1.00\r\n"})
    build_iso(root / "ps2" / "Dropship (Europe).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SCES_504.59;1\r\nVER = 1.00\r\n"})  # menu_intro
    build_iso(root / "ps2" / "Fine Game (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.97;1\r\nVER = 1.00\r\n"})
    listing = _envelope(tmp_path / "emuready.json", "emuready-listings", [
        {"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLUS-99999",
         "status": "broken"}])
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", shared_path("knowledge", "pcsx2",
                                                 "GameIndex.excerpt.yaml")),
                 ("cache", "import", listing),
                 ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "steamos")):
        _ok(cli, *args)
    result = real(cli, "--json", "deploy", "1", "--to", card, "platform:ps2", "--dry-run")
    assert result.code in (0, 1), result.err
    data = result.json()["data"]
    assert data["chosen"]["games"] == 3  # (copied as chosen: none left out)
    rated = data["chosen"]["rated_not_playable"]
    assert sorted(rated) == sorted([
        "Unknown Homebrew Disc (USA).iso: broken (emuready-listings, as of 2026-11-25, pcsx2)",
        "Dropship (Europe).iso: menu_intro (pcsx2-gameindex, pcsx2)"]), rated
    text = real(cli, "deploy", "1", "--to", card, "platform:ps2", "--dry-run")
    (note,) = [line for line in text.err.splitlines() if "rate" in line and "note:" in line]
    assert note.startswith("note: 2 of the chosen games are rated not playable")
    assert "Unknown Homebrew Disc (USA).iso: broken (emuready-listings" in note
    # (the card's own list: its choice among copies is the card's, review48a F5)
    assert f"copied as chosen (`romrunner autolist 1 --to {card}` leaves them out)" in note
    assert "Fine Game" not in note
    # (review37b F7: a game the user's override includes is in the auto-list: not named as
    # one `autolist` leaves out)
    games = {game["filename"]: game["id"] for game in
             real(cli, "--json", "games", "ls", "platform:ps2").json()["data"]["games"]}
    _ok(cli, "override", "set", "--game", games["Unknown Homebrew Disc (USA).iso"],
        "--include")
    verdicts = {entry["filename"]: entry for entry in
                real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert verdicts["Unknown Homebrew Disc (USA).iso"]["reason"] == "USER_OVERRIDE_INCLUDE"
    text = real(cli, "deploy", "1", "--to", card, "platform:ps2", "--dry-run")
    (note,) = [line for line in text.err.splitlines() if "rate" in line and "note:" in line]
    assert note.startswith("note: 1 of the chosen games is rated not playable"), note
    assert f"(`romrunner autolist 1 --to {card}` leaves it out): Dropship (Europe).iso" \
        in note, note
    assert "Unknown Homebrew" not in note, note


def test_a_deploy_by_query_notes_the_games_too_slow_on_the_device(
        cli: Any, tmp_path: Path) -> None:
    """qa193 F4: a game whose performance tier on the device the auto-list leaves out
    (unplayable) was copied by a query without the note a broken rating gets."""
    root = tmp_path / "roms"
    (root / "ps2").mkdir(parents=True)
    build_iso(root / "ps2" / "Slow Game (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.97;1\r\nVER = 1.00\r\n"})
    build_iso(root / "ps2" / "Fine Game (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.96;1\r\nVER = 1.00\r\n"})
    build_iso(root / "ps2" / "Flagged Game (USA).iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_999.95;1\r\nVER = 1.00\r\n"})
    perf = tmp_path / "perf.json"
    perf.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "generatedAt": "2026-11-15T00:00:00Z", "items": [
            {"deviceId": "steam-deck", "platformId": "ps2", "gameId": game, "score": score,
             "excludeFromAutoLists": game == "SLUS-99995"}
            for game, score in (("SLUS-99997", 0), ("SLUS-99996", 90), ("SLUS-99995", 95))]}))
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "steamos"),
                 ("cache", "import", perf)):
        _ok(cli, *args)
    verdicts = _verdicts(cli)
    assert verdicts["Slow Game (USA).iso"]["reason"] == "PERF_TIER_EXCLUDED", verdicts
    assert verdicts["Fine Game (USA).iso"]["included"], verdicts
    result = real(cli, "--json", "deploy", "1", "--to", card, "platform:ps2", "--dry-run")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert data["chosen"]["games"] == 3  # (copied as chosen)
    # (a game its source excludes from auto-lists at a good tier is not "not playable":
    # review42b F6)
    assert verdicts["Flagged Game (USA).iso"]["reason"] == "PERF_TIER_EXCLUDED", verdicts
    (rated,) = data["chosen"]["rated_not_playable"]
    assert rated.startswith("Slow Game (USA).iso: performance tier unplayable ("), rated
    assert "retrocatalog" in rated, rated
    text = real(cli, "deploy", "1", "--to", card, "platform:ps2", "--dry-run")
    (note,) = [line for line in text.err.splitlines() if "rate" in line and "note:" in line]
    assert note.startswith("note: 1 of the chosen games is rated not playable on the device")
    assert "Slow Game (USA).iso: performance tier unplayable" in note and "Fine" not in note


def test_a_reimport_that_gives_a_rating_back_names_it(cli: Any, tmp_path: Path) -> None:
    """QA174 F4: a GameIndex without Ratchet's `compat: 5` withdrew its rating (said); the
    full file imported again gave it back, and the import named only the ratings it
    changed. A rating given where the source had none is named too; a first import names
    none."""
    original = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    text = original.read_text()
    start = text.index("SCUS-97465:\n")
    shorter = tmp_path / "GameIndex.yaml"
    shorter.write_text(text[:start] + text[start:].replace("  compat: 5\n", "", 1))
    first = real(cli, "--json", "cache", "import", shorter)
    assert first.code == 0, first.err
    assert first.json()["data"]["given_answers"] == []  # (a first import: all are new)
    back = real(cli, "--json", "cache", "import", original)
    assert back.code == 0, back.err
    item = back.json()["data"]
    assert [(a["key"], a["was"], a["now"]) for a in item["given_answers"]] == [
        ("SCUS-97465", None, "playable")], item["given_answers"]
    assert item["changed_answers"] == []
    again = real(cli, "cache", "import", shorter)
    assert "SCUS-97465 Ratchet - Deadlocked (was playable)" in again.err
    said = real(cli, "cache", "import", original)
    # (qa177 F4: a rating the source had none of is a new one, not "changed")
    assert "1 new rating of pcsx2-gameindex: SCUS-97465 Ratchet - Deadlocked (playable)" \
        in said.err + said.out, (said.out, said.err)
    assert "changed" not in said.err + said.out


def test_the_querys_compat_field_agrees_with_the_auto_list(cli: Any, tmp_path: Path) -> None:
    """review37b F4: the auto-list took Dolphin's GAL (perfect) over a lower source's GALE01
    (boots_only); `games ls compat:boots_only` still listed the USA release, so a smart
    collection or a query deploy chose otherwise than the auto-list."""
    _melee(cli, tmp_path, "boots_only")
    def listed(status: str) -> set[str]:
        games = real(cli, "--json", "games", "ls", f"compat:{status}").json()["data"]["games"]
        return {game["filename"] for game in games}
    assert listed("boots_only") == set()
    assert listed("perfect") == {"Super Smash Bros. Melee (USA).iso",
                                 "Super Smash Bros. Melee (Japan).iso"}


def test_cache_explain_names_the_profiles_that_read_a_cores_rating_through_retroarch(
        cli: Any, tmp_path: Path) -> None:
    """qa176 N7: `cache explain` said DuckStation's answer for a PS1 game was read by no
    profile, while the ROCKNIX profile's auto-list (RetroArch, judged by its PS1 cores)
    decided the game by it."""
    _ps1_library(cli, tmp_path, "powkiddy-rgb30", "rocknix")
    good = _verdicts(cli)["Bio Hazard (Japan).bin"]
    assert any("duckstation perfect (duckstation-gamedb" in w for w in good["warnings"])
    explained = real(cli, "--json", "cache", "explain", str(good["game_id"]))
    assert explained.code == 0, explained.err
    (game,) = explained.json()["data"]
    compat = game["kinds"]["compat"]
    (duckstation,) = [group for group in compat if group["emulator_id"] == "duckstation"]
    assert duckstation["read_by_profiles"] == [1], compat
    text = real(cli, "cache", "explain", str(good["game_id"])).out
    (line,) = [line for line in text.splitlines() if "compat · duckstation" in line]
    assert line.endswith("(read by profile 1)"), text
