"""Deciding a file's platform: folder name, then a unique extension, then content sniffing."""

from __future__ import annotations

from dataclasses import dataclass

from romrunner.packs.index import PackIndex

UNKNOWN = "unknown"
_NINTENDO_LOGO_START = bytes.fromhex("ceed6666cc0d000b")
_N64_MAGICS = (b"\x80\x37\x12\x40", b"\x37\x80\x40\x12", b"\x40\x12\x37\x80")


@dataclass(frozen=True)
class PlatformGuess:
    """The decided platform, how it was decided, and the candidates when undecided."""

    platform_id: str
    source: str
    candidates: tuple[str, ...] = ()


def sniff_platform(head: bytes) -> str | None:
    """A platform that the first bytes of a ROM name with certainty, or None."""
    if head.startswith(b"NES\x1a"):
        return "nes"
    if head.startswith(b"FDS\x1a"):
        return "famicom-disk-system"
    if head.startswith(b"LYNX"):
        return "atari-lynx"
    if head[1:10] == b"ATARI7800":
        return "atari-7800"
    if head[:4] in _N64_MAGICS:
        return "n64"
    if len(head) >= 0x150 and head[0x104:0x10C] == _NINTENDO_LOGO_START:
        return "gbc" if head[0x143] in (0x80, 0xC0) else "gb"
    if len(head) >= 0xC0 and head[0xB2] == 0x96 and head[0x04:0x08] == b"\x24\xff\xae\x51":
        return "gba"
    return None


def detect_platform(index: PackIndex, folders: list[str], extension: str,
                    head: bytes = b"") -> PlatformGuess:
    """Decide the platform of a file.

    ``folders`` are the ancestor folder names, nearest first (the library root's own name
    last). A folder that names exactly one platform wins; a folder naming several narrows
    the extension's candidates. Otherwise a unique extension decides, then header sniffing
    when it is certain and consistent with the extension. Anything else is ``unknown`` with
    its candidates.
    """
    by_extension = index.platforms_for_extension(extension)
    for folder in folders:
        claimed = index.platforms_for_folder(folder)
        if len(claimed) == 1:
            return PlatformGuess(claimed[0], "folder")
        if len(claimed) > 1:
            narrowed = tuple(p for p in claimed if p in by_extension) or claimed
            if len(narrowed) == 1:
                return PlatformGuess(narrowed[0], "folder")
            return PlatformGuess(UNKNOWN, "unknown", narrowed)
    if len(by_extension) == 1:
        return PlatformGuess(by_extension[0], "extension")
    sniffed = sniff_platform(head) if head else None
    if sniffed and (not by_extension or sniffed in by_extension or extension in {".zip", ".7z"}):
        return PlatformGuess(sniffed, "header")
    return PlatformGuess(UNKNOWN, "unknown", by_extension)
