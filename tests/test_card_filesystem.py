"""A card whose file system its OS does not read, by the pack's ``filesystem.supported``
(qa203 F4: an OnionOS deploy to an exFAT card said nothing, the Miyoo Mini reads FAT32 only).

The decision is tested with the file system given; the deploy, ``destination paths`` and
``destination scan`` with a real exFAT card (an image through exfat-fuse: skipped where it
cannot be mounted) and a plain folder playing one (said nothing of)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.legal import FileSystem
from romrunner.packs.loader import builtin_pack_path, load_pack
from romrunner.packs.model import OperatingSystem
from tests.conftest import shared_path


def test_an_exfat_card_for_a_fat32_only_os_is_said_in_one_line() -> None:
    from romrunner.devices.cardfs import unread_filesystem

    onion = OperatingSystem("onionos", "OnionOS", filesystems=("fat32",))
    said = unread_filesystem(onion, FileSystem.EXFAT)
    assert said is not None and "\n" not in said
    assert "exFAT" in said and "OnionOS reads FAT32 cards only" in said
    # the file systems it reads, and nothing said where the card's is read or not known
    assert unread_filesystem(onion, FileSystem.FAT32) is None
    assert unread_filesystem(onion, "vfat") is None
    assert unread_filesystem(onion, FileSystem.POSIX) is None  # (which one: not known)
    assert unread_filesystem(onion, None) is None
    assert unread_filesystem(OperatingSystem("x", "X"), FileSystem.EXFAT) is None
    muos = OperatingSystem("muos", "muOS", filesystems=("fat32", "exfat"))
    assert unread_filesystem(muos, FileSystem.EXFAT) is None
    knulli = OperatingSystem("knulli", "KNULLI", filesystems=("ext4", "exfat", "fat32"))
    assert unread_filesystem(knulli, "ntfs") is not None
    assert "ext4, exFAT or FAT32" in (unread_filesystem(knulli, "ntfs") or "")
    # (review49e F2: a computer's OS, whose pack list holds another file system, reads more
    # than its list says: never told to reformat)
    for listed in (("btrfs", "ext4"), ("ext4", "btrfs", "ntfs"), ("apfs", "hfs+", "exfat")):
        computer = OperatingSystem("pc", "PC", filesystems=listed)
        assert unread_filesystem(computer, FileSystem.FAT32) is None, listed
        assert unread_filesystem(computer, FileSystem.EXFAT) is None, listed


def test_the_filesystem_block_is_read_leniently(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    path = pack / "operating-systems.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    by_id = {entry["id"]: entry for entry in data["operatingSystems"]}
    by_id["onionos"]["filesystem"] = {"supported": "FAT32", "recommended": "vfat"}
    by_id["muos"]["filesystem"] = {"supported": ["FAT32", " exFAT ", 7]}
    by_id["knulli"]["filesystem"] = "ext4"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = load_pack(pack)
    systems = loaded.operating_systems
    assert systems["onionos"].filesystems == ("fat32",)
    assert systems["onionos"].recommended_filesystem == "fat32"
    assert systems["muos"].filesystems == ("fat32", "exfat")
    assert systems["knulli"].filesystems == ()
    said = [str(warning) for warning in loaded.warnings]
    assert any("'knulli'" in text and "'filesystem' is not an object" in text for text in said)
    assert any("'muos'" in text and "non-text" in text for text in said)


def test_the_real_pack_says_onionos_reads_fat32_only() -> None:
    pack = load_pack(shared_path("definition-pack"))
    onion = pack.operating_systems["onionos"]
    assert onion.filesystems == ("fat32",) and onion.recommended_filesystem == "fat32"
    from romrunner.devices.cardfs import unread_filesystem

    assert unread_filesystem(onion, FileSystem.EXFAT) is not None
    assert unread_filesystem(pack.operating_systems["muos"], FileSystem.EXFAT) is None


@contextmanager
def _exfat_card(where: Path) -> Iterator[Path]:
    """An exFAT image mounted at ``where`` through exfat-fuse (skipped where it cannot)."""
    tools = [shutil.which(name) for name in ("mkfs.exfat", "mount.exfat-fuse", "losetup")]
    if not all(tools):
        pytest.skip("exfatprogs, exfat-fuse and losetup are needed to mount an exFAT card")
    image = where.parent / "exfat.img"
    with image.open("wb") as out:
        out.truncate(16 * 1024 * 1024)
    subprocess.run(["mkfs.exfat", str(image)], check=True, capture_output=True)
    loop = subprocess.run(["losetup", "-f", "--show", str(image)], capture_output=True,
                          text=True)
    if loop.returncode != 0:
        pytest.skip(f"no loop device (needs root): {loop.stderr.strip()}")
    device = loop.stdout.strip()
    try:
        where.mkdir()
        done = subprocess.run(["mount.exfat-fuse", device, str(where)], capture_output=True,
                              text=True)
        if done.returncode != 0:
            pytest.skip(f"exfat-fuse cannot mount here: {done.stderr.strip()}")
        try:
            yield where
        finally:
            subprocess.run(["umount", str(where)], check=False, capture_output=True)
    finally:
        subprocess.run(["losetup", "-d", device], check=False, capture_output=True)


def _onion_profile(cli: Any, tmp_path: Path) -> None:
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    (lib / "Test Game (USA).gb").write_bytes(bytes(range(256)) * 64)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args


def _plan_warnings(cli: Any, card: Path) -> list[str]:
    result = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert result.code == 0, result.out
    return [issue["message"] for issue in result.json()["data"]["plan"]["warnings"]
            if issue["code"] == "filesystem-unread"]


def test_an_onionos_deploy_to_an_exfat_card_warns(cli: Any, tmp_path: Path) -> None:
    _onion_profile(cli, tmp_path)
    plain = tmp_path / "plain"
    plain.mkdir()
    assert _plan_warnings(cli, plain) == []  # (a folder playing a card: nothing said)
    with _exfat_card(tmp_path / "exfat") as card:
        said = _plan_warnings(cli, card)
        assert len(said) == 1 and "exFAT" in said[0] and "Onion OS reads FAT32" in said[0], said
        run = cli("deploy", "1", "--to", card, "platform:gb")
        assert run.code == 0 and "reads FAT32 cards only" in run.err, run.err
        paths = cli("destination", "paths", "1", "--to", card)
        assert paths.code == 0 and "reads FAT32 cards only" in paths.err, paths.err
        scan = cli("--json", "destination", "scan", str(card), "--expect-os", "onionos")
        findings = [f for f in scan.json()["data"]["findings"] if f["type"] == "filesystem"]
        assert len(findings) == 1 and findings[0]["severity"] == "warning", findings
        shown = cli("destination", "scan", str(card)).out.splitlines()[0]
        assert "fuseblk (exFAT) file system" in shown or "exfat file system" in shown, shown
    assert "FAT32 cards only" not in cli("destination", "paths", "1", "--to", plain).err
