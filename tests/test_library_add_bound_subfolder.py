"""`library add` of a root's subfolder reached by a bind mount is refused, as a bind mount of
the root itself is (qa206 F3: it was added, and the next scan made its files games twice
before saying so)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest


def test_a_bind_mount_of_a_roots_subfolder_is_refused(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    (root / "snes" / "sets").mkdir(parents=True)
    (root / "snes" / "Sky Pilot (USA).sfc").write_bytes(b"\x11" * 4096)
    (root / "snes" / "sets" / "Deep (USA).sfc").write_bytes(b"\x12" * 4096)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    points = {name: tmp_path / name for name in ("bound", "bound-deep", "bound-free")}
    free = tmp_path / "free"
    free.mkdir()
    sources = {"bound": root / "snes", "bound-deep": root / "snes" / "sets",
               "bound-free": free}
    mounted = []
    try:
        for name, point in points.items():
            point.mkdir()
            if subprocess.run(["mount", "--bind", str(sources[name]), str(point)],
                              capture_output=True).returncode != 0:
                pytest.skip("mount --bind is not allowed here")
            mounted.append(point)
        for name in ("bound", "bound-deep"):
            refused = cli("library", "add", str(points[name]))
            assert refused.code == 2, refused.out
            (line,) = refused.err.strip().splitlines()
            assert f"is the folder {sources[name]} of the library root {root} by another " \
                   "path" in line, line
        # the control: a bind mount of a folder no root holds is a root like any other
        assert cli("library", "add", str(points["bound-free"])).code == 0
        assert len(cli("--json", "library", "ls").json()["data"]) == 2
    finally:
        for point in reversed(mounted):
            subprocess.run(["umount", str(point)], capture_output=True)


def test_a_folder_a_roots_link_points_at_is_accepted(cli: Any, tmp_path: Path) -> None:
    """review52g F2: a root's platform folder moved to another disk, a symbolic link left in
    its place: the scan reads no link and tells the user to add the folder as a root — which
    `library add` then refused as "the folder … by another path" (it followed the link)."""
    root = tmp_path / "lib"
    (root / "snes").mkdir(parents=True)
    (root / "snes" / "Sky Pilot (USA).sfc").write_bytes(b"\x11" * 4096)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    moved = tmp_path / "disk2" / "snes"
    moved.parent.mkdir()
    (root / "snes").rename(moved)
    (root / "snes").symlink_to(moved)
    added = cli("library", "add", str(moved))
    assert added.code == 0, added.err
    assert len(cli("--json", "library", "ls").json()["data"]) == 2
