"""A game whose library copy cannot be used now — a disc track emptied or gone, a zip `scan
--verify` found damaged — is left out by the auto-list, and the card's copy, maybe the only
good one left, is kept by `--prune` and said (qa184 F1, F7: an emptied track was stored as the
disc's and every deploy put the empty file over the card's good one; a missing track, or a zip
rotted in the library, had `--prune` remove the whole set, or the intact zip, from the card).
Real library, card folder, zips and CLI."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

from tests.test_scan import dat_text

DISCS = [f"Epic (Europe) (Disc {n})" for n in (1, 2, 3)]


def _setup(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    library, card = tmp_path / "lib", tmp_path / "card"
    (library / "psx").mkdir(parents=True)
    (library / "gba").mkdir()
    card.mkdir()
    for n, title in enumerate(DISCS, start=1):
        (library / "psx" / f"{title}.bin").write_bytes(bytes([n]) * 2352 * 8)
        (library / "psx" / f"{title}.cue").write_text(
            f'FILE "{title}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    with zipfile.ZipFile(library / "gba" / "Quest (USA).zip", "w") as archive:
        archive.writestr("Quest (USA).gba", bytes(range(256)) * 64)  # (stored)
    for args in (("library", "add", library), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    deployed = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert deployed.code == 0 and deployed.json()["data"]["copied"] == 8, deployed.out
    return library, card


def _files(card: Path) -> dict[str, bytes]:
    return {str(path.relative_to(card)): path.read_bytes() for path in sorted(card.rglob("*"))
            if path.is_file() and ".romrunner" not in path.parts}


def _prune(cli: Any, card: Path) -> Any:
    result = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert result.code == 0, result.out
    return result.json()["data"]


def _rot_and_scan(cli: Any, library: Path, how: str) -> bytes:
    """Change 4 bytes of the zip's stored member, its time kept, and scan it ``how``: found
    damaged. Returns the zip's bytes before."""
    rotted = library / "gba" / "Quest (USA).zip"
    data = bytearray(good := rotted.read_bytes())
    start = data.index(bytes(range(256)))  # (the stored member's data)
    data[start + 100:start + 104] = b"\xff\xff\xff\xff"
    _write_keeping_time(rotted, bytes(data))
    _scan_finds_damaged(cli, how)
    return good


def _write_keeping_time(path: Path, data: bytes) -> None:
    """``data`` written over ``path``, its size and modification time as they were: bit rot,
    or a backup put back with `cp -p`."""
    times = os.stat(path)
    path.write_bytes(data)
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


def _identified_and_verified(cli: Any, tmp_path: Path) -> None:
    """A DAT of the zip's member imported, and `scan --verify`: the zip identified by its
    member's SHA1, nothing damaged."""
    dat = tmp_path / "gba.dat"
    dat.write_text(dat_text("Nintendo - Game Boy Advance",
                            {"Quest (USA)": ("Quest (USA).gba", bytes(range(256)) * 64)}))
    assert cli("dat", "import", dat).code == 0
    _scan_finds_damaged(cli, "--verify", damaged=0)


def _scan_finds_damaged(cli: Any, *how: str, damaged: int = 1) -> None:
    scanned = cli("--json", "scan", "--workers", "1", *how)
    assert scanned.json()["data"]["damaged"] == damaged, scanned.out


def _game_id(cli: Any, filename: str) -> int:
    """The id of the library's game of file ``filename``."""
    (game,) = [g for g in cli("--json", "games", "ls").json()["data"]["games"]
               if g["filename"] == filename]
    return int(game["id"])


def _kept_and_said(cli: Any, card: Path, before: dict[str, bytes]) -> None:
    """A --prune keeps the card's copy of the damaged zip, and says so."""
    result = _prune(cli, card)
    assert result["pruned"] == 0 and _files(card) == before, result
    (warned,) = [w for w in result["plan_warnings"] if w["code"] == "unusable-held"]
    assert "Quest (USA).zip" in warned["message"]


