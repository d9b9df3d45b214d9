"""Reading best answers and the observations behind them, with TEXT ids and a stale flag."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from romrunner.cache.kinds import DIMENSIONS, CacheKind
from romrunner.errors import InputError
from romrunner.store.database import Database
from romrunner.textnorm import storable
from romrunner.timeutil import from_epoch, utc_now


def _key_filter(kind: CacheKind, alias: str) -> str:
    parts = [f"{alias}.{key} = ?" for key in kind.int_keys]
    for key in kind.dim_keys:
        table, column = DIMENSIONS[key]
        parts.append(f"{alias}.{key} = (SELECT id FROM {table} WHERE {column} = ?)")
    return " AND ".join(parts)


def _key_params(kind: CacheKind, platform_id: str, emulator_id: str | None,
                definition_game_id: str, device_profile_id: int | None) -> list[object]:
    params: list[object] = [device_profile_id] if kind.int_keys else []
    by_key = {"platform": platform_id, "emulator": emulator_id or "",
              "game_key": definition_game_id}
    for value in by_key.values():
        if not storable(value):
            raise InputError(f"{value!r}: not a usable id (holds an undecodable character)")
    params.extend(by_key[key] for key in kind.dim_keys)
    return params


def _with_stale(row: Any, now: int) -> dict[str, Any]:
    """The row as a dict, its times as the engine's UTC text, and whether it is stale
    (``now`` and the stored times are Unix seconds)."""
    item = dict(row)
    expires = item.get("expires_at")
    item["fetched_at"] = from_epoch(item.get("fetched_at"))
    item["expires_at"] = from_epoch(expires)  # None: never (beyond the calendar too)
    item["stale"] = expires is not None and item["expires_at"] is not None and expires < now
    return item


def _now() -> int:
    return int(utc_now().timestamp())


def best_answer(db: Database, kind: CacheKind, platform_id: str, emulator_id: str | None,
                definition_game_id: str, *, device_profile_id: int | None = None
                ) -> dict[str, Any] | None:
    """The best current answer for one key, or None; ``stale`` says it is past expiry."""
    columns = ", ".join(f"c.{column}" for column in kind.best_values)
    row = db.query_one(
        f"SELECT s.source_id AS source, {columns}, c.fetched_at, c.expires_at "
        f"FROM {kind.best} c JOIN cache_sources s ON s.id = c.source "
        f"WHERE {_key_filter(kind, 'c')}",
        _key_params(kind, platform_id, emulator_id, definition_game_id, device_profile_id))
    return None if row is None else _with_stale(row, _now())


def best_answers(db: Database, kind: CacheKind, platform_id: str, emulator_id: str | None,
                 definition_game_ids: Sequence[str], *, device_profile_id: int | None = None
                 ) -> dict[str, dict[str, Any]]:
    """Best answers for a page of games on one platform and emulator, in one statement."""
    if not definition_game_ids:
        return {}
    fixed = [f"c.{key} = ?" for key in kind.int_keys]
    fixed += [f"c.{key} = (SELECT id FROM {DIMENSIONS[key][0]} WHERE {DIMENSIONS[key][1]} = ?)"
              for key in kind.dim_keys if key != "game_key"]
    params: list[object] = [device_profile_id] if kind.int_keys else []
    params += [platform_id if key == "platform" else (emulator_id or "")
               for key in kind.dim_keys if key != "game_key"]
    columns = ", ".join(f"c.{column}" for column in kind.best_values)
    rows = db.query(
        f"SELECT k.definition_game_id, s.source_id AS source, {columns}, c.fetched_at, "
        f"c.expires_at FROM json_each(?) j "
        # CROSS JOIN fixes the loop order: the page drives, each key is one index probe
        # (left to the planner, it scanned every answer of the platform instead).
        f"CROSS JOIN game_key_dim k ON k.definition_game_id = j.value "
        f"CROSS JOIN {kind.best} c ON c.game_key = k.id AND {' AND '.join(fixed)} "
        f"JOIN cache_sources s ON s.id = c.source",
        (json.dumps(list(definition_game_ids)), *params))
    now = _now()
    return {str(row["definition_game_id"]): _with_stale(row, now) for row in rows}


def observations_for(db: Database, kind: CacheKind, platform_id: str, emulator_id: str | None,
                     definition_game_id: str, *, device_profile_id: int | None = None
                     ) -> list[dict[str, Any]]:
    """Every source's observation for one key, best first: why an answer is what it is."""
    rows = db.query(
        f"SELECT s.source_id AS source, p.rank AS priority, o.*, "
        f"(b.source = o.source) AS is_best "
        f"FROM {kind.observations} o JOIN cache_sources s ON s.id = o.source "
        f"LEFT JOIN cache_source_priority p ON p.cache_kind = ? AND p.source = o.source "
        f"LEFT JOIN {kind.best} b ON {' AND '.join(f'b.{k} = o.{k}' for k in kind.keys)} "
        f"WHERE {_key_filter(kind, 'o')} ORDER BY is_best DESC, p.rank, o.fetched_at DESC",
        (kind.name, *_key_params(kind, platform_id, emulator_id, definition_game_id,
                                 device_profile_id)))
    now = _now()
    result = []
    for row in rows:
        item = _with_stale(row, now)
        item["is_best"] = bool(item["is_best"])
        for key in (*kind.keys, "source"):
            if key != "source" and key not in ("device_profile_id",):
                item.pop(key, None)
        result.append(item)
    return result


