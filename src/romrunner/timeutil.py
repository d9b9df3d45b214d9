"""One UTC text format everywhere, so text comparison is time comparison.

The format is SQLite's own ``CURRENT_TIMESTAMP`` format (``YYYY-MM-DD HH:MM:SS``), so
column defaults and values written from Python sort together.
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


def hours_from(moment: datetime, hours: float) -> str:
    """The UTC text of ``moment`` plus ``hours``."""
    return to_text(moment + timedelta(hours=hours))
