"""Which emulator a game uses on a device profile, and whether it is in or out.

Precedence (DECISIONS, overrides): profile game override > global game override > profile
platform override > global platform override > the OS profile's default > none (the caller
falls back to the pack and warns). Resolved for a whole page of games in one statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from romrunner.store.database import Database

_LEVELS = (("pg", "profile game override"), ("gg", "game override"),
           ("pp", "profile platform override"), ("gp", "platform override"))


@dataclass(frozen=True)
class Resolution:
    """The emulator a game runs with on a profile, where that came from, and its action."""

    game_id: int
    platform_id: str
    emulator_id: str | None
    origin: str
    action: str | None  # 'include', 'exclude' or None (no game override says)


def resolve_emulators(db: Database, profile_id: int | None, game_ids: Sequence[int],
                      os_defaults: Mapping[str, str]) -> dict[int, Resolution]:
    """Resolve every game of ``game_ids`` for ``profile_id`` (None: global overrides only)."""
    if not game_ids:
        return {}
    rows = db.query(
        "SELECT g.id, g.platform_id, pg.emulator_id AS pg, pg.action AS pg_action, "
        "gg.emulator_id AS gg, gg.action AS gg_action, pp.emulator_id AS pp, "
        "gp.emulator_id AS gp "
        "FROM json_each(?) j JOIN games g ON g.id = j.value "
        "LEFT JOIN game_overrides pg ON pg.game_id = g.id AND pg.device_profile_id = ? "
        " AND pg.is_enabled = 1 "
        "LEFT JOIN game_overrides gg ON gg.game_id = g.id AND gg.device_profile_id IS NULL "
        " AND gg.is_enabled = 1 "
        "LEFT JOIN platform_overrides pp ON pp.platform_id = g.platform_id "
        " AND pp.device_profile_id = ? "
        "LEFT JOIN platform_overrides gp ON gp.platform_id = g.platform_id "
        " AND gp.device_profile_id IS NULL",
        (json.dumps(list(game_ids)), profile_id, profile_id))
    resolved: dict[int, Resolution] = {}
    for row in rows:
        emulator, origin = None, "none"
        for column, label in _LEVELS:
            if row[column]:
                emulator, origin = row[column], label
                break
        else:
            default = os_defaults.get(row["platform_id"])
            if default:
                emulator, origin = default, "os default"
        action = row["pg_action"] or row["gg_action"]
        resolved[int(row["id"])] = Resolution(int(row["id"]), row["platform_id"], emulator,
                                              origin, action)
    return resolved
