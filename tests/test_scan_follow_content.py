"""A game follows its content (QA23 F1, F2): files that swap names in one scan, a file moved
onto another, a ROM zipped (one member, the same data) or unzipped keep their games: id,
collections, overrides, a platform set by hand."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from romrunner.library import scan as scan_module
from romrunner.packs import load_pack
from romrunner.store import Database
from tests.test_scan import dat_text, rom_bytes, scan_json


def _rows(db_path: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def _write(path: Path, data: bytes, mtime: int) -> None:
    """A file with its own modification time (files written in one clock tick share one,
    and a swap of two same-sized files with the same time is not seen by a scan)."""
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def _id_of(db_path: Path, name: str) -> int:
    ((game_id,),) = _rows(db_path, "SELECT id FROM games WHERE filename = ?", (name,))
    return int(game_id)


def _where(db_path: Path) -> dict[int, tuple[str, int]]:
    """{game id: (file name, is_missing)}."""
    return {game_id: (name, missing) for game_id, name, missing in
            _rows(db_path, "SELECT id, filename, is_missing FROM games")}


def _sha1_of(db_path: Path, game_id: int) -> str:
    ((sha1,),) = _rows(db_path, "SELECT hex(sha1_bin) FROM games WHERE id = ?", (game_id,))
    return str(sha1).lower()


def _curate(cli: Any, game_id: int) -> None:
    for args in (("collection", "create", "keep"), ("collection", "add", "keep", str(game_id)),
                 ("override", "set", "--game", str(game_id), "--exclude")):
        assert cli(*args).code == 0, args


def _kept(cli: Any) -> list[tuple[int, str]]:
    shown = cli("--json", "collection", "show", "keep").json()["data"]["games"]
    return [(game["id"], game["filename"]) for game in shown]


def _swap(first: Path, second: Path) -> None:
    parked = first.with_name("parked")
    first.rename(parked)
    second.rename(first)
    parked.rename(second)


def _homebrew(cli: Any, tmp_path: Path, names: list[str]) -> tuple[Path, dict[str, int]]:
    db_path = tmp_path / "library.db"
    folder = tmp_path / "roms" / "GB"
    folder.mkdir(parents=True)
    for i, name in enumerate(names):
        _write(folder / name, rom_bytes(i, 32768), 1_700_000_000 + i * 100)
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert scan_json(cli)["added"] == len(names)
    return folder, {name: _id_of(db_path, name) for name in names}


def test_two_files_that_swap_names_keep_their_games(cli: Any, tmp_path: Path,
                                                   db_path: Path) -> None:
    """Alpha and Beta swap names: each game follows its content (SHA1), with its collection,
    override and platform set by hand; the scan says renamed, not updated."""
    folder, ids = _homebrew(cli, tmp_path, ["Alpha (USA).gb", "Beta (USA).gb"])
    alpha, beta = ids["Alpha (USA).gb"], ids["Beta (USA).gb"]
    alpha_sha1 = _sha1_of(db_path, alpha)
    _curate(cli, alpha)
    assert cli("games", "set-platform", "gbc", str(alpha)).code == 0
    _swap(folder / "Alpha (USA).gb", folder / "Beta (USA).gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["added"], summary["missing"]) \
        == (2, 0, 0, 0)
    assert {item["id"]: item["to"] for item in summary["followed_content"]} == {
        alpha: "GB/Beta (USA).gb", beta: "GB/Alpha (USA).gb"}
    assert _where(db_path) == {alpha: ("Beta (USA).gb", 0), beta: ("Alpha (USA).gb", 0)}
    assert _sha1_of(db_path, alpha) == alpha_sha1
    assert _kept(cli) == [(alpha, "Beta (USA).gb")]
    ((platform, source),) = _rows(db_path, "SELECT platform_id, platform_source FROM games "
                                           "WHERE id = ?", (alpha,))
    assert (platform, source) == ("gbc", "user")
    ((platform, source),) = _rows(db_path, "SELECT platform_id, platform_source FROM games "
                                           "WHERE id = ?", (beta,))
    assert (platform, source) != ("gbc", "user")  # not the hand-set platform of its file's
    assert _rows(db_path, "SELECT game_id FROM game_overrides") == [(alpha,)]
    text = cli("scan", "--workers", "1")
    assert text.code == 0 and "follow" not in text.out  # said once: nothing changed since


def test_three_files_rotated_keep_their_games_and_text_says_so(cli: Any, tmp_path: Path,
                                                              db_path: Path) -> None:
    """a -> b -> c -> a in one scan: each game follows its content."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb", "c.gb"])
    (folder / "a.gb").rename(folder / "t")
    (folder / "c.gb").rename(folder / "a.gb")
    (folder / "b.gb").rename(folder / "c.gb")
    (folder / "t").rename(folder / "b.gb")
    result = cli("scan", "--workers", "1")
    assert result.code == 0, result.err
    assert "3 games found in another game's file" in result.out
    assert "0 updated" in result.out and "3 renamed" in result.out
    assert _where(db_path) == {ids["a.gb"]: ("b.gb", 0), ids["b.gb"]: ("c.gb", 0),
                               ids["c.gb"]: ("a.gb", 0)}