def test_an_emptied_or_missing_track_keeps_the_cards_set(cli: Any, tmp_path: Path) -> None:
    library, card = _setup(cli, tmp_path)
    before = _files(card)
    track = library / "psx" / f"{DISCS[1]}.bin"
    kept = track.read_bytes()
    track.write_bytes(b"")
    scanned = cli("--json", "scan", "--workers", "1")
    said = [e["error"] for e in scanned.json()["data"]["errors"]]
    assert any(f"track '{DISCS[1]}.bin' is empty" in error for error in said), said
    data = _prune(cli, card)
    assert (data["copied"], data["pruned"]) == (0, 0), data
    assert _files(card) == before  # (not the empty track over the card's good one)
    warned = [w for w in data["plan_warnings"] if w["code"] == "unusable-held"]
    assert len(warned) == 1 and "3 games whose library copy cannot be used now" in \
        warned[0]["message"], data["plan_warnings"]
    track.write_bytes(kept)
    (library / "psx" / f"{DISCS[2]}.bin").rename(tmp_path / "away.bin")  # (the last disc)
    cli("scan", "--workers", "1")
    data = _prune(cli, card)
    assert (data["copied"], data["pruned"]) == (0, 0), data
    assert _files(card) == before
    (tmp_path / "away.bin").rename(library / "psx" / f"{DISCS[2]}.bin")
    cli("scan", "--workers", "1")
    data = _prune(cli, card)
    assert (data["copied"], data["pruned"]) == (0, 0) and data["skipped"] == 8, data
    assert not [w for w in data["plan_warnings"] if w["code"] == "unusable-held"]


def test_a_zip_rotted_in_the_library_keeps_its_good_copy_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    library, card = _setup(cli, tmp_path)
    before = _files(card)
    _rot_and_scan(cli, library, "--verify")
    _kept_and_said(cli, card, before)


def test_a_zip_rotted_after_its_verify_is_found_by_a_full_scan_until_put_back(
        cli: Any, tmp_path: Path) -> None:
    """qa185 F1: a zip `scan --verify` had hashed whole that rotted later (its time kept) was
    never caught — `scan --full` said it could not store it and left it good, and a deploy
    copied it over the card's good copy. Found damaged now, by every scan until it reads
    again; put back with its time kept, a plain scan finds it good."""
    library, card = _setup(cli, tmp_path)
    _scan_finds_damaged(cli, "--verify", damaged=0)
    before = _files(card)
    good = _rot_and_scan(cli, library, "--full")
    _kept_and_said(cli, card, before)
    _scan_finds_damaged(cli)  # (a plain scan: read again, still damaged)
    _write_keeping_time(library / "gba" / "Quest (USA).zip", good)
    _scan_finds_damaged(cli, damaged=0)
    shown = cli("games", "show", _game_id(cli, "Quest (USA).zip"))
    assert "problem" not in shown.out and "damaged" not in shown.out, shown.out
    data = _prune(cli, card)
    assert (data["copied"], data["pruned"]) == (0, 0) and _files(card) == before, data
    assert not [w for w in data["plan_warnings"] if w["code"] == "unusable-held"], data


def test_a_damaged_zip_renamed_stays_damaged_until_a_scan_reads_it(
        cli: Any, tmp_path: Path) -> None:
    """review40 F1: a damaged zip renamed was taken, from its directory, for the good zip its
    game had been: the mark cleared, the old hashes put back, never read again. The mark
    follows it; the next scan reads it whole, damaged still; put back good, it clears."""
    library, _ = _setup(cli, tmp_path)
    _scan_finds_damaged(cli, "--verify", damaged=0)
    good = _rot_and_scan(cli, library, "--full")
    renamed = library / "gba" / "Quest (USA) (Rev 0).zip"
    (library / "gba" / "Quest (USA).zip").rename(renamed)
    moved = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (moved["renamed"], moved["damaged"]) == (1, 0), moved
    game_id = _game_id(cli, renamed.name)
    assert "problem" in cli("games", "show", game_id).out
    _scan_finds_damaged(cli)  # (read whole: damaged still)
    _write_keeping_time(renamed, good)
    _scan_finds_damaged(cli, damaged=0)
    assert "problem" not in cli("games", "show", game_id).out


