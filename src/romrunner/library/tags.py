"""Filename tags in the No-Intro, Redump and TOSEC conventions.

``Legend of Zelda, The (USA, Europe) (En,Fr) (Rev 1) [!]`` → title, regions, languages,
revision, flags. Unknown tags are kept in ``flags`` as they are, never an error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from romrunner.errors import InputError

REGIONS = {
    "usa": "USA", "us": "USA", "u": "USA", "europe": "Europe", "eu": "Europe", "e": "Europe",
    "japan": "Japan", "jp": "Japan", "j": "Japan", "world": "World", "w": "World",
    "france": "France", "fr": "France", "germany": "Germany", "de": "Germany",
    "spain": "Spain", "es": "Spain", "italy": "Italy", "it": "Italy",
    "netherlands": "Netherlands", "korea": "Korea", "kr": "Korea", "china": "China",
    "taiwan": "Taiwan", "hong kong": "Hong Kong", "brazil": "Brazil", "australia": "Australia",
    "asia": "Asia", "sweden": "Sweden", "canada": "Canada", "russia": "Russia",
    "scandinavia": "Scandinavia", "uk": "UK", "united kingdom": "UK", "portugal": "Portugal",
    "latin america": "Latin America", "greece": "Greece", "denmark": "Denmark",
    "finland": "Finland", "norway": "Norway", "poland": "Poland", "india": "India",
    "mexico": "Mexico", "new zealand": "New Zealand", "unknown": "Unknown",
    # (Redump's and No-Intro's rarer countries: QA71 F5, no region read and none implied)
    "austria": "Austria", "ireland": "Ireland", "belgium": "Belgium", "israel": "Israel",
    "peru": "Peru", "argentina": "Argentina", "switzerland": "Switzerland",
    "croatia": "Croatia", "turkey": "Turkey", "south africa": "South Africa",
    "singapore": "Singapore", "thailand": "Thailand", "chile": "Chile",
    "czech": "Czech Republic", "czech republic": "Czech Republic", "hungary": "Hungary",
    "ukraine": "Ukraine", "indonesia": "Indonesia", "malaysia": "Malaysia",
}
# The language a release of a region is in when its name says none: No-Intro and Redump tag
# a name's languages only where the region's own language is not the whole story ("(Europe)
# (En,Fr,De)"), so "(USA)", "(World)", "(Europe)" are English and "(Germany)" German.
# Regions of several languages (Asia, Scandinavia, India…) imply none.
REGION_LANGUAGES = {
    "USA": "En", "World": "En", "Europe": "En", "UK": "En", "Australia": "En", "Canada": "En",
    "New Zealand": "En", "Japan": "Ja", "Germany": "De", "France": "Fr", "Spain": "Es",
    "Italy": "It", "Netherlands": "Nl", "Sweden": "Sv", "Korea": "Ko", "China": "Zh",
    "Taiwan": "Zh", "Hong Kong": "Zh", "Brazil": "Pt", "Portugal": "Pt", "Russia": "Ru",
    "Denmark": "Da", "Finland": "Fi", "Norway": "No", "Poland": "Pl", "Greece": "El",
    "Latin America": "Es", "Mexico": "Es", "Austria": "De", "Ireland": "En", "Israel": "He",
    "Peru": "Es", "Argentina": "Es", "Chile": "Es", "Croatia": "Hr", "Turkey": "Tr",
    "South Africa": "En", "Thailand": "Th", "Czech Republic": "Cs", "Hungary": "Hu",
    "Ukraine": "Uk",
}


def implied_languages(regions: Iterable[str]) -> tuple[str, ...]:
    """The languages releases of ``regions`` are in when their name tags none (see
    :data:`REGION_LANGUAGES`): ``(Japan, USA)`` is Japanese and English."""
    return tuple(dict.fromkeys(REGION_LANGUAGES[region] for region in regions
                               if region in REGION_LANGUAGES))


# "En", "Zh-Hans", and a language of one country: "Pt-BR", "En-US" (No-Intro: QA30 N3, the
# whole tag was lost)
_LANGUAGE = re.compile(r"^[A-Z][a-z](?:-(?:[A-Z][a-z]+|[A-Z]{2}))?$")
# "(Rev 1)", "(Rev 1.1)", "(Rev A)"; and "(REV-A)", "(Rev1)" of other sets. A revision is a
# number or one letter: "(Revenge)" is not one.
_REVISION = re.compile(r"^(?:Rev(?:\s*-\s*|\s*)(\d+(?:\.\d+)*|[A-Z])|PRG\s?(\d))$",
                       re.IGNORECASE)  # (GoodNES' "(PRG1)": the later PRG revision, QA40 F9)
_VERSION = re.compile(r"^v\s?(\d+(?:\.\d+)*[a-z]?)$", re.IGNORECASE)
DISC_NUMBER_TAG = re.compile(r"^(?:(?:Disc|Disk|CD|Tape(?=\s*\d))\s*(\d+|[A-Z])(?:\s*of\s*(\d+))?"
                             r"(?:\s*,?\s+Side\s*([AB]))?|Side\s*([AB]))$", re.IGNORECASE)
# (TOSEC's sides of one disk, "(Side A)", "(Side B)", "(Disk 1 of 2 Side A)": each side is
# a disc of its set, as "(Disc 2)" is — review51d F1, the sides were taken for two versions
# of one game and Side B left off the card. A side is numbered within its disk, disk N's
# sides 2N-1 and 2N: see disc_of. A cassette's, "(Tape 1 of 2 Side A)", "(Tape 2 of 2)", are
# read alike: each tape or side a tape of its set, as a disk's.)
# A disc named after the title or the tags, as sets ripped by hand are (QA33 F33: "Game -
# Disc 2", "Game (USA) - CD2", "Game_Disc2"): each disc was taken for another version of the
# first and left off the card.
# Only after a separator, a hyphen or an underscore, or after the tags: a title that ends in
# words and a number, "Demo Disc 01", "Music CD 1", is a title (review 18 R1).
_TRAILING_DISC = re.compile(
    r"(?:(?<=[)\]])\s*|\s*[-_]\s*)(?:Disc|Disk|CD)[\s_]*(\d+)(?:\s*of\s*(\d+))?\s*$",
    re.IGNORECASE)
_YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)(?:-\d\d(?:-\d\d)?)?$")
_PAREN_FLAGS = {
    "beta": "beta", "proto": "proto", "prototype": "proto", "demo": "demo",
    "sample": "sample", "unl": "unlicensed", "unlicensed": "unlicensed", "pirate": "pirate",
    "hack": "hack", "kiosk": "kiosk", "promo": "promo", "aftermarket": "aftermarket",
    "homebrew": "homebrew", "alt": "alternate",
    # No-Intro's and Redump's longer words for the same editions
    "auto demo": "demo", "tech demo": "demo", "trade demo": "demo", "possible proto": "proto",
    "debug": "debug", "debug version": "debug",
    "pd": "homebrew",  # (GoodTools' "(PD)": public domain, a homebrew release)
}
_BRACKET_FLAGS = {
    "!": "verified", "b": "bad_dump", "h": "hack", "o": "overdump", "t": "trainer",
    "a": "alternate", "f": "fixed", "p": "pirate", "cr": "cracked", "bios": "bios",
    "hack": "hack",
}
FLAGS = frozenset({*_PAREN_FLAGS.values(), *_BRACKET_FLAGS.values()})
"""Every flag a name's tags give (``flag:`` in a query takes these, and ``translation``)."""
PRERELEASE_FLAGS = ("beta", "proto", "demo", "debug", "sample", "kiosk", "promo")
"""The flags of a build before or beside the release (the auto-list's prereleases; each list
of a game's other editions — search's, a record's edition — starts with them)."""
# GoodTools codes with a qualifier: [h1C] (hack 1, copier header), [hI] (intro hack),
# [hM04] (mapper hack), [b1+C], [a2], [o3], [f1_C], [t1+2], [p1]: the lowercase letter decides.
_GOODTOOLS_FLAG = re.compile(r"^(cr|[abfhopt])[0-9A-Z][0-9A-Z+ .,_-]*$")
_GROUP = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


