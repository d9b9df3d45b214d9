"""The card-name legaliser: property tests and the cases users meet."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from romrunner.deploy.legal import (
    FileSystem,
    collision_key,
    filesystem_named,
    inside_root,
    legal_component,
    legal_path,
)
from romrunner.errors import InputError

FAT_FORBIDDEN = set('"*/:<>?\\|') | {chr(c) for c in range(0x20)} | {"\x7f"}
names = st.text(min_size=1, max_size=300).filter(lambda n: n not in (".", ".."))


@pytest.mark.parametrize("fs", [FileSystem.FAT32, FileSystem.EXFAT])
@given(name=names)
@settings(max_examples=300)
def test_fat_names_are_legal_and_stable(fs: FileSystem, name: str) -> None:
    legal = legal_component(name, fs)
    assert legal and legal not in (".", "..")
    assert not set(legal) & FAT_FORBIDDEN
    assert not legal.endswith((".", " ")) and not legal.startswith(" ")
    assert len(legal.encode("utf-16-le", "surrogatepass")) // 2 <= 255
    assert legal.split(".")[0].upper() not in {"CON", "NUL", "AUX", "PRN", "COM1", "LPT1"}
    assert legal_component(legal, fs) == legal


@given(name=names)
@settings(max_examples=300)
def test_posix_names_are_legal_and_stable(name: str) -> None:
    legal = legal_component(name, FileSystem.POSIX)
    assert "/" not in legal and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in legal)
    assert len(legal.encode("utf-8")) <= 255
    assert legal_component(legal, FileSystem.POSIX) == legal


@given(parts=st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=6))
@settings(max_examples=300)
def test_a_legal_path_never_leaves_the_root(parts: list[str]) -> None:
    try:
        relative = legal_path(parts)
    except InputError:
        return
    root = Path("/card")
    assert not relative.is_absolute()
    assert ".." not in relative.parts and "." not in relative.parts
    assert (root / relative).resolve().is_relative_to(root)


def test_everyday_names() -> None:
    assert legal_component("Zelda: A Link to the Past (USA).sfc") == \
        "Zelda - A Link to the Past (USA).sfc"
    assert legal_component("Who? What* (Japan).iso") == "Who_ What_ (Japan).iso"
    assert legal_component("CON.txt") == "_CON.txt"
    assert legal_component("Trailing dots...") == "Trailing dots"
    assert legal_component("Zelda: A Link.sfc", FileSystem.POSIX) == "Zelda: A Link.sfc"
    assert legal_component("Evil \x1b]0;pwn\x07.sfc", FileSystem.POSIX) == "Evil _]0;pwn_.sfc"
    long_name = "A" * 300 + " (USA).sfc"
    shortened = legal_component(long_name)
    assert shortened.endswith(".sfc") and len(shortened) == 255


def test_separators_and_dot_dot_are_refused() -> None:
    assert legal_path(["roms/snes", "Game.sfc"]) == PurePosixPath("roms", "snes", "Game.sfc")
    for bad in (["..", "x"], ["roms", "../../etc"], ["/abs"], ["a", ""], ["."]):
        with pytest.raises(InputError):
            legal_path(bad)


def test_collisions_fold_case_on_fat_only() -> None:
    a, b = PurePosixPath("Roms/Game.sfc"), PurePosixPath("roms/GAME.sfc")
    assert collision_key(a, FileSystem.FAT32) == collision_key(b, FileSystem.FAT32)
    assert collision_key(a, FileSystem.POSIX) != collision_key(b, FileSystem.POSIX)


def test_fat_folds_each_letter_to_one_letter_as_its_up_case_table_does() -> None:
    """QA48 F3: ß is no case of "ss" on FAT or exFAT: both names are files there."""
    for fs in (FileSystem.FAT32, FileSystem.EXFAT):
        assert collision_key("roms/Fußball (Germany).gb", fs) != \
            collision_key("roms/Fussball (Germany).gb", fs)
        assert collision_key("roms/ÉTÉ (France).gb", fs) == \
            collision_key("roms/été (France).gb", fs)
        assert collision_key("roms/Ærø.gb", fs) == collision_key("roms/ærø.GB", fs)
        assert collision_key("roms/MARIO.gb", fs) == collision_key("roms/mario.gb", fs)


def test_filesystem_names() -> None:
    # QA48 F4: a share's or a layer's own file system is not known: names any card holds,
    # and no 4 GiB limit (a game over it on NFS was refused as "over fat32's limit")
    for share in ("nfs4", "cifs", "fuse.sshfs", "overlay", "9p"):
        assert filesystem_named(share) is FileSystem.EXFAT
        assert filesystem_named(share).max_file_size is None
    assert filesystem_named("somethingnew") is FileSystem.FAT32
    assert filesystem_named("vfat") is FileSystem.FAT32
    assert filesystem_named("exfat") is FileSystem.EXFAT
    assert filesystem_named("ext4") is FileSystem.POSIX
    assert filesystem_named(None) is FileSystem.FAT32
    assert FileSystem.FAT32.max_file_size == 4 * 1024**3 - 1


def test_inside_root_refuses_a_link_out(tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "roms").mkdir(parents=True)
    (card / "roms" / "out").symlink_to(tmp_path)
    assert inside_root(card, PurePosixPath("roms/snes/x.sfc")) == card / "roms/snes/x.sfc"
    with pytest.raises(InputError):
        inside_root(card, PurePosixPath("roms/out/x.sfc"))
