"""A cache TTL is bounded where it is given, and one stored beyond the calendar is 'never'.

Before: `cache sources set ID --ttl 80000000` was accepted and `cache explain`/`cache why`
then failed with "internal error: ValueError: year 11153 is out of range"; a 21-digit TTL was
an internal OverflowError, and remembered as the user's choice it broke every later pack
sync (every writing command with another pack).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.cache.kinds import KINDS
from romrunner.cache.sources import MAX_TTL_HOURS
from romrunner.packs.loader import builtin_pack_path

GAMEINDEX = 'SLUS-20312:\n  name: "Some Game"\n  region: "NTSC-U"\n  compat: 5\n'
SOURCE = "pcsx2-gameindex"


def _imported(cli: Any, tmp_path: Path) -> Path:
    index = tmp_path / "GameIndex.yaml"
    index.write_text(GAMEINDEX)
    result = cli("cache", "import", index, "--format", SOURCE)
    assert result.code == 0, result.err
    return index


def _ttl(db_path: Path) -> Any:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT ttl_hours FROM cache_sources WHERE source_id = ?",
                            (SOURCE,)).fetchone()[0]


@pytest.mark.parametrize("hours", [str(MAX_TTL_HOURS + 1), "80000000",
                                   "9223372036854775807", "99999999999999999999"])
def test_a_ttl_beyond_100_years_is_refused_naming_the_limit(
        cli: Any, db_path: Path, tmp_path: Path, hours: str) -> None:
    _imported(cli, tmp_path)
    before = _ttl(db_path)
    result = cli("cache", "sources", "set", SOURCE, "--ttl", hours)
    assert result.code == 2 and "internal error" not in result.err
    assert result.err == (f"error: TTL {hours} h is more than 876,000 h (100 years), the "
                          "longest; for answers that never go stale use --never-expires\n")
    assert _ttl(db_path) == before  # nothing changed
    longest = cli("cache", "sources", "set", SOURCE, "--ttl", str(MAX_TTL_HOURS))
    assert longest.code == 0, longest.err
    assert _ttl(db_path) == MAX_TTL_HOURS


def _stored_by_an_older_release(db_path: Path) -> None:
    """What `cache sources set ID --ttl 9223372036854775807` left before the bound: the TTL,
    the expiries (SQLite's integer overflowed into a REAL), and the remembered choice."""
    with sqlite3.connect(db_path) as conn:
        source = conn.execute("SELECT id FROM cache_sources WHERE source_id = ?",
                              (SOURCE,)).fetchone()[0]
        conn.execute("UPDATE cache_sources SET ttl_hours = 9223372036854775807 WHERE id = ?",
                     (source,))
        for kind in KINDS.values():
            for table in (kind.observations, kind.best):
                conn.execute(f"UPDATE {table} SET expires_at = "
                             "fetched_at + 9223372036854775807 * 3600 WHERE source = ?",
                             (source,))
        choices = {SOURCE: {"ttl_hours": 99999999999999999999}}  # a hand edit, say
        conn.execute("INSERT INTO user_settings (key, value, value_type) VALUES "
                     "('cache.sources.user', ?, 'json') ON CONFLICT(key) DO UPDATE SET "
                     "value = excluded.value", (json.dumps(choices),))


def test_an_expiry_stored_beyond_the_calendar_reads_as_never(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    index = _imported(cli, tmp_path)
    _stored_by_an_older_release(db_path)
    explain = cli("--json", "cache", "explain", "SLUS-20312")
    assert explain.code == 0, explain.err
    (item,) = explain.json()["data"]
    (observation,) = item["kinds"]["compat"][0]["observations"]
    assert observation["expires_at"] is None and observation["stale"] is False
    assert "expires never" in cli("cache", "explain", "SLUS-20312").out
    why = cli("--json", "cache", "why", "ps2", "pcsx2", "SLUS-20312")
    assert why.code == 0, why.err
    assert [(row["expires_at"], row["stale"]) for row in why.json()["data"]] == [(None, False)]
    listed = cli("--json", "cache", "sources")
    assert {row["source_id"]: row["ttl_hours"] for row in listed.json()["data"]}[SOURCE] is None
    again = cli("--json", "cache", "import", index, "--format", SOURCE)
    assert again.code == 0, again.err
    assert "expiring never" in cli("cache", "import", index, "--format", SOURCE).out
    # another pack re-applies the registry and the remembered choice: read as never
    pruned = cli("--pack", _other_pack(tmp_path), "cache", "prune")
    assert pruned.code == 0, pruned.err
    assert _ttl(db_path) is None


def _other_pack(tmp_path: Path) -> Path:
    """The built-in pack with one file more: a pack the database has not seen."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    (pack / "extra.json").write_text("{}\n")  # the content hash covers every JSON file
    return pack


def test_ttl_and_never_expires_together_are_refused_and_never_is_said_plainly(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA28 F11: `--ttl 5 --never-expires` was taken (never won silently), printed as
    "ttl never h"; nothing given named only --priority and --ttl."""
    _imported(cli, tmp_path)
    before = _ttl(db_path)
    both = cli("cache", "sources", "set", SOURCE, "--ttl", "5", "--never-expires")
    assert both.code == 2 and "give one of them" in both.err and _ttl(db_path) == before
    nothing = cli("cache", "sources", "set", SOURCE)
    assert nothing.code == 2 and "--never-expires" in nothing.err
    never = cli("cache", "sources", "set", SOURCE, "--never-expires")
    assert never.code == 0 and "never expires" in never.out and "ttl never" not in never.out


def test_a_priority_beyond_what_sqlite_stores_is_an_input_error(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa183: `--priority 9223372036854775808` was "internal error: OverflowError"; it is
    refused as every other integer option refuses one SQLite cannot store."""
    _imported(cli, tmp_path)
    with sqlite3.connect(db_path) as conn:
        before = conn.execute("SELECT * FROM cache_source_priority ORDER BY 1, 2").fetchall()
    refused = cli("cache", "sources", "set", SOURCE, "--priority", str(2 ** 63))
    assert refused.code == 2 and "Invalid value for '--priority'" in refused.err, refused.err
    assert f"is too large (at most {2 ** 63 - 1})" in refused.err
    assert "internal error" not in refused.err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT * FROM cache_source_priority ORDER BY 1, 2").fetchall() \
            == before
