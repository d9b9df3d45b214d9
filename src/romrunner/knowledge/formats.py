"""The knowledge formats by name, and which one a file is when no name is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from romrunner.knowledge import dolphin, duckstation, libretro_info, pcsx2, ppsspp
from romrunner.knowledge.model import Entry, KnowledgeFormatError, ReadReport
from romrunner.knowledge.textfile import read_text


@dataclass(frozen=True)
class GameFormat:
    """A per-game knowledge format: its name, its source id, and its reader."""

    name: str
    source: str
    emulator: str
    looks_like: Callable[[str], bool]
    read: Callable[[Path, ReadReport], Iterator[Entry]]
    rates: bool = True  # its entries give a game's rating where it has one (compat.ini: none)
    # its last entry is the file's last lines, so a file cut at a line break shortens only it
    # (compat.ini: a title's flags are spread over the file's sections)
    ends_with_last_entry: bool = True
    # the file is always the emulator's whole list, and lists a game only for what it gives
    # (compat.ini: a title under each flag it needs), so a game no longer listed has no
    # answer of it: its answer read from such a file is withdrawn (qa195: kept unsaid)
    lists_every_game: bool = False


GAME_FORMATS: dict[str, GameFormat] = {
    fmt.name: fmt for fmt in (
        GameFormat(pcsx2.FORMAT, pcsx2.SOURCE, "pcsx2", pcsx2.looks_like, pcsx2.read),
        GameFormat(duckstation.FORMAT, duckstation.SOURCE, "duckstation",
                   duckstation.looks_like, duckstation.read),
        GameFormat(ppsspp.FORMAT, ppsspp.SOURCE, "ppsspp", ppsspp.looks_like, ppsspp.read,
                   rates=False, ends_with_last_entry=False, lists_every_game=True),
        # (each Dolphin ini is one game: an upstream update dropping a hack from one is as
        # common as a cut file, so a loss is warned, naming the game, never refused — review
        # 156 F5: `GameSettings/*.ini` was refused whole)
        GameFormat(dolphin.FORMAT, dolphin.SOURCE, "dolphin", dolphin.looks_like, dolphin.read,
                   ends_with_last_entry=False),
    )
}
CORE_INFO_FORMAT = libretro_info.FORMAT
ALL_FORMATS = (*GAME_FORMATS, CORE_INFO_FORMAT)
_HEAD_CHARS = 8192


def detect_format(path: Path) -> str:
    """The format of ``path`` (a file, or a folder of Dolphin inis / libretro infos).

    Raises :class:`KnowledgeFormatError` naming the file when no format fits.
    """
    if path.is_dir():
        if any(path.glob("*.info")):
            return CORE_INFO_FORMAT
        if any(path.glob("*.ini")):
            return dolphin.FORMAT
        raise KnowledgeFormatError(f"{path}: a folder with no .ini or .info files")
    if path.suffix.lower() == ".info":
        return CORE_INFO_FORMAT
    head = read_text(path)[:_HEAD_CHARS]
    if libretro_info.looks_like(head):
        return CORE_INFO_FORMAT
    for fmt in GAME_FORMATS.values():
        if fmt.looks_like(head):
            return fmt.name
    if dolphin.named_like(path, head):
        return dolphin.FORMAT
    raise KnowledgeFormatError(
        f"{path}: not a known knowledge format; give --format (one of {', '.join(ALL_FORMATS)})")


def folder_files(folder: Path, name: str) -> list[Path]:
    """The files of ``folder`` that the reader of format ``name`` reads when given the folder
    (none for a format read one file at a time)."""
    if name == CORE_INFO_FORMAT:
        return sorted(folder.glob("*.info"))
    if name == dolphin.FORMAT:
        return dolphin.folder_files(folder)
    return []


def game_format(name: str) -> GameFormat:
    """The per-game format called ``name``."""
    try:
        return GAME_FORMATS[name]
    except KeyError:
        raise KnowledgeFormatError(f"unknown knowledge format {name!r}; expected one of "
                                   f"{', '.join(ALL_FORMATS)}") from None
