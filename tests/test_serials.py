"""Disc ids read from real ISO 9660 images (built with pycdlib) and disc headers."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from romrunner.library.serials import normalise_serial, read_disc_id

pycdlib = pytest.importorskip("pycdlib", reason="pycdlib (a dev dependency) builds the test ISOs")


def build_iso(path: Path, files: dict[str, bytes]) -> Path:
    """A real ISO 9660 image holding ``files`` in its root."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=1)
    iso.add_fp(io.BytesIO(b"padding" * 100), 700, "/DATA.BIN;1")
    for name, data in files.items():
        iso.add_fp(io.BytesIO(data), len(data), f"/{name};1")
    iso.write(str(path))
    iso.close()
    return path


def to_raw_mode2(iso: Path, bin_path: Path) -> Path:
    """The same image as raw 2352-byte Mode 2 Form 1 sectors, as a PS1 .bin holds it."""
    data = iso.read_bytes()
    out = bytearray()
    for lba in range(len(data) // 2048):
        out += b"\x00" + b"\xff" * 10 + b"\x00"
        out += bytes([0, 2, lba % 75, 2]) + b"\x00\x00\x08\x00" * 2
        out += data[lba * 2048:(lba + 1) * 2048] + b"\x00" * 280
    bin_path.write_bytes(bytes(out))
    return bin_path


def test_ps2_serial_from_system_cnf(tmp_path: Path) -> None:
    image = build_iso(tmp_path / "game.iso", {
        "SYSTEM.CNF": b"BOOT2 = cdrom0:\\SLUS_203.12;1\r\nVER = 1.00\r\nVMODE = NTSC\r\n"})
    found = read_disc_id(image, "ps2")
    assert found is not None and (found.value, found.kind, found.source) == \
        ("SLUS-20312", "serial", "SYSTEM.CNF")


def test_ps1_serial_from_a_raw_bin(tmp_path: Path) -> None:
    cnf = b"BOOT = cdrom:\\SCUS_944.55;1\nTCB = 4\n"
    iso = build_iso(tmp_path / "ps1.iso", {"SYSTEM.CNF": cnf})
    image = to_raw_mode2(iso, tmp_path / "ps1.bin")
    found = read_disc_id(image, "psx")
    assert found is not None and found.value == "SCUS-94455"
    assert read_disc_id(image) == found  # no platform: every reader is tried


def test_psp_title_id_from_umd_data(tmp_path: Path) -> None:
    image = build_iso(tmp_path / "psp.iso", {"UMD_DATA.BIN": b"ULUS-10041|0001|G|0"})
    found = read_disc_id(image, "psp")
    assert found is not None and found.value == "ULUS-10041"


def _nintendo_header(game_id: bytes, wii: bool) -> bytes:
    header = bytearray(0x440)
    header[:6] = game_id
    struct.pack_into(">I", header, 0x18 if wii else 0x1C, 0x5D1C9EA3 if wii else 0xC2339F3D)
    header[0x20:0x30] = b"Some Title\x00\x00\x00\x00\x00\x00"
    return bytes(header)


def test_gamecube_and_wii_game_ids(tmp_path: Path) -> None:
    gc = tmp_path / "melee.iso"
    gc.write_bytes(_nintendo_header(b"GALE01", wii=False) + b"\x00" * 4096)
    wii = tmp_path / "wii.wbfs"
    wii.write_bytes(b"WBFS" + b"\x00" * (0x200 - 4) + _nintendo_header(b"RMCE01", wii=True))
    found_gc, found_wii = read_disc_id(gc, "gamecube"), read_disc_id(wii, "wii")
    assert found_gc is not None and (found_gc.value, found_gc.kind) == ("GALE01", "game-id")
    assert found_wii is not None and found_wii.value == "RMCE01"


def test_images_without_an_id_give_none(tmp_path: Path) -> None:
    short = tmp_path / "short.iso"
    short.write_bytes(b"\x00" * 100)
    no_cnf = build_iso(tmp_path / "nocnf.iso", {"README.TXT": b"hello"})
    bad_boot = build_iso(tmp_path / "bad.iso", {"SYSTEM.CNF": b"BOOT2 = cdrom0:\\MAIN.ELF;1"})
    text = tmp_path / "game.sfc"
    text.write_bytes(b"x" * 4096)
    for path in (short, no_cnf, bad_boot, text, tmp_path / "absent.iso"):
        assert read_disc_id(path) is None


@pytest.mark.parametrize("spelling", ["SLUS-20312", "SLUS 20312", "SLUS_203.12", "slus20312",
                                      " SLUS-203.12 "])
def test_serial_spellings_normalise_to_one(spelling: str) -> None:
    assert normalise_serial(spelling) == "SLUS-20312"


def test_psp_ids_and_non_serials() -> None:
    assert normalise_serial("ULUS10041") == "ULUS-10041"
    for text in ("MAIN.ELF", "SLUS-2031", "12345-SLUS", ""):
        assert normalise_serial(text) is None


@given(st.text(max_size=20))
def test_normalise_is_stable(text: str) -> None:
    serial = normalise_serial(text)
    if serial is not None:
        assert normalise_serial(serial) == serial
