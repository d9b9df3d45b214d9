"""Collector reports end to end: a real folder, a real DAT, scan, then have/miss, fixdat,
dupes and platforms; and the issue's "done when" walk through the README commands."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import pty
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from romrunner.catalog.datfile import read_dat
from romrunner.catalog.importer import import_dat
from romrunner.store.open import OpenMode, open_database
from tests.conftest import run_subprocess, writer_killed_before_rename
from tests.test_deploy_faults import tmpfs
from tests.test_store_atomic import fill

ROMS = {  # name in the DAT -> the bytes of its dump
    "Alpha Quest (USA)": b"alpha" * 1000,
    "Beta Racer (Japan)": b"beta" * 1200,
    "Gamma & <Delta> (Europe)": b"gamma" * 900,
    "Omega (USA)": b"omega" * 800,
}


def rom_line(name: str, data: bytes) -> str:
    return (f'\trom ( name "{name}.gb" size {len(data)} '
            f"crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} "
            f"sha1 {hashlib.sha1(data).hexdigest()} )")


def write_dat(path: Path) -> Path:
    blocks = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "20260101"\n)\n']
    for name, data in ROMS.items():
        blocks.append(f'game (\n\tname "{name}"\n\tdescription "{name}"\n'
                      f'\treleaseyear "1991"\n{rom_line(name, data)}\n)\n')
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


@pytest.fixture
def collection(tmp_path: Path, cli: Any) -> Path:
    """Alpha dumped twice (a duplicate), Beta's name on other bytes (a name guess), an
    unknown file, Gamma and Omega absent; scanned and identified."""
    root = tmp_path / "roms"
    folder = root / "gb"
    folder.mkdir(parents=True)
    (folder / "Alpha Quest (USA).gb").write_bytes(ROMS["Alpha Quest (USA)"])
    (folder / "copy of alpha.gb").write_bytes(ROMS["Alpha Quest (USA)"])
    (folder / "Beta Racer (Japan).gb").write_bytes(b"not the real dump" * 10)
    (folder / "Homebrew Thing (World).gb").write_bytes(b"homebrew" * 50)
    dat = write_dat(tmp_path / "gb.dat")
    assert cli("library", "add", str(root)).code == 0
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return tmp_path


def test_a_zip_holding_games_the_dat_lists_is_no_file_unmatched(collection: Path,
                                                                  cli: Any) -> None:
    """qa192 F11: a zip of several games, each member one the DAT lists, counted them had and
    the zip itself "unmatched on disk"."""
    with zipfile.ZipFile(collection / "roms" / "gb" / "two games.zip", "w") as archive:
        for name in ("Gamma & <Delta> (Europe)", "Omega (USA)"):
            archive.writestr(f"{name}.gb", ROMS[name])
    assert cli("scan", "--workers", "1").code == 0
    (report,) = cli("--json", "dat", "report").json()["data"]
    assert (report["have"], report["missing"]) == (3, 0)
    assert report["unmatched_on_disk"] == 1  # the homebrew file still, not the zip


def test_dat_report_counts_have_guessed_missing_unmatched(collection: Path, cli: Any) -> None:
    data = cli("--json", "dat", "report", "--missing").json()["data"]
    assert len(data) == 1
    report = data[0]
    assert (report["games"], report["have"], report["name_guessed"], report["missing"]) == \
        (4, 1, 1, 2)
    assert report["unmatched_on_disk"] == 1  # the homebrew file
    assert report["missing_games"] == ["Gamma & <Delta> (Europe)", "Omega (USA)"]
    text = cli("dat", "report", "Nintendo - Game Boy")
    assert text.code == 0 and "Nintendo" in text.out and "name-guessed" in text.out
    as_csv = cli("dat", "report", "--csv").out.splitlines()
    assert as_csv[0].startswith("name,platform_id") and as_csv[1].startswith(
        "Nintendo - Game Boy,gb,20260101,4,1,1,2,1,0")
    bad = cli("dat", "report", "No Such DAT")
    assert bad.code == 2 and "No Such DAT" in bad.err


def test_fixdat_round_trips_through_our_importer(collection: Path, cli: Any) -> None:
    out = collection / "fix.dat"
    result = cli("--json", "dat", "fixdat", "Nintendo - Game Boy", "-o", str(out))
    assert result.code == 0 and result.json()["data"]["games"] == 3
    parsed = read_dat(out)
    games = {game.name: game for game in parsed.games}
    # Missing games and the name guess (its data was never verified), with exact hashes.
    assert set(games) == {"Beta Racer (Japan)", "Gamma & <Delta> (Europe)", "Omega (USA)"}
    rom = games["Omega (USA)"].roms[0]
    assert rom.sha1 == hashlib.sha1(ROMS["Omega (USA)"]).hexdigest()
    assert rom.size == len(ROMS["Omega (USA)"])
    fresh = open_database(collection / "fresh.db", OpenMode.WRITE).db
    imported = import_dat(fresh, out, platform_id="gb")
    assert imported.games == 3 and imported.name == "Nintendo - Game Boy (fixdat)"
    fresh.close()
    again = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out))
    assert again.code == 2 and "already exists" in again.err
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out), "--force").code == 0
    unknown = cli("dat", "fixdat", "Nope", "-o", str(collection / "x.dat"))
    assert unknown.code == 2 and "Nope" in unknown.err
    assert not (collection / "x.dat").exists()


def test_a_killed_fixdat_leaves_its_temporary_file_to_the_next_fixdat_of_that_output(
        collection: Path, cli: Any) -> None:
    """qa198 F4: a fixdat killed while it wrote left ``.<output>.XXXXXXXX.tmp`` beside the
    user's output for good. The next fixdat to that output removes it (once no running one
    writes it), and no other file: neither the user's nor another output's."""
    out = collection / "fix.dat"
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            "sys.exit(main(['dat', 'fixdat', 'Nintendo - Game Boy', '-o', TARGET]))\n")
    with writer_killed_before_rename(out, code):
        (temporary,) = collection.glob(".fix.dat.*.tmp")
        assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out)).code == 0
        assert temporary.stat().st_size > 0  # (a fixdat writing it now: kept)
    assert temporary.exists()  # (as the killed fixdat left it)
    users = [collection / name for name in (
        ".fix.dat.tmp", ".fix.dat.my notes.tmp", "fix.dat.abcdefgh.tmp", ".fix.dat.abcdefgh.bak",
        ".fix.dat.original.tmp", ".fix.dat.abcdefgh.tmp",  # (review46b F8: not marked ours)
        ".other.dat.abcdefgh.tmp", ".fix.dat.abcdefgh.tmp.old")]
    for path in users:
        path.write_bytes(b"the user's")
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out), "--force").code == 0
    assert not temporary.exists() and read_dat(out).games
    assert all(path.read_bytes() == b"the user's" for path in users)


def test_a_fixdat_to_an_output_named_near_the_file_systems_limit_is_written(
        collection: Path, cli: Any) -> None:
    """review46e F2: an output name of 239 to 255 bytes left no room for the temporary
    file's mark: "cannot be written (File name too long)". A killed fixdat's temporary file
    of such a name is removed by the next one, and another long output's is not."""
    for size in (239, 241, 255):
        out = collection / ("f" * (size - len(".dat")) + ".dat")
        made = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out))
        assert made.code == 0, made.err
        assert read_dat(out).games
    assert not list(collection.glob(".*.tmp"))
    long = collection / ("é" * 125 + ".dat")  # (254 bytes, its letters of two)
    other = collection / ("é" * 125 + ".dax")
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            "sys.exit(main(['dat', 'fixdat', 'Nintendo - Game Boy', '-o', TARGET]))\n")
    with writer_killed_before_rename(other, code):
        pass
    with writer_killed_before_rename(long, code):
        pass
    left = sorted(collection.glob(".*.tmp"))
    assert len(left) == 2 and all(len(os.fsencode(path.name)) <= 255 for path in left)
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(long)).code == 0
    (kept,) = collection.glob(".*.tmp")  # (the other output's: not this one's to remove)
    assert kept in left and read_dat(long).games


