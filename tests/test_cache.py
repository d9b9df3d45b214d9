"""Cached knowledge: observations per source, best answers by priority, staleness, pruning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from romrunner.cache.best import recompute_all
from romrunner.cache.clear import clear_source
from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT, PERFORMANCE, SETTINGS
from romrunner.cache.lookup import best_answer, best_answers, observations_for
from romrunner.cache.prune import prune_cache
from romrunner.errors import InputError
from romrunner.packs import load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import Database
from romrunner.store.open import OpenMode, open_database

# From the built-in pack's emulatorCompatibility priority (the test reads it to be sure).
HIGH, LOW = "emulator-official", "community-verified"


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "cache.db", OpenMode.WRITE).db
    sync_pack(database, load_pack(None))
    yield database
    database.close()


def compat(game: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": game,
            "status": status, **extra}


def rank(db: Database, source: str) -> int:
    return int(db.scalar("SELECT p.rank FROM cache_source_priority p JOIN cache_sources s "
                         "ON s.id = p.source WHERE p.cache_kind = 'compat' AND s.source_id = ?",
                         (source,)))


def test_priority_decides_whatever_the_arrival_order(db: Database) -> None:
    assert rank(db, HIGH) < rank(db, LOW)
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "playable"), compat("g2", "broken")])
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect"), compat("g2", "perfect")])
    best = best_answer(db, COMPAT, "psx", "duckstation", "g1")
    assert best is not None and best["source"] == HIGH and best["status"] == "playable"
    assert db.scalar("SELECT count(*) FROM compat_observations") == 4
    assert db.scalar("SELECT count(*) FROM emulator_compat_cache") == 2
    ingest_observations(db, COMPAT, "user-override", [compat("g1", "broken")])
    best = best_answer(db, COMPAT, "psx", "duckstation", "g1")
    assert best is not None and (best["source"], best["status"]) == ("user-override", "broken")


def test_unranked_source_loses_then_confidence_then_recency(db: Database) -> None:
    def ingest(source: str, rows: list[dict[str, Any]], **options: Any) -> None:
        ingest_observations(db, COMPAT, source, rows, new_source=True, **options)

    ingest("some-new-site", [compat("g1", "perfect", confidence="high")])
    ingest(LOW, [compat("g1", "ingame", confidence="low")])
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1")["source"] == LOW  # type: ignore[index]
    ingest("other-site", [compat("g2", "ingame", confidence="low")])
    ingest("some-new-site", [compat("g2", "playable", confidence="high")])
    assert best_answer(db, COMPAT, "psx", "duckstation", "g2")["status"] == "playable"  # type: ignore[index]
    ingest("other-site", [compat("g3", "ingame")], fetched_at="2026-01-01 00:00:00")
    ingest("some-new-site", [compat("g3", "broken")], fetched_at="2026-02-01 00:00:00")
    assert best_answer(db, COMPAT, "psx", "duckstation", "g3")["status"] == "broken"  # type: ignore[index]


def test_a_refresh_replaces_the_sources_row_and_explains_the_answer(db: Database) -> None:
    ingest_observations(db, COMPAT, LOW, [compat("g1", "ingame")])
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect", notes="fixed in 0.9")])
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "playable")])
    assert db.scalar("SELECT count(*) FROM compat_observations") == 2
    why = observations_for(db, COMPAT, "psx", "duckstation", "g1")
    assert [(o["source"], o["status"], o["is_best"]) for o in why] == [
        (HIGH, "playable", True), (LOW, "perfect", False)]
    assert why[1]["notes"] == "fixed in 0.9"


def test_expired_answers_are_served_flagged_stale(db: Database) -> None:
    result = ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")],
                                 fetched_at="2020-01-01 00:00:00")
    best = best_answer(db, COMPAT, "psx", "duckstation", "g1")
    assert best is not None and best["stale"] is True and best["status"] == "perfect"
    # Times come back as the engine's UTC text, expiry one TTL after the fetch.
    ttl = db.scalar("SELECT ttl_hours FROM cache_sources WHERE source_id = ?", (LOW,))
    expected = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=ttl)
    assert best["fetched_at"] == "2020-01-01 00:00:00"
    assert best["expires_at"] == result.expires_at == expected.strftime("%Y-%m-%d %H:%M:%S")
    stored = db.query_one("SELECT fetched_at, expires_at FROM compat_observations")
    assert stored is not None and tuple(stored) == (
        int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()), int(expected.timestamp()))
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")])
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1")["stale"] is False  # type: ignore[index]


def test_prune_removes_only_past_grace_and_recomputes(db: Database) -> None:
    ttl = int(db.scalar("SELECT ttl_hours FROM cache_sources WHERE source_id = ?", (HIGH,)))
    assert ttl > 0
    # HIGH's answers are a year old: past expiry and past the 4x TTL grace (and none of them
    # leaves a game out: such an answer is kept, see test_cache_prune_kept.py).
    # (menu_intro leaves a game out since QA174 F3: an unknown rating instead)
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "ingame"), compat("g2", "unknown")],
                        fetched_at="2025-01-01 00:00:00")
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")])
    ingest_observations(db, COMPAT, "user-override", [compat("g3", "playable")],
                        fetched_at="2000-01-01 00:00:00")
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1")["source"] == HIGH  # type: ignore[index]
    result = prune_cache(db, pause_ms=0)
    assert result.deleted["compat"] == 2
    best = best_answer(db, COMPAT, "psx", "duckstation", "g1")
    assert best is not None and best["source"] == LOW
    assert best_answer(db, COMPAT, "psx", "duckstation", "g2") is None
    assert best_answer(db, COMPAT, "psx", "duckstation", "g3") is not None  # never expires


def test_prune_keeps_within_grace_and_keeps_sources_the_pack_no_longer_lists(
        db: Database) -> None:
    """Issue 12 item 1: leaving the registry is not a reason to delete a source's rows."""
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "playable")])
    ingest_observations(db, COMPAT, "gone-source", [compat("g2", "ingame")], new_source=True)
    db.execute("UPDATE cache_sources SET in_registry = 0 WHERE source_id = 'gone-source'")
    result = prune_cache(db, now="2099-01-01 00:00:00", grace_factor=1e9, pause_ms=0)
    assert result.deleted["compat"] == 0
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1") is not None
    assert best_answer(db, COMPAT, "psx", "duckstation", "g2") is not None
    # Past expiry and grace it goes like any other source's.
    result = prune_cache(db, now="2099-01-01 00:00:00", pause_ms=0)
    assert result.deleted["compat"] == 2
    assert best_answer(db, COMPAT, "psx", "duckstation", "g2") is None


