"""`cache import FOLDER`: each file of the folder is imported by its own format, the files none
reads are named (qa183: a folder holding a core's .info, a GameIndex and a compat.ini imported
the core alone, exit 0, and said nothing of the rest); a core info is said as what it stored."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def counts(db_path: Path) -> dict[str, int]:
    """The rows of each knowledge table (0 in a database the command left unmade)."""
    with sqlite3.connect(db_path) as conn:
        made = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                if table in made else 0
                for table in ("compat_observations", "settings_observations", "core_firmware")}


def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    for parts in (("libretro-core-info", "gambatte_libretro.info"),
                  ("pcsx2", "GameIndex.excerpt.yaml"), ("ppsspp", "compat.ini")):
        shutil.copy(shared_path("knowledge", *parts), folder / parts[-1])
    return folder


def test_a_folder_of_mixed_emulator_files_imports_each_by_its_format(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    (folder / "README.md").write_text("my emulator files\n", encoding="utf-8")
    # (Windows' own files of a folder it showed: not named, never "not read")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\nIconResource=x\n", encoding="utf-8")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli("--json", "cache", "import", folder)
    assert result.code == 0, result.err
    files = {Path(f["path"]).name: f["format"] for f in result.json()["data"]["files"]}
    assert files == {"mine": "libretro-info", "GameIndex.excerpt.yaml": "pcsx2-gameindex",
                     "compat.ini": "ppsspp-compat"}
    assert [(Path(u["path"]).name, u["skipped"]) for u in result.json()["data"]["unread"]] \
        == [("README.md", False)]
    found = counts(db_path)
    # the excerpt's 173 ratings and 286 fixes, the compat.ini's 749 titles, gambatte's 2 files
    assert found == {"compat_observations": 173, "settings_observations": 286 + 749,
                     "core_firmware": 2}, found


def test_a_file_of_a_folder_no_reader_reads_is_named_and_counted(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    (folder / "notes.yaml").write_text("favourite: yes\n", encoding="utf-8")
    refused = cli("cache", "import", "--strict", folder)
    assert refused.code == 2 and "notes.yaml" in refused.err, refused.err
    assert counts(db_path) == {"compat_observations": 0, "settings_observations": 0,
                               "core_firmware": 0}
    result = cli("--json", "cache", "import", folder)
    assert result.code == 1, result.err
    assert any("notes.yaml: not a known knowledge format, not read" in warning
               for warning in result.json()["warnings"]), result.out
    assert result.json()["errors"] == ["1 file of the folders given not read (named in the "
                                       "warnings)"], result.out
    assert counts(db_path)["settings_observations"] == 286 + 749


def test_a_forced_format_names_the_files_of_the_folder_it_does_not_read(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    result = cli("cache", "import", "--format", "libretro-info", folder)
    assert result.code == 1, result.err
    assert "compat.ini: not a libretro-info file, not read" in result.err, result.err
    assert "GameIndex.excerpt.yaml: not a libretro-info file" in result.err
    assert counts(db_path) == {"compat_observations": 0, "settings_observations": 0,
                               "core_firmware": 2}


def test_a_compat_ini_beside_dolphin_inis_is_read_as_ppsspps(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    folder = tmp_path / "GameSettings"
    shutil.copytree(shared_path("knowledge", "dolphin", "GameSettings"), folder)
    shutil.copy(shared_path("knowledge", "ppsspp", "compat.ini"), folder / "compat.ini")
    result = cli("--json", "cache", "import", folder)
    assert result.code == 0, result.err
    files = {Path(f["path"]).name: f["format"] for f in result.json()["data"]["files"]}
    assert files == {"GameSettings": "dolphin-gameini", "compat.ini": "ppsspp-compat"}


def test_a_core_whose_file_lists_no_firmware_is_said_to_store_nothing(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    info = tmp_path / "x_libretro.info"
    info.write_text('corename = "x"\nfirmware_count = "-5"\n', encoding="utf-8")
    result = cli("cache", "import", info)
    assert result.code == 1 and "firmware_count '-5' is not a number of files" in result.err
    assert "1 core read, listing no firmware file: nothing stored" in result.out, result.out
    info.write_text('corename = "x"\nfirmware_count = 1\nfirmware0_path = "x.rom"\n',
                    encoding="utf-8")
    assert "1 core read, 1 firmware file stored" in cli("cache", "import", info).out
    info.write_text('corename = "x"\nfirmware_count = 0\n', encoding="utf-8")
    result = cli("cache", "import", info)
    assert result.code == 0 and "1 firmware file stored for it before, no longer listed, " \
        "removed" in result.out, result.out
    assert counts(db_path)["core_firmware"] == 0


def test_a_link_to_a_folder_is_not_followed(tmp_path: Path, cli: Any, db_path: Path) -> None:
    """review39b F7: a link looping back to the folder imported its GameIndex four times."""
    folder = mixed_folder(tmp_path)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    result = cli("--json", "cache", "import", folder)
    assert result.code == 0, result.out
    files = [Path(f["path"]).name for f in result.json()["data"]["files"]]
    assert files.count("GameIndex.excerpt.yaml") == 1, files
    assert [(Path(u["path"]).name, u["reason"]) for u in result.json()["data"]["unread"]] == [
        ("loop", "a link to a folder, not followed")]


def test_a_file_named_beside_its_folder_is_imported_once(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    """p39c: a file named with the folder it is in, before or after it, or a folder named
    twice, was imported twice (listed twice, its answers read twice)."""
    folder = mixed_folder(tmp_path)
    result = cli("--json", "cache", "import", folder / "compat.ini", folder,
                 folder / "gambatte_libretro.info", folder)
    assert result.code == 0, result.err
    names = sorted(Path(f["path"]).name for f in result.json()["data"]["files"])
    assert names == ["GameIndex.excerpt.yaml", "compat.ini", "mine"], names
    assert counts(db_path) == {"compat_observations": 173,
                               "settings_observations": 286 + 749, "core_firmware": 2}
