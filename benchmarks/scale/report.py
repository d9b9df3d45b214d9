"""The benchmark's figures as Markdown tables (pasted into docs/PERFORMANCE.md)."""

from __future__ import annotations

from typing import Any

LATENCY = ("lookup_md5", "lookup_crc32_size", "lookup_sha1", "typeahead",
           "filtered_page_at_depth", "query_words_first_page", "query_words_page_at_90pct",
           "query_fields_page_at_90pct_capped_total", "query_fields_page_at_90pct_exact_total",
           "size_range_first_page", "size_sort_first_page", "size_platform_sorted_first_page",
           "smart_collection_page", "smart_collection_10pct_first_page",
           "override_resolution_page", "resolve_explain_one", "machine_noise_1ms_cpu",
           "best_answer_one", "best_answer_page", "open_and_first_query")
RATES = ("ingest", "rescan_bookkeeping", "cache_observation_ingest")
GROUPS = {
    "games (table + indexes)": ("games", "uidx_games_", "idx_games_",
                                "sqlite_autoindex_games_"),
    "games FTS5": ("games_fts",),
    "game_files": ("game_files", "idx_game_files", "sqlite_autoindex_game_files"),
    "catalogs": ("catalog_",),
    "cache observations": ("compat_observations", "idx_compat_obs"),
    "cache best answers": ("emulator_compat_cache", "uidx_compat_cache", "idx_compat_cache",
                           "sqlite_autoindex_emulator_compat_cache"),
    "key dictionaries": ("game_key_dim", "platform_dim", "emulator_dim",
                         "sqlite_autoindex_game_key_dim"),
}


def _belongs(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or (p.endswith("_") and name.startswith(p))
               or (p not in ("games",) and name.startswith(p)) for p in prefixes)


def group_sizes(sizes: dict[str, int]) -> dict[str, int]:
    """Bytes per group of objects (a table with its indexes)."""
    result: dict[str, int] = {}
    for group, prefixes in GROUPS.items():
        result[group] = sum(size for name, size in sizes.items() if _belongs(name, prefixes))
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cpu(timing: dict[str, Any]) -> str:
    if "cpu_p50_ms" not in timing:
        return "n/a"
    return f"{_fmt(timing['cpu_p50_ms'])} / {_fmt(timing['cpu_p99_ms'])}"


