"""QA6 B-4 (pack data): the real pack's PS1 SHA1s disagree with libretro's System.dat; a real
dump still verifies (by MD5 and size), and `pack validate` / `pack status` name and count such
disagreements, within the pack and against a BIOS DAT. Real pack, real DAT, real SQLite."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from romrunner.bios.verify import verify
from romrunner.library.hashing import Hashes
from romrunner.packs import load_pack
from romrunner.packs.loader import builtin_pack_path
from tests.conftest import shared_path


def dump(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


def hashes_of(data: bytes, preferred: bool = True, **wrong: str) -> dict[str, Any]:
    return {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
            "crc32": f"{zlib.crc32(data):08x}", "isPreferred": preferred, **wrong}


def bios_entry(entry_id: str, filename: str, platform: str, data: bytes, *,
               known: list[dict[str, Any]] | None = None, hle: bool = False,
               required: bool = True, size: int | None = None) -> dict[str, Any]:
    return {"id": entry_id, "name": entry_id, "filename": filename, "platformId": platform,
            "required": required, "hleFallback": hle,
            "knownHashes": known if known is not None else [hashes_of(data)],
            "fileSize": size if size is not None else len(data)}


def write_pack(root: Path, entries: list[dict[str, Any]]) -> Path:
    pack = root / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    data = json.loads((pack / "bios-hashes.json").read_text())
    data["biosFiles"] = entries
    (pack / "bios-hashes.json").write_text(json.dumps(data))
    return pack


def corrupt(value: str) -> str:
    """The first 16 hex digits kept, the rest changed (as the real pack's PS1 SHA1s are)."""
    return value[:16] + "".join("0" if c != "0" else "1" for c in value[16:])


def test_real_pack_ps1_dumps_verify_by_md5_against_its_wrong_sha1s() -> None:
    """The real pack's PS1 SHA1s disagree with libretro's System.dat (16 hex digits, then
    not); a file with System.dat's hashes (what a real dump has) verifies."""
    pack = load_pack(shared_path("definition-pack"))
    dat = shared_path("dats", "system", "System.dat").read_text()
    line = next(line for line in dat.splitlines() if "name scph5501.bin" in line).split()
    field = {line[i]: line[i + 1] for i in range(len(line) - 1)}
    real = Hashes(int(field["size"]), field["crc"].lower(), field["md5"], field["sha1"])
    sha1_in_pack = next(k.sha1 for e in pack.bios if e.id == "psx-bios-scph5501"
                        for k in e.known_hashes)
    assert sha1_in_pack and sha1_in_pack[:14] == real.sha1[:14] and sha1_in_pack != real.sha1
    verdicts = {v.entry_id: v for v in verify(pack.index, real, "scph5501.bin")}
    assert verdicts["psx-bios-scph5501"].status == "exact_match"
    assert verdicts["psx-bios-scph5501"].matched_hash == "md5"
    assert "sha1" in (verdicts["psx-bios-scph5501"].note or "")


def test_pack_validate_and_status_name_the_disagreements(cli: Any, tmp_path: Path,
                                                        db_path: Path) -> None:
    one = dump("one", 1024)
    pack = write_pack(tmp_path, [
        bios_entry("eur", "eur.bin", "psx", one, known=[hashes_of(
            one, sha1=corrupt(hashlib.sha1(one).hexdigest()))]),
        bios_entry("eur-twin", "eur-twin.bin", "psx", one),
    ])
    result = cli("--json", "pack", "validate", pack)
    assert result.code == 1
    (line,) = result.json()["data"]["bios_hash_disagreements"]
    assert "'eur' and 'eur-twin' both give md5" in line and "one of them is wrong" in line
    dat = tmp_path / "System.dat"
    dat.write_text('clrmamepro (\n\tname "System"\n)\ngame (\n\tname "System"\n'
                   '\tcomment "Sony - PlayStation"\n'
                   f'\trom ( name eur.bin size 1024 crc {zlib.crc32(one):08X} '
                   f'md5 {hashlib.md5(one).hexdigest()} sha1 {hashlib.sha1(one).hexdigest()} )'
                   "\n)\n")
    with_dat = cli("--json", "pack", "validate", pack, "--bios-dat", dat).json()["data"]
    against = [p for p in with_dat["bios_hash_disagreements"] if "System.dat" in p]
    assert len(against) == 1 and "'eur' vs System.dat eur.bin: same dump by md5, crc32 and " \
        "size, but sha1" in against[0]
    assert cli("--pack", pack, "bios", "import-dat", dat).code == 0
    status = cli("--json", "--pack", pack, "pack", "status").json()["data"]
    assert status["bios_hash_disagreements"] == {"within_pack": 1, "with_imported_dats": 1}
    with sqlite3.connect(db_path) as conn:  # status counts what import-dat stored
        assert conn.execute("SELECT count(*) FROM bios_extra_hashes").fetchone()[0] == 1


def test_real_pack_validate_against_real_system_dat_names_the_ps1_sha1s(cli: Any) -> None:
    real = shared_path("definition-pack")
    dat = shared_path("dats", "system", "System.dat")
    data = cli("--json", "pack", "validate", real, "--bios-dat", dat).json()["data"]
    lines = data["bios_hash_disagreements"]
    sha1_only = [line for line in lines if "same dump by md5, crc32 and size, but sha1" in line]
    named = {line.split("'")[1] for line in sha1_only}
    assert {"psx-bios-scph5501", "psx-bios-scph1000", "psx-bios-scph3000",
            "psx-bios-psxonpsp660"} <= named
    assert any("'psx-bios-eur' and 'psx-bios-scph5552'" in line for line in lines)


def test_a_dump_the_pack_in_use_no_longer_knows_is_not_verified(
        cli: Any, tmp_path: Path) -> None:
    """Verdicts follow the pack in use, from the hashes `bios scan` stored (no file read):
    a dump pack A knows, scanned with A, is no good dump with a pack that does not know it
    (QA25 F3: it stayed "verified" and was deployed until `bios scan` ran again)."""
    data = bytes(range(256)) * 64  # 16 KiB, the size of gba_bios.bin
    bios = tmp_path / "bios"
    bios.mkdir()
    (bios / "gba_bios.bin").write_bytes(data)
    pack_a = tmp_path / "pack-a"
    shutil.copytree(builtin_pack_path(), pack_a)
    hashes = json.loads((pack_a / "bios-hashes.json").read_text(encoding="utf-8"))
    entry = next(e for e in hashes["biosFiles"] if e["id"] == "gba-bios")
    entry["knownHashes"].insert(0, {"md5": hashlib.md5(data).hexdigest(),
                                    "sha1": hashlib.sha1(data).hexdigest(),
                                    "crc32": f"{zlib.crc32(data):08x}", "isPreferred": True})
    (pack_a / "bios-hashes.json").write_text(json.dumps(hashes), encoding="utf-8")
    assert cli("--pack", pack_a, "bios", "scan", bios).code == 0

    def status(*pack: Any) -> str:
        report = cli(*pack, "--json", "bios", "check", "--platform", "gba").json()["data"]
        (group,) = [g for g in report["groups"] if g["platform_id"] == "gba"]
        return str(group["status"])

    assert status("--pack", pack_a) == "satisfied"
    assert status() != "satisfied"  # the built-in pack does not know this dump
    assert status("--pack", pack_a) == "satisfied"  # and back, with no scan between
