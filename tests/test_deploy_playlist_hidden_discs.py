"""A playlist whose discs are no games of the library — muOS's layout, `Game.m3u` beside a
hidden `.Game/` the scan skips, copied back from a card — goes to the card with the tracks
its discs' sheets name (qa201 F1: the .m3u and the .cue sheets went without their .bin
tracks, and the deploy said "completed", exit 0: a game listed that cannot load)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile, writer_killed_before_rename
from tests.test_deploy_multidisc_layout import playable

TITLE = "Parasite Eve (USA)"


def _hidden_set(lib: Path) -> dict[str, bytes]:
    """Two cue/bin discs in ``lib/psx/.TITLE/`` and ``lib/psx/TITLE.m3u`` naming their
    sheets: each file's path under ``psx`` -> its bytes."""
    psx = lib / "psx"
    files: dict[str, bytes] = {}
    lines = []
    for disc in (1, 2):
        name = f"{TITLE} (Disc {disc})"
        files[f".{TITLE}/{name}.bin"] = os.urandom(2352 * 40)
        files[f".{TITLE}/{name}.cue"] = (f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                          "    INDEX 01 00:00:00\n").encode()
        lines.append(f".{TITLE}/{name}.cue")
    files[f"{TITLE}.m3u"] = ("\n".join(lines) + "\n").encode()
    for relpath, data in files.items():
        (psx / relpath).parent.mkdir(parents=True, exist_ok=True)
        (psx / relpath).write_bytes(data)
    return files


def _card_files(card: Path) -> dict[str, bytes]:
    return {str(path.relative_to(card)): path.read_bytes() for path in card.rglob("*")
            if path.is_file() and ".romrunner" not in path.parts}


