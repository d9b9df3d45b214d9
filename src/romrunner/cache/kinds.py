"""The three kinds of cached knowledge and the tables that hold each.

Every kind has an observations table (one row per logical key and source) and a best-answer
table (one row per logical key, naming the winning source). Keys are stored as integers from
the dictionary tables (``platform_dim``, ``emulator_dim``, ``game_key_dim``); callers use the
pack's text IDs and never see the integers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CacheKind:
    """One kind of cached knowledge and the names of its tables and columns."""

    name: str                      # as in cache_source_priority.cache_kind
    observations: str
    best: str
    view: str
    int_keys: tuple[str, ...]      # key columns given as integers by the caller
    dim_keys: tuple[str, ...]      # key columns given as text, stored via a dictionary
    # (keys is the primary key's order: a game's answers from every emulator sit together)
    values: tuple[str, ...]        # observation value columns, in input order
    best_values: tuple[str, ...]   # the subset copied into the best-answer table
    required: tuple[str, ...]      # value columns that must be present

    @property
    def keys(self) -> tuple[str, ...]:
        """The logical key columns, in primary-key order of the best table."""
        return self.int_keys + self.dim_keys


# Each text key column's dictionary: (dictionary table, its text column).
DIMENSIONS = {
    "platform": ("platform_dim", "platform_id"),
    "emulator": ("emulator_dim", "emulator_id"),
    "game_key": ("game_key_dim", "definition_game_id"),
}

COMPAT = CacheKind(
    name="compat", observations="compat_observations", best="emulator_compat_cache",
    view="v_emulator_compat", int_keys=(), dim_keys=("platform", "game_key", "emulator"),
    values=("status", "confidence", "tested_version", "source_url", "notes", "last_updated"),
    best_values=("status", "confidence"), required=("status",))

SETTINGS = CacheKind(
    name="settings", observations="settings_observations", best="game_settings_cache",
    view="v_game_settings", int_keys=(), dim_keys=("platform", "game_key", "emulator"),
    values=("settings_json", "settings_format", "format_detail", "apply_mode", "confidence",
            "tested_version", "source_url", "notes"),
    best_values=("settings_json", "apply_mode", "confidence"), required=("settings_json",))

PERFORMANCE = CacheKind(
    name="performance", observations="perf_observations", best="game_performance_cache",
    view="v_game_performance", int_keys=("device_profile_id",),
    dim_keys=("platform", "game_key", "emulator"),
    values=("performance_tier", "raw_score", "requires_settings", "exclude_from_auto",
            "confidence", "source_url", "notes", "last_updated"),
    best_values=("performance_tier", "raw_score", "requires_settings", "exclude_from_auto"),
    required=("performance_tier",))

KINDS = {kind.name: kind for kind in (COMPAT, SETTINGS, PERFORMANCE)}

# Defaults for optional value columns (the observation tables' own defaults).
VALUE_DEFAULTS: dict[str, object] = {
    "confidence": "medium", "settings_format": "json", "apply_mode": "suggested",
    "requires_settings": 0, "exclude_from_auto": 0,
}


def kind_named(name: str) -> CacheKind:
    """The cache kind called ``name`` (performance, compat or settings)."""
    from romrunner.errors import InputError

    try:
        return KINDS[name]
    except KeyError:
        raise InputError(f"unknown cache kind {name!r}; expected one of "
                         f"{', '.join(sorted(KINDS))}") from None
