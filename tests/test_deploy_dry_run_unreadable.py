"""A dry run says a copy would fail whose source the run cannot read (its permissions changed
since the scan), and exits 1 as the run does (QA15 F2: "would do: 1 copy", exit 0, then the
run failed it). Run as ``nobody`` when the tests run as root (see test_scan_unlistable)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_autolist import rom
from tests.test_scan_unlistable import romrunner, world  # noqa: F401 (the fixture)


def test_a_dry_run_says_an_unreadable_source_would_fail(world: Path) -> None:  # noqa: F811
    gb = world / "roms" / "gb"
    gb.mkdir(parents=True)
    for name in ("Open (USA).gb", "Shut (USA).gb"):
        (gb / name).write_bytes(rom(name))
    for folder in (world / "state", world / "card"):
        folder.mkdir()
        folder.chmod(0o777)
    for args in (("library", "add", str(world / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        done = romrunner(world, *args)
        assert done.returncode == 0, (args, done.stderr)
    (gb / "Shut (USA).gb").chmod(0)

    dry = romrunner(world, "--json", "deploy", "1", "--to", str(world / "card"), "platform:gb",
                    "--dry-run")
    assert dry.returncode == 1, dry.stderr
    data = json.loads(dry.stdout)["data"]
    assert data["failures"] == [f"{gb / 'Shut (USA).gb'}: cannot be read (Permission denied)"]
    assert (data["actions"].get("copy"), data["actions"].get("fail")) == (1, 1)
    assert data["bytes_to_write"] == (gb / "Open (USA).gb").stat().st_size  # (QA16 S3)
    run = romrunner(world, "--json", "deploy", "1", "--to", str(world / "card"), "platform:gb")
    assert run.returncode == 1
    assert json.loads(run.stdout)["data"]["failed"] == 1
