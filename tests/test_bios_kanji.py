"""A Kanji font ROM is a part of its own, and optional (QA107 F4).

The real pack marks 3DO's three Kanji font ROMs required, and BIOS groups were formed by size:
a 1 MiB font ROM satisfied the 3DO BIOS group, and a good BIOS alone was told "will not run".
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

from romrunner.bios.check import emulator_groups, is_kanji_rom, platform_groups
from romrunner.packs.model import BiosEntry
from tests.conftest import shared_path


def _entry(entry_id: str, filename: str, size: int) -> BiosEntry:
    return BiosEntry(id=entry_id, name=entry_id, filename=filename, platform_id="3do",
                     required=True, hle_fallback=False, known_hashes=(), file_size=size,
                     required_for_emulators=("opera",))


def test_kanji_roms_are_named_as_such() -> None:
    assert is_kanji_rom(_entry("a", "panafz1j-kanji.bin", 1))
    assert is_kanji_rom(_entry("b", "quasi88/n88knj1.rom", 1))
    assert is_kanji_rom(_entry("c", "KANJI.ROM", 1))
    assert not is_kanji_rom(_entry("d", "panafz10.bin", 1))


def test_a_kanji_rom_of_a_bios_size_is_an_optional_group_of_its_own() -> None:
    entries = [_entry("fz10", "panafz10.bin", 1 << 20), _entry("fz1j", "panafz1j.bin", 1 << 20),
               _entry("k1", "panafz1j-kanji.bin", 1 << 20), _entry("k2", "panafz1-kanji.bin",
                                                                   933636)]
    for groups in (platform_groups(entries), emulator_groups(entries, "opera")):
        shape = sorted((g.required, sorted(e.id for e in g.entries)) for g in groups)
        assert shape == [(False, ["k1", "k2"]), (True, ["fz10", "fz1j"])]


def _payload(seed: str, size: int) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


def _pack_knowing(tmp_path: Path, dumps: dict[str, bytes]) -> Path:
    """The real pack, with each entry of ``dumps`` (by filename) knowing that file's hashes."""
    pack = tmp_path / "pack"
    shutil.copytree(shared_path("definition-pack"), pack)
    data = json.loads((pack / "bios-hashes.json").read_text(encoding="utf-8"))
    for entry in data["biosFiles"]:
        payload = dumps.get(entry["filename"])
        if payload is not None:
            assert entry["platformId"] == "3do" and entry["required"] is True
            entry["fileSize"] = len(payload)
            entry["knownHashes"] = [{"md5": hashlib.md5(payload).hexdigest(),
                                     "sha1": hashlib.sha1(payload).hexdigest(),
                                     "crc32": f"{zlib.crc32(payload):08x}",
                                     "isPreferred": True}]
    (pack / "bios-hashes.json").write_text(json.dumps(data), encoding="utf-8")
    return pack


def _check_3do(cli: Any, pack: Path, folder: Path,
               *db: str) -> tuple[int, list[dict[str, Any]]]:
    assert cli(*db, "--pack", pack, "bios", "scan", folder).code == 0
    result = cli(*db, "--pack", pack, "--json", "bios", "check", "--platform", "3do")
    return result.code, result.json()["data"]["groups"]


def test_a_good_3do_bios_alone_runs_and_a_font_rom_alone_does_not(cli: Any,
                                                                  tmp_path: Path) -> None:
    dumps = {"panafz10.bin": _payload("fz10", 1 << 20),
             "panafz1j-kanji.bin": _payload("kanji", 1 << 20)}
    pack = _pack_knowing(tmp_path, dumps)
    bios_only, kanji_only = tmp_path / "bios", tmp_path / "fonts"
    bios_only.mkdir()
    kanji_only.mkdir()
    (bios_only / "panafz10.bin").write_bytes(dumps["panafz10.bin"])
    (kanji_only / "panafz1j-kanji.bin").write_bytes(dumps["panafz1j-kanji.bin"])

    code, groups = _check_3do(cli, pack, bios_only)
    required = [g for g in groups if g["required"]]
    assert code == 0 and required and all(g["status"] == "satisfied" for g in required)
    fonts = [g for g in groups if any("kanji" in e["filename"] for e in g["one_of"])]
    assert len(fonts) == 1 and not fonts[0]["required"]
    assert all("kanji" in e["filename"] for e in fonts[0]["one_of"])

    code, groups = _check_3do(cli, pack, kanji_only, "--db", str(tmp_path / "fonts.db"))
    bios = [g for g in groups if any(e["filename"] == "panafz10.bin" for e in g["one_of"])]
    assert bios[0]["required"] and bios[0]["status"] == "missing-blocking"
    assert not bios[0]["present"]
