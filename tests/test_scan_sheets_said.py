"""What a scan says of disc sheets and of a CRC32 match withdrawn: a .gdi's `.raw` audio
track is part of its disc, no file of unknown type; a .cue naming itself as its track is
said, not dropped without a word; a library's own .m3u is counted apart (a playlist), so the
scan's, `db status`'s and `platforms`' counts add up to the games; a platform a CRC32 + size
match had set, given back by `scan --verify`, is said as such. Real files, real scans, the
real definition pack."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


@pytest.fixture
def run(cli: Any) -> Any:
    pack = str(shared_path("definition-pack"))
    return lambda *args: cli("--pack", pack, *args)


def _scan(run: Any, *args: str) -> Any:
    result = run("--json", "scan", "--workers", "1", *args)
    assert result.code == 0, result.err
    return result


def _added(run: Any, root: Path) -> Path:
    assert run("library", "add", str(root)).code == 0
    return root


def test_a_gdi_raw_track_is_no_file_of_unknown_type(run: Any, tmp_path: Path) -> None:
    disc = tmp_path / "lib/Dreamcast"
    disc.mkdir(parents=True)
    (disc / "track01.bin").write_bytes(b"data" * 600)
    (disc / "track02.raw").write_bytes(b"audio" * 600)
    (disc / "game.gdi").write_text("2\n1 0 4 2352 track01.bin 0\n2 600 0 2352 track02.raw 0\n")
    (disc / "notes.txt").write_text("mine")  # a file of unknown type indeed
    _added(run, tmp_path / "lib")
    for _ in range(2):  # the first scan, and a rescan of the stored disc
        data = _scan(run).json()["data"]
        assert (data["skipped_unknown"], data["skipped_unknown_types"]) == (1, {".txt": 1})
        text = run("scan", "--workers", "1")
        assert ".raw" not in text.out and ".txt 1" in text.out, text.out
    files = run("--json", "games", "show", "1").json()["data"]["files"]
    assert "track02.raw" in [entry["name"] for entry in files]


def test_a_cue_naming_itself_is_said_and_no_game(run: Any, tmp_path: Path) -> None:
    psx = tmp_path / "lib/PSX"
    psx.mkdir(parents=True)
    (psx / "self.cue").write_text(CUE.format("self.cue"))
    (psx / "good.bin").write_bytes(b"disc" * 600)
    (psx / "good.cue").write_text(CUE.format("good.bin"))
    root = _added(run, tmp_path / "lib")
    result = _scan(run)
    data = result.json()["data"]
    errors = {Path(e["path"]).relative_to(root).as_posix(): e["error"] for e in data["errors"]}
    assert errors == {"PSX/self.cue": "names itself as its track; skipped: not a disc sheet, "
                                      "not a game"}
    assert (data["added"], data["not_stored"]) == (1, 1)
    games = run("--json", "games", "ls").json()["data"]["games"]
    assert [game["filename"] for game in games] == ["good.cue"]
    said = run("scan", "--workers", "1", "--full")
    assert "self.cue: names itself as its track; skipped" in said.err + said.out


def test_playlists_are_counted_apart_so_the_counts_add_up(run: Any, tmp_path: Path) -> None:
    disc = tmp_path / "lib/PSX/Two (USA)"
    disc.mkdir(parents=True)
    for number in (1, 2):
        (disc / f"Two (USA) (Disc {number}).bin").write_bytes(bytes([number]) * 2352)
        (disc / f"Two (USA) (Disc {number}).cue").write_text(
            CUE.format(f"Two (USA) (Disc {number}).bin"))
    (disc / "Two (USA).m3u").write_text("Two (USA) (Disc 1).cue\nTwo (USA) (Disc 2).cue\n")
    _added(run, tmp_path / "lib")
    for _ in range(2):  # the first scan (counted from the games), a rescan (from the walk)
        data = _scan(run).json()["data"]
        playlists = sum(game["filename"].endswith(".m3u")
                        for game in run("--json", "games", "ls").json()["data"]["games"])
        assert data["playlists"] == playlists == 1
        assert data["identified"] + data["guessed"] + data["unidentified"] + playlists \
            == data["scanned"] == len(run("--json", "games", "ls").json()["data"]["games"])
        assert ", 1 playlist;" in run("scan", "--workers", "1").out
    status = run("--json", "db", "status").json()["data"]["matches"]
    assert status["playlists"] == 1
    assert "unidentified, 1 playlist (present files)" in run("db", "status").out
    row = next(r for r in run("--json", "platforms").json()["data"] if r["platform_id"] == "psx")
    assert row["playlists"] == 1
    assert row["games"] == (row["hash_matched"] + row["name_guessed"] + row["unidentified"]
                            + row["playlists"])
    assert "playlists" in run("platforms").out


def _dat(name: str, data: bytes, full_hashes_of: bytes) -> str:
    """A DAT whose one ROM has the size and CRC32 of ``data`` and the MD5 and SHA1 of
    ``full_hashes_of``: a CRC32 + size match that --verify withdraws."""
    return (f'clrmamepro (\n\tname "My NES dumps"\n\tversion "t"\n)\n'
            f'game (\n\tname "{name.rsplit(".", 1)[0]}"\n\trom ( name "{name}" '
            f"size {len(data)} crc {zlib.crc32(data):08x} "
            f"md5 {hashlib.md5(full_hashes_of).hexdigest()} "
            f"sha1 {hashlib.sha1(full_hashes_of).hexdigest()} )\n)\n")


def test_a_platform_given_back_by_verify_is_said_so(run: Any, tmp_path: Path) -> None:
    data = (hashlib.sha256(b"gb").digest() * 2048)[:65536]
    (tmp_path / "lib/GB").mkdir(parents=True)
    (tmp_path / "lib/GB/fake.gb").write_bytes(data)
    (tmp_path / "nes.dat").write_text(_dat("Fake (USA).nes", data, data[::-1]))
    assert run("dat", "import", str(tmp_path / "nes.dat"), "--platform", "nes").code == 0
    _added(run, tmp_path / "lib")
    _scan(run)
    games = run("--json", "games", "ls").json()["data"]["games"]
    assert [(g["platform_id"], g["match_method"]) for g in games] == [("nes", "crc32")]
    verified = _scan(run, "--verify").json()
    data_ = verified["data"]
    assert data_["unmatched_by_verify"] == 1
    assert [(item["id"], item["from"], item["to"]) for item in data_["unmatched_refiled"]] \
        == [(games[0]["id"], "nes", "gb")]
    assert data_["unsettled"] == data_["refiled"] == []
    warned = " ".join(verified["warnings"])
    assert "scan --verify withdrew that match" in warned, warned
    assert "DATs imported" not in warned and "moved" not in warned, warned
