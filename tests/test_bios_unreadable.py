"""`bios scan` of a folder holding a file or folder it cannot read says so on stderr, exits 1
and reports ``ok: false`` with each one named — what it could read is verified and stored
(QA15 F1: the errors went to stdout, exit 0, ``ok: true``: a script took every BIOS for
checked). Run as ``nobody`` when the tests run as root (see test_scan_unlistable)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_scan_unlistable import romrunner, world  # noqa: F401 (the fixture)


def test_an_unreadable_bios_file_or_folder_fails_the_scan_naming_each(
        world: Path) -> None:  # noqa: F811
    bios = world / "bios"
    (bios / "locked").mkdir(parents=True)
    (bios / "locked" / "inside.bin").write_bytes(b"x" * 1024)
    (bios / "unread.bin").write_bytes(b"y" * 2048)
    (bios / "fine.bin").write_bytes(b"z" * 4096)
    (world / "state").mkdir(mode=0o777)
    (world / "state").chmod(0o777)
    (bios / "unread.bin").chmod(0)
    (bios / "locked").chmod(0)

    text = romrunner(world, "bios", "scan", str(bios))
    assert text.returncode == 1, text.stderr
    said = [line for line in text.stderr.splitlines() if line.startswith("error: ")]
    assert sorted(said) == sorted([f"error: {bios / 'locked'}: Permission denied",
                                   f"error: {bios / 'unread.bin'}: Permission denied"])
    assert "error:" not in text.stdout

    done = romrunner(world, "--json", "bios", "scan", str(bios))
    assert done.returncode == 1
    envelope = json.loads(done.stdout)
    assert envelope["ok"] is False
    assert sorted(envelope["errors"]) == sorted(
        f"{error['path']}: {error['error']}" for error in envelope["data"]["errors"])
    assert len(envelope["errors"]) == 2
    assert any(item["relative"] == "fine.bin" for item in envelope["data"]["files"])