def test_prune_in_many_small_batches_deletes_everything_due(db: Database) -> None:
    rows = [compat(f"g{i}", "playable") for i in range(2500)]
    ingest_observations(db, COMPAT, HIGH, rows, fetched_at="2020-01-01 00:00:00",
                        batch_size=700)
    seen: list[int] = []
    result = prune_cache(db, pause_ms=0, budget_ms=0.001, on_batch=seen.append)
    assert result.deleted["compat"] == 2500 and sum(seen) == 2500 and len(seen) > 2
    assert db.scalar("SELECT count(*) FROM emulator_compat_cache") == 0


def test_priority_change_recomputes_without_refetching(db: Database) -> None:
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "playable")])
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")])
    db.execute("UPDATE cache_source_priority SET rank = -1 WHERE cache_kind = 'compat' AND "
               "source = (SELECT id FROM cache_sources WHERE source_id = ?)", (LOW,))
    assert recompute_all(db, COMPAT) == 1
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1")["source"] == LOW  # type: ignore[index]


def test_bad_observation_is_skipped_and_named_or_refuses_the_import(db: Database) -> None:
    result = ingest_observations(db, COMPAT, HIGH, [compat("g1", "perfect"),
                                                    compat("g2", "great")])
    assert (result.observations, result.skipped) == (1, 1)
    assert str(result.problems[0]).startswith("observation 2: status 'great' is not one of")
    assert db.scalar("SELECT count(*) FROM compat_observations") == 1
    with pytest.raises(InputError, match=r"refused.*observation 2: status 'great'"):
        ingest_observations(db, COMPAT, LOW, [compat("g3", "perfect"), compat("g4", "great")],
                            strict=True)
    with pytest.raises(InputError, match=r"no usable observation.*definition_game_id is miss"):
        ingest_observations(db, COMPAT, LOW, [{"platform_id": "psx", "emulator_id": "x",
                                               "status": "perfect"}])
    assert db.scalar("SELECT count(*) FROM compat_observations") == 1


