"""`games find` of the library's own file: the very file asked about — by its path in the
library, or by another path to it (a folder's link, a second mount) — is no copy of itself;
a script deleting every file `games find` says held deleted the library's file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.test_games_find_archive_reading import _payload, _scanned, _zip


def _library(cli: Any, tmp_path: Path) -> Path:
    """A library of a loose .gb, a zip of two .gba and a disc (a .cue and its .bin)."""
    roms = tmp_path / "roms"
    for folder in ("gb", "gba", "psx"):
        (roms / folder).mkdir(parents=True)
    (roms / "gb" / "Quest (USA).gb").write_bytes(_payload("quest"))
    _zip(roms / "gba" / "Pair (USA).zip", {"One (USA).gba": _payload("one"),
                                           "Two (USA).gba": _payload("two")})
    (roms / "psx" / "Disc (USA).cue").write_text(
        'FILE "Disc (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (roms / "psx" / "Disc (USA).bin").write_bytes(_payload("disc", 2352 * 20))
    _scanned(cli, roms / "gb")
    return roms


def test_the_librarys_own_file_asked_about_is_not_held_by_itself(cli: Any,
                                                                 tmp_path: Path) -> None:
    # review52b P2 (low-medium): `games find "lib/gb/Quest (USA).gb"` said it held, by
    # itself (exit 0); so did the library's zip, and its disc's track
    roms = _library(cli, tmp_path)
    (tmp_path / "by-link").symlink_to(roms)  # (the same files by another path)
    for name in ("gb/Quest (USA).gb", "gba/Pair (USA).zip", "psx/Disc (USA).bin"):
        for base in (roms, tmp_path / "by-link"):
            result = cli("games", "find", base / name)
            assert result.code == 1 and "no other file of the library holds this data: the " \
                "file asked about is the library's own" in result.out \
                and "no copy of itself" in result.out and "keep this file" in result.out, (
                    base / name, result.out, result.err)
    failed = cli("--json", "games", "find", roms / "gb" / "Quest (USA).gb")
    assert failed.code == 1 and failed.json()["ok"] is False and failed.json()["data"] == [] \
        and "the library's own Quest (USA).gb (game " in failed.json()["errors"][0]
    # a copy of it, or a hard link to it elsewhere, is held (deleting it loses nothing)
    copy, link = tmp_path / "copy.gb", tmp_path / "link.gb"
    shutil.copyfile(roms / "gb" / "Quest (USA).gb", copy)
    os.link(roms / "gb" / "Quest (USA).gb", link)
    for download in (copy, link):
        result = cli("games", "find", download)
        assert result.code == 0 and "Quest (USA).gb" in result.out, (download, result.out)
    # …but the library's own path is still no copy of itself with a hard link elsewhere
    assert cli("games", "find", roms / "gb" / "Quest (USA).gb").code == 1


def test_the_librarys_own_file_held_by_another_copy_names_that_copy(cli: Any,
                                                                    tmp_path: Path) -> None:
    # review52b P2: with a second copy in the library, the file asked about is held by that
    # one alone (and said to be the library's own)
    roms = _library(cli, tmp_path)
    (roms / "gb" / "Quest (Copy).gb").write_bytes(_payload("quest"))
    assert cli("scan", "--workers", "1").code == 0
    result = cli("--json", "games", "find", roms / "gb" / "Quest (USA).gb")
    assert result.code == 0 and [row["filename"] for row in result.json()["data"]] == [
        "Quest (Copy).gb"], result.out
    said = cli("games", "find", roms / "gb" / "Quest (USA).gb")
    assert said.code == 0 and "the library's own Quest (USA).gb" in said.err \
        and "the other copies below hold its data" in said.err, said.err
    # that copy gone since the scan: the file asked about is still the library's, its only
    # copy (review53c F6: "no game in the library holds this data now" beside that)
    (roms / "gb" / "Quest (Copy).gb").rename(tmp_path / "copy.bak")
    for args in (("games", "find"), ("--json", "games", "find")):
        result = cli(*args, roms / "gb" / "Quest (USA).gb")
        told = result.json()["errors"][0] if args[0] == "--json" else result.out
        assert result.code == 1 and told.startswith(
            "no other file of the library holds this data: Quest (Copy).gb held it and is "
            "not at its place now") and "the file asked about is the library's own Quest " \
            "(USA).gb" in told and "no game in the library holds" not in told \
            and "it is the library's copy" in told, told


def test_the_librarys_own_file_with_a_hard_link_through_a_bind_mount_is_not_held_by_itself(
        cli: Any, tmp_path: Path) -> None:
    # review53c F3 (low-medium): through a bind mount (another real path), the library's own
    # file with a hard link elsewhere was taken for that hard link: "held", by itself, exit 0
    roms = _library(cli, tmp_path)
    os.link(roms / "gb" / "Quest (USA).gb", tmp_path / "link.gb")
    bind = tmp_path / "bind"
    bind.mkdir()
    if subprocess.run(["mount", "--bind", str(roms), str(bind)], capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("a bind mount cannot be made here")
    try:
        asked = bind / "gb" / "Quest (USA).gb"
        assert os.path.realpath(asked) != os.path.realpath(roms / "gb" / "Quest (USA).gb")
        result = cli("--json", "games", "find", asked)
        assert result.code == 1 and result.json()["data"] == [] \
            and "the library's own Quest (USA).gb" in result.json()["errors"][0], result.out
        # the hard link is still a copy (deleting it loses nothing)
        assert cli("games", "find", tmp_path / "link.gb").code == 0
        # a hard link in the library, under another name: held by it alone
        os.link(roms / "gb" / "Quest (USA).gb", roms / "gb" / "Quest (Link).gb")
        assert cli("scan", "--workers", "1").code == 0
        result = cli("--json", "games", "find", asked)
        assert result.code == 0 and [row["filename"] for row in result.json()["data"]] == [
            "Quest (Link).gb"], result.out
    finally:
        subprocess.run(["umount", str(bind)], check=True)