def test_a_damaged_zip_renamed_is_not_matched_again_nor_deployed_over_the_good_copy(
        cli: Any, tmp_path: Path) -> None:
    """qa190 F6: a damaged zip renamed got its verified hashes back, was matched again by
    them and auto-listed, and a `deploy --auto --prune` put it on the card in place of the
    good copy. It stays damaged, unmatched, left out; the card keeps the good copy."""
    library, card = _setup(cli, tmp_path)
    _identified_and_verified(cli, tmp_path)
    before = _files(card)
    _rot_and_scan(cli, library, "--full")
    (library / "gba" / "Quest (USA).zip").rename(library / "gba" / "Quest (Europe).zip")
    cli("scan", "--workers", "1")
    shown = cli("--json", "games", "show", _game_id(cli, "Quest (Europe).zip")).json()["data"]
    assert shown["matched_game_id"] is None and shown["scan_error"], shown
    data = _prune(cli, card)
    assert data["copied"] == 0 and data["pruned"] == 0 and _files(card) == before, data


def test_a_damaged_zip_has_the_game_no_longer(cli: Any, tmp_path: Path) -> None:
    """qa190 F2: a zip found damaged still counted as having its game — `dat report` "have",
    `games find` of the good download "already have it" (exit 0), a user then threw the only
    good copy away."""
    library, _ = _setup(cli, tmp_path)
    _identified_and_verified(cli, tmp_path)
    download = tmp_path / "download.zip"
    download.write_bytes((library / "gba" / "Quest (USA).zip").read_bytes())

    def have() -> int:
        (report,) = cli("--json", "dat", "report").json()["data"]
        return int(report["have"])

    assert have() == 1 and cli("games", "find", download).code == 0
    _rot_and_scan(cli, library, "--full")
    assert have() == 0
    found = cli("games", "find", download)
    assert found.code == 1 and "found damaged" in found.out + found.err, found.out


def test_games_show_says_a_damaged_zip_and_that_its_hashes_are_those_before(
        cli: Any, tmp_path: Path) -> None:
    """qa190: `games show` of a zip found damaged showed the size and hashes kept from
    before (its good data's, by which the card's good copy is known) as if its data's now,
    and --json said nothing of the damage but its problem. It says found damaged, when its
    root was last scanned, that the hashes are those stored before (kept exact), and
    `damaged` in --json."""
    library, _ = _setup(cli, tmp_path)
    _identified_and_verified(cli, tmp_path)
    game_id = _game_id(cli, "Quest (USA).zip")
    before = cli("--json", "games", "show", game_id).json()["data"]
    assert before["damaged"] is False
    _rot_and_scan(cli, library, "--full")
    after = cli("--json", "games", "show", game_id).json()["data"]
    assert after["damaged"] is True and after["root_last_scanned_at"], after
    kept = ("file_size", "file_crc32", "file_md5", "file_sha1")
    assert [after[key] for key in kept] == [before[key] for key in kept]
    assert [m["file_sha1"] for m in after["files"]] == [m["file_sha1"] for m in before["files"]]
    shown = cli("games", "show", game_id).out
    said = " ".join(shown.split())
    assert "damaged found damaged by a scan (its library root last scanned" in said, shown
    assert "are those stored before, not its data now" in said, shown
    assert "bytes (as stored before it was found damaged)" in said, shown
    assert "match not identified: found damaged (the hashes stored before are Quest (USA)'s" \
        in said, shown  # (not "though the gba catalog has this data")
    assert shown.index("damaged") < shown.index(before["file_sha1"]), shown


