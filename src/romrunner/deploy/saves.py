"""The player's saves and states on a card, found by the game file they are named after.

RetroArch and most standalone emulators name a game's save and states after the file the
frontend launched: ``Crash Bandicoot (USA).srm``, ``….state1``, ``….state.auto`` (its
thumbnail ``….state1.png``), mGBA's ``….sav``, DeSmuME's ``….dsv``, Mupen64's ``….eep``.
A prune that removes that file — a better version chosen instead, a disc now behind a
playlist of another name — leaves the save to a name nothing launches: to the player the
progress is gone. So a prune keeps such a file (and the tracks its sheet lists) and says
which saves hold it there (QA50 F1, F2).

Saves are looked for in the OS's saves and states folders (the pack's ``paths``, and every
handheld OS's usual ones: :data:`KNOWN_SAVE_FOLDERS`), and beside the file itself
(RetroArch's "saves in the content folder", RetroPie's layout). Only a file replaced is kept:
by another file of its platform with its title, or by its own content written elsewhere.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from pathlib import Path, PurePosixPath

from romrunner.devices.paths import card_relative, games_partition
from romrunner.library.containers import ContainerError, sheet_file_names
from romrunner.library.tags import strip_extension, tag_part
from romrunner.packs.loader import DefinitionPack

# Where the handheld OSes keep saves and states, relative to the card, looked in whatever the
# pack says (a pack may name none, or another OS's): muOS's MUOS/save/file/<core>/ and
# MUOS/save/state/<core>/, Onion's, Spruce's and CrossMix's Saves/, Knulli's and Batocera's
# saves/ and savestates/ or states/, ROCKNIX's, ArkOS's and JELOS's savestates/ (beside the
# ROM folders, the card being the games partition), MinUI's and NextUI's .userdata/ (review 25
# R1, QA51 F4: the built-in pack names none for Onion), EmuDeck's Emulation/saves/ and
# Emulation/states/ (its RetroArch's retroarch/saves/…: QA145 F1, the real pack names none).
KNOWN_SAVE_FOLDERS = ("MUOS/save", "Saves", "saves", "states", "savestates", ".userdata",
                      "Emulation/saves", "Emulation/states")
# What follows a game's name in a save's or state's name (its first dotted part).
_SAVE_WORD = re.compile(r"(?:srm|sav|dsv|mcd|mcr|eep|fla|sra|mpk|rtc|nv|state\d*|st\d)",
                        re.IGNORECASE)
# saves/<platform>/<file>; MUOS/save/file/<core>/; Onion's Saves/CurrentProfile/saves/<core>/
_DEPTH = 4
_SHEETS = (".cue", ".gdi", ".m3u")
# Which saves hold a replaced file (see saves_named_after): any of its name, those beside it
# only, those beside it or in its own platform's saves folder only.
_ANY, _BESIDE, _OWN = "any", "beside", "own"


def named_like_a_save(name: str) -> bool:
    """True for a file named as emulators name a save or a state (``….srm``, ``….state1``,
    ``….state1.png``, ``….state.auto``): never a file ROM Runner puts on a card."""
    return any(_SAVE_WORD.fullmatch(part) for part in name.casefold().split(".")[1:][-2:])


def save_folders(pack: DefinitionPack | None, os_id: str, card_root: Path) -> list[str]:
    """The card's folders (relative to its root) where ``os_id`` keeps saves and states."""
    found: list[str] = list(KNOWN_SAVE_FOLDERS)
    system = pack.operating_systems.get(os_id) if pack is not None else None
    if system is not None:
        games = games_partition(os_id, card_root)
        for key in ("saves", "states"):
            device_path = system.paths.get(key)
            if device_path and "{" not in device_path and not device_path.startswith("__"):
                relative, _ = card_relative(os_id, device_path, games)
                if str(relative) != "." and ".." not in relative.parts:
                    found.append(str(relative))
    return sorted(set(found))


def platform_names(pack: DefinitionPack | None) -> dict[str, list[str]]:
    """Every name a platform's ROM folder has in the pack (its id, each OS family's folder),
    case-folded, to the platforms it names."""
    named: dict[str, set[str]] = defaultdict(set)
    if pack is None:
        return {}
    for platform in pack.platforms:
        named[platform.casefold()].add(platform)
    for platform, folders in pack.folder_names.names.items():
        for folder in folders.values():
            if folder:
                named[folder.rpartition("/")[2].casefold()].add(platform)
    return {name: sorted(platforms) for name, platforms in sorted(named.items())}