def test_a_file_moved_onto_another_takes_its_game_with_it(cli: Any, tmp_path: Path,
                                                         db_path: Path) -> None:
    """`mv a b` over an existing b: a's game is at b now; b's game, its content nowhere, is
    missing with its collection, and said."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb", "c.gb"])
    _curate(cli, ids["b.gb"])
    b_content = (folder / "b.gb").read_bytes()
    (folder / "a.gb").replace(folder / "b.gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["missing"]) == (1, 0, 1)
    assert summary["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    # the game missing is said by its own file, b.gb, not a.gb's old path (qa200 F1)
    assert summary["missing_files"] == [str(folder / "b.gb")]
    where = _where(db_path)
    assert where[ids["a.gb"]] == ("b.gb", 0)
    assert where[ids["b.gb"]][1] == 1
    assert _kept(cli) == [(ids["b.gb"], where[ids["b.gb"]][0])]
    # its path as it was, never the stored mark, in every output (review46b F2)
    listed = cli("--json", "games", "ls", "--missing").json()["data"]["games"]
    assert [(game["filepath"], game["overwritten"]) for game in listed] == [("GB/b.gb", True)]
    shown = cli("--json", "collection", "show", "keep").json()["data"]["games"]  # (its order)
    assert [(game["filepath"], game["overwritten"]) for game in shown] == [("GB/b.gb", True)]
    refused = cli("games", "forget", str(ids["b.gb"]))
    assert refused.code != 0 and "GB/b.gb" in refused.err
    assert "//overwritten" not in refused.err + refused.out
    # b's content back (from a backup), a's file back at its name: each game follows its
    # content, b's said from its own path, never the stored mark of an overwritten file
    (folder / "b.gb").replace(folder / "a.gb")
    _write(folder / "b.gb", b_content, 1_700_000_100)
    back = scan_json(cli)
    assert sorted((item["id"], item["from"], item["to"], item["overwritten_before"])
                  for item in back["followed_content"]) == sorted([
        (ids["a.gb"], "GB/b.gb", "GB/a.gb", False),
        (ids["b.gb"], "GB/b.gb", "GB/b.gb", True)])


def test_a_chain_of_moves_through_a_new_name_keeps_every_game(cli: Any, tmp_path: Path,
                                                             db_path: Path) -> None:
    """`mv b c; mv a b` (c new): b's game is at c, a's at b; nothing added or missing."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    _curate(cli, ids["b.gb"])
    (folder / "b.gb").rename(folder / "c.gb")
    (folder / "a.gb").rename(folder / "b.gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["updated"], summary["missing"]) \
        == (2, 0, 0, 0)
    assert _where(db_path) == {ids["a.gb"]: ("b.gb", 0), ids["b.gb"]: ("c.gb", 0)}
    assert _kept(cli) == [(ids["b.gb"], "c.gb")]
    assert cli("db", "check").code == 0


def test_a_file_overwritten_with_new_content_keeps_its_game(cli: Any, tmp_path: Path,
                                                           db_path: Path) -> None:
    """A ROM upgraded in place (content no game had): the game stays with its path."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    _write(folder / "a.gb", rom_bytes(77, 32768), 1_800_000_000)
    summary = scan_json(cli)
    assert (summary["updated"], summary["renamed"]) == (1, 0)
    assert _where(db_path) == {ids["a.gb"]: ("a.gb", 0), ids["b.gb"]: ("b.gb", 0)}


def _two_catalog_games(cli: Any, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A GB DAT of two games imported, their files in a library root (not scanned yet): the
    folder, and each game's data."""
    dats = tmp_path / "dats"
    dats.mkdir()
    data = {name: rom_bytes(i, 32768) for i, name in enumerate(["One (USA)", "Two (USA)"])}
    (dats / "gb.dat").write_text(dat_text("Nintendo - Game Boy", {
        name: (f"{name}.gb", blob) for name, blob in data.items()}))
    assert cli("dat", "import", dats / "gb.dat").code == 0
    folder = tmp_path / "roms" / "GB"
    folder.mkdir(parents=True)
    for i, (name, blob) in enumerate(data.items()):
        _write(folder / f"{name}.gb", blob, 1_700_000_000 + i * 100)
    assert cli("library", "add", tmp_path / "roms").code == 0
    return folder, data


def test_identified_files_known_by_crc32_that_swap_names_keep_their_games(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Catalog games hashed CRC32 first (their SHA1 deferred): matched by CRC32 and size,
    each game follows its content and its catalog game with it."""
    folder, _ = _two_catalog_games(cli, tmp_path)
    scan_json(cli)
    one = _id_of(db_path, "One (USA).gb")
    assert _rows(db_path, "SELECT sha1_bin IS NULL FROM games WHERE id = ?", (one,)) == [(1,)]
    _curate(cli, one)
    _swap(folder / "One (USA).gb", folder / "Two (USA).gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"]) == (2, 0)
    ((name, title),) = _rows(db_path, "SELECT g.filename, c.name FROM games g JOIN "
                                      "catalog_games c ON c.game_id = g.matched_game_id "
                                      "WHERE g.id = ?", (one,))
    assert (name, title) == ("Two (USA).gb", "One (USA)")
    assert _rows(db_path, "SELECT game_id FROM game_overrides") == [(one,)]


def test_verified_files_that_swap_names_keep_their_hashes_and_matches(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA106 F1: files hashed in full (`scan --verify`) that swapped names were each moved
    to the other's file with that file's new row, whose MD5 and SHA1 the scan defers: the
    verified hashes were dropped, the matches fell from sha1 to crc32."""
    folder, data = _two_catalog_games(cli, tmp_path)
    assert cli("scan", "--verify").code == 0
    query = "SELECT id, lower(hex(sha1_bin)), match_method FROM games ORDER BY id"
    before = _rows(db_path, query)
    assert [method for *_, method in before] == ["sha1", "sha1"]
    _swap(folder / "One (USA).gb", folder / "Two (USA).gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"]) == (2, 0)
    assert _rows(db_path, query) == before
    assert cli("games", "find", "--sha1", hashlib.sha1(data["One (USA)"]).hexdigest()).code == 0


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def test_a_rom_zipped_keeps_its_game_and_unzipped_again(cli: Any, tmp_path: Path,
                                                       db_path: Path) -> None:
    """Game.gb -> Game.zip (one member, the same data; the loose file deleted): renamed, the
    game keeping its id, collection and exclusion; and back."""
    folder, ids = _homebrew(cli, tmp_path, ["Hero (World).gb", "Other (World).gb"])
    hero = ids["Hero (World).gb"]
    _curate(cli, hero)
    data = (folder / "Hero (World).gb").read_bytes()
    _zip(folder / "Hero (World).zip", {"Hero (World).gb": data})
    (folder / "Hero (World).gb").unlink()
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _where(db_path)[hero] == ("Hero (World).zip", 0)
    assert _rows(db_path, "SELECT hex(sha1_bin) FROM game_files WHERE game_id = ?",
                 (hero,)) == [(hashlib.sha1(data).hexdigest().upper(),)]  # still verified
    assert _kept(cli) == [(hero, "Hero (World).zip")]
    assert _rows(db_path, "SELECT game_id FROM game_overrides") == [(hero,)]
    (folder / "Hero (World).zip").unlink()
    _write(folder / "Hero.gb", data, 1_900_000_000)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _where(db_path)[hero] == ("Hero.gb", 0)
    assert _rows(db_path, "SELECT count(*) FROM game_files WHERE game_id = ?", (hero,)) \
        == [(0,)]


def test_a_zip_of_two_members_is_not_the_loose_rom_it_holds(cli: Any, tmp_path: Path,
                                                           db_path: Path) -> None:
    """A zip holding the vanished file's data and something else is another file: added,
    the loose file's game missing."""
    folder, ids = _homebrew(cli, tmp_path, ["Hero (World).gb", "Other (World).gb"])
    data = (folder / "Hero (World).gb").read_bytes()
    _zip(folder / "Hero (World).zip", {"Hero (World).gb": data, "readme.gb": b"x" * 64})
    (folder / "Hero (World).gb").unlink()
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (0, 1, 1)
    assert _where(db_path)[ids["Hero (World).gb"]] == ("Hero (World).gb", 1)


def test_a_rom_zipped_with_its_notes_keeps_its_game_and_unzipped_again(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A ROM zipped with a readme and a cover (the common form of a downloaded set) is that
    ROM zipped (QA24 N5: it was a new game, the curated one missing): renamed, the ROM member
    keeping the SHA1 the loose file had; unzipped again (the notes left out), renamed back."""
    folder, ids = _homebrew(cli, tmp_path, ["Hero (World).gb", "Other (World).gb"])
    hero = ids["Hero (World).gb"]
    _curate(cli, hero)
    data = (folder / "Hero (World).gb").read_bytes()
    _zip(folder / "Hero (World).zip", {"Hero (World).gb": data, "readme.txt": b"hi",
                                       "docs/README.md": b"# notes", "cover.png": b"png"})
    (folder / "Hero (World).gb").unlink()
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _where(db_path)[hero] == ("Hero (World).zip", 0)
    assert _rows(db_path, "SELECT name, hex(sha1_bin) FROM game_files WHERE game_id = ? "
                 "AND sha1_bin IS NOT NULL", (hero,)) \
        == [("Hero (World).gb", hashlib.sha1(data).hexdigest().upper())]
    assert _kept(cli) == [(hero, "Hero (World).zip")]
    (folder / "Hero (World).zip").unlink()
    _write(folder / "Hero.gb", data, 1_900_000_000)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _where(db_path)[hero] == ("Hero.gb", 0)
    assert _sha1_of(db_path, hero) == hashlib.sha1(data).hexdigest()
    assert _kept(cli) == [(hero, "Hero.gb")]


def test_a_rom_zipped_beside_itself_then_deleted_moves_to_its_zip(cli: Any, tmp_path: Path,
                                                                   db_path: Path) -> None:
    """The careful way: the zip made and scanned first (a game of its own), the loose file
    deleted after: its game takes the zip over (as a copy moved to another disk does); a zip
    with curation of its own is named as the missing game's copy instead."""
    folder, ids = _homebrew(cli, tmp_path, ["Hero (World).gb", "Solo (World).gb", "x.gb"])
    hero, solo = ids["Hero (World).gb"], ids["Solo (World).gb"]
    _curate(cli, hero)
    for name in ("Hero (World)", "Solo (World)"):
        _zip(folder / f"{name}.zip", {f"{name}.gb": (folder / f"{name}.gb").read_bytes()})
    assert scan_json(cli)["added"] == 2
    solo_zip = _id_of(db_path, "Solo (World).zip")
    assert cli("collection", "add", "keep", str(solo_zip)).code == 0
    (folder / "Hero (World).gb").unlink()
    (folder / "Solo (World).gb").unlink()
    summary = scan_json(cli)
    assert [item["id"] for item in summary["moved_to_copies"]] == [hero]
    assert summary["missing_with_copies"] == [{"id": solo, "copies": [solo_zip]}]
    assert _where(db_path)[hero] == ("Hero (World).zip", 0)
    assert sorted(_kept(cli)) == [(hero, "Hero (World).zip"), (solo_zip, "Solo (World).zip")]
    assert _where(db_path)[solo] == ("Solo (World).gb", 1)


def test_a_missing_game_kept_apart_from_its_copy_names_which_game_is_the_copy(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA120 F2: said "(id 19: 2)", not which game was the copy."""
    folder, ids = _homebrew(cli, tmp_path, ["Solo (World).gb", "x.gb"])
    solo = ids["Solo (World).gb"]
    _zip(folder / "Solo (World).zip", {"Solo (World).gb": (folder / "Solo (World).gb")
                                       .read_bytes()})
    assert scan_json(cli)["added"] == 1
    solo_zip = _id_of(db_path, "Solo (World).zip")
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(solo_zip)).code == 0
    (folder / "Solo (World).gb").unlink()
    said = " ".join(cli("scan").out.split())
    assert (f"1 missing game has a present copy (game {solo}, its copy game {solo_zip}): the "
            "missing one stays, with any collections and overrides of theirs") in said, said
    # (review 122 F2; QA155 F11: --force said needed of a game with no curation)
    assert f"`romrunner games forget {solo}` forgets it (--force where curation" in said
    assert cli("games", "forget", str(solo)).code == 0


def test_a_rom_zipped_with_notes_beside_itself_then_deleted_moves_to_its_zip(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The careful way with a readme in the zip (QA24 N5): the loose file's game takes the zip
    over; a zip of two ROMs holding its data is no copy of it (it stays missing)."""
    folder, ids = _homebrew(cli, tmp_path, ["Hero (World).gb", "Duo (World).gb", "x.gb"])
    hero, duo = ids["Hero (World).gb"], ids["Duo (World).gb"]
    _curate(cli, hero)
    _zip(folder / "Hero (World).zip", {"Hero (World).gb": (folder / "Hero (World).gb")
                                       .read_bytes(), "Hero.nfo": b"release notes"})
    _zip(folder / "Duo (World).zip", {"Duo (World).gb": (folder / "Duo (World).gb")
                                      .read_bytes(), "Bonus (World).gb": b"b" * 2048})
    assert scan_json(cli)["added"] == 2
    (folder / "Hero (World).gb").unlink()
    (folder / "Duo (World).gb").unlink()
    summary = scan_json(cli)
    assert [item["id"] for item in summary["moved_to_copies"]] == [hero]
    assert summary["missing_with_copies"] == []
    assert _where(db_path)[hero] == ("Hero (World).zip", 0)
    assert _kept(cli) == [(hero, "Hero (World).zip")]
    assert _where(db_path)[duo] == ("Duo (World).gb", 1)


def test_a_verified_zip_unzipped_keeps_its_game_verified(cli: Any, tmp_path: Path,
                                                         db_path: Path) -> None:
    """A catalog game's zip, verified (`scan --verify`), unzipped: the loose file (hashed
    CRC32 first) is the game renamed, and keeps the SHA1 its member had."""
    data = rom_bytes(5, 32768)
    dats = tmp_path / "dats"
    dats.mkdir()
    (dats / "gb.dat").write_text(dat_text("Nintendo - Game Boy", {
        "Hero (World)": ("Hero (World).gb", data)}))
    assert cli("dat", "import", dats / "gb.dat").code == 0
    folder = tmp_path / "roms" / "GB"
    folder.mkdir(parents=True)
    _zip(folder / "Hero (World).zip", {"Hero (World).gb": data})
    _write(folder / "Other.gb", rom_bytes(6, 32768), 1_700_000_000)
    assert cli("library", "add", tmp_path / "roms").code == 0
    scan_json(cli, "--verify")
    hero = _id_of(db_path, "Hero (World).zip")
    (folder / "Hero (World).zip").unlink()
    _write(folder / "Hero (World).gb", data, 1_700_000_500)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["unverified"]) == (1, 0, 0)
    assert _sha1_of(db_path, hero) == hashlib.sha1(data).hexdigest()
    ((method,),) = _rows(db_path, "SELECT match_method FROM games WHERE id = ?", (hero,))
    assert method == "sha1"


def test_a_zip_renamed_then_scanned_with_verify_keeps_its_game(cli: Any, tmp_path: Path,
                                                               db_path: Path) -> None:
    """A zip read from its directory (no hashes of its own), renamed, then `scan --verify`
    (which hashes the zip in full): its members say it is the same zip; its game keeps its
    id and collection, and its old path is not said to be unverifiable."""
    folder = tmp_path / "roms" / "GB"
    folder.mkdir(parents=True)
    _zip(folder / "A.zip", {"A.gb": rom_bytes(8, 32768)})
    _write(folder / "Other.gb", rom_bytes(9, 32768), 1_700_000_000)
    assert cli("library", "add", tmp_path / "roms").code == 0
    scan_json(cli)
    game = _id_of(db_path, "A.zip")
    _curate(cli, game)
    (folder / "A.zip").rename(folder / "B.zip")
    summary = scan_json(cli, "--verify")
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert summary["errors"] == []
    assert _kept(cli) == [(game, "B.zip")]


def test_a_new_file_at_the_moved_files_old_path_is_a_new_game_not_the_overwritten_one(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA28 F1: after `mv a b`, b's game (its content nowhere) stood missing at a's old path;
    an unrelated file saved later as a.gb was taken for it "updated" — b's collection and
    --exclude went to the new file, b's hashes were lost. Now it is a new game, b's game
    stays missing with its curation, and b's content coming back (restored) finds it."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    _curate(cli, ids["b.gb"])
    b_content = (folder / "b.gb").read_bytes()
    (folder / "a.gb").replace(folder / "b.gb")
    assert scan_json(cli)["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    shown = cli("games", "show", str(ids["b.gb"]))
    assert "GB/b.gb (another game's file was moved onto it" in shown.out.replace("\n", "")
    as_json = cli("--json", "games", "show", str(ids["b.gb"])).json()["data"]
    assert (as_json["filepath"], as_json["overwritten"]) == ("GB/b.gb", True)  # (QA30 N6)
    _write(folder / "a.gb", rom_bytes(99, 20000), 1_700_009_000)  # unrelated, a's old name
    summary = scan_json(cli)
    assert (summary["added"], summary["updated"]) == (1, 0)
    assert _where(db_path)[ids["b.gb"]][1] == 1  # still missing, with its curation
    assert _kept(cli) == [(ids["b.gb"], "b.gb")]
    assert _rows(db_path, "SELECT count(*) FROM game_overrides WHERE game_id = ?",
                 (ids["b.gb"],)) == [(1,)]
    # both restored from a backup: each game follows its content back
    a_content = (folder / "b.gb").read_bytes()
    _write(folder / "a.gb", a_content, 1_700_009_500)
    _write(folder / "b.gb", b_content, 1_700_009_600)
    scan_json(cli)
    where = _where(db_path)
    assert where[ids["b.gb"]] == ("b.gb", 0) and where[ids["a.gb"]] == ("a.gb", 0)
    assert _sha1_of(db_path, ids["b.gb"]) == hashlib.sha1(b_content).hexdigest()


def test_forgetting_an_overwritten_game_needs_force(cli: Any, tmp_path: Path,
                                                   db_path: Path) -> None:
    """QA31 F2: after `mv a b`, `games forget --missing` forgot b's game without a word of
    its card copy — maybe the last copy of its content, which a deploy keeps only while the
    library remembers the game."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    (folder / "a.gb").replace(folder / "b.gb")
    assert scan_json(cli)["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    refused = cli("games", "forget", "--missing")
    assert refused.code == 2 and "had another game's file moved onto its" in refused.err
    assert _where(db_path)[ids["b.gb"]][1] == 1  # nothing forgotten
    assert cli("games", "forget", "--missing", "--force").code == 0
    assert ids["b.gb"] not in _where(db_path)


def _three_zips(cli: Any, tmp_path: Path, db_path: Path) -> tuple[Path, dict[str, int]]:
    """Zips a, b and c of one ROM each (sizes apart), scanned: their folder and games."""
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    for n, name in enumerate(["a.zip", "b.zip", "c.zip"]):
        _zip(folder / name, {f"rom{n}.gb": rom_bytes(40 + n, 4096 * (n + 1))})
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    scan_json(cli)
    return folder, {name: _id_of(db_path, name) for name in ("a.zip", "b.zip", "c.zip")}


def test_two_zips_that_swap_names_keep_their_games(cli: Any, tmp_path: Path,
                                                   db_path: Path) -> None:
    """QA38 F6: zips read from their directory have no hash of their own: swapped, each game
    stayed at its path and took the other's ROM, its curation with it ("2 updated")."""
    folder, ids = _three_zips(cli, tmp_path, db_path)
    _curate(cli, ids["a.zip"])
    _swap(folder / "a.zip", folder / "b.zip")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["missing"]) == (2, 0, 0)
    where = _where(db_path)
    assert (where[ids["a.zip"]], where[ids["b.zip"]]) == (("b.zip", 0), ("a.zip", 0))
    assert _kept(cli) == [(ids["a.zip"], "b.zip")]


def test_a_zip_moved_onto_another_takes_its_game_with_it(cli: Any, tmp_path: Path,
                                                         db_path: Path) -> None:
    """QA38 F6: `mv a.zip b.zip`: a's game is at b.zip; b's game, its ROM nowhere now, is
    missing with its curation (it was b's game that took a's ROM, b's curation with it)."""
    folder, ids = _three_zips(cli, tmp_path, db_path)
    _curate(cli, ids["b.zip"])
    (folder / "a.zip").replace(folder / "b.zip")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["missing"]) == (1, 0, 1)
    assert summary["overwritten"] == [{"id": ids["b.zip"], "by": ids["a.zip"]}]
    where = _where(db_path)
    assert where[ids["a.zip"]] == ("b.zip", 0) and where[ids["b.zip"]][1] == 1
    assert _kept(cli) == [(ids["b.zip"], where[ids["b.zip"]][0])]


def test_an_overwritten_games_content_back_under_another_name_is_its_game(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA38 F3: after `mv a b` (b's game missing, its curation kept), b's content restored
    from a backup under another name was a new game, b's curation left on the missing row
    (the README promises b's game again)."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb", "c.gb"])
    _curate(cli, ids["b.gb"])
    backup = (folder / "b.gb").read_bytes()
    (folder / "a.gb").replace(folder / "b.gb")
    assert scan_json(cli)["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    _write(folder / "b restored.gb", backup, 1_700_000_000)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["added"], summary["missing"]) == (1, 0, 0)
    assert _where(db_path)[ids["b.gb"]] == ("b restored.gb", 0)
    assert _kept(cli) == [(ids["b.gb"], "b restored.gb")]


def test_of_two_copies_vanished_in_one_scan_the_curated_one_takes_the_renamed_file(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA38 F13: the plain copy deleted and the curated one renamed in one scan: the renamed
    file went to the plain copy's row, the curated game left missing (its exclude lost)."""
    folder = tmp_path / "roms" / "GB"
    (folder / "Backup").mkdir(parents=True)
    data = rom_bytes(77, 32768)
    _write(folder / "Charlie.gb", data, 1_700_000_000)
    assert cli("library", "add", tmp_path / "roms").code == 0
    scan_json(cli)
    _write(folder / "Backup" / "Charlie.gb", data, 1_700_000_100)
    scan_json(cli)
    curated = int(_rows(db_path, "SELECT id FROM games WHERE filepath = "
                              "'GB/Backup/Charlie.gb'")[0][0])
    _curate(cli, curated)
    (folder / "Charlie.gb").unlink()
    (folder / "Backup" / "Charlie.gb").rename(folder / "Backup" / "Charlie2.gb")
    summary = scan_json(cli)
    assert (summary["renamed"], summary["missing"]) == (1, 1)
    assert _where(db_path)[curated] == ("Charlie2.gb", 0)
    assert _kept(cli) == [(curated, "Charlie2.gb")]


def _scan_interrupted_after(db_path: Path, files: int, monkeypatch: Any) -> None:
    """A scan (one file per committed batch) interrupted as its ``files``-th file comes: the
    batches before it are committed, the scan's end (following content) never runs."""
    def interrupt(done: int, *_: int) -> None:
        if done == files:
            raise KeyboardInterrupt

    db = Database(db_path)
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "BATCH_SIZE", 1)
        try:
            scan_module.scan_library(db, load_pack(), workers=1, progress=interrupt)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the scan was not interrupted")
        finally:
            db.close()


def test_files_swapped_then_a_scan_interrupted_still_keep_their_games(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """QA38 F12: a scan interrupted after it committed both swapped files' new content (the
    games follow only at its end): the next scan, which finds both files unchanged, follows."""
    folder, ids = _homebrew(cli, tmp_path, ["Alpha (USA).gb", "Beta (USA).gb"])
    alpha, beta = ids["Alpha (USA).gb"], ids["Beta (USA).gb"]
    alpha_sha1 = _sha1_of(db_path, alpha)
    _curate(cli, alpha)
    _swap(folder / "Alpha (USA).gb", folder / "Beta (USA).gb")
    for i in range(3):  # (examined after the two: the interruption comes at the first)
        _write(folder / f"Zeta {i}.gb", rom_bytes(10 + i, 32768), 1_700_100_000 + i)
    _scan_interrupted_after(db_path, 3, monkeypatch)
    assert _sha1_of(db_path, beta) == alpha_sha1  # committed: the rows hold the new content
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["added"], summary["missing"]) \
        == (2, 0, 3, 0)
    assert _where(db_path)[alpha] == ("Beta (USA).gb", 0)
    assert _where(db_path)[beta] == ("Alpha (USA).gb", 0)
    assert _sha1_of(db_path, alpha) == alpha_sha1
    assert _kept(cli) == [(alpha, "Beta (USA).gb")]
    assert _rows(db_path, "SELECT game_id FROM game_overrides") == [(alpha,)]
    assert _rows(db_path, "SELECT count(*) FROM scan_replaced") == [(0,)]
    again = scan_json(cli)
    assert (again["renamed"], again["updated"], again["followed_content"]) == (0, 0, [])


def test_a_file_moved_onto_another_then_a_scan_interrupted_still_takes_its_game(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """`mv a b`, a scan interrupted after b's new content was committed: the next scan moves
    a's game to b and leaves b's game missing with its curation, as one scan would."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    _curate(cli, ids["b.gb"])
    (folder / "a.gb").replace(folder / "b.gb")
    for i in range(3):
        _write(folder / f"z{i}.gb", rom_bytes(20 + i, 32768), 1_700_200_000 + i)
    _scan_interrupted_after(db_path, 2, monkeypatch)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["missing"]) == (1, 0, 1)
    assert summary["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    where = _where(db_path)
    assert where[ids["a.gb"]] == ("b.gb", 0)
    assert where[ids["b.gb"]][1] == 1
    assert _kept(cli) == [(ids["b.gb"], where[ids["b.gb"]][0])]


def test_a_scan_of_another_root_leaves_an_interrupted_scans_kept_rows_to_their_root(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """Review 21 R1: after the interrupted scan of `mv a b`, a scan of another root (or one
    that finds the root unmounted) dropped the kept rows: the next full scan lost the move."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    other = tmp_path / "other" / "GB"
    other.mkdir(parents=True)
    _write(other / "o.gb", rom_bytes(40, 32768), 1_700_300_000)
    assert cli("library", "add", tmp_path / "other").code == 0
    _curate(cli, ids["b.gb"])
    (folder / "a.gb").replace(folder / "b.gb")
    for i in range(3):
        _write(folder / f"z{i}.gb", rom_bytes(50 + i, 32768), 1_700_400_000 + i)
    _scan_interrupted_after(db_path, 2, monkeypatch)
    assert _rows(db_path, "SELECT count(*) FROM scan_replaced") == [(1,)]
    scan_json(cli, str(tmp_path / "other"))
    assert _rows(db_path, "SELECT count(*) FROM scan_replaced") == [(1,)]
    summary = scan_json(cli)
    assert summary["overwritten"] == [{"id": ids["b.gb"], "by": ids["a.gb"]}]
    assert _where(db_path)[ids["a.gb"]] == ("b.gb", 0)
    assert _rows(db_path, "SELECT count(*) FROM scan_replaced") == [(0,)]


def test_a_chain_of_moves_then_an_interrupted_scan_says_no_game_missing(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """Review 21 R9: `mv b c; mv a b`, the scan interrupted after it stored b's new content
    and c as a new game: the next scan put every game right but said b's game "is missing"
    (its `overwritten`), which it was not."""
    folder, ids = _homebrew(cli, tmp_path, ["a.gb", "b.gb"])
    _curate(cli, ids["b.gb"])
    (folder / "b.gb").rename(folder / "c.gb")
    (folder / "a.gb").rename(folder / "b.gb")
    for i in range(3):
        _write(folder / f"z{i}.gb", rom_bytes(60 + i, 32768), 1_700_500_000 + i)
    _scan_interrupted_after(db_path, 3, monkeypatch)
    summary = scan_json(cli)
    assert (summary["missing"], summary["overwritten"]) == (0, [])
    where = _where(db_path)
    assert where[ids["b.gb"]] == ("c.gb", 0) and where[ids["a.gb"]] == ("b.gb", 0)
    assert _kept(cli) == [(ids["b.gb"], "c.gb")]


def test_renamed_zips_sharing_their_largest_member_are_found_in_one_lookup_each(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA45 F6: zips each holding their own ROM and one larger file they all share (a pack's
    banner, a BIOS ROM): the lookup keyed by the largest member took every stored zip as a
    candidate and read each one's members — K² statements for a folder of K zips renamed.
    Keyed by the rarest member, one candidate per zip (counted, not timed)."""
    shared = os.urandom(8192)
    root = tmp_path / "lib"
    (root / "MAME").mkdir(parents=True)
    zips = 30
    for number in range(zips):
        with zipfile.ZipFile(root / "MAME" / f"g{number:03d}.zip", "w") as archive:
            archive.writestr("bios.rom", shared)
            archive.writestr(f"g{number:03d}.p1", os.urandom(1024))
    assert cli("library", "add", root).code == 0
    scan_json(cli)
    (root / "MAME").rename(root / "arcade")
    db = Database(db_path)
    try:
        with db.count_statements() as seen:
            summary = scan_module.scan_library(db, load_pack(), workers=1)
    finally:
        db.close()
    assert summary.renamed == zips
    members_read = [s for s in seen if s.startswith("SELECT file_size, ")
                    and "FROM game_files WHERE game_id = " in s]
    assert len(members_read) <= 2 * zips, len(members_read)


def test_dat_rm_counts_as_now_unidentified_only_the_games_it_identified(
        cli: Any, tmp_path: Path) -> None:
    """QA106 F2: a zip of three ROMs, one of which the DAT lists (a member matched, the game
    itself not), was counted among the games `dat rm` left "now unidentified"."""
    dats = tmp_path / "dats"
    dats.mkdir()
    data = {name: rom_bytes(i, 32768) for i, name in enumerate(["One (USA)", "Two (USA)"])}
    (dats / "gb.dat").write_text(dat_text("Nintendo - Game Boy", {
        name: (f"{name}.gb", blob) for name, blob in data.items()}))
    folder = tmp_path / "roms" / "GB"
    folder.mkdir(parents=True)
    _write(folder / "One (USA).gb", data["One (USA)"], 1_700_000_000)
    _zip(folder / "Pack.zip", {"Two (USA).gb": data["Two (USA)"],
                               "x.gb": rom_bytes(8, 32768), "y.gb": rom_bytes(9, 32768)})
    assert cli("library", "add", tmp_path / "roms").code == 0
    assert cli("dat", "import", dats / "gb.dat").code == 0
    scan_json(cli)
    removed = cli("--json", "dat", "rm", "Nintendo - Game Boy")
    assert removed.code == 0, removed.err
    assert removed.json()["data"]["unidentified"] == 1  # One (USA).gb; not the pack


def test_db_status_counts_the_files_known_by_their_crc32_only_in_words(
        cli: Any, tmp_path: Path) -> None:
    """QA109 F11: "1 file known by their CRC32 only"; QA141 F4: a file with its MD5 (a
    v1.0.0 database's) is not "known by its CRC32 only": what it lacks is its SHA1."""
    folder, _ = _two_catalog_games(cli, tmp_path)
    scan_json(cli)
    assert "not verified    2 files without their SHA1" in cli("db", "status").out
    (folder / "Two (USA).gb").unlink()
    scan_json(cli)
    assert "not verified    1 file without its SHA1" in cli("db", "status").out


def test_a_file_of_another_root_moved_onto_a_game_leaves_that_game_in_its_own_root(
        cli: Any, tmp_path: Path) -> None:
    """review46b F1: `mv A/GB/a.gb B/GB/x.gb`, both roots scanned: x's game, overwritten, was
    stored in root A — `games show` gave A/GB/x.gb, a file it never had, and `library rm A`
    forgot it with A's games."""
    folders = {name: tmp_path / name / "GB" for name in ("A", "B")}
    for seed, (name, file) in enumerate([("A", "a.gb"), ("A", "b.gb"), ("B", "x.gb"),
                                         ("B", "y.gb")]):
        folders[name].mkdir(parents=True, exist_ok=True)
        _write(folders[name] / file, rom_bytes(seed, 32768), 1_700_000_000 + seed * 100)
    for name in folders:
        assert cli("library", "add", tmp_path / name).code == 0
    assert scan_json(cli)["added"] == 4
    db_path = tmp_path / "library.db"
    x_id = _id_of(db_path, "x.gb")
    (folders["A"] / "a.gb").replace(folders["B"] / "x.gb")
    summary = scan_json(cli)
    assert summary["missing_files"] == [str(folders["B"] / "x.gb")]
    shown = cli("--json", "games", "show", str(x_id)).json()["data"]
    assert (shown["root"], shown["filepath"], shown["overwritten"]) == (
        str(tmp_path / "B"), "GB/x.gb", True)
    removed = cli("--json", "library", "rm", str(tmp_path / "A"))
    assert removed.code == 0, removed.err
    assert _where(db_path)[x_id][1] == 1  # (still there, missing: root B's game)
