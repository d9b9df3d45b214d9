"""Hashes as stored (BLOBs) and as shown (lowercase hex).

Since schema v1.3.0 the games, their archive members and the catalog store each hash as its
bytes (`*_bin` columns: CRC32 4 bytes, MD5 16, SHA1 20) and show it as lowercase hex through
VIRTUAL columns of the old names (`file_sha1`, `crc32`, ...). Hex stays the external format
everywhere (CLI, JSON, DATs); these helpers convert where a value enters or leaves SQL.
"""

from __future__ import annotations

import binascii


def to_blob(value: str | None) -> bytes | None:
    """A hex hash (any case) as the bytes stored in a ``*_bin`` column; None stays None.

    Raises ValueError for text that is not hex: callers validate user input first."""
    return None if value is None else bytes.fromhex(value)


def to_hex(value: bytes | None) -> str | None:
    """A stored hash as lowercase hex; None stays None."""
    return None if value is None else value.hex()


def sql_unhex(value: object) -> bytes | None:
    """``rr_unhex`` in SQL: well-formed hex text as bytes, anything else NULL (a migration
    from hex columns, whose values the engine always wrote as hex)."""
    if isinstance(value, bytes):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) % 2:
        return None
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return None