def saves_named_after(root: Path, folders: Iterable[str], dests: Iterable[str],
                      launched: set[tuple[str | None, str]],
                      platforms_of: Callable[[str], set[str]] = lambda folder: set(),
                      moved: Collection[str] = (),
                      launched_at: Collection[tuple[str, str]] | None = None,
                      same_name_moves: Collection[str] = ()
                      ) -> dict[str, list[str]]:
    """Destination path -> the saves and states on the card named after its file (paths
    relative to the card), for each of ``dests`` replaced by a file of another name.

    ``launched``: (platform, name) of the files the frontend will launch after this deploy
    (names without extension, case-folded: :func:`launched_name`); ``platforms_of``: the
    platforms a card folder is a ROM folder of (none known: any). A file one of its
    platform's launched files is named as is not looked for (``Game.chd`` for ``Game.cue``;
    ``roms/megadrive/Game.md`` for muOS's ``roms/md/Game.md``: the save still finds a game
    of its name), nor one no launched file of its platform has the title of (a game the
    player dropped: QA51 F1; a game of another platform of that title: review 27 R6) unless
    its content is in ``moved`` (written elsewhere: a catalog moved it to another platform,
    whose saves folder is another: QA53 F3). A save in a saves folder named as a platform's
    ROM folder (Knulli's ``saves/gb/``, MinUI's ``Saves/GBA/``) is that platform's game's
    only (QA51 F9, review 27 R1). ``launched_at``: (folder, name) of those launched files,
    when known: a file still launched under its name, but from another folder, keeps the
    saves beside it (QA151 N-a: a platform moved to the OS's folder orphaned the saves
    RetroArch keeps beside the game on ArkOS). ``same_name_moves``: those of ``dests`` whose own
    game is launched under their very name from another platform's folder now (a game filed
    under another platform): only the saves the file launched now does not reach hold them —
    beside the old file, or in a saves folder named as the old platform's ROM folder
    (Knulli's ``saves/gb/``); one in a folder of no platform (muOS's ``MUOS/save/file/<core>/``,
    Onion's ``Saves/``) is found by the content's name (qa191 F4: kept for good, the note's
    way out — rename the save after the file chosen now — impossible, the names the same)."""
    titles: dict[str | None, set[str]] = defaultdict(set)
    launched_as: dict[str, set[str | None]] = defaultdict(set)  # name -> its platforms
    for platform, name in launched:
        titles[platform].add(title_of(name))
        launched_as[name].add(platform)
    every_title = set().union(*titles.values()) if titles else set()
    # stem -> (folder, dest, its platforms, which saves hold it: _ANY, _BESIDE, or _OWN —
    # beside it or in a saves folder named as its platform's ROM folder)
    by_stem: dict[str, list[tuple[str, str, set[str], str]]] = defaultdict(list)
    for dest in dests:
        folder, stem = _name_key(dest)
        platforms = platforms_of(folder)
        # (looked up, not searched: each of a prune's files against every chosen file's
        # name was 0.65 s at 4,000 of 10,000 and grew with their product — bench37)
        same_name = launched_as.get(stem, set())
        if same_name & platforms if platforms else same_name:
            if launched_at is not None and (folder, stem) not in launched_at:
                # (launched under its name from another folder: the saves beside it only)
                by_stem[stem].append((folder, dest, platforms, _BESIDE))
            continue  # (still launched under its name)
        if same_name and dest in same_name_moves:
            # (its game launched under its name from another platform's folder)
            by_stem[stem].append((folder, dest, platforms, _OWN))
            continue
        title = title_of(stem)
        if dest not in moved and not (any(title in titles[p] for p in platforms)
                                      if platforms else title in every_title):
            continue  # (nothing replaces it)
        by_stem[stem].append((folder, dest, platforms, _ANY))
    if not by_stem:
        return {}
    beside = {named[0] for entries in by_stem.values() for named in entries}
    found: dict[str, set[str]] = defaultdict(set)
    only_beside = all(named[3] == _BESIDE for entries in by_stem.values() for named in entries)
    unreachable: list[str] = []
    for relative in _candidates(root, () if only_beside else folders, beside, unreachable):
        folder, _, name = relative.rpartition("/")
        of_platforms = platforms_of(folder.rpartition("/")[2]) if folder not in beside \
            else set()
        for stem in _stems_of(name):
            for dest_folder, dest, platforms, holds in by_stem.get(stem.casefold(), ()):
                # (beside a game file, a save is that file's alone; in a save folder named as
                # a ROM folder, that platform's game's)
                if folder == dest_folder or (folder not in beside
                                             and _held_there(holds, of_platforms, platforms)):
                    found[dest].add(relative)
    # A save folder this computer cannot read (a link to the handheld's own storage) may
    # hold saves named after any replaced file: each is kept, the link named (QA151 F7).
    for link in unreachable:
        for entries in by_stem.values():
            for named in entries:
                if named[3] != _BESIDE:
                    found[named[1]].add(f"{link} (a link that leads nowhere on this computer)")
    return {dest: sorted(paths) for dest, paths in found.items()}