@dataclass(frozen=True)
class ParsedName:
    """What a file name says about the game."""

    title: str
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    revision: str | None = None
    version: str | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    year: str | None = None
    flags: tuple[str, ...] = ()
    translation: str | None = None
    # GoodTools' "[T-…]" (an older or partial translation) where "[T+…]" is the latest one
    translation_superseded: bool = False
    other_tags: tuple[str, ...] = field(default=())
    disc_label: str | None = None  # the name of this disc of a set: see :func:`_disc_label`
    date: str | None = None  # the whole date tag, "1994-03-07" (``year``: its first 4 digits)
    prerelease_number: int | None = None  # "(Beta 6)": 6, "(Proto 2)": 2
    # a side of a disk (TOSEC): its disk, the disks of its set if named, and its side (A 1,
    # B 2); ``disc_number`` is then its place in a set of sided disks (see :func:`disc_of`),
    # which the set's other discs may change (``library/sets.py``: a set mixing sided disks
    # and unsided ones)
    disk_side: tuple[int, int | None, int] | None = None

    @property
    def is_hack(self) -> bool:
        """True for hacks and fan translations."""
        return "hack" in self.flags or self.translation is not None

    @property
    def hack_type(self) -> str | None:
        """``translation``, ``hack`` or None."""
        if self.translation is not None:
            return "translation"
        return "hack" if "hack" in self.flags else None

    @property
    def region(self) -> str | None:
        """The regions as one text (``USA, Europe``), or None."""
        return ", ".join(self.regions) if self.regions else None


