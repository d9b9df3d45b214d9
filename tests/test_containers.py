"""Containers: disc sheets (.cue/.gdi/.m3u) and archives (zip/7z), read with bounds.

Each test builds real files: real sheets and track files, real FIFOs and symlinks, real
zip and 7z archives; scans that could hang run in a child process with a timeout.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import py7zr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from romrunner.deploy.plan import _cue_with_names
from romrunner.library.containers import (
    MAX_SHEET_BYTES,
    ContainerError,
    hash_7z_members,
    hash_zip_members,
    read_chd_sha1,
    referenced_files,
    sheet_file_names,
)


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def scan(cli: Any, root: Path) -> dict[str, Any]:
    assert cli("library", "add", root).code == 0
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def errors_by_name(summary: dict[str, Any]) -> dict[str, str]:
    return {Path(e["path"]).name: e["error"] for e in summary["errors"]}


def games(cli: Any) -> dict[str, dict[str, Any]]:
    return {row["filename"]: row for row in cli("--json", "games", "ls").json()["data"]["games"]}


def files_of(cli: Any, game: dict[str, Any]) -> list[tuple[str, str | None]]:
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    return [(f["name"], f["file_sha1"]) for f in shown["files"]]


# --- .gdi ------------------------------------------------------------------------------

TRACKS = {"track01.bin": os.urandom(2352 * 3), "track02.raw": os.urandom(2352 * 5),
          "track03.bin": os.urandom(2352 * 7)}


def test_a_dreamcast_gdi_keeps_every_track(cli: Any, tmp_path: Path) -> None:
    """The real layout: a count line, then ``N LBA TYPE SECTOR_SIZE FILE OFFSET`` (CRLF)."""
    disc = tmp_path / "roms" / "dreamcast" / "Crazy Taxi (USA)"
    disc.mkdir(parents=True)
    for name, data in TRACKS.items():
        (disc / name).write_bytes(data)
    (disc / "Crazy Taxi (USA).gdi").write_bytes(
        b"3\r\n1 0 4 2352 track01.bin 0\r\n2 756 0 2352 track02.raw 0\r\n"
        b"3 45000 4 2352 track03.bin 0\r\n")
    summary = scan(cli, tmp_path / "roms")
    assert summary["errors"] == []
    found = games(cli)
    assert list(found) == ["Crazy Taxi (USA).gdi"]  # no track is a game of its own
    assert files_of(cli, found["Crazy Taxi (USA).gdi"]) == [
        (name, sha1(data)) for name, data in TRACKS.items()]


def test_a_gdi_with_a_raw_track_is_unchanged_on_rescan(cli: Any, tmp_path: Path) -> None:
    """A ``.raw`` track is not an extension the walk takes, so the walk never sees it: the
    rescan must still find it unchanged instead of re-hashing the whole disc every time."""
    disc = tmp_path / "roms" / "dreamcast" / "Crazy Taxi (USA)"
    disc.mkdir(parents=True)
    for name, data in TRACKS.items():
        (disc / name).write_bytes(data)
    (disc / "Crazy Taxi (USA).gdi").write_bytes(
        b"3\r\n1 0 4 2352 track01.bin 0\r\n2 756 0 2352 track02.raw 0\r\n"
        b"3 45000 4 2352 track03.bin 0\r\n")
    assert scan(cli, tmp_path / "roms")["added"] == 1
    for _ in range(2):
        again = cli("--json", "scan", "--workers", "1").json()["data"]
        assert (again["updated"], again["unchanged"], again["bytes_hashed"]) == (0, 1, 0)
    (disc / "track02.raw").write_bytes(b"\x07" * 2352)  # a changed .raw is still noticed
    changed = cli("--json", "scan", "--workers", "1").json()["data"]
    assert changed["updated"] == 1 and changed["bytes_hashed"] > 0
    assert ("track02.raw", sha1(b"\x07" * 2352)) in files_of(
        cli, games(cli)["Crazy Taxi (USA).gdi"])
    (disc / "track02.raw").unlink()  # and so is a removed one
    removed = cli("--json", "scan", "--workers", "1").json()["data"]
    assert removed["updated"] == 1
    assert any("track02.raw" in e["error"] for e in removed["errors"])


def test_gdi_names_may_be_quoted_and_hold_spaces(cli: Any, tmp_path: Path) -> None:
    disc = tmp_path / "roms" / "dreamcast" / "Shenmue"
    disc.mkdir(parents=True)
    names = ["Shenmue (Track 1).bin", "Shenmue (Track 2).raw", "Shenmue (Track 3).bin"]
    for name, data in zip(names, TRACKS.values(), strict=True):
        (disc / name).write_bytes(data)
    (disc / "Shenmue.gdi").write_text(
        '3\n1 0 4 2352 "Shenmue (Track 1).bin" 0\n'
        '2 756 0 2352 "Shenmue (Track 2).raw" 0\n'
        '3 45000 4 2352 "Shenmue (Track 3).bin" 0\n')
    summary = scan(cli, tmp_path / "roms")
    assert summary["errors"] == [] and summary["added"] == 1
    found = games(cli)
    assert list(found) == ["Shenmue.gdi"]
    assert files_of(cli, found["Shenmue.gdi"]) == [
        (name, sha1(data)) for name, data in zip(names, TRACKS.values(), strict=True)]


@pytest.mark.parametrize(("text", "problem"), [
    ("3\n1 0 4 2352 track01.bin 0\n2 756 0 2352 track02.raw 0\n", "declares 3 tracks"),
    ("1000\n1 0 4 2352 track01.bin 0\n", "declares 1000 tracks"),
    ("track01.bin\n", "first line"),
    ("1\n1 0 4 2352\n", "line 2"),
    ("1\n1 0 4 2352 \"unclosed.bin 0\n", "line 2"),
])
def test_a_malformed_gdi_is_refused_with_its_reason(tmp_path: Path, text: str,
                                                    problem: str) -> None:
    sheet = tmp_path / "bad.gdi"
    sheet.write_text(text)
    with pytest.raises(ContainerError, match=problem):
        referenced_files(sheet)


# (a file's own name, no "/": "0/" names a folder and is read back as "0")
_GDI_NAME = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters='"\\/'),
    min_size=1, max_size=40).map(str.strip).filter(lambda name: name != "")


@settings(max_examples=60, deadline=None)
@given(names=st.lists(_GDI_NAME, min_size=1, max_size=99), quoted=st.booleans(),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_gdi_track_names_round_trip(tmp_path_factory: pytest.TempPathFactory,
                                    names: list[str], quoted: bool, newline: str) -> None:
    """Any name a .gdi can hold comes back as written, quoted or bare (bare names with
    spaces too: some tools write them so)."""
    lines = [str(len(names))]
    for number, name in enumerate(names, 1):
        written = f'"{name}"' if quoted else name
        lines.append(f"{number} {number * 300} 4 2352 {written} 0")
    sheet = tmp_path_factory.mktemp("gdi") / "disc.gdi"
    sheet.write_bytes(newline.join(lines).encode() + newline.encode())
    assert referenced_files(sheet) == names


# --- empty archives ------------------------------------------------------------------

def test_empty_archives_are_not_games(cli: Any, tmp_path: Path) -> None:
    """A valid zip or 7z with no file inside is reported as an error line, not stored."""
    root = tmp_path / "roms" / "gba"
    root.mkdir(parents=True)
    with zipfile.ZipFile(root / "Empty (USA).zip", "w"):
        pass
    with zipfile.ZipFile(root / "Folders Only (USA).zip", "w") as archive:
        archive.writestr("just-a-folder/", b"")
    with py7zr.SevenZipFile(root / "Empty (USA).7z", "w"):
        pass
    with zipfile.ZipFile(root / "Fine (USA).zip", "w") as archive:
        archive.writestr("Fine (USA).gba", b"\x02" * 4096)
    summary = scan(cli, tmp_path / "roms")
    errors = errors_by_name(summary)
    for name in ("Empty (USA).zip", "Folders Only (USA).zip", "Empty (USA).7z"):
        assert "no files" in errors[name], errors
    assert list(games(cli)) == ["Fine (USA).zip"]


# --- tracks: regular files inside the root, each hashed once, a bounded count ----------

def run_bounded(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the CLI in its own process group; a hang fails the test and kills the group
    (the scan and any worker it started)."""
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{args} did not finish within {timeout} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def scan_in_child(tmp_path: Path, root: Path) -> dict[str, Any]:
    db = tmp_path / "child.db"
    added = run_bounded("--db", db, "library", "add", root)
    assert added.returncode == 0, added.stderr
    scanned = run_bounded("--db", db, "--json", "scan", "--workers", "1")
    assert scanned.returncode == 0, scanned.stderr
    data: dict[str, Any] = json.loads(scanned.stdout)["data"]
    return data


