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


def test_a_link_within_the_card_or_to_nothing_is_said_as_it_is(cli: Any,
                                                               tmp_path: Path) -> None:
    """Review 96 F5: the first link on the way was named "outside the card" when it stayed
    on it (a deeper one left), and a link to an unmounted drive got a --to that is not
    there."""
    pack = shared_path("definition-pack")
    home, elsewhere = tmp_path / "home" / "deck", tmp_path / "other"
    (home / "real").mkdir(parents=True)
    (home / "real" / "bios").mkdir()
    (elsewhere / "roms").mkdir(parents=True)
    (home / "Emulation").symlink_to(home / "real")  # within the --to
    (home / "real" / "roms").symlink_to(elsewhere / "roms")  # off it
    for args in (("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "1", "--os", "emudeck")):
        assert cli("--pack", pack, *args).code == 0, args
    deeper = cli("--pack", pack, "destination", "paths", "1", "--to", home)
    assert deeper.code == 2
    assert f"Emulation/roms is a link to {elsewhere / 'roms'}, outside the card" in deeper.err
    assert "Emulation is a link" not in deeper.err
    (home / "real" / "roms").unlink()
    (home / "real" / "roms").symlink_to(tmp_path / "run" / "media" / "gone" / "roms")
    gone = cli("--pack", pack, "destination", "paths", "1", "--to", home)
    assert gone.code == 2 and "which is not there" in gone.err and "--to" not in \
        gone.err.partition("which is not there")[2]