def test_a_fixdat_keeps_headered_in_its_name_and_is_imported_back_under_its_platform(
        cli: Any, tmp_path: Path) -> None:
    """qa192 F13: the fixdat of the headered Lynx DAT was named "Atari - Lynx (fixdat)", as
    the header-less one's, and `dat import` of a fixdat said "maps to no platform"."""
    from tests.conftest import shared_path
    dats = shared_path("dats")
    for which, dat in (("headered", dats / "headered" / "Atari - Lynx.dat"),
                       ("headerless", dats / "no-intro" / "Atari - Lynx.dat")):
        assert cli("dat", "import", dat).code == 0
        out = tmp_path / f"{which}.dat"
        made = cli("--json", "dat", "fixdat", f"Atari - Lynx ({which})", "-o", out)
        assert made.code == 0, made.err
        name = "Atari - Lynx (headered) (fixdat)" if which == "headered" \
            else "Atari - Lynx (fixdat)"
        assert read_dat(out).header.name == name
        assert made.json()["data"]["name"] == name.removesuffix(" (fixdat)")
        back = cli("--json", "dat", "import", out)
        assert back.code == 0, back.err
        (result,) = back.json()["data"]["imports"]
        assert (result["name"], result["platform_id"], result["headered"]) == (
            name, "atari-lynx", which == "headered"), result


