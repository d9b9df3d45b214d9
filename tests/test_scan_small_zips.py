"""A small zip is read whole and its members' first bytes are taken straight from its
bytes; what the scan learns is exactly what zipfile's reader gives, and anything unusual
is left to zipfile."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from romrunner.library import containers
from romrunner.library.containers import ContainerError, Member, directory_zip_members


def _never(crc: int, size: int) -> bool:
    return False


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[list[Member] | str, list[Member] | str]:
    """The members (or the error) read in memory, then through zipfile's reader only."""
    def read() -> list[Member] | str:
        try:
            members, problems = directory_zip_members(path, _never)
        except ContainerError as exc:
            return str(exc)
        assert problems == []
        return members

    in_memory = read()
    monkeypatch.setattr(containers, "SMALL_ZIP_BYTES", 0)
    streamed = read()
    monkeypatch.undo()
    return in_memory, streamed


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                    zipfile.ZIP_LZMA])
@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 70_000])
def test_members_heads_are_what_zipfile_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              method: int, size: int) -> None:
    data = bytes((i * 7 + i // 300) % 256 for i in range(size))
    path = tmp_path / "game.zip"
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("Game (USA).gba", data)
        archive.writestr("sub/Ünïcode name.gba", data[::-1])
    in_memory, streamed = _both_ways(path, monkeypatch)
    assert in_memory == streamed
    assert isinstance(in_memory, list)
    assert [m.head for m in in_memory] == [data[:512], data[::-1][:512]]
    assert [m.hashes.size for m in in_memory] == [size, size]
    assert not any(m.verified for m in in_memory)


def test_a_local_header_that_disagrees_with_the_directory_is_left_to_zipfile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Game A.gba", bytes(range(256)) * 8)
    raw = bytearray(path.read_bytes())
    local = raw.index(b"Game A.gba")  # the local header's name, before the directory's
    raw[local + 5] = ord("B")
    path.write_bytes(bytes(raw))
    in_memory, streamed = _both_ways(path, monkeypatch)
    assert in_memory == streamed
    assert isinstance(in_memory, str) and "corrupt or unsupported zip" in in_memory


def test_a_member_with_a_header_is_still_hashed_in_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rom = b"NES\x1a" + bytes(12) + bytes(range(256)) * 64
    path = tmp_path / "Nes Game.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Nes Game.nes", rom)
    in_memory, streamed = _both_ways(path, monkeypatch)
    assert in_memory == streamed
    assert isinstance(in_memory, list)
    (member,) = in_memory
    assert member.verified and member.hashes.header_size == 16 and member.hashes.sha1
