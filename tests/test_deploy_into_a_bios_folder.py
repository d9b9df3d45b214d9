"""`deploy --to` (and `destination paths`) a folder `bios scan` read, or a folder inside one,
is refused as a library root is (qa207 F5: the next `bios scan` listed every deployed game
as an unknown BIOS file); a folder beside it is a card as any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

PACK = shared_path("definition-pack")


@pytest.fixture
def bios_folder(cli: Any, tmp_path: Path) -> Path:
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    (gb / "Tetris (World) (Rev 1).gb").write_bytes(b"\x01" * 4096)
    bios = tmp_path / "biosx"
    bios.mkdir()
    (bios / "scph1001.bin").write_bytes(b"\x33" * 256)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("bios", "scan", bios), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli("--pack", PACK, *args).code == 0, args
    return bios


@pytest.mark.parametrize("inside", ["", "card"])
@pytest.mark.parametrize("command", [
    ("deploy", "1", "--to", "{card}", "platform:gb"),
    ("deploy", "1", "--to", "{card}", "platform:gb", "--dry-run"),
    ("destination", "paths", "1", "--to", "{card}", "--set", "gb=roms/gameboy"),
])
def test_a_card_in_a_bios_folder_is_refused(cli: Any, bios_folder: Path, inside: str,
                                            command: tuple[str, ...]) -> None:
    card = bios_folder / inside if inside else bios_folder
    card.mkdir(exist_ok=True)
    result = cli("--pack", PACK, *[word.format(card=card) for word in command])
    assert result.code == 2, result.out
    assert "a BIOS folder of yours" in result.err and "Traceback" not in result.err
    assert sorted(path.name for path in card.iterdir()) == (
        ["scph1001.bin"] if not inside else [])


def test_a_card_beside_a_bios_folder_is_a_card(cli: Any, bios_folder: Path) -> None:
    card = bios_folder.parent / "card"
    card.mkdir()
    result = cli("--pack", PACK, "deploy", "1", "--to", card, "platform:gb")
    assert result.code == 0, result.err
    assert (card / "roms" / "gb" / "Tetris (World) (Rev 1).gb").is_file()