def test_dupes_and_platforms(collection: Path, cli: Any) -> None:
    dupes = cli("--json", "games", "dupes").json()["data"]
    assert len(dupes) == 1 and dupes[0]["copies"] == 2
    assert dupes[0]["verified"] is False  # identified by a unique CRC32 + size: SHA1 deferred
    assert cli("scan", "--verify").code == 0
    dupes = cli("--json", "games", "dupes").json()["data"]
    assert len(dupes) == 1 and dupes[0]["verified"] is True
    assert dupes[0]["key"] == hashlib.sha1(ROMS["Alpha Quest (USA)"]).hexdigest()
    assert dupes[0]["reclaimable"] == len(ROMS["Alpha Quest (USA)"])
    assert sorted(Path(f["path"]).name for f in dupes[0]["files"]) == [
        "Alpha Quest (USA).gb", "copy of alpha.gb"]
    plats = {p["platform_id"]: p for p in cli("--json", "platforms").json()["data"]}
    gb = plats["gb"]
    assert (gb["games"], gb["hash_matched"], gb["name_guessed"], gb["unidentified"],
            gb["missing"]) == (4, 2, 1, 1, 0)
    assert "reclaimable" in cli("games", "dupes").out


def test_done_when_walk(collection: Path, cli: Any) -> None:
    """The issue's walk: query, save it, have/miss, and why an emulator."""
    found = cli("--json", "games", "ls", "platform:gb", "match:name,none", "--sort",
                "-size").json()["data"]
    assert [g["filename"] for g in found["games"]] == ["Homebrew Thing (World).gb",
                                                       "Beta Racer (Japan).gb"]
    assert cli("collection", "create", "GB to check", "--query",
               "platform:gb match:name,none").code == 0
    shown = cli("--json", "collection", "show", "GB to check").json()["data"]
    assert shown["total"] == 2
    assert cli("--json", "games", "ls", "year:1991", "match:hash").json()["data"]["total"] == 2
    game_id = found["games"][0]["id"]
    why = cli("--json", "resolve", str(game_id)).json()["data"]
    assert why["emulator_origin"] in {"pack fallback", "none"}
    assert cli("override", "set", "--platform", "gb", "--emulator", "gambatte").code == 0
    why = cli("--json", "resolve", str(game_id)).json()["data"]
    assert (why["emulator_id"], why["emulator_origin"]) == ("retroarch-gambatte",
                                                           "platform override")


# -- per-platform counters (migration 14) -------------------------------------------------------
_AGGREGATE = (
    "SELECT platform_id, count(*), "
    "coalesce(sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks') "
    "OR match_method = 'user'), 0), coalesce(sum(match_method = 'name'), 0), "
    "coalesce(sum(matched_game_id IS NULL AND format IS NOT 'm3u'), 0), "
    "coalesce(sum(is_missing), 0) FROM games GROUP BY platform_id ORDER BY platform_id")
_METHODS = (None, "sha1", "md5", "crc32", "tracks", "user", "name")


def _aggregate(db: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.query(_AGGREGATE)]


def _counters(db: Any) -> list[tuple[Any, ...]]:
    from romrunner.library.reports import platform_counts

    return [(c.platform_id, c.games, c.hash_matched, c.name_guessed, c.unidentified,
             c.missing) for c in platform_counts(db)]


def _add_games(db: Any, rng: Any, root: int, first: int, count: int, *,
               v13: bool = False) -> None:
    """Random games; ``v13``: into a schema before v1.3.0, whose rows store a filename."""
    rows = []
    for n in range(first, first + count):
        method = rng.choice(_METHODS)
        matched = None if method is None and rng.random() < 0.8 else f"cat:{n}"
        rows.append((n, root, f"f{n}", *([f"f{n}"] if v13 else []),
                     rng.choice(["nes", "snes", "gb", "n64"]),
                     f"t {n}", method, matched, int(rng.random() < 0.2),
                     # (a library's own playlist is no unidentified game: migration 21)
                     None if v13 else rng.choice([None, "sfc", "m3u"])))
    filename = ", filename" if v13 else ""
    db.executemany(f"INSERT INTO games (id, root_id, filepath{filename}, file_size, "
                   "platform_id, title_norm, match_method, matched_game_id, is_missing, "
                   f"format) VALUES (?, ?, ?{', ?' if v13 else ''}, 1, ?, ?, ?, ?, ?, ?)", rows)


