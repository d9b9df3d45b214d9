"""Multi-disc sets on the card, laid out the way each OS family's frontend shows one game: most
list every disc's sheet (and the .m3u) as a game of its own, so the discs go where the frontend
does not list them — a dot-folder (Onion, muOS, ROCKNIX, ArkOS), the game's own folder with its
.m3u (MinUI), a folder named like the .m3u (ES-DE); Batocera's frontend hides them itself."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from romrunner.deploy.execute import DeployOptions
from romrunner.deploy.execute import deploy as run
from romrunner.deploy.legal import FileSystem
from romrunner.packs import builtin_pack_path
from tests.test_deploy_support import Layout, make_library

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
NAMES = [f"Saga (USA) (Disc {disc})" for disc in (1, 2)]
EXTRA_OSES = {  # as the real definition pack has them
    "minui": {"roms": "/mnt/SDCARD/Roms", "bios": "/mnt/SDCARD/Bios"},
    "emudeck": {"roms": "~/Emulation/roms", "bios": "~/Emulation/bios"},
    "retropie": {"roms": "~/RetroPie/roms", "bios": "~/RetroPie/BIOS"},
}


def write_disc(folder: Path, name: str, data: bytes) -> None:
    """A one-track disc in ``folder``: ``name``.bin holding ``data``, and its ``name``.cue."""
    (folder / f"{name}.bin").write_bytes(data)
    (folder / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))


def write_set(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for disc, name in enumerate(NAMES, 1):
        data = hashlib.sha256(f"saga{disc}".encode()).digest() * 4000
        (folder / f"{name}.bin").write_bytes(data)
        (folder / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
    (folder / "Saga (USA).m3u").write_text("".join(f"{n}.cue\n" for n in NAMES))
    (folder / "Solo (USA).bin").write_bytes(b"solo" * 5000)
    (folder / "Solo (USA).cue").write_text(CUE.format("Solo (USA).bin"))


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    path = pack / "operating-systems.json"
    systems = json.loads(path.read_text(encoding="utf-8"))
    systems["operatingSystems"] += [{"id": os_id, "name": os_id, "paths": paths,
                                     "filesystem": {"supported": ["fat32", "ext4"]}}
                                    for os_id, paths in EXTRA_OSES.items()]
    path.write_text(json.dumps(systems), encoding="utf-8")
    return pack


@pytest.fixture
def library(cli: Any, tmp_path: Path, pack: Path) -> Path:
    root = tmp_path / "roms"
    write_set(root / "psx")
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    return root


def deploy(cli: Any, pack: Path, os_id: str, card: Path, *query: str) -> Any:
    made = cli("--pack", str(pack), "--json", "profile", "create", "--device", "1",
               "--os", os_id)
    assert made.code == 0, made.err
    card.mkdir(exist_ok=True)
    result = cli("--pack", str(pack), "--json", "deploy", str(made.json()["data"]["id"]),
                 "--to", str(card), *(query or ("platform:psx",)))
    assert result.code == 0, result.err
    return result


def files(card: Path) -> set[str]:
    return {p.relative_to(card).as_posix() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def playable(card: Path, playlist: str) -> list[bytes]:
    """The bytes of every track the .m3u reaches through its sheets (each line a path relative
    to the .m3u, each sheet's FILE relative to the sheet), asserting each one is there."""
    m3u = card / playlist
    tracks = []
    for line in m3u.read_text().splitlines():
        sheet = m3u.parent / line
        assert sheet.is_file(), line
        for row in sheet.read_text().splitlines():
            if row.startswith("FILE "):
                track = sheet.parent / row.split('"')[1]
                assert track.is_file(), track
                tracks.append(track.read_bytes())
    return tracks


def expected_tracks(library: Path) -> list[bytes]:
    return [(library / "psx" / f"{name}.bin").read_bytes() for name in NAMES]


@pytest.mark.parametrize(("os_id", "playlist", "discs"), [
    ("muos", "ROMS/psx/Saga (USA).m3u", "ROMS/psx/.Saga (USA)"),
    ("onionos", "Roms/PS/Saga (USA).m3u", "Roms/PS/.Saga (USA)"),
    ("minui", "Roms/Sony PlayStation (PS)/Saga (USA)/Saga (USA).m3u",
     "Roms/Sony PlayStation (PS)/Saga (USA)"),
    ("emudeck", "Emulation/roms/psx/Saga (USA).m3u/Saga (USA).m3u",
     "Emulation/roms/psx/Saga (USA).m3u"),
    ("knulli", "roms/psx/Saga (USA).m3u", "roms/psx"),
    # RetroPie's EmulationStation takes a folder named `*.m3u` for a game and hands the
    # folder to RetroArch (QA61 F4): the discs beside the playlist
    ("retropie", "RetroPie/roms/psx/Saga (USA).m3u", "RetroPie/roms/psx"),
])
def test_each_family_gets_its_layout_and_the_playlist_reaches_every_track(
        cli: Any, pack: Path, library: Path, tmp_path: Path, os_id: str, playlist: str,
        discs: str) -> None:
    card = tmp_path / "card"
    deploy(cli, pack, os_id, card)
    on_card = files(card)
    for name in NAMES:
        assert f"{discs}/{name}.cue" in on_card and f"{discs}/{name}.bin" in on_card
    assert playable(card, playlist) == expected_tracks(library)
    platform = playlist.split("/Saga (USA)")[0]
    # what the frontend lists in the platform folder: the one-disc game, and the set once
    listed = sorted(p.name for p in (card / platform).iterdir() if not p.name.startswith("."))
    if os_id in ("knulli", "retropie"):
        assert "Saga (USA).m3u" in listed and f"{NAMES[0]}.cue" in listed
    else:
        assert [n for n in listed if "Saga" in n] == ["Saga (USA)" if os_id == "minui"
                                                       else "Saga (USA).m3u"]
    assert "Solo (USA).cue" in listed  # one disc: no playlist, no folder of its own
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert again.json()["data"]["copied"] == 0


def _disc_away(cli: Any, pack: Path, disc: Path, aside: Path) -> None:
    """Move a disc's ``.bin`` and ``.cue`` (``disc``: their path without the suffix) out of
    the library into ``aside``, and rescan accepting it missing."""
    aside.mkdir()
    for suffix in (".bin", ".cue"):
        disc.with_name(disc.name + suffix).rename(aside / (disc.name + suffix))
    assert cli("--pack", str(pack), "scan", "--workers", "1", "--accept-missing").code == 0


def test_one_disc_chosen_brings_its_set(cli: Any, pack: Path, library: Path,
                                        tmp_path: Path) -> None:
    """A collection holding disc 1 (one row picked in a list) deploys the whole set: a set is
    one game, and disc 1 alone cannot be finished (QA7 F7)."""
    first = cli("--pack", str(pack), "--json", "games", "ls", "title:saga")
    rows = first.json()["data"]["games"]
    disc1 = next(row["id"] for row in rows if row["filename"] == f"{NAMES[0]}.cue")
    assert cli("--pack", str(pack), "collection", "create", "trip").code == 0
    assert cli("--pack", str(pack), "collection", "add", "trip", str(disc1)).code == 0
    card = tmp_path / "card"
    result = deploy(cli, pack, "muos", card, "--collection", "trip")
    assert playable(card, "ROMS/psx/Saga (USA).m3u") == expected_tracks(library)
    assert any("disc" in w and "set" in w for w in result.json()["warnings"]), \
        result.json()["warnings"]


def test_the_librarys_playlist_chosen_alone_brings_its_discs(cli: Any, pack: Path,
                                                             library: Path,
                                                             tmp_path: Path) -> None:
    """Chosen alone, the library's .m3u went to the card with its sheets and none of their
    tracks: a game that could not start."""
    rows = cli("--pack", str(pack), "--json", "games", "ls", "title:saga").json()
    playlist = next(row["id"] for row in rows["data"]["games"]
                    if row["filename"] == "Saga (USA).m3u")
    assert cli("--pack", str(pack), "collection", "create", "trip").code == 0
    assert cli("--pack", str(pack), "collection", "add", "trip", str(playlist)).code == 0
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "--collection", "trip")
    assert playable(card, "ROMS/psx/Saga (USA).m3u") == expected_tracks(library)


