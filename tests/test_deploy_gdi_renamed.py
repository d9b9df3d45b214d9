"""Dreamcast .gdi sets on a card (QA172 F1): a second set whose tracks have the first's
generic names (`track01.bin`…) has both sets' tracks named after their sheets, each .gdi
rewritten to name them; the note on the first set's old copies names each file's own new
name, not the first track's for every one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def _gdi_set(root: Path, title: str) -> None:
    disc = root / "dreamcast" / title
    disc.mkdir(parents=True)
    for name, size in (("track01.bin", 3), ("track02.raw", 5), ("track03.bin", 7)):
        (disc / name).write_bytes(os.urandom(2352 * size))
    (disc / f"{title}.gdi").write_bytes(
        b"3\r\n1 0 4 2352 track01.bin 0\r\n2 756 0 2352 track02.raw 0\r\n"
        b"3 45000 4 2352 track03.bin 0\r\n")


def test_a_second_gdi_set_says_each_renamed_track_by_its_own_new_name(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    _gdi_set(root, "Alpha (USA)")
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    first = cli("deploy", "1", "--to", str(card), "platform:dreamcast")
    assert first.code == 0, first.err
    folder = next(path.parent for path in card.rglob("Alpha (USA).gdi"))
    assert sorted(path.name for path in folder.iterdir()) == [
        "Alpha (USA).gdi", "track01.bin", "track02.raw", "track03.bin"]  # (no clash: as
    # they are, the sheet the library's)
    _gdi_set(root, "Beta (USA)")
    assert cli("scan", "--workers", "1").code == 0
    second = cli("--json", "deploy", "1", "--to", str(card), "platform:dreamcast", "--dry-run")
    assert second.code == 0, second.err
    [renamed] = [w["message"] for w in second.json()["data"]["plan"]["warnings"]
                 if w["code"] == "name-changed"]
    assert "(track01.bin → Alpha (USA) - track01.bin, track02.raw → Alpha (USA) - "\
        "track02.raw, track03.bin → Alpha (USA) - track03.bin)" in renamed, renamed
    done = cli("deploy", "1", "--to", str(card), "platform:dreamcast")
    assert done.code == 0, done.err
    for title in ("Alpha (USA)", "Beta (USA)"):
        sheet = (folder / f"{title}.gdi").read_text()
        assert f'"{title} - track02.raw"' in sheet, sheet
        assert (folder / f"{title} - track03.bin").is_file()