def test_a_playlists_discs_in_a_hidden_folder_go_with_their_tracks(cli: Any,
                                                                    tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    files = _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    listed = cli("--json", "games", "ls").json()["data"]["games"]
    assert [game["filename"] for game in listed] == [f"{TITLE}.m3u"]  # (the discs: hidden)
    shown = cli("games", "show", str(listed[0]["id"]))  # (not "missing or unreadable")
    assert shown.out.count("in a hidden folder, which a scan skips") == 2, shown.out
    assert "missing or unreadable" not in shown.out
    deployed = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert deployed.code == 0, deployed.err
    on_card = _card_files(card)
    folder = next(iter(on_card)).split("/")[0:-1]
    assert {path.rsplit("/", 1)[-1] for path in on_card} >= {
        relpath.rsplit("/", 1)[-1] for relpath in files}, sorted(on_card)
    for relpath, data in files.items():  # (each file byte for byte, the tracks beside their
        (found,) = [path for path in on_card if path.endswith(relpath)]  # sheets)
        assert on_card[found] == data, found
    assert folder  # (under the platform's folder)
    again = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out
    (lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 2).cue").unlink()  # (gone: not "hidden")
    shown = cli("games", "show", str(listed[0]["id"])).out
    assert shown.count("in a hidden folder") == 1 and "missing or unreadable" in shown, shown


def test_a_playlists_hidden_disc_missing_a_track_leaves_the_playlist_out(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    (lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 2).bin").unlink()
    deployed = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert deployed.code != 0
    said = deployed.json()
    assert any(f"{TITLE} (Disc 2).bin: missing" in line
               for line in said["warnings"] + said["errors"]), deployed.out
    assert _card_files(card) == {}  # (no sheet without its track, no playlist of half a set)
    (lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 1).cue").write_bytes(b"\xff" * (2 << 20))
    unread = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = unread.json()
    assert unread.code != 0 and any("cannot be read for the tracks it names" in line
                                    for line in said["warnings"] + said["errors"]), unread.out
    assert _card_files(card) == {}


def test_a_hidden_discs_track_changed_at_its_size_is_copied_again(cli: Any,
                                                                   tmp_path: Path) -> None:
    """review47b F1: the followed files were planned without their times, so compared by
    size alone: a track rewritten at its size was "skipped", the card's old bytes kept."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", str(card), "parasite").code == 0
    track = lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 1).bin"
    new = os.urandom(track.stat().st_size)
    track.write_bytes(new)
    os.utime(track, ns=(track.stat().st_mtime_ns + 10**9,) * 2)
    again = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert again.code == 0 and again.json()["data"]["copied"] == 1, again.out
    (copy,) = [path for path in card.rglob(track.name)]
    assert copy.read_bytes() == new


def test_a_hidden_sheet_naming_no_track_leaves_the_playlist_out(cli: Any,
                                                                 tmp_path: Path) -> None:
    """review47b F5: an empty (or binary) hidden sheet went to the card with its playlist."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    (lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 2).cue").write_bytes(b"")
    deployed = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = deployed.json()
    assert deployed.code != 0 and any("it names no track" in line for line in
                                      said["warnings"] + said["errors"]), deployed.out
    assert _card_files(card) == {}


def test_a_playlist_only_touched_since_the_scan_is_deployed(cli: Any, tmp_path: Path) -> None:
    """review47e (side note): a `touch` of a scanned playlist made the deploy warn "changed
    since the scan" and leave the whole set out, exit 1: its bytes are read again now, and
    the scan's SHA1 tells it is the file the scan read. One whose bytes changed at its size
    is still said to have changed."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    files = _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    assert cli("deploy", "1", "--to", str(card), "parasite").code == 0
    playlist = lib / "psx" / f"{TITLE}.m3u"
    os.utime(playlist, ns=(playlist.stat().st_mtime_ns + 10**9,) * 2)
    again = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = again.json()
    assert again.code == 0 and said["data"]["copied"] == 0, again.out
    assert not [line for line in said["warnings"] + said["errors"] if "changed" in line]
    assert len(_card_files(card)) == len(files)
    playlist.write_bytes(b"".join(reversed(playlist.read_bytes().splitlines(keepends=True))))
    changed = cli("--json", "deploy", "1", "--to", str(card), "parasite", "--dry-run")
    said = changed.json()
    assert changed.code != 0 and any("changed since the scan" in line for line in
                                     said["warnings"] + said["errors"]), changed.out


def test_a_hidden_sheets_track_through_a_folder_above_is_said_so(cli: Any,
                                                                  tmp_path: Path) -> None:
    """review47b F6: a hidden sheet's track named through `..`, inside the library root, was
    said to be "outside the library root"; one named by an absolute path was joined to the
    sheet's folder (`.Game//etc/passwd`) and refused for a `/` the card cannot hold."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    card.mkdir()
    (lib / "psx" / "Stray.bin").write_bytes(b"\x01" * 2352)
    sheet = lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 1).cue"
    sheet.write_text('FILE "../Stray.bin" BINARY\n  TRACK 01 MODE2/2352\n')
    muos_profile(cli, lib)
    climbs = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = "\n".join(climbs.json()["warnings"] + climbs.json()["errors"])
    assert climbs.code != 0 and "folder above its sheet's" in said, said
    assert "outside the library root" not in said and _card_files(card) == {}
    sheet.write_text('FILE "/etc/passwd" BINARY\n  TRACK 01 MODE2/2352\n')
    absolute = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = "\n".join(absolute.json()["warnings"] + absolute.json()["errors"])
    assert absolute.code != 0 and "track '/etc/passwd' is outside the library root" in said
    assert "//" not in said.replace("://", "") and _card_files(card) == {}, said


def test_a_playlists_disc_sheet_gone_is_said_missing(cli: Any, tmp_path: Path) -> None:
    """A disc's sheet a playlist names, gone: said missing, as any file it names is (it was
    said "cannot be read for the tracks it names (cannot read (No such file…))")."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    card.mkdir()
    muos_profile(cli, lib)
    sheet = lib / "psx" / f".{TITLE}" / f"{TITLE} (Disc 2).cue"
    sheet.unlink()
    deployed = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    said = deployed.json()["warnings"] + deployed.json()["errors"]
    assert deployed.code != 0 and f"{sheet}: missing (listed by " in "\n".join(said), said
    assert _card_files(card) == {}


def test_a_users_playlist_naming_a_disc_not_there_leaves_the_library_discs_deployed(
        cli: Any, tmp_path: Path) -> None:
    """review48b F1: the library discs a chosen playlist named were taken into it, so where
    the playlist was then left out (its Disc 3 line names no file) the discs went nowhere,
    "nothing deployed" — and a --prune removed them from a card that had them. They go as
    the set's discs, as before."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    psx.mkdir(parents=True)
    discs: dict[str, bytes] = {}
    for disc in (1, 2):
        name = f"Game (USA) (Disc {disc})"
        discs[f"{name}.bin"] = os.urandom(2352 * 8)
        (psx / f"{name}.bin").write_bytes(discs[f"{name}.bin"])
        (psx / f"{name}.cue").write_text(f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                         "    INDEX 01 00:00:00\n")
    (psx / "Game (USA).m3u").write_text("".join(f"Game (USA) (Disc {n}).cue\n"
                                                for n in (1, 2, 3)))
    card.mkdir()
    muos_profile(cli, lib)
    deployed = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    on_card = _card_files(card)
    for name, data in discs.items():
        (found,) = [path for path in on_card if path.endswith(f"/{name}")]
        assert on_card[found] == data, found
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--prune",
                 "--force")
    assert {path for path in _card_files(card) if path.endswith(".bin")} == {
        path for path in on_card if path.endswith(".bin")}, (deployed.out, pruned.out)