def test_migration_14_fills_the_counters_from_a_version_13_library(tmp_path: Path) -> None:
    import random

    from romrunner.store import Database
    from romrunner.store.migrate import current_version, migrate
    from tests.test_migrations import index_games_before_v24

    db = Database(tmp_path / "v13.db")
    migrate(db, target=13)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        _add_games(db, random.Random(3), 1, 1, 300, v13=True)
        index_games_before_v24(db)
    before = _aggregate(db)
    migrate(db, target=16)  # through the lean row (14) and the knowledge keys (15)
    assert current_version(db) == 16
    assert _counters(db) == before and len(before) == 4 and sum(r[1] for r in before) == 300


def test_counters_stay_the_aggregate_through_inserts_updates_and_deletes(
        tmp_path: Path) -> None:
    """Random batches of every kind of change, a removed library root included; after
    each, the counters are exactly the GROUP BY they replace, and a platform without games
    is gone from the report."""
    import random

    from romrunner.library.roots import remove_root
    from romrunner.search.index import index_games

    rng = random.Random(11)
    db = open_database(tmp_path / "lib.db", OpenMode.WRITE).db
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/a'), (2, '/b')")
        _add_games(db, rng, 1, 1, 200)
        _add_games(db, rng, 2, 201, 100)
        index_games(db, 1)
    assert _counters(db) == _aggregate(db)
    updates = [
        "UPDATE games SET platform_id = ? WHERE id % 7 = ?",
        "UPDATE games SET match_method = ? WHERE id % 5 = ?",
        "UPDATE games SET matched_game_id = CASE WHEN matched_game_id IS NULL THEN 'x' "
        "ELSE NULL END WHERE id % 6 = ? AND ? IS NOT NULL",
        "UPDATE games SET is_missing = 1 - is_missing WHERE id % 4 = ? AND ? IS NOT NULL",
        "UPDATE games SET detected_title = 'renamed' WHERE id % 3 = ? AND ? IS NOT NULL",
    ]
    next_id = 1000
    for round_number in range(12):
        with db.atomic():
            sql = updates[round_number % len(updates)]
            if "platform_id" in sql.split("SET")[1].split("WHERE")[0]:
                db.execute(sql, (rng.choice(["nes", "gba", "psx"]), rng.randrange(7)))
            elif "match_method = ?" in sql:
                db.execute(sql, (rng.choice(_METHODS), rng.randrange(5)))
            else:
                db.execute(sql, (rng.randrange(3), 1))
            db.execute("DELETE FROM games WHERE id % 11 = ? AND root_id = 1",
                       (rng.randrange(11),))
            _add_games(db, rng, 1, next_id, 20)
            index_games(db, next_id)
            next_id += 20
        assert _counters(db) == _aggregate(db), round_number
    remove_root(db, Path("/b"))
    with db.atomic():
        db.execute("DELETE FROM games WHERE platform_id = 'psx'")
    assert _counters(db) == _aggregate(db)
    assert "psx" not in {row[0] for row in _counters(db)}
    assert int(db.scalar("SELECT count(*) FROM platform_counts WHERE games <= 0")) == 0


def test_roms_inside_a_multi_rom_zip_count_as_had(collection: Path, cli: Any) -> None:
    """QA3 F-H: a member of a multi-ROM zip matched by hash (``games show`` says so) is
    "have" in the report and left out of the fixdat; once the zip is missing, it is not."""
    import zipfile
    pack = collection / "roms" / "gb" / "Multi pack.zip"
    with zipfile.ZipFile(pack, "w") as archive:
        archive.writestr("Omega (USA).gb", ROMS["Omega (USA)"])
        archive.writestr("readme.gb", b"not a game" * 30)
    assert cli("scan", "--workers", "1").code == 0
    report = cli("--json", "dat", "report", "--missing").json()["data"][0]
    assert (report["have"], report["missing"]) == (2, 1)
    assert report["missing_games"] == ["Gamma & <Delta> (Europe)"]
    out = collection / "fix.dat"
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out)).code == 0
    assert {game.name for game in read_dat(out).games} == {
        "Beta Racer (Japan)", "Gamma & <Delta> (Europe)"}

    pack.unlink()
    assert cli("scan", "--workers", "1").code == 0
    report = cli("--json", "dat", "report").json()["data"][0]
    assert (report["have"], report["missing"]) == (1, 2)


