"""`games` commands and identification counts on real libraries: set-platform is one
transaction, every hash identification uses is findable, `games show` reads as text, name
guesses are counted apart from hash matches, LIKE input is literal, and the demo never
touches the user's database."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.games import GameFilter, count_games, list_games
from romrunner.store import Database
from tests.conftest import run_subprocess

NES_HEADER = b"NES\x1a" + bytes(12)


def digests(data: bytes) -> dict[str, str]:
    return {"crc32": f"{zlib.crc32(data):08x}", "md5": hashlib.md5(data).hexdigest(),
            "sha1": hashlib.sha1(data).hexdigest()}


def dat_text(system: str, games: dict[str, list[tuple[str, bytes]]]) -> str:
    parts = [f'clrmamepro (\n\tname "{system}"\n\tversion "t"\n)\n']
    for game, roms in games.items():
        parts.append(f'game (\n\tname "{game}"\n')
        for name, data in roms:
            d = digests(data)
            parts.append(f'\trom ( name "{name}" size {len(data)} crc {d["crc32"]} '
                         f'md5 {d["md5"]} sha1 {d["sha1"]} )\n')
        parts.append(")\n")
    return "".join(parts)


def payload(seed: str, size: int = 8192) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


@pytest.fixture
def library(tmp_path: Path, cli: Any) -> dict[str, Any]:
    """A scanned library: a headered NES file, a zip holding a headered NES file, a disc,
    a SNES file, and a file whose name (only) is in the SNES DAT."""
    root = tmp_path / "roms"
    for folder in ("nes", "snes", "psx/Disc (USA)"):
        (root / folder).mkdir(parents=True)
    data = {key: payload(key) for key in ("nes", "zipped", "track1", "track2", "snes")}
    (root / "nes" / "Castle (USA).nes").write_bytes(NES_HEADER + data["nes"])
    with zipfile.ZipFile(root / "nes" / "Zipped (USA).zip", "w") as archive:
        archive.writestr("Zipped (USA).nes", NES_HEADER + data["zipped"])
    disc = root / "psx" / "Disc (USA)"
    (disc / "Disc (USA) (Track 1).bin").write_bytes(data["track1"])
    (disc / "Disc (USA) (Track 2).bin").write_bytes(data["track2"])
    (disc / "Disc (USA).cue").write_text(
        'FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n'
        'FILE "Disc (USA) (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n')
    (root / "snes" / "Sky (USA).sfc").write_bytes(data["snes"])
    (root / "snes" / "Chrono Trigger (USA).sfc").write_bytes(payload("random bytes"))
    dats = tmp_path / "dats"
    dats.mkdir()
    (dats / "nes.dat").write_text(dat_text("Nintendo - Nintendo Entertainment System", {
        "Castle (USA)": [("Castle (USA).nes", data["nes"])],
        "Zipped (USA)": [("Zipped (USA).nes", data["zipped"])]}))
    (dats / "psx.dat").write_text(dat_text("Sony - PlayStation", {"Disc (USA)": [
        ("Disc (USA) (Track 1).bin", data["track1"]),
        ("Disc (USA) (Track 2).bin", data["track2"])]}))
    (dats / "snes.dat").write_text(dat_text(
        "Nintendo - Super Nintendo Entertainment System", {
            "Sky (USA)": [("Sky (USA).sfc", data["snes"])],
            "Chrono Trigger (USA)": [("Chrono Trigger (USA).sfc", payload("the real one"))]}))
    assert cli("library", "add", root).code == 0
    imported = cli("dat", "import", *sorted(dats.iterdir()))
    assert imported.code == 0, imported.err
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    games = {row["filename"]: row for row in cli("--json", "games", "ls").json()["data"]["games"]}
    return {"root": root, "data": data, "games": games, "scan": scanned.json()["data"]}


def found(cli: Any, *args: Any) -> list[str]:
    result = cli("--json", "games", "find", *args)
    assert result.code in (0, 1), result.err
    return sorted(row["filename"] for row in result.json()["data"])


# -- item 17: every hash identification uses is findable ----------------------------------
def test_every_hash_identification_uses_is_findable(cli: Any, library: dict[str, Any]) -> None:
    games, data = library["games"], library["data"]
    assert games["Castle (USA).nes"]["match_method"] == "sha1"  # by its header-less sha1
    assert games["Zipped (USA).zip"]["match_method"] == "sha1"  # by its member's
    assert games["Disc (USA).cue"]["match_method"] == "tracks"
    nes, zipped, track = data["nes"], data["zipped"], data["track2"]
    for kind in ("sha1", "md5"):
        assert found(cli, f"--{kind}", digests(nes)[kind]) == ["Castle (USA).nes"]
        assert found(cli, f"--{kind}", digests(zipped)[kind]) == ["Zipped (USA).zip"]
        assert found(cli, f"--{kind}", digests(track)[kind]) == ["Disc (USA).cue"]
    assert found(cli, "--crc32", digests(nes)["crc32"], "--size", len(nes)) == [
        "Castle (USA).nes"]
    assert found(cli, "--crc32", digests(zipped)["crc32"], "--size", len(zipped)) == [
        "Zipped (USA).zip"]
    assert found(cli, "--crc32", digests(nes)["crc32"], "--size", len(nes) + 16) == []
    headered = NES_HEADER + nes  # the file itself is found by its full hashes too
    assert found(cli, "--md5", digests(headered)["md5"]) == ["Castle (USA).nes"]


# -- item 6: set-platform is one transaction ----------------------------------------------
def test_set_platform_with_an_unknown_id_changes_nothing(cli: Any, db_path: Path,
                                                         library: dict[str, Any]) -> None:
    game = library["games"]["Castle (USA).nes"]
    result = cli("games", "set-platform", "snes", game["id"], 999, 998)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no game with id 999, 998" in result.err and "nothing was changed" in result.err
    shown = cli("--json", "games", "show", game["id"]).json()["data"]
    assert shown["platform_id"] == "nes" and shown["platform_source"] == "folder"
    assert shown["matched_game_id"] == "nes:Castle (USA)"
    ok = cli("--json", "games", "set-platform", "snes", game["id"])
    assert ok.code == 0, ok.err
    assert ok.json()["data"]["changed"] == 1 and ok.json()["data"]["unidentified"] == 1
    # (QA18 C5: a file type the platform does not list is set all the same, and said)
    assert any("1 game of a file type snes does not list (Castle (USA).nes)" in warning
               for warning in ok.json()["warnings"]), ok.json()["warnings"]
    shown = cli("--json", "games", "show", game["id"]).json()["data"]
    assert shown["platform_id"] == "snes" and shown["matched_game_id"] is None
    fitting = cli("--json", "games", "set-platform", "nes", game["id"])
    assert fitting.json()["warnings"] == []


# -- item 19: name guesses are not "identified" -------------------------------------------
def test_name_guesses_are_counted_apart_everywhere(cli: Any, db_path: Path,
                                                   library: dict[str, Any]) -> None:
    guess = library["games"]["Chrono Trigger (USA).sfc"]
    assert guess["match_method"] == "name"
    first = library["scan"]
    assert (first["identified"], first["guessed"], first["unidentified"]) == (4, 1, 0)
    rescan = cli("--json", "scan", "--workers", "1").json()["data"]  # nothing changed
    assert (rescan["identified"], rescan["guessed"], rescan["unidentified"]) == (4, 1, 0)
    text = cli("scan", "--workers", "1")
    assert "4 identified by hash, 1 guessed by name, 0 unidentified" in " ".join(
        text.out.split())
    status = cli("--json", "db", "status").json()["data"]["matches"]
    assert status == {"identified": 4, "guessed": 1, "unidentified": 0,
                      "playlists": 0}
    assert "4 by hash, 1 guessed by name, 0 unidentified" in cli("db", "status").out
    db = Database(db_path)
    try:
        assert count_games(db, GameFilter(identified=True)) == 4
        assert [g["filename"] for g in list_games(db, GameFilter(guessed=True))] == [
            "Chrono Trigger (USA).sfc"]
        assert count_games(db, GameFilter(unidentified=True)) == 0
    finally:
        db.close()
    dat = cli("--json", "dat", "import", library["root"].parent / "dats" / "snes.dat")
    assert (dat.json()["data"]["identified"], dat.json()["data"]["guessed"]) == (4, 1)
    from romrunner.catalog.identify import match_counts  # new in this change

    db = Database(db_path)
    try:
        counts = match_counts(db)
        assert (counts.identified, counts.guessed, counts.unidentified) == (4, 1, 0)
        with db.count_statements() as statements:
            match_counts(db)
        assert len(statements) == 1  # one SQL aggregate
    finally:
        db.close()


# -- "Also": games show reads as text -----------------------------------------------------
def test_games_show_prints_what_a_user_reads(cli: Any, library: dict[str, Any]) -> None:
    games, data = library["games"], library["data"]
    text = cli("games", "show", games["Castle (USA).nes"]["id"])
    assert text.code == 0, text.err
    out = text.out
    for raw in ("None", "[]", "{", "file_mtime_ns", "root_id", "title_norm", "is_archive"):
        assert raw not in out, raw
    assert out.splitlines()[0] == "Castle (USA)"
    assert "nes (from the folder name)" in out
    assert f"{len(data['nes']) + 16:,} bytes" in out
    assert digests(data["nes"])["md5"] in out and "16 bytes" in out
    assert "Castle (USA), by sha1 of the data without its header" in out
    assert "Nintendo - Nintendo Entertainment System version t" in out
    assert "region USA" in out
    zipped = cli("games", "show", games["Zipped (USA).zip"]["id"]).out
    assert "archive members:" in zipped and "Zipped (USA).nes" in zipped
    assert "by sha1 of the data without its header" in zipped
    disc = cli("games", "show", games["Disc (USA).cue"]["id"]).out
    assert "by the hashes of its disc tracks" in disc and "Disc (USA) (Track 2).bin" in disc
    guess = cli("games", "show", games["Chrono Trigger (USA).sfc"]["id"]).out
    assert "guessed from the file name only (no hash matched)" in guess
    full = cli("--json", "games", "show", games["Castle (USA).nes"]["id"]).json()["data"]
    assert full["file_mtime_ns"] and full["nh_md5"] == digests(data["nes"])["md5"]
    assert full["match_headerless"] is True and full["languages"] == []


def test_games_show_of_a_chd_says_what_its_header_records(cli: Any, tmp_path: Path) -> None:
    """QA10 F7: a CHD's data line has no name and no size of its own; `games show` said an
    empty name and "size       size unknown"."""
    folder = tmp_path / "roms" / "psx"
    folder.mkdir(parents=True)
    data_sha1 = hashlib.sha1(b"the disc").digest()
    header = bytearray(b"MComprHD" + (124).to_bytes(4, "big") + (5).to_bytes(4, "big"))
    header += bytes(124 - len(header))
    header[84:104] = data_sha1
    (folder / "Chd Game (Japan).chd").write_bytes(bytes(header) + bytes(4096))
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert cli("scan", "--workers", "1").code == 0
    out = cli("games", "show", "1").out
    tail = out.splitlines()[out.splitlines().index("  CHD data:"):]
    assert tail == ["  CHD data:", "    the data it holds, as its header records it",
                    f"      sha1       {data_sha1.hex()}", "      match      no match"]
    assert "size unknown" not in out


# -- item 21: LIKE input is literal -------------------------------------------------------
def test_region_filter_escapes_like_wildcards(cli: Any, db_path: Path,
                                              library: dict[str, Any]) -> None:
    db = Database(db_path)
    try:
        assert count_games(db, GameFilter(region="USA")) == 5
        for pattern in ("U_A", "%", "US%", "_SA", "\\"):
            assert list_games(db, GameFilter(region=pattern)) == [], pattern
            assert count_games(db, GameFilter(region=pattern)) == 0, pattern
    finally:
        db.close()


# -- item 2: the demo never writes into the user's database -------------------------------
def test_demo_never_touches_the_real_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "romrunner-data"
    real_db = data_dir / "romrunner.db"
    roms = tmp_path / "my-roms"
    roms.mkdir()
    data_dir.mkdir()  # (a database named in a folder that does not exist is refused)
    env = {"ROMRUNNER_DB": str(real_db)}
    assert run_subprocess("library", "add", str(roms), env=env).code == 0
    before = real_db.read_bytes()
    listing = sorted(p.name for p in data_dir.iterdir())
    result = run_subprocess("--db", str(real_db), "--json", "demo", "--dir", str(data_dir),
                            env=env)
    assert result.code == 0, result.err
    demo = json.loads(result.out)["data"]
    assert Path(demo["database"]) != real_db and Path(demo["workdir"]).parent == data_dir
    assert demo["identified"] == 4 and demo["guessed"] == 0
    assert real_db.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir() if p.name != Path(demo["workdir"]).name
                  ) == listing
    roots = run_subprocess("--json", "library", "ls", env=env)
    assert [r["path"] for r in json.loads(roots.out)["data"]] == [str(roms)]


def test_games_show_of_a_zip_of_thousands_of_members_lists_the_first_ones(
        cli: Any, tmp_path: Path) -> None:
    # QA15: a zip of 4,000 members was 16,008 lines of `games show`
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Many (USA).zip", "w") as archive:
        for n in range(120):
            archive.writestr(f"part {n:03}.gb", f"member {n}".encode() * 40)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    text = cli("games", "show", str(game["id"])).out
    shown = [line.strip() for line in text.splitlines() if line.strip().startswith("part ")]
    assert shown == [f"part {n:03}.gb" for n in range(50)]
    assert text.splitlines()[-1].strip() == "… and 70 more (--json lists every one)"
    full = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert len(full["files"]) == 120


def test_a_page_of_more_than_a_thousand_games_is_printed_as_tab_separated_lines(
        cli: Any, tmp_path: Path) -> None:
    # QA16: `games ls --limit 30000` took 14 s as a table (0.6 s with --json)
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    for n in range(1001):
        (folder / f"Game {n:04} (USA).gb").write_bytes(n.to_bytes(4, "big") * 64)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    listed_all = cli("games", "ls", "--limit", "2000")
    lines = listed_all.out.splitlines()
    assert lines[0] == "id\tplatform\ttitle\tregion\tmatch\tsize\tfile"
    assert lines[1].split("\t")[1:4] == ["gb", "Game 0000", "USA"]
    # stdout holds the lines alone; the count is said on stderr (QA17: it was the last line)
    assert len(lines) == 1 + 1001 and all(line.count("\t") == 6 for line in lines)
    assert listed_all.err.strip().startswith("1,001 of 1,001")
    small = cli("games", "ls", "--limit", "5").out  # a page a table suits stays one
    assert "\t" not in small and "Game 0000" in small
    # the built-in collections over 1,000 games are counted "1,000+", and it is said what
    # that means (QA16: an arbitrary "88+" said nothing)
    listed = cli("collection", "ls").out
    assert "1,000+" in listed and "N+: at least N" in listed


def test_search_says_when_more_games_match_than_it_shows(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    for n in range(4):
        (folder / f"Quest {n} (USA).gb").write_bytes(n.to_bytes(4, "big") * 64)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    capped = cli("search", "quest", "--limit", "3")
    assert "the first 3 matches; more match" in capped.out
    capped_json = cli("--json", "search", "quest", "--limit", "3").json()
    assert len(capped_json["data"]) == 3
    # (QA17: --json could not say that more match)
    assert any("the first 3 matches; more match" in w for w in capped_json["warnings"])
    assert "more match" not in cli("search", "quest", "--limit", "4").out
    assert cli("--json", "search", "quest", "--limit", "4").json()["warnings"] == []
    assert "N+:" not in cli("collection", "ls").out  # (every count exact)


def test_a_disc_with_a_track_gone_says_so_not_that_no_rom_is_its_data(
        cli: Any, library: dict[str, Any]) -> None:
    """QA106 F3: a disc whose track went missing matched its catalog game by name only, and
    `games show` said "none of its ROMs is this data" of a disc whose data is the catalog's."""
    disc = library["root"] / "psx" / "Disc (USA)"
    (disc / "Disc (USA) (Track 2).bin").unlink()
    assert cli("scan", "--workers", "1").code in (0, 1)
    shown = cli("games", "show", library["games"]["Disc (USA).cue"]["id"]).out
    (line,) = [line for line in shown.splitlines() if line.strip().startswith("catalog")]
    assert "the name only: 1 track of the disc not there to match (Disc (USA) (Track 2).bin" \
        in line and "none of its ROMs" not in line, shown