def test_a_damaged_zip_chosen_by_a_query_is_left_out_as_damaged_not_changed(
        cli: Any, tmp_path: Path) -> None:
    """qa190: a zip found damaged whose time had changed failed every deploy by query
    as "changed since the scan (rescan it)" — a rescan keeps it damaged, its stored time
    with it: a loop. Left out as the auto-list leaves it, said damaged with the way on;
    the rest of the deploy goes on, the card's good copy kept, by --prune too."""
    library, card = _setup(cli, tmp_path)
    before = _files(card)
    quest = library / "gba" / "Quest (USA).zip"
    _rot_and_scan(cli, library, "--verify")
    os.utime(quest, ns=(os.stat(quest).st_atime_ns, os.stat(quest).st_mtime_ns + 10**9))
    (library / "gba" / "Other (USA).gba").write_bytes(b"\x5a" * 4096)
    _scan_finds_damaged(cli)
    for prune in ((), ("--prune",)):
        result = cli("--json", "deploy", "1", "--to", card, "platform:gba", *prune)
        assert result.code == 1, result.out
        said = result.json()
        (left,) = [w for w in said["warnings"] if "found damaged by a scan" in w]
        assert f"{quest}: found damaged by a scan" in left, left
        assert "replace it with a good copy and rescan" in left, left
        assert "changed since the scan" not in result.out + result.err, result.out
        assert "1 chosen game left out" in said["errors"][0], said["errors"]
        data = said["data"]
        assert (data["copied"], data["failed"]) == (int(not prune), 0), data
        assert data["chosen"]["left_out"] == 1, data["chosen"]
        kept = _files(card)  # (the good copy; a --prune of platform:gba takes the PS discs)
        assert kept["Roms/GBA/Quest (USA).zip"] == before["Roms/GBA/Quest (USA).zip"]
        assert "Roms/GBA/Other (USA).gba" in kept
    (held,) = [w for w in data["plan_warnings"] if w["code"] == "unusable-held"]
    assert "Quest (USA).zip" in held["message"], held
    (tmp_path / "card2").mkdir()  # (a card without it: no "changed since the scan" either)
    fresh = cli("--json", "deploy", "1", "--to", tmp_path / "card2", "platform:gba")
    assert fresh.code == 1 and fresh.json()["data"]["failed"] == 0, fresh.out
    assert "changed since the scan" not in fresh.out + fresh.err, fresh.out
    assert list(_files(tmp_path / "card2")) == ["Roms/GBA/Other (USA).gba"]


def test_a_set_one_of_whose_disc_zips_is_damaged_is_left_out_whole_by_a_query(
        cli: Any, tmp_path: Path) -> None:
    """qa190: as the auto-list leaves out a set one of whose discs is damaged, a deploy by
    query leaves the set out whole, each disc saying why, the card's copies kept."""
    psx, card = tmp_path / "lib" / "psx", tmp_path / "card"
    psx.mkdir(parents=True)
    card.mkdir()
    discs = [psx / f"Saga (Europe) (Disc {n}).zip" for n in (1, 2)]
    for n, disc in enumerate(discs, start=1):
        with zipfile.ZipFile(disc, "w") as archive:
            archive.writestr(disc.with_suffix(".bin").name, bytes([n, 7]) * 2352 * 4)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1", "--verify"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    assert cli("--json", "deploy", "1", "--to", card, "platform:psx").json()["data"][
        "copied"] == 3
    before = _files(card)
    data = bytearray(discs[0].read_bytes())
    data[data.index(bytes([1, 7]) * 8) + 100] ^= 0xFF
    discs[0].write_bytes(bytes(data))  # (a new time)
    _scan_finds_damaged(cli)
    result = cli("--json", "deploy", "1", "--to", card, "platform:psx", "--prune")
    assert result.code == 1 and result.json()["data"]["chosen"]["left_out"] == 2, result.out
    warned = result.json()["warnings"]
    assert any(f"{discs[0]}: found damaged by a scan" in w for w in warned), warned
    assert any(f"{discs[1]}: left out with its set, whose {discs[0].name} a scan found "
               "damaged" in w for w in warned), warned
    assert _files(card) == before


