"""A card switched to another OS (muOS -> KNULLI, the same device), then deployed again for
the new OS with the same selection (qa205 F4): the second and third identical deploys each
rewrote `.romrunner/os.json`, the second recording muOS's genesis folder (`roms/md`, its copy
another profile's) as KNULLI's. A second identical deploy writes nothing, and another OS's
folder is never recorded as this OS's.

Real directory trees, real SQLite, the real definition pack, the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def test_deploys_after_an_os_switch_leave_the_cards_record_alone(cli: Any,
                                                                 tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gb").mkdir(parents=True)
    (lib / "md").mkdir()
    (lib / "gb" / "Tetris (World).gb").write_bytes(b"\x01" * 65536)
    (lib / "md" / "Sonic (USA).md").write_bytes(b"\x02" * 131072)
    card.mkdir()
    pack = ("--pack", str(shared_path("definition-pack")))  # (muOS's genesis: roms/md)
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "platform:gb,genesis")):
        result = cli(*pack, *args)
        assert result.code == 0, (args, result.err)
    record = card / ".romrunner" / "os.json"
    muos_genesis = json.loads(record.read_bytes())["rom_folders"]["genesis"]
    first = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:gb,genesis")
    assert first.code == 0 and first.json()["data"]["copied"] > 0, first.out
    written = record.read_bytes()
    knulli_genesis = json.loads(written)["rom_folders"]["genesis"]
    assert knulli_genesis != muos_genesis, written
    stamp = record.stat().st_mtime_ns
    for _ in range(2):
        again = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:gb,genesis")
        assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out
        assert record.read_bytes() == written and record.stat().st_mtime_ns == stamp, \
            record.read_text()
    assert json.loads(written)["other_layouts"]["muos"]["genesis"] == muos_genesis, written