def extension_of(filename: str) -> str:
    """The lowercase extension with its dot ('' for none), as ``PurePath.suffix`` gives it
    (string operations: this runs once per file in the scan's hot paths)."""
    dot = filename.rfind(".")
    return filename[dot:].lower() if 0 < dot < len(filename) - 1 else ""


def strip_extension(filename: str) -> str:
    """The name without its last extension (``a.b.sfc`` -> ``a.b``)."""
    if "/" in filename or filename in ("", ".", ".."):
        path = PurePath(filename)
        return path.stem if path.suffix and len(path.suffix) <= 6 else path.name
    suffix = extension_of(filename)  # PurePath's rules, without its cost per scanned file
    return filename[:-len(suffix)] if 0 < len(suffix) <= 6 else filename


@dataclass
class _TagState:
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    revision: str | None = None
    version: str | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    year: str | None = None
    translation: str | None = None
    translation_superseded: bool = False
    disc_label: str | None = None
    date: str | None = None
    prerelease_number: int | None = None
    disk_side: tuple[int, int | None, int] | None = None
    goodtools: list[str] = field(default_factory=list)  # see _GOODTOOLS_COUNTRIES


def parse_filename(filename: str) -> ParsedName:
    """Parse the tags of a ROM file name (with or without its extension)."""
    return _parse(strip_extension(filename), filename)


def parse_name(name: str) -> ParsedName:
    """Parse the tags of a game's name that has no extension (a DAT's game name: nothing
    after a dot is taken for one, as in ``Dr. Mario``)."""
    return _parse(name, name)


def tag_part(name: str) -> str:
    """The part of a name (without its extension) that its tags are read from: from its
    first bracket on ('' for none). Two names with one tag part have the same regions,
    languages, flags, revision, version, translation and other tags (a group cannot start
    in a title that holds no bracket: see ``_GROUP``); :func:`tags_of` reads them once per
    tag part."""
    first = min((i for i in (name.find("("), name.find("[")) if i >= 0), default=-1)
    return name[first:] if first >= 0 else ""


@functools.lru_cache(maxsize=65536)
def tags_of(part: str) -> ParsedName:
    """The tags of a name whose :func:`tag_part` is ``part``, parsed once per distinct part
    (a library's names share a few hundred; its titles are all different). The result's
    ``title`` is not the name's, nor is a disc told only after the tags (`` - Disc 2``)
    without a bracket: use it for the tags alone."""
    return _parse(f"x {part}", part) if part else _NO_TAGS


