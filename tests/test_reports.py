"""Collector reports end to end: a real folder, a real DAT, scan, then have/miss, fixdat,
dupes and platforms; and the issue's "done when" walk through the README commands."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.datfile import read_dat
from romrunner.catalog.importer import import_dat
from romrunner.store.open import OpenMode, open_database

ROMS = {  # name in the DAT -> the bytes of its dump
    "Alpha Quest (USA)": b"alpha" * 1000,
    "Beta Racer (Japan)": b"beta" * 1200,
    "Gamma & <Delta> (Europe)": b"gamma" * 900,
    "Omega (USA)": b"omega" * 800,
}


def rom_line(name: str, data: bytes) -> str:
    return (f'\trom ( name "{name}.gb" size {len(data)} '
            f"crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} "
            f"sha1 {hashlib.sha1(data).hexdigest()} )")


def write_dat(path: Path) -> Path:
    blocks = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "20260101"\n)\n']
    for name, data in ROMS.items():
        blocks.append(f'game (\n\tname "{name}"\n\tdescription "{name}"\n'
                      f'\treleaseyear "1991"\n{rom_line(name, data)}\n)\n')
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


@pytest.fixture
def collection(tmp_path: Path, cli: Any) -> Path:
    """Alpha dumped twice (a duplicate), Beta's name on other bytes (a name guess), an
    unknown file, Gamma and Omega absent; scanned and identified."""
    root = tmp_path / "roms"
    folder = root / "gb"
    folder.mkdir(parents=True)
    (folder / "Alpha Quest (USA).gb").write_bytes(ROMS["Alpha Quest (USA)"])
    (folder / "copy of alpha.gb").write_bytes(ROMS["Alpha Quest (USA)"])
    (folder / "Beta Racer (Japan).gb").write_bytes(b"not the real dump" * 10)
    (folder / "Homebrew Thing (World).gb").write_bytes(b"homebrew" * 50)
    dat = write_dat(tmp_path / "gb.dat")
    assert cli("library", "add", str(root)).code == 0
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return tmp_path


def test_dat_report_counts_have_guessed_missing_unmatched(collection: Path, cli: Any) -> None:
    data = cli("--json", "dat", "report", "--missing").json()["data"]
    assert len(data) == 1
    report = data[0]
    assert (report["games"], report["have"], report["name_guessed"], report["missing"]) == \
        (4, 1, 1, 2)
    assert report["unmatched_on_disk"] == 1  # the homebrew file
    assert report["missing_games"] == ["Gamma & <Delta> (Europe)", "Omega (USA)"]
    text = cli("dat", "report", "Nintendo - Game Boy")
    assert text.code == 0 and "Nintendo" in text.out and "name-guessed" in text.out
    as_csv = cli("dat", "report", "--csv").out.splitlines()
    assert as_csv[0].startswith("name,platform_id") and as_csv[1].startswith(
        "Nintendo - Game Boy,gb,20260101,4,1,1,2,1")
    bad = cli("dat", "report", "No Such DAT")
    assert bad.code == 2 and "No Such DAT" in bad.err


def test_fixdat_round_trips_through_our_importer(collection: Path, cli: Any) -> None:
    out = collection / "fix.dat"
    result = cli("--json", "dat", "fixdat", "Nintendo - Game Boy", "-o", str(out))
    assert result.code == 0 and result.json()["data"]["games"] == 3
    parsed = read_dat(out)
    games = {game.name: game for game in parsed.games}
    # Missing games and the name guess (its data was never verified), with exact hashes.
    assert set(games) == {"Beta Racer (Japan)", "Gamma & <Delta> (Europe)", "Omega (USA)"}
    rom = games["Omega (USA)"].roms[0]
    assert rom.sha1 == hashlib.sha1(ROMS["Omega (USA)"]).hexdigest()
    assert rom.size == len(ROMS["Omega (USA)"])
    fresh = open_database(collection / "fresh.db", OpenMode.WRITE).db
    imported = import_dat(fresh, out, platform_id="gb")
    assert imported.games == 3 and imported.name == "Nintendo - Game Boy (fixdat)"
    fresh.close()
    again = cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out))
    assert again.code == 2 and "already exists" in again.err
    assert cli("dat", "fixdat", "Nintendo - Game Boy", "-o", str(out), "--force").code == 0
    unknown = cli("dat", "fixdat", "Nope", "-o", str(collection / "x.dat"))
    assert unknown.code == 2 and "Nope" in unknown.err
    assert not (collection / "x.dat").exists()


def test_dupes_and_platforms(collection: Path, cli: Any) -> None:
    dupes = cli("--json", "games", "dupes").json()["data"]
    assert len(dupes) == 1 and dupes[0]["copies"] == 2
    assert dupes[0]["verified"] is False  # identified by a unique CRC32 + size: SHA1 deferred
    assert cli("scan", "--verify").code == 0
    dupes = cli("--json", "games", "dupes").json()["data"]
    assert len(dupes) == 1 and dupes[0]["verified"] is True
    assert dupes[0]["key"] == hashlib.sha1(ROMS["Alpha Quest (USA)"]).hexdigest()
    assert dupes[0]["reclaimable"] == len(ROMS["Alpha Quest (USA)"])
    assert sorted(Path(f["path"]).name for f in dupes[0]["files"]) == [
        "Alpha Quest (USA).gb", "copy of alpha.gb"]
    plats = {p["platform_id"]: p for p in cli("--json", "platforms").json()["data"]}
    gb = plats["gb"]
    assert (gb["games"], gb["hash_matched"], gb["name_guessed"], gb["unidentified"],
            gb["missing"]) == (4, 2, 1, 1, 0)
    assert "reclaimable" in cli("games", "dupes").out


def test_done_when_walk(collection: Path, cli: Any) -> None:
    """The issue's walk: query, save it, have/miss, and why an emulator."""
    found = cli("--json", "games", "ls", "platform:gb", "match:name,none", "--sort",
                "-size").json()["data"]
    assert [g["filename"] for g in found["games"]] == ["Homebrew Thing (World).gb",
                                                       "Beta Racer (Japan).gb"]
    assert cli("collection", "create", "GB to check", "--query",
               "platform:gb match:name,none").code == 0
    shown = cli("--json", "collection", "show", "GB to check").json()["data"]
    assert shown["total"] == 2
    assert cli("--json", "games", "ls", "year:1991", "match:hash").json()["data"]["total"] == 2
    game_id = found["games"][0]["id"]
    why = cli("--json", "resolve", str(game_id)).json()["data"]
    assert why["emulator_origin"] in {"pack fallback", "none"}
    assert cli("override", "set", "--platform", "gb", "--emulator", "gambatte").code == 0
    why = cli("--json", "resolve", str(game_id)).json()["data"]
    assert (why["emulator_id"], why["emulator_origin"]) == ("retroarch-gambatte",
                                                           "platform override")
