"""The scan end to end on real directory trees, archives and DATs built by the tests."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import py7zr
import pytest

from romrunner.library import scan as scan_module
from romrunner.library.hashing import hash_file
from romrunner.packs import load_pack
from romrunner.store import Database


def digests(data: bytes) -> dict[str, str]:
    return {"crc": f"{zlib.crc32(data) & 0xFFFFFFFF:08x}",
            "md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest()}


def dat_text(system: str, games: dict[str, tuple[str, bytes]]) -> str:
    """A clrmamepro DAT: game name -> (rom name, rom bytes)."""
    lines = [f'clrmamepro (\n\tname "{system}"\n\tversion "test"\n)\n']
    for game, (rom, data) in games.items():
        d = digests(data)
        lines.append(f'game (\n\tname "{game}"\n\trom ( name "{rom}" size {len(data)} '
                     f'crc {d["crc"].upper()} md5 {d["md5"]} sha1 {d["sha1"]} )\n)\n')
    return "".join(lines)


def rom_bytes(seed: int, size: int = 4096) -> bytes:
    return hashlib.sha256(str(seed).encode()).digest() * (size // 32)


@pytest.fixture
def library(tmp_path: Path) -> dict[str, Any]:
    """A small library and a DAT that knows most of it."""
    root = tmp_path / "roms"
    (root / "snes").mkdir(parents=True)
    (root / "nes").mkdir()
    (root / "gba").mkdir()
    (root / "psx" / "Disc Game (USA)").mkdir(parents=True)
    roms = {name: rom_bytes(i) for i, name in enumerate(
        ["mario", "zelda", "nesgame", "gbagame", "track1", "track2"])}
    (root / "snes" / "Super Mario World (USA).sfc").write_bytes(roms["mario"])
    (root / "snes" / "zelda-renamed-by-user.sfc").write_bytes(roms["zelda"])
    (root / "nes" / "Nes Game (Japan).nes").write_bytes(b"NES\x1a" + bytes(12) + roms["nesgame"])
    with zipfile.ZipFile(root / "gba" / "Gba Game (Europe).zip", "w") as archive:
        archive.writestr("Gba Game (Europe).gba", roms["gbagame"])
    disc = root / "psx" / "Disc Game (USA)"
    (disc / "Disc Game (USA) (Track 1).bin").write_bytes(roms["track1"])
    (disc / "Disc Game (USA) (Track 2).bin").write_bytes(roms["track2"])
    (disc / "Disc Game (USA).cue").write_text(
        'FILE "Disc Game (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n'
        'FILE "Disc Game (USA) (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n')
    (root / "snes" / "notes.txt").write_text("not a rom")
    dats = tmp_path / "dats"
    dats.mkdir()
    (dats / "snes.dat").write_text(dat_text(
        "Nintendo - Super Nintendo Entertainment System", {
            "Super Mario World (USA)": ("Super Mario World (USA).sfc", roms["mario"]),
            "Legend of Zelda, The (USA)": ("Legend of Zelda, The (USA).sfc", roms["zelda"]),
            "Not Owned (USA)": ("Not Owned (USA).sfc", rom_bytes(99))}))
    (dats / "nes.dat").write_text(dat_text(
        "Nintendo - Nintendo Entertainment System",
        {"Nes Game (Japan)": ("Nes Game (Japan).nes", roms["nesgame"])}))  # header-less
    (dats / "gba.dat").write_text(dat_text(
        "Nintendo - Game Boy Advance",
        {"Gba Game (Europe)": ("Gba Game (Europe).gba", roms["gbagame"])}))
    psx = dat_text("Sony - PlayStation", {"Disc Game (USA)": (
        "Disc Game (USA) (Track 1).bin", roms["track1"])})
    d2 = digests(roms["track2"])
    psx = psx.replace(" )\n)\n", f' )\n\trom ( name "Disc Game (USA) (Track 2).bin" size '
                                f'{len(roms["track2"])} crc {d2["crc"]} md5 {d2["md5"]} '
                                f'sha1 {d2["sha1"]} )\n)\n')
    assert psx.count("rom (") == 2
    (dats / "psx.dat").write_text(psx)
    return {"root": root, "dats": dats, "roms": roms}


def scan_json(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("--json", "scan", "--workers", "1", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def games_by_file(cli: Any) -> dict[str, dict[str, Any]]:
    rows = cli("--json", "games", "ls").json()["data"]["games"]
    return {row["filename"]: row for row in rows}


def test_hash_golden_values_and_multichunk_file(tmp_path: Path) -> None:
    small = tmp_path / "golden.bin"
    small.write_bytes(b"test data")
    hashes = hash_file(small)
    assert (hashes.crc32, hashes.md5, hashes.sha1) == (
        "d308aeb2", "eb733a00c0c9d336e65691a37ab54293",
        "f48dd853820860816c75d54d0f584dc863327a7c")
    big = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 123)
    big.write_bytes(data)
    result = hash_file(big)
    assert (result.crc32, result.md5, result.sha1) == tuple(digests(data).values())
    assert result.header_size == 0 and result.nh_sha1 is None


def test_headered_rom_gets_full_and_headerless_hashes(tmp_path: Path) -> None:
    body = os.urandom(40960)
    path = tmp_path / "game.nes"
    path.write_bytes(b"NES\x1a" + bytes(12) + body)
    hashes = hash_file(path)
    assert hashes.header_size == 16
    assert hashes.sha1 == hashlib.sha1(path.read_bytes()).hexdigest()
    assert hashes.nh_sha1 == hashlib.sha1(body).hexdigest()
    smc = tmp_path / "game.smc"
    smc.write_bytes(bytes(512) + body)
    assert hash_file(smc).nh_md5 == hashlib.md5(body).hexdigest()


def test_scan_and_identify_a_library(cli: Any, library: dict[str, Any]) -> None:
    assert cli("library", "add", str(library["root"])).code == 0
    first = scan_json(cli)
    assert first["added"] == 5 and first["errors"] == []
    assert first["scanned"] == 5  # the .txt is ignored, the .bin tracks belong to the cue
    imported = cli("--json", "dat", "import", *sorted(library["dats"].iterdir()))
    assert imported.code == 0, imported.err
    games = games_by_file(cli)
    mario = games["Super Mario World (USA).sfc"]
    assert mario["platform_id"] == "snes" and mario["match_method"] == "sha1"
    assert mario["matched_game_id"] == "snes:Super Mario World (USA)"
    renamed = games["zelda-renamed-by-user.sfc"]
    assert renamed["catalog_title"] == "Legend of Zelda, The (USA)"
    assert games["Nes Game (Japan).nes"]["match_method"] == "sha1"  # via header-less hash
    gba = games["Gba Game (Europe).zip"]
    assert gba["platform_id"] == "gba" and gba["matched_game_id"] == "gba:Gba Game (Europe)"
    disc = games["Disc Game (USA).cue"]
    assert disc["match_method"] == "tracks" and disc["platform_id"] == "psx"
    shown = cli("--json", "games", "show", str(disc["id"])).json()["data"]
    assert [f["name"] for f in shown["files"]] == [
        "Disc Game (USA) (Track 1).bin", "Disc Game (USA) (Track 2).bin"]
    assert shown["files"][0]["file_sha1"] == digests(library["roms"]["track1"])["sha1"]
    assert shown["catalog"]["dat"] == "Sony - PlayStation"
    # An unchanged rescan counts what is identified without rescanning the table.
    rescan = scan_json(cli)
    matched = sum(1 for game in games.values() if game["matched_game_id"])
    assert rescan["unchanged"] == 5 and rescan["identified"] == matched == 5
    assert rescan["unidentified"] == 0


def test_unchanged_rescan_opens_no_file(cli: Any, library: dict[str, Any]) -> None:
    cli("library", "add", str(library["root"]))
    scan_json(cli)
    target = library["root"] / "snes" / "Super Mario World (USA).sfc"
    before = target.stat()
    # Same size and mtime, different bytes: only opening the file could notice.
    target.write_bytes(rom_bytes(1234))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = scan_json(cli)
    assert again["unchanged"] == 5 and again["bytes_hashed"] == 0 and again["added"] == 0
    game = games_by_file(cli)["Super Mario World (USA).sfc"]
    stored = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert stored["file_sha1"] == digests(library["roms"]["mario"])["sha1"]
    full = scan_json(cli, "--full")
    # Mario's data changed; the zip, read from its directory so far, is hashed in full: the
    # same data, verified now
    assert (full["updated"], full["unchanged"], full["verified"]) == (1, 4, 1)
    stored = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert stored["file_sha1"] == digests(rom_bytes(1234))["sha1"]


def test_a_changed_or_vanished_track_reexamines_its_disc(cli: Any,
                                                         library: dict[str, Any]) -> None:
    cli("library", "add", str(library["root"]))
    scan_json(cli)
    disc = library["root"] / "psx" / "Disc Game (USA)"
    track = disc / "Disc Game (USA) (Track 2).bin"
    before = track.stat()
    patched = rom_bytes(999)  # same size as the old track: only the mtime tells
    assert len(patched) == before.st_size
    track.write_bytes(patched)
    os.utime(track, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    again = scan_json(cli)
    assert again["updated"] == 1 and again["unchanged"] == 4
    # the sheet and the changed track; the other track, at its stored size and time, is
    # taken as stored (its hashes not read again)
    sheet = disc / "Disc Game (USA).cue"
    assert again["bytes_hashed"] == sheet.stat().st_size + before.st_size
    game = games_by_file(cli)["Disc Game (USA).cue"]
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert shown["files"][1]["file_sha1"] == digests(patched)["sha1"]
    assert scan_json(cli)["unchanged"] == 5  # stored again: the next rescan skips it

    track.unlink()
    gone = scan_json(cli)
    assert gone["updated"] == 1 and gone["missing"] == 0
    assert [e["error"] for e in gone["errors"]] == [
        "track 'Disc Game (USA) (Track 2).bin' is missing or unreadable"]


def test_games_find_by_file_and_by_hash(cli: Any, library: dict[str, Any],
                                        tmp_path: Path) -> None:
    root, roms = library["root"], library["roms"]
    with zipfile.ZipFile(root / "gba" / "Twice (Europe).zip", "w") as archive:
        archive.writestr("a.gba", roms["mario"])  # two members with the same data
        archive.writestr("b.gba", roms["mario"])
    cli("library", "add", str(root))
    scan_json(cli)
    by_file = games_by_file(cli)

    def found(*args: Any) -> list[str]:
        result = cli("--json", "games", "find", *args)
        assert result.code in (0, 1), result.err
        return [row["filename"] for row in result.json()["data"]]

    outside = tmp_path / "download.sfc"
    outside.write_bytes(roms["mario"])
    assert found(outside) == ["Super Mario World (USA).sfc", "Twice (Europe).zip"]
    headerless = tmp_path / "nes-without-header.nes"
    headerless.write_bytes(roms["nesgame"])  # the library's copy has an iNES header
    assert found(headerless) == ["Nes Game (Japan).nes"]
    # A scan takes zip members' CRC32 and size from the zip's directory: a FILE or a CRC32
    # finds them at once, their MD5 and SHA1 once scan --verify has hashed their data.
    gba = digests(roms["gbagame"])
    assert found("--crc32", gba["crc"], "--size", len(roms["gbagame"])) == [
        "Gba Game (Europe).zip"]
    assert found("--md5", gba["md5"]) == []
    # a copy elsewhere of the library's zip, before --verify (QA34 F9: "no game in the
    # library holds this data"): found by its members; the library's zip itself is no copy
    # of itself (review52b P2: "held", by itself — deleting it deleted the library's)
    itself = cli("--json", "games", "find", root / "gba" / "Gba Game (Europe).zip")
    # (review53c F7: why none holds it — the library's own zip, not a lookup that broke)
    assert itself.code == 1 and itself.json()["data"] == [] \
        and "the library's own Gba Game (Europe).zip" in itself.json()["errors"][0], itself.out
    copy = tmp_path / "copy.zip"
    copy.write_bytes((root / "gba" / "Gba Game (Europe).zip").read_bytes())
    assert found(copy) == ["Gba Game (Europe).zip"]
    verified = scan_json(cli, "--verify")
    # their SHA1s added: the same files, verified now
    assert (verified["updated"], verified["verified"], verified["unverified"]) == (0, 2, 0)
    assert found("--md5", digests(roms["gbagame"])["md5"].upper()) == ["Gba Game (Europe).zip"]
    zelda = digests(roms["zelda"])
    assert found("--crc32", zelda["crc"], "--size", len(roms["zelda"])) == [
        "zelda-renamed-by-user.sfc"]
    assert found("--crc32", zelda["crc"], "--size", len(roms["zelda"]) + 1) == []
    assert by_file["Twice (Europe).zip"]["id"] in {
        row["id"] for row in cli("--json", "games", "find", "--sha1",
                                 digests(roms["mario"])["sha1"]).json()["data"]}
    missing = cli("games", "find", "--sha1", "0" * 40)
    assert missing.code == 1 and "no game" in missing.out
    bad = cli("games", "find", "--sha1", "xyz")
    assert bad.code == 2 and bad.err.strip().count("\n") == 0 and "40 hex digits" in bad.err
    unreadable = cli("games", "find", tmp_path / "nope.sfc")
    assert unreadable.code == 2 and "nope.sfc" in unreadable.err
    both = cli("games", "find", outside, "--md5", digests(roms["mario"])["md5"])
    assert both.code == 2 and "not both" in both.err


def test_rename_keeps_the_game_row_and_missing_is_flagged(cli: Any, db_path: Path,
                                                          library: dict[str, Any]) -> None:
    cli("library", "add", str(library["root"]))
    scan_json(cli)
    original = games_by_file(cli)["Super Mario World (USA).sfc"]["id"]
    db = Database(db_path)
    db.execute("INSERT INTO collections (id, name) VALUES (1, 'Favorites')")
    db.execute("INSERT INTO collection_games (collection_id, game_id) VALUES (1, ?)",
               (original,))
    db.close()
    snes = library["root"] / "snes"
    (snes / "Super Mario World (USA).sfc").rename(snes / "SMW.sfc")
    (snes / "zelda-renamed-by-user.sfc").unlink()
    result = scan_json(cli)
    assert result["renamed"] == 1 and result["missing"] == 1 and result["added"] == 0
    games = games_by_file(cli)
    assert games["SMW.sfc"]["id"] == original
    assert games["zelda-renamed-by-user.sfc"]["is_missing"] == 1
    assert Database(db_path).scalar("SELECT game_id FROM collection_games") == original
    missing = cli("--json", "games", "ls", "--missing").json()["data"]["games"]
    assert [row["filename"] for row in missing] == ["zelda-renamed-by-user.sfc"]
    (snes / "zelda-renamed-by-user.sfc").write_bytes(library["roms"]["zelda"])
    scan_json(cli)
    assert games_by_file(cli)["zelda-renamed-by-user.sfc"]["is_missing"] == 0


def test_interrupted_scan_keeps_committed_batches_and_resumes(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "many" / "gba"
    root.mkdir(parents=True)
    for i in range(10):
        (root / f"Game {i} (USA).gba").write_bytes(rom_bytes(i, 512))
    cli("library", "add", str(root.parent))
    monkeypatch.setattr(scan_module, "BATCH_SIZE", 3)
    db = Database(db_path)
    pack = load_pack()
    calls = []

    def interrupt(files: int, *_: int) -> None:
        calls.append(files)
        if files == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan_module.scan_library(db, pack, workers=1, progress=interrupt)
    assert db.scalar("SELECT count(*) FROM games") == 6  # two full batches committed
    assert not db.in_transaction
    resumed = scan_module.scan_library(db, pack, workers=1)
    assert (resumed.unchanged, resumed.added) == (6, 4)
    assert db.scalar("SELECT count(*) FROM games") == 10


def test_bad_input_is_reported_and_the_scan_goes_on(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "bad"
    (root / "gba").mkdir(parents=True)
    good = root / "gba" / "Fine (USA).gba"
    good.write_bytes(rom_bytes(1))
    (root / "gba" / "Empty (USA).gba").write_bytes(b"")
    (root / "gba" / "Broken (USA).zip").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "gba" / "Broken (USA).7z").write_bytes(b"7z\xbc\xaf\x27\x1c garbage header")
    with zipfile.ZipFile(root / "gba" / "Evil.zip", "w") as archive:
        archive.writestr("../../escape.gba", b"x" * 100)
        archive.writestr("ok.gba", b"y" * 100)
    with zipfile.ZipFile(root / "gba" / "Locked.zip", "w") as archive:
        archive.writestr("secret.gba", b"z" * 100)
    with zipfile.ZipFile(root / "gba" / "Slip.zip", "w") as archive:
        archive.writestr("../../slipped.gba", b"s" * 100)
    raw = bytearray((root / "gba" / "Locked.zip").read_bytes())
    raw[6] |= 0x1  # the "encrypted" bit, in the local header and the central directory
    raw[raw.index(b"PK\x01\x02") + 8] |= 0x1
    (root / "gba" / "Locked.zip").write_bytes(bytes(raw))
    outside = tmp_path / "outside.gba"
    outside.write_bytes(rom_bytes(2))
    (root / "gba" / "link.gba").symlink_to(outside)
    (root / "loop").symlink_to(root)
    elsewhere = tmp_path / "elsewhere" / "snes"  # (QA33 F13: a platform folder linked in)
    elsewhere.mkdir(parents=True)
    (root / "snes").symlink_to(elsewhere)
    os.mkfifo(root / "gba" / "pipe.gba")
    weird = os.fsencode(str(root / "gba")) + b"/Caf\xe9 (France).gba"
    with open(weird, "wb") as handle:
        handle.write(rom_bytes(3))
    cli("library", "add", str(root))
    result = scan_json(cli)
    errors = {Path(e["path"]).name: e["error"] for e in result["errors"]}
    assert "corrupt" in errors["Broken (USA).zip"]
    assert "corrupt" in errors["Broken (USA).7z"]
    assert "encrypted" in errors["Locked.zip"]
    assert "unsafe name" in errors["Evil.zip"]
    slip = [e["error"] for e in result["errors"] if Path(e["path"]).name == "Slip.zip"]
    assert slip == ["archive holds no files that can be read (member '../../slipped.gba' "
                    "has an unsafe name; skipped)"]  # once (QA15: twice)
    # a link to a file: counted with the folder it leads into, one line for them all
    assert "link.gba" not in errors
    assert (result["linked_files"], result["linked_into"]) == (1, {str(tmp_path): 1})
    assert errors["loop"] == "symbolic link not followed"  # (into the root: no advice)
    assert errors["snes"] == ("symbolic link not followed (a link to a folder: add "
                              f"{elsewhere} as a library root, `romrunner library add`, to "
                              "scan what it holds)")
    assert errors["pipe.gba"] == "not a regular file; skipped"
    games = games_by_file(cli)
    assert "Fine (USA).gba" in games
    assert "Empty (USA).gba" not in games and result["skipped_empty"] == 1  # never a game
    evil = cli("--json", "games", "show", str(games["Evil.zip"]["id"])).json()["data"]
    assert [f["name"] for f in evil["files"]] == ["ok.gba"]
    assert "Caf\\xe9 (France).gba" in games
    assert not (tmp_path / "escape.gba").exists()


def test_a_stored_game_whose_file_is_emptied_is_missing_and_said(
        cli: Any, tmp_path: Path) -> None:
    """qa182 F1: a ROM emptied in place (a failed sync, a full NAS) was "unchanged" at every
    scan, its row as before, and each deploy failed it with "rescan it", which never helped.
    It is missing now, said with its size at the last scan; restored, it is found again."""
    root = tmp_path / "roms" / "gba"
    root.mkdir(parents=True)
    rom = root / "Gone (USA).gba"
    rom.write_bytes(rom_bytes(1))
    (root / "Kept (USA).gba").write_bytes(rom_bytes(2))
    cli("library", "add", str(tmp_path / "roms"))
    scan_json(cli)
    rom.write_bytes(b"")
    result = scan_json(cli)
    assert result["missing"] == 1 and result["unchanged"] == 1, result
    said = {Path(e["path"]).name: e["error"] for e in result["errors"]}
    assert said["Gone (USA).gba"].startswith(
        f"empty now (was {len(rom_bytes(1)):,} bytes at the last scan): its game is marked "
        "missing"), said
    games = games_by_file(cli)
    assert games["Gone (USA).gba"]["is_missing"] and not games["Kept (USA).gba"]["is_missing"]
    assert scan_json(cli)["errors"] == []  # (said once: missing since)
    rom.write_bytes(rom_bytes(1))
    scan_json(cli)
    assert not games_by_file(cli)["Gone (USA).gba"]["is_missing"]
    for path in root.iterdir():  # (every file emptied: the scan holds the root back, and
        path.write_bytes(b"")    # says none "marked missing" — review39 F1)
    held = cli("--json", "scan", "--workers", "1")
    assert held.code == 2 and held.json()["data"]["missing"] == 0, held.out
    assert "none of its 2 files was found (2 of them are there but empty now" in " ".join(
        held.json()["errors"]), held.out  # (not "the library root is empty": qa185 F5)
    assert not [e for e in held.json()["data"]["errors"] if "marked missing" in e["error"]]
    assert not any(game["is_missing"] for game in games_by_file(cli).values())


def test_a_root_named_twice_is_scanned_once(cli: Any, library: dict[str, Any]) -> None:
    root = library["root"]
    added = cli("--json", "library", "add", str(root)).json()["data"]
    # (QA138 F12: a second add looked like an add)
    again_added = cli("library", "add", f"{root}/")
    assert again_added.code == 0 and not added["already"]
    assert again_added.out.rstrip().endswith(": a library root already, nothing changed")
    first = scan_json(cli, str(root), f"{root}/")
    assert first["scanned"] == first["added"] == len(games_by_file(cli))
    again = scan_json(cli, str(root), str(root))
    assert again["scanned"] == again["unchanged"] == first["scanned"]


def test_sevenzip_members_are_hashed(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib" / "gba"
    root.mkdir(parents=True)
    payload = rom_bytes(5, 8192)
    with py7zr.SevenZipFile(root / "Seven (USA).7z", "w") as archive:
        archive.writestr(payload, "Seven (USA).gba")
    cli("library", "add", str(root.parent))
    scan_json(cli)
    game = games_by_file(cli)["Seven (USA).7z"]
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert [(f["kind"], f["file_sha1"]) for f in shown["files"]] == [
        ("member", digests(payload)["sha1"])]


def test_ambiguous_platform_is_unknown_until_set_by_hand(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib" / "stuff"
    root.mkdir(parents=True)
    (root / "Mystery (USA).bin").write_bytes(rom_bytes(7))
    cli("library", "add", str(root.parent))
    scan_json(cli)
    game = games_by_file(cli)["Mystery (USA).bin"]
    assert game["platform_id"] == "unknown"
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert {"genesis", "atari-2600"} <= set(shown["platform_candidates"])
    assert cli("games", "set-platform", "genesis", str(game["id"])).code == 0
    scan_json(cli, "--full")
    assert games_by_file(cli)["Mystery (USA).bin"]["platform_id"] == "genesis"
    bad = cli("games", "set-platform", "no-such-platform", str(game["id"]))
    assert bad.code == 2 and "not a platform" in bad.err


def test_library_move_is_one_update(cli: Any, library: dict[str, Any], tmp_path: Path) -> None:
    cli("library", "add", str(library["root"]))
    scan_json(cli)
    before = games_by_file(cli)
    new_place = tmp_path / "moved-roms"
    library["root"].rename(new_place)
    assert cli("library", "move", str(library["root"]), str(new_place)).code == 0
    after_scan = scan_json(cli)
    assert after_scan["bytes_hashed"] == 0 and after_scan["unchanged"] == 5
    after = games_by_file(cli)
    assert {k: v["id"] for k, v in after.items()} == {k: v["id"] for k, v in before.items()}


def test_unreachable_root_marks_nothing_missing(cli: Any, library: dict[str, Any],
                                                tmp_path: Path) -> None:
    cli("library", "add", str(library["root"]))
    scan_json(cli)
    library["root"].rename(tmp_path / "unplugged")
    done = cli("--json", "scan", "--workers", "1")
    assert done.code == 1  # the scan could not do its job: a check that found problems
    envelope = done.json()
    result = envelope["data"]
    assert result["missing"] == 0 and "not reachable" in result["errors"][0]["error"]
    assert envelope["ok"] is False
    assert envelope["errors"] == [f"{library['root']}: library root is not reachable (absent, "
                                  "moved or unmounted?); nothing was marked missing (back at "
                                  "another place: `romrunner library move OLD NEW`)"]
    assert not cli("--json", "games", "ls", "--missing").json()["data"]["games"]


def test_a_file_over_4_gib_is_hashed_streaming_and_its_size_kept(tmp_path: Path) -> None:
    """Sizes past 2**32 survive, and hashing streams: the scan's memory stays small."""
    import json
    import subprocess
    import sys
    library = tmp_path / "roms" / "psp"
    library.mkdir(parents=True)
    big = library / "Huge Disc (USA).iso"
    size = 4 * 2**30 + 4097
    with big.open("wb") as handle:  # sparse: no disk used, reads as zeros but the tail
        handle.seek(size - 4)
        handle.write(b"TAIL")
    expected = hashlib.sha1()
    with big.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            expected.update(chunk)
    db = tmp_path / "r.db"
    wrapper = ("import resource, subprocess, sys; "
               "done = subprocess.run(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)")
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "--quiet"]
    subprocess.run([*command, "library", "add", str(tmp_path / "roms")], check=True)
    proc = subprocess.run([sys.executable, "-c", wrapper, *command, "scan", "--workers", "1"],
                          capture_output=True, text=True, timeout=600)
    peak_kib, code = (int(v) for v in proc.stdout.split()[-2:])
    assert code == 0, proc.stderr
    assert peak_kib < 300 * 1024  # a 4 GiB file never sits in memory
    shown = subprocess.run([*command, "--json", "games", "ls"], capture_output=True,
                           text=True, check=True)
    game = json.loads(shown.stdout)["data"]["games"][0]
    assert game["file_size"] == size
    row = Database(db).query_one("SELECT file_sha1 FROM games")
    assert row is not None and row["file_sha1"] == expected.hexdigest()