_NO_TAGS = ParsedName(title="")


def tags_of_file(filename: str) -> ParsedName:
    """``tags_of(tag_part(strip_extension(filename)))`` for a file name (no folder), its
    extension stripped once per distinct part from its first bracket on (a library's file
    names share a few hundred: the auto-list ranks 77k games at 100k)."""
    first = min((i for i in (filename.find("("), filename.find("[")) if i >= 0), default=-1)
    if first < 0:
        return _NO_TAGS
    if filename.rfind(".") < first:  # (no extension after the tags: whatever it strips)
        return tags_of(tag_part(strip_extension(filename)))
    return _tags_of_tail(filename[first:])


@functools.lru_cache(maxsize=65536)
def _tags_of_tail(tail: str) -> ParsedName:
    return tags_of(tag_part(strip_extension(tail)))


_DISC_TAG = re.compile(r"\s*[\(\[](?:(?:disc|disk|cd|tape(?=\s*\d))\s*[^\)\]]*|side\s*[ab])[\)\]]",
                       re.IGNORECASE)


def _trailing_disc(stem: str) -> re.Match[str] | None:
    """The disc named after a name's title or tags (see ``_TRAILING_DISC``), if any."""
    if stem.isascii():  # (an ASCII name without the pattern's words: no search, 6 µs each)
        lowered = stem.lower()
        if "disc" not in lowered and "disk" not in lowered and "cd" not in lowered:
            return None
    trailing = _TRAILING_DISC.search(stem)
    if trailing is not None and (trailing.start() == 0 or int(trailing.group(1)) > 20):
        return None  # (a name that is all disc, "Disc 1"; "Game CD32": no 32nd disc)
    return trailing


# A side's tag and the tag right after it, TOSEC's media label: "(Side A)(Boot)", "(Disk 1
# of 4 Side A)(Program)".
_SIDE_AND_NEXT = re.compile(r"(\((?:(?:disc|disk|cd|tape)\s*\w+(?:\s*of\s*\d+)?\s*,?\s+)?"
                            r"side\s*[ab]\))(\s*\(([^()]*)\))", re.IGNORECASE)


def without_disc_tags(name: str) -> str:
    """A disc's name (no extension) without what names its disc: ``(Disc 2)``, ``[CD 2]``,
    `` - Disc 2``, and a side's media label, ``(Side A)(Boot)`` (a set's title and playlist
    name: the first side's label named the set, review52e F7; a label of Redump's discs,
    ``(Disc 1) (Leon-hen)``, stays, as it always has)."""
    trailing = _trailing_disc(name)
    if trailing is not None:
        name = name[:trailing.start()].rstrip(" _-")
    if "side" in name.lower():
        name = _SIDE_AND_NEXT.sub(lambda side: side.group(1) if _disc_label(
            side.group(3).strip()) is not None else side.group(0), name)
    return _DISC_TAG.sub("", name).strip()


@functools.lru_cache(maxsize=1024)  # (SQL reads it several times a row: see reading_sql)
def name_title(name: str | None) -> str | None:
    """The title of a game's name that has no extension, its tags left out, as
    :func:`parse_name` gives it (``Super Mario Bros. (World)`` -> ``Super Mario Bros.``)
    without reading the tags: what the search index holds of a catalog title, as a file's
    title is its name's (``rr_title`` in SQL). None for None."""
    if name is None:
        return None
    return _title_of(name, name)[0]


def _title_of(stem: str, filename: str) -> tuple[str, str, re.Match[str] | None,
                                                 re.Match[str] | None]:
    """The title of ``stem`` (a name without its extension), the stem without a disc named
    after its title or tags, that disc (``_TRAILING_DISC``) and its first tag (``_GROUP``)."""
    trailing = _trailing_disc(stem)
    if trailing is not None:
        stem = stem[:trailing.start()].rstrip(" _-")
    first = _GROUP.search(stem)
    title = (stem[: first.start()] if first else stem).strip(" _-")
    if not title:
        title = stem.strip() or filename
    return title, stem, trailing, first


