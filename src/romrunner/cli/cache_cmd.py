"""``romrunner cache``: cached knowledge from each source."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from romrunner.cache.clear import clear_source
from romrunner.cache.importfile import read_observation_file
from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import KINDS, kind_named
from romrunner.cache.lookup import observations_for
from romrunner.cache.prune import DEFAULT_GRACE_FACTOR, prune_cache
from romrunner.cache.sources import list_sources
from romrunner.cli.context import ROW_ID, app_context
from romrunner.store import OpenMode

_KIND = click.option("--kind", type=click.Choice(sorted(KINDS)), default="compat",
                     show_default=True, help="Which cache.")


@click.group()
def cache() -> None:
    """Cached knowledge: compatibility, performance and settings from each source."""


@cache.command(name="sources")
def cache_sources() -> int:
    """List sources with their TTL and priority."""
    app = app_context()
    rows = list_sources(app.open_db_to_read())  # records the pack's source registry first

    def render(console: Console) -> None:
        table = Table("source", "ttl (h)", "origin", "registered", "priority")
        for row in rows:
            ranks = ", ".join(f"{k} {v}" for k, v in sorted(row["priority"].items()))
            table.add_row(str(row["source_id"]), str(row["ttl_hours"] or "never"),
                          str(row["origin"]), "yes" if row["in_registry"] else "no", ranks)
        console.print(table)

    app.finish(rows, render)
    return 0


@cache.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", "source_id", required=True, help="The source these answers come from.")
@_KIND
@click.option("--new-source", is_flag=True,
              help="Register SOURCE if neither the pack nor the database knows it (default "
                   "TTL; ranked after every listed source).")
@click.option("--strict", is_flag=True, help="Refuse the whole file if any entry is unusable.")
def cache_import(file: Path, source_id: str, kind: str, new_source: bool, strict: bool) -> int:
    """Store FILE's observations (JSON list or JSON Lines) and update best answers.

    \b
    The file is imported in one transaction. Entries that are not usable observations are
    skipped and counted ("N imported, M skipped: line L: reason"). Exit codes:
      0  every entry imported
      1  the usable entries imported, some skipped (the first few are named)
      2  refused, nothing changed: unreadable or not JSON, an unknown source (see
         --new-source), no usable entry, or any unusable entry with --strict
    """
    app = app_context()
    result = ingest_observations(app.open_db(), kind_named(kind), source_id,
                                 read_observation_file(file), new_source=new_source,
                                 strict=strict, origin=str(file))
    if result.registered:
        app.warn(f"registered the new cache source {source_id!r}")
    problems = "; ".join(str(problem) for problem in result.problems)
    more = "; ..." if result.skipped > len(result.problems) else ""
    if result.skipped:
        app.warn(f"{file}: {result.observations:,} imported, {result.skipped:,} skipped: "
                 f"{problems}{more}")
    app.finish({"observations": result.observations, "source": source_id, "kind": kind,
                "expires_at": result.expires_at, "skipped": result.skipped,
                "problems": [{"where": p.where, "reason": p.reason} for p in result.problems],
                "registered_source": result.registered},
               lambda c: c.print(f"{result.observations:,} {kind} observations from "
                                 f"{source_id}, expiring {result.expires_at or 'never'}"
                                 + (f" ({result.skipped:,} skipped)" if result.skipped else "")),
               ok=not result.skipped)
    return 1 if result.skipped else 0


@cache.command(name="why")
@click.argument("platform_id")
@click.argument("emulator_id")
@click.argument("game")
@_KIND
@click.option("--profile", type=ROW_ID, default=None, help="Device profile (performance only).")
def cache_why(platform_id: str, emulator_id: str, game: str, kind: str,
              profile: int | None) -> int:
    """Every source's answer for one game, the winning one first."""
    app = app_context()
    rows = observations_for(app.open_db(OpenMode.READ), kind_named(kind), platform_id,
                            emulator_id, game, device_profile_id=profile)

    def render(console: Console) -> None:
        if not rows:
            console.print("no cached answer for that game")
        for row in rows:
            value = row.get("status") or row.get("performance_tier") or row.get("settings_json")
            mark = "best" if row["is_best"] else "    "
            console.print(f"{mark} {row['source']:<24} {value}  {row['confidence']}  "
                          f"fetched {row['fetched_at']}{'  (stale)' if row['stale'] else ''}",
                          markup=False)

    app.finish(rows, render)
    return 0


@cache.command(name="prune")
@click.option("--grace-factor", type=click.FloatRange(0), default=DEFAULT_GRACE_FACTOR,
              show_default=True, help="Keep expired answers this many TTLs past expiry.")
def cache_prune(grace_factor: float) -> int:
    """Delete answers long past expiry, in short batches that never block a scan for long.

    Only expiry counts: a source the pack no longer lists keeps its rows (`cache clear
    --source S` deletes them).
    """
    app = app_context()
    result = prune_cache(app.open_db(), grace_factor=grace_factor)
    total = sum(result.deleted.values())
    app.finish({"deleted": result.deleted, "batches": result.batches,
                "longest_batch_ms": round(result.longest_batch_ms, 1),
                "seconds": round(result.seconds, 3)},
               lambda c: c.print(f"deleted {total:,} observations in {result.batches} batches"))
    return 0


@cache.command(name="clear")
@click.option("--source", "source_id", required=True, help="The source whose rows to delete.")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="Only this cache (default: every cache).")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; change nothing.")
def cache_clear(source_id: str, kind: str | None, dry_run: bool) -> int:
    """Delete every observation of one source (the only command that does).

    Best answers the source held are recomputed from the other sources in the same
    transaction. The source stays registered; `cache prune` never deletes a source's rows
    because a pack stops listing it.
    """
    app = app_context()
    kinds = (kind_named(kind),) if kind else tuple(KINDS.values())
    result = clear_source(app.open_db(), source_id, kinds=kinds, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    app.finish({"source": source_id, "dry_run": dry_run, "observations": result.observations,
                "best_answers_changed": result.best_answers_changed},
               lambda c: c.print(f"{verb} {result.total:,} observations of {source_id} ("
                                 + ", ".join(f"{name} {count:,}" for name, count
                                             in result.observations.items()) + ")"))
    return 0


def register(group: click.Group) -> None:
    """Add the cache group to ``group``."""
    group.add_command(cache)