def test_a_file_vanishing_or_unreadable_mid_scan_is_reported_and_the_rest_stored(
        tmp_path: Path) -> None:
    """The walk saw these files; by the time a worker opens them one is gone, one locked."""
    from romrunner.library.examine import Job, examine
    from romrunner.library.roots import add_root
    from romrunner.library.scan import ingest_examined
    from romrunner.store.open import OpenMode, open_database
    root = tmp_path / "roms"
    (root / "gba").mkdir(parents=True)
    files = {name: root / "gba" / name for name in ("Kept (USA).gba", "Gone (USA).gba",
                                                    "Locked (USA).gba")}
    for index, path in enumerate(files.values()):
        path.write_bytes(rom_bytes(index + 10))
    jobs = [Job(str(path), f"gba/{name}", path.stat().st_size, path.stat().st_mtime_ns)
            for name, path in files.items()]
    files["Gone (USA).gba"].unlink()
    files["Locked (USA).gba"].chmod(0)
    results = [examine(job) for job in jobs]
    assert results[1].error == "file vanished during the scan"
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        assert results[2].error == "permission denied"
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    summary = ingest_examined(db, load_pack(None), add_root(db, root), results)
    assert {e["path"]: e["error"] for e in summary.errors}[str(files["Gone (USA).gba"])] == \
        "file vanished during the scan"
    stored = {row["filepath"] for row in db.query("SELECT filepath FROM games")}
    assert "gba/Kept (USA).gba" in stored and "gba/Gone (USA).gba" not in stored


