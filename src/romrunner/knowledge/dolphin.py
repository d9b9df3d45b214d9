"""Dolphin's ``GameSettings/*.ini`` (GameCube/Wii): one file per game id.

The file name is the id: six characters for one release (``GALE01``), three for every region
of a title (``GAL`` → ``GALE01``, ``GALJ01``, ``GALP01``; a lookup tries the six-character id
first). ``[EmuState] EmulationStateId`` (1 worst … 5 best) gives a status; the other sections
(``[Core]``, ``[Video_*]``…) are settings. Patch and cheat sections are not settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from romrunner.knowledge import ppsspp
from romrunner.knowledge.inifile import parse_ini, report_damage
from romrunner.knowledge.model import DOLPHIN_STATE, Entry, KnowledgeFormatError, ReadReport
from romrunner.knowledge.textfile import read_text

FORMAT = "dolphin-gameini"
SOURCE = "dolphin-gameini"
_GAME_ID = re.compile(r"^[A-Z0-9]{3}([A-Z0-9]{3})?$")
# The sections of a game ini that Dolphin reads as settings. The rest are not settings
# (patches, cheats, the rating) or are read by no Dolphin of today: [VR] and [Video_Hacks_VR]
# come from the Dolphin VR fork, [Video]'s ProjectionHack/PH_* from a hack mainline removed
# (qa174 F8: they were shown as the game's settings beside the real [Video_Hacks] ones).
_SETTINGS_SECTIONS = {"Core", "DSP", "Wii", "Controls", "Video_Settings", "Video_Hacks",
                      "Video_Enhancements", "Video_Stereoscopy", "Video_Hardware"}
_DOLPHIN_SECTION = re.compile(r"^(Core|EmuState|Video(_\w+)?|OnLoad|OnFrame(_\w+)?|"
                              r"ActionReplay(_\w+)?|Gecko(_\w+)?|Patches(_\w+)?|Speedhacks|"
                              r"DSP|Wii|Controls|VR)$")
_TITLE = re.compile(r"^([A-Z0-9]{3,6}(?:\s*,\s*[A-Z0-9]{3,6})*)\s*-\s*(.+)$")


def looks_like(head: str) -> bool:
    """True when the text's start is a Dolphin game ini."""
    return bool(re.match(r"#\s*[A-Z0-9]{6}", head)) and "[" in head


def named_like(path: Path, head: str) -> bool:
    """True for a file named as a Dolphin game ini (``GMBE8P.ini``) whose first section is one
    Dolphin's inis have: many start with a section, no ``# ID - Title`` line (QA127 F9: the
    real GMBE8P.ini, starting with ``[Gecko]``, was "not a known knowledge format")."""
    first = re.search(r"^\s*\[([^\]\n]+)\]", head, re.MULTILINE)
    return path.suffix.lower() == ".ini" and bool(_GAME_ID.match(path.stem.upper())) \
        and first is not None and bool(_DOLPHIN_SECTION.match(first.group(1).strip()))


def platform_of(game_id: str) -> str:
    """GameCube or Wii from the id's first character (R/S: Wii discs, G/D/P…: GameCube)."""
    return "wii" if game_id[0] in "RSW" else "gamecube"


def read_file(path: Path, report: ReadReport) -> Entry | None:
    """The entry of one ``ID.ini``, or None (skipped and counted in ``report``)."""
    game_id = path.stem.upper()
    if not _GAME_ID.match(game_id):
        report.skip(path.name, "file name is not a Dolphin game id")
        return None
    ini = parse_ini(read_text(path))
    if ini.sections and not any(_DOLPHIN_SECTION.match(name) for name in ini.sections):
        # (QA54 F9: PPSSPP's compat.ini given as --format dolphin-gameini became a game
        # "COMPAT" with 62 settings sections)
        report.skip(path.name, "no section Dolphin's game inis have ([Core], [EmuState], "
                    "[Video…], [OnFrame]…): not a Dolphin game ini")
        return None
    title = None
    for comment in ini.comments[:1]:
        match = _TITLE.match(comment)
        if match:
            title = match.group(2).strip()
    settings = {name: kept for name, values in ini.sections.items()
                if name in _SETTINGS_SECTIONS and (kept := _set_values(values))}
    raw = ini.sections.get("EmuState", {}).get("EmulationStateId")
    status = DOLPHIN_STATE.get(raw.strip()) if raw else None
    if raw and raw.strip() and status is None:  # (as a PCSX2 entry's odd compat: QA127 F4,
        # dropped unsaid, and the game's earlier rating withdrawn as no longer given)
        line = ini.lines.get(("EmuState", "EmulationStateId"))
        report.skip(f"{path.name} line {line}" if line else path.name,
                    f"EmulationStateId {raw.strip()[:20]!r} is not 0-5")
        return None
    if not settings and status is None and title is None and not ini.sections:
        report.skip(path.name, "no sections")
        return None
    # (qa183 F4: `[Video_Hacks` without its `]` put the game's hacks under [Video_Settings]:
    # the keys after a damaged header are read as no section's, and it is named; the lines of
    # code of the cheat and patch sections are no `key = value` by nature)
    stray = report_damage(ini, report, f"{path.name} ", free_text=_free_text)
    report.entries += 1
    issues = (ini.sections.get("EmuState", {}).get("EmulationIssues") or "").strip()
    return Entry(platform_of(game_id), "dolphin", game_id, title=title, status=status,
                 raw_status=raw, settings=settings or None, settings_format=FORMAT,
                 comment=issues or None,
                 # (qa188 F2: a damaged header or line may have held a setting or the rating:
                 # what the cache holds of the game is not replaced by less)
                 damaged=bool(ini.broken or stray))


def _free_text(section: str) -> bool:
    """A section of lines of code (cheats, patches), not ``key = value``."""
    return section not in _SETTINGS_SECTIONS and section != "EmuState"


def _set_values(values: dict[str, str]) -> dict[str, str]:
    """The keys given a value (``PH_ZNear =`` sets nothing)."""
    return {key: value for key, value in values.items() if value.strip()}


def folder_files(folder: Path) -> list[Path]:
    """The ``*.ini`` files of ``folder`` a Dolphin reader reads: all but another emulator's
    (PPSSPP's compat.ini beside them is imported as what it is: qa183 F6)."""
    return [file for file in sorted(folder.glob("*.ini")) if not _another_emulators(file)]


def _another_emulators(path: Path) -> bool:
    try:
        head = read_text(path)[:8192]
    except KnowledgeFormatError:
        return False  # (read_file names it)
    return ppsspp.looks_like(head)


def read(path: Path, report: ReadReport) -> Iterator[Entry]:
    """The entries of one ini file, or of every Dolphin ``*.ini`` in a GameSettings folder."""
    files = folder_files(path) if path.is_dir() else [path]
    for file in files:
        entry = read_file(file, report)
        if entry is not None:
            yield entry