def test_a_zip_of_one_rom_is_a_copy_of_the_loose_rom(tmp_path: Path, cli: Any) -> None:
    """`Game.zip` beside `Game.gb` holding the same bytes: a duplicate set, before and after
    `scan --verify`; a zip of two ROMs is not a copy of either; keeping the smaller copy is
    what the reclaimable bytes count."""
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    alpha, beta = ROMS["Alpha Quest (USA)"], ROMS["Beta Racer (Japan)"]
    (folder / "Alpha Quest (USA).gb").write_bytes(alpha)
    with zipfile.ZipFile(folder / "Alpha Quest (USA).zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Alpha Quest (USA).gb", alpha)
    (folder / "Alpha again.zip").write_bytes((folder / "Alpha Quest (USA).zip").read_bytes())
    with zipfile.ZipFile(folder / "Pack.zip", "w") as z:  # two ROMs: a pack, not a copy
        z.writestr("Alpha Quest (USA).gb", alpha)
        z.writestr("Beta Racer (Japan).gb", beta)
    with zipfile.ZipFile(folder / "Beta copy.zip", "w") as z:
        z.writestr("b.gb", beta)
    with zipfile.ZipFile(folder / "Beta again.zip", "w") as z:
        z.writestr("beta.gb", beta)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("dat", "import", str(write_dat(tmp_path / "gb.dat"))).code == 0
    for verify in ((), ("--verify",)):
        assert cli("scan", "--workers", "1", *verify).code == 0
        shown = cli("--json", "games", "dupes").json()
        dupes = shown["data"]
        hinted = any("scan --verify" in warning for warning in shown["warnings"])
        assert hinted is not bool(verify)  # CRC32-only copies are said to be compared later
        names = sorted(sorted(Path(f["path"]).name for f in d["files"]) for d in dupes)
        # One set for Alpha, though --verify hashes the two identical zips as files too.
        assert names == [["Alpha Quest (USA).gb", "Alpha Quest (USA).zip", "Alpha again.zip"],
                         ["Beta again.zip", "Beta copy.zip"]]
        alpha_set = next(d for d in dupes
                         if any(f["path"].endswith(".gb") for f in d["files"]))
        zipped = (folder / "Alpha Quest (USA).zip").stat().st_size
        assert alpha_set["reclaimable"] == len(alpha) + 2 * zipped - min(len(alpha), zipped)
        assert alpha_set["verified"] is bool(verify)  # CRC32 + size only until --verify


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed its end of the pty
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_control_characters_in_a_dat_give_well_formed_fixdat_and_exact_csv(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    """QA10 F6: a DAT's names with control characters. The fixdat is well-formed XML (what XML
    cannot hold written as U+FFFD, the values named in a warning and exact in --json) and
    our own importer takes it back; `dat report --missing --csv` to a file or a pipe holds the
    exact names, and on a terminal shows the escapes."""
    evil = tmp_path / "evil.dat"
    evil.write_bytes(b'clrmamepro (\n name "Nintendo - Game Boy"\n version "1\x1b[2J"\n)\n'
                     b'game (\n name "Bell\x07 (USA)"\n rom ( name "b\tc.gb" size 32768 '
                     b'crc 12345679 )\n)\n'
                     b'game (\n name "Fine & <Good> (USA)"\n rom ( name "f.gb" size 4 '
                     b'crc 0000000A )\n)\n')
    assert cli("dat", "import", str(evil)).code == 0
    fixdat = tmp_path / "fix.dat"
    done = cli("--json", "dat", "fixdat", "Nintendo - Game Boy", "-o", str(fixdat))
    assert done.code == 0, done.err
    assert done.json()["data"]["replaced"] == ["1\x1b[2J", "Bell\x07 (USA)"]
    assert any("2 names held control characters" in w and "Bell\\x07 (USA)" in w
               for w in done.json()["warnings"])
    text = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(fixdat), "--force")
    assert text.code == 0 and "\x07" not in text.err and "Bell\\x07 (USA)" in text.err
    ElementTree.parse(fixdat)  # well-formed
    parsed = {game.name: game for game in read_dat(fixdat).games}
    assert set(parsed) == {"Bell\ufffd (USA)", "Fine & <Good> (USA)"}
    assert parsed["Bell\ufffd (USA)"].roms[0].name == "b\tc.gb"  # a tab is kept exactly
    again = cli("dat", "import", str(fixdat), "--platform", "gb")
    assert again.code == 0, again.err
    # the CSV: exact through a pipe, escaped on a terminal
    args = ("--db", str(db_path), "dat", "report", "Nintendo - Game Boy", "--missing", "--csv")
    piped = run_subprocess(*args)
    assert piped.code == 0, piped.err
    assert list(csv.reader(io.StringIO(piped.out)))[1:] == [
        ["Nintendo - Game Boy", "Bell\x07 (USA)", "all"],
            ["Nintendo - Game Boy", "Fine & <Good> (USA)", "all"]]
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", *args],
                            stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    shown = _read_all(leader).decode()
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    assert "Bell\\x07 (USA)" in shown and "\x07" not in shown


