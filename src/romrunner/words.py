"""Counts in words: a message that counts says its noun in the number's form ("1 file",
"2 files", never "1 files")."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` (thousands separated) and ``noun`` in its form: ``1 file``, ``1,024 files``;
    ``plural`` when it is not ``noun`` + "s" (``1 copy``, ``2 copies``)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
