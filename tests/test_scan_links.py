"""Symbolic links in a library root: never followed (a scan reads the files inside its
roots; a deploy copies no link). A link farm — a folder of links to files, as a 1G1R tool's
link mode makes — is said in one line: how many links, the folder their files are in, and
the `library add` that scans those files; a dangling link is named, one line."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any


def rom_bytes(seed: int) -> bytes:
    """4 KiB of bytes of its own for each ``seed``."""
    return hashlib.sha256(str(seed).encode()).digest() * 128


def farm(tmp_path: Path, folders: dict[str, int]) -> Path:
    """A folder ``farm`` of links, one per file of the real folders under ``files``
    (``folders``: name -> number of files), and one dangling link."""
    links = tmp_path / "farm"
    for folder, count in folders.items():
        (links / folder).mkdir(parents=True)
        (tmp_path / "files" / folder).mkdir(parents=True)
        for number in range(count):
            name = f"Game {folder} {number} (USA).gb"
            target = tmp_path / "files" / folder / name
            target.write_bytes(rom_bytes(len(folder) * 1000 + number))
            (links / folder / name).symlink_to(target)
    first = links / next(iter(folders))
    (first / "Gone (USA).gb").symlink_to(tmp_path / "nowhere.gb")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG" * 64)
    (first / "cover.png").symlink_to(tmp_path / "cover.png")  # no game: counted by type
    return links


def link_lines(err: str) -> list[str]:
    """The lines of ``err`` that speak of symbolic links."""
    return [line for line in err.splitlines() if "symbolic link" in line]


def test_a_link_farm_says_in_one_line_which_folder_to_add(cli: Any, tmp_path: Path) -> None:
    links = farm(tmp_path, {"GB": 30})
    files = os.path.realpath(tmp_path / "files" / "GB")
    assert cli("library", "add", str(links)).code == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 0, text.err
    said = link_lines(text.err)
    assert said[0] == (
        "warning: skipped 30 symbolic links to files (a scan reads the files themselves, never "
        f"a link): 30 lead into {files}, outside the library; `romrunner library add {files}`,"
        " then `romrunner scan`, takes those files in"), said
    assert said[1:] == [f"  {links}/GB/Gone (USA).gb: symbolic link to "
                        f"{tmp_path}/nowhere.gb, which is not there; skipped"], said
    data = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (data["added"], data["linked_files"]) == (0, 30)
    assert data["skipped_unknown_types"] == {".png": 1}
    assert (data["linked_into"], data["link_folders_to_add"]) == ({files: 30}, [files])

    # The way forward: the files themselves are games, once each; the links are not
    assert cli("library", "add", files).code == 0
    text = cli("scan", "--workers", "2")
    assert text.code == 0, text.err
    assert "skipped 30 symbolic links to files (a scan reads the files themselves, never a " \
        "link): their files are in the library, scanned there" in " ".join(text.out.split())
    assert link_lines(text.err) == [f"  {links}/GB/Gone (USA).gb: symbolic link to "
                                    f"{tmp_path}/nowhere.gb, which is not there; skipped"]
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert len(games) == 30 and all(g["filename"].startswith("Game GB") for g in games)
    assert cli("--json", "games", "dupes").json()["data"] == []
    again = cli("--json", "scan", "--workers", "2").json()["data"]  # (no flapping)
    assert (again["added"], again["unchanged"], again["missing"]) == (0, 30, 0)
    assert (again["linked_files"], again["linked_into"]) == (30, {})


def test_links_into_several_folders_name_the_one_that_holds_them(cli: Any,
                                                                  tmp_path: Path) -> None:
    links = farm(tmp_path, {"GB": 2, "GBC": 3})
    assert cli("library", "add", str(links)).code == 0
    data = cli("--json", "scan", "--workers", "1").json()["data"]
    files = os.path.realpath(tmp_path / "files")
    assert data["linked_into"] == {f"{files}/GB": 2, f"{files}/GBC": 3}
    assert data["link_folders_to_add"] == [files]
    assert cli("library", "add", files).code == 0
    after = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (after["added"], after["linked_files"], after["linked_into"]) == (5, 5, {})


def test_the_advice_for_a_linked_folder_stops_once_it_is_a_root(cli: Any,
                                                               tmp_path: Path) -> None:
    """A link to a folder outside the library says to add that folder as a root; once it
    (or a folder above it) is one, its files are scanned there and the link is not said
    again on every scan. A link to a folder in no root still is."""
    outside = tmp_path / "outside"
    for folder, seed in (("sub", 1), ("other", 2)):
        (outside / folder).mkdir(parents=True)
        (outside / folder / f"Game {seed} (USA).gb").write_bytes(rom_bytes(seed))
    nas = tmp_path / "nas" / "GB"
    nas.mkdir(parents=True)
    (nas / "Here (USA).gb").write_bytes(rom_bytes(3))
    (nas / "outfolder").symlink_to(outside / "sub")
    (nas / "otherfolder").symlink_to(outside / "other")
    assert cli("library", "add", str(tmp_path / "nas")).code == 0
    first = link_lines(cli("scan", "--workers", "1").err)
    assert any("outfolder" in line and f"add {outside / 'sub'} as a library root" in line
               for line in first), first
    assert cli("library", "add", str(outside / "sub")).code == 0
    for workers in ("1", "2"):
        said = link_lines(cli("scan", "--workers", workers).err)
        assert not [line for line in said if "outfolder" in line], said
        assert [line for line in said if "otherfolder" in line], said  # (in no root)
    assert cli("library", "rm", str(outside / "sub")).code == 0
    assert cli("library", "add", str(outside)).code == 0  # the folder above it, a root
    said = link_lines(cli("scan", "--workers", "1").err)
    assert not [line for line in said if "folder" in line], said


def test_the_folder_to_add_that_holds_a_root_says_how_to_add_it(cli: Any,
                                                                 tmp_path: Path) -> None:
    """QA165 F6: the links lead to files in a folder that holds a library root: the hint's
    `library add FOLDER` was refused ("holds the library root"), unsaid; the hint now says
    so and the way out, which works."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "In Sub (USA).gb").write_bytes(rom_bytes(1))
    (outside / "Loose (USA).gb").write_bytes(rom_bytes(2))
    nas = tmp_path / "nas" / "GB"
    nas.mkdir(parents=True)
    (nas / "Loose (USA).gb").symlink_to(outside / "Loose (USA).gb")
    for args in (("library", "add", str(tmp_path / "nas")),
                 ("library", "add", str(outside / "sub"))):
        assert cli(*args).code == 0, args
    scan = cli("--json", "scan", "--workers", "1")
    folder, root = os.path.realpath(outside), os.path.realpath(outside / "sub")
    assert scan.json()["data"]["link_folders_to_add"] == [folder]
    assert scan.json()["data"]["link_roots_in_the_way"] == [root]
    warning = " ".join(" ".join(scan.json()["warnings"]).split())
    assert f"`romrunner library add {folder}`" in warning
    assert f"refused while it holds the library root {root}: `romrunner library rm` it first" \
        in warning
    refused = cli("library", "add", folder)  # as said: refused while the root is there
    assert refused.code != 0 and "holds the library root" in refused.err
    for args in (("library", "rm", root), ("library", "add", folder)):
        assert cli(*args).code == 0, args
    after = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (after["linked_into"], after["link_roots_in_the_way"]) == ({}, [])