def _parse(stem: str, filename: str) -> ParsedName:
    title, stem, trailing, first = _title_of(stem, filename)
    state = _TagState()
    after_disc = False  # the tag before this one is the disc tag
    for paren, bracket in _GROUP.findall(stem[first.start():] if first else ""):
        if bracket:
            _bracket_tag(bracket.strip(), state)
        elif after_disc and (label := _disc_label(paren.strip())) is not None:
            state.disc_label = label
        else:
            _paren_tag(paren.strip(), state)
        after_disc = not bracket and DISC_NUMBER_TAG.match(paren.strip()) is not None
    _goodtools_countries(state)
    if trailing is not None and state.disc_number is None:
        state.disc_number = int(trailing.group(1))
        if trailing.group(2):
            state.disc_total = int(trailing.group(2))
    return ParsedName(
        title=title,
        regions=tuple(dict.fromkeys(state.regions)),
        languages=tuple(dict.fromkeys(state.languages)),
        revision=state.revision,
        version=state.version,
        disc_number=state.disc_number,
        disc_total=state.disc_total,
        year=state.year,
        flags=tuple(dict.fromkeys(state.flags)),
        translation=state.translation,
        translation_superseded=state.translation_superseded,
        other_tags=tuple(state.other),
        disc_label=state.disc_label,
        date=state.date,
        prerelease_number=state.prerelease_number,
        disk_side=state.disk_side,
    )


# A tag right after the disc tag that names an edition of the whole set, not this disc:
# Redump's ``(Disc 1) (PSone Books)``, ``(Disc 2) (Shokai Genteiban)``, ``(Disc 3) (Premium
# Box)``, ``(Major Wave)``, ``(Nescafe-ban)`` (版: an edition), whose retail set is another set,
# unlike ``(Disc 2) (Claire-hen)``. A tag naming a disc (``(Premium Disc)``, ``(Premium
# CD-ROM)``) is that disc's label all the same.
EDITION_WORDS = re.compile(
    r"\b(?:books|best|gentei\w*|\w{3,}-?ban|edition|limited|deluxe|greatest hits|platinum"
    r"|essentials|major wave|superlite|reprint|box|pack|package|set|included|edc|debug"
    r"|version \d[\w.]*)\b", re.IGNORECASE)
_DISC_WORDS = re.compile(r"\b(?:disc|disk|cd|cd-rom|dvd)\b", re.IGNORECASE)


def _disc_label(tag: str) -> str | None:
    """``tag`` when, right after a disc tag, it is that disc's own name (Redump: ``Biohazard 2
    (Japan) (Disc 1) (Leon-hen)``, ``(Disc 2) (Claire-hen)``; TOSEC's media label): a tag no
    other kind claims (a region, revision, version, flag, year) and none naming an edition
    (a demo word is the disc's own name here: "(Disc 2) (Sumaru TV Special Preview Disc)",
    "(Disc 2) (Legaia Densetsu Trial Version)": review 19 R1)
    of the set. A name's languages come before its disc tag in every convention, so a tag
    here that reads as languages (``(Disc 2) (In)``) is a label too. None otherwise: the
    tag is read as anywhere else."""
    if not tag or _REVISION.match(tag) or _VERSION.match(tag) or DISC_NUMBER_TAG.match(tag) \
            or _YEAR.match(tag) or re.sub(r"\s*\d+$", "", tag).lower() in _PAREN_FLAGS \
            or all(REGIONS.get(part.strip().lower()) for part in tag.split(",")):
        return None
    if EDITION_WORDS.search(tag) and not _DISC_WORDS.search(tag):
        return None
    return tag