def test_migration_21_counts_a_playlist_as_no_unidentified_game(tmp_path: Path) -> None:
    """QA12 F7: a set's own .m3u (its discs identified) was one of the platform's
    "unidentified"; migration 21 counts the library again without it."""
    import random

    from romrunner.store import Database
    from romrunner.store.migrate import LATEST_VERSION, migrate
    from tests.test_migrations import index_games_before_v24

    db = Database(tmp_path / "v20.db")
    migrate(db, target=20)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        _add_games(db, random.Random(5), 1, 1, 300)
        index_games_before_v24(db)
    playlists = db.scalar("SELECT count(*) FROM games WHERE format = 'm3u' "
                          "AND matched_game_id IS NULL")
    assert playlists > 0
    stale = sum(c[4] for c in _counters(db))
    migrate(db, target=LATEST_VERSION)
    assert _counters(db) == _aggregate(db)
    assert sum(c[4] for c in _counters(db)) == stale - playlists


def test_a_sets_own_playlist_is_no_unidentified_game_in_the_scan_or_platforms(
        cli: Any, tmp_path: Path) -> None:
    import hashlib
    import zlib

    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    lines = ['clrmamepro (\n\tname "Sony - PlayStation"\n)\n']
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        data = hashlib.sha256(name.encode()).digest() * 2000
        (root / f"{name}.bin").write_bytes(data)
        (root / f"{name}.cue").write_text(
            f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
        lines.append(f'game (\n\tname "{name}"\n\trom ( name "{name}.bin" size {len(data)} '
                     f'crc {zlib.crc32(data):08x} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    (root / "Saga (USA).m3u").write_text("Saga (USA) (Disc 1).cue\nSaga (USA) (Disc 2).cue\n")
    (tmp_path / "psx.dat").write_text("".join(lines))
    assert cli("dat", "import", str(tmp_path / "psx.dat")).code == 0
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    for _ in range(2):  # the first scan, and a rescan of the unchanged files
        scanned = cli("--json", "scan", "--workers", "1").json()["data"]
        assert (scanned["identified"], scanned["unidentified"]) == (2, 0), scanned
    (psx,) = cli("--json", "platforms").json()["data"]
    assert (psx["games"], psx["hash_matched"], psx["unidentified"]) == (3, 2, 0)
    # the query and the built-in collection say what the counts say (QA15)
    assert cli("--json", "games", "ls", "match:none").json()["data"]["games"] == []
    unidentified = cli("--json", "collection", "show", "unidentified").json()["data"]
    assert unidentified["games"] == []
    (report,) = cli("--json", "dat", "report").json()["data"]
    assert report["unmatched_on_disk"] == 0  # (QA16: the playlist was "unmatched on disk")


def test_a_headered_and_a_headerless_dat_of_one_name_are_each_named(
        cli: Any, tmp_path: Path) -> None:
    """QA28 F10: with both Lynx DATs imported, `dat fixdat "Atari - Lynx"` wrote the
    header-less one's fixdat without a word, and the headered one had no name."""
    from tests.conftest import shared_path
    dats = shared_path("dats")
    for dat in (dats / "no-intro" / "Atari - Lynx.dat", dats / "headered" / "Atari - Lynx.dat"):
        assert cli("dat", "import", dat).code == 0
    both = cli("dat", "fixdat", "Atari - Lynx", "-o", tmp_path / "both.dat")
    assert both.code == 2 and "'Atari - Lynx (headered)'" in both.err
    assert not (tmp_path / "both.dat").exists()
    written = {}
    for which in ("headered", "headerless"):
        out = tmp_path / f"{which}.dat"
        made = cli("--json", "dat", "fixdat", f"Atari - Lynx ({which})", "-o", out)
        assert made.code == 0, made.err
        written[which] = out.read_text(encoding="utf-8").count("<game ")
    assert written["headered"] != written["headerless"] and min(written.values()) > 0
    reported = cli("--json", "dat", "report", "Atari - Lynx (headered)")
    assert reported.code == 0 and len(reported.json()["data"]) == 1
    for which in ("headered", "headerless"):  # (a query names them so too: QA155 F4)
        listed = cli("--json", "games", "ls", f'dat:"Atari - Lynx ({which})"')
        assert listed.code == 0, listed.err
    # (QA70 F9: the CSV named both "Atari - Lynx", each missing game twice the same)
    import csv
    rows = list(csv.reader(cli("dat", "report", "--csv").out.splitlines()))
    assert sorted(row[0] for row in rows[1:]) == ["Atari - Lynx (headered)",
                                                  "Atari - Lynx (headerless)"]
    missing = cli("dat", "report", "--missing", "--csv").out.splitlines()
    assert len(missing) == len(set(missing)) > 2
    # (QA109 F2: `dat rm` took both, and refused the name report and fixdat take for one)
    removed = cli("--json", "dat", "rm", "atari - lynx (Headered)")  # (any case: review 110)
    assert removed.code == 0, removed.err
    assert [(r["name"], r["headered"]) for r in removed.json()["data"]["removed"]] == [
        ("Atari - Lynx", True)]
    left = cli("--json", "dat", "ls").json()["data"]
    assert [(d["name"], d["headered"]) for d in left] == [("Atari - Lynx", False)]


def test_a_fixdat_on_a_full_disk_leaves_nothing_and_a_written_one_is_readable(
        collection: Path, cli: Any, tmp_path: Path) -> None:
    """QA32 F3: `dat fixdat -o` on a full volume failed in one line but left its hidden
    temporary file, holding the space it took (one more per retry); and every fixdat was
    0600, unreadable to the igir or clrmamepro of another account or a share."""
    with tmpfs(tmp_path / "small", "1m") as small:
        fill(small)
        failed = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(small / "fix.dat"))
        assert failed.code == 2 and "fix.dat: cannot be written" in failed.err, failed.err
        assert sorted(p.name for p in small.iterdir()) == ["filler"]
    out = collection / "fix.dat"
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out)).code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_dupes_never_counts_one_file_reached_by_two_paths_as_a_copy(
        cli: Any, tmp_path: Path) -> None:
    """QA124 F1: one file under two paths — a hard link, or one NAS folder mounted twice —
    was "2 copies, reclaimable": deleting the "copy" of a folder mounted twice deletes the only
    one. A real copy beside them still counts."""
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    data = b"\x5a" * 8192
    original = root / "Alpha (USA).gb"
    original.write_bytes(data)
    os.link(original, root / "Alpha (USA) link.gb")
    for n in range(3):  # (review 126 F4: one-file sets, larger, filled --limit and hid the
        other = root / f"Other {n} (USA).gb"  # real duplicate)
        other.write_bytes(bytes([n]) * 65536)
        os.link(other, root / f"Other {n} link.gb")
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("--json", "games", "dupes").json()["data"] == []  # (hard links: no copies)
    assert "no duplicates" in cli("games", "dupes").out
    (root / "Alpha (USA) copy.gb").write_bytes(data)
    assert cli("scan", "--workers", "1").code == 0
    (both,) = cli("--json", "games", "dupes", "--limit", "1").json()["data"]
    assert (both["copies"], both["reclaimable"]) == (2, len(data)), both
    linked = [f for f in both["files"] if "same_file_as" in f]
    assert len(both["files"]) == 3 and [f["hard_link"] for f in linked] == [True], both
    text = cli("games", "dupes").out
    assert "2 copies under 3 paths" in text and "removing it frees nothing" in text, text
    mount = tmp_path / "mounted"
    mount.mkdir()
    # (added before the mount: `library add` refuses a root's folder by another path since
    # qa206 F3 — a share mounted there later is what the scan and dupes still meet)
    assert cli("library", "add", str(mount)).code == 0
    if subprocess.run(["mount", "--bind", str(root), str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount --bind is not allowed here (the bind-mounted case needs it)")
    try:
        scanned = cli("--json", "scan", "--workers", "1")
        said = [e for e in scanned.json()["data"]["errors"] if "by another path" in e["error"]]
        assert [e["path"] for e in said] == [str(root)], scanned.out
        assert f"is the library root {mount} by another path" in said[0]["error"]
        (sets,) = cli("--json", "games", "dupes").json()["data"]
        assert (sets["copies"], sets["reclaimable"]) == (2, len(data)), sets
        twice = [f for f in sets["files"] if str(mount) in f["path"]]
        assert len(twice) == 3 and all("same_file_as" in f for f in twice), twice
        assert "deleting it deletes both" in cli("games", "dupes").out
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_dupes_knows_one_file_of_a_name_that_is_not_utf8_under_two_paths(
        cli: Any, tmp_path: Path) -> None:
    """qa182 F3: a hard link (or a folder mounted twice) of a file named in Latin-1 bytes was
    "2 copies, reclaimable" — its stored name, escaped, was looked up as it reads — while
    every UTF-8 name under two paths was known as one file."""
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    original = os.path.join(os.fsencode(root), b"Caf\xe9 (France).gb")
    with open(original, "wb") as handle:
        handle.write(b"\x5a" * 8192)
    os.link(original, os.path.join(os.fsencode(root), b"Caf\xe9 (France) link.gb"))
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert len(cli("--json", "games", "ls").json()["data"]["games"]) == 2
    assert cli("--json", "games", "dupes").json()["data"] == []


def test_a_root_mounted_inside_another_root_is_said_by_the_scan(
        cli: Any, tmp_path: Path) -> None:
    """Review 128 F1: a root bind-mounted into a folder of another root was never said (the
    mount point's directory entry holds the inode of the folder under the mount), its files
    games twice."""
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    (outer / "gb" / "more").mkdir(parents=True)
    (inner / "gb").mkdir(parents=True)
    (outer / "gb" / "A (USA).gb").write_bytes(b"\x01" * 4096)
    (inner / "gb" / "B (USA).gb").write_bytes(b"\x02" * 4096)
    assert cli("library", "add", str(outer)).code == 0
    assert cli("library", "add", str(inner)).code == 0
    point = outer / "gb" / "more"
    if subprocess.run(["mount", "--bind", str(inner), str(point)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount --bind is not allowed here")
    try:
        scanned = cli("--json", "scan", "--workers", "1")
        said = [e for e in scanned.json()["data"]["errors"] if "by another path" in e["error"]]
        assert [e["path"] for e in said] == [str(point)], scanned.out
        assert f"is the library root {inner} by another path" in said[0]["error"]
    finally:
        subprocess.run(["umount", str(point)], capture_output=True)


def test_dupes_cut_at_its_limit_says_the_librarys_whole(cli: Any, tmp_path: Path) -> None:
    """QA134 F1: `games dupes` summed the sets it showed (its --limit) as if they were the
    library's: "100 duplicate sets, 166.0 KiB reclaimable" of 1,627 sets and 1.3 MiB."""
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    sizes = {"a": 4096, "b": 8192, "c": 16384}
    for name, size in sizes.items():
        data = hashlib.sha256(name.encode()).digest() * (size // 32)
        for copy in ("one", "two"):
            (root / "gb" / f"{name} {copy}.gb").write_bytes(data)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--verify", "--workers", "1").code == 0
    cut = cli("games", "dupes", "--limit", "1")
    assert cut.code == 0
    whole = sum(sizes.values())
    assert "give 3 duplicate sets in all, 28.0 KiB reclaimable" in cut.err, cut.err
    assert whole == 28 * 1024
    assert "1 duplicate set shown, 16.0 KiB reclaimable" in cut.out
    every = cli("games", "dupes")
    assert "3 duplicate sets, 28.0 KiB reclaimable" in every.out and "in all" not in every.err
    data = cli("--json", "games", "dupes", "--limit", "1").json()
    assert len(data["data"]) == 1 and any("3 duplicate sets in all" in w
                                          for w in data["warnings"])


def test_two_copies_of_an_archive_of_several_roms_are_duplicates(cli: Any,
                                                                 tmp_path: Path) -> None:
    """QA133 F6: an archive of several members was grouped by its own SHA1, which only `scan
    --full` computes: two copies of a neogeo.zip (one stored, one compressed here: the same
    ROMs) were no duplicates, even after `scan --verify`. Another set of members is none."""
    root = tmp_path / "lib" / "arcade"
    root.mkdir(parents=True)
    roms = {f"rom{n}.bin": hashlib.sha256(bytes([n])).digest() * 256 for n in range(3)}
    for name, method in (("one.zip", zipfile.ZIP_STORED), ("two.zip", zipfile.ZIP_DEFLATED)):
        with zipfile.ZipFile(root / name, "w", method) as archive:
            for member, data in roms.items():
                archive.writestr(member, data)
    with zipfile.ZipFile(root / "other.zip", "w") as archive:  # two of the three: no copy
        for member in ("rom0.bin", "rom1.bin"):
            archive.writestr(member, roms[member])
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan", "--verify", "--workers", "1").code == 0
    (found,) = cli("--json", "games", "dupes").json()["data"]
    assert sorted(Path(f["path"]).name for f in found["files"]) == ["one.zip", "two.zip"]
    assert found["key"].startswith("members:") and found["verified"] is True
    sizes = sorted((root / name).stat().st_size for name in ("one.zip", "two.zip"))
    assert found["reclaimable"] == sizes[1]