def test_a_damaged_zip_is_counted_apart_not_as_waiting_for_verify(
        cli: Any, tmp_path: Path) -> None:
    """qa190: a zip `scan --verify` found damaged before it was ever verified (its members
    known by the CRCs its directory states) was counted by the scan's summary and `db
    status` among the files `scan --verify` would hash — which only finds it damaged again.
    Counted apart as found damaged, named by `db status`."""
    library, _ = _setup(cli, tmp_path)
    assert cli("--json", "db", "status").json()["data"]["unverified"]["unverified"] == 1
    _rot_and_scan(cli, library, "--verify")
    for how in ((), ("--verify",)):
        scanned = cli("--json", "scan", "--workers", "1", *how).json()["data"]
        assert (scanned["damaged"], scanned["unverified"]) == (1, 0), scanned
        said = cli("scan", "--workers", "1", *how).out
        assert "1 found damaged" in said and "CRC32 only" not in said, said
    status = cli("--json", "db", "status").json()["data"]
    assert status["unverified"]["unverified"] == 0, status["unverified"]
    assert status["damaged"] == [str(library / "gba" / "Quest (USA).zip")], status["damaged"]
    shown = " ".join(cli("db", "status").out.split())
    assert "not verified" not in shown, shown
    assert ("damaged 1 file a scan found damaged, its data not what its archive states "
            "(Quest (USA).zip): replace it with a good copy and rescan") in shown, shown


def test_a_damaged_zip_is_no_copy_of_its_good_twin(cli: Any, tmp_path: Path) -> None:
    """qa190 F1: `games dupes` listed a damaged zip and the good one as copies, the good one
    "reclaimable": deleting it lost the only good copy."""
    library, _ = _setup(cli, tmp_path)
    (library / "gba" / "kept").mkdir()
    twin = library / "gba" / "kept" / "Quest (USA).zip"
    twin.write_bytes((library / "gba" / "Quest (USA).zip").read_bytes())
    _scan_finds_damaged(cli, "--verify", damaged=0)
    assert len(cli("--json", "games", "dupes").json()["data"]) == 1
    _rot_and_scan(cli, library, "--full")
    assert cli("--json", "games", "dupes").json()["data"] == []


def test_a_verified_zip_changed_in_place_is_read_whole_by_a_plain_scan(
        cli: Any, tmp_path: Path) -> None:
    """qa187 F2: a zip `scan --verify` had hashed whole, damaged in place (a new time), was
    read from its directory by the next scan — whose CRCs had not changed — and stored as
    "the same content", never read again. Read whole now: found damaged. Touched alone (its
    bytes the same) it stays verified and unchanged."""
    library, card = _setup(cli, tmp_path)
    _scan_finds_damaged(cli, "--verify", damaged=0)
    quest = library / "gba" / "Quest (USA).zip"
    good = quest.read_bytes()
    os.utime(quest, ns=(os.stat(quest).st_atime_ns, os.stat(quest).st_mtime_ns + 10**9))
    touched = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (touched["touched"], touched["damaged"], touched["unverified"]) == (1, 0, 0), touched
    data = bytearray(good)
    data[data.index(bytes(range(256))) + 7] ^= 0xFF
    quest.write_bytes(bytes(data))
    before = _files(card)
    _scan_finds_damaged(cli)
    _kept_and_said(cli, card, before)


def test_a_zip_cut_short_is_found_damaged_by_a_plain_scan_and_left_out(
        cli: Any, tmp_path: Path) -> None:
    """qa184 F3(b), qa185 F2: a library zip cut short (a failed copy over it) was "not
    stored" by every scan and stayed auto-listed as the good zip it had been. It is found
    damaged: the auto-list leaves it out and a --prune keeps the card's copy."""
    library, card = _setup(cli, tmp_path)
    before = _files(card)
    quest = library / "gba" / "Quest (USA).zip"
    quest.write_bytes(quest.read_bytes()[:-40])
    _scan_finds_damaged(cli)
    _kept_and_said(cli, card, before)


