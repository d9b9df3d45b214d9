"""`games set-platform auto ID…`: back to the platform a scan decides (QA11 N6).

Before, a platform set by hand could not be undone (`auto` was "not a platform of the
definition pack", and so was `unknown`). Now each game gets what a fresh scan gives it: from
its folder, its extension, its header (an archive's one member's), or its catalog match,
or undecided with its candidates; later scans decide it again. Real scans, real zips, real
DAT imports, with both packs.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


def _data(seed: str, size: int = 8192) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


SNES_DAT = "Nintendo - Super Nintendo Entertainment System"


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any) -> Any:
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))
    return lambda *args: cli(*pack, *args)


def _platforms(db_path: Path) -> dict[str, tuple[str, str, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {name: (platform, source, candidates) for name, platform, source, candidates
                in conn.execute("SELECT filename, platform_id, platform_source, "
                                "platform_candidates FROM games")}


def _ids(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT filename, id FROM games").fetchall())


@pytest.fixture
def library(run: Any, tmp_path: Path) -> Path:
    """A game each way a scan decides a platform: folder, extension, an archive member's
    header, a catalog match (an SNES ROM in `NES/`), undecided (a `.gb` outside a folder)."""
    root = tmp_path / "lib"
    (root / "NES").mkdir(parents=True)
    (root / "Misc").mkdir()
    snes = _data("snes")
    (root / "NES" / "Real (USA).nes").write_bytes(b"NES\x1a" + _data("nes", 16380))
    (root / "NES" / "Plain Copy.nes").write_bytes(snes)
    (root / "Misc" / "Fire (USA).sfc").write_bytes(_data("sfc"))
    with zipfile.ZipFile(root / "Misc" / "Headed.zip", "w") as archive:
        archive.writestr("headed.bin", b"NES\x1a" + _data("headed", 16380))
    (root / "Misc" / "Either (USA).gb").write_bytes(_data("gb"))
    (tmp_path / "snes.dat").write_text(
        f'clrmamepro (\n\tname "{SNES_DAT}"\n\tversion "t"\n)\ngame (\n\tname "Plain (USA)"\n'
        f'\trom ( name "Plain (USA).sfc" size {len(snes)} crc {zlib.crc32(snes):08x} '
        f'sha1 {hashlib.sha1(snes).hexdigest()} )\n)\n')
    for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                 ("library", "add", str(root)), ("scan", "--workers", "1")):
        result = run(*args)
        assert result.code == 0, (args, result.err)
    return root


def test_auto_gives_back_what_the_scan_decided(run: Any, library: Path,
                                              db_path: Path) -> None:
    scanned = _platforms(db_path)
    assert {name: value[:2] for name, value in scanned.items()} == {
        "Real (USA).nes": ("nes", "folder"), "Plain Copy.nes": ("snes", "catalog"),
        "Fire (USA).sfc": ("snes", "extension"), "Headed.zip": ("nes", "header"),
        "Either (USA).gb": ("unknown", "unknown")}
    ids = _ids(db_path)
    every = [str(ids[name]) for name in sorted(ids)]
    assert run("games", "set-platform", "gba", *every).code == 0
    assert {value[:2] for value in _platforms(db_path).values()} == {("gba", "user")}
    result = run("--json", "games", "set-platform", "auto", *every)
    assert result.code == 0, result.err
    assert _platforms(db_path) == scanned
    data = result.json()["data"]
    assert data["platform_id"] == "auto" and data["changed"] == 5
    assert data["identified"] == 1 and data["unidentified"] + data["guessed"] == 4
    assert data["games"] == [
        {"id": ids[name], "was": "gba", "platform_id": scanned[name][0],
         "source": scanned[name][1],
         "candidates": ["gb", "gbc"] if name == "Either (USA).gb" else [], "changed": True}
        for name in sorted(ids)]
    # rescans decide it again (nothing set by hand is kept): a full one changes nothing
    assert run("scan", "--full", "--workers", "1").code == 0
    assert _platforms(db_path) == scanned


def test_auto_says_what_each_game_became(run: Any, library: Path, db_path: Path) -> None:
    ids = _ids(db_path)
    real, plain, either = ids["Real (USA).nes"], ids["Plain Copy.nes"], ids["Either (USA).gb"]
    assert run("games", "set-platform", "gb", str(real), str(plain), str(either)).code == 0
    text = run("games", "set-platform", "auto", str(real), str(plain), str(either))
    assert text.code == 0, text.err
    assert text.out.splitlines()[:3] == [
        f"game {real}: nes (from its folder); was gb",
        f"game {plain}: snes (from its catalog match); was gb",
        f"game {either}: undecided (could be gb, gbc); was gb"]
    assert " ".join(" ".join(text.out.splitlines()[3:]).split()) == (
        "3 games back to the platform a scan decides: 1 identified by hash, 0 guessed by "
        "name, 2 unidentified")
    # again: none was set by hand, none changes (QA26 F7: "2 games back", "changed": 2)
    again = run("--json", "games", "set-platform", "auto", str(real), str(plain))
    assert again.json()["data"]["changed"] == 0
    assert [game["changed"] for game in again.json()["data"]["games"]] == [False, False]
    text = run("games", "set-platform", "auto", str(real))
    assert text.out.splitlines()[0] == f"game {real}: nes (from its folder); unchanged"
    assert "0 games back to the platform a scan decides (1 unchanged)" in text.out
    assert run("--json", "games", "set-platform", "gb", str(real)).json()["data"]["changed"] \
        == 1
    assert run("--json", "games", "set-platform", "gb", str(real)).json()["data"]["changed"] \
        == 0  # already set so by hand


def test_auto_changes_nothing_for_an_unknown_id_or_a_missing_file(
        run: Any, library: Path, db_path: Path) -> None:
    ids = _ids(db_path)
    real, fire = ids["Real (USA).nes"], ids["Fire (USA).sfc"]
    assert run("games", "set-platform", "gb", str(real), str(fire)).code == 0
    before = _platforms(db_path)
    unknown = run("games", "set-platform", "auto", str(real), "9999")
    assert unknown.code != 0 and "no game with id 9999" in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1 and "Traceback" not in unknown.err
    (library / "Misc" / "Fire (USA).sfc").unlink()
    assert run("scan", "--workers", "1").code == 0
    missing = run("games", "set-platform", "auto", str(real), str(fire))
    assert missing.code != 0 and "Fire (USA).sfc: missing since the last scan" in missing.err
    assert len(missing.err.strip().splitlines()) == 1
    assert _platforms(db_path) == before   # one transaction: the present one is kept too


def test_unknown_is_refused_naming_auto(run: Any, library: Path, db_path: Path) -> None:
    refused = run("games", "set-platform", "unknown", str(_ids(db_path)["Real (USA).nes"]))
    assert refused.code != 0
    assert "'unknown' is not a platform of the definition pack (" in refused.err
    assert "`auto` gives games back the platform a scan decides)" in refused.err


def test_a_zip_of_one_rom_set_by_hand_is_not_another_platforms_game(
        run: Any, tmp_path: Path, db_path: Path) -> None:
    """QA154 F17: a one-ROM zip holding an SNES catalog game's data, set by hand to gb, was
    identified as that SNES game ("by crc32"), kept on gb; the same data loose is not."""
    root = tmp_path / "lib"
    (root / "Misc").mkdir(parents=True)
    snes = _data("snes")
    with zipfile.ZipFile(root / "Misc" / "betabin.zip", "w") as archive:
        archive.writestr("beta.bin", snes)
    (root / "Misc" / "beta.bin").write_bytes(snes)
    (tmp_path / "snes.dat").write_text(
        f'clrmamepro (\n\tname "{SNES_DAT}"\n\tversion "t"\n)\ngame (\n\tname "Beta (USA)"\n'
        f'\trom ( name "Beta (USA).sfc" size {len(snes)} crc {zlib.crc32(snes):08x} '
        f'sha1 {hashlib.sha1(snes).hexdigest()} )\n)\n')
    for args in (("dat", "import", str(tmp_path / "snes.dat"), "--platform", "snes"),
                 ("library", "add", str(root)), ("scan", "--workers", "1")):
        assert run(*args).code == 0, args
    ids = _ids(db_path)
    assert run("games", "set-platform", "gb", str(ids["betabin.zip"]),
               str(ids["beta.bin"])).code == 0
    with sqlite3.connect(db_path) as conn:
        rows = dict(conn.execute("SELECT filename, coalesce(matched_game_id, '-') FROM games"))
    assert rows == {"betabin.zip": "-", "beta.bin": "-"}
    assert _platforms(db_path)["betabin.zip"][:2] == ("gb", "user")


def test_a_scan_of_one_root_counts_that_roots_undecided_games(
        cli: Any, tmp_path: Path) -> None:
    """QA154 F1: `scan ROOT` said "N games are of undecided platform" for the whole library,
    beside counts of the root it scanned."""
    for name in ("one", "two"):
        (tmp_path / name / "Misc").mkdir(parents=True)
        assert cli("library", "add", str(tmp_path / name)).code == 0
    (tmp_path / "one" / "Misc" / "Either (USA).gb").write_bytes(_data("gb"))
    (tmp_path / "two" / "Misc" / "Other (USA).gb").write_bytes(_data("gb2"))
    assert cli("--json", "scan", "--workers", "1").json()["data"]["undecided_platform"] == 2
    (tmp_path / "two" / "Misc" / "Third (USA).gb").write_bytes(_data("gb3"))
    one = cli("--json", "scan", str(tmp_path / "two"), "--workers", "1")
    assert one.code == 0, one.err
    assert one.json()["data"]["undecided_platform"] == 2  # (two's: Other and Third)
    assert cli("--json", "scan", str(tmp_path / "one"), "--workers", "1").json()[
        "data"]["undecided_platform"] == 1