def _held_there(holds: str, of_platforms: set[str], platforms: set[str]) -> bool:
    """True when a save in a saves folder that is a ROM folder of ``of_platforms`` (none: a
    folder of no platform) holds a replaced file of ``platforms`` (none known: any) whose
    saves ``holds`` says which (see :func:`saves_named_after`)."""
    if holds == _ANY:
        return not of_platforms or not platforms or bool(of_platforms & platforms)
    return holds == _OWN and bool(of_platforms & platforms)


def title_of(name: str) -> str:
    """A file name's title (without extension, case-folded: see :func:`launched_name`): what
    precedes its first bracket."""
    return name[:len(name) - len(tag_part(name))].strip(" _-")


def launched_name(dest: str) -> str:
    """A card file's name as :func:`saves_named_after` compares it (no extension, folded)."""
    return _name_key(dest)[1]


def listed_by_sheets(root: Path, sheets: Iterable[str]) -> set[str]:
    """The card's files that the sheets and playlists at ``sheets`` list, and those the
    sheets they list list in turn (an .m3u's discs' tracks): paths relative to the card,
    normalised; a name that leads off the card (``../``, an absolute path) lists nothing."""
    listed: set[str] = set()
    todo = [sheet for sheet in sheets if sheet.lower().endswith(_SHEETS)]
    while todo:
        sheet = todo.pop()
        folder = PurePosixPath(sheet).parent
        try:
            names = sheet_file_names(root / sheet).values()
        except (ContainerError, OSError, UnicodeError):
            continue  # (unreadable now: its files are pruned as any others)
        for name in names:
            path = posixpath.normpath(str(folder / name))
            if path.startswith(("/", "../")) or path in ("..", "."):
                continue  # (a name leading off the card: no file of it — review53a F1)
            if path not in listed:
                listed.add(path)
                if path.lower().endswith(_SHEETS):
                    todo.append(path)
    return listed


def _name_key(dest: str) -> tuple[str, str]:
    """A card file's folder and its name without extension, case-folded."""
    folder, _, name = dest.rpartition("/")
    return folder, strip_extension(name).casefold()


def _stems_of(name: str) -> list[str]:
    """The game names a save's file name can be named after: ``Game (USA).state1.png`` ->
    ``Game (USA)`` (what precedes a save word after a dot, with or without its own extension:
    MinUI's ``Game (USA).gba.sav``; at most three dots from the end are looked at:
    ``.state.auto``, ``.state1.png``)."""
    stems = []
    end = len(name)
    for _ in range(3):
        dot = name.rfind(".", 0, end)
        if dot <= 0:
            break
        word = name[dot + 1:].split(".", 1)[0]
        if _SAVE_WORD.fullmatch(word):
            stems.append(name[:dot])
            # (MinUI and NextUI name a save after the whole file name: Game.gba.sav, .st0)
            stems.append(strip_extension(name[:dot]))
        end = dot
    return stems


def _candidates(root: Path, folders: Iterable[str], beside: set[str],
                unreachable: list[str] | None = None) -> Iterable[str]:
    """The files in the save folders (to :data:`_DEPTH` levels, linked folders followed) and
    the files directly in the ``beside`` folders, relative to the card's root; the links in
    the save folders that lead nowhere on this computer are added to ``unreachable``."""
    seen: set[str] = set()
    for folder in sorted(beside):
        yield from _files(root, folder, 1, seen)
    for folder in folders:
        yield from _files(root, folder, _DEPTH, seen, unreachable)


def _files(root: Path, folder: str, depth: int, seen: set[str],
           unreachable: list[str] | None = None) -> Iterable[str]:
    """The files under ``folder`` to ``depth`` levels. A linked folder is followed, once
    (EmuDeck links `Emulation/saves/retroarch/saves` to RetroArch's own: review 149 F3, the
    saves there were never found): only names are read, each real folder once."""
    path = root / folder if folder else root
    real = os.path.realpath(path)  # (absolute: never one of the relative names in seen)
    if depth <= 0 or folder in seen or real in seen:
        return
    seen.update((folder, real))
    try:
        with os.scandir(path) as entries:
            found = [(entry.name, entry.is_dir(), entry.is_file(follow_symlinks=False),
                      entry.is_symlink()) for entry in entries]
    except OSError:
        return  # (no such folder: no saves there)
    for name, is_dir, is_file, is_link in found:
        relative = f"{folder}/{name}" if folder else name
        if is_file:
            yield relative
        elif is_dir and not name.startswith("."):
            yield from _files(root, relative, depth - 1, seen, unreachable)
        elif is_link and unreachable is not None and not os.path.exists(path / name):
            unreachable.append(relative)  # (EmuDeck's save links, the card read on a PC)