# The column that is a kind's answer, for telling what an import changed.
ANSWER_COLUMNS = {"compat": "status", "settings": "settings_json"}
AnswerKey = tuple[str, str, str]  # (platform_id, definition_game_id, emulator_id)


def source_answers(db: Database, kind: CacheKind, source_id: str,
                   keys: Sequence[AnswerKey]) -> dict[AnswerKey, str]:
    """``source_id``'s own answer (its status, or its settings JSON) at each of ``keys`` that
    it answers, by key: what an import is about to replace, and what it left (QA153 F4/F7:
    a re-import names the games whose answers it withdrew or changed). Compat and settings
    only."""
    column = ANSWER_COLUMNS[kind.name]
    if not keys:
        return {}
    rows = db.query(
        f"SELECT p.platform_id, k.definition_game_id, e.emulator_id, o.{column} AS answer "
        f"FROM json_each(?) j "
        f"CROSS JOIN platform_dim p ON p.platform_id = json_extract(j.value, '$[0]') "
        f"CROSS JOIN game_key_dim k ON k.definition_game_id = json_extract(j.value, '$[1]') "
        f"CROSS JOIN emulator_dim e ON e.emulator_id = json_extract(j.value, '$[2]') "
        f"CROSS JOIN {kind.observations} o ON o.platform = p.id AND o.game_key = k.id "
        f"AND o.emulator = e.id "
        f"JOIN cache_sources s ON s.id = o.source AND s.source_id = ?",
        (json.dumps(list(keys)), source_id))
    return {(str(row[0]), str(row[1]), str(row[2])): str(row["answer"]) for row in rows}


def source_keys(db: Database, kind: CacheKind, source_id: str, *,
                format_detail: str | None = None) -> dict[AnswerKey, int | None]:
    """Every key at which ``source_id`` holds an answer of ``kind`` (compat or settings),
    with its expiry (Unix seconds, None: never); with ``format_detail``, only settings read
    from a file of that format (``ppsspp-compat``): what a file of the source that is always
    whole no longer lists, or what no file of an import gave (qa195: kept unsaid)."""
    only = " AND o.format_detail = ?" if format_detail is not None else ""
    rows = db.query(
        f"SELECT p.platform_id, k.definition_game_id, e.emulator_id, o.expires_at "
        f"FROM {kind.observations} o JOIN cache_sources s ON s.id = o.source "
        "JOIN platform_dim p ON p.id = o.platform JOIN game_key_dim k ON k.id = o.game_key "
        f"JOIN emulator_dim e ON e.id = o.emulator WHERE s.source_id = ?{only}",
        (source_id,) if format_detail is None else (source_id, format_detail))
    return {(str(row[0]), str(row[1]), str(row[2])):
            None if row[3] is None else int(row[3]) for row in rows}


PerfKey = tuple[int, str, str, str]  # (device profile, platform, game key, emulator or "")


def source_performance(db: Database, source_id: str,
                       keys: Sequence[PerfKey]) -> dict[PerfKey, str]:
    """``source_id``'s own performance answer at each of ``keys`` that it answers: its tier,
    and its "leave out of auto-lists" flag when set (qa195 F3: a re-import that turned a
    device's PS2 tier from good to poor said nothing)."""
    if not keys:
        return {}
    rows = db.query(
        "SELECT o.device_profile_id, p.platform_id, k.definition_game_id, e.emulator_id, "
        "o.performance_tier, o.exclude_from_auto "
        "FROM json_each(?) j "
        "CROSS JOIN platform_dim p ON p.platform_id = json_extract(j.value, '$[1]') "
        "CROSS JOIN game_key_dim k ON k.definition_game_id = json_extract(j.value, '$[2]') "
        "CROSS JOIN emulator_dim e ON e.emulator_id = json_extract(j.value, '$[3]') "
        "CROSS JOIN perf_observations o ON o.device_profile_id = json_extract(j.value, '$[0]') "
        "AND o.platform = p.id AND o.game_key = k.id AND o.emulator = e.id "
        "JOIN cache_sources s ON s.id = o.source AND s.source_id = ?",
        (json.dumps(list(keys)), source_id))
    return {(int(row[0]), str(row[1]), str(row[2]), str(row[3])):
            str(row[4]) + (", left out of auto-lists" if row[5] else "") for row in rows}


ALIAS_NOTE = "same title as: "  # (knowledge/observations.py writes an alias row's notes so)


def source_aliases(db: Database, kind: CacheKind, source_id: str
                   ) -> list[tuple[AnswerKey, str]]:
    """``source_id``'s rows of ``kind`` that copy another key's answer (an alias: its notes
    say ``same title as: KEY``), each with the key it copies."""
    rows = db.query(
        f"SELECT p.platform_id, k.definition_game_id, e.emulator_id, o.notes "
        f"FROM {kind.observations} o JOIN cache_sources s ON s.id = o.source "
        "JOIN platform_dim p ON p.id = o.platform JOIN game_key_dim k ON k.id = o.game_key "
        "JOIN emulator_dim e ON e.id = o.emulator "
        "WHERE s.source_id = ? AND instr(o.notes, ?) > 0", (source_id, ALIAS_NOTE))
    found = []
    for row in rows:
        copied = str(row["notes"]).split(ALIAS_NOTE, 1)[1].split(";", 1)[0].strip()
        found.append(((str(row[0]), str(row[1]), str(row[2])), copied))
    return found
