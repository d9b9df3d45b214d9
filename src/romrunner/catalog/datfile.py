"""Streaming readers for clrmamepro text DATs and Logiqx XML DATs.

Both yield the DAT header first, then one :class:`DatGame` at a time, so memory stays
bounded by the largest game, not the file. Malformed lines are reported, not fatal.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.errors import InputError
from romrunner.textnorm import normalised_hex

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\()|(\))|([^\s()"]+)')


@dataclass
class DatRom:
    """One file of a catalog game."""

    name: str
    size: int | None = None
    crc32: str | None = None
    md5: str | None = None
    sha1: str | None = None
    status: str | None = None


@dataclass
class DatGame:
    """One game of a DAT."""

    name: str
    description: str | None = None
    region: str | None = None
    serial: str | None = None
    year: str | None = None
    manufacturer: str | None = None
    clone_of: str | None = None
    roms: list[DatRom] = field(default_factory=list)


@dataclass
class DatHeader:
    """The DAT's own description."""

    name: str
    description: str | None = None
    version: str | None = None
    comment: str | None = None
    header_skipper: str | None = None

    @property
    def headered(self) -> bool:
        """True when the DAT lists hashes of files with their headers."""
        text = " ".join(filter(None, [self.comment, self.description])).lower()
        return "headered" in text and "headerless" not in text


@dataclass
class DatReadResult:
    """Header, a games iterator and the problems met so far."""

    format: str
    header: DatHeader
    games: Iterator[DatGame]
    problems: list[str]


def read_dat(path: Path) -> DatReadResult:
    """Open a DAT of either format (decided by its first bytes)."""
    try:
        with path.open("rb") as probe:
            start = probe.read(512).lstrip()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    if start.startswith(b"<?xml") or start.startswith(b"<datafile") or \
            start.startswith(b"<!DOCTYPE"):
        return _read_logiqx(path)
    if start.lower().startswith(b"clrmamepro") or start.startswith(b"game"):
        return _read_clrmamepro(path)
    raise InputError(f"{path}: not a clrmamepro or Logiqx XML DAT")


