"""Streaming readers for clrmamepro text DATs and Logiqx XML DATs.

Both yield the DAT header first, then one :class:`DatGame` at a time, so memory stays
bounded by the largest game, not the file. Every read has a bound: a line (clrmamepro), a
run of XML between two tags (Logiqx: every tag with its attributes, every text) and a game
block are limited, and a file that exceeds one is refused with an error naming the line.

A DAT that does not parse to its end (truncated, an unbalanced quote or parenthesis, broken
XML) raises :class:`InputError` from the games iterator: the importer runs inside one
transaction, so such a file changes nothing. Problems that do not stop the parse (a game
without a name, a ROM value no file can have: ``size abc``, ``size -5``, ``crc ZZZZ``, dropped
from its entry) are collected in ``problems``, one line each.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from romrunner.errors import InputError
from romrunner.regularfile import open_regular
from romrunner.textnorm import normalised_hex

MAX_LINE_CHARS = 1 << 20        # a clrmamepro line (real DATs: a few hundred characters)
MAX_XML_RUN = 1 << 20           # bytes between two '<' of a Logiqx DAT: one tag or one text
MAX_BLOCK_TOKENS = 200_000      # tokens of one top-level block (System.dat: ~6,500)
MAX_BLOCK_CHARS = 16 << 20      # characters of one top-level block
MAX_ROM_SIZE = (1 << 63) - 1    # what SQLite's INTEGER holds
MAX_VALUE_PROBLEMS = 1000       # dropped ROM values listed by line (all of them counted)
_READ_CHUNK = 1 << 16

# A quoted value is written as an "unrolled loop" (one character class repeated), which the
# regex engine matches without a backtracking entry per character.
_TOKEN = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"|(\()|(\))|([^\s()"]+)|(")')


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
    # An arcade set whose ROMs it shares with another set that is no parent of it: the BIOS
    # set it runs with (MAME's ``romof="neogeo"``; a clone's is its parent's name)
    rom_of: str | None = None
    is_bios: bool = False  # a BIOS set (``isbios="yes"``, clrmamepro's ``resource``)


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


class Problems(list[str]):
    """The problems of one read, one line each; ROM values dropped are counted in
    ``dropped_values`` and the first :data:`MAX_VALUE_PROBLEMS` of them listed (a damaged
    300,000-game DAT must not hold a line per entry in memory)."""

    dropped_values = 0

    def value_dropped(self, line: str) -> None:
        """Count a dropped ROM value and keep its line while few are kept."""
        self.dropped_values += 1
        if self.dropped_values <= MAX_VALUE_PROBLEMS:
            self.append(line)


@dataclass
class DatReadResult:
    """Header, a games iterator and the problems met so far."""

    format: str
    header: DatHeader
    games: Iterator[DatGame]
    problems: Problems


def read_dat(path: Path) -> DatReadResult:
    """Open a DAT of either format (decided by its first bytes); regular files only."""
    with open_regular(path) as probe:
        try:
            start = probe.read(512).lstrip()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    start = start.removeprefix(codecs.BOM_UTF8)
    if not start.strip():  # (qa204 F5: "not a … DAT" said nothing of why)
        raise InputError(f"{path}: an empty file, not a DAT (a download that failed?)")
    if _an_html_page(start):
        raise InputError(f"{path}: an HTML page, not a DAT (a download or login page saved "
                         "instead of the file?)")
    if start.startswith(b"<?xml") or start.startswith(b"<datafile") or \
            start.startswith(b"<!DOCTYPE"):
        return _read_logiqx(path)
    if start.lower().startswith(b"clrmamepro") or start.startswith(b"game"):
        return _read_clrmamepro(path)
    raise InputError(f"{path}: not a clrmamepro or Logiqx XML DAT{_what_it_is(start)}")


def _an_html_page(start: bytes) -> bool:
    """Whether a file's first bytes are a web page's (qa173 F6: a login page saved as the
    .dat was "a DAT that lists no game"): an HTML doctype or ``<html>``, after an XML
    declaration or comments too; a Logiqx DAT's ``<datafile>`` never is one."""
    head = start.lower()
    if b"<datafile" in head:
        return False
    return head.startswith((b"<!doctype html", b"<html", b"<head")) or \
        (head.startswith((b"<?xml", b"<!--")) and (b"<!doctype html" in head or b"<html" in head))


def _what_it_is(start: bytes) -> str:
    """What a file that is no DAT this reader reads looks like, when its first bytes say
    (QA146 F9: No-Intro's own download, a zip of the DAT, was "not a … DAT")."""
    if start.startswith(b"PK\x03\x04"):
        return " but a zip archive: extract the .dat inside it and import that"
    if start.startswith(b"\x1f\x8b"):
        return " but a gzip-compressed file: decompress it (gunzip) and import the .dat"
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return " but UTF-16 text: save it as UTF-8 and import it again"
    if start.startswith(b"7z\xbc\xaf\x27\x1c"):
        return " but a 7z archive: extract the .dat inside it and import that"
    return ""


