"""An upgraded library gets this release's platform rules at its next scan (QA11 N1): rows an
earlier release stored by its folder-first rules (an SNES `.sfc` or `.7z` in `NES/` kept nes,
no catalog settled a platform) are decided again once, without hashing, and the summary
says which games changed platform; ids, collections and platforms set by hand are kept. A
library already at the current rules version reads one value and does nothing more.

The earlier release is the scan run with its folder-first ``detect_platform`` and the rules
version forced back, then its rows' matches written as it wrote them (a game matched only its
own platform's catalogs). Real scans, real DAT imports, with both packs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import py7zr
import pytest

from romrunner.library import platforms, redecide
from romrunner.library.platforms import UNKNOWN, PlatformGuess, sniff_platform
from romrunner.packs.index import PackIndex
from romrunner.store.database import Database
from tests.conftest import shared_path
from tests.test_platform_by_catalog import _dat, _data

SNES_DAT = "Nintendo - Super Nintendo Entertainment System"
NES_DAT = "Nintendo - Nintendo Entertainment System"


def _old_detect_platform(index: PackIndex, folders: list[str], extension: str,
                         head: bytes = b"") -> PlatformGuess:
    """detect_platform as the release before the extension-first rules had it (1b13785):
    a folder naming one platform wins."""
    by_extension = index.platforms_for_extension(extension)
    for folder in folders:
        claimed = index.platforms_for_folder(folder)
        if len(claimed) == 1:
            return PlatformGuess(claimed[0], "folder")
        if len(claimed) > 1:
            narrowed = tuple(p for p in claimed if p in by_extension) or claimed
            if len(narrowed) == 1:
                return PlatformGuess(narrowed[0], "folder")
            return PlatformGuess(UNKNOWN, "unknown", narrowed)
    if len(by_extension) == 1:
        return PlatformGuess(by_extension[0], "extension")
    sniffed = sniff_platform(head) if head else None
    if sniffed and (not by_extension or sniffed in by_extension or extension in {".zip", ".7z"}):
        return PlatformGuess(sniffed, "header")
    return PlatformGuess(UNKNOWN, "unknown", by_extension)


def _gb_rom(seed: str) -> bytes:
    data = bytearray(_data(seed, 32768))
    data[0x104:0x10C] = bytes.fromhex("ceed6666cc0d000b")  # the Nintendo logo's start
    data[0x143] = 0  # not a Game Boy Color ROM
    return bytes(data)


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any) -> Any:
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))
    return lambda *args: cli(*pack, *args)


def _games(run: Any) -> dict[str, Any]:
    rows = run("--json", "games", "ls", "--limit", "100").json()["data"]["games"]
    return {row["filename"]: row for row in rows}


def _platforms(run: Any) -> dict[str, str]:
    return {name: row["platform_id"] for name, row in _games(run).items()}


@pytest.fixture
def old_library(run: Any, tmp_path: Path, db_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`NES/` holding an SNES `.sfc` no DAT has, an SNES `.7z` (member `.sfc`), a `.7z`
    whose member is named `.nes` but is SNES data, an SNES ROM renamed `.nes`, a ROM both
    DATs list, a real NES ROM, and an `.sfc` set to nes by hand; scanned by the earlier
    release's rules; two games in a collection. Games by file name, as the earlier release
    left them."""
    seven, plain, shared, nes = (_data("seven"), _data("plain"), _data("both"),
                                 _data("nes", 16384))
    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    (root / "NES" / "Plain Copy.nes").write_bytes(plain)
    (root / "NES" / "Smc Copy.sfc").write_bytes(_data("smc"))
    (root / "NES" / "Hand.sfc").write_bytes(_data("hand"))
    with py7zr.SevenZipFile(root / "NES" / "Seven (USA).7z", "w") as archive:
        archive.writestr(seven, "Seven (USA).sfc")
    with py7zr.SevenZipFile(root / "NES" / "Seven Copy.7z", "w") as archive:
        archive.writestr(seven, "Seven Copy.nes")
    (root / "NES" / "Both (USA).nes").write_bytes(shared)
    (root / "NES" / "Real (USA).nes").write_bytes(nes)
    for name in ("Pocket.gb", "Gone.gb"):  # gb by their header (.gb: gb and gbc list it)
        (root / "Misc").mkdir(exist_ok=True)
        (root / "Misc" / name).write_bytes(_gb_rom(name))
    (tmp_path / "snes.dat").write_text(_dat(SNES_DAT, {
        "Seven (USA).sfc": seven, "Plain (USA).sfc": plain, "Both (USA).sfc": shared}))
    (tmp_path / "nes.dat").write_text(_dat(NES_DAT, {"Real (USA).nes": nes,
                                                     "Both (USA).nes": shared}))
    with monkeypatch.context() as earlier:
        earlier.setattr(platforms, "detect_platform", _old_detect_platform)
        earlier.setattr(redecide, "PLATFORM_RULES_VERSION", 1)
        for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                     ("dat", "import", str(tmp_path / "nes.dat"), "--platform", "nes"),
                     ("library", "add", str(root)), ("scan", "--workers", "1")):
            result = run(*args)
            assert result.code == 0, (args, result.err)
    # The earlier release matched a game in its own platform's catalogs only: what this
    # release's identification settled is put back as it stored it.
    conn = Database(db_path)
    with conn.atomic():
        conn.execute("UPDATE game_files SET matched_game_id = NULL, match_method = NULL "
                     "WHERE game_id IN (SELECT id FROM games WHERE platform_source = 'catalog')")
        conn.execute("UPDATE games SET platform_id = 'nes', platform_source = 'folder', "
                     "matched_game_id = NULL, match_method = NULL "
                     "WHERE platform_source = 'catalog'")
    assert conn.scalar("SELECT count(*) FROM user_settings WHERE key = ?",
                       (redecide.RULES_KEY,)) == 0
    conn.close()
    games = _games(run)
    assert run("games", "set-platform", "nes", str(games["Hand.sfc"]["id"])).code == 0
    assert run("collection", "create", "keep").code == 0
    assert run("collection", "add", "keep", str(games["Smc Copy.sfc"]["id"]),
               str(games["Plain Copy.nes"]["id"])).code == 0
    assert set(_platforms(run).values()) == {"nes", "gb"}  # all of NES/ was nes
    return games


