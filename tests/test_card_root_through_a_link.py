"""A card's OS folder reached through a link that leaves the given --to (EmuDeck's
`~/Emulation` -> `/run/media/<card>/Emulation`, RetroDECK's `~/retrodeck/roms` on the SD
card; QA91 F5, F6): refused as before, and the message names the link, where it points, and
the --to that reaches the folders without it; never the OS choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


@pytest.mark.parametrize(("os_id", "device", "linked"), [
    ("emudeck", "steam-deck", "Emulation"),
    ("retrodeck", "steam-deck", "retrodeck"),
])
def test_the_link_and_the_way_round_it_are_named(cli: Any, tmp_path: Path, os_id: str,
                                                 device: str, linked: str) -> None:
    pack = shared_path("definition-pack")
    home, media = tmp_path / "home" / "deck", tmp_path / "run" / "media" / "mmcblk0p1"
    home.mkdir(parents=True)
    (media / linked / "roms").mkdir(parents=True)
    (media / linked / "bios").mkdir()
    (home / linked).symlink_to(media / linked)
    game = tmp_path / "lib" / "gba" / "A (USA).gba"
    game.parent.mkdir(parents=True)
    game.write_bytes(b"\x05" * 2048)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", device), ("profile", "create", "--device", "1", "--os",
                                             os_id)):
        assert cli("--pack", pack, *args).code == 0, args
    refused = cli("--pack", pack, "deploy", "1", "--to", home, "platform:gba", "--dry-run")
    assert refused.code == 2
    assert f"{linked} is a link to {media / linked}" in refused.err, refused.err
    assert f"give --to {media}," in refused.err
    assert "profile set" not in refused.err and "a link?" not in refused.err
    assert sorted(p.name for p in home.iterdir()) == [linked]  # nothing written at home
    taken = cli("--pack", pack, "deploy", "1", "--to", media, "platform:gba")
    assert taken.code == 0, taken.err
    copies = [p for p in (media / linked).rglob("A (USA).gba")]
    assert [p.read_bytes() for p in copies] == [game.read_bytes()]
