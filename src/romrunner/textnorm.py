"""Text folding shared by search, sorting and name matching, and hex hash normalisation."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str | None:
    """Lowercase, strip diacritics and collapse punctuation to single spaces.

    ``"Pokémon - Red Version"`` becomes ``"pokemon red version"``. Used for the title sort
    key, the prefix search that works without FTS5, and name-based catalog matching.
    """
    if text is None:
        return None
    if not text.isascii():  # (most names are ASCII: no decomposition needed, 10x faster)
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.lower()).strip()


HEX_LENGTHS = {"crc32": 8, "md5": 32, "sha1": 40}
_HEX_DIGITS = frozenset("0123456789abcdef")


def normalised_hex(kind: str, value: object) -> str | None:
    """``value`` as lowercase hex when it is a well-formed ``kind`` hash (crc32, md5, sha1),
    else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if len(text) == HEX_LENGTHS[kind] and _HEX_DIGITS.issuperset(text) else None
