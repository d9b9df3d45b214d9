"""Text folding shared by search, sorting and name matching, and hex hash normalisation."""

from __future__ import annotations

import difflib
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# A terminal's escape sequences (ECMA-48): a CSI one, ESC [ or its C1 form U+009B, with its
# parameters and final byte ("\x1b[31m"); an OSC, DCS, PM, APC or SOS string ESC ] … up to
# its BEL or ESC \\ (a link, a window title; one never ended is its ESC and next character
# alone, not the rest of the title); any other ESC and the character after it. A title holding
# one (a file named "\x1b[31mRED\x1b[0m Evil") is folded as if each were a space: its words
# are "red evil", not "31mred 0m evil" (QA: `search red` found nothing). Other control
# characters are no letter or digit: separators already.
_ESCAPE_SEQUENCE = re.compile(
    "(?:\x1b\\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    "|\x1b[\\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\\\)"
    "|\x1b[\x20-\x7e]?")

# Letters that are not a base letter plus a diacritic, so decomposition leaves them whole.
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
                          "ł": "l", "ı": "i", "ħ": "h", "ŧ": "t", "ĸ": "k"})

# Scripts written without spaces between words: each character is a word of its own, so a
# title is found by any run of its characters (see search/games.py), whatever the user types.
_UNSPACED = ((0x3005, 0x3007), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
             (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))


def fold(text: str | None) -> str | None:
    """Lowercase, fold diacritics, keep the letters and digits of every script, and collapse
    everything else to single spaces.

    ``"Pokémon - Red Version"`` becomes ``"pokemon red version"``, ``"Straße"``
    ``"strasse"``, ``"Æon"`` ``"aeon"``, ``"Ünïcødé"`` ``"unicode"``, ``"Тетрис"``
    ``"тетрис"``. Diacritics are removed from Latin, Greek and Cyrillic letters only (in
    other scripts a mark is part of the letter: ``ゲ`` stays ``ゲ``); compatibility forms are
    unified (full-width ``Ａ`` is ``a``, half-width ``ｹﾞｰﾑ`` is ``ゲーム``). Chinese and
    Japanese characters are each a word: ``"ゲームボーイ"`` becomes ``"ゲ ー ム ボ ー イ"``.
    Control characters separate words, and a terminal escape sequence counts as one
    separator whole: ``"\x1b[31mRED\x1b[0m Evil"`` becomes ``"red evil"``.
    Used for the title sort key, the search index and queries, and name-based catalog
    matching: anything stored from it is rebuilt when it changes (a migration).
    """
    if text is None:
        return None
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPE_SEQUENCE.sub(" ", text)
    if text.isascii():  # (most names are ASCII: no decomposition needed, 10x faster)
        return _NON_WORD.sub(" ", text.lower()).strip()
    return " ".join(_words(_without_diacritics(text)).split())


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept: list[str] = []
    strip_marks = False
    for char in decomposed:
        if unicodedata.combining(char):
            if strip_marks:
                continue
        else:
            code = ord(char)
            strip_marks = code < 0x0530 or 0x1E00 <= code < 0x2000  # Latin, Greek, Cyrillic
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept).translate(_LETTERS))


def _words(text: str) -> str:
    parts: list[str] = []
    in_word = False
    for char in text:
        if char.isalnum():
            unspaced = _unspaced(ord(char))
            parts.append(f" {char} " if unspaced else char)
            in_word = not unspaced  # a word of one character: a mark after it stands alone
        elif in_word and unicodedata.category(char).startswith("M"):
            parts.append(char)  # a mark that belongs to its letter (Devanagari, Thai, ...)
        else:  # a mark with no letter before it is dropped, as a second fold would drop it
            parts.append(" ")
            in_word = False
    return "".join(parts)


def _unspaced(code: int) -> bool:
    return code >= 0x3005 and any(low <= code <= high for low, high in _UNSPACED)


def is_unspaced_character(word: str) -> bool:
    """True when ``word`` is one character of a script written without spaces (Chinese,
    Japanese), which :func:`fold` makes a word of its own."""
    return len(word) == 1 and _unspaced(ord(word))


def storable(text: str) -> bool:
    """True when ``text`` can be stored and matched as UTF-8: no lone surrogate (an
    undecodable byte of a command-line argument or a file name arrives as one)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character (an ESC, a line break, C1) or one that
    shows nothing (zero-width, a direction mark or override, a BOM): a name the user types
    holding one is refused (QA112 F9: ``Zero`` and ``Zero`` with a zero-width space were two
    collections that look alike)."""
    return _UNSEEN.search(text) is not None or (
        bool(text) and (text[0] in _JOINERS or text[-1] in _JOINERS))  # (joining nothing)


# (not the zero-width joiner and non-joiner, U+200C/U+200D, between two characters: parts of
# Persian and Indic words and of emoji sequences, review 115 F8; at either end they join
# nothing, review 118 F9)
_JOINERS = "\u200c\u200d"
_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b\u200e\u200f"
                     "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def escape_like(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\' (``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


HEX_LENGTHS = {"crc32": 8, "md5": 32, "sha1": 40}
_HEX_DIGITS = frozenset("0123456789abcdef")


def normalised_hex(kind: str, value: object) -> str | None:
    """``value`` as lowercase hex when it is a well-formed ``kind`` hash (crc32, md5, sha1),
    else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if len(text) == HEX_LENGTHS[kind] and _HEX_DIGITS.issuperset(text) else None


ARTICLES = ("the", "a", "an", "les", "la", "le", "die", "der", "das", "el", "los", "las", "il")
"""The articles a catalog writes after the title they begin (No-Intro's "Legend of Zelda,
The"; folded, as :func:`fold` gives them)."""


def squashed(name: str) -> str:
    """``name`` case-folded, its letters and digits only: ``Miyoo Mini Plus`` and
    ``miyoo-mini-plus`` are one (how a name typed by hand is matched to an id)."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def named_by(word: str, spellings: dict[str, list[str]]) -> str | None:
    """The one id of ``spellings`` (id -> its names: the id itself, a display name…) that
    ``word`` spells, squashed (see :func:`squashed`); None when none does, or several."""
    wanted = squashed(word)
    found = {key for key, names in spellings.items()
             if wanted and wanted in {squashed(name) for name in (key, *names)}}
    return found.pop() if len(found) == 1 else None


def closest_id(word: str, spellings: dict[str, list[str]], cutoff: float = 0.75) -> str | None:
    """The id of ``spellings`` (as for :func:`named_by`) whose id or a name is closest to
    ``word`` (a slip: ``onion`` for ``onionos``, ``miyoo-mini-plsu``), for a "did you
    mean"; None when none is close."""
    keys = {squashed(name): key for key, names in spellings.items()
            for name in (key, *names) if squashed(name)}
    close = difflib.get_close_matches(squashed(word), list(keys), n=1, cutoff=cutoff)
    return keys[close[0]] if close else None