def disc_with_cue(root: Path, *tracks: str) -> Path:
    disc = root / "psx" / "Disc (USA)"
    disc.mkdir(parents=True)
    (disc / "Disc (USA).cue").write_text("".join(
        f'FILE "{track}" BINARY\n  TRACK {i:02d} MODE2/2352\n'
        for i, track in enumerate(tracks, 1)))
    return disc


def test_a_fifo_track_is_refused_without_hanging(tmp_path: Path) -> None:
    root = tmp_path / "roms"
    disc = disc_with_cue(root, "Disc (USA) (Track 1).bin", "pipe.bin")
    (disc / "Disc (USA) (Track 1).bin").write_bytes(b"\x03" * 4096)
    fifo = disc / "pipe.bin"
    os.mkfifo(fifo)
    try:
        summary = scan_in_child(tmp_path, root)
    finally:  # before the fix a reader sits blocked in open(): let it go
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    errors = errors_by_name(summary)
    assert "'pipe.bin'" in errors["Disc (USA).cue"]
    assert "not a regular file" in errors["Disc (USA).cue"]
    assert summary["bytes_hashed"] == 4096 + (disc / "Disc (USA).cue").stat().st_size


def test_a_track_linked_to_dev_zero_or_outside_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "roms"
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"\x04" * 4096)
    disc = disc_with_cue(root, "zero.bin", "away.bin", "../../../outside.bin")
    (disc / "zero.bin").symlink_to("/dev/zero")
    (disc / "away.bin").symlink_to(outside)
    summary = scan_in_child(tmp_path, root)
    reasons = [e["error"] for e in summary["errors"] if e["path"].endswith(".cue")]
    assert any("'zero.bin'" in r and "symbolic link" in r for r in reasons), reasons
    assert any("'away.bin'" in r and "symbolic link" in r for r in reasons), reasons
    assert any("outside.bin" in r and "outside" in r for r in reasons), reasons
    assert summary["bytes_hashed"] == (disc / "Disc (USA).cue").stat().st_size