def test_a_pool_of_workers_stores_what_one_process_stores(library: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """The workers make each row (platform, tags, members, tracks) and send it over a
    process boundary: the database must come out as if one process had done it all."""
    from romrunner.library.roots import add_root
    from romrunner.library.scan import scan_library
    from romrunner.store.open import OpenMode, open_database
    pack = load_pack(None)
    stored: list[tuple[list[dict[str, Any]], ...]] = []
    for workers in (1, 2):
        db = open_database(tmp_path / f"w{workers}.db", OpenMode.WRITE).db
        add_root(db, library["root"])
        summary = scan_library(db, pack, workers=workers)
        assert summary.added == 5 and summary.errors == []
        games = db.query("SELECT * FROM games ORDER BY filepath")
        files = db.query("SELECT g.filepath, f.* FROM game_files f JOIN games g "
                         "ON g.id = f.game_id ORDER BY g.filepath, f.kind, f.name")
        volatile = {"id", "game_id", "added_at", "updated_at", "last_scanned_at", "added_unix",
                    "updated_unix", "scanned_unix"}
        stored.append(tuple([{k: v for k, v in dict(row).items() if k not in volatile}
                             for row in rows] for rows in (games, files)))
        db.close()
    (games_1, files_1), (games_2, files_2) = stored
    assert games_1 == games_2 and files_1 == files_2
    assert {g["platform_id"] for g in games_1} == {"snes", "nes", "gba", "psx"}
    assert len(files_1) == 3  # the zip's member and the cue's two tracks


def test_workers_take_large_files_one_at_a_time_and_small_ones_in_chunks() -> None:
    from romrunner.library.examine import Job
    from romrunner.library.workers import MAX_CHUNK_FILES
    from romrunner.library.workers import chunk_size as _chunk_size
    discs = [Job(f"/d/{i}.iso", f"{i}.iso", 700 << 20, 0) for i in range(40)]
    carts = [Job(f"/c/{i}.gb", f"{i}.gb", 32 << 10, 0) for i in range(100_000)]
    assert _chunk_size(discs, 2) == 1
    assert _chunk_size(carts, 2) == MAX_CHUNK_FILES
    few = carts[:40]
    assert _chunk_size(few, 2) * 4 * 2 <= len(few)  # each worker gets several chunks


def test_a_pooled_rescan_sees_changes_in_every_part_of_the_root(library: dict[str, Any],
                                                                tmp_path: Path) -> None:
    """The rescan walks top-level folders in worker processes and the root's own files
    itself: a change in each part, and a folder that vanishes whole, are all seen."""
    import shutil

    from romrunner.library.roots import add_root
    from romrunner.library.scan import scan_library
    from romrunner.store.open import OpenMode, open_database
    root: Path = library["root"]
    (root / "Loose Game (USA).gba").write_bytes(rom_bytes(50))  # directly in the root
    (root / "Gone Game (USA).gba").write_bytes(rom_bytes(55))   # likewise, to be deleted
    undecodable = root / "gba" / os.fsdecode(b"Caf\xe9 (France).gba")  # not UTF-8
    undecodable.write_bytes(rom_bytes(54))
    db = open_database(tmp_path / "pooled.db", OpenMode.WRITE).db
    add_root(db, root)
    pack = load_pack(None)
    first = scan_library(db, pack, workers=2)
    assert first.added == 8 and first.errors == []  # the odd name was found and read
    assert db.scalar("SELECT file_sha1 FROM games WHERE filepath = ?",
                     ("gba/Caf\\xe9 (France).gba",)) == digests(rom_bytes(54))["sha1"]
    assert scan_library(db, pack, workers=2).unchanged == 8

    kept = tmp_path / "nes-elsewhere"
    shutil.move(root / "nes", kept)                                   # a folder vanishes
    (root / "snes" / "Super Mario World (USA).sfc").write_bytes(rom_bytes(51))  # changed
    (root / "gba" / "New Game (USA).gba").write_bytes(rom_bytes(52))  # new
    (root / "Loose Game (USA).gba").write_bytes(rom_bytes(53) * 2)     # changed, in the root
    (root / "Gone Game (USA).gba").unlink()                           # vanished, in the root
    second = scan_library(db, pack, workers=2)
    assert (second.missing, second.updated, second.added, second.unchanged) == (2, 2, 1, 4)
    missing = db.query("SELECT filepath FROM games WHERE is_missing = 1 ORDER BY filepath")
    assert [row["filepath"] for row in missing] == ["Gone Game (USA).gba",
                                                    "nes/Nes Game (Japan).nes"]

    shutil.move(kept, root / "nes")                                   # and comes back
    third = scan_library(db, pack, workers=2)
    assert (third.missing, third.added, third.unchanged) == (0, 0, 8)
    assert db.scalar("SELECT filepath FROM games WHERE is_missing = 1") == "Gone Game (USA).gba"
    db.close()


@pytest.mark.parametrize("hashes", ["crc md5 sha1", "crc md5", "crc"])
def test_a_disc_whose_sheet_matches_but_a_track_does_not_is_not_identified(
        cli: Any, library: dict[str, Any], hashes: str) -> None:
    """Redump lists the .cue with its hash: the sheet matching must not vouch for a track
    whose data the catalog game does not have (a bad dump); a DAT without SHA1 (or MD5)
    compares by the strongest hash it has."""
    disc = library["root"] / "psx" / "Disc Game (USA)"
    sheet = (disc / "Disc Game (USA).cue").read_bytes()
    d = digests(sheet)
    psx = library["dats"] / "psx.dat"
    text = psx.read_text().replace(
        " )\n)\n", f' )\n\trom ( name "Disc Game (USA).cue" size {len(sheet)} '
                   f'crc {d["crc"]} md5 {d["md5"]} sha1 {d["sha1"]} )\n)\n', 1)
    for kind in ("md5", "sha1"):
        if kind not in hashes.split():
            text = re.sub(rf" {kind} [0-9a-f]+", "", text)
    psx.write_text(text)
    assert cli("library", "add", str(library["root"])).code == 0
    scan_json(cli)
    assert cli("dat", "import", *sorted(library["dats"].iterdir())).code == 0
    good = games_by_file(cli)["Disc Game (USA).cue"]
    assert good["matched_game_id"] == "psx:Disc Game (USA)"
    assert good["match_method"] in ("sha1", "md5", "crc32", "tracks")
    # Track 2 goes bad (same size, other bytes): the sheet still hashes the same.
    track = disc / "Disc Game (USA) (Track 2).bin"
    data = bytearray(track.read_bytes())
    data[100] ^= 0xFF
    track.write_bytes(bytes(data))
    os.utime(track, ns=(track.stat().st_atime_ns, track.stat().st_mtime_ns + 10**9))
    scan_json(cli)
    bad = games_by_file(cli)["Disc Game (USA).cue"]
    assert bad["match_method"] not in ("sha1", "md5", "crc32", "tracks")
    shown = cli("--json", "games", "show", str(bad["id"])).json()["data"]
    tracks = {f["name"]: f for f in shown["files"]}
    assert tracks["Disc Game (USA) (Track 2).bin"]["file_sha1"] == hashlib.sha1(data).hexdigest()
    assert tracks["Disc Game (USA) (Track 2).bin"]["matched_game_id"] is None
    assert tracks["Disc Game (USA) (Track 1).bin"]["matched_game_id"] == "psx:Disc Game (USA)"


def test_a_touched_file_is_counted_unchanged_with_new_times(
        cli: Any, library: dict[str, Any]) -> None:
    """A file whose time changed but not its bytes (copied back with new times, touched) is
    read again and counted unchanged, "with new times" (QA33 F31: it was "updated", as if its
    content had changed); one whose bytes changed under the same size is updated."""
    assert cli("library", "add", str(library["root"])).code == 0
    first = scan_json(cli)
    touched = library["root"] / "snes" / "Super Mario World (USA).sfc"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = scan_json(cli)
    assert (again["updated"], again["unchanged"], again["touched"]) == (0, first["scanned"], 1)
    assert again["bytes_hashed"] == stat.st_size  # read again: its new time is stored
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 3 * 10**9))
    text = cli("scan").out
    assert "0 updated" in text and "(1 with new times, the same content)" in text
    data = bytearray(touched.read_bytes())
    data[7] ^= 0x01
    touched.write_bytes(bytes(data))
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    changed = scan_json(cli)
    assert (changed["updated"], changed["touched"]) == (1, 0)