def test_the_first_scan_after_the_upgrade_decides_the_platforms_again(
        run: Any, old_library: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    (tmp_path / "lib" / "Misc" / "Gone.gb").unlink()  # its header cannot be read again
    result = run("--json", "scan", "--workers", "1")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert (data["bytes_hashed"], data["unchanged"], data["added"], data["missing"]) == (
        0, 8, 0, 1)
    ids = {name: row["id"] for name, row in old_library.items()}
    assert data["platform_changed"] == [
        {"id": ids[name], "path": f"NES/{name}", "from": "nes", "to": "snes"}
        for name in ("Plain Copy.nes", "Seven (USA).7z", "Seven Copy.7z", "Smc Copy.sfc")]
    games = _games(run)
    assert {name: row["platform_id"] for name, row in games.items()} == {
        "Plain Copy.nes": "snes", "Seven (USA).7z": "snes", "Seven Copy.7z": "snes",
        "Smc Copy.sfc": "snes", "Both (USA).nes": "nes", "Real (USA).nes": "nes",
        "Hand.sfc": "nes", "Pocket.gb": "gb", "Gone.gb": "gb"}
    assert {name: row["id"] for name, row in games.items()} == ids  # the same games
    sources = {name: run("--json", "games", "show", str(ids[name])).json()["data"][
        "platform_source"] for name in ids}
    assert sources == {"Plain Copy.nes": "catalog", "Seven (USA).7z": "extension",
                       "Seven Copy.7z": "catalog", "Smc Copy.sfc": "extension",
                       "Both (USA).nes": "folder", "Real (USA).nes": "folder",
                       "Hand.sfc": "user", "Pocket.gb": "header", "Gone.gb": "header"}
    kept = run("--json", "collection", "show", "keep").json()["data"]["games"]
    assert sorted(int(row["id"]) for row in kept) == sorted(
        [ids["Smc Copy.sfc"], ids["Plain Copy.nes"]])
    counts = {row["platform_id"]: row["games"]
              for row in run("--json", "platforms").json()["data"]}
    assert counts == {"nes": 3, "snes": 4, "gb": 2}
    # once: a rescan at the current rules version reads one value and decides nothing
    monkeypatch.setattr(redecide, "_decide_again", _must_not_run)
    again = run("--json", "scan", "--workers", "1").json()["data"]
    assert (again["platform_changed"], again["bytes_hashed"]) == ([], 0)


def test_the_summary_names_the_games_that_changed_platform(
        run: Any, old_library: dict[str, Any]) -> None:
    result = run("scan", "--workers", "1")
    assert result.code == 0, result.err
    said = " ".join(result.out.split())
    assert ("4 games stored by an earlier release are now filed under another platform "
            "(by today's rules: a file's extension before its folder's name, a folder named "
            "as a platform's own name or as a frontend names it decides it, a name frontends "
            "give to different platforms decides none, a catalog's hash match settles it): "
            "NES/Plain Copy.nes nes → snes, NES/Seven (USA).7z nes → snes, "
            "NES/Seven Copy.7z nes → snes and 1 more (--json lists them); ids, collections, "
            "overrides and platforms set by hand kept") in said, said


def test_a_new_library_starts_at_the_current_rules_version(
        run: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    (root / "NES" / "Smc Copy.sfc").write_bytes(_data("smc"))
    assert run("library", "add", str(root)).code == 0
    first = run("--json", "scan", "--workers", "1").json()["data"]
    assert first["platform_changed"] == [] and first["added"] == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.RULES_KEY,)).fetchone() == (
            str(platforms.PLATFORM_RULES_VERSION),)
    monkeypatch.setattr(redecide, "_decide_again", _must_not_run)
    assert run("--json", "scan", "--workers", "1").json()["data"]["platform_changed"] == []


def _must_not_run(*args: object) -> set[int]:
    raise AssertionError("the platforms were decided again at the current rules version")


def test_games_left_undecided_by_todays_rules_are_said_apart() -> None:
    """review40b F4: a game an earlier release filed that today's rules leave undecided was
    said "now filed under another platform"; it is said of undecided platform, apart."""
    import io

    from rich.console import Console

    from romrunner.cli.scan_cmd import _say_platforms_changed
    out = io.StringIO()
    _say_platforms_changed(Console(file=out, width=400), [
        {"path": "gen/D (USA).bin", "from": "unknown", "to": "genesis"},
        {"path": "ngc/P (World).ngp", "from": "neogeo-pocket-color", "to": "unknown"}])
    first, second = out.getvalue().splitlines()
    assert first.startswith("1 game stored by an earlier release is now filed under another "
                            "platform") and "gen/D (USA).bin unknown → genesis" in first
    assert second.startswith("1 game stored by an earlier release is now of undecided "
                             "platform") and "ngc/P (World).ngp" in second
    assert "ngc/" not in first