def test_a_prune_of_the_set_removes_its_hidden_folder(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card)
    assert (card / "ROMS/psx/.Saga (USA)").is_dir()
    pruned = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                 "title:solo", "--prune", "--force")
    assert pruned.code == 0, pruned.err
    assert not (card / "ROMS/psx/.Saga (USA)").exists()
    assert files(card) == {"ROMS/psx/Solo (USA).cue", "ROMS/psx/Solo (USA).bin"}


def _flat_pack(pack: Path, tmp_path: Path) -> Path:
    """The pack as an earlier release laid sets out: the discs beside the .m3u."""
    flat = tmp_path / "flat-pack"
    shutil.copytree(pack, flat)
    names = json.loads((flat / "folder-names.json").read_text(encoding="utf-8"))
    del names["multiDiscLayouts"]
    (flat / "folder-names.json").write_text(json.dumps(names), encoding="utf-8")
    return flat


def test_an_es_de_card_an_earlier_release_filled_takes_the_new_layout(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA8 N2: the flat release wrote the file `Saga (USA).m3u` where ES-DE's layout needs the
    folder `Saga (USA).m3u/`: every run failed the set, and with --prune the first run
    removed the old copies and wrote none. Our unchanged file is replaced by the folder."""
    card = tmp_path / "card"
    deploy(cli, _flat_pack(pack, tmp_path), "emudeck", card)
    old = card / "Emulation/roms/psx/Saga (USA).m3u"
    assert old.is_file()
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--dry-run")
    assert again.code == 0, again.err
    assert any("Saga (USA).m3u: ROM Runner's own file" in n
               for n in again.json()["data"]["notes"])
    moved = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert moved.code == 0, moved.err
    assert moved.json()["data"]["failed"] == 0
    assert playable(card, "Emulation/roms/psx/Saga (USA).m3u/Saga (USA).m3u") == \
        expected_tracks(library)


def test_a_user_file_in_the_way_of_the_set_folder_is_never_removed(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    mine = card / "Emulation/roms/psx/Saga (USA).m3u"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own playlist\n")
    result = cli("--pack", str(pack), "--json", "profile", "create", "--device", "1",
                 "--os", "emudeck")
    assert result.code == 0
    done = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
               "platform:psx")
    assert done.code == 1 and mine.read_text() == "my own playlist\n"
    assert any("is a file, not a folder" in e["error"] for e in done.json()["data"]["errors"])


def test_a_set_an_earlier_release_deployed_flat_moves_with_a_prune(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """A card filled before the discs went apart: the next deploy writes the set's folder and
    its .m3u; the old flat sheets (ours, unchanged) go with --prune, the one-disc game stays."""
    flat = _flat_pack(pack, tmp_path)
    card = tmp_path / "card"
    deploy(cli, flat, "muos", card)
    assert f"ROMS/psx/{NAMES[0]}.cue" in files(card)
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "platform:psx",
              "--dry-run")
    assert any(w.startswith("1 multi-disc set whose discs an earlier deploy put flat in the "
                            "platform's folder (beside its .m3u, or a disc deployed alone "
                            "before the set was complete) (Saga (USA)) now goes in a folder "
                            "of its own")
               for w in dry.json()["warnings"])  # QA8 N4: the frontend lists both meanwhile
    pruning = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                  "platform:psx", "--prune", "--force", "--dry-run")
    (said,) = [w for w in pruning.json()["warnings"] if "put flat" in w]
    assert said.endswith("now goes in a folder of its own: this --prune removes the old "
                         "copies once the new ones are in place (but any its notes say it "
                         "keeps)")  # (QA15: "stay until")
    moved = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--prune", "--force")
    assert moved.code == 0, moved.err
    assert playable(card, "ROMS/psx/Saga (USA).m3u") == expected_tracks(library)
    after = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert not [w for w in after.json()["warnings"] if "put flat" in w]
    assert {p for p in files(card) if "/.Saga" not in p} == {
        "ROMS/psx/Saga (USA).m3u", "ROMS/psx/Solo (USA).cue", "ROMS/psx/Solo (USA).bin"}


def test_a_card_laid_out_for_another_os_is_said_to_be(cli: Any, pack: Path, library: Path,
                                                      tmp_path: Path) -> None:
    card = tmp_path / "card"
    first = deploy(cli, pack, "muos", card)
    assert not [w for w in first.json()["warnings"] if "laid this card out" in w]
    second = deploy(cli, pack, "knulli", card)
    assert any("an earlier deploy laid this card out for muos; this one lays it out for knulli"
               in w for w in second.json()["warnings"])


def test_a_moved_games_old_copy_stays_when_its_new_copy_fails(tmp_path: Path) -> None:
    """QA8 N2: a --prune removed a moved game's old copies before its new ones were written;
    a run whose new copy failed left the game off the card. The old copy is removed only once
    the copy that replaces it is in place."""
    files: dict[str, int | bytes] = {}
    for disc, name in enumerate(NAMES, 1):
        files[f"psx/{name}.bin"] = hashlib.sha256(f"saga{disc}".encode()).digest() * 400
        files[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    run(library.db, library.plan(Layout(card)), profile_id=library.profile_id)  # flat
    flat_bin = card / f"Roms/psx/{NAMES[1]}.bin"
    assert flat_bin.is_file()
    plan = library.plan(Layout(card, disc_layout="hidden"))
    with (library.root / f"psx/{NAMES[1]}.bin").open("ab") as source:
        source.write(b"changed after the plan")  # its new copy fails at the run
    summary = run(library.db, plan, profile_id=library.profile_id,
                  options=DeployOptions(prune=True, force_prune=True))
    assert summary.failed == 3  # the track, so its sheet, and the set's playlist (written
    assert flat_bin.read_bytes() == files[f"psx/{NAMES[1]}.bin"]  # kept: its move failed
    assert (card / f"Roms/psx/{NAMES[1]}.cue").is_file()
    assert not (card / f"Roms/psx/{NAMES[0]}.bin").exists()  # moved: removed
    assert (card / f"Roms/psx/.Saga (USA)/{NAMES[0]}.bin").read_bytes() == \
        files[f"psx/{NAMES[0]}.bin"]
    # (kept as its new copy failed: said so, not as a game it cannot deploy, review42b F4)
    assert f"Roms/psx/{NAMES[1]}.bin" in summary.prune_unreplaced
    # (QA67 F5: the set's playlist names the discs the card has: the moved one, and the
    # earlier copy kept of the one whose move failed — not the failed copy's place)
    assert (card / "Roms/psx/Saga (USA).m3u").read_text().splitlines() == [
        f".Saga (USA)/{NAMES[0]}.cue", f"{NAMES[1]}.cue"]


def test_generic_track_names_of_two_discs_or_two_games_both_reach_the_card(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA8 N3: `Epic Set (USA)/Disc 1/Track 01.bin` and `Disc 2/Track 01.bin` (and two games'
    `Track 01.bin`) met in one folder on the card: the second was left out, the set's .m3u
    named one disc. The later one's tracks get its sheet's name first, its sheet names them."""
    root = tmp_path / "roms"
    tracks: dict[str, bytes] = {}
    for disc in (1, 2):
        folder = root / "psx" / "Epic Set (USA)" / f"Disc {disc}"
        folder.mkdir(parents=True)
        data = hashlib.sha256(f"epic{disc}".encode()).digest() * 3000
        (folder / "Track 01.bin").write_bytes(data)
        (folder / f"Epic Set (USA) (Disc {disc}).cue").write_text(CUE.format("Track 01.bin"))
        tracks[f"epic{disc}"] = data
    for game in ("Alpha Rip (USA)", "Beta Rip (USA)"):
        folder = root / "psx" / game
        folder.mkdir(parents=True)
        data = hashlib.sha256(game.encode()).digest() * 3000
        (folder / "Track 01.bin").write_bytes(data)
        (folder / f"{game}.cue").write_text(CUE.format("Track 01.bin"))
        tracks[game] = data
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    result = deploy(cli, pack, "muos", card)
    assert not [w for w in result.json()["warnings"] if "already taken" in w]
    assert playable(card, "ROMS/psx/Epic Set (USA).m3u") == [tracks["epic1"], tracks["epic2"]]
    for game in ("Alpha Rip (USA)", "Beta Rip (USA)"):
        sheet = card / f"ROMS/psx/{game}.cue"
        (line,) = [row for row in sheet.read_text().splitlines() if row.startswith("FILE")]
        assert (sheet.parent / line.split('"')[1]).read_bytes() == tracks[game]
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert again.json()["data"]["copied"] == 0
    # QA33 F20: one of the two games no longer chosen, the other's sheet (rewritten by us
    # while the names clashed, the same bytes as the other game's sheet) was held as "maybe
    # the last copy" while its renamed tracks were pruned: a sheet naming files gone.
    alone = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "-title:beta", "--prune", "--force")
    assert alone.code == 0, alone.json()["errors"]
    sheet = card / "ROMS/psx/Alpha Rip (USA).cue"
    (line,) = [row for row in sheet.read_text().splitlines() if row.startswith("FILE")]
    assert (sheet.parent / line.split('"')[1]).read_bytes() == tracks["Alpha Rip (USA)"]
    assert not (card / "ROMS/psx/Beta Rip (USA).cue").exists()


