"""Each OS's own platform folder names (no ../shared needed): CrossMix, Spruce and Miyoo CFW are
not Onion; a folder one family gives two platforms means neither; a card filled under an older,
wrong folder name moves to the right one on the next deploy, and nothing is lost."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sqlite3
from pathlib import Path, PurePosixPath
from typing import Any

from romrunner.deploy.plan import changed_since_the_scan
from romrunner.packs import builtin_pack_path, load_pack
from romrunner.packs.loader import load_folder_names
from tests.conftest import muos_profile, run_subprocess

SDCARD_OSES = ("crossmix-os", "miyoocfw", "spruce")


def _pack(tmp_path: Path, name: str = "pack", **os_families: str) -> Path:
    """The built-in pack plus the SD-card OSes above and a Sega 32X platform; ``os_families``
    overrides ``osFamilies`` (``crossmix_os="onion"``: the mapping before CrossMix had its own)."""
    pack = tmp_path / name
    shutil.copytree(builtin_pack_path(), pack)
    systems = json.loads((pack / "operating-systems.json").read_text(encoding="utf-8"))
    systems["operatingSystems"] += [{
        "id": os_id, "name": os_id, "filesystem": {"supported": ["fat32"]},
        "paths": {"roms": "/mnt/SDCARD/Roms", "bios": "/mnt/SDCARD/BIOS"}}
        for os_id in SDCARD_OSES]
    (pack / "operating-systems.json").write_text(json.dumps(systems), encoding="utf-8")
    platforms = json.loads((pack / "platforms.json").read_text(encoding="utf-8"))
    platforms["platforms"].append({"id": "sega-32x", "name": "Sega 32X", "generation": 4,
                                   "fileExtensions": [".32x"], "supportedFormats": ["32x"],
                                   "commonFolderNames": ["32X"]})
    (pack / "platforms.json").write_text(json.dumps(platforms), encoding="utf-8")
    profiles = json.loads((pack / "osEmulatorProfiles.json").read_text(encoding="utf-8"))
    for os_id in SDCARD_OSES:  # (Onion's emulators: no "no emulator" warning in the way)
        profiles["profilesByOsId"][os_id] = {**profiles["profilesByOsId"]["onionos"],
                                             "osId": os_id}
    (pack / "osEmulatorProfiles.json").write_text(json.dumps(profiles), encoding="utf-8")
    if os_families:
        names = json.loads((pack / "folder-names.json").read_text(encoding="utf-8"))
        names["osFamilies"].update({k.replace("_", "-"): v for k, v in os_families.items()})
        (pack / "folder-names.json").write_text(json.dumps(names), encoding="utf-8")
    return pack


def _folders(cli: Any, pack: Path, os_id: str, card: Path) -> dict[str, tuple[str, str]]:
    """``destination paths`` for a new profile of ``os_id``: platform -> (path, source)."""
    added = cli("--pack", str(pack), "--json", "device", "add", "miyoo-mini-plus")
    assert added.code == 0, added.err
    created = cli("--pack", str(pack), "--json", "profile", "create", "--device",
                  str(added.json()["data"]["id"]), "--os", os_id)
    assert created.code == 0, created.err
    shown = cli("--pack", str(pack), "--json", "destination", "paths",
                str(created.json()["data"]["id"]), "--to", str(card))
    assert shown.code == 0, shown.err
    return {row["platform_id"]: (row["path"], row["source"])
            for row in shown.json()["data"]["folders"] if row["kind"] == "platform"}


def test_crossmix_and_miyoo_cfw_get_their_own_folders_not_onions(cli: Any,
                                                                 tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    crossmix = _folders(cli, pack, "crossmix-os", card)
    assert crossmix["sega-32x"] == ("Roms/SEGA32X", "os_profile")
    assert crossmix["atari-2600"][0] == "Roms/ATARI2600"
    assert crossmix["nes"][0] == "Roms/FC"          # where CrossMix has no name of its own: Onion's
    assert crossmix["ps2"][0] is None               # ... and Onion has no PS2 folder
    onion = _folders(cli, pack, "onionos", card)
    assert (onion["sega-32x"][0], onion["atari-2600"][0]) == ("Roms/THIRTYTWOX", "Roms/ATARI")
    miyoo = _folders(cli, pack, "miyoocfw", card)    # one folder for two platforms
    assert (miyoo["genesis"][0], miyoo["sega-cd"][0]) == ("Roms/SMD", "Roms/SMD")
    assert (miyoo["gb"][0], miyoo["gbc"][0], miyoo["nes"][0]) == ("Roms/GB", "Roms/GB",
                                                                    "Roms/NES")
    (card / "Roms" / "SMD").mkdir(parents=True)      # on the card: used, though it means neither
    again = _folders(cli, pack, "miyoocfw", card)
    assert again["sega-cd"] == again["genesis"] == ("Roms/SMD", "detected")


def test_a_folder_a_family_gives_two_platforms_means_neither_alone_to_detection() -> None:
    claims = load_folder_names(builtin_pack_path(), []).folder_claims()
    assert {name: found for name, found in claims.items() if len(found) > 1} == {
        "smd": ("genesis", "sega-cd"),               # Miyoo CFW's Genesis and Sega CD folder
        "gameboy": ("gb", "gbc"),                    # MiSTer's (the pack's names say gb)
        "neo geo pocket": ("neogeo-pocket", "neogeo-pocket-color")}  # FunKey OS's
    assert claims["wswan"] == ("wonderswan",)       # Batocera's, though Miyoo CFW shares it
    assert claims["gb"] == ("gb",) and claims["ngp"] == ("neogeo-pocket",)
    assert claims["ws"] == ("wonderswan",) and claims["wsc"] == ("wonderswan-color",)
    assert claims["ngc"] == ()                       # RomM's GameCube, CrossMix's NGPC
    index = load_pack().index
    assert index.platforms_for_folder("GB") == ("gb",)
    # the extension decides between them: a disc image is Sega CD's, a `.bin` neither's
    assert index.platforms_for_folder("SMD") == ("genesis", "sega-cd")
    assert index.platforms_for_folder("nes") == ("nes",)   # FunKey's NES also holds FDS games


def test_a_family_starts_from_its_base_and_a_cycle_of_bases_ends(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "folder-names.json").write_text(json.dumps({
        "familyBases": {"child": "parent", "loop-a": "loop-b", "loop-b": "loop-a"},
        "platforms": {"gb": {"default": "gb", "parent": "GB", "child": "GAMEBOY"},
                      "nes": {"default": "nes", "parent": "FC", "loop-b": "NES"},
                      "ps2": {"default": "ps2", "parent": None}}}), encoding="utf-8")
    names = load_folder_names(pack, [])
    assert names.folder_for("gb", "child") == ("GAMEBOY", True)
    assert names.folder_for("nes", "child") == ("FC", True)
    assert names.folder_for("ps2", "child") == (None, True)
    assert names.folder_for("gb", "loop-a") == ("gb", False)
    assert names.folder_for("nes", "loop-a") == ("NES", True)


def _game(root: Path, name: str) -> None:
    path = root / "a26" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(name.encode()).digest() * 256)


def _files(card: Path) -> set[str]:
    return {str(p.relative_to(card)) for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def _crossmix_under_the_old_names(cli: Any, tmp_path: Path,
                                  root: Path) -> tuple[Path, Path, Path]:
    """``root`` scanned, a CrossMix profile, the pack mapping CrossMix to Onion's names (as it
    did) and the pack as it is; (old pack, new pack, an empty card)."""
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    old, new = _pack(tmp_path, "old", crossmix_os="onion"), _pack(tmp_path, "new")
    assert cli("--pack", str(old), "device", "add", "miyoo-mini-plus").code == 0
    assert cli("--pack", str(old), "profile", "create", "--device", "1",
               "--os", "crossmix-os").code == 0
    card = tmp_path / "card"
    card.mkdir()
    return old, new, card


def test_a_card_filled_under_the_old_onion_name_moves_and_a_prune_takes_the_old_copies(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26"):
        _game(root, name)
    before = {p.name: p.read_bytes() for p in (root / "a26").iterdir()}
    old, new, card = _crossmix_under_the_old_names(cli, tmp_path, root)
    deploy = ("deploy", "1", "--to", str(card), "platform:atari-2600")
    assert cli("--pack", str(old), *deploy).code == 0
    assert _files(card) == {"Roms/ATARI/Pitfall (USA).a26", "Roms/ATARI/River Raid (USA).a26"}

    moved = cli("--pack", str(new), "--json", *deploy)   # CrossMix scans ATARI2600, not ATARI
    assert moved.code == 0, moved.err
    assert _files(card) == {f"Roms/{folder}/{name}" for folder in ("ATARI", "ATARI2600")
                            for name in before}        # the old copies stay without --prune
    manifest = json.loads((card / ".romrunner" / "manifest.json").read_text())
    assert set(manifest["files"]) == _files(card)
    pruned = cli("--pack", str(new), "--json", *deploy, "--prune")
    assert pruned.code == 0, pruned.err
    assert _files(card) == {f"Roms/ATARI2600/{name}" for name in before}
    assert {name: (card / "Roms" / "ATARI2600" / name).read_bytes() for name in before} == before
    assert {p.name: p.read_bytes() for p in (root / "a26").iterdir()} == before
    again = cli("--pack", str(new), "--json", *deploy)
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out


def test_an_old_folder_holding_the_users_own_file_is_not_the_oss_and_our_copy_is_left_there(
        cli: Any, tmp_path: Path) -> None:
    """CrossMix reads `Roms/ATARI2600` only (QA145 F4: a folder of another of the platform's
    names took the games, where the frontend never looks): the user's file in the old
    folder stays there, said; our copy there is left behind until a prune."""
    _game(tmp_path / "roms", "Pitfall (USA).a26")
    old, new, card = _crossmix_under_the_old_names(cli, tmp_path, tmp_path / "roms")
    assert cli("--pack", str(old), "deploy", "1", "--to", str(card)).code == 2  # no selection
    assert cli("--pack", str(old), "deploy", "1", "--to", str(card),
               "platform:atari-2600").code == 0
    (card / "Roms" / "ATARI" / "Mine (USA).a26").write_bytes(b"the user's own" * 64)
    shown = cli("--pack", str(new), "--json", "destination", "paths", "1", "--to", str(card))
    rows = {row["platform_id"]: row for row in shown.json()["data"]["folders"]}
    assert rows["atari-2600"]["path"] == "Roms/ATARI2600"
    assert "the card's 'Roms/ATARI' is not read by crossmix-os" in rows["atari-2600"]["reason"]
    (card / "Roms" / "ATARI2600").mkdir()            # the OS's own folder, as CrossMix makes it
    shown = cli("--pack", str(new), "--json", "destination", "paths", "1", "--to", str(card))
    rows = {row["platform_id"]: row for row in shown.json()["data"]["folders"]}
    assert rows["atari-2600"]["path"] == "Roms/ATARI2600"
    # Our copy there is left behind, and the plan says so (the user's file is not counted).
    dry = cli("--pack", str(new), "--json", "deploy", "1", "--to", str(card),
              "platform:atari-2600", "--dry-run")
    assert [w["message"] for w in dry.json()["data"]["plan"]["warnings"]] == [
        "Roms/ATARI: 1 file an earlier deploy put here for atari-2600 is left behind: its "
        "games now go to Roms/ATARI2600, the folder crossmix-os reads for it; `romrunner "
        "deploy --prune` removes it (until then both copies take space on the card)"]


def test_an_empty_folder_the_card_had_stays_the_choice_once_our_files_fill_it(
        cli: Any, tmp_path: Path) -> None:
    # QA12 F5: an empty folder of another name (the user's, or the OS's) took the platform's
    # games on the first deploy; holding only our files then, the next deploy took it for an
    # earlier deploy's own choice, moved the games to the family's name and called the first
    # copies "left behind": the card held them twice until a prune. (muOS: a frontend that
    # reads a platform's games from any of its folders; QA145 F4, no other does.)
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26"):
        _game(root, name)
    muos_profile(cli, root)
    card = tmp_path / "card"
    (card / "ROMS" / "ATARI").mkdir(parents=True)    # empty: made by hand, or by the OS
    deploy = ("--json", "deploy", "1", "--to", str(card), "platform:atari-2600")
    first = cli(*deploy)
    assert first.code == 0 and not first.json()["warnings"], first.out
    placed = {"ROMS/ATARI/Pitfall (USA).a26", "ROMS/ATARI/River Raid (USA).a26"}
    assert _files(card) == placed
    shown = cli("--json", "destination", "paths", "1", "--to", str(card))
    rows = {row["platform_id"]: row for row in shown.json()["data"]["folders"]}
    assert (rows["atari-2600"]["path"], rows["atari-2600"]["source"]) == ("ROMS/ATARI",
                                                                          "detected")
    again = cli(*deploy)
    assert again.code == 0 and not again.json()["warnings"], again.out
    assert again.json()["data"]["copied"] == 0 and _files(card) == placed
    other = cli("--json", "deploy", "1", "--to", str(card),
                "Pitfall")                            # a deploy of another selection keeps it
    assert other.code == 0 and other.json()["data"]["copied"] == 0, other.out
    assert cli(*deploy).json()["data"]["copied"] == 0 and _files(card) == placed
    (card / "ROMS" / "atari2600").mkdir()            # the OS's own folder appears: it wins
    moved = cli(*deploy, "--dry-run")
    assert [w["code"] for w in moved.json()["data"]["plan"]["warnings"]] == ["folder-moved"]


def test_an_empty_folder_of_another_name_is_not_taken_where_the_frontend_reads_its_own(
        cli: Any, tmp_path: Path) -> None:
    """QA145 F4: CrossMix reads `Roms/ATARI2600` only: an empty `Roms/ATARI` took the games,
    where the frontend never looks."""
    root = tmp_path / "roms"
    _game(root, "Pitfall (USA).a26")
    _, new, card = _crossmix_under_the_old_names(cli, tmp_path, root)
    (card / "Roms" / "ATARI").mkdir(parents=True)
    first = cli("--pack", str(new), "--json", "deploy", "1", "--to", str(card),
                "platform:atari-2600")
    assert first.code == 0, first.out
    assert _files(card) == {"Roms/ATARI2600/Pitfall (USA).a26"}
    assert list((card / "Roms" / "ATARI").iterdir()) == []


def test_the_move_to_the_families_folder_is_said_in_the_plan_until_a_prune(
        cli: Any, tmp_path: Path) -> None:
    # Review #6: the first deploy after the family's own folder names moved a platform without
    # a word: the old copies stayed, both took space (a nearly full card stopped as "not
    # enough space"), and nothing said why or that --prune takes them.
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26"):
        _game(root, name)
    old, new, card = _crossmix_under_the_old_names(cli, tmp_path, root)
    deploy = ("deploy", "1", "--to", str(card), "platform:atari-2600")
    first = cli("--pack", str(old), "--json", *deploy)
    assert first.code == 0 and not first.json()["warnings"], first.out
    message = ("Roms/ATARI: 2 files an earlier deploy put here for atari-2600 are left "
               "behind: its games now go to Roms/ATARI2600, the folder crossmix-os reads for "
               "it; `romrunner deploy --prune` removes them (until then both copies take space "
               "on the card)")
    dry = cli("--pack", str(new), "--json", *deploy, "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["plan"]["warnings"] == [{
        "code": "folder-moved", "message": message, "platform_id": "atari-2600",
        "game_id": None, "path": "Roms/ATARI"}]
    assert dry.json()["warnings"] == [message]
    env = {"ROMRUNNER_PACK": str(new)}
    text = run_subprocess(*deploy, "--dry-run", env=env)
    assert text.code == 0 and f"warning: {message}" in text.err.splitlines(), text.err
    ran = run_subprocess(*deploy, env=env)
    assert ran.code == 0 and f"warning: {message}" in ran.err.splitlines(), ran.err
    assert _files(card) == {f"Roms/{folder}/{name}" for folder in ("ATARI", "ATARI2600")
                            for name in ("Pitfall (USA).a26", "River Raid (USA).a26")}
    pruned = run_subprocess(*deploy, "--prune", env=env)    # (QA12 F5: not "--prune removes")
    said = message.replace("`romrunner deploy --prune` removes them (until then both copies "
                           "take space on the card)",
                           "this --prune removes them once the new copies are in place "
                           "(but any its notes say it keeps)")
    assert pruned.code == 0 and f"warning: {said}" in pruned.err.splitlines(), pruned.err
    assert _files(card) == {"Roms/ATARI2600/Pitfall (USA).a26",
                            "Roms/ATARI2600/River Raid (USA).a26"}
    again = cli("--pack", str(new), "--json", *deploy)  # nothing of ours left there: no word
    assert again.code == 0 and not again.json()["warnings"], again.out


def test_a_missing_games_copy_in_the_old_folder_is_held_by_a_prune(
        cli: Any, tmp_path: Path) -> None:
    # The previous helper's report: a game missing from the library was held only at its path
    # in the NEW folder, so --prune removed its copy in the old one ("a missing game's copies
    # are never pruned"). Held by the game now, wherever our records put its copies.
    root, new, card, deploy = _three_games_deployed_under_the_old_names(cli, tmp_path)
    kept = (card / "Roms/ATARI/River Raid (USA).a26").read_bytes()
    (root / "a26" / "River Raid (USA).a26").unlink()  # gone from the library: a real rescan
    assert cli("scan", "--workers", "1").code == 0
    note = ("--prune {} 1 file an earlier deploy put on the card for games it cannot deploy "
            "now (missing from the library or changed since the scan, or on a library root "
            "that is not reachable), or good dumps of BIOS files the chosen platforms need "
            "(the library's copy gone or bad?), where they are now: such copies are never pruned "
            "(Roms/ATARI/River Raid (USA).a26)")
    dry = cli("--pack", str(new), "--json", *deploy, "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert sorted(data["prune"]) == ["Roms/ATARI/Enduro (USA).a26", "Roms/ATARI/Pitfall (USA).a26"]
    assert (data["prune_held"], data["notes"]) == (["Roms/ATARI/River Raid (USA).a26"],
                                                   [note.format("would keep")])
    pruned = cli("--pack", str(new), "--json", *deploy, "--prune")
    assert pruned.code == 0, pruned.err
    assert (pruned.json()["data"]["pruned"], pruned.json()["data"]["notes"]) == (
        2, [note.format("kept")])
    assert _files(card) == {"Roms/ATARI/River Raid (USA).a26", "Roms/ATARI2600/Pitfall (USA).a26",
                            "Roms/ATARI2600/Enduro (USA).a26"}
    assert (card / "Roms/ATARI/River Raid (USA).a26").read_bytes() == kept
    why = ("it cannot deploy now (missing from the library or changed since the scan, or on a "
           "library root that is not reachable)")
    moved = ("Roms/ATARI: {} an earlier deploy put here for atari-2600 {} left behind: its "
             "games now go to Roms/ATARI2600, the folder crossmix-os reads for it; ")
    held = ("1 game missing from the library since the last scan (an unmounted share? rescan "
            "when it is back) has 1 file on the card (River Raid (USA).a26): its copy there is "
            "held, never pruned (deleted on purpose? `romrunner games forget --missing` lets "
            "--prune --force remove it)")  # (its copy in the old folder: qa191 F1)
    assert pruned.json()["warnings"] == [  # (the plan is made before the prune)
        "1 of 3 matching games is missing from the library since the last scan: not deployed "
        "(River Raid (USA).a26)", held,
        moved.format("3 files", "are") + "this --prune removes 2 of them once the new copies "
        f"are in place (but any its notes say it keeps); the other one, a copy of a game "
        f"{why}, is kept"]
    again = cli("--pack", str(new), "--json", *deploy, "--prune")
    assert again.code == 0, again.err
    assert again.json()["warnings"] == [
        "1 of 3 matching games is missing from the library since the last scan: not deployed "
        "(River Raid (USA).a26)", held,
        moved.format("1 file", "is") + f"it is a copy of a game {why}: kept, never pruned"]
    assert (again.json()["data"]["pruned"], again.json()["data"]["notes"]) == (
        0, [note.format("kept")])
    assert "Roms/ATARI/River Raid (USA).a26" in _files(card)


def test_a_missing_games_copy_is_held_by_its_sha1_when_only_the_cards_manifest_knows_it(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A card filled from another database (or whose deployment rows are gone): only the
    card's manifest says where the missing game's copy is, by its SHA1."""
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26"):
        _game(root, name)
    old, new, card = _crossmix_under_the_old_names(cli, tmp_path, root)
    deploy = ("deploy", "1", "--to", str(card), "platform:atari-2600")
    assert cli("--pack", str(old), *deploy).code == 0
    (root / "a26" / "River Raid (USA).a26").unlink()
    assert cli("scan", "--workers", "1").code == 0
    with sqlite3.connect(db_path) as conn:  # the records of this database are gone
        conn.execute("DELETE FROM deployment_items")
        conn.execute("DELETE FROM deployment_history")
    conn.close()
    pruned = cli("--pack", str(new), "--json", *deploy, "--prune")
    assert pruned.code == 0, pruned.err
    assert _files(card) == {"Roms/ATARI/River Raid (USA).a26",
                            "Roms/ATARI2600/Pitfall (USA).a26"}
    assert pruned.json()["data"]["prune_held"] == ["Roms/ATARI/River Raid (USA).a26"]