# Language codes that are also a region's short name: No-Intro writes the language "(Fr)",
# "(De)", "(Es)", "(It)" (its regions are whole words, "(France)"), TOSEC "(fr)" (its
# countries upper case, "(FR)"); GoodTools' "(Eu)", "(Jp)" stay regions.
_LANGUAGE_NOT_REGION = frozenset({"fr", "de", "es", "it"})


def _languages_only(parts: list[str]) -> bool:
    """True when every part is written as a language code, and those a region's short name
    could be too are languages by their case (``De``, ``de``; ``DE`` is Germany)."""
    return all(_LANGUAGE.match(part) or (len(part) == 2 and part.isalpha()
                                         and part.islower())  # TOSEC: "(en)", "(de)"
               for part in parts) and all(part.lower() not in REGIONS
                                          or part.lower() in _LANGUAGE_NOT_REGION
                                          for part in parts)


def _paren_tag(tag: str, state: _TagState, goodtools: bool = True) -> None:
    if goodtools and tag in _GOODTOOLS_COUNTRIES:
        state.goodtools.append(tag)  # (read once the name's other tags are: see below)
        return
    parts = [part.strip() for part in tag.split(",")]
    if tag and _languages_only(parts):  # (QA28 F2: "(De)" was Germany, no language)
        state.languages += [part[0].upper() + part[1:] for part in parts]
        return
    regions = [REGIONS.get(part.lower()) for part in parts]
    if not all(regions) and _GOODTOOLS_REGIONS.match(tag):  # ("EU" stays Europe)
        regions = [REGIONS[letter.lower()] for letter in tag]
    if tag and all(regions):
        state.regions += [region for region in regions if region]
        return
    if tag and all(_LANGUAGE.match(part) for part in parts):
        state.languages += parts
        return
    if match := _REVISION.match(tag):
        state.revision = match.group(1) or match.group(2)
    elif match := _VERSION.match(tag):
        state.version = match.group(1)
    elif match := DISC_NUMBER_TAG.match(tag):
        if match.group(4) is not None and state.disc_number is not None:
            side = ord(match.group(4).upper()) - 64  # ("(Disk 2) (Side A)": disk 2's side)
            state.disk_side = (state.disc_number, state.disc_total, side)
            state.disc_number = 2 * state.disc_number - 2 + side
            state.disc_total = state.disc_total + 1 if state.disc_total else None
        elif state.disk_side is not None and state.disk_side[0:2] == (1, None) \
                and match.group(3) is None and match.group(4) is None:
            # ("(Side B)(Disk 2)": a side named before its disk, disk 2's side)
            disk, total = disc_of(match)
            side = state.disk_side[2]
            state.disk_side = (disk, total, side)
            state.disc_number = 2 * disk - 2 + side
            state.disc_total = total + 1 if total else None
        else:
            state.disc_number, state.disc_total = disc_of(match)
            state.disk_side = disk_side_of(match)
    elif _YEAR.match(tag):
        state.year, state.date = tag[:4], tag
    elif (flag := paren_flag(tag)) is not None:
        state.flags.append(flag)
        if flag in _NUMBERED_PRERELEASES and (number := _TAG_NUMBER.search(tag)):
            state.prerelease_number = int(number[1])
    else:
        state.other.append(tag)


def disc_of(match: re.Match[str]) -> tuple[int, int | None]:
    """The disc number and total of a :data:`DISC_NUMBER_TAG` match: ``(Disc 2 of 3)`` is
    disc 2 of 3, ``(Disc B)`` disc 2; a side of a disk (TOSEC) is a disc of its own, disk
    N's sides 2N-1 and 2N (``(Side B)`` disc 2, ``(Disk 2 of 2 Side A)`` disc 3), as in a
    set whose disks all have two sides (``library/sets.py`` numbers a set that mixes sided
    and unsided disks by its discs' places). The total of a side of one of M disks is the
    least the set may have, M + 1 (this disk's two sides, each other disk at least one
    place): a set of one sided disk and one unsided has 3 discs, not 4 (review52e F1)."""
    number, total, side, alone = match.groups()
    if alone is not None:
        return ord(alone.upper()) - 64, None
    disc = int(number) if number.isdigit() else ord(number.upper()) - 64
    if side is None:
        return disc, int(total) if total else None
    return 2 * disc - 2 + ord(side.upper()) - 64, int(total) + 1 if total else None