def test_an_emptied_game_keeps_its_card_copy_and_is_not_forgotten_unasked(
        cli: Any, tmp_path: Path) -> None:
    """qa184 F2: a game whose file was emptied is missing, and the deploy said "an unmounted
    share?" and pointed to `games forget --missing`, which forgot it unasked — the next
    `--prune` then removed the card's copy, the last good one."""
    library, card = _setup(cli, tmp_path)
    before = _files(card)
    emptied = library / "gba" / "Quest (USA).zip"
    kept = emptied.read_bytes()
    emptied.write_bytes(b"")
    cli("scan", "--workers", "1")
    data = _prune(cli, card)
    assert data["pruned"] == 0 and _files(card) == before, data
    (warned,) = [w for w in data["plan_warnings"] if w["code"] == "unusable-held"]
    assert "Quest (USA).zip" in warned["message"] and "(emptied," in warned["message"]
    refused = cli("games", "forget", "--missing")
    assert refused.code == 2 and "there but empty" in refused.err, refused.err
    library.rename(tmp_path / "unmounted")  # (its share away: still refused — review39c F5)
    library.mkdir()
    away = cli("games", "forget", "--missing")
    assert away.code == 2 and "there but empty" in away.err, away.err
    library.rmdir()
    (tmp_path / "unmounted").rename(library)
    emptied.write_bytes(kept)
    os.utime(emptied, ns=(os.stat(emptied).st_atime_ns, os.stat(emptied).st_mtime_ns))
    cli("scan", "--workers", "1")
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert not games["Quest (USA).zip"]["is_missing"]
    data = _prune(cli, card)
    assert (data["copied"], data["pruned"]) == (0, 0), data
    assert not [w for w in data["plan_warnings"] if w["code"] == "unusable-held"], data
    emptied.write_bytes(b"")  # (emptied again, then deleted: forgotten unasked, as any
    cli("scan", "--workers", "1")  # file deleted — review39b F2, "there but empty" still)
    emptied.unlink()
    assert cli("games", "forget", "--missing").code == 0