def render(figures: dict[str, Any]) -> str:
    """Every table of one run."""
    scale = figures["scale"]
    lines = [f"## Scale {scale:,} games (seed {figures['seed']}, SQLite "
             f"{figures.get('sqlite_version')}, {figures.get('cores')} cores, "
             f"{figures.get('seconds')} s in all)", "",
             "| workload | baseline p50 / p99 ms | ours p50 / p99 ms | ours/baseline p99 | "
             "statements per op (baseline / ours) | ours CPU time p50 / p99 ms |",
             "|---|---|---|---|---|---|"]
    for name in LATENCY:
        entry = figures.get(name)
        if not entry:
            continue
        base, mine = entry["baseline"], entry["ours"]
        base_text = f"{_fmt(base['p50_ms'])} / {_fmt(base['p99_ms'])}" if base else "n/a"
        lines.append(f"| {name} | {base_text} | {_fmt(mine['p50_ms'])} / "
                     f"{_fmt(mine['p99_ms'])} | {_fmt(entry.get('ratio_ours_over_baseline'))} "
                     f"| {_fmt(base['statements']) if base else 'n/a'} / "
                     f"{_fmt(mine['statements'])} | {_cpu(mine)} |")
    lines += ["", "| bulk workload | baseline rows/s | ours rows/s | ours/baseline | "
              "statements per row (baseline / ours) |", "|---|---|---|---|---|"]
    for name in RATES:
        entry = figures.get(name)
        if not entry:
            continue
        base, mine = entry["baseline"], entry["ours"]
        lines.append(f"| {name} ({_fmt(mine['rows'])} rows) | {_fmt(base['rows_per_s'])} | "
                     f"{_fmt(mine['rows_per_s'])} | "
                     f"{_fmt(entry.get('ratio_ours_over_baseline'))} | "
                     f"{_fmt(base['statements_per_row'])} / "
                     f"{_fmt(mine['statements_per_row'])} |")
    touch = figures.get("baseline_touch_last_scanned")
    if touch:
        lines.append(f"| baseline: UPDATE last_scanned_at per file | {_fmt(touch['rows_per_s'])}"
                     " | (not done) | | |")
    dat = figures.get("dat_import")
    if dat:
        lines.append(f"| DAT import, all ../shared/dats ({_fmt(dat['rom_entries'])} ROM entries)"
                     f" | | {_fmt(dat['rom_entries_per_s'])} | | |")
    reindex = figures.get("search_reindex")
    if reindex:
        lines.append(f"| search index of every game, the writer's statement "
                     f"({_fmt(reindex['with_catalog_title'])} with a catalog title, "
                     f"{_fmt(reindex['reading_rows'])} read otherwise) | | "
                     f"{_fmt(reindex['median_seconds'])} s (CPU "
                     f"{_fmt(reindex['median_cpu_seconds'])} s), median of 3 | | |")
    report = figures.get("dat_report_50k")
    if report:
        lines.append(f"| dat report, 50,000-game DAT vs the library | | "
                     f"{_fmt(report['seconds'])} s ({_fmt(report['with_missing_list_seconds'])}"
                     f" s with --missing; CPU {_fmt(report.get('cpu_seconds'))} s, fixdat "
                     f"CPU {_fmt(report.get('fixdat_cpu_seconds'))} s) | | |")
    for key, label in (("platforms_seconds", "platforms"), ("dupes_seconds", "games dupes")):
        if key in figures:
            lines.append(f"| {label}, whole library | | {_fmt(figures[key])} s | | |")
    lines += _prune_lines(figures) + _size_lines(figures) + _index_cost_lines(figures)
    checks = figures["checks"]
    lines += ["", "Checks (same rows on both sides, sanity): " + ", ".join(
        f"{name} {'ok' if ok else 'FAILED'}" for name, ok in sorted(checks.items()))]
    return "\n".join(lines)


def _prune_lines(figures: dict[str, Any]) -> list[str]:
    entry = figures.get("prune")
    if not entry:
        return []
    lines = ["", "| prune with a writer (every 20 ms) and a reader beside it | rows deleted | "
             "seconds | longest writer wait ms | longest read ms | peak WAL MB "
             "(truncated before; it held) |", "|---|---|---|---|---|---|"]
    for side in ("baseline", "ours"):
        item = entry[side]
        before = item.get("wal_before_mb")
        held = f" ({_fmt(before)})" if before is not None else ""
        lines.append(f"| {side} | {_fmt(item['deleted'])} | {_fmt(item['seconds'])} | "
                     f"{_fmt(item['writer_longest_wait_ms'])} | "
                     f"{_fmt(item['reader_longest_ms'])} | {_fmt(item['peak_wal_mb'])}{held} |")
    vacuum = figures.get("vacuum")
    if vacuum:
        lines.append(f"\nVACUUM: baseline {vacuum['baseline']['seconds']} s, ours "
                     f"{vacuum['ours']['seconds']} s.")
    return lines