def test_a_track_below_a_linked_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "roms"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "track.bin").write_bytes(b"\x05" * 4096)
    disc = disc_with_cue(root, "sub/track.bin")
    (disc / "sub").symlink_to(elsewhere)
    summary = scan_in_child(tmp_path, root)
    reasons = [e["error"] for e in summary["errors"] if e["path"].endswith(".cue")]
    assert any("'sub/track.bin'" in r and "outside the library root" in r
               for r in reasons), reasons
    assert summary["bytes_hashed"] == (disc / "Disc (USA).cue").stat().st_size


def test_each_distinct_track_is_hashed_once(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    disc = disc_with_cue(root, *["Disc (USA).bin"] * 5)
    (disc / "Disc (USA).bin").write_bytes(b"\x06" * 65536)
    summary = scan(cli, root)
    assert summary["errors"] == []
    assert summary["bytes_hashed"] == 65536 + (disc / "Disc (USA).cue").stat().st_size
    assert files_of(cli, games(cli)["Disc (USA).cue"]) == [
        ("Disc (USA).bin", sha1(b"\x06" * 65536))]


def test_a_sheet_directly_in_the_root_reads_its_tracks(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    root.mkdir()
    (root / "Loose (USA).cue").write_text('FILE "Loose (USA).bin" BINARY\n')
    (root / "Loose (USA).bin").write_bytes(b"\x08" * 4096)
    (root / "Loose (USA).m3u").write_text("Loose (USA).cue\n../elsewhere.cue\n")
    summary = scan(cli, root)
    assert summary["errors"] == [{"path": str(root / "Loose (USA).m3u"), "error":
                                  "track '../elsewhere.cue' is outside the library root; "
                                  "not read"}]
    found = games(cli)
    assert files_of(cli, found["Loose (USA).cue"]) == [("Loose (USA).bin",
                                                        sha1(b"\x08" * 4096))]
    assert sorted(files_of(cli, found["Loose (USA).m3u"])) == [("../elsewhere.cue", None),
                                                               ("Loose (USA).cue", None)]


def test_ten_thousand_file_lines_are_refused(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    disc = disc_with_cue(root, *["Disc (USA).bin"] * 10_000)
    (disc / "Disc (USA).bin").write_bytes(b"\x07" * 4096)
    summary = scan(cli, root)
    assert "more than 999" in errors_by_name(summary)["Disc (USA).cue"]
    # The sheet is refused unhashed; its one track, no longer claimed, was found by the
    # walk as a file of its own and hashed once (not 10,000 times).
    assert summary["bytes_hashed"] == 4096


# --- sheets larger than any real one ---------------------------------------------------

@pytest.mark.parametrize("suffix", [".cue", ".gdi", ".m3u"])
def test_a_sheet_over_1_mib_is_refused_unread(cli: Any, tmp_path: Path, suffix: str) -> None:
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    sheet = root / f"Huge (USA){suffix}"
    with sheet.open("wb") as handle:  # sparse: its bytes are never read
        handle.truncate(MAX_SHEET_BYTES + 1)
    with pytest.raises(ContainerError, match="larger than 1 MiB"):
        referenced_files(sheet)
    summary = scan(cli, tmp_path / "roms")
    assert "larger than 1 MiB" in errors_by_name(summary)[sheet.name]
    assert summary["bytes_hashed"] == 0 and games(cli) == {}


def test_an_m3u_lists_its_discs_and_is_capped(tmp_path: Path) -> None:
    playlist = tmp_path / "Game (USA).m3u"
    playlist.write_text("# discs\nGame (USA) (Disc 1).cue\r\n\nGame (USA) (Disc 2).cue\n")
    assert referenced_files(playlist) == ["Game (USA) (Disc 1).cue", "Game (USA) (Disc 2).cue"]
    playlist.write_text("disc.cue\n" * 1000)
    with pytest.raises(ContainerError, match="more than 999"):
        referenced_files(playlist)


# --- archive bombs: members stream in bounded chunks -----------------------------------

BOMB_BYTES = 256 << 20  # past py7zr's 128 MB blocks; a bounded reader's peak stays flat

_PEAK = """
import resource, sys
from pathlib import Path
from romrunner.library.containers import hash_7z_members, hash_zip_members
path = Path(sys.argv[1])
members, problems = (hash_7z_members if path.suffix == ".7z" else hash_zip_members)(path)
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak_kib, members[0].hashes.size, members[0].hashes.sha1, len(problems))
"""


def member_peak(archive: Path) -> tuple[int, int, str]:
    """Peak RSS (KiB) of a fresh process that hashes ``archive``'s one member, with the
    member's size and SHA1."""
    proc = subprocess.run([sys.executable, "-c", _PEAK, str(archive)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    peak, size, digest, problems = proc.stdout.split()
    assert problems == "0"
    return int(peak), int(size), digest


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One zeros member of BOMB_BYTES in each kind of archive, and small ones to compare."""
    folder = tmp_path_factory.mktemp("bombs")
    zeros = folder / "zeros.bin"
    with zeros.open("wb") as handle:  # sparse
        handle.truncate(BOMB_BYTES)
    made = {}
    for size, tag in ((BOMB_BYTES, "bomb"), (4096, "small")):
        for kind, method in (("deflate", zipfile.ZIP_DEFLATED), ("bz2", zipfile.ZIP_BZIP2),
                             ("lzma", zipfile.ZIP_LZMA)):
            path = folder / f"{tag}-{kind}.zip"
            with zipfile.ZipFile(path, "w", method) as archive, \
                    archive.open("zeros.bin", "w", force_zip64=True) as member:
                for _ in range(0, size, 1 << 20):
                    member.write(bytes(min(1 << 20, size)))
            made[f"{tag}-{kind}"] = path
        source = zeros if size == BOMB_BYTES else folder / "small.bin"
        if size != BOMB_BYTES:
            source.write_bytes(bytes(size))
        path = folder / f"{tag}-7z.7z"
        with py7zr.SevenZipFile(path, "w") as archive:
            archive.write(source, "zeros.bin")
        made[f"{tag}-7z"] = path
    zeros.unlink()
    return made


@pytest.mark.parametrize("kind", ["deflate", "bz2", "lzma", "7z"])
def test_an_archive_bomb_is_hashed_in_bounded_memory(bombs: dict[str, Path],
                                                     kind: str) -> None:
    """Peak memory of hashing a 256 MiB member (a few hundred KiB on disk) against that of
    a 4 KiB one: before the fix the bomb cost ~420 MiB more (7z: py7zr's 128 MB blocks,
    copied twice) or the whole member (zip bzip2/LZMA: decompressed in one call)."""
    baseline, _, _ = member_peak(bombs[f"small-{kind}"])
    peak, size, digest = member_peak(bombs[f"bomb-{kind}"])
    assert size == BOMB_BYTES
    assert digest == hashlib.sha1(bytes(BOMB_BYTES)).hexdigest()
    assert peak - baseline < 64 * 1024, f"{kind}: {peak - baseline} KiB over the baseline"


def test_zip_members_of_every_method_hash_alike(tmp_path: Path) -> None:
    data = os.urandom(300_000) + bytes(300_000)
    expected = sha1(data)
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                   zipfile.ZIP_LZMA):
        path = tmp_path / f"m{method}.zip"
        with zipfile.ZipFile(path, "w", method) as archive:
            archive.writestr("a.bin", data)
            archive.writestr("b.bin", b"")
        members, problems = hash_zip_members(path)
        assert problems == []
        assert [(m.name, m.hashes.sha1, m.hashes.size) for m in members] == [
            ("a.bin", expected, len(data)), ("b.bin", sha1(b""), 0)]


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_damaged_compressed_zip_member_is_an_error(tmp_path: Path, method: int) -> None:
    path = tmp_path / "damaged.zip"
    data = os.urandom(200_000)
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("a.bin", data)
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 64] = bytes(64)
    path.write_bytes(bytes(raw))
    with pytest.raises(ContainerError, match="corrupt"):
        hash_zip_members(path)


def test_sevenzip_members_still_hash_right_in_small_blocks(tmp_path: Path) -> None:
    data = os.urandom(3 << 20) + bytes(5 << 20)
    path = tmp_path / "solid.7z"
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(data, "a.bin")
        archive.writestr(data[::-1], "b.bin")
    members, problems = hash_7z_members(path)
    assert problems == []
    assert [(m.name, m.hashes.sha1) for m in members] == [
        ("a.bin", sha1(data)), ("b.bin", sha1(data[::-1]))]


def test_sheet_file_names_are_keyed_as_the_deploy_reads_file_lines(tmp_path: Path) -> None:
    """The deploy rewrites a sheet's FILE lines by the names its lines give (UTF-8 with
    surrogateescape, a backslash as a folder): the keys of sheet_file_names are those names,
    whatever the sheet's bytes, and the values the files' own names (QA8 N7)."""
    (tmp_path / "data").mkdir()
    for name in ("Poké Látin (Europe).bin", "track 01.bin", "data/t2.bin", "Plain.bin"):
        (tmp_path / name).write_bytes(b"x")
    data = ('FILE "Poké Látin (Europe).bin" BINARY\r\nFILE "Track 01.BIN" BINARY\r\n'
            'REM Été\r\nFILE Data\\T2.bin BINARY\r\nFILE "Plain.bin" WAVE\r\n'
            'FILE "Nowhere.bin" BINARY\r\n').encode("cp1252")
    sheet = tmp_path / "Disc.cue"
    sheet.write_bytes(data)
    names = sheet_file_names(sheet)
    assert list(names.values()) == ["Poké Látin (Europe).bin", "track 01.bin", "data/t2.bin",
                                    "Plain.bin", "Nowhere.bin"]
    assert referenced_files(sheet) == list(names.values())
    rewritten = _cue_with_names(data.decode("utf-8", "surrogateescape"),
                                {written: f"<{real}>" for written, real in names.items()})
    assert [line for line in rewritten.splitlines() if line.startswith("FILE")] == [
        'FILE "<Poké Látin (Europe).bin>" BINARY', 'FILE "<track 01.bin>" BINARY',
        'FILE "<data/t2.bin>" BINARY', 'FILE "<Plain.bin>" WAVE',
        'FILE "<Nowhere.bin>" BINARY']
    assert "REM \udcc9t\udce9" in rewritten  # other lines keep their bytes


def _chd_header(version: int, length: int, sha1_at: int, sha1: bytes) -> bytes:
    """A CHD header as the format's chd.h lays out each version (big-endian length and
    version after the magic), holding ``sha1`` where that version records it."""
    header = bytearray(length)
    header[0:8] = b"MComprHD"
    header[8:16] = length.to_bytes(4, "big") + version.to_bytes(4, "big")
    header[sha1_at:sha1_at + 20] = sha1
    return bytes(header) + bytes(64)


@pytest.mark.parametrize(("version", "length", "sha1_at"), [(3, 120, 80), (4, 108, 48),
                                                             (5, 124, 84)])
def test_a_chds_sha1_is_read_from_its_header_in_every_version_mame_dats_list(
        tmp_path: Path, version: int, length: int, sha1_at: int) -> None:
    """The SHA1 a MAME DAT's <disk> lists is where chd.h puts it in v3, v4 and v5 (only v5
    was read: an older set's CHD could not be identified)."""
    sha1 = hashlib.sha1(f"disk v{version}".encode()).digest()
    disk = tmp_path / "game.chd"
    disk.write_bytes(_chd_header(version, length, sha1_at, sha1))
    assert read_chd_sha1(disk) == sha1.hex()


@pytest.mark.parametrize(("version", "length", "problem"), [
    (2, 80, "version 2 is not supported"), (5, 100, "v5 header is truncated")])
def test_a_chd_without_a_sha1_is_refused_with_its_reason(
        tmp_path: Path, version: int, length: int, problem: str) -> None:
    disk = tmp_path / "old.chd"
    disk.write_bytes(_chd_header(version, length, 16, bytes(20))[:length])
    with pytest.raises(ContainerError, match=problem):
        read_chd_sha1(disk)


def test_what_an_os_adds_to_a_zip_it_makes_is_no_member(cli: Any, tmp_path: Path) -> None:
    """QA88 F1-F3: a zip made by macOS' Finder (`__MACOSX/._NAME`) or holding a `.DS_Store`
    or `Thumbs.db` was not identified though its ROM was the catalog's, was not its loose ROM
    renamed (the game's curation left on a missing row), and "held several ROMs"."""
    import zlib
    rom = bytes(range(256)) * 64
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    loose = root / "gb" / "Tetris (World).gb"
    loose.write_bytes(rom)
    dat = tmp_path / "gb.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Game Boy"\n)\n'
                   'game (\n\tname "Tetris (World)"\n\trom ( name "Tetris (World).gb" '
                   f'size {len(rom)} crc {zlib.crc32(rom):08X} '
                   f'sha1 {hashlib.sha1(rom).hexdigest()} )\n)\n')
    assert cli("dat", "import", dat).code == 0
    scan(cli, root)
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", "1").code == 0
    with zipfile.ZipFile(root / "gb" / "Tetris (World).zip", "w") as archive:
        archive.writestr("Tetris (World).gb", rom)
        archive.writestr("__MACOSX/._Tetris (World).gb", b"\x00\x05\x16\x07" + b"\0" * 4092)
        archive.writestr(".DS_Store", b"\0" * 6148)
        archive.writestr("Thumbs.db", b"\0" * 1024)
    loose.unlink()
    summary = cli("--json", "scan", "--workers", "1").json()["data"]
    assert summary["renamed"] == 1 and summary["missing"] == 0, summary
    shown = cli("--json", "games", "show", "1").json()["data"]
    assert shown["filename"] == "Tetris (World).zip" and shown["matched_game_id"], shown
    assert len(shown["files"]) == 1, shown["files"]


@pytest.mark.parametrize("header_encryption", [False, True])
def test_an_encrypted_7z_is_said_encrypted_whether_or_not_its_headers_are(
        tmp_path: Path, header_encryption: bool) -> None:
    """QA146 F1: a 7z with its headers encrypted too was "corrupt or unsupported 7z
    (PasswordRequired: ([{'method': b'…'…}], …))", py7zr's internals in the user's text."""
    path = tmp_path / "Locked (USA).7z"
    with py7zr.SevenZipFile(path, "w", password="pw",
                            header_encryption=header_encryption) as archive:
        archive.writestr(b"\x01" * 4096, "locked.gb")
    with pytest.raises(ContainerError) as raised:
        hash_7z_members(path)
    assert str(raised.value) == "7z is encrypted"


def test_a_member_name_twice_in_a_zip_is_said(tmp_path: Path) -> None:
    """QA146 F2: a zip holding two members of one name: the second was dropped unsaid."""
    import warnings

    path = tmp_path / "Dup (USA).zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # (zipfile warns of the duplicate it writes)
        archive.writestr("same.gb", b"\x01" * 3000)
        archive.writestr("same.gb", b"\x02" * 3001)
    members, problems = hash_zip_members(path)
    assert [(m.name, m.hashes.size) for m in members] == [("same.gb", 3000)]
    assert problems == ["member 'same.gb' is in the archive twice; only the first is read"]


def test_a_playlist_entry_that_is_a_playlist_is_said_and_left_out(cli: Any,
                                                                   tmp_path: Path) -> None:
    """QA146 F12: an .m3u naming itself, or another .m3u, took it for a disc: `games show`
    listed a playlist as its own disc, and a deploy said a file collided with itself."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    (psx / "Self (USA).m3u").write_text("Self (USA).m3u\nOther (USA).m3u\nDisc (USA).cue\n")
    (psx / "Other (USA).m3u").write_text("Self (USA).m3u\n")
    (psx / "Disc (USA).cue").write_text('FILE "Disc (USA).bin" BINARY\n'
                                         "  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n")
    (psx / "Disc (USA).bin").write_bytes(os.urandom(8000))
    assert cli("library", "add", tmp_path / "lib").code == 0
    scan = cli("scan", "--workers", "1")
    assert scan.code == 0, scan.err
    said = " ".join((scan.out + scan.err).split())
    for sheet, entry in (("Self", "Self"), ("Self", "Other"), ("Other", "Self")):
        assert f"{sheet} (USA).m3u: '{entry} (USA).m3u' is a playlist, not a disc; left out" \
            in said, said
    ids = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    shown = cli("--json", "games", "show", str(ids["Self (USA).m3u"])).json()["data"]
    assert [f["name"] for f in shown["files"]] == ["Disc (USA).cue"], shown["files"]


def test_a_track_named_through_dotdot_inside_the_root_is_not_said_outside_it(
        cli: Any, tmp_path: Path) -> None:
    """qa205 N8: a playlist naming `../gb/x.gb`, a file inside the library root, was said by
    the scan to be "outside the library root" (the deploy says why it does not follow it)."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    (root / "gb" / "Tetris (World).gb").write_bytes(b"\x09" * 4096)
    (root / "psx").mkdir()
    (root / "psx" / "Evil (USA).m3u").write_text("../gb/Tetris (World).gb\n")
    summary = scan(cli, root)
    (error,) = [e["error"] for e in summary["errors"] if e["path"].endswith(".m3u")]
    assert error.startswith("track '../gb/Tetris (World).gb' is named through a folder above "
                            "its sheet's (`..`)"), error
    assert "outside" not in error