def test_a_zip_cut_short_since_the_scan_is_said_so_not_rescan_it(
        cli: Any, tmp_path: Path) -> None:
    """qa184 F3: a library zip cut short (a failed copy) was "changed since the scan (rescan
    it …)" at every deploy, while every rescan said it could not store it. It is said as
    what it is now, with the way on: found damaged by the scan, left out (qa190)."""
    library, _ = _setup(cli, tmp_path)
    quest = library / "gba" / "Quest (USA).zip"
    data = quest.read_bytes()
    quest.write_bytes(data[: len(data) // 2])
    _scan_finds_damaged(cli)
    (tmp_path / "card2").mkdir()
    result = cli("--json", "deploy", "1", "--to", tmp_path / "card2", "title:quest")
    assert result.code == 1 and not _files(tmp_path / "card2"), result.out
    said = " ".join(result.json()["warnings"] + result.json()["errors"])
    assert f"{quest}: found damaged by a scan" in said, result.out
    assert "replace it with a good copy and rescan" in said and "rescan it" not in said


def test_a_damaged_zip_an_override_includes_goes_as_it_is_and_the_left_out_one_says_how(
        cli: Any, tmp_path: Path) -> None:
    """review41b: damage is judged per member — a zip whose ROM is fine and whose readme
    rotted is damaged — and a deploy left it out whatever the user said, `override set
    --include` too (which the auto-list honours: it listed it), with "as the auto-list leaves
    it out", untrue then. Left out, the error names both ways on: a good copy and a rescan,
    or the include; included, it goes as it is, the archive-damaged warning saying so."""
    library, card = tmp_path / "lib", tmp_path / "card"
    (library / "gba").mkdir(parents=True)
    card.mkdir()
    quest = library / "gba" / "Quest (USA).zip"
    with zipfile.ZipFile(quest, "w") as archive:  # (stored)
        archive.writestr("Quest (USA).gba", bytes(range(256)) * 64)
        archive.writestr("readme.txt", b"hello readme " * 100)
    for args in (("library", "add", library), ("scan", "--workers", "1", "--verify"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    data = bytearray(quest.read_bytes())
    start = data.index(b"hello readme")
    data[start:start + 5] = b"HELLO"
    _write_keeping_time(quest, bytes(data))
    _scan_finds_damaged(cli, "--full")
    game_id = _game_id(cli, "Quest (USA).zip")
    left = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert left.code == 1, left.out
    (said,) = [w for w in left.json()["warnings"] if "found damaged by a scan" in w]
    assert "auto-list" not in said, said
    assert "replace it with a good copy and rescan" in said, said
    assert f"`romrunner override set --game {game_id} --include` deploys it as it is" in said
    assert not list(card.rglob("*.zip"))
    assert cli("override", "set", "--game", game_id, "--include").code == 0
    listed = cli("autolist", "1").out
    assert "+ " in listed and "Quest (USA).zip  USER_OVERRIDE_INCLUDE" in listed, listed
    for how in (("--auto",), ("platform:gba",)):
        target = tmp_path / f"card-{how[0].strip('-:')}"
        target.mkdir()
        result = cli("--json", "deploy", "1", "--to", target, *how)
        assert result.code == 0, (how, result.out)
        assert _files(target) == {"Roms/GBA/Quest (USA).zip": bytes(data)}, how
        (warned,) = [w for w in result.json()["data"]["plan_warnings"]
                     if w["code"] == "archive-damaged"]
        assert "Quest (USA).zip" in warned["message"] and "damaged" in warned["message"]
        assert "copied as it is" in warned["message"], warned
    # (its time changed since, a rescan keeping it damaged and its stored time: copied as it
    # is now, not failed at every deploy as "changed since the scan (rescan it)")
    os.utime(quest, ns=(os.stat(quest).st_atime_ns, os.stat(quest).st_mtime_ns + 10**9))
    _scan_finds_damaged(cli)
    target = tmp_path / "card-touched"
    target.mkdir()
    result = cli("--json", "deploy", "1", "--to", target, "platform:gba")
    assert result.code == 0 and "changed since the scan" not in result.out, result.out
    assert _files(target) == {"Roms/GBA/Quest (USA).zip": bytes(data)}


def test_a_file_back_as_a_game_after_no_longer_one_is_not_said_damaged(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review41b: a .gb kept (in a collection) while its folder was taken for a card's, "no
    longer a game", then back as a game, kept that mark as its problem: `games show`, `db
    status` and a deploy called it "found damaged … not what the archive states" until the
    next scan read it, the deploy leaving it out (exit 1). Damaged is a scan's verdict on an
    archive's data only; the mark goes when the file is back as a game — and one an earlier
    release left on a present row is no damage either."""
    library, card = tmp_path / "lib", tmp_path / "card"
    (library / "gb" / "sub").mkdir(parents=True)
    card.mkdir()
    (library / "gb" / "sub" / "Foo.gb").write_bytes(b"\x11" * 32768)
    (library / "gb" / "Bar.gb").write_bytes(b"\x22" * 32768)
    marker = library / "gb" / "sub" / ".romrunner"
    for args in (("library", "add", library), ("scan", "--workers", "1"),
                 ("collection", "create", "Fav"), ("collection", "add", "Fav", "1", "2")):
        assert cli(*args).code == 0, args
    marker.mkdir()
    (marker / "destination-id").write_text("x\n")
    assert cli("scan", "--workers", "1").code == 0
    (marker / "destination-id").unlink()
    marker.rmdir()
    assert "found again" in cli("scan", "--workers", "1").out
    foo = _game_id(cli, "Foo.gb")

    def said_damaged() -> list[str]:
        shown = cli("--json", "games", "show", foo).json()["data"]
        status = cli("--json", "db", "status").json()["data"]
        return [what for what, damaged in (("games show", shown["damaged"]),
                                           ("db status", status["damaged"])) if damaged]

    assert said_damaged() == []
    for args in (("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    deployed = cli("--json", "deploy", "1", "--to", card, "platform:gb")
    assert deployed.code == 0, deployed.out
    assert deployed.json()["data"]["copied"] == 2, deployed.out
    from romrunner.store.database import Database
    with Database(db_path) as db:  # (as an earlier release left it)
        db.execute("UPDATE games SET scan_error = 'no longer a game: a note' WHERE id = ?",
                   (foo,))
    shown = cli("--json", "games", "show", foo).json()["data"]
    assert str(shown["scan_error"]).startswith("no longer a game"), shown
    assert said_damaged() == []