def test_two_gdi_games_with_generic_track_names_both_reach_the_card(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA33 F35: every Dreamcast GDI dump names its tracks `track01.bin`…: the second game's
    tracks collided with the first's and it was left out (one GDI game per card, exit 1).
    Each gets its tracks named after its sheet, and its .gdi naming them."""
    root = tmp_path / "roms" / "dreamcast"
    tracks: dict[str, list[bytes]] = {}
    for game in ("Alpha (USA)", "Beta (USA)"):
        folder = root / game
        folder.mkdir(parents=True)
        data = [hashlib.sha256(f"{game}{n}".encode()).digest() * 700 for n in (1, 2, 3)]
        for name, chunk in zip(("track01.bin", "track02.raw", "track03.bin"), data,
                               strict=True):
            (folder / name).write_bytes(chunk)
            tracks.setdefault(game, []).append(chunk)
        (folder / f"{game}.gdi").write_text("3\n1 0 4 2352 track01.bin 0\n"
                                           "2 756 0 2352 track02.raw 0\n"
                                           "3 45000 4 2352 track03.bin 0\n")
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "platform:dreamcast")
    _each_gdi_reaches_its_tracks(card, tracks)
    # QA35 F2: one deployed, then the other alone (no prune): the second's tracks wrote over
    # the first's, whose .gdi then named the other game's bytes
    other = tmp_path / "card2"
    other.mkdir()
    for title in ("title:alpha", "title:beta"):
        assert cli("--pack", str(pack), "deploy", "1", "--to", str(other), title).code == 0
    _each_gdi_reaches_its_tracks(other, tracks)
    # QA35 F15: the user's own GDI game on the card, its tracks of the same sizes: a conflict
    # whose only advice (--overwrite) would break it; Alpha's tracks are named apart instead
    mine = tmp_path / "card3" / "ROMS" / "dreamcast"
    mine.mkdir(parents=True)
    own = {name: bytes([n]) * len(chunk) for n, (name, chunk) in enumerate(zip(
        ("track01.bin", "track02.raw", "track03.bin"), tracks["Alpha (USA)"], strict=True))}
    for name, data in own.items():
        (mine / name).write_bytes(data)
    assert cli("--pack", str(pack), "deploy", "1", "--to", str(mine.parent.parent),
               "title:alpha").code == 0
    assert {name: (mine / name).read_bytes() for name in own} == own
    _each_gdi_reaches_its_tracks(mine.parent.parent, {"Alpha (USA)": tracks["Alpha (USA)"]})


def _each_gdi_reaches_its_tracks(card: Path, tracks: dict[str, list[bytes]]) -> None:
    for game, expected in tracks.items():
        (sheet,) = card.rglob(f"{game}.gdi")
        names = [line.split()[4].strip('"') if '"' not in line else line.split('"')[1]
                 for line in sheet.read_text().splitlines()[1:]]
        assert [(sheet.parent / name).read_bytes() for name in names] == expected, game


def test_discs_named_after_the_title_are_one_set_on_the_card(cli: Any, pack: Path,
                                                              tmp_path: Path) -> None:
    """QA33 F33: "Hand (USA) - Disc 1", "[Disc 2]", " - CD2" were no discs: the auto-list
    took disc 2 for another version of disc 1 and left it off the card (a game that cannot
    be finished, without a word). Each convention is one set, with its playlist."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    sets = {"Hand (USA)": ("Hand (USA) - Disc {}", "Hand (USA).m3u"),
            "Brk (USA)": ("Brk (USA) [Disc {}]", "Brk (USA).m3u"),
            "Cdn (USA)": ("Cdn (USA) - CD{}", "Cdn (USA).m3u")}
    for pattern, _ in sets.values():
        for number in (1, 2):
            name = pattern.format(number)
            write_disc(root, name, name.encode() * 900)
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "--auto")
    for pattern, playlist in sets.values():
        assert playable(card, f"ROMS/psx/{playlist}") == [
            pattern.format(n).encode() * 900 for n in (1, 2)], playlist


def test_a_disc_gone_from_the_library_stays_in_the_cards_playlist_and_gaps_are_said(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA8 N1: a disc missing since the last deploy was dropped from the card's .m3u (its
    copy kept): the game jumped from disc 1 to disc 3. A set with discs 1 and 3 only went on
    the card without a word."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = [f"Quad (USA) (Disc {n})" for n in (1, 2, 3)]
    for number, name in enumerate(names, 1):
        write_disc(root, name, bytes([number]) * 9000)
    for name in ("Gap (USA) (Disc 1)", "Gap (USA) (Disc 3)"):
        write_disc(root, name, name.encode() * 900)
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    first = deploy(cli, pack, "muos", card)
    assert any(w.startswith("Gap (USA): disc 2 is not in the library, or not known as its disc "
                            "(discs 1, 3 are)")
               for w in first.json()["warnings"])
    whole = (card / "ROMS/psx/Quad (USA).m3u").read_text()
    _disc_away(cli, pack, root / names[1], tmp_path / "aside")
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert again.code == 0, again.err
    assert (card / "ROMS/psx/Quad (USA).m3u").read_text() == whole  # all three discs
    assert any(w.startswith("Quad (USA): disc 2 (Quad (USA) (Disc 2).cue) is missing from "
                            "the library since the last scan: its copy on the card is kept")
               for w in again.json()["warnings"])
    assert playable(card, "ROMS/psx/Quad (USA).m3u") == [bytes([n]) * 9000 for n in (1, 2, 3)]


def test_a_moved_games_old_copy_stays_when_its_new_copy_is_refused(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """Review: the old copies waited only for new copies decided "copy"; a new copy refused
    outright (the user's own file where the set's folder goes) let --prune remove them, and
    the card kept no copy of the game."""
    card = tmp_path / "card"
    deploy(cli, _flat_pack(pack, tmp_path), "emudeck", card)
    edited = card / "Emulation/roms/psx/Saga (USA).m3u"
    edited.write_text(edited.read_text() + "# mine now\n")
    before = files(card)
    moved = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--prune", "--force")
    assert moved.code == 1  # the set's files cannot go where its folder would be
    assert files(card) == before  # nothing of the set removed
    assert edited.read_text().endswith("# mine now\n")


def test_a_move_on_a_card_too_small_for_both_copies_removes_the_old_ones_first(
        tmp_path: Path) -> None:
    """Review: with the old copies removed only after the new ones, a card without room for
    both never finished a move (each resume stopped "card full" again). Then the old copies
    go first, said in a note."""
    from tests.test_deploy_faults import tmpfs

    files_: dict[str, int | bytes] = {}
    for disc, name in enumerate(NAMES, 1):
        files_[f"psx/{name}.bin"] = bytes([disc]) * (1200 * 1024)
        files_[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files_)
    with tmpfs(tmp_path / "card", "4m") as card:
        run(library.db, library.plan(Layout(card)), profile_id=library.profile_id)  # flat
        summary = run(library.db, library.plan(Layout(card, disc_layout="hidden")),
                      profile_id=library.profile_id,
                      options=DeployOptions(prune=True, force_prune=True))
        assert summary.status == "completed" and summary.failed == 0
        assert any("no room for the old and new copies" in note for note in summary.notes)
        for disc, name in enumerate(NAMES, 1):
            assert (card / f"Roms/psx/.Saga (USA)/{name}.bin").read_bytes() == \
                bytes([disc]) * (1200 * 1024)
            assert not (card / f"Roms/psx/{name}.bin").exists()


def _two_disc_library(cli: Any, pack: Path, tmp_path: Path, generic: bool = False) -> Path:
    """A 2-disc set (each disc's sheet and track in a folder of its own, the track named
    `Track 01.bin` when ``generic``) and a profile for muOS; returns the psx folder."""
    psx = tmp_path / "roms" / "psx"
    for disc in (1, 2):
        folder = psx / f"Duo (USA)/Disc {disc}" if generic else psx
        folder.mkdir(parents=True, exist_ok=True)
        track = "Track 01.bin" if generic else f"Duo (USA) (Disc {disc}).bin"
        (folder / track).write_bytes(bytes([disc]) * 9000)
        (folder / f"Duo (USA) (Disc {disc}).cue").write_text(CUE.format(track))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    return psx


def _touch(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5 * 10**9))


