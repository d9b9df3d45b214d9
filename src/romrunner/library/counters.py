"""The platform counters (``platform_counts``, migration 16): kept by triggers on ``games``,
read by `platforms`, `db status` and the scan's summary at any library size. Counted again
from the games here, to check them (`db check`) and to rebuild them (`db repair`): a trigger
dropped by hand lets them drift for ever (QA157 F1)."""

from __future__ import annotations

from romrunner.store.database import Database

# The schema version whose counting rule this is (migration 21: a playlist is no unidentified
# game); an older database's counters follow its own version's rule.
COUNTERS_RULE_VERSION = 21
# Each platform's counters as the games give them: migration 21's aggregate, the triggers' rule.
_COUNTED = (
    "SELECT platform_id, count(*) AS games, "
    "coalesce(sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks') "
    "OR match_method = 'user'), 0) AS hash_matched, "
    "coalesce(sum(match_method = 'name'), 0) AS name_guessed, "
    "coalesce(sum(matched_game_id IS NULL AND format IS NOT 'm3u'), 0) AS unidentified, "
    "coalesce(sum(is_missing), 0) AS missing FROM games GROUP BY platform_id")
_COLUMNS = ("games", "hash_matched", "name_guessed", "unidentified", "missing")

Counts = tuple[int, int, int, int, int]


def _by_platform(db: Database, sql: str) -> dict[str, Counts]:
    """Each platform's five counts the query gives (those all zero left out)."""
    found: dict[str, Counts] = {}
    for row in db.query(sql):
        games, hashed, guessed, unidentified, missing = (int(value) for value in row[1:])
        if games or hashed or guessed or unidentified or missing:
            found[str(row[0])] = (games, hashed, guessed, unidentified, missing)
    return found


def counters_off(db: Database) -> list[str]:
    """Each platform whose counters disagree with the games they count, said."""
    kept = _by_platform(db, f"SELECT platform_id, {', '.join(_COLUMNS)} FROM platform_counts")
    counted = _by_platform(db, _COUNTED)
    none: Counts = (0, 0, 0, 0, 0)
    return [f"platform_counts {platform}: {_said(kept.get(platform, none))}, the games "
            f"table {_said(counted.get(platform, none))}"
            for platform in sorted(set(kept) | set(counted))
            if kept.get(platform, none) != counted.get(platform, none)]


def _said(counts: Counts) -> str:
    games, hashed, guessed, unidentified, missing = counts
    return (f"{games:,} games ({hashed:,} by hash, {guessed:,} by name, {unidentified:,} "
            f"unidentified, {missing:,} missing)")


def count_platforms_again(db: Database) -> int:
    """Rebuild the counters from the games; the platforms whose counters changed."""
    changed = len(counters_off(db))
    db.execute("DELETE FROM platform_counts")
    db.execute(f"INSERT INTO platform_counts (platform_id, {', '.join(_COLUMNS)}) {_COUNTED}")
    return changed
