"""`games show` says what is true of an unidentified game (QA11 N6).

Before: a game set by hand to nes whose data the SNES DAT has was "not identified (no
imported catalog has this data)"; after `dat rm` of the catalog that moved a game to snes,
"platform snes (from the matched catalog)" stood beside "not identified". Real scans and DAT
imports, with both packs.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

SNES_DAT = "Nintendo - Super Nintendo Entertainment System"


def _data(seed: str, size: int = 8192) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any, tmp_path: Path) -> Any:
    """An SNES ROM in `NES/` (the SNES DAT moves it to snes) and an NES ROM no catalog
    has; scanned. Their ids by file name in ``run.ids``."""
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))

    def call(*args: str) -> Any:
        return cli(*pack, *args)

    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    snes = _data("snes")
    (root / "NES" / "Plain Copy.nes").write_bytes(snes)
    (root / "NES" / "Other (USA).nes").write_bytes(_data("other"))
    (tmp_path / "snes.dat").write_text(
        f'clrmamepro (\n\tname "{SNES_DAT}"\n\tversion "t"\n)\ngame (\n\tname "Plain (USA)"\n'
        f'\trom ( name "Plain (USA).sfc" size {len(snes)} crc {zlib.crc32(snes):08x} '
        f'sha1 {hashlib.sha1(snes).hexdigest()} )\n)\n')
    for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                 ("library", "add", str(root)), ("scan", "--workers", "1")):
        result = call(*args)
        assert result.code == 0, (args, result.err)
    games = call("--json", "games", "ls").json()["data"]["games"]
    call.ids = {row["filename"]: str(row["id"]) for row in games}  # type: ignore[attr-defined]
    return call


def _lines(run: Any, game: str) -> dict[str, str]:
    shown = run("games", "show", game)
    assert shown.code == 0, shown.err
    return {line.split()[0]: line.split(None, 1)[1] for line in shown.out.splitlines()[1:]
            if line.startswith("  ") and not line.startswith("    ")}


def _named(having: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Which catalog games ``catalogs_with_data`` names (not by which hash)."""
    return [{key: row[key] for key in ("dat", "platform_id", "name")} for row in having]


def test_a_game_set_by_hand_away_from_the_catalog_with_its_data_says_so(run: Any) -> None:
    plain = run.ids["Plain Copy.nes"]
    assert _lines(run, plain)["match"] == "Plain (USA), by crc32"  # hashed CRC32 first
    assert run("games", "set-platform", "nes", plain).code == 0
    lines = _lines(run, plain)
    assert lines["platform"] == "nes (set by hand)"
    assert lines["match"] == (f"not identified, though the snes catalog has this data "
                              f"(Plain (USA) in {SNES_DAT}); its platform was set by hand to "
                              "nes")
    shown = run("--json", "games", "show", plain).json()["data"]
    assert _named(shown["catalogs_with_data"]) == [
        {"dat": SNES_DAT, "platform_id": "snes", "name": "Plain (USA)"}]
    # known by its SHA1 too (a CRC32 and size that agree beside a SHA1 that does not would
    # not be this data): the same
    assert run("scan", "--verify", "--workers", "1").code == 0
    verified = run("--json", "games", "show", plain).json()["data"]
    assert verified["file_sha1"] and verified["platform_id"] == "nes"
    assert _named(verified["catalogs_with_data"]) == [
        {"dat": SNES_DAT, "platform_id": "snes", "name": "Plain (USA)"}]
    # a game no catalog has stays worded as before
    other = run.ids["Other (USA).nes"]
    assert _lines(run, other)["match"] == "not identified (no imported catalog has this data)"
    assert run("--json", "games", "show", other).json()["data"]["catalogs_with_data"] == []


def test_after_dat_rm_the_platform_a_catalog_set_goes_back_to_its_folders(
        run: Any) -> None:
    plain = run.ids["Plain Copy.nes"]
    assert _lines(run, plain)["platform"] == "snes (from the matched catalog)"
    assert run("dat", "rm", SNES_DAT).code == 0
    lines = _lines(run, plain)
    # (the platform the catalog set goes back to what its folder says once the catalog is
    # gone, as a fresh scan gives: QA154 F6, aac9a96)
    assert lines["platform"] == "nes (from the folder name)"
    assert lines["match"] == "not identified (no imported catalog has this data)"
