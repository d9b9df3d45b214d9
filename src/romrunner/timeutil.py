"""One UTC text format everywhere, so text comparison is time comparison.

The format is SQLite's own ``CURRENT_TIMESTAMP`` format (``YYYY-MM-DD HH:MM:SS``), so
column defaults and values written from Python sort together. The cache tables alone store
Unix seconds (schema v1.1.4, for size: docs/PERFORMANCE.md); the cache module converts with
:func:`to_epoch` and :func:`from_epoch` at its boundary, so callers only see the text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Format an aware datetime as the engine's UTC text."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def now_text() -> str:
    """The current time as the engine's UTC text."""
    return to_text(utc_now())


def from_text(text: str) -> datetime:
    """Parse the engine's UTC text back into an aware datetime."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def to_epoch(text: str) -> int:
    """The engine's UTC text as Unix seconds."""
    return int(from_text(text).timestamp())


def from_epoch(seconds: float | None) -> str | None:
    """Unix seconds as the engine's UTC text. None stays None, and so does a moment outside
    the calendar (years 1 to 9999, e.g. an expiry stored by an older release that took any
    TTL): an expiry that far away never comes."""
    if seconds is None:
        return None
    try:
        return to_text(datetime.fromtimestamp(seconds, UTC))
    except (ValueError, OverflowError, OSError):
        return None


def hours_from(moment: datetime, hours: float) -> str:
    """The UTC text of ``moment`` plus ``hours``."""
    return to_text(moment + timedelta(hours=hours))
