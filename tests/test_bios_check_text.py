"""`bios check` in text says what the JSON knows (qa182): a problem file gone since its scan
is said gone, by its path; the same dump in two folders is shown by both paths; an unmet need
a stored zip holds (by its directory's CRC32 and size) names that zip, as `bios scan` does."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.packs.loader import builtin_pack_path
from tests.test_bios import A, C, entry, known


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "400")  # (a table: long paths would fold)
    folder = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), folder)
    entries = [entry("psx-us", "scph5501.bin", "psx", 64, [known(A)]),
               entry("nds-arm7", "bios7.bin", "nds", 32, [known(C)])]
    (folder / "bios-hashes.json").write_text(json.dumps({"version": "test",
                                                         "biosFiles": entries}))
    return folder


def _check(cli: Any, pack: Path, platform: str) -> tuple[str, dict[str, Any]]:
    text = cli("--pack", pack, "bios", "check", "--platform", platform).out
    [group] = cli("--pack", pack, "--json", "bios", "check", "--platform",
                  platform).json()["data"]["groups"]
    return " ".join(text.split()), group


def test_a_problem_file_gone_since_its_scan_is_said_gone(cli: Any, pack: Path,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "biosA"
    folder.mkdir()
    (folder / "scph5501.bin").write_bytes(b"\x07" * 64)  # a bad dump
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    text, group = _check(cli, pack, "psx")
    assert "scph5501.bin: wrong_hash" in text and "gone" not in text, text
    shutil.rmtree(folder)
    text, group = _check(cli, pack, "psx")
    assert [row["gone"] for row in group["problems"]] == [True]
    assert f"{folder / 'scph5501.bin'}: wrong_hash, gone since its scan" in text, text


def test_the_same_dump_in_two_folders_is_shown_by_both_paths(cli: Any, pack: Path,
                                                              tmp_path: Path) -> None:
    for name in ("biosA", "biosB"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "scph5501.bin").write_bytes(A)
    assert cli("--pack", pack, "bios", "scan", tmp_path / "biosA", tmp_path / "biosB").code == 0
    text, group = _check(cli, pack, "psx")
    assert group["status"] == "satisfied" and len(group["present"]) == 2, group
    assert f"{tmp_path / 'biosA' / 'scph5501.bin'}; {tmp_path / 'biosB' / 'scph5501.bin'}" \
        in text, text


def test_a_bios_only_inside_a_zip_is_named_by_the_check(cli: Any, pack: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "bios"
    folder.mkdir()
    zipped = folder / "PSX BIOS pack.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("scph5501.bin", A)
    assert cli("--pack", pack, "bios", "scan", folder).code == 0
    text, group = _check(cli, pack, "psx")
    assert group["status"] != "satisfied"
    assert group["inside_zips"] == [{"zip": str(zipped), "member": "scph5501.bin",
                                     "entry": "psx-us"}]
    assert f"scph5501.bin inside {zipped}" in text and "extract it" in text, text
    _, other = _check(cli, pack, "nds")  # (a need the zip does not hold: nothing said)
    assert other["inside_zips"] == []
