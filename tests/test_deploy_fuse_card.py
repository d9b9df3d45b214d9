"""A real FAT32 image mounted through FUSE (fusefat), the way some card readers, MTP and
network mounts behave: the file system reports no size at all (statvfs: 0 blocks) and refuses
names it cannot store. A deploy must neither refuse the card as full nor stop on one name."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@contextlib.contextmanager
def fusefat_card(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB FAT32 image mounted read-write with fusefat (skips when that cannot be)."""
    missing = [tool for tool in ("fusefat", "mkfs.vfat") if shutil.which(tool) is None]
    if missing or not os.path.exists("/dev/fuse"):
        pytest.skip(f"needs FUSE and {', '.join(missing) or 'fusefat'} "
                    "(apt-get install fusefat dosfstools)")
    image, mount = tmp_path / "card.img", tmp_path / "card"
    with image.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.vfat", "-F", "32", str(image)], check=True, capture_output=True)
    mount.mkdir()
    mounted = subprocess.run(["fusefat", "-o", "rw+", str(image), str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0 or not os.path.ismount(mount):
        pytest.skip(f"fusefat could not mount here: {mounted.stderr.strip()[:200]}")
    try:
        yield mount
    finally:
        for command in (["fusermount", "-u", str(mount)], ["umount", "-l", str(mount)]):
            if subprocess.run(command, capture_output=True).returncode == 0:
                break


def test_a_card_that_reports_no_size_is_deployed_and_says_so(cli: Any, tmp_path: Path) -> None:
    snes = tmp_path / "lib" / "snes"
    snes.mkdir(parents=True)
    files = {f"Game {n} (USA).sfc": bytes([n]) * 4096 for n in range(3)}
    for name, data in files.items():
        (snes / name).write_bytes(data)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    with fusefat_card(tmp_path) as card:
        assert os.statvfs(card).f_blocks == 0  # what this test is about
        scanned = cli("--json", "destination", "scan", str(card))
        assert scanned.code in (0, 1), scanned.err
        assert scanned.json()["data"]["free_bytes"] is None  # unknown, not 0
        assert "size not reported" in cli("destination", "scan", str(card)).out
        dry = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--dry-run")
        assert dry.code == 0, dry.err
        assert dry.json()["data"]["free_bytes"] is None
        assert dry.json()["data"]["enough_space"] is True
        done = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
        assert done.code == 0, done.err
        data = done.json()["data"]
        assert (data["copied"], data["failed"]) == (3, 0)
        assert any("does not report its free space" in note for note in data["notes"])
        roms = card / "ROMS" / "snes"
        assert {p.name: p.read_bytes() for p in roms.iterdir()} == files
