"""The mass-vanishing guard at any size (QA3 F-G) and the summary of a held-back scan
(QA3 F-W): a root that had files and is now empty, and a top-level folder of many games
that is now empty or gone (a platform's folder on a disk not mounted), mark nothing missing
and fail (exit 2) until ``--accept-missing``; the summary's counts stay the library's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_scan import dat_text, rom_bytes


def _library(cli: Any, tmp_path: Path, folders: dict[str, int]) -> Path:
    """A root with ``folders`` of distinct .gba files, scanned, and a DAT that knows the
    first two of each folder by hash and the next two by name only (other bytes)."""
    root = tmp_path / "lib"
    catalog: dict[str, tuple[str, bytes]] = {}
    for folder, count in folders.items():
        (root / folder).mkdir(parents=True)
        for number in range(count):
            name = f"{folder} game {number} (USA)"
            data = rom_bytes(hash((folder, number)) % 10**9)
            (root / folder / f"{name}.gba").write_bytes(data)
            if number < 4:
                catalog[name] = (f"{name}.gba", data if number < 2 else rom_bytes(-number))
    dat = tmp_path / "gba.dat"
    dat.write_text(dat_text("Nintendo - Game Boy Advance", catalog))
    assert cli("dat", "import", dat).code == 0
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root


def _scan(cli: Any, *args: str) -> tuple[int, dict[str, Any], list[str]]:
    result = cli("--json", "scan", "--workers", "1", *args)
    envelope = result.json()
    return result.code, envelope["data"], envelope["errors"]


def _missing(cli: Any) -> int:
    return len(cli("--json", "games", "ls", "--missing", "--limit", "1000"
                   ).json()["data"]["games"])


def test_an_emptied_small_root_is_held_back_and_counts_stay_true(
        cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path, {"gba": 30})
    before = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (before["identified"], before["guessed"], before["unidentified"]) == (2, 2, 26)
    root.rename(tmp_path / "lib-away")
    root.mkdir()  # an unmounted share's empty mount folder

    code, data, errors = _scan(cli)
    assert code == 2
    assert (data["missing"], data["missing_held_back"]) == (0, 30)
    assert errors == [f"{root}: none of its 30 files was found (the library root is "
                      "empty): nothing was marked missing; if the root is mounted and they "
                      "were really removed, scan again with --accept-missing: "
        f"`romrunner scan --accept-missing {root}`"]
    # F-W: the counts are the library's (nothing changed), never negative.
    assert (data["identified"], data["guessed"], data["unidentified"]) == (2, 2, 26)
    assert _missing(cli) == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 2
    assert "0 missing; 2 identified by hash, 2 guessed by name, 26 unidentified" \
        in " ".join(text.out.split())
    assert f"error: {errors[0]}" in " ".join(text.err.split())

    code, data, _ = _scan(cli, "--accept-missing")
    assert code == 0 and data["missing"] == 30 and _missing(cli) == 30
    assert (data["identified"], data["guessed"], data["unidentified"]) == (0, 0, 0)


def test_a_root_with_one_file_left_empty_is_held_back(cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path, {"gba": 1})
    (root / "gba" / "gba game 0 (USA).gba").unlink()
    code, data, errors = _scan(cli)
    assert code == 2 and data["missing_held_back"] == 1 and _missing(cli) == 0
    assert "none of its 1 files was found (the library root is empty)" in errors[0]


def test_an_emptied_or_gone_platform_folder_is_held_back(cli: Any, tmp_path: Path) -> None:
    """A folder per platform, one of them on another disk: under the half rule, yet all
    of that folder is held back, while a real deletion elsewhere is still marked."""
    root = _library(cli, tmp_path, {"GBA": 12, "NES": 30})
    (root / "GBA").rename(tmp_path / "GBA-disk")
    (root / "GBA").mkdir()  # its mount point, empty
    (root / "NES" / "NES game 29 (USA).gba").unlink()  # really deleted
    code, data, errors = _scan(cli)
    assert code == 2
    assert (data["missing"], data["missing_held_back"]) == (1, 12)
    assert errors == [f"{root / 'GBA'}: none of its 12 files was found (the folder is empty "
                      "or gone): nothing was marked missing; if the folder is mounted and "
                      "they were really removed, scan again with --accept-missing: "
        f"`romrunner scan --accept-missing {root}`"]
    # GBA's, still present, and NES/'s (.gba files: GBA games by their extension, which
    # the NES folder's platform does not list)
    assert data["identified"] == 4 and data["guessed"] == 4
    assert _missing(cli) == 1

    (root / "GBA").rmdir()  # the mount point itself gone: the same
    code, data, errors = _scan(cli)
    assert code == 2 and data["missing_held_back"] == 12 and _missing(cli) == 1

    code, data, _ = _scan(cli, "--accept-missing")
    assert code == 0 and data["missing"] == 12 and _missing(cli) == 13


def test_a_small_folder_removed_or_a_partly_emptied_one_is_marked(
        cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path, {"GBA": 12, "NES": 9, "SNES": 30})
    for path in (root / "NES").iterdir():  # under FOLDER_MISSING_MIN: a real deletion
        path.unlink()
    for number in range(11):  # most of GBA, not all of it
        (root / "GBA" / f"GBA game {number} (USA).gba").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"]) == (20, 0)


def test_an_emptied_platform_folder_below_a_common_folder_is_held_back(
        cli: Any, tmp_path: Path) -> None:
    """`share/roms/<platform>`: every platform lies in one top-level folder, so the emptied
    platform folder is found at its own depth (found by QA: 1,000 games marked missing)."""
    root = tmp_path / "share"
    for platform, count in (("GBA", 11), ("NES", 5)):
        folder = root / "roms" / platform
        folder.mkdir(parents=True)
        for number in range(count):
            (folder / f"{platform} {number} (USA).gba").write_bytes(rom_bytes(number * 7 + count))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "roms" / "GBA").rename(tmp_path / "GBA-disk")
    (root / "roms" / "GBA").mkdir()
    code, data, errors = _scan(cli)
    assert code == 2 and (data["missing"], data["missing_held_back"]) == (0, 11)
    assert errors[0].startswith(f"{root / 'roms' / 'GBA'}: none of its 11 files was found")
    assert _missing(cli) == 0
    code, data, _ = _scan(cli, "--accept-missing")
    assert code == 0 and data["missing"] == 11 and _missing(cli) == 11