def test_a_full_rescan_counts_unchanged_files_as_unchanged(
        cli: Any, library: dict[str, Any]) -> None:
    """`scan --full` hashes every file again: one whose size, time and data are as stored is
    unchanged (QA6: all were 'updated'); one whose bytes changed under the same size and time
    (bit rot, a tool that restores times) is updated."""
    assert cli("library", "add", str(library["root"])).code == 0
    first = scan_json(cli)
    full = scan_json(cli, "--full")  # the zip, read from its directory so far: now in full
    assert (full["updated"], full["unchanged"], full["verified"]) == (0, first["scanned"], 1)
    full = scan_json(cli, "--full")
    assert (full["updated"], full["unchanged"]) == (0, first["scanned"])
    rom = library["root"] / "snes" / "Super Mario World (USA).sfc"
    stat = rom.stat()
    data = bytearray(rom.read_bytes())
    data[7] ^= 0x01
    rom.write_bytes(bytes(data))
    os.utime(rom, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan_json(cli)["updated"] == 0  # a plain rescan trusts size and time
    again = scan_json(cli, "--full")
    assert (again["updated"], again["unchanged"]) == (1, first["scanned"] - 1)


def test_a_full_rescan_names_the_files_whose_bytes_changed_under_the_same_time(
        cli: Any, library: dict[str, Any]) -> None:
    """qa192 F4: a verified dump whose bytes rotted (same size and time) was "1 updated" by
    `scan --full`, guessed by name now, and nothing named it. A file rewritten with a new
    time, or the disc whose track changed, is no such file."""
    root = library["root"]
    assert cli("library", "add", str(root)).code == 0
    assert cli("dat", "import", *sorted(library["dats"].iterdir())).code == 0
    scan_json(cli, "--verify")
    mario = games_by_file(cli)["Super Mario World (USA).sfc"]
    assert mario["match_method"] == "sha1"
    rom = root / "snes" / "Super Mario World (USA).sfc"
    stat = rom.stat()
    data = bytearray(rom.read_bytes())
    data[7] ^= 0x01
    rom.write_bytes(bytes(data))
    os.utime(rom, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    rewritten = root / "snes" / "zelda-renamed-by-user.sfc"  # a new time: no rot
    rewritten.write_bytes(rom_bytes(77))
    os.utime(rewritten, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    track = root / "psx" / "Disc Game (USA)" / "Disc Game (USA) (Track 2).bin"
    track.write_bytes(rom_bytes(78))
    os.utime(track, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    full = scan_json(cli, "--full")
    assert full["updated"] == 3, full
    assert full["changed_in_place"] == [{"id": mario["id"], "path": str(rom),
                                         "lost_match": mario["matched_game_id"]}], full
    assert games_by_file(cli)["Super Mario World (USA).sfc"]["match_method"] != "sha1"
    rom.write_bytes(library["roms"]["mario"])  # put back from a backup, its time kept
    os.utime(rom, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    text = cli("scan", "--workers", "1", "--full")
    assert text.code == 0, text.err
    assert f"1 file changed content though its size and time did not ({rom})" in text.out
    assert "no longer identified" not in text.out, text.out  # (it is again)
    rom.write_bytes(bytes(data))
    os.utime(rom, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    quiet = cli("scan", "--workers", "1", "--full", "-q")
    assert quiet.code == 0 and "it is no longer identified by hash" in quiet.err, quiet.err
    # two files of one size and time that swapped names: moved, no bytes changed in place
    os.utime(rewritten, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    scan_json(cli)
    swap = root / "snes" / "swap.tmp"
    rom.rename(swap)
    rewritten.rename(rom)
    swap.rename(rewritten)
    swapped = scan_json(cli, "--full")
    assert len(swapped["followed_content"]) == 2 and swapped["changed_in_place"] == [], swapped


def test_a_scan_names_the_files_it_marks_missing(cli: Any, tmp_path: Path) -> None:
    """qa194 F2: "2 missing" and nothing else, not even in --json: which files? Named (a
    few, the rest counted) with the query that lists them; --json lists every one."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    names = [f"Game {i} (USA).gb" for i in range(12)]
    for i, name in enumerate(names):
        (root / "gb" / name).write_bytes(bytes([i]) * 4096)
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    gone = sorted(str(root / "gb" / name) for name in names[:7])
    for path in gone:
        os.unlink(path)
    text = cli("scan", "--workers", "1")
    assert text.code == 0, text.err
    (line,) = [line for line in text.out.splitlines() if line.startswith("marked missing: ")]
    assert line.startswith(f"marked missing: {gone[0]}; {gone[1]}; "), line
    assert "and 2 more (`romrunner games ls missing:true` lists them" in line, line
    (root / "gb" / names[0]).write_bytes(bytes([0]) * 4096)  # found again
    os.unlink(root / "gb" / names[8])
    data = cli("--json", "scan", "--workers", "1").json()["data"]
    assert data["missing_files"] == [str(root / "gb" / names[8])], data["missing_files"]
    listed = cli("--json", "games", "ls", "missing:true").json()["data"]["games"]
    assert sorted(game["filename"] for game in listed) == sorted([*names[1:7], names[8]])


def test_a_scan_with_no_dat_imported_points_to_dat_import(cli: Any, tmp_path: Path) -> None:
    """qa194 F13: a first scan before any DAT sent the user to `scan --verify` (its zips
    known by CRC32 only: nothing to verify against yet); the next step is `dat import`."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    (root / "gb" / "Loose (USA).gb").write_bytes(b"\x01" * 4096)
    with zipfile.ZipFile(root / "gb" / "Zipped (USA).zip", "w") as archive:
        archive.writestr("Zipped (USA).gb", b"\x02" * 4096)
    assert cli("library", "add", root).code == 0
    first = cli("scan", "--workers", "1")
    assert first.code == 0, first.err
    assert "no DAT imported yet: `romrunner dat import" in first.out, first.out
    assert "scan --verify hashes" not in first.out, first.out
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy",
                            {"Other (USA)": ("Other (USA).gb", b"\x03" * 4096)}))
    assert cli("dat", "import", dat).code == 0
    (root / "gb" / "New (USA).gb").write_bytes(b"\x04" * 4096)
    again = cli("scan", "--workers", "1")
    assert "no DAT imported yet" not in again.out, again.out
    assert "scan --verify hashes" in again.out, again.out
