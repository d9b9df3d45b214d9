"""`dat import --platform` of a DAT for another platform, and `dat rm` leaving games of
undecided platform (qa187 F3, F5).

A catalog already imported under one platform is not moved to another without --force (the
import said "0 games added, 0 removed, 0 renamed" while the catalog and the games it
identifies left for the other platform); forced, the summary says the move, in text and in
`--json`. A DAT filed by --platform, its name not saying that platform, none of whose ROMs is
of a file type the platform lists (11 `.gb` files became psx games) is refused without
--force. Each refusal is one line naming the file, exit 2, the database unchanged. After
`dat rm`, the games no match decides the platform of any longer are said to be of undecided
platform, with the fix, not "in the new platform's folder". Real DAT files, real SQLite,
real scans, with both packs."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


def _data(seed: str, size: int = 8192) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


def _dat(system: str, roms: dict[str, bytes], version: str = "1") -> str:
    """A clrmamepro DAT named ``system``: one game per ROM, named after it (a ROM name with
    a slash, ``Game/Track 01.bin``, makes one game of every ROM under ``Game``)."""
    games: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in roms.items():
        game = name.split("/")[0] if "/" in name else name.rsplit(".", 1)[0]
        games.setdefault(game, []).append((name.rpartition("/")[2], data))
    parts = [f'clrmamepro (\n\tname "{system}"\n\tversion "{version}"\n)\n']
    for game, listed in games.items():
        parts.append(f'game (\n\tname "{game}"\n')
        for name, data in listed:
            parts.append(f'\trom ( name "{name}" size {len(data)} crc {zlib.crc32(data):08x} '
                         f'sha1 {hashlib.sha1(data).hexdigest()} )\n')
        parts.append(")\n")
    return "".join(parts)


MINE = "Mine - Pocket Games"  # a DAT name that says no platform


@pytest.fixture(params=["builtin", "shared"])
def run(request: pytest.FixtureRequest, cli: Any) -> Any:
    pack = () if request.param == "builtin" else (
        "--pack", str(shared_path("definition-pack")))
    return lambda *args: cli(*pack, *args)


def _dump(db_path: Path) -> list[str]:
    """The whole database as SQL (to tell that a refused command changed nothing)."""
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


def _catalogs(run: Any) -> list[tuple[str, str]]:
    listed = run("--json", "dat", "ls")
    assert listed.code == 0, listed.err
    return [(row["name"], row["platform_id"]) for row in listed.json()["data"]]


def _platforms(run: Any) -> dict[str, str]:
    games = run("--json", "games", "ls")
    assert games.code == 0, games.err
    return {game["filename"]: game["platform_id"] for game in games.json()["data"]["games"]}


@pytest.fixture
def gb_library(run: Any, tmp_path: Path) -> Path:
    """`gb/` holding two Game Boy ROMs, and `misc/` one more (a `.gb` outside a platform's
    folder: gb and gbc list `.gb`, its platform is undecided until a catalog's match); a DAT
    of one's own listing the three (``tmp_path/mine.dat``, named as no platform) imported
    with --platform gb; scanned. Returns the DAT."""
    roms = {"Alpha (World).gb": _data("alpha"), "Beta (World).gb": _data("beta"),
            "Gamma (World).gb": _data("gamma")}
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    (root / "misc").mkdir()
    (root / "gb" / "Alpha (World).gb").write_bytes(roms["Alpha (World).gb"])
    (root / "gb" / "Beta (World).gb").write_bytes(roms["Beta (World).gb"])
    (root / "misc" / "Gamma (World).gb").write_bytes(roms["Gamma (World).gb"])
    dat = tmp_path / "mine.dat"
    dat.write_text(_dat(MINE, roms))
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("dat", "import", str(dat), "--platform", "gb")):
        result = run(*args)
        assert result.code == 0, (args, result.err)
    assert _platforms(run) == {"Alpha (World).gb": "gb", "Beta (World).gb": "gb",
                               "Gamma (World).gb": "gb"}
    return dat


def test_a_catalog_is_not_moved_to_another_platform_without_force(
        run: Any, gb_library: Path, db_path: Path) -> None:
    """qa187 F3: `--platform psx`, a slip for gb, re-filed the imported catalog and its games
    under psx, said as "0 games added, 0 removed, 0 renamed"."""
    before = _dump(db_path)
    refused = run("dat", "import", str(gb_library), "--platform", "psx")
    assert refused.code == 2, refused.out
    (line,) = refused.err.strip().splitlines()
    assert line.startswith(f"error: {gb_library}: the catalog {MINE!r} is filed under gb"), line
    assert "to psx" in line and "--platform gb" in line and "--force" in line, line
    assert _dump(db_path) == before
    # (the same refusal in --json: one error, nothing else)
    as_json = run("--json", "dat", "import", str(gb_library), "--platform", "psx")
    assert as_json.code == 2 and len(as_json.json()["errors"]) == 1, as_json.out
    assert _dump(db_path) == before


def test_a_forced_move_to_another_platform_is_said(
        run: Any, gb_library: Path) -> None:
    """qa187 F3: the summary of a catalog moved to another platform says so, in `--json`
    (``previous_platform``) and in text."""
    moved = run("--json", "dat", "import", str(gb_library), "--platform", "gbc", "--force")
    assert moved.code == 0, moved.err
    (imported,) = moved.json()["data"]["imports"]
    assert (imported["platform_id"], imported["replaced"], imported["previous_platform"]) \
        == ("gbc", True, "gb")
    assert _catalogs(run) == [(MINE, "gbc")]
    assert set(_platforms(run).values()) == {"gbc"}
    back = run("dat", "import", str(gb_library), "--platform", "gb", "--force")
    assert back.code == 0, back.err
    assert "  moved from gbc to gb: the games it identifies are filed under gb now" \
        in back.out.splitlines(), back.out
    assert _catalogs(run) == [(MINE, "gb")]
    # (a new version where the catalog is: no move, nothing said of one)
    again = run("--json", "dat", "import", str(gb_library), "--platform", "gb", "--force")
    (imported,) = again.json()["data"]["imports"]
    assert (imported["platform_id"], imported["previous_platform"]) == ("gb", "gb")
    assert "moved from" not in run("dat", "import", str(gb_library), "--platform", "gb",
                                   "--force").out


def test_a_catalog_filed_by_hand_is_not_moved_back_by_its_name_without_force(
        run: Any, tmp_path: Path, db_path: Path) -> None:
    """qa187 F3: the other way round, a DAT whose name says gb, filed under gbc by
    --platform, imported again without it, is not moved to gb unsaid: refused, naming the
    --platform that keeps it where it is."""
    dat = tmp_path / "gb.dat"
    dat.write_text(_dat("Nintendo - Game Boy", {"Alpha (World).gb": _data("alpha")}))
    assert run("dat", "import", str(dat), "--platform", "gbc").code == 0
    before = _dump(db_path)
    refused = run("dat", "import", str(dat))
    assert refused.code == 2, refused.out
    (line,) = refused.err.strip().splitlines()
    assert "is filed under gbc" in line and "to gb:" in line and "--platform gbc" in line, line
    assert _dump(db_path) == before
    assert run("dat", "import", str(dat), "--platform", "gbc").code == 0
    assert _catalogs(run) == [("Nintendo - Game Boy", "gbc")]


def test_a_dat_of_files_the_platform_does_not_take_is_refused_without_force(
        run: Any, gb_library: Path, tmp_path: Path, db_path: Path) -> None:
    """qa187 F3: a DAT of `.gb` ROMs filed under psx by --platform made psx games of `.gb`
    files. Refused, whether its name says nothing or says another platform; --force files
    it as asked."""
    assert run("dat", "rm", MINE).code == 0
    before = _dump(db_path)
    refused = run("dat", "import", str(gb_library), "--platform", "psx")
    assert refused.code == 2, refused.out
    (line,) = refused.err.strip().splitlines()
    assert line.startswith(f"error: {gb_library}: none of its ROMs is a file psx takes "
                           "(they are .gb; psx takes "), line
    assert "--force" in line and line.endswith("nothing was imported"), line
    assert _dump(db_path) == before
    named = tmp_path / "named.dat"
    named.write_text(_dat("Nintendo - Game Boy", {"Alpha (World).gb": _data("alpha")}))
    refused = run("dat", "import", str(named), "--platform", "psx")
    assert refused.code == 2, refused.out
    assert "its name says gb" in refused.err, refused.err
    assert _dump(db_path) == before
    forced = run("--json", "dat", "import", str(gb_library), "--platform", "psx", "--force")
    assert forced.code == 0, forced.err
    assert _catalogs(run) == [(MINE, "psx")]
    # (a new version of the catalog filed there goes where it is, no --force again)
    gb_library.write_text(_dat(MINE, {"Alpha (World).gb": _data("alpha"),
                                      "Beta (World).gb": _data("beta"),
                                      "Gamma (World).gb": _data("gamma"),
                                      "Delta (World).gb": _data("delta")}, version="2"))
    newer = run("dat", "import", str(gb_library), "--platform", "psx")
    assert newer.code == 0, newer.err
    assert _catalogs(run) == [(MINE, "psx")]


@pytest.mark.parametrize(("platform", "roms"), [
    # a disc DAT lists sheets and tracks (Redump's .cue and .bin)
    ("psx", {"Disc (USA)/Disc (USA).cue": b"FILE", "Disc (USA)/Disc (USA) (Track 1).bin":
             _data("track1"), "Disc (USA)/Disc (USA) (Track 2).bin": _data("track2")}),
    # an arcade set's ROMs have any names: MAME's `pacman.6e`, none of a listed type
    ("arcade", {"pacman/pacman.6e": _data("6e", 4096), "pacman/pacman.6f": _data("6f", 4096),
                "pacman/82s123.7f": _data("7f", 32)}),
    # ROMs of no extension, or archives, say nothing of a platform
    ("gb", {"Alpha": _data("alpha"), "Beta (World)": _data("beta")}),
    ("gb", {"Alpha (World).zip": _data("alpha"), "Beta (World).7z": _data("beta")}),
    # one ROM of a type the platform lists is enough
    ("gb", {"Alpha (World).gb": _data("alpha"), "Beta (World).txt": _data("beta")}),
])
def test_a_dat_of_files_the_platform_takes_is_imported(
        run: Any, tmp_path: Path, platform: str, roms: dict[str, bytes]) -> None:
    dat = tmp_path / "mine.dat"
    dat.write_text(_dat(MINE, roms))
    imported = run("dat", "import", str(dat), "--platform", platform)
    assert imported.code == 0, imported.err
    assert _catalogs(run) == [(MINE, platform)]


REAL_DATS = [("no-intro/Nintendo - Game Boy.dat", "gb"),
             ("no-intro/Nintendo - Game Boy Color.dat", "gbc"),
             ("no-intro/Nintendo - Game Boy Advance.dat", "gba"),
             ("no-intro/Nintendo - Nintendo Entertainment System.dat", "nes"),
             ("no-intro/Nintendo - Super Nintendo Entertainment System.dat", "snes"),
             ("no-intro/Sega - Mega Drive - Genesis.dat", "genesis"),
             ("no-intro/Atari - Lynx.dat", "atari-lynx"),
             ("headered/Atari - Lynx.dat", "atari-lynx"),
             ("redump/Sony - PlayStation.dat", "psx"),
             ("logiqx/MAME 2000 XML.dat", "arcade")]


def test_every_real_dat_imports_under_its_platform_given(run: Any, tmp_path: Path) -> None:
    """The file-type check refuses none of the real DATs under its usual platform given by
    --platform (by its name, the platform is not checked), and refuses a real DAT given
    another platform's."""
    for name, platform in REAL_DATS:
        given = run("--json", "dat", "import", str(shared_path("dats") / name), "--platform",
                    platform)
        assert given.code == 0, (name, given.err)
        assert given.json()["data"]["imports"][0]["platform_id"] == platform
    wrong = run("--db", str(tmp_path / "other.sqlite"), "dat", "import",
                str(shared_path("dats") / REAL_DATS[1][0]), "--platform", "psx")
    assert wrong.code == 2 and "none of its ROMs is a file psx takes (they are .gbc;" \
        in wrong.err, wrong.err


def test_games_left_of_undecided_platform_by_dat_rm_are_said_so(
        run: Any, gb_library: Path) -> None:
    """qa187 F5: after `dat rm`, a game whose platform the catalog's match had settled, and
    whose folder and extension decide none, was "now of another platform, as the catalogs'
    match says … a deploy puts them in the new platform's folder": no match says so, and no
    deploy takes a game of undecided platform. Said as undecided, with the fix."""
    removed = run("dat", "rm", MINE)
    assert removed.code == 0, removed.err
    warnings = [line for line in removed.err.splitlines() if line.startswith("warning: ")]
    (undecided,) = [line for line in warnings if "misc/Gamma (World).gb" in line]
    assert undecided.startswith("warning: 1 game now of undecided platform: "), undecided
    assert "gb → unknown" in undecided and "`romrunner games set-platform PLATFORM ID…`" \
        in undecided, undecided
    assert "new platform's folder" not in removed.err and "catalogs' match says" \
        not in removed.err, removed.err
    assert _platforms(run)["Gamma (World).gb"] == "unknown"
    as_json = run("--json", "dat", "import", str(gb_library), "--platform", "gb")
    assert as_json.code == 0, as_json.err
    assert any(w.startswith("1 game now of another platform, as the catalogs' match says "
                            "(id ") and "unknown → gb" in w
               for w in as_json.json()["warnings"]), as_json.json()["warnings"]
