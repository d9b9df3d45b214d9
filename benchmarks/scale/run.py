"""Run every workload on both sides and collect the figures (see docs/PERFORMANCE.md)."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.scale import baseline, ours
from benchmarks.scale.concurrency import run_with_contention
from benchmarks.scale.data import Generator, SyntheticGame, load_catalog_pool
from benchmarks.scale.indexcost import CopyPlan, index_costs
from benchmarks.scale.measure import object_sizes, rate, spin, time_each
from romrunner.cache.kinds import COMPAT
from romrunner.cache.lookup import best_answer, best_answers
from romrunner.cache.prune import prune_cache
from romrunner.collections.store import collection_page, create_collection
from romrunner.devices.overrides import EmulatorResolver, explain
from romrunner.library.games import GameFilter, count_games, find_by_hash, list_games
from romrunner.library.query import (
    Selection,
    count_selection,
    encode_cursor,
    parse_sort,
    query_games,
    select,
)
from romrunner.library.reports import (
    dat_report,
    duplicates,
    platform_counts,
    write_fixdat,
)
from romrunner.search.games import search_games
from romrunner.search.index import READING_TABLE, has_reading_index, index_games
from romrunner.store.open import OpenMode, open_database

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SOURCES = ("emulator-official", "emuready-listings", "community-verified", "libretro-docs",
           "old-scrape")
OLD_SOURCE = "old-scrape"  # its answers are two years old: what prune removes
OLD_FETCH = "2024-06-01 00:00:00"
EMULATORS = {"nes": "fceumm", "snes": "snes9x", "gb": "gambatte", "gbc": "gambatte",
             "gba": "mgba", "genesis": "genesis_plus_gx", "atari-lynx": "handy",
             "psx": "duckstation", "n64": "mupen64plus", "arcade": "fbneo", "sms": "picodrive",
             "tg16": "mednafen_pce"}
STATUSES = ("perfect", "playable", "ingame", "menu_intro", "boots_only", "broken")
PAGE = 50


class Run:
    """One benchmark run at one scale: both databases, the data, and the figures."""

    def __init__(self, count: int, seed: int, workdir: Path, reuse: bool = False) -> None:
        self.count = count
        self.rng = random.Random(seed + 1)
        self.workdir = workdir
        self.figures: dict[str, Any] = {"scale": count, "seed": seed, "checks": {}}
        self.pool = load_catalog_pool(limit_per_platform=max(2_000, count // 10))
        self.games: list[SyntheticGame] = list(Generator(count, seed, self.pool).games())
        self.library = workdir / "library"
        self.snapshot = workdir / f"built-{count}-seed{seed}" if reuse else None
        self.reused = self.snapshot is not None and (self.snapshot / "done.json").is_file()
        for name in ("ours.db", "baseline.db"):
            for suffix in ("", "-wal", "-shm"):
                (workdir / (name + suffix)).unlink(missing_ok=True)
            if self.snapshot is not None and self.reused:
                shutil.copyfile(self.snapshot / name, workdir / name)
        if self.reused:
            self.db, self.pack, self.root = ours.reopen(workdir / "ours.db", self.library)
            self.base = baseline.reopen(workdir / "baseline.db")
        else:
            self.db, self.pack, self.root = ours.create(workdir / "ours.db", self.library)
            self.base = baseline.create(workdir / "baseline.db")
        self.walk = [(g.relpath, g.size, g.mtime_ns) for g in self.games]

    def save_snapshot(self) -> None:
        """Keep both databases as built (catalogs + ingest) for later ``--reuse`` runs."""
        if self.snapshot is None or self.reused:
            return
        self.snapshot.mkdir(parents=True, exist_ok=True)
        for conn, name in ((self.db.conn, "ours.db"), (self.base, "baseline.db")):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(self.workdir / name, self.snapshot / name)
        (self.snapshot / "done.json").write_text(json.dumps(
            {key: self.figures[key] for key in ("dat_import", "ingest", "identified_share")
             if key in self.figures}))

    # -- helpers --------------------------------------------------------------------------
    def record(self, name: str, base: Any, mine: Any) -> None:
        """Store a workload's figures for both sides, with the ratio ours/baseline."""
        entry: dict[str, Any] = {"baseline": base, "ours": mine}
        key = "p99_ms" if isinstance(mine, dict) and "p99_ms" in mine else "rows_per_s"
        if isinstance(base, dict) and isinstance(mine, dict) and base.get(key) and mine.get(key):
            entry["ratio_ours_over_baseline"] = round(mine[key] / base[key], 3)
        self.figures[name] = entry

    def check(self, name: str, ok: bool) -> None:
        """A same-rows or sanity check (the CI smoke run asserts these)."""
        self.figures["checks"][name] = bool(ok)

    def sample(self, k: int) -> list[SyntheticGame]:
        return self.rng.sample(self.games, min(k, len(self.games)))

    # -- workloads ------------------------------------------------------------------------
    def catalogs(self) -> None:
        roms, seconds = ours.import_catalogs(self.db, set(self.pack.platforms))
        self.figures["dat_import"] = {"rom_entries": roms, "seconds": round(seconds, 2),
                                      "rom_entries_per_s": round(roms / seconds) if seconds
                                      else 0}

    def ingest(self) -> None:
        base = rate(self.base, lambda: baseline.ingest(self.base, str(self.library),
                                                       self.games))
        # The writer stage alone: hashing workers (other processes) have already made
        # these, as the baseline's rows come ready-made from the generator.
        prepared = list(ours.examined(self.root, self.games))
        mine = rate(self.db, lambda: ours.ingest(self.db, self.pack, self.root, prepared))
        self.record("ingest", base, mine)
        self.check("ingest_same_row_count", self._count(self.base, "games")
                   == self._count(self.db.conn, "games") == self.count)
        identified = int(self.db.scalar("SELECT count(matched_game_id) FROM games"))
        self.figures["identified_share"] = round(identified / self.count, 3)

    def search_reindex(self) -> None:
        """The search index's rows for every game, added again by the scan writer's own
        statement (``index_games``, both FTS tables emptied first), in a transaction rolled
        back: what indexing alone costs the writer, apart from the rest of the ingest. Three
        rounds; the code measured is the engine on the path (old and new side by side)."""
        conn = self.db.conn
        reading = has_reading_index(self.db)
        rounds: list[dict[str, float]] = []
        reading_rows = 0
        for _ in range(3):
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT INTO games_fts (games_fts) VALUES ('delete-all')")
                if reading:
                    conn.execute(f"INSERT INTO {READING_TABLE} ({READING_TABLE}) "
                                 "VALUES ('delete-all')")
                started, cpu_started = time.perf_counter(), time.thread_time()
                index_games(self.db, 1)
                rounds.append({"seconds": round(time.perf_counter() - started, 3),
                               "cpu_seconds": round(time.thread_time() - cpu_started, 3)})
                if reading:
                    reading_rows = self._count(conn, READING_TABLE)
            finally:
                conn.execute("ROLLBACK")
        catalogued = int(self.db.scalar(
            "SELECT count(coalesce(catalog_name, catalog_title)) FROM games"))
        self.figures["search_reindex"] = {
            "games": self.count, "rounds": rounds,
            "median_seconds": statistics.median(r["seconds"] for r in rounds),
            "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in rounds),
            "with_catalog_title": catalogued, "reading_rows": reading_rows}
        self.check("search_reindex_left_the_index_whole",
                   self._count(conn, "games_fts") == self.count)

    def rescan(self) -> None:
        base = rate(self.base, lambda: self.count - baseline.rescan_bookkeeping(
            self.base, str(self.library), self.walk))
        mine = rate(self.db, lambda: self.count - ours.rescan_bookkeeping(
            self.db, self.root, self.walk))
        self.record("rescan_bookkeeping", base, mine)
        self.check("rescan_finds_nothing_changed", base["rows"] == mine["rows"] == self.count)
        touch = rate(self.base, lambda: baseline.touch_scanned(self.base, str(self.library),
                                                               self.walk))
        self.figures["baseline_touch_last_scanned"] = touch

    def machine_noise(self) -> None:
        """A fixed 1 ms of pure CPU, timed like the workloads: the p99 the load alone gives."""
        self.record("machine_noise_1ms_cpu", None,
                    time_each(self.db, spin(1.0), list(range(400))).as_dict())

    def hash_lookups(self) -> None:
        games = self.sample(2000)
        ids = {id(g): i + 1 for i, g in enumerate(self.games)}
        same = all(set(baseline.find_md5(self.base, g.md5))
                   == set(find_by_hash(self.db, md5=g.md5)) - self._member_hits(g)
                   for g in games[:200])
        self.check("md5_lookup_same_rows", same)
        self.check("sha1_lookup_finds_the_game", all(
            ids[id(g)] in find_by_hash(self.db, sha1=g.sha1) for g in games[:200]))
        self.record("lookup_md5",
                    time_each(self.base, lambda g: baseline.find_md5(self.base, g.md5),
                              games).as_dict(),
                    time_each(self.db, lambda g: find_by_hash(self.db, md5=g.md5),
                              games).as_dict())
        self.record("lookup_crc32_size",
                    time_each(self.base, lambda g: baseline.find_crc(self.base, g.crc32,
                                                                     g.size), games).as_dict(),
                    time_each(self.db, lambda g: find_by_hash(
                        self.db, crc32=g.crc32, size=g.size), games).as_dict())
        self.record("lookup_sha1", None,
                    time_each(self.db, lambda g: find_by_hash(self.db, sha1=g.sha1),
                              games).as_dict())

    def _member_hits(self, game: SyntheticGame) -> set[int]:
        return {int(r[0]) for r in self.db.conn.execute(
            "SELECT game_id FROM game_files WHERE md5_bin = ?", (bytes.fromhex(game.md5),))}

    def typeahead(self) -> None:
        words = [w for g in self.sample(600) for w in g.title.split()[:1] if w.isalpha()]
        queries = [w[: self.rng.randint(2, 5)] for w in words][:500]
        base_runs = queries[: max(20, 2_000_000 // max(1, self.count))]
        self.record("typeahead",
                    time_each(self.base, lambda q: baseline.typeahead(self.base, q),
                              base_runs).as_dict(),
                    time_each(self.db, lambda q: search_games(self.db, q),
                              queries).as_dict())
        self.check("typeahead_finds_typed_titles", all(
            search_games(self.db, q) for q in queries[:50]))

    def filtered_pages(self) -> None:
        platform = "nes"
        total = count_games(self.db, GameFilter(platform=platform))
        depth = max(0, int(total * 0.9) - 1)
        cursor_row = self.db.query_one(
            "SELECT title_norm, id FROM games WHERE platform_id = ? ORDER BY title_norm, id "
            "LIMIT 1 OFFSET ?", (platform, depth))
        assert cursor_row is not None
        flt = GameFilter(platform=platform, limit=PAGE, after_title=cursor_row["title_norm"],
                         after_id=cursor_row["id"])

        def mine(_: object) -> None:
            list_games(self.db, flt)
            count_games(self.db, flt)

        runs = list(range(200))
        self.record("filtered_page_at_depth",
                    time_each(self.base, lambda _: baseline.filtered_page(
                        self.base, platform, depth), runs[:50]).as_dict(),
                    time_each(self.db, mine, runs).as_dict())
        self.figures["filtered_page_at_depth"]["depth"] = depth
        self.check("filtered_count_same", baseline.filtered_page(self.base, platform, 0)[0]
                   == total)
        self.check("keyset_page_full", len(list_games(self.db, flt)) == min(PAGE, total - depth
                                                                            - 1))

    def query_pages(self) -> None:
        """A parsed query with three fields and free words: first page and a page at 90%
        depth, each with its total; and the same fields without words (the count-heavy
        case), total capped ("at least 10,000") against an exact count."""
        platform, region, word = "nes", "usa", "super"
        text = f"platform:{platform} region:{region} -flag:hack {word}"
        chosen = select(self.db, text)
        total = count_selection(self.db, chosen, exact=True)[0]
        cursor = self._cursor_at(chosen, int(total * 0.9))
        runs = list(range(200))
        base_total = baseline.query_page(self.base, platform, "USA", word, 0)[0]
        # Not the same question: the draft's LIKE '%super%' is a substring of the file's
        # title, ours word prefixes of the detected and catalog titles.
        self.figures["query_words_total"] = {"ours": total, "baseline_like": base_total}
        self.check("query_words_found_games", total > 0)
        self.record("query_words_first_page",
                    time_each(self.base, lambda _: baseline.query_page(
                        self.base, platform, "USA", word, 0), runs[:50]).as_dict(),
                    time_each(self.db, lambda _: query_games(
                        self.db, text, limit=PAGE), runs).as_dict())
        self.record("query_words_page_at_90pct",
                    time_each(self.base, lambda _: baseline.query_page(
                        self.base, platform, "USA", word, int(total * 0.9)),
                        runs[:50]).as_dict(),
                    time_each(self.db, lambda _: query_games(
                        self.db, text, limit=PAGE, after=cursor), runs).as_dict())
        fields = f"platform:{platform} region:{region} -flag:hack"
        wide = select(self.db, fields)
        wide_total = count_selection(self.db, wide, exact=True)[0]
        self.figures["query_fields_total"] = wide_total
        wide_cursor = self._cursor_at(wide, int(wide_total * 0.9))
        self.record("query_fields_page_at_90pct_capped_total",
                    time_each(self.base, lambda _: baseline.query_page(
                        self.base, platform, "USA", None, int(wide_total * 0.9)),
                        runs[:50]).as_dict(),
                    time_each(self.db, lambda _: query_games(
                        self.db, fields, limit=PAGE, after=wide_cursor), runs).as_dict())
        self.record("query_fields_page_at_90pct_exact_total", None,
                    time_each(self.db, lambda _: query_games(
                        self.db, fields, limit=PAGE, after=wide_cursor, exact_count=True),
                        runs[:50]).as_dict())
        page = query_games(self.db, text, limit=PAGE, after=cursor)
        self.check("query_page_at_depth_full", len(page.rows) == min(
            PAGE, total - int(total * 0.9) - 1))

    def size_queries(self) -> None:
        """A game's size (its file and a disc's tracks) filtered and sorted on: the whole
        library by size, a size range's first page, one platform by size."""
        runs = list(range(20))
        for name, text, sort in (("size_range_first_page", "size:>1M", "title"),
                                 ("size_sort_first_page", "", "-size"),
                                 ("size_platform_sorted_first_page", "platform:snes size:>256K",
                                  "-size")):
            def page(_: object, text: str = text, sort: str = sort) -> None:
                query_games(self.db, text, sort=sort, limit=PAGE)

            self.record(name, None, time_each(self.db, page, runs).as_dict())
        self.check("size_sort_full_page", len(query_games(self.db, "", sort="-size",
                                                          limit=PAGE).rows) == min(PAGE,
                                                                                   self.count))

    def _cursor_at(self, chosen: Selection, depth: int) -> str:
        keys = parse_sort("title")
        row = self.db.query_one(
            f"SELECT g.title_norm AS _sort0, g.id AS _sort1 FROM {chosen.from_sql} "
            f"WHERE {chosen.where} ORDER BY g.title_norm, g.id LIMIT 1 OFFSET ?",
            (*chosen.all_params, depth))
        assert row is not None
        return encode_cursor(keys, dict(row))

    def smart_collection(self) -> None:
        text = "platform:snes region:usa missing:false"
        create_collection(self.db, "SNES USA", query=text)
        runs = list(range(200))
        self.record("smart_collection_page",
                    time_each(self.base, lambda _: baseline.smart_page(
                        self.base, "snes", "USA"), runs).as_dict(),
                    time_each(self.db, lambda _: collection_page(
                        self.db, "SNES USA", limit=PAGE), runs).as_dict())
        if self.count <= 100_000:
            base_all = set(baseline.smart_page(self.base, "snes", "USA", limit=10**9))
            mine_all = {r["id"] for r in collection_page(self.db, "SNES USA",
                                                          limit=10**9).rows}
            self.check("smart_collection_same_rows", base_all == mine_all and bool(mine_all))
        create_collection(self.db, "GBA", query="platform:gba missing:false")
        share = count_selection(self.db, select(self.db, "platform:gba missing:false"),
                                exact=True)[0] / self.count
        self.figures["smart_collection_10pct_share"] = round(share, 3)
        self.record("smart_collection_10pct_first_page", None,
                    time_each(self.db, lambda _: collection_page(
                        self.db, "GBA", limit=PAGE), runs).as_dict())

    def overrides(self) -> None:
        ids = self._setup_overrides()
        pages = [self.rng.sample(ids, PAGE) for _ in range(200)]
        # the profile's resolver (its OS defaults and platform overrides) is built once, as
        # autolist and deploy build it; a page is then one statement
        resolver = EmulatorResolver(self.db, self.pack, 1)
        assert resolver.os_profile is not None
        defaults = {p: e for p, (e, _) in resolver.os_profile.emulators.items()}
        base = time_each(self.base, lambda p: baseline.resolve(self.base, 1, p, defaults),
                         pages)
        mine = time_each(self.db, resolver.games, pages)
        self.record("override_resolution_page", base.as_dict(), mine.as_dict())
        self.check("override_resolution_same", all(
            baseline.resolve(self.base, 1, p, defaults)
            == {k: v.emulator_id for k, v in resolver.games(p).items()}
            for p in pages[:20]))
        ones = [page[0] for page in pages]
        self.record("resolve_explain_one",
                    time_each(self.base, lambda g: baseline.resolve(self.base, 1, [g],
                                                                    defaults), ones).as_dict(),
                    time_each(self.db, lambda g: explain(self.db, self.pack, g, 1),
                              ones).as_dict())

    def reports(self) -> None:
        """dat report for a 50,000-game catalog (half of it owned) against the library;
        platforms and dupes over the whole library. Seconds, one run each (the dat report's
        CPU seconds too: the best of three, the machine is shared).

        The bench DAT's games have ROMs as a real DAT's do: an owned game those of the
        imported catalog game the library's file matched (its data is on disk), a lacking one
        random hashes (a report asks the library's hash indexes for each)."""
        with self.db.atomic():
            source = self.db.execute(
                "INSERT INTO catalog_sources (name, platform_id, format, path, file_sha1) "
                "VALUES ('Bench 50k', 'nes', 'clrmamepro', 'bench.dat', 'x')").lastrowid
            self.db.execute(
                "INSERT INTO catalog_games (source_id, game_id, platform_id, name) "
                "SELECT ?, matched_game_id, 'nes', 'owned ' || matched_game_id FROM "
                "(SELECT DISTINCT matched_game_id FROM games WHERE matched_game_id IS NOT NULL "
                "LIMIT 25000)", (source,))
            self.db.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO catalog_games (source_id, game_id, platform_id, name) "
                "SELECT ?, 'bench:' || i, 'nes', 'lacking ' || i FROM n",
                (50_000 - int(self.db.scalar(
                    "SELECT count(*) FROM catalog_games WHERE source_id = ?", (source,))),
                 source))
            self.db.execute(
                "INSERT INTO catalog_roms (catalog_game_id, name, size, crc32_bin, md5_bin, "
                "sha1_bin) SELECT cg.id, r.name, r.size, r.crc32_bin, r.md5_bin, r.sha1_bin "
                "FROM catalog_games cg JOIN catalog_roms r ON r.catalog_game_id = "
                "(SELECT min(o.id) FROM catalog_games o WHERE o.game_id = cg.game_id "
                "AND o.source_id <> cg.source_id) WHERE cg.source_id = ?", (source,))
            self.db.execute(
                "INSERT INTO catalog_roms (catalog_game_id, name, size, crc32_bin, md5_bin, "
                "sha1_bin) SELECT id, name || '.nes', 262144, randomblob(4), randomblob(16), "
                "randomblob(20) FROM catalog_games WHERE source_id = ? "
                "AND game_id LIKE 'bench:%'", (source,))
        report: list[Any] = []
        self.figures["dat_report_50k"] = {
            "seconds": _seconds(lambda: report.extend(dat_report(self.db, ["Bench 50k"]))),
            "with_missing_list_seconds": _seconds(
                lambda: dat_report(self.db, ["Bench 50k"], list_missing=True)),
            "cpu_seconds": min(_cpu_seconds(lambda: dat_report(self.db, ["Bench 50k"]))
                               for _ in range(3)),
            "fixdat_cpu_seconds": min(_cpu_seconds(lambda: write_fixdat(
                self.db, "Bench 50k", self.workdir / "bench-fixdat.dat", force=True))
                for _ in range(3)),
            "library": self.count, "have": report[0].have if report else None,
            "name_guessed": report[0].name_guessed if report else None,
            "incomplete": report[0].incomplete if report else None}
        self.check("dat_report_counts_add_up", bool(report) and report[0].games == 50_000
                   == report[0].have + report[0].incomplete + report[0].name_guessed
                   + report[0].missing)
        self.figures["platforms_seconds"] = _seconds(lambda: platform_counts(self.db))
        self.figures["dupes_seconds"] = _seconds(lambda: duplicates(self.db))

    def _setup_overrides(self) -> list[int]:
        ids = list(range(1, self.count + 1))
        chosen = self.rng.sample(ids, max(10, self.count // 100))
        statements = [
            ("INSERT INTO devices (device_id, connection_type) VALUES ('rg35xx', 'sd_card')",
             ()),
            ("INSERT INTO device_profiles (device_row_id, os_id) VALUES (1, 'muos')", ()),
            ("INSERT INTO platform_overrides (device_profile_id, platform_id, emulator_id) "
             "VALUES (NULL, 'snes', 'bsnes'), (NULL, 'gba', 'gpsp'), (1, 'snes', 'snes9x2005'),"
             " (1, 'psx', 'pcsx_rearmed')", ())]
        rows = [(1 if i % 2 else None, game_id, f"emu{i % 7}")
                for i, game_id in enumerate(chosen)]
        for conn in (self.base, self.db.conn):
            conn.execute("BEGIN")
            for sql, params in statements:
                conn.execute(sql, params)
            conn.executemany("INSERT INTO game_overrides (device_profile_id, game_id, "
                             "emulator_id) VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
        return ids

    def cache_ingest(self) -> None:
        keys = [(g.platform, EMULATORS[g.platform], f"{g.platform}:{n}")
                for n, g in enumerate(self.games)]
        by_source = {s: [{"platform_id": p, "emulator_id": e, "definition_game_id": k,
                          "status": self.rng.choice(STATUSES)} for p, e, k in keys]
                     for s in SOURCES}
        fetched = {OLD_SOURCE: OLD_FETCH}
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        base_rows = [(r["platform_id"], r["emulator_id"], r["definition_game_id"],
                      r["status"], s, OLD_FETCH if s == OLD_SOURCE else "2999-01-01 00:00:00")
                     for s in SOURCES for r in by_source[s]]
        self.record("cache_observation_ingest",
                    rate(self.base, lambda: baseline.ingest_compat(self.base, base_rows)),
                    rate(self.db, lambda: ours.ingest_compat(self.db, by_source,
                                                                  fetched)))
        self.figures["cache_observation_ingest"]["observations"] = len(base_rows)
        self.check("every_key_has_a_best_answer", int(self.db.scalar(
            "SELECT count(*) FROM emulator_compat_cache")) == self._count(
            self.base, "emulator_compat_cache") == len(keys))
        self.keys = keys
        self.now = now

    def best_lookups(self) -> None:
        sample = self.rng.sample(self.keys, min(2000, len(self.keys)))
        self.record("best_answer_one",
                    time_each(self.base, lambda k: baseline.best_one(self.base, k),
                              sample).as_dict(),
                    time_each(self.db, lambda k: best_answer(self.db, COMPAT, *k),
                              sample).as_dict())
        by_platform: dict[tuple[str, str], list[str]] = {}
        for platform, emulator, key in self.keys:
            by_platform.setdefault((platform, emulator), []).append(key)
        (platform, emulator), pool = max(by_platform.items(), key=lambda item: len(item[1]))
        pages = [self.rng.sample(pool, min(PAGE, len(pool))) for _ in range(200)]
        self.record("best_answer_page",
                    time_each(self.base, lambda p: baseline.best_page(
                        self.base, platform, emulator, p), pages).as_dict(),
                    time_each(self.db, lambda p: best_answers(
                        self.db, COMPAT, platform, emulator, p), pages).as_dict())
        self.check("best_page_same_keys", all(
            set(baseline.best_page(self.base, platform, emulator, p))
            == set(best_answers(self.db, COMPAT, platform, emulator, p)) for p in pages[:20]))

    def prune(self) -> None:
        writer = "UPDATE games SET last_played_at = CURRENT_TIMESTAMP WHERE id = 1"
        reader = "SELECT count(*) FROM games WHERE platform_id = 'gb'"
        base = run_with_contention(self.workdir / "baseline.db",
                                   lambda: baseline.prune(self.base, self.now), writer, reader)
        mine = run_with_contention(self.workdir / "ours.db",
                                   lambda: prune_cache(self.db, now=self.now), writer, reader)
        deleted = mine.result.deleted["compat"]  # type: ignore[attr-defined]
        # (ours keeps the broken / boots_only answers the baseline deletes: QA153 F11)
        kept = mine.result.kept["compat"]  # type: ignore[attr-defined]
        self.record("prune", {**base.as_dict(), "deleted": base.result},
                    {**mine.as_dict(), "deleted": deleted,
                     "kept": kept, "batches": mine.result.batches})  # type: ignore[attr-defined]
        self.check("prune_deleted_the_old_source", deleted + kept == self.count == base.result)

    def open_first_query(self) -> None:
        def base_open(_: object) -> None:
            conn = sqlite3.connect(self.workdir / "baseline.db")
            conn.execute("SELECT id FROM games WHERE platform_id = 'nes' "
                          "ORDER BY detected_title LIMIT 50").fetchall()
            conn.close()

        def mine_open(_: object) -> None:
            db = open_database(self.workdir / "ours.db", OpenMode.READ).db
            list_games(db, GameFilter(platform="nes", limit=PAGE))
            db.close()

        runs = list(range(20))
        self.record("open_and_first_query", time_each(self.base, base_open, runs).as_dict(),
                    time_each(self.db, mine_open, runs).as_dict())

    def sizes(self) -> None:
        self.figures["sizes"] = {"baseline": object_sizes(self.base),
                                 "ours": object_sizes(self.db.conn)}
        self.figures["rows"] = {
            "ours_observations": int(self.db.scalar("SELECT count(*) FROM compat_observations")),
            "ours_game_files": int(self.db.scalar("SELECT count(*) FROM game_files")),
            "ours_cache_keys": int(self.db.scalar("SELECT count(*) FROM emulator_compat_cache")),
            "baseline_cache": self._count(self.base, "emulator_compat_cache")}

    def index_costs(self) -> None:
        """Insert cost of each index of the two big tables (on copies, rolled back)."""
        sample = min(50_000, self.count)
        step = max(1, self.count // sample)
        self.figures["index_costs"] = {
            "games": index_costs(self.db.conn, CopyPlan(
                "games", {"filepath": "filepath || '~'"}, f"id % {step} = 0", ("id",))),
            "compat_observations": index_costs(self.db.conn, CopyPlan(
                "compat_observations", {"source": "source + 1000000"},
                f"game_key % {step * 5} = 0")),
        }

    def vacuum(self) -> None:
        self.record("vacuum", {"seconds": _seconds(lambda: self.base.execute("VACUUM"))},
                    {"seconds": _seconds(lambda: self.db.execute("VACUUM"))})

    @staticmethod
    def _count(conn: sqlite3.Connection, table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        self.db.close()
        self.base.close()


def _seconds(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    operation()
    return round(time.perf_counter() - started, 3)


def _cpu_seconds(operation: Callable[[], object]) -> float:
    """CPU seconds of the calling thread (another job's time slices are not counted)."""
    started = time.thread_time()
    operation()
    return round(time.thread_time() - started, 3)


WORKLOADS = ("catalogs", "ingest", "machine_noise", "search_reindex", "rescan", "hash_lookups",
             "typeahead", "filtered_pages", "query_pages", "size_queries", "smart_collection",
             "overrides", "reports",
             "cache_ingest", "best_lookups", "sizes", "index_costs", "prune", "open_first_query",
             "vacuum")


BUILD = ("catalogs", "ingest")
ALWAYS = (*BUILD, "machine_noise")


def run(count: int, seed: int, workdir: Path, progress: Callable[[str], None],
        only: tuple[str, ...] = (), reuse: bool = False) -> dict[str, Any]:
    """Every workload (or the ``only`` ones, after the catalogs and ingest they need), in
    order, on fresh databases in ``workdir``. With ``reuse``, the databases as built by the
    catalogs and ingest are kept in ``workdir`` and later runs start from copies of them
    (their build figures are those of the run that built them)."""
    unknown = set(only) - set(WORKLOADS)
    if unknown:
        raise ValueError(f"unknown workloads: {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    bench = Run(count, seed, workdir, reuse)
    chosen = [name for name in WORKLOADS
              if not only or name in only or name in ALWAYS]
    if bench.snapshot is not None and bench.reused:
        bench.figures.update(json.loads((bench.snapshot / "done.json").read_text()))
        bench.figures["reused_build"] = str(bench.snapshot)
        chosen = [name for name in chosen if name not in BUILD]
    try:
        for name in chosen:
            progress(name)
            getattr(bench, name)()
            if name == BUILD[-1]:
                bench.save_snapshot()
    finally:
        bench.close()
    bench.figures["seconds"] = round(time.perf_counter() - started, 1)
    bench.figures["sqlite_version"] = sqlite3.sqlite_version
    return bench.figures