def _size_lines(figures: dict[str, Any]) -> list[str]:
    sizes = figures.get("sizes")
    if not sizes:
        return []
    scale = figures["scale"]
    observations = figures["rows"]["ours_observations"]
    base_groups, our_groups = group_sizes(sizes["baseline"]), group_sizes(sizes["ours"])
    lines = ["", f"| on disk at {scale:,} games | baseline bytes | per game | ours bytes | "
             "per game | per cache row |", "|---|---|---|---|---|---|"]
    for group in GROUPS:
        base, mine = base_groups.get(group, 0), our_groups.get(group, 0)
        per_cache = ""
        if group.startswith("cache observations") and observations:
            per_cache = f"{mine / observations:.1f} B/observation"
        if group.startswith("cache best") and observations:
            per_cache = (f"baseline {base / max(1, figures['rows']['baseline_cache']):.1f}, "
                         f"ours {mine / max(1, scale):.1f} B/key")
        lines.append(f"| {group} | {_fmt(base)} | {base / scale:.1f} | {_fmt(mine)} | "
                     f"{mine / scale:.1f} | {per_cache} |")
    lines += _projection_lines(project(figures))
    lines += ["", "| games index (ours) | bytes | per game |", "|---|---|---|"]
    for name, size in sorted(sizes["ours"].items(), key=lambda item: (-item[1], item[0])):
        if name.startswith(("idx_games_", "uidx_games_")) or name == "games":
            lines.append(f"| {name} | {_fmt(size)} | {size / scale:.1f} |")
    return lines


PROJECTED_GAMES = 1_000_000
PROJECTED_OBSERVATIONS = 10_000_000
_PER_GAME_GROUPS = ("games (table + indexes)", "games FTS5", "game_files")
_PER_KEY_GROUPS = ("cache best answers", "key dictionaries")


def project(figures: dict[str, Any]) -> dict[str, float]:
    """On-disk bytes of the engine's database at 1M games + 10M cache observations, scaled
    linearly from this run's bytes per game, per observation and per cache key (keys are
    observations / sources). Catalogs depend on the DATs imported, not on the library: kept
    as measured."""
    sizes = group_sizes(figures["sizes"]["ours"])
    scale = figures["scale"]
    parts = {group: sizes[group] / scale * PROJECTED_GAMES for group in _PER_GAME_GROUPS}
    parts["catalogs"] = float(sizes["catalogs"])
    observations = figures["rows"]["ours_observations"]
    if observations:  # (a run without the cache workload: its empty pages are no figure)
        keys = max(1, figures["rows"].get("ours_cache_keys", scale))
        keys_at_projection = PROJECTED_OBSERVATIONS * keys / observations
        parts["cache observations"] = (sizes["cache observations"] / observations
                                       * PROJECTED_OBSERVATIONS)
        for group in _PER_KEY_GROUPS:
            parts[group] = sizes[group] / keys * keys_at_projection
    parts["total"] = sum(parts.values())
    return parts


def _projection_lines(parts: dict[str, float]) -> list[str]:
    cache = f" + {PROJECTED_OBSERVATIONS:,} observations" if "cache observations" in parts \
        else " (the cache not measured in this run)"
    lines = ["", f"| projected at {PROJECTED_GAMES:,} games{cache} (linear from this run) "
             "| MB |", "|---|---|"]
    lines += [f"| {group} | {size / 1e6:,.0f} |" for group, size in parts.items()]
    return lines


def _index_cost_lines(figures: dict[str, Any]) -> list[str]:
    costs = figures.get("index_costs")
    if not costs:
        return []
    sizes = figures.get("sizes", {}).get("ours", {})
    scale = figures["scale"]
    lines = []
    for table, entry in sorted(costs.items()):
        if not entry.get("rows"):
            continue
        lines += ["", f"Insert cost into {table} ({_fmt(entry['rows'])} copied rows, rolled "
                  f"back): {entry['us_per_row_all_indexes']} µs/row with every index, "
                  f"{entry['us_per_row_no_secondary_index']} µs/row with none.", "",
                  "| index | insert µs/row | bytes per game | serves |", "|---|---|---|---|"]
        ranked = sorted(entry["indexes"].items(), key=lambda kv: (-kv[1]["us_per_row"], kv[0]))
        for name, item in ranked:
            lines.append(f"| {name} | {item['us_per_row']} | "
                         f"{sizes.get(name, 0) / scale:.1f} | {item['serves'] or '?'} |")
    return lines