def test_a_touched_source_whose_game_moves_keeps_its_old_copy_under_prune(
        cli: Any, tmp_path: Path) -> None:
    # A game of one file is planned without looking at its source: only a copy reads it. Its
    # platform's folder moved, so its new copy must be written, and its source was touched
    # since the scan: that copy fails, said as before, and the game is held — its copy in the
    # old folder is never pruned (the others move as usual).
    root, new, card, deploy = _three_games_deployed_under_the_old_names(cli, tmp_path)
    kept = (card / "Roms/ATARI/River Raid (USA).a26").read_bytes()
    touched = root / "a26" / "River Raid (USA).a26"
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    said = changed_since_the_scan(str(touched))
    dry = cli("--pack", str(new), "--json", *deploy, "--prune", "--dry-run")
    data = dry.json()["data"]
    assert sorted(data["prune"]) == ["Roms/ATARI/Enduro (USA).a26", "Roms/ATARI/Pitfall (USA).a26"]
    assert data["prune_held"] == ["Roms/ATARI/River Raid (USA).a26"]
    assert data["failures"] == [said]
    pruned = cli("--pack", str(new), "--json", *deploy, "--prune")
    assert pruned.code == 1, pruned.err
    result = pruned.json()["data"]
    assert (result["pruned"], result["failed"], result["copied"]) == (2, 1, 2)
    assert [e["error"] for e in result["errors"]] == [said]
    assert _files(card) == {"Roms/ATARI/River Raid (USA).a26", "Roms/ATARI2600/Pitfall (USA).a26",
                            "Roms/ATARI2600/Enduro (USA).a26"}
    assert (card / "Roms/ATARI/River Raid (USA).a26").read_bytes() == kept