def _dump(db_path: Path) -> list[str]:
    """The database's content, as SQL (sqlite_stat1 left out: ANALYZE may rewrite it)."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return sorted(line for line in conn.iterdump() if "sqlite_stat" not in line)


def test_setting_a_game_to_the_platform_set_already_writes_and_warns_nothing(
        cli: Any, db_path: Path, library: dict[str, Any]) -> None:
    """qa183: `games set-platform snes 9` a second time said "0 games set" and warned that a
    file type snes does not list was "set all the same", and identified the game again."""
    game = library["games"]["Castle (USA).nes"]
    first = cli("--json", "games", "set-platform", "snes", game["id"])
    assert first.code == 0 and first.json()["warnings"], first.out
    before = _dump(db_path)
    again = cli("--json", "games", "set-platform", "snes", game["id"])
    assert again.code == 0, again.err
    assert again.json()["warnings"] == [], again.json()["warnings"]
    data = again.json()["data"]
    assert (data["changed"], data["already"], data["identified"] + data["guessed"]
            + data["unidentified"]) == (0, 1, 0), data
    assert _dump(db_path) == before
    text = cli("games", "set-platform", "snes", game["id"])
    assert text.out.strip() == "0 games set to snes (1 game on it already, unchanged)", text.out


def test_adding_games_already_in_a_collection_writes_nothing(
        cli: Any, db_path: Path, library: dict[str, Any]) -> None:
    """qa183: `collection add fav 1` with 1 in it already said "0 games added" but re-dated
    the collection and drew a new plan token (the next deploy planned again)."""
    game = library["games"]["Castle (USA).nes"]
    assert cli("collection", "create", "mine").code == 0
    assert cli("collection", "add", "mine", game["id"]).code == 0
    before = _dump(db_path)
    again = cli("--json", "collection", "add", "mine", game["id"])
    assert again.code == 0 and again.json()["data"]["added"] == 0, again.out
    assert _dump(db_path) == before


def test_find_of_a_file_whose_only_library_copy_was_deleted_since_the_scan_exits_1(
        cli: Any, tmp_path: Path) -> None:
    """review42 F5: a copy deleted since the last scan (not marked missing yet) on a root
    that is there was "had", exit 0: `games find new.gb && rm new.gb` deleted the last copy.
    A copy still there beside it is listed alone."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    for name in ("Zed (USA).gb", "Zed (Copy).gb", "Other (USA).gb"):
        (root / "gb" / name).write_bytes(payload("other" if "Other" in name else "zed"))
    download = tmp_path / "new.gb"
    download.write_bytes(payload("zed"))
    for args in (("library", "add", root), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    (root / "gb" / "Zed (USA).gb").unlink()
    one = cli("--json", "games", "find", download)
    assert one.code == 0, one.out
    assert [row["filename"] for row in one.json()["data"]] == ["Zed (Copy).gb"]
    (root / "gb" / "Zed (Copy).gb").unlink()
    text = cli("games", "find", download)
    assert text.code == 1, text.out
    said = text.out + text.err
    assert "held it and are not at their place now as the last scan found them" in said \
        and "keep this file" in said, said
    assert download.is_file()


def test_find_of_data_whose_library_track_or_file_changed_since_the_scan_exits_1(
        cli: Any, tmp_path: Path) -> None:
    """review42b F2: a disc's track deleted since the scan (its sheet still there), or a ROM
    rewritten with other bytes, was "had" (exit 0): the game's own file alone was looked at."""
    root = tmp_path / "roms"
    (root / "psx").mkdir(parents=True)
    (root / "gb").mkdir(parents=True)
    track = payload("track") * 3
    (root / "psx" / "Game (USA).bin").write_bytes(track)
    (root / "psx" / "Game (USA).cue").write_text(
        'FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (root / "gb" / "Over (USA).gb").write_bytes(payload("over"))
    (tmp_path / "game.bin").write_bytes(track)
    (tmp_path / "over.gb").write_bytes(payload("over"))
    for args in (("library", "add", root), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    for name in ("game.bin", "over.gb"):
        assert cli("games", "find", tmp_path / name).code == 0, name
    (root / "psx" / "Game (USA).bin").unlink()
    (root / "gb" / "Over (USA).gb").write_bytes(payload("other") + b"more")
    for name, held in (("game.bin", "Game (USA).cue"), ("over.gb", "Over (USA).gb")):
        result = cli("games", "find", tmp_path / name)
        assert result.code == 1, (name, result.out)
        assert f"{held} held it and is not at its place now" in result.out + result.err


def test_find_of_a_file_whose_only_library_copy_is_missing_exits_1(cli: Any,
                                                                   tmp_path: Path) -> None:
    """qa192 F3: `games find download.gb` exited 0 ("already have it") when the library's only
    copy was marked missing: `games find new.gb && rm new.gb` deleted the last copy. A copy on
    a root not reachable now, not marked missing, is still had (exit 0), and said."""
    home, away = tmp_path / "roms", tmp_path / "nas"
    (home / "gb").mkdir(parents=True)
    (away / "gb").mkdir(parents=True)
    (home / "gb" / "Keep (USA).gb").write_bytes(payload("keep"))
    (home / "gb" / "Other (USA).gb").write_bytes(payload("other"))
    (away / "gb" / "Far (USA).gb").write_bytes(payload("far"))
    download, far = tmp_path / "download.gb", tmp_path / "far.gb"
    download.write_bytes(payload("keep"))
    far.write_bytes(payload("far"))
    for args in (("library", "add", home), ("library", "add", away), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    assert cli("games", "find", download).code == 0
    (home / "gb" / "Keep (USA).gb").unlink()
    assert cli("scan", "--workers", "1", home).code == 0
    text = cli("games", "find", download)
    assert text.code == 1, text.out
    said = text.out + text.err
    assert "Keep (USA).gb held it and is missing" in said and "keep this file" in said, said
    data = cli("--json", "games", "find", download).json()
    assert not data["ok"] and data["data"] == [] and "is missing" in data["errors"][0], data
    (away / "gb" / "Far (USA).gb").unlink()
    (away / "gb").rmdir()  # (an empty mount point: the share is not mounted)
    reached = cli("--json", "games", "find", far)
    assert reached.code == 0, reached.out
    assert any("not reachable now" in warning for warning in reached.json()["warnings"])


def test_dupes_says_files_known_by_crc32_only_that_may_be_copies(cli: Any,
                                                                 tmp_path: Path) -> None:
    """qa194 F9: a copy a first scan hashed CRC32 first, of a file hashed in full, was not
    grouped with it (SHA1 against CRC32): "no duplicates", and a general warning. The files
    that may be copies are counted; after `scan --verify` they are listed."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    (root / "gb" / "Keep (USA).gb").write_bytes(payload("keep"))
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy", {"Keep (USA)": [("Keep (USA).gb",
                                                                    payload("keep"))]}))
    for args in (("dat", "import", dat), ("library", "add", root), ("scan", "--workers", "1"),
                 ("scan", "--workers", "1", "--verify")):
        assert cli(*args).code == 0, args
    (root / "gb" / "copy.gb").write_bytes(payload("keep"))
    assert cli("scan", "--workers", "1").code == 0
    found = cli("games", "dupes")
    assert found.code == 0, found.err
    assert "no duplicates" in found.out, found.out  # (the copy known by its CRC32 only)
    assert "1 file known by its CRC32 only has the CRC32 and size of another file: " \
        "maybe a copy not listed here" in found.err, found.err
    assert cli("scan", "--workers", "1", "--verify").code == 0
    after = cli("games", "dupes")
    assert "1 duplicate set" in after.out and "maybe a copy" not in after.err, after.out
