"""How `games find ARCHIVE` reads a download's zip or 7z (review50d F3-F5): a zip from its
directory, a member unpacked only when its stated CRC32 and size are data the library holds
(or it has a header), so a small zip that unpacks hugely is answered at once; an archive
whose members cannot be read (encrypted, damaged) is said so, not answered "no game holds
this data"; a 7z is unpacked once; and its members are looked up together, not one query
(or more) each."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import py7zr
import pytest

from romrunner.library import containers, games
from romrunner.regularfile import open_regular
from romrunner.store.database import Database
from tests.chdbuild import chd

NES_HEADER = b"NES\x1a" + bytes([2, 1, 0, 0]) + bytes(8)


def _payload(seed: str, size: int = 16384) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


def _scanned(cli: Any, root: Path) -> None:
    """The library of the folder holding ``root`` (a platform's folder), scanned."""
    for args in (("library", "add", root.parent), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args


def _zip_library(cli: Any, tmp_path: Path, folder: str, name: str,
                 members: dict[str, bytes]) -> None:
    """A library holding one zip, ``folder/name``, of ``members``."""
    root = tmp_path / "roms" / folder
    root.mkdir(parents=True)
    _zip(root / name, members)
    _scanned(cli, root)


def _library(cli: Any, tmp_path: Path) -> None:
    """A library holding ``Quest (USA).gb`` loose."""
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    (root / "Quest (USA).gb").write_bytes(_payload("quest"))
    _scanned(cli, root)


def _zip(path: Path, members: dict[str, bytes] | list[tuple[str, bytes]],
         compression: int = zipfile.ZIP_DEFLATED, *, zeros: tuple[str, ...] = ()) -> Path:
    """A zip of ``members`` (given as pairs, a name may come twice), then a member of each
    name of ``zeros`` holding 48 MiB of zeros (written a MiB at a time: a zip under 1 MiB)."""
    pairs = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", compression) as archive:
        warnings.simplefilter("ignore")  # (zipfile warns of a name written twice)
        for name, data in pairs:
            archive.writestr(name, data)
        for name in zeros:
            with archive.open(name, "w") as member:
                for _ in range(48):
                    member.write(bytes(1 << 20))
    return path


def _unpacked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the zip members read in full from now on, in order."""
    unpacked: list[str] = []
    hashed = containers._hashed_member

    def spy(archive: zipfile.ZipFile, path: Any, info: zipfile.ZipInfo) -> Any:
        unpacked.append(info.filename)
        return hashed(archive, path, info)

    monkeypatch.setattr(containers, "_hashed_member", spy)
    return unpacked


def test_a_zip_that_unpacks_hugely_is_answered_from_its_directory(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # F4: every member was unpacked in full, unbounded (a 2 MB zip of zeros: 51 s)
    _library(cli, tmp_path)
    unpacked = _unpacked(monkeypatch)
    bomb = _zip(tmp_path / "bomb.zip", {"Quest (USA).gb": _payload("quest")},
                zeros=("Big (USA).gb",))
    assert bomb.stat().st_size < 1 << 20
    result = cli("games", "find", bomb)
    assert result.code == 1, result.out + result.err
    assert "1 of its 2 members (Big (USA).gb) is held by none" in result.out, result.out
    assert "Quest (USA).gb by game" in result.out
    # the member the library may hold (its stated CRC32 and size are data it has) was read
    # to be sure of it; the other cannot be held, whatever it unpacks to: never unpacked
    assert unpacked == ["Quest (USA).gb"]

    unpacked.clear()
    alone = _zip(tmp_path / "alone.zip", {}, zeros=("Big (USA).gb",))
    result = cli("games", "find", alone)
    assert result.code == 1 and "no game in the library holds this data" in result.out
    assert unpacked == []


def _damaged(path: Path, name: str, data: bytes, at: int) -> Path:
    """A stored zip of one member whose byte ``at`` is not what its directory states (its
    CRC32 kept): read in full, the zip is found damaged; past its first 512 bytes, only
    then."""
    _zip(path, {name: data}, zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    raw[raw.index(data) + at] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


def _encrypted(path: Path, data: bytes) -> Path:
    """A stored zip of one member marked encrypted (zipfile cannot write one)."""
    _zip(path, {"Quest (USA).gb": data}, zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature) + flags_at
        raw[at:at + 2] = struct.pack("<H", struct.unpack("<H", raw[at:at + 2])[0] | 1)
    path.write_bytes(bytes(raw))
    return path


def test_an_encrypted_or_damaged_archive_is_said_unreadable_not_unheld(
        cli: Any, tmp_path: Path) -> None:
    # F5: each was answered "no game in the library holds this data", exit 1
    _library(cli, tmp_path)
    locked = _encrypted(tmp_path / "locked.zip", _payload("quest"))
    damaged = _damaged(tmp_path / "damaged.zip", "Quest (USA).gb", _payload("quest"), 100)
    sealed = tmp_path / "sealed.7z"
    with py7zr.SevenZipFile(sealed, "w", password="secret") as archive:
        archive.writestr(_payload("quest"), "Quest (USA).gb")
    for path, why in ((locked, "zip is encrypted"), (damaged, "the zip is damaged"),
                      (sealed, "7z is encrypted")):
        result = cli("games", "find", path)
        assert result.code == 2, (path, result.out, result.err)
        assert "no game in the library holds this data" not in result.out + result.err
        assert f"{path}: " in result.err and why in result.err, result.err
        assert "its members' data could not be looked up" in result.err
        failed = cli("--json", "games", "find", path)
        assert failed.code == 2 and failed.json()["ok"] is False
        assert why in failed.json()["errors"][0]
    # the same ROM in a good zip is held, as before
    good = _zip(tmp_path / "good.zip", {"Quest (USA).gb": _payload("quest")})
    assert cli("games", "find", good).code == 0


def test_a_7z_is_unpacked_once(cli: Any, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    # F3: unpacked to look up its members as the library's archives', then again to look
    # up each member's data
    _library(cli, tmp_path)
    calls: list[Path] = []
    unpack = games.hash_7z_members

    def counted(path: Path, *opened: Any) -> Any:
        calls.append(path)
        return unpack(path, *opened)

    monkeypatch.setattr(games, "hash_7z_members", counted)
    seven = tmp_path / "Quest.7z"
    with py7zr.SevenZipFile(seven, "w") as archive:
        archive.writestr(_payload("quest"), "Quest (USA).gb")
        archive.writestr(_payload("new"), "New (USA).gb")
    result = cli("games", "find", seven)
    assert result.code == 1 and "(New (USA).gb) is held by none" in result.out, result.out
    assert calls == [seven]


def test_a_zip_the_library_holds_as_it_is_is_found_without_unpacking_it(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (a guard: its members' data is held, so it may be unpacked to be looked up member
    # by member; the very archive held, that is never needed)
    members = {"Pair (USA).gba": _payload("pair"), "Extra (USA).gba": _payload("extra")}
    _zip_library(cli, tmp_path, "gba", "Pair (USA).zip", members)
    unpacked = _unpacked(monkeypatch)
    result = cli("--json", "games", "find", _zip(tmp_path / "copy.zip", members))
    assert result.code == 0 and [row["filename"] for row in result.json()["data"]] == [
        "Pair (USA).zip"]
    assert unpacked == []


def test_an_archives_members_are_looked_up_together_however_many(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each member's data was looked up in queries of its own (an arcade set: hundreds)
    _library(cli, tmp_path)
    asked: list[str] = []
    query = Database.query

    def counted(self: Database, sql: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(sql)
        return query(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "query", counted)
    queries = []
    for count in (3, 40):  # headered members: each is read and looked up
        members = {f"Game {n}.nes": NES_HEADER + _payload(f"game {n}") for n in range(count)}
        members["Quest (USA).gb"] = _payload("quest")
        asked.clear()
        result = cli("games", "find", _zip(tmp_path / f"set{count}.zip", members))
        assert result.code == 1, result.out + result.err
        assert f"{count} of its {count + 1} members" in result.out, result.out
        queries.append(len(asked))
    assert queries[0] == queries[1], queries


def test_a_member_held_only_by_a_copy_held_no_longer_names_that_copy(
        cli: Any, tmp_path: Path) -> None:
    # F7: the partly held archive's line said such a member "held by none", the missing
    # copy not named (the one-member archive's line names it)
    _library(cli, tmp_path)
    gone = tmp_path / "roms" / "gb" / "Gone (USA).gb"
    gone.write_bytes(_payload("gone"))
    assert cli("scan", "--workers", "1").code == 0
    gone.unlink()
    assert cli("scan", "--workers", "1").code == 0
    both = _zip(tmp_path / "both.zip", {"g.gb": _payload("gone"),
                                        "q.gb": _payload("quest"), "new.gb": _payload("new")})
    result = cli("games", "find", both)
    assert result.code == 1
    assert ("2 of its 3 members (g.gb, new.gb) are held by none; g.gb: Gone (USA).gb held "
            "it and is missing (a scan no longer found it); the other is held: q.gb by game"
            ) in result.out, result.out


def test_json_says_whether_a_copy_holds_the_file_or_its_members_data(
        cli: Any, tmp_path: Path) -> None:
    # F6: an archive held by its members' data and one held as itself gave the same JSON
    _library(cli, tmp_path)
    zipped = _zip(tmp_path / "q.zip", {"q.gb": _payload("quest"), "readme.txt": b"hi\n"})
    by_members = cli("--json", "games", "find", zipped)
    assert by_members.code == 0
    assert [(row["filename"], row["holds_members"]) for row in by_members.json()["data"]] == [
        ("Quest (USA).gb", ["q.gb"])]
    loose = tmp_path / "q.gb"
    loose.write_bytes(_payload("quest"))
    sha1 = hashlib.sha1(_payload("quest")).hexdigest()
    for args in (("--json", "games", "find", loose),
                 ("--json", "games", "find", "--sha1", sha1)):
        found = cli(*args)
        assert found.code == 0
        assert [row["holds_members"] for row in found.json()["data"]] == [None]


@pytest.mark.parametrize("name", ["download.7z", "download.zip"])
def test_a_fifo_named_as_an_archive_is_refused_at_once(cli: Any, tmp_path: Path,
                                                        db_path: Path, name: str) -> None:
    # review51c F3: a FIFO named .7z was opened by py7zr itself before the file was checked
    # (a regular file only): `games find` waited for ever for a writer
    _library(cli, tmp_path)
    fifo = tmp_path / name
    os.mkfifo(fifo)
    env = {**os.environ, "ROMRUNNER_DB": str(db_path), "HOME": str(tmp_path / "home")}
    try:
        proc = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "games", "find",
                               str(fifo)], capture_output=True, text=True, env=env,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`games find {name}` waited on a FIFO")
    assert proc.returncode == 2, proc
    assert proc.stderr.strip() == f"error: {fifo}: not a regular file (a FIFO); give a file"


def test_members_are_looked_up_by_index_with_the_statistics_the_app_keeps(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review51c F2: with sqlite_stat1 (PRAGMA optimize writes it), the CRC32 branches of the
    # one query were planned with Bloom filters, each built by reading the whole table on
    # every call (0.4 s a `games find` at 300k games, a loose ROM too)
    _library(cli, tmp_path)
    db = Database(db_path)
    try:
        with db.atomic():
            root = int(db.query("SELECT id FROM library_roots")[0][0])
            for n in range(3000):
                data = _payload(f"game {n}", 64)
                game = db.execute(
                    "INSERT INTO games (root_id, filepath, file_size, crc32_bin, sha1_bin, "
                    "platform_id, is_archive) VALUES (?, ?, 64, ?, ?, 'gb', 1)",
                    (root, f"/x/{n}.zip", struct.pack(">I", n),
                     None if n % 3 == 0 else hashlib.sha1(data).digest())).lastrowid
                for m in range(2):
                    db.execute(
                        "INSERT INTO game_files (game_id, kind, name, file_size, crc32_bin, "
                        "sha1_bin) VALUES (?, 'member', ?, 64, ?, ?)",
                        (game, f"{m}.gb", struct.pack(">I", 10_000 + 2 * n + m),
                         None if m else hashlib.sha1(data + bytes([m])).digest()))
        db.execute("ANALYZE")
        asked: list[tuple[str, Any]] = []
        query = db.query

        def spy(sql: str, params: Any = ()) -> Any:
            if sql.startswith("WITH k(i, form"):
                asked.append((sql, params))
            return query(sql, params)

        monkeypatch.setattr(db, "query", spy)
        loose = tmp_path / "Quest (USA).gb"
        loose.write_bytes(_payload("quest"))
        seven = tmp_path / "Quest.7z"
        with py7zr.SevenZipFile(seven, "w") as archive:
            archive.writestr(_payload("quest"), "Quest (USA).gb")
            archive.writestr(_payload("new"), "New (USA).gb")
        assert games.find_copies(db, loose).rows
        assert games.find_copies(db, seven).members_not_held == ["New (USA).gb"]
        assert len(asked) >= 2
        for sql, params in asked:
            plan = [str(row[3]) for row in db.query(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not [step for step in plan if "BLOOM" in step
                        or step.split(" ")[:2] in (["SCAN", "g"], ["SCAN", "f"],
                                                   ["SCAN", "games"], ["SCAN", "game_files"])
                        ], plan
    finally:
        db.close()


def _chd_library(cli: Any, tmp_path: Path, chds: dict[str, tuple[int, bytes]]) -> None:
    """A library of CHDs: each name with its version and the image it holds."""
    root = tmp_path / "roms" / "ps2"
    root.mkdir(parents=True)
    for name, (version, image) in chds.items():
        (root / name).write_bytes(chd(version, image))
    _scanned(cli, root)


def test_a_zip_of_the_image_of_a_held_v3_chd_is_held(cli: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # review51c F1: a v3 CHD's data is known by its SHA1 only (no CRC32, no size), so a
    # member was never unpacked to be looked up: "no game in the library holds this data"
    image = _payload("disc", 65536)
    _chd_library(cli, tmp_path, {"Iso (USA).chd": (3, image)})
    unpacked = _unpacked(monkeypatch)
    loose = tmp_path / "Iso (USA).iso"
    loose.write_bytes(image)
    assert cli("games", "find", loose).code == 0
    download = _zip(tmp_path / "Iso (USA).zip", {"Iso (USA).iso": image,
                                                 "Readme.txt": b"burn it"})
    result = cli("games", "find", download)
    assert result.code == 0 and "Iso (USA).iso by game 1" in result.out, result.out
    new = _zip(tmp_path / "New.zip", {"New (USA).iso": _payload("new", 65536),
                                      "New (USA).gb": _payload("new gb")})
    unpacked.clear()
    assert cli("games", "find", new).code == 1
    assert unpacked == ["New (USA).iso"]  # (a ROM's member the library has no CRC32 of: not)


def test_a_zip_with_a_member_not_read_is_never_held_by_its_members_data(
        cli: Any, tmp_path: Path) -> None:
    # review51c F4: of two members of one name only the first is read; the second's data,
    # maybe the only copy, was never looked at and the zip was answered held (exit 0)
    _library(cli, tmp_path)
    twice = _zip(tmp_path / "twice.zip", [("Quest (USA).gb", _payload("quest")),
                                          ("Quest (USA).gb", _payload("only copy"))])
    result = cli("games", "find", twice)
    assert result.code == 1, result.out
    assert "(Quest (USA).gb (another member of that name, not read)) is held by none" \
        in result.out and "keep this file" in result.out, result.out
    unsafe = _zip(tmp_path / "unsafe.zip", {"Quest (USA).gb": _payload("quest"),
                                            "../Other (USA).gb": _payload("other")})
    result = cli("games", "find", unsafe)
    assert result.code == 1 and "(../Other (USA).gb (its name unsafe, not read))" \
        in result.out, result.out
    held = _zip(tmp_path / "held.zip", {"Quest (USA).gb": _payload("quest")})
    assert cli("games", "find", held).code == 0


def test_a_zip_with_a_member_not_read_is_not_the_librarys_zip_of_its_read_members(
        cli: Any, tmp_path: Path) -> None:
    # review51h F1 (high): the library's zip plus a member whose name repeats an earlier
    # one's (or is unsafe), with data of its own, was "held" by the library's zip — the same
    # members, as far as they were read — exit 0: a script deletes the only copy of that data
    pack = {"Alpha (USA).gb": _payload("alpha"), "Beta (USA).gb": _payload("beta")}
    _zip_library(cli, tmp_path, "gb", "Pack (USA).zip", pack)
    assert cli("games", "find", _zip(tmp_path / "same.zip", pack)).code == 0  # (control)
    twice = _zip(tmp_path / "twice.zip", [*pack.items(),
                                          ("Alpha (USA).gb", _payload("only copy"))])
    unsafe = _zip(tmp_path / "unsafe.zip", {**pack, "../Only (USA).gb": _payload("only")})
    for download in (twice, unsafe):
        result = cli("games", "find", download)
        assert result.code == 1 and "keep this file" in result.out, (download, result.out)


def test_a_member_named_as_an_image_is_unpacked_only_at_a_v3_chds_image_size(
        cli: Any, tmp_path: Path) -> None:
    # review51h F2: with any CHD in the library, every member named .iso/.bin/… no data of
    # the library has by CRC32 was unpacked in full (a zip bomb named .iso: 10 s a GiB, a
    # Redump .bin zip in full); only a v3 CHD's image is known by its SHA1 alone, and its
    # header states its size. A member read in full whose data is not its stated CRC32 makes
    # the zip damaged (exit 2): so whether it was read shows without a clock.
    v3_image, v5_image = _payload("v3 disc", 65536), _payload("v5 disc", 131072)
    _chd_library(cli, tmp_path, {"Old (USA).chd": (3, v3_image),
                                 "New (USA).chd": (5, v5_image)})
    for size, name, read in ((65536, "Old (USA).iso", True),   # a v3 CHD's image size
                             (65536, "Old (USA).BIN", True),
                             (131072, "New (USA).iso", False),  # a v5's: its SHA1 no file's
                             (98304, "Other (USA).iso", False),  # no CHD's
                             (98304, "Other (USA).hdd", False)):
        download = _damaged(tmp_path / f"{name}.zip", name, _payload(name, size), 4096)
        result = cli("games", "find", download)
        if read:
            assert result.code == 2 and "the zip is damaged" in result.err, (name, result.err)
        else:
            assert result.code == 1, (name, result.out, result.err)
            assert "no game in the library holds this data" in result.out, result.out
    # the image itself, zipped, is still held by the v3 CHD
    held = _zip(tmp_path / "Old (USA).zip", {"Old (USA).iso": v3_image})
    result = cli("games", "find", held)
    assert result.code == 0 and "Old (USA).iso by game" in result.out, result.out


def _same_crc32(data: bytes) -> bytes:
    """Other bytes of ``data``'s length and CRC32 (its first byte changed, its last four
    mended: a CRC32 is linear in the bits of data of one length)."""
    changed = bytes([data[0] ^ 1]) + data[1:-4]
    zeros = zlib.crc32(bytes(len(data)))
    target = zlib.crc32(data) ^ zlib.crc32(changed + bytes(4))
    rows = []  # each bit of the last four bytes: what it changes in the CRC32, and itself
    for bit in range(32):
        mask = (1 << bit).to_bytes(4, "little")
        rows.append((zlib.crc32(bytes(len(data) - 4) + mask) ^ zeros, 1 << bit))
    solved = 0
    for pivot in range(32):
        at = next(i for i in range(pivot, 32) if rows[i][0] >> pivot & 1)
        rows[pivot], rows[at] = rows[at], rows[pivot]
        rows = [(effect ^ rows[pivot][0], bits ^ rows[pivot][1])
                if i != pivot and effect >> pivot & 1 else (effect, bits)
                for i, (effect, bits) in enumerate(rows)]
    for effect, bits in rows:  # (each row now changes one bit of the CRC32)
        if target & effect:
            solved ^= bits
    other = changed + solved.to_bytes(4, "little")
    assert zlib.crc32(other) == zlib.crc32(data) and other != data
    return other


def test_a_zip_of_one_member_twice_byte_for_byte_is_held(cli: Any, tmp_path: Path) -> None:
    # review51h F3 / review51i F2: since c1e6ee29 a member whose name an earlier has was
    # never read, the zip "held by none" (exit 1) though its two members were one data;
    # both are read in full now, and the same CRC32, size and SHA1 make the second a copy
    _library(cli, tmp_path)
    quest = _payload("quest")
    shape = [("Quest (USA).gb", quest), ("Quest (USA).gb", quest)]
    result = cli("games", "find", _zip(tmp_path / "twice.zip", shape))
    assert result.code == 0 and "not read" not in result.out, result.out
    # the library's very zip of that shape (the scan keeps the first of the two)
    root = tmp_path / "roms" / "gba"
    root.mkdir()
    pair = [("Alpha (USA).gba", _payload("alpha")), ("Alpha (USA).gba", _payload("alpha")),
            ("Beta (USA).gba", _payload("beta"))]
    _zip(root / "Pair (USA).zip", pair)
    assert cli("scan", "--workers", "1").code == 0
    copy = tmp_path / "Pair (USA).zip"
    copy.write_bytes((root / "Pair (USA).zip").read_bytes())
    result = cli("--json", "games", "find", copy)
    assert result.code == 0, result.out
    assert [row["filename"] for row in result.json()["data"]] == ["Pair (USA).zip"]
    # but never a second of the same stated CRC32 and size whose data is another (SHA1)
    forged = _same_crc32(quest)
    for members in ([("Quest (USA).gb", quest), ("Quest (USA).gb", forged)],
                    [("Quest (USA).gb", quest), ("Quest (USA).gb", _payload("only"))],
                    [*shape, ("Quest (USA).gb", _payload("only"))]):
        result = cli("games", "find", _zip(tmp_path / "other.zip", members))
        assert result.code == 1 and "(Quest (USA).gb (another member of that name, not " \
            "read)) is held by none" in result.out, (members, result.out)


def test_the_librarys_very_zip_with_a_member_not_read_is_held(cli: Any, tmp_path: Path) -> None:
    # review51i F2: the library's zip whose name is twice, of two data, copied byte for byte,
    # was "held by none" since c1e6ee29 (its scan keeps no hash of the second member nor of
    # the file); the library's file is read now, and held only when it is the very bytes
    shape = [("Dup (USA).gba", _payload("one")), ("Dup (USA).gba", _payload("two"))]
    root = tmp_path / "roms" / "gba"
    root.mkdir(parents=True)
    _zip(root / "Dup (USA).zip", shape, zipfile.ZIP_STORED)
    _scanned(cli, root)
    copy = tmp_path / "Dup (USA).zip"
    copy.write_bytes((root / "Dup (USA).zip").read_bytes())
    result = cli("--json", "games", "find", copy)
    assert result.code == 0, result.out
    assert [row["filename"] for row in result.json()["data"]] == ["Dup (USA).zip"]
    # the same read members, another second member (of its size): not the library's zip
    other = _zip(tmp_path / "other.zip", [shape[0], ("Dup (USA).gba", _payload("three"))],
                 zipfile.ZIP_STORED)
    assert other.stat().st_size == copy.stat().st_size
    result = cli("games", "find", other)
    assert result.code == 1 and "(Dup (USA).gba (another member of that name, not read)) " \
        "is held by none" in result.out, result.out
    # the library's file changed since (the copy is not its bytes now): no copy
    (root / "Dup (USA).zip").write_bytes(other.read_bytes())
    assert cli("games", "find", copy).code == 1


def test_the_librarys_zip_is_compared_with_the_download_no_further_than_a_difference(
        tmp_path: Path) -> None:
    # review52b F3: a download of the library's zip's size and read members had the library's
    # zip hashed in full (CRC32, MD5, SHA1) on every find, reading on past bytes that differ
    # at its start; compared a chunk at a time, neither is read past the chunk that differs
    size = 8 << 20
    data = _payload("library zip", size)
    library, copy = tmp_path / "library.zip", tmp_path / "copy.zip"
    library.write_bytes(data)
    copy.write_bytes(data)
    first, last = tmp_path / "first.zip", tmp_path / "last.zip"
    first.write_bytes(b"X" + data[1:])
    last.write_bytes(data[:-1] + b"X")
    shorter = tmp_path / "shorter.zip"
    shorter.write_bytes(data[:-1])
    for other, same, read in ((copy, True, size), (first, False, 1 << 20),
                              (last, False, size), (shorter, False, size)):
        with open_regular(library) as one, open_regular(other) as two:
            assert games.same_bytes(one, two) is same, other
            assert one.tell() == read, (other, one.tell())