def _three_games_deployed_under_the_old_names(
        cli: Any, tmp_path: Path) -> tuple[Path, Path, Path, tuple[str, ...]]:
    """Three Atari 2600 games deployed with the pack of the old folder names (Roms/ATARI):
    the library root, the pack of the new names, the card and the deploy's arguments."""
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26", "Enduro (USA).a26"):
        _game(root, name)
    old, new, card = _crossmix_under_the_old_names(cli, tmp_path, root)
    deploy = ("deploy", "1", "--to", str(card), "platform:atari-2600")
    assert cli("--pack", str(old), *deploy).code == 0
    return root, new, card, deploy


def test_a_platform_folder_renamed_on_the_card_is_said_before_its_games_go_again(
        cli: Any, tmp_path: Path) -> None:
    # QA152 F3: muOS users rename a system's folder to name it; the next deploy copied every
    # game again into the platform's folder beside it, unsaid: the frontend listed both.
    root = tmp_path / "roms"
    for name in ("Pitfall (USA).a26", "River Raid (USA).a26"):
        _game(root, name)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    deploy = ("--json", "deploy", "1", "--to", str(card), "platform:atari-2600")
    assert cli(*deploy).code == 0
    (folder,) = {str(PurePosixPath(path).parent) for path in _files(card)}
    renamed = f"{PurePosixPath(folder).parent}/Atari Classics"
    (card / folder).rename(card / renamed)
    plan = cli(*deploy, "--dry-run").json()["data"]["plan"]["warnings"]
    said = [w for w in plan if w["code"] == "folder-renamed"]
    assert len(said) == 1 and said[0]["path"] == renamed, plan
    assert f"2 files an earlier deploy put in {folder}" in said[0]["message"]
    assert f"`romrunner destination paths 1 --to {card} --set" in said[0]["message"]
    advice = said[0]["message"].rpartition("--set ")[2].partition("`")[0]
    assert "never pruned" in said[0]["message"]  # (what adopting it costs: QA165 F3)
    # (a shell word: the folder's space quoted, qa173 F3)
    assert shlex.split(advice) == [f"atari-2600={renamed}"] and advice.startswith("'")
    assert cli("destination", "paths", "1", "--to", str(card), "--set",
               *shlex.split(advice)).code == 0
    again = cli(*deploy)
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out
    assert _files(card) == {f"{renamed}/Pitfall (USA).a26", f"{renamed}/River Raid (USA).a26"}