def disk_side_of(match: re.Match[str]) -> tuple[int, int | None, int] | None:
    """The disk, the disks of its set if named and the side (A 1, B 2) of a
    :data:`DISC_NUMBER_TAG` match that names a side: ``(Side B)`` (1, None, 2), ``(Disk 2 of
    3 Side A)`` (2, 3, 1); None for a disc without sides."""
    number, total, side, alone = match.groups()
    if alone is not None:
        return 1, None, ord(alone.upper()) - 64
    if side is None:
        return None
    disk = int(number) if number.isdigit() else ord(number.upper()) - 64
    return disk, int(total) if total else None, ord(side.upper()) - 64


_NUMBERED_PRERELEASES = frozenset({"beta", "proto", "demo", "sample"})
_TAG_NUMBER = re.compile(r"\s(\d+)$")


# Redump's words for a demo or trial disc besides "Demo": "(Taikenban)" (体験版, a trial
# version), "(Otameshi Disc)", "(Trial Edition)", "(Playable Game Preview)", "(Demo Movie)",
# "(Preview Edition by Namco)" (QA37 F8: deployed as the game, a full release left out).
_DEMO_WORDS = re.compile(r"\b(?:demo|taikenban|otameshi|trial (?:edition|version)|previews?"
                         # (in-store, 店頭, and playable samplers: QA71 F2)
                         r"|tentou|test drive disc|sampler(?: cd)?)\b", re.IGNORECASE)


def paren_flag(tag: str) -> str | None:
    """The flag a parenthesised tag names ("(Beta 2)": beta), or None."""
    flag = _PAREN_FLAGS.get(re.sub(r"\s*\d+$", "", tag).lower())
    return flag if flag is not None else "demo" if _DEMO_WORDS.search(tag) else None


# GoodTools' regions run together: "(JU)" Japan and USA, "(UE)", "(JUE)" (QA37 F9).
_GOODTOOLS_REGIONS = re.compile(r"^(?!.*(.).*\1)[JUE]{2,3}$")
# GoodTools' other country codes, as its GoodCodes.txt lists them (written exactly so, in
# this case): "(F)" France, "(G)" Germany, "(NL)" Netherlands, "(Sw)" Sweden… ("(U)", "(E)",
# "(J)", "(W)", "(UK)" are in REGIONS already). Not its "(B)" (non USA: no one region), "(1)"
# (Japan & Korea) and "(4)" (USA & Brazil), which are also what a second download of a file
# is named ("Game (1).sfc"), "(FC)" (French Canadian) nor "(D)" (Dutch, or Deutschland?).
# No-Intro, Redump and TOSEC name a region in every name, in words: one of these is a
# region only in a name that has no other (QA round 37: "Goodie Fr (F).smc" had none); in
# one that has, it is read as any other tag ("(Sw)": No-Intro's Swahili).
_GOODTOOLS_COUNTRIES = {
    "A": "Australia", "C": "China", "F": "France", "G": "Germany", "I": "Italy",
    "K": "Korea", "S": "Spain", "NL": "Netherlands", "Sw": "Sweden", "FN": "Finland",
    "GR": "Greece", "HK": "Hong Kong", "Unk": "Unknown",
}


def _goodtools_countries(state: _TagState) -> None:
    """Read the GoodTools country codes held back by :func:`_paren_tag`: the name's regions
    when it names none otherwise, else each as any other tag."""
    codes, state.goodtools = state.goodtools, []
    if not state.regions:
        state.regions += [_GOODTOOLS_COUNTRIES[code] for code in codes]
        return
    for code in codes:
        _paren_tag(code, state, goodtools=False)