# -- clrmamepro ---------------------------------------------------------------------
def _lines(path: Path, problems: Problems | None = None) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, each read with a bound on its length (any line end:
    ``\n``, ``\r\n``, a Mac's ``\r``); the first line that is not UTF-8 said in ``problems``
    (its bytes are read as Windows-1252: see :func:`_windows_1252`)."""
    with open_regular(path) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape")
        number = 0
        while True:
            try:
                line = handle.readline(MAX_LINE_CHARS + 1)
            except OSError as exc:
                raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise InputError(f"{path}: line {number} is longer than "
                                 f"{MAX_LINE_CHARS:,} characters; not a DAT this reader accepts")
            if problems is not None and _ESCAPED_BYTE.search(line):
                read = _ESCAPED_BYTE.sub(_windows_1252, line).strip()
                problems.append(
                    f"line {number} is not UTF-8: its bytes were read as Windows-1252, as older "
                    f"DAT tools wrote them (`{read[:80]}`); if its names look wrong, save the "
                    "DAT as UTF-8 and import it again")
                problems = None  # (said once: qa204 F4, a DOS DAT's names changed unsaid)
            yield number, _ESCAPED_BYTE.sub(_windows_1252, line)


# A byte that is not UTF-8, as ``surrogateescape`` reads it.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _windows_1252(match: re.Match[str]) -> str:
    """A byte that is not UTF-8 as older DAT tools meant it: Windows-1252 (Latin-1 for the
    five bytes it leaves undefined), as disc sheets are read (QA95 F5: "Pokémon" in Latin-1
    was stored as "Pok\ufffdmon"); the line's UTF-8 characters stay as they are."""
    byte = bytes([ord(match.group()) - 0xDC00])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


def _tokens(path: Path, problems: Problems | None = None
            ) -> Iterator[tuple[int, str, bool]]:
    """(line number, token, is_quoted) for each token; '(' and ')' are bare tokens."""
    for number, line in _lines(path, problems):
        for match in _TOKEN.finditer(line):
            quoted, opened, closed, bare, stray = match.groups()
            if stray:
                raise InputError(f"{path}: line {number}: unbalanced quote; "
                                 "the file is damaged or truncated")
            if opened:
                yield number, "(", False
            elif closed:
                yield number, ")", False
            elif bare:
                yield number, bare, False
            else:
                yield number, quoted, True


def _blocks(path: Path, problems: Problems | None = None) -> Iterator[tuple[str, list[object]]]:
    """Top-level ``keyword ( ... )`` blocks as (keyword, flat list of key/value/sub-blocks)."""
    stack: list[list[object]] = []
    keyword: str | None = None
    tokens = chars = 0
    opened_at = keyword_at = 0
    for number, token, quoted in _tokens(path, problems):
        if token == "(" and not quoted:
            block: list[object] = []
            if stack:
                stack[-1].append(block)
            else:
                tokens = chars = 0
                opened_at = number
            stack.append(block)
            continue
        if token == ")" and not quoted:
            if not stack:
                raise InputError(f"{path}: line {number}: ')' closes no block; "
                                 "the file is damaged")
            finished = stack.pop()
            if not stack and keyword is not None:
                yield keyword, finished
                keyword = None
            continue
        if not stack:
            keyword, keyword_at = token.lower(), number
            continue
        tokens += 1
        chars += len(token)
        if tokens > MAX_BLOCK_TOKENS or chars > MAX_BLOCK_CHARS:
            raise InputError(f"{path}: the block opened on line {opened_at} is larger than "
                             "any real DAT entry; not a DAT this reader accepts")
        stack[-1].append(token)
    if stack:
        raise InputError(f"{path}: ends inside the block opened on line {opened_at}; "
                         "the file is truncated or has an unbalanced '('")
    if keyword is not None:
        raise InputError(f"{path}: ends after '{keyword}' on line {keyword_at} with no block; "
                         "the file is truncated")


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


def _size(value: str | None) -> tuple[int | None, str | None]:
    """A ROM size and, when the DAT gives one no file can have (not a whole number, negative,
    beyond what SQLite holds), why it is dropped."""
    if value is None or not value.strip():
        return None, None
    try:
        size = int(value)
    except ValueError:
        return None, f"size {value[:40]!r} is not a number"
    if size < 0 or size > MAX_ROM_SIZE:
        return None, f"size {value[:40]} is not a possible file size"
    return size, None


_A_HASH = {"crc32": "a CRC32", "md5": "an MD5", "sha1": "a SHA1"}


def _hash(kind: str, key: str, values: dict[str, str], bad: list[str]) -> str | None:
    """The ``kind`` hash under ``key``; a value that is not one is noted in ``bad``."""
    value = values.get(key)
    if value is None or not value.strip():
        return None
    digest = normalised_hex(kind, value)
    if digest is None:
        bad.append(f"{key} {value[:72]!r} is not {_A_HASH[kind]}")
    return digest


def _rom(values: dict[str, str]) -> tuple[DatRom, list[str]]:
    """One ROM entry and the values of it dropped as no file can have them."""
    size, bad_size = _size(values.get("size"))
    bad = [bad_size] if bad_size else []
    rom = DatRom(name=values.get("name", ""), size=size,
                 crc32=_hash("crc32", "crc", values, bad),
                 md5=_hash("md5", "md5", values, bad),
                 sha1=_hash("sha1", "sha1", values, bad),
                 status=values.get("status") or values.get("flags"))
    return rom, bad


# The reader's version, stored with each catalog it reads (``catalog_sources.reader``):
# raised whenever the reader learns something a catalog keeps (2: an arcade set's `romof` and
# BIOS sets, a set's `<disk>` as its CHD), so that a catalog an earlier reader read is read
# again at its next import — the same file is not "unchanged" then (QA60 F2, F3) — and what
# it may lack is not judged meanwhile (QA60 F1).
READER_VERSION = 4  # (3: a `baddump` disk is a disk: review 31 R1; 4: a game listed once
# per dump, one ROM each, is its dumps' alternatives: review 122 F1)
# The first reader whose catalogs hold what judging a set incomplete needs (its BIOS set, by
# `romof`): a catalog read before is not judged until read again; one read by a later reader
# than it but an earlier than READER_VERSION is (review 32 R4: raising the version silenced
# every catalog's judgement, said by no migration).
JUDGED_FROM_READER = 2

DISK = "disk"
"""The status a set's CHD (a DAT's ``disk``) is stored with: known to the set (its folder on a
card, its name), but no ROM of the set's zip — as a ``nodump`` ROM, no set lacks it (the CHD
is a file of its own: QA59 F1, every CHD set was "incomplete")."""


def disk_status(status: str | None) -> str:
    """The status a set's ``<disk>`` is stored with: ``disk`` whatever its dump status (a
    ``baddump`` disk is one MAME still needs: review 31 R1), but ``nodump`` (none exists)."""
    return "nodump" if (status or "").lower() == "nodump" else DISK


def _entry_rom(game: str, values: dict[str, str], problems: Problems) -> DatRom:
    """:func:`_rom`; a bad value (``size abc``, ``size -5``, ``crc ZZZZ``) is dropped and
    reported in ``problems`` naming the game, the ROM and the value: the entry is imported
    without it (one odd entry does not cost the whole catalog, and no file matches a value
    no file can have)."""
    rom, bad = _rom(values)
    for reason in bad:
        problems.value_dropped(f"game {game!r}, rom {rom.name!r}: {reason}; "
                               "imported without it")
    return rom


def _read_clrmamepro(path: Path) -> DatReadResult:
    problems = Problems()
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
        last: str | None = None
        for keyword, block in _chain(pending, blocks):
            if keyword not in {"game", "machine", "resource"}:
                continue
            values, children = _pairs(block)
            name = values.get("name")
            if not name:
                problems.append(f"a game block without a name{_after(last)}; skipped")
                continue
            last = name
            game = DatGame(name=name, description=values.get("description"),
                           region=values.get("region"), serial=values.get("serial"),
                           year=values.get("year") or values.get("releaseyear"),
                           manufacturer=values.get("manufacturer"),
                           clone_of=values.get("cloneof"), rom_of=values.get("romof"),
                           is_bios=keyword == "resource"
                           or (values.get("isbios") or "").lower() == "yes")
            for child_key, child in children:
                if child_key in {"rom", "disk"}:
                    values = _pairs(child)[0]
                    if child_key == "disk":  # (a CHD: see DISK)
                        values = {**values, "status": disk_status(values.get("status"))}
                    game.roms.append(_entry_rom(name, values, problems))
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
    problems = Problems()  # the pass below reads the whole file again
    roms: list[tuple[str, DatRom]] = []
    for keyword, block in _blocks(path):
        if keyword not in {"game", "machine", "resource"}:
            continue
        game = _pairs(block)[0].get("name", "")
        section = game
        for key, value in zip(block[::2], block[1::2], strict=False):
            if key == "comment" and isinstance(value, str):
                section = value
            elif isinstance(key, str) and key.lower() == "rom" and isinstance(value, list):
                roms.append((section, _entry_rom(game, _pairs(value)[0], problems)))
    return result.header, roms, problems


def _chain(first: list[tuple[str, list[object]]],
           rest: Iterator[tuple[str, list[object]]]) -> Iterator[tuple[str, list[object]]]:
    yield from first
    yield from rest


# -- Logiqx XML ---------------------------------------------------------------------
def _bounded_chunks(path: Path, handle: BinaryIO) -> Iterator[bytes]:
    """The file in chunks, refused when a run between two '<' exceeds :data:`MAX_XML_RUN`.

    '<' cannot appear inside an attribute value or a tag, so the run bounds every tag with
    its attributes and every text: expat never meets a token large enough to cost time
    quadratic in its size.
    """
    run = 0
    offset = 0
    while True:
        try:
            chunk = handle.read(_READ_CHUNK)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
        if not chunk:
            return
        pieces = chunk.split(b"<")
        longest = run + len(pieces[0])
        if len(pieces) > 1:
            longest = max(longest, *(len(piece) for piece in pieces[1:]))
            run = len(pieces[-1])
        else:
            run = longest
        if longest > MAX_XML_RUN:
            raise InputError(f"{path}: a tag or text near byte {offset:,} is longer than "
                             f"{MAX_XML_RUN:,} bytes; not a DAT this reader accepts")
        offset += len(chunk)
        yield chunk


def _xml_events(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """(event, element) of the whole document; a document that does not end is an error."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    try:
        with open_regular(path) as handle:
            for chunk in _bounded_chunks(path, handle):
                parser.feed(chunk)
                yield from parser.read_events()  # type: ignore[misc]  # only start/end asked
        parser.close()
        yield from parser.read_events()  # type: ignore[misc]  # only start/end asked
    except ET.ParseError as exc:
        raise InputError(_not_utf8(path, exc.position[0]) or
                         f"{path}: malformed or truncated XML ({exc})") from None
    except (ValueError, LookupError) as exc:  # (QA95 F4: Shift_JIS, an unknown encoding)
        raise InputError(f"{path}: its XML declares an encoding this reader cannot read "
                         f"({exc}); save it as UTF-8") from None


def _not_utf8(path: Path, line: int) -> str | None:
    """What is wrong where the XML parser stopped, on ``line`` (from 1), when that line is
    not UTF-8 and the XML declares no other encoding (qa204 F4: a Latin-1 ``Café`` in a DAT
    declared UTF-8 was "malformed or truncated XML"); None otherwise."""
    try:
        with open_regular(path) as handle:
            declared = _DECLARED.search(handle.read(200))
            if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
                return None
            handle.seek(0)
            for _ in range(line):
                text = handle.readline(_LINE_LOOKED_AT)
    except (OSError, InputError):
        return None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(text) - 3 and len(text) == _LINE_LOOKED_AT:
            return None  # (a character cut by the bound, not a wrong byte)
        return (f"{path}: line {line} is not UTF-8 (byte 0x{text[exc.start]:02X} at byte "
                f"{exc.start + 1} of the line), and its XML declares no other encoding: save "
                "it as UTF-8, or declare the encoding it has "
                "(<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>)")
    return None


_DECLARED = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")
_LINE_LOOKED_AT = 1 << 20


def _read_logiqx(path: Path) -> DatReadResult:
    problems = Problems()
    events = _xml_events(path)
    header = DatHeader(name=path.stem)
    root: ET.Element | None = None
    pending: list[tuple[str, ET.Element]] = []
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
            pending.append((event, element))
            break

    def games() -> Iterator[DatGame]:
        last: str | None = None
        for event, element in _chain_events(pending, events):
            if event != "end" or element.tag not in {"game", "machine"}:
                continue
            name = element.get("name")
            if not name:
                problems.append(f"a game element without a name{_after(last)}; skipped")
            else:
                last = name
                game = DatGame(name=name, description=element.findtext("description"),
                               year=element.findtext("year"),
                               manufacturer=element.findtext("manufacturer"),
                               clone_of=element.get("cloneof"), rom_of=element.get("romof"),
                               is_bios=(element.get("isbios") or "").lower() == "yes")
                for rom in element.iter():  # (a CHD's <disk> is part of its set, as in
                    # clrmamepro DATs: QA56 F1, a set without its CHD was "have")
                    if rom.tag in ("rom", "disk"):
                        values = dict(rom.attrib)
                        if rom.tag == "disk":  # (a CHD: see DISK)
                            values["status"] = disk_status(values.get("status"))
                        game.roms.append(_entry_rom(name, values, problems))
                yield game
            element.clear()
            if root is not None:
                root.clear()

    return DatReadResult("logiqx", header, games(), problems)


def _chain_events(first: list[tuple[str, ET.Element]],
                  rest: Iterator[tuple[str, ET.Element]]) -> Iterator[tuple[str, ET.Element]]:
    yield from first
    yield from rest


def _after(name: str | None) -> str:
    """Where a nameless game is: after the last named one (DAT games have no line numbers
    once parsed)."""
    return f" (after {name!r})" if name else " (before any named game)"
