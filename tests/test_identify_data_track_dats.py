"""A DAT listing a disc's data track alone — libretro's PlayStation DAT lists each game's
"(Track 01).bin" and no sheet, no audio track — identifies the disc by that track (QA154 F9:
a disc with audio tracks was at best guessed by its name, unidentified once renamed; a zip of
its sheet and track was not identified either). A track the DAT lists with other data still
makes the disc unidentified (a bad dump)."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any


def _data(seed: str, size: int = 24696) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


def _rom(name: str, data: bytes) -> str:
    return (f'\trom ( name "{name}" size {len(data)} crc {zlib.crc32(data):08x} '
            f'sha1 {hashlib.sha1(data).hexdigest()} )\n')


def _dat(path: Path, games: dict[str, list[tuple[str, bytes]]]) -> Path:
    text = 'clrmamepro (\n\tname "Sony - PlayStation"\n\tversion "t"\n)\n'
    for name, roms in games.items():
        text += f'game (\n\tname "{name}"\n' + "".join(_rom(*rom) for rom in roms) + ")\n"
    path.write_text(text)
    return path


def _disc(folder: Path, stem: str, tracks: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sheet = ""
    for number, data in enumerate(tracks, 1):
        name = f"{stem} (Track {number:02}).bin"
        (folder / name).write_bytes(data)
        mode = "MODE2/2352" if number == 1 else "AUDIO"
        sheet += f'FILE "{name}" BINARY\n  TRACK {number:02} {mode}\n    INDEX 01 00:00:00\n'
    (folder / f"{stem}.cue").write_text(sheet)


def _matches(db_path: Path) -> dict[str, tuple[str | None, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {name: (game, method) for name, game, method in conn.execute(
            "SELECT filename, matched_game_id, match_method FROM games")}


def test_a_disc_is_identified_by_the_one_track_its_dat_lists(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    data, audio, solo = _data("data"), _data("audio"), _data("solo")
    roms = tmp_path / "roms" / "psx"
    _disc(roms, "QA Audio (USA)", [data, audio])
    _disc(roms / "renamed", "myaudio", [data, audio])
    with zipfile.ZipFile(roms / "solo.zip", "w") as archive:
        archive.writestr("QA Solo (Japan).cue",
                         'FILE "QA Solo (Japan).bin" BINARY\n  TRACK 01 MODE2/2352\n')
        archive.writestr("QA Solo (Japan).bin", solo)
    dat = _dat(tmp_path / "psx.dat", {
        "QA Audio (USA)": [("QA Audio (USA) (Track 01).bin", data)],
        "QA Solo (Japan)": [("QA Solo (Japan) (Track 01).bin", solo)]})
    for args in (("dat", "import", str(dat), "--platform", "psx"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    found = _matches(db_path)
    assert found["QA Audio (USA).cue"] == ("psx:QA Audio (USA)", "tracks")
    assert found["myaudio.cue"] == ("psx:QA Audio (USA)", "tracks")
    assert found["solo.zip"][0] == "psx:QA Solo (Japan)"
    # `games show` does not say the opposite (QA158 N3: "none of its ROMs is this data")
    with sqlite3.connect(db_path) as conn:
        (disc_id,) = conn.execute("SELECT id FROM games WHERE filename = 'myaudio.cue'"
                                  ).fetchone()
    shown = cli("games", "show", str(disc_id)).out
    assert "none of its ROMs is this data" not in shown, shown
    # the DAT's report says so too (review 156 F1: still "name-guessed" there)
    report = cli("--json", "dat", "report").json()["data"][0]
    assert (report["have"], report["name_guessed"]) == (2, 0), report


def test_a_track_the_dat_lists_with_other_data_leaves_the_disc_unidentified(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    data, audio = _data("data"), _data("audio")
    roms = tmp_path / "roms" / "psx"
    _disc(roms, "damaged", [data, _data("a bad audio track")])
    dat = _dat(tmp_path / "psx.dat", {
        "QA Audio (USA)": [("QA Audio (USA) (Track 01).bin", data),
                           ("QA Audio (USA) (Track 02).bin", audio)]})
    for args in (("dat", "import", str(dat), "--platform", "psx"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    assert _matches(db_path)["damaged.cue"][1] in (None, "name")