def test_platforms_and_emulators_get_ids_only_for_usable_rows(db: Database) -> None:
    """The small dictionaries are filled as rows are read: a skipped row adds no id, a
    refused import none at all, and every id names what it stands for."""
    ingest_observations(db, COMPAT, HIGH, [
        compat("g1", "perfect", platform_id="ps2", emulator_id="play"),
        compat("g2", "great", platform_id="saturn", emulator_id="yabause"),
        compat("g3", "ingame", platform_id="ps2", emulator_id="pcsx2")])
    names = {row[0] for row in db.query("SELECT platform_id || '/' || emulator_id || '/' || "
                                        "definition_game_id || '=' || status "
                                        "FROM v_emulator_compat")}
    assert names == {"ps2/play/g1=perfect", "ps2/pcsx2/g3=ingame"}
    assert db.scalar("SELECT count(*) FROM platform_dim WHERE platform_id = 'saturn'") == 0
    assert db.scalar("SELECT count(*) FROM emulator_dim WHERE emulator_id = 'yabause'") == 0
    with pytest.raises(InputError):
        ingest_observations(db, COMPAT, LOW, [compat("g4", "perfect", platform_id="3do",
                                                     emulator_id="opera"),
                                              compat("g5", "great")], strict=True)
    assert db.scalar("SELECT count(*) FROM platform_dim WHERE platform_id = '3do'") == 0


def test_optional_values_survive_batches_that_leave_them_out(db: Database) -> None:
    """A batch stages only the optional columns some entry of it fills: a value in one entry
    of one batch is kept, its neighbours' are NULL, and a refresh without it clears it."""
    rows = [compat("g1", "perfect", notes="fine"), compat("g2", "playable"),
            compat("g3", "ingame"), compat("g4", "broken", tested_version="1.2",
                                              source_url="https://example.org/g4")]
    ingest_observations(db, COMPAT, HIGH, rows, batch_size=2)
    stored = {row[0]: tuple(row)[1:] for row in db.query(
        "SELECT k.definition_game_id, o.status, o.notes, o.tested_version, o.source_url "
        "FROM compat_observations o JOIN game_key_dim k ON k.id = o.game_key")}
    assert stored == {"g1": ("perfect", "fine", None, None),
                      "g2": ("playable", None, None, None),
                      "g3": ("ingame", None, None, None),
                      "g4": ("broken", None, "1.2", "https://example.org/g4")}
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "perfect")])
    assert db.scalar("SELECT count(*) FROM compat_observations WHERE notes IS NOT NULL") == 0


def test_page_lookup_settings_and_performance_kinds(db: Database) -> None:
    ingest_observations(db, COMPAT, HIGH, [compat(f"g{i}", "playable") for i in range(10)])
    page = best_answers(db, COMPAT, "psx", "duckstation", ["g3", "g7", "nope"])
    assert sorted(page) == ["g3", "g7"] and page["g3"]["status"] == "playable"
    ingest_observations(db, SETTINGS, HIGH, [{"platform_id": "ps2", "emulator_id": "pcsx2",
                                              "definition_game_id": "SLUS-1",
                                              "settings_json": '{"EETimingHack": 1}'}])
    best = best_answer(db, SETTINGS, "ps2", "pcsx2", "SLUS-1")
    assert best is not None and best["settings_json"] == '{"EETimingHack": 1}'
    db.execute("INSERT INTO devices (device_id, connection_type) VALUES ('rg35xx', 'sd_card')")
    db.execute("INSERT INTO device_profiles (device_row_id, os_id) VALUES (1, 'muos')")
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": "psx", "definition_game_id": "g1",
         "emulator_id": None, "performance_tier": "good"}])
    best = best_answer(db, PERFORMANCE, "psx", None, "g1", device_profile_id=1)
    assert best is not None and best["performance_tier"] == "good"
    view = db.query_one("SELECT emulator_id, source FROM v_game_performance")
    assert view is not None and view["emulator_id"] is None
    assert view["source"] == "retrocatalog-api"