@pytest.mark.parametrize("generic", [False, True])
def test_a_disc_changed_since_the_scan_keeps_its_copy_and_its_line_in_the_playlist(
        cli: Any, pack: Path, tmp_path: Path, generic: bool) -> None:
    """Review: a disc left out of a run (changed since the scan) dropped from the set's .m3u
    (the game then started at disc 2); with generic track names the other disc took the
    freed name and was written over the kept copy of disc 1's track."""
    psx = _two_disc_library(cli, pack, tmp_path, generic)
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card)
    playlist = "ROMS/psx/Duo (USA).m3u"
    whole = (card / playlist).read_text()
    assert playable(card, playlist) == [bytes([1]) * 9000, bytes([2]) * 9000]
    _touch(psx / "Duo (USA)/Disc 1/Track 01.bin" if generic else psx / "Duo (USA) (Disc 1).bin")
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--prune", "--force")
    assert again.code == 1  # disc 1 left out: changed since the scan
    assert (card / playlist).read_text() == whole
    assert playable(card, playlist) == [bytes([1]) * 9000, bytes([2]) * 9000]
    assert not [w for w in again.json()["warnings"] if "not in the library" in w]


def test_a_two_disc_set_with_a_disc_gone_keeps_its_folder(cli: Any, pack: Path,
                                                          tmp_path: Path) -> None:
    """Review: with one of two discs missing from the library the set counted one disc and
    went flat: disc 1 was copied again into the platform folder (listed as a game of its own)
    and its copy in the set's folder pruned, while the kept .m3u named the moved file."""
    psx = _two_disc_library(cli, pack, tmp_path)
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card)
    before = files(card)
    _disc_away(cli, pack, psx / "Duo (USA) (Disc 2)", tmp_path / "aside")
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--prune", "--force")
    assert again.code == 0, again.err
    assert again.json()["data"]["copied"] == 0 and again.json()["data"]["pruned"] == 0
    assert files(card) == before
    assert playable(card, "ROMS/psx/Duo (USA).m3u") == [bytes([1]) * 9000, bytes([2]) * 9000]


def test_a_set_in_two_roots_one_unmounted_lists_each_disc_once(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA9 F2: with the second root's copy of a set held (the root not mounted), the card's
    .m3u listed every disc twice."""
    second = tmp_path / "more"
    write_set(second / "psx")
    assert cli("--pack", str(pack), "library", "add", str(second)).code == 0
    assert cli("--pack", str(pack), "scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    made = cli("--pack", str(pack), "--json", "profile", "create", "--device", "1",
               "--os", "muos")
    assert made.code == 0, made.err
    card.mkdir()
    cli("--pack", str(pack), "deploy", "1", "--to", str(card), "platform:psx")
    second.rename(tmp_path / "more-away")  # unmounted: its games are not missing yet
    cli("--pack", str(pack), "deploy", "1", "--to", str(card), "platform:psx")
    lines = (card / "ROMS/psx/Saga (USA).m3u").read_text().splitlines()
    assert lines == [f".Saga (USA)/{name}.cue" for name in NAMES]


def test_the_librarys_playlist_of_a_set_with_a_disc_gone_is_still_replaced(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA9 F5: with a disc missing since the scan, the library's own .m3u (naming it) was
    deployed as a game of its own and left out for that disc: exit 1 on every run, and no
    warning named the game. The set's .m3u the deploy writes lists the kept disc."""
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card)
    whole = (card / "ROMS/psx/Saga (USA).m3u").read_text()
    _disc_away(cli, pack, library / "psx" / NAMES[1], tmp_path / "aside")
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert again.code == 0, again.json()["errors"]
    assert again.json()["data"]["left_out"] == 0
    assert any(w.startswith("1 game missing from the library since the last scan (an "
                            "unmounted share? rescan when it is back) has 2 files on the card")
               for w in again.json()["warnings"])  # its sheet and track (the .m3u is rewritten)
    assert (card / "ROMS/psx/Saga (USA).m3u").read_text() == whole