# -- clrmamepro ---------------------------------------------------------------------
def _tokens(path: Path, problems: list[str]) -> Iterator[tuple[int, str, bool]]:
    """(line number, token, is_quoted) for each token; '(' and ')' are bare tokens."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if line.count('"') % 2:
                problems.append(f"{path.name} line {number}: unbalanced quote; line skipped")
                continue
            for quoted, opened, closed, bare in _TOKEN.findall(line):
                if opened:
                    yield number, "(", False
                elif closed:
                    yield number, ")", False
                elif bare:
                    yield number, bare, False
                else:
                    yield number, quoted, True


def _blocks(path: Path, problems: list[str]) -> Iterator[tuple[str, list[object]]]:
    """Top-level ``keyword ( ... )`` blocks as (keyword, flat list of key/value/sub-blocks)."""
    stack: list[list[object]] = []
    keyword: str | None = None
    for number, token, quoted in _tokens(path, problems):
        if token == "(" and not quoted:
            block: list[object] = []
            if stack:
                stack[-1].append(block)
            stack.append(block)
            continue
        if token == ")" and not quoted:
            if not stack:
                problems.append(f"{path.name} line {number}: unexpected ')'; ignored")
                continue
            finished = stack.pop()
            if not stack and keyword is not None:
                yield keyword, finished
                keyword = None
            continue
        if not stack:
            keyword = token.lower()
            continue
        stack[-1].append(token)
    if stack:
        problems.append(f"{path.name}: file ends inside a '(' block; last block dropped")


def _pairs(block: list[object]) -> tuple[dict[str, str], list[tuple[str, list[object]]]]:
    """Split a block into key -> value and (key, sub-block) lists."""
    values: dict[str, str] = {}
    children: list[tuple[str, list[object]]] = []
    index = 0
    while index < len(block) - 1:
        key, value = block[index], block[index + 1]
        if isinstance(key, str) and isinstance(value, list):
            children.append((key.lower(), value))
        elif isinstance(key, str) and isinstance(value, str):
            values.setdefault(key.lower(), value)
        index += 2
    return values, children




def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _rom(values: dict[str, str]) -> DatRom:
    return DatRom(name=values.get("name", ""), size=_int(values.get("size")),
                  crc32=normalised_hex("crc32", values.get("crc")),
                  md5=normalised_hex("md5", values.get("md5")),
                  sha1=normalised_hex("sha1", values.get("sha1")), status=values.get("status") or
                  values.get("flags"))


def _read_clrmamepro(path: Path) -> DatReadResult:
    problems: list[str] = []
    blocks = _blocks(path, problems)
    header = DatHeader(name=path.stem)
    first: tuple[str, list[object]] | None = None
    for keyword, block in blocks:
        if keyword == "clrmamepro":
            values, _ = _pairs(block)
            header = DatHeader(values.get("name", path.stem), values.get("description"),
                               values.get("version"), values.get("comment"),
                               values.get("header"))
        else:
            first = (keyword, block)
        break

    def games() -> Iterator[DatGame]:
        pending = [first] if first else []
        for keyword, block in _chain(pending, blocks):
            if keyword not in {"game", "machine", "resource"}:
                continue
            values, children = _pairs(block)
            name = values.get("name")
            if not name:
                problems.append(f"{path.name}: a game block without a name; skipped")
                continue
            game = DatGame(name=name, description=values.get("description"),
                           region=values.get("region"), serial=values.get("serial"),
                           year=values.get("year") or values.get("releaseyear"),
                           manufacturer=values.get("manufacturer"),
                           clone_of=values.get("cloneof"))
            for child_key, child in children:
                if child_key in {"rom", "disk"}:
                    rom_values, _ = _pairs(child)
                    game.roms.append(_rom(rom_values))
            yield game

    return DatReadResult("clrmamepro", header, games(), problems)


def read_sectioned_roms(path: Path) -> tuple[DatHeader, list[tuple[str, DatRom]], list[str]]:
    """Every ROM of a clrmamepro DAT with the ``comment`` that precedes it inside its game.

    libretro's System.dat is one game whose ROMs are sorted into systems by comments
    (``comment "Sony - PlayStation"``); a ROM before any comment gets its game's name.
    """
    result = read_dat(path)
    if result.format != "clrmamepro":
        raise InputError(f"{path}: a System.dat-style DAT must be in clrmamepro format")
    problems: list[str] = []  # the pass below reads the whole file again
    roms: list[tuple[str, DatRom]] = []
    for keyword, block in _blocks(path, problems):
        if keyword not in {"game", "machine", "resource"}:
            continue
        section = _pairs(block)[0].get("name", "")
        for key, value in zip(block[::2], block[1::2], strict=False):
            if key == "comment" and isinstance(value, str):
                section = value
            elif isinstance(key, str) and key.lower() == "rom" and isinstance(value, list):
                roms.append((section, _rom(_pairs(value)[0])))
    return result.header, roms, problems


def _chain(first: list[tuple[str, list[object]]],
           rest: Iterator[tuple[str, list[object]]]) -> Iterator[tuple[str, list[object]]]:
    yield from first
    yield from rest


# -- Logiqx XML ---------------------------------------------------------------------
def _read_logiqx(path: Path) -> DatReadResult:
    problems: list[str] = []
    try:
        events = ET.iterparse(path, events=("start", "end"))
        header = DatHeader(name=path.stem)
        root: ET.Element | None = None
        for event, element in events:
            if event == "start" and root is None:
                root = element
            if event == "end" and element.tag == "header":
                clr = element.find("clrmamepro")
                header = DatHeader(
                    element.findtext("name") or path.stem, element.findtext("description"),
                    element.findtext("version"), element.findtext("comment"),
                    clr.get("header") if clr is not None else None)
                break
            if event == "start" and element.tag in {"game", "machine"}:
                break
    except ET.ParseError as exc:
        raise InputError(f"{path}: malformed XML ({exc})") from exc

    def games() -> Iterator[DatGame]:
        try:
            for event, element in events:
                if event != "end" or element.tag not in {"game", "machine"}:
                    continue
                name = element.get("name")
                if not name:
                    problems.append(f"{path.name}: a game element without a name; skipped")
                else:
                    game = DatGame(name=name, description=element.findtext("description"),
                                   year=element.findtext("year"),
                                   manufacturer=element.findtext("manufacturer"),
                                   clone_of=element.get("cloneof"))
                    for rom in element.iter("rom"):
                        game.roms.append(_rom({k: v for k, v in rom.attrib.items()}))
                    yield game
                element.clear()
                if root is not None:
                    root.clear()
        except ET.ParseError as exc:
            problems.append(f"{path.name}: malformed XML ({exc}); import stopped there")

    return DatReadResult("logiqx", header, games(), problems)
