"""Names from a Mac on a Samba or Synology share (or from Cygwin, WSL) hold private-use
stand-ins for the characters Windows forbids (``:`` as U+F022 or U+F03A): on the card they are
the character they stand for, made legal as that character is, never boxes on the device; the
library's file keeps its name."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.legal import FileSystem, legal_component
from tests.conftest import muos_profile

SFM_NAME = "Aladdin\uf022 The Quest\uf025 (USA).gba"       # a Mac's SMB client, Samba, Synology
CYGWIN_NAME = "Zelda\uf03a Oracle\uf03f \uf02a (USA).gba"  # Cygwin, WSL: U+F000 + the character


@pytest.mark.parametrize(("name", "fs", "expected"), [
    (SFM_NAME, FileSystem.FAT32, "Aladdin - The Quest_ (USA).gba"),
    (SFM_NAME, FileSystem.EXFAT, "Aladdin - The Quest_ (USA).gba"),
    (SFM_NAME, FileSystem.POSIX, "Aladdin: The Quest? (USA).gba"),
    (CYGWIN_NAME, FileSystem.FAT32, "Zelda - Oracle_ _ (USA).gba"),
    (CYGWIN_NAME, FileSystem.POSIX, "Zelda: Oracle? * (USA).gba"),
    ("Game (USA).gba\uf029", FileSystem.FAT32, "Game (USA).gba"),  # SFM's trailing dot
    ("Tab\uf009Name (USA).gba", FileSystem.POSIX, "Tab_Name (USA).gba"),  # a control
    ("Caf\u00e9\uf03a Menu.gba", FileSystem.EXFAT, "Caf\u00e9 - Menu.gba"),
    ("Logo \uf8ff (USA).gba", FileSystem.FAT32, "Logo \uf8ff (USA).gba"),  # no stand-in: kept
])
def test_a_stand_in_is_the_character_it_stands_for(name: str, fs: FileSystem,
                                                   expected: str) -> None:
    legal = legal_component(name, fs)
    assert legal == expected
    assert legal_component(legal, fs) == legal


def test_the_card_name_of_a_share_file_has_no_stand_ins(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "nas"
    source = root / "gba" / SFM_NAME
    source.parent.mkdir(parents=True)
    data = hashlib.sha256(b"aladdin").digest() * 128
    source.write_bytes(data)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    done = cli("deploy", "1", "--to", str(card), "platform:gba")
    assert done.code == 0, done.err
    written = [path for path in card.rglob("*.gba") if ".romrunner" not in path.parts]
    # (a card on ext4 or tmpfs keeps ``:`` and ``?``; one whose file system is not known
    # here gets FAT's rules)
    assert [path.name for path in written] in (["Aladdin: The Quest? (USA).gba"],
                                               ["Aladdin - The Quest_ (USA).gba"])
    assert written[0].read_bytes() == data
    assert source.exists() and source.read_bytes() == data  # the library's file as it was
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--dry-run")
    assert again.code == 0, again.err
    assert again.json()["data"]["actions"] == {"skip": 1}  # the card's copy is that game's