@pytest.mark.parametrize("stored_before", [False, True])
def test_a_playlists_lines_through_the_current_folder_name_its_discs(
        cli: Any, tmp_path: Path, db_path: Path, stored_before: bool) -> None:
    """review48b F5: a playlist line `./Game (Disc 1).cue` (hand-made playlists have it, and
    ROM Runner writes it for a disc whose name starts with `#`) was refused at deploy ("'.':
    a path on the card cannot hold '.'"), exit 1: a card copied back into the library failed
    its next deploy. It names the disc of its folder."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    psx = lib / "psx"
    psx.mkdir(parents=True)
    for disc in (1, 2):
        name = f"#1 Racer (USA) (Disc {disc})"
        (psx / f"{name}.bin").write_bytes(os.urandom(2352 * 8))
        (psx / f"{name}.cue").write_text(f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                         "    INDEX 01 00:00:00\n")
    (psx / "#1 Racer (USA).m3u").write_text("".join(f"./#1 Racer (USA) (Disc {n}).cue\n"
                                                    for n in (1, 2)))
    card.mkdir()
    muos_profile(cli, lib)
    shown = cli("--json", "games", "ls").json()["data"]["games"]
    assert len(shown) == 3, shown  # (two discs and their playlist)
    if stored_before:  # (review48f F4: as a scan before the fix stored them, which a plain
        with sqlite3.connect(db_path) as db:  # rescan of the unchanged playlist keeps)
            db.execute("UPDATE game_files SET name = './' || name WHERE kind = 'track' "
                       "AND name LIKE '#1 Racer (USA) (Disc _).cue'")
        db.close()
    deployed = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    said = deployed.json()
    assert deployed.code == 0, deployed.out
    assert not [line for line in said["warnings"] + said["errors"] if "'.'" in line], said
    names = {path.rsplit("/", 1)[-1] for path in _card_files(card)}
    assert {f"#1 Racer (USA) (Disc {n}).bin" for n in (1, 2)} <= names, names


def _sheets_without_tracks(card: Path) -> list[str]:
    """The sheets on the card a track named in which is not beside them."""
    return [str(sheet.relative_to(card)) for sheet in card.rglob("*.cue")
            for line in sheet.read_text().splitlines() if line.startswith("FILE ")
            if not (sheet.parent / line.split('"')[1]).exists()]


@pytest.mark.parametrize("killed_at", [1, 2])
def test_a_run_killed_among_a_hidden_sets_files_leaves_no_sheet_without_its_track(
        cli: Any, tmp_path: Path, killed_at: int) -> None:
    # review50a P1: a library playlist's own discs were renamed into place each sheet
    # before its track; a kill between left a listed .cue on the card, its .bin not there
    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    muos_profile(cli, lib)
    card.mkdir()
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['--quiet', 'deploy', '1', '--to', {str(card)!r}, 'platform:psx']))\n")
    with writer_killed_before_rename(Path(f"{TITLE} (Disc {killed_at}).bin"), code):
        pass
    assert list(card.rglob("*.bin")) or killed_at == 1, sorted(card.rglob("*"))
    assert _sheets_without_tracks(card) == [], sorted(card.rglob("*"))
    assert not list(card.rglob("*.m3u")), sorted(card.rglob("*"))
    resumed = cli("deploy", "resume")
    assert resumed.code == 0, resumed.err
    assert _sheets_without_tracks(card) == []
    assert len(playable(card, f"ROMS/psx/{TITLE}.m3u")) == 2
