"""The cache source registry: which sources exist, their TTL and their priority."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from romrunner.cache.best import recompute_all
from romrunner.cache.kinds import KINDS
from romrunner.errors import InputError, NotFoundError
from romrunner.store.database import Database
from romrunner.textnorm import storable

USER_OVERRIDE = "user-override"  # never expires; created by the v1.1.0 migration
PACK_SOURCE = "rom-runner-db"    # pack-derived: no TTL, invalidated by a pack change
DEFAULT_TTL_HOURS = 168
COMMUNITY_TTL_HOURS = 720
# The longest TTL: 100 years. An answer meant to stay fresh for ever is `--never-expires`;
# a TTL stored above it (by an older release that took any number, or a hand edit) or that
# is not a whole number is read as never expiring.
MAX_TTL_HOURS = 100 * 365 * 24


def usable_ttl(value: Any) -> int | None:
    """A stored TTL as used: hours, or None (never expires) for one out of range."""
    if isinstance(value, bool) or not isinstance(value, int) or value > MAX_TTL_HOURS:
        return None
    return value


@dataclass(frozen=True)
class CacheSource:
    """One row of ``cache_sources``."""

    id: int
    source_id: str
    ttl_hours: int | None
    in_registry: bool


def default_ttl_hours(source_id: str) -> int:
    """The TTL of a source the registry does not describe (DECISIONS Q4)."""
    return COMMUNITY_TTL_HOURS if "community" in source_id else DEFAULT_TTL_HOURS


def _checked_id(source_id: str) -> str:
    if not source_id or not source_id.strip():
        raise InputError("a cache source needs a non-empty id")
    if not storable(source_id):
        raise InputError(f"cache source {source_id!r}: holds an invalid character")
    return source_id


def find_source(db: Database, source_id: str) -> CacheSource | None:
    """The source called ``source_id``, or None when this database does not know it."""
    row = db.query_one("SELECT id, source_id, ttl_hours, in_registry FROM cache_sources "
                       "WHERE source_id = ?", (_checked_id(source_id),))
    if row is None:
        return None
    return CacheSource(int(row["id"]), str(row["source_id"]), usable_ttl(row["ttl_hours"]),
                       bool(row["in_registry"]))


def ensure_source(db: Database, source_id: str) -> CacheSource:
    """The source called ``source_id``, registered with the default TTL if it is new."""
    db.execute("INSERT INTO cache_sources (source_id, ttl_hours, origin) VALUES (?, ?, "
               "'default') ON CONFLICT(source_id) DO NOTHING",
               (_checked_id(source_id), default_ttl_hours(source_id)))
    found = find_source(db, source_id)
    assert found is not None
    return found


# The dates kept before they were kept per kind (schema v1.3.14: per envelope schema; an
# emulator-settings envelope also brings ratings): the kinds each stands for.
_DATED_BY_ENVELOPE = {"compat": ("compat-source-v1", "emulator-settings-v1"),
                      "settings": ("emulator-settings-v1",),
                      "performance": ("device-performance-v1",)}


def data_as_of(db: Database, source_id: str, kind: str) -> str | None:
    """The date of ``source_id``'s answers of ``kind`` (the newest ``generatedAt`` of the
    envelopes that brought them), or None when none was dated (an emulator's own file is
    undated: its answers are not compared). Per kind, whatever envelope brought them (QA127
    F2: a 2025 ratings envelope replaced the ratings a settings envelope had brought)."""
    names = (kind, *_DATED_BY_ENVELOPE.get(kind, ()))
    dates = [str(row[0]) for row in db.query(
        "SELECT d.data_as_of FROM cache_source_dates d JOIN cache_sources s ON s.id = d.source "
        "WHERE s.source_id = ? AND d.envelope IN (SELECT value FROM json_each(?))",
        (source_id, json.dumps(names))) if row[0]]
    newest = None
    for when in dates:
        if newest is None or dated_before(newest, when):
            newest = when
    return newest


def record_data_as_of(db: Database, source_id: str, kind: str, when: str) -> None:
    """Keep ``when`` as the date of ``source_id``'s answers of ``kind``, unless a later one is
    kept already (an older file imported with --older leaves the newer answers' date)."""
    kept = data_as_of(db, source_id, kind)
    if kept is not None and not dated_before(kept, when):
        return
    db.execute("INSERT INTO cache_source_dates (source, envelope, data_as_of) SELECT id, ?, ? "
               "FROM cache_sources WHERE source_id = ? ON CONFLICT (source, envelope) DO UPDATE "
               "SET data_as_of = excluded.data_as_of", (kind, when, source_id))


def undated_answers(db: Database, source_id: str, kinds: Iterable[str]) -> set[str]:
    """Those of ``kinds`` of which ``source_id`` has answers in the cache with no date (an
    undated file brought them): a dated envelope then dates none of them (QA153 F5)."""
    return {kind for kind in kinds if kind in KINDS and data_as_of(db, source_id, kind) is None
            and db.scalar(f"SELECT EXISTS (SELECT 1 FROM {KINDS[kind].observations} o "
                          "JOIN cache_sources s ON s.id = o.source WHERE s.source_id = ?)",
                          (source_id,))}


def forget_data_as_of(db: Database, source_id: str, kinds: Iterable[str]) -> None:
    """Forget the date of ``source_id``'s answers of ``kinds``: an undated file (an emulator's
    own database) brought some of them, so no date is theirs all (QA153 F5: the upstream
    Dolphin inis' answers shown "as of" the date of a sample envelope, and a later envelope
    refused as older than them)."""
    names = sorted({name for kind in kinds for name in (kind, *_DATED_BY_ENVELOPE.get(kind, ()))})
    db.execute("DELETE FROM cache_source_dates WHERE source IN (SELECT id FROM cache_sources "
               "WHERE source_id = ?) AND envelope IN (SELECT value FROM json_each(?))",
               (source_id, json.dumps(names)))


def dated_before(one: str, other: str) -> bool:
    """True when the date ``one`` is before ``other`` (ISO 8601 UTC text; where either is a
    day alone, by the day: a file dated 2026-08-01 is not older than one of that noon)."""
    if len(one) == 10 or len(other) == 10:
        return one[:10] < other[:10]
    return one < other


def list_sources(db: Database) -> list[dict[str, Any]]:
    """Every source with its TTL, registry state and priority rank per kind."""
    rows = db.query(
        "SELECT s.source_id, s.ttl_hours, s.stale_while_revalidate, s.origin, s.in_registry, "
        "(SELECT json_group_object(d.envelope, d.data_as_of) FROM cache_source_dates d "
        " WHERE d.source = s.id) AS data_as_of, "
        "(SELECT group_concat(p.cache_kind || ':' || p.rank) FROM cache_source_priority p "
        " WHERE p.source = s.id) AS ranks "
        "FROM cache_sources s ORDER BY s.source_id")
    result: list[dict[str, Any]] = []
    for row in rows:
        item = dict(row)
        item["ttl_hours"] = usable_ttl(item["ttl_hours"])
        item["data_as_of"] = json.loads(item["data_as_of"] or "{}")  # envelope -> date
        ranks = str(item.pop("ranks") or "")
        item["priority"] = {part.split(":")[0]: int(part.split(":")[1])
                            for part in ranks.split(",") if part}
        result.append(item)
    return result


# The emulators' own databases (each knowledge format's source id) rank like the pack's
# `emulator-official` in every kind; they change slowly, so their answers keep 30 days.
OFFICIAL_RANK_OF = "emulator-official"
OFFICIAL_TTL_HOURS = 720
OFFICIAL_SOURCES = ("pcsx2-gameindex", "duckstation-gamedb", "ppsspp-compat", "dolphin-gameini")


def ensure_official_source(db: Database, source_id: str) -> CacheSource:
    """Register an emulator database's source (TTL, and `emulator-official`'s rank in each
    kind) unless this database knows it already: a TTL or priority the user set stays."""
    db.execute("INSERT INTO cache_sources (source_id, ttl_hours, origin) VALUES (?, ?, "
               "'default') ON CONFLICT(source_id) DO NOTHING",
               (_checked_id(source_id), OFFICIAL_TTL_HOURS))
    db.execute(
        "INSERT OR IGNORE INTO cache_source_priority (cache_kind, source, rank) "
        "SELECT p.cache_kind, s.id, p.rank FROM cache_source_priority p "
        "JOIN cache_sources o ON o.id = p.source AND o.source_id = ? "
        "JOIN cache_sources s ON s.source_id = ?", (OFFICIAL_RANK_OF, source_id))
    found = find_source(db, source_id)
    assert found is not None
    return found


@dataclass(frozen=True)
class SourceUpdate:
    """What :func:`set_source` changed."""

    source_id: str
    ttl_hours: int | None
    priority: dict[str, int]
    observations_reexpired: int


def set_source(db: Database, source_id: str, *, priority: int | None = None,
               ttl_hours: int | None = None, kinds: tuple[str, ...] = (),
               never_expires: bool = False) -> SourceUpdate:
    """Set a source's priority rank (in ``kinds``, default every kind) and/or its TTL.

    A new TTL re-dates the expiry of the source's stored observations (fetch time + TTL); a
    new rank re-ranks every best answer of the kinds it changed. One transaction.
    """
    if priority is None and ttl_hours is None and not never_expires:
        raise InputError("nothing to set: give --priority, --ttl or --never-expires")
    if ttl_hours is not None and never_expires:  # (QA28 F11: --never-expires won silently)
        raise InputError("--ttl and --never-expires: give one of them")
    if source_id == USER_OVERRIDE:  # (QA70 F8: its answers then expired, or ranked below)
        raise InputError(f"{USER_OVERRIDE} is your own answers: they rank first and never "
                         "expire; its priority and lifetime are not set")
    if priority is not None and priority < 1:
        raise InputError(f"priority {priority}: 1 ranks first among the sources (0 is your own "
                         f"answers', {USER_OVERRIDE}, always first)")
    if ttl_hours is not None and ttl_hours <= 0:
        raise InputError(f"TTL {ttl_hours} h must be at least 1 hour")
    if ttl_hours is not None and ttl_hours > MAX_TTL_HOURS:
        raise InputError(f"TTL {ttl_hours} h is more than {MAX_TTL_HOURS:,} h (100 years), the "
                         "longest; for answers that never go stale use --never-expires")
    selected = kinds or tuple(KINDS)
    reexpired = 0
    with db.atomic():
        source = find_source(db, source_id)
        if source is None:
            raise NotFoundError(f"unknown cache source {source_id!r} "
                                "(`romrunner cache sources` lists them)")
        if ttl_hours is not None or never_expires:
            ttl = None if never_expires else ttl_hours
            db.execute("UPDATE cache_sources SET ttl_hours = ?, updated_at = CURRENT_TIMESTAMP "
                       "WHERE id = ?", (ttl, source.id))
            for kind in KINDS.values():
                for table in (kind.observations, kind.best):
                    count = db.execute(
                        f"UPDATE {table} SET expires_at = CASE WHEN ? IS NULL THEN NULL "
                        f"ELSE fetched_at + ? * 3600 END WHERE source = ?",
                        (ttl, ttl, source.id)).rowcount
                    reexpired += count if table == kind.observations else 0
        if priority is not None:
            for name in selected:
                _place(db, name, source.id, priority)
                recompute_all(db, KINDS[name])
        _remember_choice(db, source_id,
                         ttl=(None if never_expires else ttl_hours,)
                         if ttl_hours is not None or never_expires else None,
                         ranks={name: priority for name in selected}
                         if priority is not None else {})
        ranks = {str(row["cache_kind"]): int(row["rank"]) for row in db.query(
            "SELECT cache_kind, rank FROM cache_source_priority WHERE source = ?",
            (source.id,))}
        ttl_now = db.scalar("SELECT ttl_hours FROM cache_sources WHERE id = ?", (source.id,))
    return SourceUpdate(source_id, usable_ttl(ttl_now), ranks, reexpired)


# The pack registry's priority lists, by cache kind.
_PRIORITY_KINDS = {
    "gamePerformance": "performance",
    "emulatorCompatibility": "compat",
    "emulatorGameSettings": "settings",
}
# What the user set with `cache sources set`, kept apart from the registry's values so a pack
# change (or a command run with another --pack) never takes it away: {source: {ttl, priority}}.
USER_CHOICES_KEY = "cache.sources.user"


def _user_choices(db: Database) -> dict[str, dict[str, Any]]:
    text = db.scalar("SELECT value FROM user_settings WHERE key = ?", (USER_CHOICES_KEY,))
    try:
        loaded = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _remember_choice(db: Database, source_id: str, *, ttl: tuple[int | None] | None,
                     ranks: dict[str, int]) -> None:
    choices = _user_choices(db)
    entry = choices.setdefault(source_id, {})
    if ttl is not None:
        entry["ttl_hours"] = ttl[0]
    if ranks:
        entry.setdefault("priority", {}).update(ranks)
        # (the order ranks were set in, per kind: applied again in it, each placed before the
        # sources that held its rank, they come out as the user left them — QA72 F1: one
        # order per source put a rank set long ago before one set since)
        latest = 1 + max((n for c in choices.values() if isinstance(c, dict)
                          and isinstance(c.get("order"), dict)
                          for n in c["order"].values() if isinstance(n, int)), default=0)
        earlier = entry.get("order")
        order: dict[str, Any] = earlier if isinstance(earlier, dict) else {}
        entry["order"] = {**order, **{kind: latest for kind in ranks}}
    db.execute("INSERT INTO user_settings (key, value, value_type, updated_at) VALUES "
               "(?, ?, 'json', CURRENT_TIMESTAMP) ON CONFLICT(key) DO UPDATE SET "
               "value = excluded.value, updated_at = excluded.updated_at",
               (USER_CHOICES_KEY, json.dumps(choices, sort_keys=True)))


def _priorities(db: Database) -> set[tuple[str, int, int]]:
    return {(str(r[0]), int(r[1]), int(r[2])) for r in db.query(
        "SELECT cache_kind, source, rank FROM cache_source_priority")}


def apply_registry(db: Database, registry: dict[str, Any], *, recompute: bool = True) -> None:
    """Refresh the sources' TTL and priority from a pack's source registry.

    The registry's values are the defaults: the emulators' databases keep their rank, and
    what the user set with `cache sources set` is applied over them, so neither a pack update
    nor a command run with another ``--pack`` loses it. Best answers are recomputed for the
    kinds whose ranks changed (unless ``recompute`` is False: a preview on a copy of the
    source tables). Runs inside the caller's transaction.
    """
    before = _priorities(db)
    choices = _user_choices(db)
    catalog = registry.get("sourceCatalog")
    entries = [e for e in catalog if isinstance(e, dict)] if isinstance(catalog, list) else []
    db.execute("UPDATE cache_sources SET in_registry = 0 WHERE origin = 'registry'")
    for entry in entries:
        source_id = entry.get("id")
        if not isinstance(source_id, str) or source_id == USER_OVERRIDE:
            continue
        raw_policy = entry.get("cachePolicy")
        policy: dict[str, Any] = raw_policy if isinstance(raw_policy, dict) else {}
        given = policy.get("ttlHours")
        ttl = usable_ttl(given) if isinstance(given, int) and not isinstance(given, bool) \
            else default_ttl_hours(source_id)
        _upsert_source(db, source_id, ttl,
                       0 if policy.get("staleWhileRevalidate") is False else 1, "registry")
    priorities = registry.get("sourcePriority")
    if isinstance(priorities, dict):
        db.execute("DELETE FROM cache_source_priority")
        for key, kind in _PRIORITY_KINDS.items():
            order = priorities.get(key)
            if isinstance(order, list):
                _rank_in_order(db, kind, [s for s in order if isinstance(s, str)])
        for official in OFFICIAL_SOURCES:
            if find_source(db, official) is not None:
                ensure_official_source(db, official)
    _apply_user_choices(db, choices)
    after = _priorities(db)
    for kind in {row[0] for row in before ^ after} if recompute else ():
        recompute_all(db, KINDS[kind])


def _rank_in_order(db: Database, kind: str, order: list[str]) -> None:
    for rank, source_id in enumerate(order):
        if source_id == PACK_SOURCE:
            _upsert_source(db, source_id, None, 1, "pack")
        elif source_id != USER_OVERRIDE:
            ensure_source(db, source_id)
        db.execute("INSERT INTO cache_source_priority (cache_kind, source, rank) "
                   "SELECT ?, id, ? FROM cache_sources WHERE source_id = ?",
                   (kind, rank, source_id))


def _apply_user_choices(db: Database, choices: dict[str, dict[str, Any]]) -> None:
    placed: list[tuple[int, str, int, int]] = []  # (order set in, kind, source, rank)
    for source_id, choice in choices.items():
        source = find_source(db, source_id)
        if source is None or not isinstance(choice, dict):
            continue
        if "ttl_hours" in choice:
            db.execute("UPDATE cache_sources SET ttl_hours = ? WHERE id = ?",
                       (usable_ttl(choice["ttl_hours"]), source.id))
        ranks = choice.get("priority")
        given = choice.get("order")
        order: dict[str, Any] = given if isinstance(given, dict) else {}
        for kind, rank in (ranks.items() if isinstance(ranks, dict) else ()):
            if kind in KINDS and isinstance(rank, int):
                when = order.get(kind)
                placed.append((when if isinstance(when, int) else 0, kind, source.id, rank))
    for _, kind, source_row, rank in sorted(placed):
        _place(db, kind, source_row, rank)


def _place(db: Database, kind: str, source: int, rank: int) -> None:
    """Give ``source`` ``rank`` in ``kind``, before the sources that had it (they and those
    after them move down one): a rank is a place in the order, never a tie with another
    source (QA70 F8: "--priority 0" tied with the user's own answers, which then lost)."""
    if db.scalar("SELECT EXISTS (SELECT 1 FROM cache_source_priority WHERE cache_kind = ? "
                 "AND rank = ? AND source <> ?)", (kind, rank, source)):
        db.execute("UPDATE cache_source_priority SET rank = rank + 1 WHERE cache_kind = ? "
                   "AND rank >= ? AND source <> ?", (kind, rank, source))
    db.execute("INSERT INTO cache_source_priority (cache_kind, source, rank) VALUES (?, ?, ?) "
               "ON CONFLICT (cache_kind, source) DO UPDATE SET rank = excluded.rank",
               (kind, source, rank))


def _upsert_source(db: Database, source_id: str, ttl: int | None, swr: int, origin: str) -> None:
    db.execute(
        "INSERT INTO cache_sources (source_id, ttl_hours, stale_while_revalidate, origin, "
        "in_registry, updated_at) VALUES (?, ?, ?, ?, 1, CURRENT_TIMESTAMP) "
        "ON CONFLICT(source_id) DO UPDATE SET ttl_hours = excluded.ttl_hours, "
        "stale_while_revalidate = excluded.stale_while_revalidate, origin = excluded.origin, "
        "in_registry = 1, updated_at = CURRENT_TIMESTAMP",
        (source_id, ttl, swr, origin))