def test_cli_import_why_prune_and_bad_file(cli: Any, tmp_path: Path) -> None:
    good = tmp_path / "compat.jsonl"
    good.write_text('{"platform_id": "psx", "emulator_id": "duckstation", '
                    '"definition_game_id": "SLUS-00594", "status": "playable"}\n')
    result = cli("--json", "cache", "import", good, "--source", HIGH)
    assert result.code == 0 and result.json()["data"]["observations"] == 1
    why = cli("--json", "cache", "why", "psx", "duckstation", "SLUS-00594").json()["data"]
    assert [(row["source"], row["status"], row["is_best"]) for row in why] == [
        (HIGH, "playable", True)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + '{"platform_id": \n')
    result = cli("cache", "import", bad, "--source", LOW, "--strict")
    assert result.code == 2 and "line 2: not valid JSON" in result.err
    assert str(bad) in result.err and "nothing imported" in result.err
    assert "Traceback" not in result.err
    assert len(cli("--json", "cache", "why", "psx", "duckstation",
                   "SLUS-00594").json()["data"]) == 1  # the refused file left nothing
    result = cli("cache", "import", bad, "--source", LOW)
    assert result.code == 1 and "1 skipped: line 2: not valid JSON" in " ".join(
        result.err.split())
    assert len(cli("--json", "cache", "why", "psx", "duckstation",
                   "SLUS-00594").json()["data"]) == 2  # the usable line was imported
    pruned = cli("--json", "cache", "prune").json()["data"]
    assert pruned["deleted"]["compat"] == 0


SOURCES_FOR_PROPERTY = (HIGH, "user-override", "site-a", "site-b", "site-c")  # 3 unranked
_round = st.tuples(
    st.sampled_from(SOURCES_FOR_PROPERTY),
    st.lists(st.tuples(st.sampled_from(["g1", "g2", "g3", "g4"]),
                       st.sampled_from(["perfect", "playable", "broken"]),
                       st.sampled_from(["high", "medium", "low"])),
             min_size=1, max_size=4, unique_by=lambda item: item[0]),
    st.sampled_from(["2026-01-01 00:00:00", "2026-03-01 00:00:00", "2026-02-01 00:00:00"]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(_round, min_size=1, max_size=8))
def test_incremental_best_equals_a_full_re_ranking(tmp_path_factory: Any,
                                                    rounds: list[Any]) -> None:
    """Whatever the order, confidences and fetch times (older re-imports included), the
    best answers kept batch by batch, and after a prune, are those a full re-ranking picks."""
    database = open_database(tmp_path_factory.mktemp("p") / "c.db", OpenMode.WRITE).db
    sync_pack(database, load_pack(None))
    snapshot = "SELECT platform, emulator, game_key, source, status FROM emulator_compat_cache " \
               "ORDER BY 1, 2, 3"
    for source, rows, fetched in rounds:
        ingest_observations(database, COMPAT, source, [
            compat(game, status, confidence=confidence) for game, status, confidence in rows],
            fetched_at=fetched, new_source=True)
        kept = [tuple(row) for row in database.query(snapshot)]
        recompute_all(database, COMPAT)
        assert [tuple(row) for row in database.query(snapshot)] == kept
    # Clearing a source (here: the first one) keeps them right too.
    clear_source(database, rounds[0][0])
    kept = [tuple(row) for row in database.query(snapshot)]
    recompute_all(database, COMPAT)
    assert [tuple(row) for row in database.query(snapshot)] == kept
    database.close()


def test_a_fetch_time_in_another_format_is_a_clear_error(db: Database) -> None:
    with pytest.raises(InputError, match=r"2020-01-01T00:00:00Z.*YYYY-MM-DD HH:MM:SS"):
        ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")],
                            fetched_at="2020-01-01T00:00:00Z")
    assert db.scalar("SELECT count(*) FROM compat_observations") == 0