def test_a_disc_gone_is_held_alone_when_a_prune_removes_its_sets_other_discs(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F2: a disc missing since the scan held its set's .m3u while a --prune removed the
    set's other discs (no longer chosen): the playlist stayed naming removed discs, a game the
    frontend lists that boots into a missing disc, and the warning counted it as one of the
    disc's files. The playlist goes with the discs it names; the missing disc stays alone."""
    lib = tmp_path / "lib"
    (lib / "psx").mkdir(parents=True)
    names = [f"Trio (USA) (Disc {n})" for n in (1, 2, 3)]
    for number, name in enumerate(names, 1):
        write_disc(lib / "psx", name, bytes([number]) * 9000)
    (lib / "gb").mkdir()
    (lib / "gb" / "Solo (USA).gb").write_bytes(b"solo" * 2048)
    card = _knulli_card(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    assert (card / "roms/psx/Trio (USA).m3u").is_file()
    for suffix in (".cue", ".bin"):
        (lib / "psx" / f"{names[2]}{suffix}").unlink()
    assert cli("scan", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune")
    assert pruned.code == 0, pruned.err
    assert files(card) == {"roms/gb/Solo (USA).gb", f"roms/psx/{names[2]}.cue",
                           f"roms/psx/{names[2]}.bin"}
    (held,) = [w for w in pruned.json()["warnings"] if "missing from the library" in w]
    assert held.startswith("1 game missing from the library since the last scan (an "
                           "unmounted share? rescan when it is back) has 2 files on the card "
                           f"({names[2]}.cue)"), held
    assert held.endswith("lets --prune --force remove it)"), held  # (said by the prune: below)
    (said,) = [note for note in pruned.json()["data"]["notes"] if ".m3u" in note]
    assert said == (
        "--prune removed 1 playlist ROM Runner wrote for a set no longer chosen of which it "
        "keeps a disc missing from the library (or on a library root not reachable): it lists "
        "the set's other discs, no longer chosen; what the prune keeps of the set stays on "
        "the card without it (roms/psx/Trio (USA).m3u)")


def test_a_disc_gone_says_no_playlist_goes_when_another_profiles_prune_keeps_the_set(
        cli: Any, tmp_path: Path) -> None:
    """review41c F4: the set's other discs and its .m3u are another profile's choice too, and
    the prune keeps them (rightly); the warning said "the set's other discs go, and its
    playlist with them". Nothing says they go now: the note of another profile's files
    names them kept."""
    lib = tmp_path / "lib"
    (lib / "psx").mkdir(parents=True)
    names = [f"Trio (USA) (Disc {n})" for n in (1, 2, 3)]
    for number, name in enumerate(names, 1):
        write_disc(lib / "psx", name, bytes([number]) * 9000)
    (lib / "gb").mkdir()
    (lib / "gb" / "Solo (USA).gb").write_bytes(b"solo" * 2048)
    card = _knulli_card(cli, tmp_path)
    assert cli("profile", "create", "--device", "1", "--os", "knulli", "--name",
               "second").code == 0
    for profile in ("1", "2"):
        assert cli("deploy", profile, "--to", str(card), "--auto").code == 0
    before = files(card)
    for suffix in (".cue", ".bin"):
        (lib / "psx" / f"{names[2]}{suffix}").unlink()
    assert cli("scan", "--workers", "1").code == 0
    for dry in (("--dry-run",), ()):
        pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", *dry)
        assert pruned.code == 0, pruned.err
        assert files(card) == before
        said = " ".join([*pruned.json()["warnings"], *pruned.json()["data"]["notes"]])
        assert "discs go" not in said and "playlist with them" not in said, said
        assert "removed 1 playlist" not in said and "remove 1 playlist" not in said, said
        assert "roms/psx/Trio (USA) (Disc 1).bin" in said  # (another profile's: kept)


def test_a_disc_gone_keeps_its_sets_playlist_while_the_other_discs_stay(
        cli: Any, tmp_path: Path) -> None:
    """The other side of the one above: with the set's other discs held too (their root not
    mounted), the card's set stays whole, its .m3u with it."""
    lib, more = tmp_path / "lib", tmp_path / "more"
    (lib / "psx").mkdir(parents=True)
    (more / "psx").mkdir(parents=True)
    names = [f"Trio (USA) (Disc {n})" for n in (1, 2, 3)]
    for number, name in enumerate(names, 1):
        write_disc((more if number < 3 else lib) / "psx", name, bytes([number]) * 9000)
    (lib / "gb").mkdir()
    (lib / "gb" / "Solo (USA).gb").write_bytes(b"solo" * 2048)
    card = _knulli_card(cli, tmp_path)
    assert cli("library", "add", str(more)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    before = files(card)
    for suffix in (".cue", ".bin"):
        (lib / "psx" / f"{names[2]}{suffix}").unlink()
    assert cli("scan", "--workers", "1").code == 0
    more.rename(tmp_path / "more-away")
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 0
    assert files(card) == before | {"roms/gb/Solo (USA).gb"}
    assert not [w for w in pruned.json()["warnings"] if "playlist with them" in w]


def _backup_root(cli: Any, pack: Path, tmp_path: Path) -> Path:
    """A second library root holding a copy of the library's set (the same bytes)."""
    second = tmp_path / "more"
    write_set(second / "psx")
    for args in (("library", "add", str(second)), ("scan", "--workers", "1")):
        assert cli("--pack", str(pack), *args).code == 0, args
    return second


def _card_bytes(card: Path) -> dict[str, bytes]:
    return {name: (card / name).read_bytes() for name in files(card)}


def test_a_set_in_two_roots_goes_on_the_card_once_whatever_the_backup_root_does(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA9 F2 / review 8: a backup copy of a set in a second root (both chosen) gave
    collisions, "2 of 4 discs could be placed", exit 1 on every run, tracks renamed after their
    sheet (``X (Disc 1) - X (Disc 1).bin``), and each change of the backup root (unmounted,
    back, removed) recopied the set under other names. The set goes on the card once, each
    disc from one copy, a warning naming the other copies, exit 0."""
    second = _backup_root(cli, pack, tmp_path)
    card = tmp_path / "card"
    first = deploy(cli, pack, "muos", card)  # asserts exit 0
    warnings = first.json()["warnings"]
    assert not [w for w in warnings if "already taken" in w or "discs could be placed" in w
                or "sheets name tracks" in w or "sheet names tracks" in w], warnings
    said = [w for w in warnings if "copies of another" in w or "copy of another" in w]
    assert len(said) == 1, warnings
    assert f"{second}/psx/Saga (USA) (Disc 1).cue" in said[0]  # the copy left out, named
    assert files(card) == {
        *(f"ROMS/psx/.Saga (USA)/{name}{suffix}" for name in NAMES
          for suffix in (".cue", ".bin")),
        "ROMS/psx/Saga (USA).m3u", "ROMS/psx/Solo (USA).cue", "ROMS/psx/Solo (USA).bin"}
    assert playable(card, "ROMS/psx/Saga (USA).m3u") == expected_tracks(library)
    before = _card_bytes(card)
    away = tmp_path / "more-away"

    def again() -> list[str]:
        result = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                     "platform:psx", "--prune", "--force")
        assert result.code == 0, result.json()["errors"]
        assert (result.json()["data"]["copied"], result.json()["data"]["pruned"]) == (0, 0)
        assert _card_bytes(card) == before  # the .m3u lists each disc once
        return list(result.json()["warnings"])
    again()
    second.rename(away)  # the backup share unmounted
    again()
    away.rename(second)  # back
    again()
    (second / "psx").rename(tmp_path / "psx-aside")  # gone from the backup since the scan
    assert cli("--pack", str(pack), "scan", "--workers", "1", "--accept-missing").code == 0
    said = again()  # (the backup's copies are missing, their content placed from the other
    assert not [w for w in said if "(an unmounted share? rescan when it is back)" in w
                or "matching games are missing" in w], said  # root: not said missing; the
    # card's copies are not theirs)
    (tmp_path / "psx-aside").rename(second / "psx")
    assert cli("--pack", str(pack), "scan", "--workers", "1").code == 0
    library.rename(tmp_path / "roms-away")  # now the first root is the one away
    again()
    (tmp_path / "roms-away").rename(library)
    assert cli("--pack", str(pack), "library", "rm", str(second), "--force").code == 0
    again()


def test_a_set_in_two_roots_whose_disc_differs_is_a_conflict_still_said(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """Discs are copies by their content, not by name: a second root's disc 2 of other bytes
    is a real conflict (the card has room for one), reported; disc 1, the same, is a copy."""
    second = tmp_path / "more"
    write_set(second / "psx")
    (second / "psx" / f"{NAMES[1]}.bin").write_bytes(b"other" * 4000)
    for args in (("library", "add", str(second)), ("scan", "--workers", "1")):
        assert cli("--pack", str(pack), *args).code == 0, args
    made = cli("--pack", str(pack), "profile", "create", "--device", "1", "--os", "muos")
    assert made.code == 0, made.err
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                 "platform:psx")
    assert result.code == 1
    warnings = result.json()["warnings"]
    clash = [w for w in warnings if "already taken" in w]
    assert clash and all(NAMES[1] in w for w in clash), warnings
    assert any(f"{second}/psx/{NAMES[1]}.cue" in w for w in clash), clash  # names the copy
    assert not any(f"{NAMES[0]}.cue: would land" in w for w in warnings)


def test_a_disc_known_by_its_tracks_crc32_only_is_no_copy_when_the_crc32s_differ(
        cli: Any, pack: Path, library: Path, tmp_path: Path, db_path: Path) -> None:
    """Tracks of the same names and sizes whose SHA1s are not known (a first scan with a
    catalog defers them) are compared by their CRC32s: other bytes are not a copy."""
    second = tmp_path / "more"
    write_set(second / "psx")
    track = second / "psx" / f"{NAMES[1]}.bin"
    track.write_bytes(bytes(255 - b for b in track.read_bytes()))  # same size, other bytes
    for args in (("library", "add", str(second)), ("scan", "--workers", "1")):
        assert cli("--pack", str(pack), *args).code == 0, args
    with sqlite3.connect(db_path) as conn:  # as a CRC32-first scan leaves them
        conn.execute("UPDATE game_files SET sha1_bin = NULL, md5_bin = NULL "
                     "WHERE kind = 'track'")
    made = cli("--pack", str(pack), "profile", "create", "--device", "1", "--os", "muos")
    assert made.code == 0, made.err
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                 "platform:psx", "--dry-run")
    warnings = result.json()["warnings"]
    clash = [w for w in warnings if "already taken" in w]
    assert clash and all(NAMES[1] in w for w in clash), warnings


def test_generic_track_names_after_a_long_sheet_name_keep_what_tells_them_apart(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """Review 2 (9): a track named after its sheet (``{sheet} - Track 01.bin``, two discs'
    generic names in one folder) was cut to the card's 255-character limit from its end, so
    a long sheet name left ``Track 01`` and ``Track 02`` one name and the disc was refused.
    The sheet's part is cut; the track's own name stays."""
    title = "A" * 226 + " (USA)"  # each sheet's stem: 241 characters
    root = tmp_path / "roms"
    tracks: list[bytes] = []
    for disc in (1, 2):
        folder = root / "psx" / title / f"Disc {disc}"
        folder.mkdir(parents=True)
        for number in (1, 2):
            data = hashlib.sha256(f"long{disc}{number}".encode()).digest() * 1000
            (folder / f"Track 0{number}.bin").write_bytes(data)
            tracks.append(data)
        (folder / f"{title} (Disc {disc}).cue").write_text(
            CUE.format("Track 01.bin") + CUE.format("Track 02.bin").replace("01", "02"))
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    result = deploy(cli, pack, "muos", card)  # asserts exit 0: no disc refused
    assert not [w for w in result.json()["warnings"] if "would both be" in w]
    assert playable(card, f"ROMS/psx/{title}.m3u") == tracks
    names = sorted(p.name for p in (card / f"ROMS/psx/.{title}").iterdir())
    assert all(len(name) <= 255 for name in names)
    assert [name[-17:] for name in names if name.endswith(".bin")] == [
        "1) - Track 01.bin", "1) - Track 02.bin", "2) - Track 01.bin", "2) - Track 02.bin"]
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx", "--prune", "--force")
    assert (again.json()["data"]["copied"], again.json()["data"]["pruned"]) == (0, 0)


def test_chosen_games_missing_whose_content_the_card_gets_from_another_root_are_not_said(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """trust10's note: with a backup root's copies missing since the scan (rescanned with
    --accept-missing) and the same content placed from the other root, the selection's warning
    still said "N of M matching games are missing … not deployed (Saga (USA) (Disc 1).cue …)".
    It names only the chosen games whose content does not reach the card another way."""
    second = tmp_path / "more"
    write_set(second / "psx")
    (second / "psx" / "Lone (USA).bin").write_bytes(b"lone" * 5000)  # in the backup only
    (second / "psx" / "Lone (USA).cue").write_text(CUE.format("Lone (USA).bin"))
    for root in (library, second):
        (root / "gb").mkdir()
        (root / "gb" / "Twin (USA).gb").write_bytes(b"twin" * 4096)
    (second / "gb" / "Alone (USA).gb").write_bytes(b"alone" * 4096)
    for args in (("library", "add", str(second)), ("scan", "--workers", "1")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "platform:psx,gb")
    for platform in ("psx", "gb"):
        (second / platform).rename(tmp_path / f"{platform}-aside")
    assert cli("--pack", str(pack), "scan", "--workers", "1", "--accept-missing").code == 0
    result = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                 "platform:psx,gb")
    assert result.code == 0, result.json()["errors"]
    said = [w for w in result.json()["warnings"] if "matching games" in w and "missing" in w]
    assert len(said) == 1 and said[0].startswith("2 of 12 matching games are missing"), said
    assert "Saga" not in said[0] and "Solo" not in said[0] and "Twin" not in said[0], said
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
              "platform:psx,gb", "--dry-run")
    assert sorted(dry.json()["data"]["chosen"]["missing"]) == ["Alone (USA).gb",
                                                               "Lone (USA).cue"]
    assert said[0] in dry.json()["warnings"]


def test_a_sets_warnings_name_it_by_its_first_disc_whatever_the_ids(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA20 P3: a set whose disc 2 carries its own label (`(Disc 2) (Fixed)`) and has a lower
    id than disc 1 (scanned first) was named "Trio (USA) (Fixed)" in its warnings, as its .m3u
    is not; both name it by its first disc."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    names = ["Trio (USA) (Disc 2) (Fixed)", "Trio (USA) (Disc 3)", "Trio (USA) (Disc 1)"]
    for number, name in enumerate(names):
        if number == 2:  # disc 1 comes to the library after a first scan: a higher id
            assert cli("--pack", str(pack), "library", "add", str(tmp_path / "roms")).code == 0
            assert cli("--pack", str(pack), "scan", "--workers", "1").code == 0
        (root / f"{name}.bin").write_bytes(name.encode() * 900)
        (root / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
    assert cli("--pack", str(pack), "scan", "--workers", "1").code == 0
    assert cli("--pack", str(pack), "device", "add", "rg-35xx-plus").code == 0
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card)
    _disc_away(cli, pack, root / names[1], tmp_path / "aside")
    again = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
                "platform:psx")
    assert again.code == 0, again.err
    said = [w for w in again.json()["warnings"] if "disc 3" in w]
    assert said and all(w.startswith("Trio (USA): disc 3") for w in said), said
    assert (card / "ROMS/psx/Trio (USA).m3u").is_file()


def test_a_sets_folder_and_its_playlist_share_one_legal_name(tmp_path: Path) -> None:
    """MinUI opens `FOLDER/FOLDER.m3u`: a title ending in "." on FAT32 made the folder
    `Ys Vol/` (no trailing dot there) and the playlist `Ys Vol..m3u` (QA25 F1)."""
    names = [f"Ys Vol. (Disc {disc})" for disc in (1, 2)]
    files: dict[str, int | bytes] = {}
    for disc, name in enumerate(names, 1):
        files[f"psx/{name}.bin"] = hashlib.sha256(f"ys{disc}".encode()).digest() * 400
        files[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, disc_layout="folder"))
    (playlist,) = [item.dest for item in plan.items if item.dest.endswith(".m3u")]
    folder = PurePosixPath(playlist).parent
    assert playlist == f"{folder}/{folder.name}.m3u", playlist
    summary = run(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 0
    assert playable(card, playlist) == [files[f"psx/{name}.bin"] for name in names]


def test_two_dumps_of_a_set_in_two_roots_go_on_the_card_as_one_set(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA33 F4, F29: the same 2-disc set in a second root as other dumps (a re-rip, or CHD
    beside cue/bin): the auto-list included every copy, the deploy exited 1 with "2 of 4
    discs could be placed" (or listed discs 1, 1, 2, 2 in the playlist). One copy is the
    set, the other another version of it; the card gets each disc once."""
    second = tmp_path / "more" / "psx"
    second.mkdir(parents=True)
    for disc, name in enumerate(NAMES, 1):
        write_disc(second, name, f"re-rip {disc}".encode() * 9000)
    for args in (("library", "add", str(tmp_path / "more")), ("scan", "--workers", "1")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "--auto")  # asserts exit 0
    listing = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    saga = [e for e in listing if e["filename"].startswith("Saga (USA) (Disc")]
    assert sorted(e["reason"] for e in saga) == ["INCLUDED", "INCLUDED", "other_version",
                                                 "other_version"], saga
    lines = (card / "ROMS/psx/Saga (USA).m3u").read_text().splitlines()
    assert [PurePosixPath(line).name for line in lines] == [f"{n}.cue" for n in NAMES]
    assert len(playable(card, "ROMS/psx/Saga (USA).m3u")) == 2


def test_a_set_chosen_whole_in_one_root_adds_no_disc_from_another(
        cli: Any, pack: Path, library: Path, tmp_path: Path) -> None:
    """QA33 F7: both discs of a set chosen (a collection), its copy in a second root: "2
    discs not chosen added to complete its set" though nothing completed it."""
    _backup_root(cli, pack, tmp_path)
    ids = [g["id"] for g in cli("--pack", str(pack), "--json", "games", "ls", "title:saga")
           .json()["data"]["games"] if str(library) in g["root"]
           and g["filename"].endswith(".cue")]
    assert len(ids) == 2
    assert cli("--pack", str(pack), "collection", "create", "saga").code == 0
    assert cli("--pack", str(pack), "collection", "add", "saga", *map(str, ids)).code == 0
    card = tmp_path / "card"
    result = deploy(cli, pack, "muos", card, "--collection", "saga")
    assert not [w for w in result.json()["warnings"] if "added to complete" in w], \
        result.json()["warnings"]


def _chd(path: Path, seed: str) -> None:
    """A minimal CHD v5 file: its header and the SHA1 of the data it says it holds."""
    header = bytearray(b"MComprHD" + (124).to_bytes(4, "big") + (5).to_bytes(4, "big"))
    header += bytes(124 - len(header))
    header[84:104] = hashlib.sha1(seed.encode()).digest()
    path.write_bytes(bytes(header) + seed.encode() * 200)


def test_a_set_split_across_roots_or_kept_in_two_formats_goes_on_the_card_whole_and_once(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """Review 18 R6: discs 1 and 2 on the share, disc 3 on a backup disk: disc 3 was left
    out as "another version" of the set. R11: the set as cue/bin and as CHD in one folder
    (converted in place, the originals kept): the playlist listed discs 1, 1, 2, 2."""
    share, backup = tmp_path / "share" / "psx", tmp_path / "backup" / "psx"
    for folder in (share, backup):
        folder.mkdir(parents=True)
    names = [f"Trio (USA) (Disc {n})" for n in (1, 2, 3)]
    for number, name in enumerate(names, 1):
        if number < 3:
            (share / f"{name}.bin").write_bytes(name.encode() * 900)
            (share / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
            _chd(share / f"Duo (USA) (Disc {number}).chd", f"duo {number}")
            (share / f"Duo (USA) (Disc {number}).bin").write_bytes(f"duo {number}".encode() * 900)
            (share / f"Duo (USA) (Disc {number}).cue").write_text(
                CUE.format(f"Duo (USA) (Disc {number}).bin"))
        else:
            (backup / f"{name}.bin").write_bytes(name.encode() * 900)
            (backup / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
    for args in (("library", "add", str(share.parent)), ("library", "add", str(backup.parent)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    deploy(cli, pack, "muos", card, "--auto")
    trio = (card / "ROMS/psx/Trio (USA).m3u").read_text().splitlines()
    assert [PurePosixPath(line).name for line in trio] == [f"{n}.cue" for n in names]
    duo = [PurePosixPath(line).stem for line in
           (card / "ROMS/psx/Duo (USA).m3u").read_text().splitlines()]
    assert duo == ["Duo (USA) (Disc 1)", "Duo (USA) (Disc 2)"], duo
    listing = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    assert {e["filename"]: e["reason"] for e in listing}[f"{names[2]}.cue"] == "INCLUDED"


def test_a_plans_warnings_of_one_kind_are_said_ten_then_counted(
        cli: Any, pack: Path, tmp_path: Path) -> None:
    """QA134 F4: a library of many sets short of a disc printed one warning per set on every
    deploy (94 lines, every run); the text says ten and counts the rest, --json lists each."""
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    for number in range(13):
        for disc in (1, 3):
            name = f"Gap {number:02d} (USA) (Disc {disc})"
            write_disc(root, name, name.encode() * 900)
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus")):
        assert cli("--pack", str(pack), *args).code == 0, args
    listed = deploy(cli, pack, "muos", tmp_path / "card", "platform:psx", "--dry-run")
    gaps = [w for w in listed.json()["data"]["plan"]["warnings"] if w["code"] == "set-disc-gap"]
    assert len(gaps) == 13
    text = cli("--pack", str(pack), "deploy", "1", "--to", str(tmp_path / "card"),
               "platform:psx")
    assert text.code == 0, text.err
    said = [line for line in text.err.splitlines() if "is not in the library" in line]
    assert len(said) == 10, text.err
    assert "… and 3 more warnings as those above (set-disc-gap;" in text.err


_KILLED_AT_SECOND_COPY = """
import os, signal, sys
from romrunner.deploy import execute
original = execute._Runner.copy
calls = [0]
def copy(self, *args, **kwargs):
    calls[0] += 1
    if calls[0] == 2:  # after the set folder was made and its first file written
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, *args, **kwargs)
execute._Runner.copy = copy
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_set_folder_a_killed_run_made_is_removed_by_the_next_run_once_empty(
        cli: Any, pack: Path, library: Path, tmp_path: Path, db_path: Path) -> None:
    """QA145 F7: a deploy killed after it made ES-DE's `Saga (USA).m3u/` folder (before its
    manifest said so) left it, empty, to the next prune: "a folder ROM Runner did not make
    is never removed", and ES-DE listed it as a game that cannot start."""
    card = tmp_path / "card"
    card.mkdir()
    made = cli("--pack", str(pack), "--json", "profile", "create", "--device", "1",
               "--os", "emudeck")
    profile = str(made.json()["data"]["id"])
    driver = tmp_path / "driver.py"
    driver.write_text(_KILLED_AT_SECOND_COPY)
    killed = subprocess.run(
        [sys.executable, str(driver), "--db", str(db_path), "--pack", str(pack), "deploy",
         profile, "--to", str(card), "platform:psx"], capture_output=True, text=True,
        timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    folder = card / "Emulation" / "roms" / "psx" / "Saga (USA).m3u"
    assert folder.is_dir()
    (library / "gb").mkdir()
    (library / "gb" / "Hop (USA).gb").write_bytes(b"hop" * 3000)
    assert cli("--pack", str(pack), "scan", "--workers", "1").code == 0
    again = cli("--pack", str(pack), "--json", "deploy", profile, "--to", str(card),
                "platform:gb", "--prune", "--force")
    assert again.code in (0, 1), again.err
    assert not folder.exists(), sorted(p.name for p in folder.iterdir())
    assert "Emulation/roms/psx/Saga (USA).m3u" in again.json()["data"]["pruned_folders"]
    # (no prune emptied the platform's folder: review 149 F4, it was said to have)
    assert not [n for n in again.json()["data"]["notes"] if "the prune emptied" in n]


@pytest.mark.parametrize("disc_layout", ["hidden", "folder", "m3u-folder", "flat"])
def test_two_dumps_alike_of_a_sets_disc_put_one_in_the_sets_folder_said(
        tmp_path: Path, disc_layout: str) -> None:
    """QA162 F6: `Game Inc.` and `Game Inc` are one set (one title folded) whose discs go
    apart in one folder: both dumps of each disc went in, the playlist listing one, the
    other invisible on the device, unsaid."""
    files: dict[str, int | bytes] = {}
    # (in two folders, so that the scan's ids interleave the copies' discs: QA165 F1)
    folders = {("Game Inc.", 1): "a", ("Game Inc", 2): "a", ("Game Inc", 1): "b",
               ("Game Inc.", 2): "b"}
    for (title, disc), folder in folders.items():
        name = f"{title} (Disc {disc})"
        data = hashlib.sha256(f"{title}{disc}".encode()).digest() * 400
        files[f"psx/{folder}/{name}.bin"] = data
        files[f"psx/{folder}/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, disc_layout=disc_layout))
    said = [w for w in plan.warnings if w.code == "disc-revision-left-out"]
    assert len(said) == 1 and said[0].message.startswith("2 discs of a set chosen twice"), said
    sheets = [item.dest for item in plan.items if item.dest.endswith(".cue")]
    assert len(sheets) == 2, sheets
    (playlist,) = [item for item in plan.items if item.dest.endswith(".m3u")]
    assert sorted(PurePosixPath(line).name for line in
                  (playlist.content or b"").decode().splitlines()) == \
        sorted(PurePosixPath(dest).name for dest in sheets)
    # both discs of one copy, never one of each (QA165 F1)
    assert len({PurePosixPath(dest).name.split(" (Disc")[0] for dest in sheets}) == 1, sheets


def test_es_de_on_android_gets_a_sets_discs_in_its_m3u_folder(cli: Any, tmp_path: Path) -> None:
    """QA161 F9: ES-DE for Android (the pack's android-emulationstation) got the flat layout:
    each disc's sheet and the .m3u listed side by side, the game shown three times."""
    from tests.conftest import shared_path
    pack = str(shared_path("definition-pack"))
    write_set(tmp_path / "roms" / "psx")
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "android-emulationstation")):
        assert cli("--pack", pack, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "destination", "paths", "1", "--to", str(card), "--set",
               "roms=ROMs", "--set", "bios=RetroArch/system").code == 0
    done = cli("--pack", pack, "deploy", "1", "--to", str(card), "Saga")
    assert done.code == 0, done.err
    listed = {path for path in files(card) if path.count("/") == 2}  # what ES-DE lists
    assert not any(path.endswith(".cue") for path in listed), listed
    assert playable(card, "ROMs/psx/Saga (USA).m3u/Saga (USA).m3u") == [
        (tmp_path / "roms" / "psx" / f"{name}.bin").read_bytes() for name in NAMES]


@pytest.mark.parametrize("b_first", [False, True])
def test_a_sets_discs_come_from_its_fullest_copy(tmp_path: Path, b_first: bool) -> None:
    """Review 36b F1: copy A has discs 1-3, copy B (names alike) discs 2-3: the playlist
    took A's disc 1 and B's discs 2 and 3, by the scan's id order."""
    files: dict[str, int | bytes] = {}
    copies = {"Game Inc.": (1, 2, 3), "Game Inc": (2, 3)}
    for title, numbers in copies.items():
        folder = "a" if (title == "Game Inc") == b_first else "b"
        for disc in numbers:
            name = f"{title} (Disc {disc})"
            files[f"psx/{folder}/{name}.bin"] = \
                hashlib.sha256(f"{title}{disc}".encode()).digest() * 400
            files[f"psx/{folder}/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, disc_layout="folder"))
    sheets = sorted(PurePosixPath(item.dest).name for item in plan.items
                    if item.dest.endswith(".cue"))
    assert sheets == [f"Game Inc. (Disc {n}).cue" for n in (1, 2, 3)], sheets


def test_a_second_copy_of_a_set_is_left_out_and_said_on_the_flat_layout(
        cli: Any, tmp_path: Path) -> None:
    """QA186: `Alpha: Beta` beside `Alpha - Beta` (two dump sources: one set) on KNULLI or
    Batocera, whose discs go flat beside the .m3u: both copies went on the card, the .m3u
    listing one, the other's discs each a game of its own on the device, unsaid — the
    layouts that put discs apart left the second copy out and said so."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    for title in ("Alpha: Beta (USA)", "Alpha - Beta (USA)"):
        for disc in (1, 2):
            write_disc(psx, f"{title} (Disc {disc})",
                       hashlib.sha256(f"{title}{disc}".encode()).digest() * 400)
    card = _knulli_card(cli, tmp_path)
    done = cli("--json", "deploy", "1", "--to", str(card), "title:alpha")
    assert done.code == 0, done.err
    said = [w for w in done.json()["warnings"] if "of a set chosen twice left out" in w]
    assert len(said) == 1 and said[0].startswith("2 discs of a set"), done.json()["warnings"]
    (playlist,) = card.rglob("*.m3u")
    sheets = sorted(path.name for path in card.rglob("*.cue"))
    assert len(sheets) == 2 and len({name.split(" (Disc")[0] for name in sheets}) == 1, sheets
    assert sorted(playlist.read_text().splitlines()) == sheets
    assert len(list(card.rglob("*.bin"))) == 2


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_second_copy_of_a_set_in_another_library_root_is_left_out_and_said(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    """Review40b F3: the QA186 case with each copy in a library root of its own (two scanned
    folders): both copies went on the card — on KNULLI the second's discs beside the .m3u,
    each a game of its own — unsaid, by the dry run and the run alike."""
    for root, title in (("a", "Alpha: Beta (USA)"), ("b", "Alpha - Beta (USA)")):
        psx = tmp_path / root / "psx"
        psx.mkdir(parents=True)
        for disc in (1, 2):
            write_disc(psx, f"{title} (Disc {disc})",
                       hashlib.sha256(f"{title}{disc}".encode()).digest() * 400)
    for args in (("library", "add", str(tmp_path / "a")), ("library", "add", str(tmp_path / "b")),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--dry-run")
    assert dry.code == 0, dry.err
    done = cli("--json", "deploy", "1", "--to", str(card), "title:alpha")
    assert done.code == 0, done.err
    for result in (dry, done):
        said = [w for w in result.json()["warnings"] if "of a set chosen twice left out" in w]
        assert len(said) == 1 and said[0].startswith("2 discs of a set"), \
            result.json()["warnings"]
    assert sorted(row["path"] for row in dry.json()["data"]["copy"]) == sorted(
        str(path.relative_to(card)) for path in card.rglob("*") if path.is_file()
        and ".romrunner" not in path.parts)  # (the dry run said what the run wrote)
    (playlist,) = card.rglob("*.m3u")
    sheets = sorted(path.name for path in card.rglob("*.cue"))
    assert len(sheets) == 2 and len({name.split(" (Disc")[0] for name in sheets}) == 1, sheets
    assert sorted(PurePosixPath(line).name for line in playlist.read_text().splitlines()) \
        == sheets
    assert len(list(card.rglob("*.bin"))) == 2


def test_of_two_copies_of_a_set_in_two_roots_the_one_that_can_go_goes(
        cli: Any, tmp_path: Path) -> None:
    """Review41: with the first copy's root away, the copy in the root that is there goes
    (nothing went), and --prune leaves the card's copy of it (it removed the set's discs)."""
    for root, title in (("a", "Alpha: Beta (USA)"), ("b", "Alpha - Beta (USA)")):
        psx = tmp_path / root / "psx"
        psx.mkdir(parents=True)
        for disc in (1, 2):
            write_disc(psx, f"{title} (Disc {disc})",
                       hashlib.sha256(f"{title}{disc}".encode()).digest() * 400)
    for args in (("library", "add", str(tmp_path / "a")), ("library", "add", str(tmp_path / "b")),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    (tmp_path / "a").rename(tmp_path / "a.away")
    card = tmp_path / "card"
    card.mkdir()
    done = cli("--json", "deploy", "1", "--to", str(card), "title:alpha")
    assert done.code == 0, done.err
    assert any("Alpha: Beta (USA) (Disc 1).cue (disc 1: Alpha - Beta (USA) (Disc 1).cue goes)"
               in w for w in done.json()["warnings"]), done.json()["warnings"]
    written = sorted(path.name for path in card.rglob("*") if path.is_file()
                     and ".romrunner" not in path.parts)
    assert written == ["Alpha - Beta (USA) (Disc 1).bin", "Alpha - Beta (USA) (Disc 1).cue",
                       "Alpha - Beta (USA) (Disc 2).bin", "Alpha - Beta (USA) (Disc 2).cue",
                       "Alpha - Beta (USA).m3u"], written
    pruned = cli("deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.code == 0, pruned.err
    assert sorted(path.name for path in card.rglob("*") if path.is_file()
                  and ".romrunner" not in path.parts) == written


def test_a_copy_of_a_set_on_the_card_whose_root_is_away_is_kept_not_replaced_by_a_lesser_one(
        cli: Any, tmp_path: Path) -> None:
    """review41c F1: root a's three discs on the card, root a away, root b holding two discs
    of the set under other names: b's two went, --prune removed a's discs 1 and 2 (their
    only reachable copies away) and kept a's playlist naming them. The card's copy stays."""
    for root, title, discs in (("a", "Alpha: Beta (USA)", (1, 2, 3)),
                               ("b", "Alpha - Beta (USA)", (1, 2))):
        psx = tmp_path / root / "psx"
        psx.mkdir(parents=True)
        for disc in discs:
            write_disc(psx, f"{title} (Disc {disc})",
                       hashlib.sha256(f"{title}{disc}".encode()).digest() * 400)
    for args in (("library", "add", str(tmp_path / "a")), ("library", "add", str(tmp_path / "b")),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    before = {path: path.read_bytes() for path in card.rglob("*") if path.is_file()
              and ".romrunner" not in path.parts}
    assert sum(1 for path in before if path.name.startswith("Alpha: Beta")) == 7  # a's
    (tmp_path / "a").rename(tmp_path / "a.away")
    pruned = cli("deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.code in (0, 1), pruned.err
    after = {path: path.read_bytes() for path in card.rglob("*") if path.is_file()
             and ".romrunner" not in path.parts}
    assert after == before


def _knulli_card(cli: Any, tmp_path: Path) -> Path:
    """``tmp_path/lib`` added and scanned, an RG35XX Plus on KNULLI as profile 1 (the flat
    layout), and an empty card folder."""
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    return card


@pytest.mark.parametrize("disc_layout", ["hidden", "folder", "m3u-folder", "flat"])
def test_a_disc_named_like_a_playlist_comment_is_listed_as_a_path(
        tmp_path: Path, disc_layout: str) -> None:
    """QA186: `#1 Racer (USA) (Disc 1).cue` went in the .m3u as it was: a line starting with
    `#` is a comment to RetroArch's reader and the cores', the playlist had no disc. Each
    line is a path every player joins to the .m3u's folder: `./#1 Racer …`."""
    files: dict[str, int | bytes] = {}
    for disc in (1, 2):
        name = f"#1 Racer (USA) (Disc {disc})"
        files[f"psx/{name}.bin"] = hashlib.sha256(name.encode()).digest() * 400
        files[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card, fs=FileSystem.POSIX, disc_layout=disc_layout))
    assert not plan.errors, plan.errors
    run(library.db, plan, profile_id=library.profile_id)
    (playlist,) = [path for path in card.rglob("*.m3u") if path.is_file()]
    lines = playlist.read_text().splitlines()
    assert len(lines) == 2 and not [line for line in lines if line.startswith("#")], lines
    for disc, line in enumerate(lines, 1):
        assert PurePosixPath(line).name == f"#1 Racer (USA) (Disc {disc}).cue", lines
        assert (playlist.parent / line).is_file(), line


def test_a_disc_name_holding_a_label_mark_is_said(cli: Any, tmp_path: Path) -> None:
    """QA186: `Pipe|Dream (USA) (Disc 1).cue` on a card that keeps `|` (KNULLI on ext4):
    RetroArch reads the line's `|` as the start of a label; no spelling of the line avoids
    that, so the deploy says it."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    for disc in (1, 2):
        write_disc(psx, f"Pipe|Dream (USA) (Disc {disc})",
                   hashlib.sha256(f"pipe{disc}".encode()).digest() * 400)
    card = _knulli_card(cli, tmp_path)
    done = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert done.code == 0, done.err
    (said,) = [w for w in done.json()["warnings"] if "holds '|'" in w]
    assert said.startswith("Pipe|Dream (USA): ") and "Pipe|Dream (USA).m3u" in said, said
    (playlist,) = card.rglob("*.m3u")
    assert playlist.read_text().splitlines() == [
        f"Pipe|Dream (USA) (Disc {disc}).cue" for disc in (1, 2)]
