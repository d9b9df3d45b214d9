"""A platform a catalog's match settled follows the catalogs: `dat rm` then the same DAT
imported back leaves the library as a fresh scan with those DATs makes it (a `.nes` zipped
in `NES/` whose data an NES and an SNES DAT list is nes; a `.bin` zipped outside any
platform folder is undecided), each command naming the games it re-files; and
`scan --full`'s counters name the real cause of a change (a catalog match that no longer
holds is no moved file nor pack update; a SHA1 the lost catalog game lists is no bad dump).
Real DAT files, real zips, real scans, the real definition pack."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.importer import import_dats
from romrunner.store.open import OpenMode, open_database
from tests.conftest import shared_path

NES_DAT, SNES_DAT = "My NES dumps", "My SNES dumps"
SHARED = (hashlib.sha256(b"shared").digest() * 2048)[:65536]  # in both DATs


def _dat(system: str, name: str, data: bytes) -> str:
    return (f'clrmamepro (\n\tname "{system}"\n\tversion "t"\n)\n'
            f'game (\n\tname "{name.rsplit(".", 1)[0]}"\n\trom ( name "{name}" '
            f"size {len(data)} crc {zlib.crc32(data):08x} md5 {hashlib.md5(data).hexdigest()} "
            f"sha1 {hashlib.sha1(data).hexdigest()} )\n)\n")


@pytest.fixture
def run(cli: Any) -> Any:
    pack = str(shared_path("definition-pack"))
    return lambda *args: cli("--pack", pack, *args)


@pytest.fixture
def library(run: Any, tmp_path: Path) -> Path:
    """`NES/shared.zip` (member `shared.nes`) and `mixed/shared.zip` (member `shared.bin`),
    the same data; the DATs written, not imported; the root added."""
    root = tmp_path / "lib"
    for folder, member in (("NES", "shared.nes"), ("mixed", "shared.bin")):
        (root / folder).mkdir(parents=True)
        with zipfile.ZipFile(root / folder / "shared.zip", "w") as archive:
            archive.writestr(member, SHARED)
    (tmp_path / "nes.dat").write_text(_dat(NES_DAT, "Shared (Japan).nes", SHARED))
    (tmp_path / "snes.dat").write_text(_dat(SNES_DAT, "Shared (USA).sfc", SHARED))
    assert run("library", "add", str(root)).code == 0
    return root


def _platforms(run: Any) -> dict[str, str]:
    games = run("--json", "games", "ls").json()["data"]["games"]
    return {str(game["id"]): game["platform_id"] for game in games}


def _moves(result: Any) -> list[tuple[str, str, str]]:
    return [(m["filepath"], m["before"], m["after"])
            for m in result.json()["data"]["platform_changed"]]


def test_dat_rm_then_the_same_dat_imported_is_a_fresh_scan(
        run: Any, library: Path, tmp_path: Path) -> None:
    nes, snes = str(tmp_path / "nes.dat"), str(tmp_path / "snes.dat")
    for args in (("dat", "import", nes, "--platform", "nes"),
                 ("dat", "import", snes, "--platform", "snes"), ("scan", "--workers", "1")):
        assert run(*args).code == 0, args
    fresh = _platforms(run)
    assert sorted(fresh.values()) == ["nes", "unknown"]  # the folder; two platforms' data
    removed = run("--json", "dat", "rm", NES_DAT)
    assert removed.code == 0, removed.err
    assert _moves(removed) == [("NES/shared.zip", "nes", "snes"),
                               ("mixed/shared.zip", "unknown", "snes")]
    imported = run("--json", "dat", "import", nes, "--platform", "nes")
    assert imported.code == 0, imported.err
    assert _moves(imported) == [("NES/shared.zip", "snes", "nes"),
                                ("mixed/shared.zip", "snes", "unknown")]
    # (the one left of undecided platform is said apart, with its fix: qa187 F5)
    warnings = imported.json()["warnings"]
    assert any("1 game now of another platform" in w for w in warnings), warnings
    assert any("1 game now of undecided platform" in w and "games set-platform" in w
               for w in warnings), warnings
    assert _platforms(run) == fresh
    full = run("--json", "scan", "--full", "--workers", "1").json()["data"]
    assert (full["refiled"], full["unsettled"], full["unmatched_by_verify"]) == ([], [], 0)


def test_dat_rm_gives_back_the_platform_its_match_had_settled(
        run: Any, library: Path, tmp_path: Path) -> None:
    for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                 ("scan", "--workers", "1")):
        assert run(*args).code == 0, args
    assert sorted(_platforms(run).values()) == ["snes", "snes"]  # only the SNES DAT has it
    removed = run("--json", "dat", "rm", SNES_DAT)
    assert removed.code == 0, removed.err
    assert _moves(removed) == [("NES/shared.zip", "snes", "nes"),
                               ("mixed/shared.zip", "snes", "unknown")]
    full = run("--json", "scan", "--full", "--workers", "1").json()["data"]
    assert (full["refiled"], full["unsettled"]) == ([], [])


def test_scan_full_names_a_catalog_match_that_no_longer_holds(
        run: Any, library: Path, tmp_path: Path, db_path: Path) -> None:
    """A library the catalogs left under the removed catalog's platform (an importer given
    no pack does not decide platforms again, as releases before this one did not)."""
    nes, snes = tmp_path / "nes.dat", tmp_path / "snes.dat"
    for args in (("dat", "import", str(nes), "--platform", "nes"),
                 ("dat", "import", str(snes), "--platform", "snes"),
                 ("scan", "--workers", "1"), ("dat", "rm", NES_DAT)):
        assert run(*args).code == 0, args
    db = open_database(db_path, OpenMode.WRITE).db
    import_dats(db, [nes], platform_id="nes")
    db.close()
    assert sorted(_platforms(run).values()) == ["snes", "snes"]
    full = run("--json", "scan", "--full", "--workers", "1")
    assert full.code == 0, full.err
    data = full.json()["data"]
    assert data["refiled"] == []  # no file moved, no pack changed
    assert [(item["from"], item["to"]) for item in data["unsettled"]] == [
        ("snes", "nes"), ("snes", "unknown")]
    assert data["unmatched_by_verify"] == 0  # the SNES DAT lists its SHA1: no bad dump
    warned = " ".join(full.json()["warnings"])
    assert "catalog match" in warned and "moved" not in warned, warned
