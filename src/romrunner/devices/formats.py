"""Which of a game's formats goes to a card: the one its emulator reads best.

A library may hold one disc in two forms (``Game (USA).iso`` and ``Game (USA).rvz``, a cue/bin
beside a ``.chd``). A card needs one of them — a frontend lists each file as a game. The one
chosen is the one the emulator the profile runs it with reads (the definition pack's
``supportedFormats`` of that emulator; the platform's extensions where the pack lists none for
it), the platform's ``preferredFormat`` first, then a compressed image (smaller on the card),
then any other. The deploy's plan and the auto-list rank copies by :func:`format_rank` alike.
"""

from __future__ import annotations

from romrunner.devices.overrides import resolve_emulator_id
from romrunner.errors import InputError
from romrunner.packs.loader import DefinitionPack

# Disc images and sheets: one game whose copies in two of these forms are the same disc.
DISC_IMAGES = frozenset({
    ".iso", ".bin", ".img", ".cue", ".gdi", ".ccd", ".toc", ".cdi", ".mds", ".nrg", ".gcm",
    ".chd", ".cso", ".zso", ".pbp", ".rvz", ".wia", ".gcz", ".ciso", ".wbfs"})
# Disc images smaller than the raw image they hold (compressed, or with the unused blocks
# left out).
SMALLER_IMAGES = frozenset({".chd", ".cso", ".zso", ".pbp", ".rvz", ".wia", ".gcz", ".ciso",
                            ".wbfs"})

PREFERRED, SMALLER, READ, NOT_READ = 0, 1, 2, 3  # the ranks of format_rank, best first


def emulator_reads(pack: DefinitionPack | None, emulator_id: str | None, platform_id: str,
                   extension: str) -> bool:
    """Whether the emulator reads files of ``extension`` (``.rvz``): the pack's formats of
    it (``*``: any); for an emulator the pack does not know or lists no formats for, the
    platform's extensions (any, where it lists none)."""
    if pack is None:
        return True
    bare = extension.lower().lstrip(".")
    if emulator_id is not None:
        try:
            formats = pack.emulators[resolve_emulator_id(pack, emulator_id)].formats
        except InputError:
            formats = ()
        if formats:
            return "*" in formats or bare in formats
    platform = pack.platforms.get(platform_id)
    listed = {ext.lower().lstrip(".") for ext in platform.extensions} if platform else set()
    return not listed or bare in listed


def format_rank(pack: DefinitionPack | None, emulator_id: str | None, platform_id: str,
                extension: str) -> int:
    """How good a copy of ``extension`` is for the card, lower better: the platform's
    preferred format the emulator reads (:data:`PREFERRED`), a smaller image it reads
    (:data:`SMALLER`), another format it reads (:data:`READ`), one it does not read
    (:data:`NOT_READ`)."""
    extension = extension.lower()
    if not emulator_reads(pack, emulator_id, platform_id, extension):
        return NOT_READ
    platform = pack.platforms.get(platform_id) if pack is not None else None
    preferred = (platform.preferred_format or "").lower().lstrip(".") if platform else ""
    if preferred and extension.lstrip(".") == preferred:
        return PREFERRED
    return SMALLER if extension in SMALLER_IMAGES else READ
