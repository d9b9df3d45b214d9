"""Text folding shared by search, sorting and name matching."""

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