def _bracket_tag(tag: str, state: _TagState) -> None:
    lowered = tag.lower()
    if lowered.startswith(("t+", "t-")) and not tag[2:3].isdigit():  # ("[T-4507G]": a Sega
        state.translation = tag[2:].strip() or "unknown"            # serial, review 100 F5)
        state.translation_superseded = lowered.startswith("t-")
        return
    key = re.sub(r"\d+$", "", lowered).strip()
    if (match := DISC_NUMBER_TAG.match(tag)) is not None and state.disc_number is None:
        _paren_tag(tag, state)  # "[Disc 2]": a disc, as "(Disc 2)" (QA33 F33)
    elif key in _BRACKET_FLAGS:
        state.flags.append(_BRACKET_FLAGS[key])
    elif match := _GOODTOOLS_FLAG.match(tag):
        state.flags.append(_BRACKET_FLAGS[match.group(1)])
    else:
        state.other.append(f"[{tag}]")


_SOME_REGIONS = ("USA", "Europe", "Japan", "World", "UK", "Germany", "France", "Korea")


def region_name(text: str) -> str:
    """A region as file names spell it (``us`` -> ``USA``): the names the auto-list compares
    with a game's regions; InputError naming one the file-name tags do not know."""
    found = REGIONS.get(text.strip().lower())
    if found is None:
        raise InputError(f"region {text.strip()!r} is not one file names use; known regions "
                         f"include {', '.join(_SOME_REGIONS)} ({len(set(REGIONS.values()))} "
                         "in all)")
    return found


_LANGUAGE_CODE = re.compile(r"([A-Za-z]{2})(-[A-Za-z]{2,8})?")
# The languages' two-letter codes (ISO 639-1), which No-Intro, Redump and TOSEC names use: a
# code outside them is refused, as an unknown region is (QA180 F2: `lang:xx` and
# `--languages xx` were taken and matched nothing).
_ISO_639_1 = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
LANGUAGE_CODES = frozenset(_ISO_639_1.split())


def language_code(text: str) -> str:
    """A language as file names spell it (``en`` -> ``En``, ``zh-hans`` -> ``Zh-Hans``):
    the codes the auto-list compares with a game's languages; InputError for anything else
    (a name such as ``English`` never matched any game)."""
    code = _LANGUAGE_CODE.fullmatch(text.strip())
    if code is None or code[1].lower() not in LANGUAGE_CODES:
        raise InputError(f"language {text.strip()!r} is not a code file names use: a "
                         "language's two letters (ISO 639-1), as in (En,Fr,De), e.g. En, Fr, "
                         "De, Es, It, Ja, Zh-Hans")
    suffix = code[2] or ""  # "-BR" a country (upper case), "-Hans" a script (title case)
    return code[1].capitalize() + (suffix.upper() if len(suffix) == 3 else suffix.title())


def revision_rank(revision: str | None) -> tuple[int, float, str]:
    """Later revisions rank higher: numbers by value, letters in order (Rev A < Rev C)."""
    if not revision:
        return (0, 0.0, "")
    try:
        return (1, float(revision), revision)
    except ValueError:
        if len(revision) == 1 and revision.isalpha():
            return (1, float(ord(revision.upper()) - ord("A") + 1), revision)
        return (1, 0.0, revision)


# A fan translation's language as file names write it ("[T+Eng]", "[T-Fre by X]") -> its code.
_TRANSLATED = {"eng": "En", "fre": "Fr", "fra": "Fr", "ger": "De", "deu": "De", "spa": "Es",
               "esp": "Es", "ita": "It", "por": "Pt", "bra": "Pt", "rus": "Ru", "chi": "Zh",
               "kor": "Ko", "jpn": "Ja", "jap": "Ja", "swe": "Sv", "dut": "Nl", "pol": "Pl",
               "gre": "El", "tur": "Tr", "ara": "Ar"}


@functools.lru_cache(maxsize=256)
def translation_language(text: str | None) -> str | None:
    """The language code a fan translation's tag names (``Eng`` -> ``En``), or None."""
    word = re.match(r"[A-Za-z]+", text or "")
    if word is None:
        return None
    code = word[0].lower()
    return code.capitalize() if len(code) == 2 else _TRANSLATED.get(code)
