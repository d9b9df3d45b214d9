"""Cache import and clear: unknown sources, one transaction per file, hostile entries.

Issue 12 items 1 and 8, issue 17 item 11 (cache parts).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from romrunner.cache.clear import clear_source
from romrunner.cache.importfile import read_observation_file
from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT, KINDS, SETTINGS
from romrunner.cache.lookup import best_answer
from romrunner.cache.sources import ensure_source, set_source
from romrunner.errors import InputError, NotFoundError, RomRunnerError
from romrunner.packs import load_pack
from romrunner.packs.loader import builtin_pack_path
from romrunner.packs.sync import sync_pack
from romrunner.store import Database
from romrunner.store.open import OpenMode, open_database
from tests.conftest import run_subprocess

HIGH, LOW = "emulator-official", "community-verified"


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "cache.db", OpenMode.WRITE).db
    sync_pack(database, load_pack(None))
    yield database
    database.close()


def compat(game: str, status: str = "playable", **extra: Any) -> dict[str, Any]:
    return {"platform_id": "psx", "emulator_id": "duckstation", "definition_game_id": game,
            "status": status, **extra}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def source_ids(db: Database) -> set[str]:
    return {row[0] for row in db.query("SELECT source_id FROM cache_sources")}


# -- issue 12 item 1: a pack switch never deletes data; `cache clear` does, on request -----

def test_pack_switch_then_prune_keeps_the_sources_rows(cli: Any, tmp_path: Path) -> None:
    """The reported sequence: import with a pack that lists the source, then a command with
    the built-in pack (the source is then "registered: no"), then prune."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    sources_file = pack / "compatibility" / "compatibilitySources.json"
    registry = json.loads(sources_file.read_text())
    registry["sourceCatalog"].append({"id": "my-sheet", "cachePolicy": {"ttlHours": 720}})
    sources_file.write_text(json.dumps(registry))
    data = write_jsonl(tmp_path / "sheet.jsonl", [compat("SLUS-1"), compat("SLUS-2")])
    assert cli("--pack", pack, "cache", "import", data, "--source", "my-sheet").code == 0
    listed = {row["source_id"]: row for row in cli("--json", "cache", "sources").json()["data"]}
    assert listed["my-sheet"]["in_registry"] == 0  # the built-in pack does not list it
    pruned = cli("--json", "cache", "prune")
    assert pruned.code == 0 and pruned.json()["data"]["deleted"]["compat"] == 0
    why = cli("--json", "cache", "why", "psx", "duckstation", "SLUS-1").json()["data"]
    assert [row["source"] for row in why] == ["my-sheet"]
    # Only `cache clear` deletes them: --dry-run counts, then the real run deletes.
    dry = cli("--json", "cache", "clear", "--source", "my-sheet", "--dry-run")
    assert dry.code == 0 and dry.json()["data"]["observations"]["compat"] == 2
    assert len(cli("--json", "cache", "why", "psx", "duckstation", "SLUS-1").json()["data"]) == 1
    done = cli("cache", "clear", "--source", "my-sheet", "--kind", "compat")
    assert done.code == 0 and "deleted 2 observations of my-sheet" in done.out
    assert cli("--json", "cache", "why", "psx", "duckstation", "SLUS-1").json()["data"] == []


def test_clear_recomputes_best_answers_and_names_an_unknown_source(db: Database) -> None:
    ingest_observations(db, COMPAT, HIGH, [compat("g1", "broken"), compat("g2", "broken")])
    ingest_observations(db, COMPAT, LOW, [compat("g1", "perfect")])
    ingest_observations(db, SETTINGS, HIGH, [{"platform_id": "ps2", "emulator_id": "pcsx2",
                                              "definition_game_id": "S1",
                                              "settings_json": "{}"}])
    assert best_answer(db, COMPAT, "psx", "duckstation", "g1")["source"] == HIGH  # type: ignore[index]
    result = clear_source(db, HIGH, kinds=(COMPAT,))
    assert result.observations == {"compat": 2} and result.best_answers_changed == {"compat": 2}
    best = best_answer(db, COMPAT, "psx", "duckstation", "g1")
    assert best is not None and (best["source"], best["status"]) == (LOW, "perfect")
    assert best_answer(db, COMPAT, "psx", "duckstation", "g2") is None
    assert best_answer(db, SETTINGS, "ps2", "pcsx2", "S1") is not None  # other kind untouched
    assert HIGH in source_ids(db)  # the source stays registered
    with pytest.raises(NotFoundError, match="unknown cache source 'nope'"):
        clear_source(db, "nope")


@pytest.mark.parametrize("spelled", ["SCUS_974.90", "scus 97490", "SCUS-974.90", "SCUS-97490GH"])
def test_a_plain_rows_serial_is_stored_in_the_games_spelling(db: Database,
                                                             spelled: str) -> None:
    """QA54 F7: a serial written as a disc or a DAT writes it was stored as typed, and the
    game whose key is ``SCUS-97490`` never got the answer."""
    ingest_observations(db, COMPAT, LOW, [compat(spelled, "broken"),
                                          compat("psx:Some Game (USA)", "playable"),
                                          compat("GALE01", "perfect")])
    found = best_answer(db, COMPAT, "psx", "duckstation", "SCUS-97490")
    assert found is not None and found["status"] == "broken"
    assert best_answer(db, COMPAT, "psx", "duckstation", spelled) is None
    assert best_answer(db, COMPAT, "psx", "duckstation", "psx:Some Game (USA)") is not None
    assert best_answer(db, COMPAT, "psx", "duckstation", "GALE01") is not None


def test_import_into_an_unknown_source_is_refused_naming_it(cli: Any, tmp_path: Path) -> None:
    assert cli("db", "init").code == 0  # (a refused command removes a database it created)
    data = write_jsonl(tmp_path / "a.jsonl", [compat("SLUS-1")])
    refused = cli("cache", "import", data, "--source", "my-typo")
    assert refused.code == 2
    assert "unknown cache source 'my-typo'" in refused.err and "--new-source" in refused.err
    names = {row["source_id"] for row in cli("--json", "cache", "sources").json()["data"]}
    assert "my-typo" not in names
    accepted = cli("--json", "cache", "import", data, "--source", "my-typo", "--new-source")
    assert accepted.code == 0 and accepted.json()["data"]["registered_source"] is True
    assert any("registered the new cache source 'my-typo'" in warning
               for warning in accepted.json()["warnings"])
    again = cli("cache", "import", data, "--source", "my-typo")  # now it is known
    assert again.code == 0


def test_a_json_object_that_holds_no_observations_is_said_so_before_any_source(
        cli: Any, tmp_path: Path) -> None:
    """A statistics sidecar (an object naming a source, no items) is not observations: it was
    refused for naming "no source; give --source", and with --source for what it is (QA23 P4)."""
    stats = tmp_path / "gameindex_stats.json"
    stats.write_text(json.dumps({"source": "pcsx2-gameindex", "generatedAt": "2026-01-04",
                                 "stats": {"emittedItems": 2}}))
    for extra in ((), ("--source", "pcsx2-gameindex")):
        refused = cli("cache", "import", stats, *extra)
        assert refused.code == 2, refused.err
        assert refused.err.strip() == (  # (as when given beside its envelope: qa204 F5)
            f"error: {stats}: a statistics summary, no answers in it; import the file it was "
            "written beside (its envelope) instead")


def test_a_statistics_sidecar_among_the_files_given_is_passed_over(
        cli: Any, tmp_path: Path) -> None:
    """qa199 F7: `cache import samples/*` was refused whole for the statistics summary the
    knowledge pipeline writes beside each envelope; among other files it is passed over, said,
    and the envelope beside it imported. Alone it is refused as before (above)."""
    samples = tmp_path / "samples"
    samples.mkdir()
    stats = samples / "compat_stats.json"
    stats.write_text(json.dumps({"source": "community-verified", "generatedAt": "2026-01-04",
                                 "stats": {"emittedItems": 1}}))
    envelope = samples / "compat.json"
    envelope.write_text(json.dumps({"schemaVersion": "compat-source-v1",
                                    "source": "community-verified", "items": [
                                        {"platformId": "snes", "emulatorId": "snes9x",
                                         "gameId": "*", "status": "playable"}]}))
    both = cli("cache", "import", envelope, stats)
    assert both.code == 0, both.err
    assert f"{stats}: a statistics summary, no answers in it, not read" in both.err
    assert "cheats" not in both.err
    why = cli("--json", "cache", "why", "snes", "snes9x", "*").json()["data"]
    assert [row["status"] for row in why] == ["playable"], why
    folder = cli("cache", "import", samples)  # (their folder too: review45e F4)
    assert folder.code == 0, folder.err
    assert f"{stats}: a statistics summary, no answers in it, not read" in folder.err


# -- issue 12 item 8: a file is one unit; bad entries skipped and counted -----------------

def test_a_failure_at_row_6000_leaves_nothing_committed(db: Database, tmp_path: Path) -> None:
    """The whole file is one transaction: a failure in its second batch (here a real
    trigger that aborts) leaves neither the first 5,000 rows nor a new source behind."""
    db.execute("CREATE TRIGGER stop_at_5000 BEFORE INSERT ON compat_observations "
               "WHEN (SELECT count(*) FROM compat_observations) >= 5000 "
               "BEGIN SELECT RAISE(ABORT, 'stopped at row 5001'); END")
    data = write_jsonl(tmp_path / "big.jsonl", [compat(f"g{i}") for i in range(6000)])
    with pytest.raises(sqlite3.IntegrityError, match="stopped at row 5001"):
        ingest_observations(db, COMPAT, "new-site", read_observation_file(data),
                            new_source=True, batch_size=5000)
    assert db.scalar("SELECT count(*) FROM compat_observations") == 0
    assert db.scalar("SELECT count(*) FROM emulator_compat_cache") == 0
    assert "new-site" not in source_ids(db)
    assert not db.conn.in_transaction


def test_bad_entries_are_skipped_counted_and_the_exit_code_says_so(cli: Any,
                                                                    tmp_path: Path) -> None:
    rows: list[Any] = [compat(f"g{i}") for i in range(6000)]
    rows[5999] = compat("g5999", "great")
    rows[10] = [1, 2]
    data = write_jsonl(tmp_path / "mixed.jsonl", rows)
    result = cli("--json", "cache", "import", data, "--source", HIGH)
    assert result.code == 1
    document = result.json()
    assert document["ok"] is False
    assert document["data"]["observations"] == 5998 and document["data"]["skipped"] == 2
    assert document["data"]["problems"] == [
        {"where": "line 11", "reason": "not a JSON object"},
        {"where": "line 6000", "reason": "status 'great' is not one of boots_only, broken, "
                                         "ingame, menu_intro, perfect, playable, unknown"}]
    assert any("5,998 imported, 2 skipped: line 11: not a JSON object; line 6000: status"
               in warning for warning in document["warnings"])
    text = cli("cache", "import", data, "--source", HIGH)
    assert text.code == 1 and "5,998 imported, 2 skipped: line 11" in " ".join(text.err.split())


def test_a_refused_file_registers_no_source(cli: Any, tmp_path: Path) -> None:
    assert cli("db", "init").code == 0  # (a refused command removes a database it created)
    cases = {"broken.json": "[{\"platform_id\": ", "none.jsonl": "[1]\n\"x\"\n",
             "empty.jsonl": "", "strict.jsonl": json.dumps(compat("g1")) + "\n[]\n"}
    for number, (name, text) in enumerate(cases.items()):
        path = tmp_path / name
        path.write_text(text)
        extra = ("--strict",) if name.startswith("strict") else ()
        result = cli("cache", "import", path, "--source", f"new-{number}", "--new-source",
                     *extra)
        assert result.code == 2, name
        assert str(path) in result.err and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1
    names = {row["source_id"] for row in cli("--json", "cache", "sources").json()["data"]}
    assert not any(name.startswith("new-") for name in names)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    result = cli("cache", "import", fifo, "--source", HIGH)  # would block if opened
    assert result.code == 2 and "not a regular file" in result.err


def test_undecodable_ids_on_the_command_line_are_one_line_errors(tmp_path: Path) -> None:
    """An argument with an undecodable byte arrives as a lone surrogate: each command that
    takes an id says it is unusable or unknown, never "internal error"."""
    env = {"ROMRUNNER_DB": str(tmp_path / "r.db")}
    assert run_subprocess("db", "init", env=env).code == 0
    write_jsonl(tmp_path / "a.jsonl", [compat("g1")])
    bad = "\udcff"  # the byte 0xff, as Python decodes argv
    for args in (("cache", "why", bad, "x", "y"), ("cache", "clear", "--source", bad),
                 ("cache", "import", str(tmp_path / "a.jsonl"), "--source", bad),
                 ("search", "x", "--platform", bad), ("bios", "check", "--platform", bad),
                 ("bios", "check", "--emulator", bad)):
        result = run_subprocess(*args, env=env)
        assert result.code == 2, args
        assert "internal error" not in result.err and "Traceback" not in result.err, args
        assert len(result.err.strip().splitlines()) == 1 and "\\xff" in result.err, args
        assert "not UTF-8" in result.err, args  # (refused before it runs: QA34 F10)


# -- issue 17 item 11: hostile entries are skipped and counted, never an internal error ----

HOSTILE: list[tuple[str, str, str]] = [
    # (kind, JSON Lines text of one entry, what the reason says)
    ("compat", json.dumps(compat("g", status=[])), "status a list is not one of"),
    ("compat", json.dumps(compat("g", status={"a": 1})), "status an object is not one of"),
    ("compat", json.dumps(compat("g", notes=["x"])), "notes must be text, not a list"),
    ("compat", json.dumps(compat("")), "definition_game_id must be a non-empty text id"),
    ("compat", json.dumps(compat("  ")), "definition_game_id must be a non-empty text id"),
    ("compat", json.dumps(compat(7)), "definition_game_id must be a non-empty text id"),
    ("compat", json.dumps(compat("\ud800")), "lone surrogate"),
    ("compat", json.dumps(compat("g", notes="a\udfffb")), "lone surrogate"),
    ("compat", json.dumps(compat("g", status=float("nan"))), "status nan is not one of"),
    ("compat", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("compat", '{"a": ' + "1" * 5000 + "}", "not valid JSON"),
    ("compat", "\xff\xfe not utf-8", "not UTF-8 text"),
    ("performance", '{"device_profile_id": ' + str(10**30) + ', "platform_id": "psx", '
     '"definition_game_id": "g", "performance_tier": "good"}', "integer of 31 digits"),
    ("performance", '{"device_profile_id": true, "platform_id": "psx", '
     '"definition_game_id": "g", "performance_tier": "good"}', "must be an integer, not True"),
    ("performance", '{"device_profile_id": 1, "platform_id": "psx", "raw_score": NaN, '
     '"definition_game_id": "g", "performance_tier": "good"}', "raw_score must be an integer"),
    ("performance", '{"device_profile_id": 1, "platform_id": "psx", "raw_score": false, '
     '"definition_game_id": "g", "performance_tier": "good"}', "raw_score must be an integer"),
    ("performance", '{"device_profile_id": 1, "platform_id": "psx", "raw_score": '
     + str(2**63) + ', "definition_game_id": "g", "performance_tier": "good"}', "out of range"),
    ("performance", '{"device_profile_id": 99, "platform_id": "psx", '
     '"definition_game_id": "g", "performance_tier": "good"}', "99 is not a device profile"),
    ("performance", '{"device_profile_id": 1, "platform_id": "psx", "requires_settings": 2, '
     '"definition_game_id": "g", "performance_tier": "good"}', "requires_settings must be"),
    ("settings", '{"platform_id": "ps2", "emulator_id": "pcsx2", "definition_game_id": "g", '
     '"settings_json": {"deep": [1]}}', "settings_json must be text, not an object"),
]


def add_profile(db: Database) -> None:
    db.execute("INSERT INTO devices (device_id, connection_type) VALUES ('rg35xx', 'sd_card')")
    db.execute("INSERT INTO device_profiles (device_row_id, os_id) VALUES (1, 'muos')")


@pytest.mark.parametrize(("kind", "line", "reason"), HOSTILE)
def test_hostile_entry_is_skipped_and_counted(db: Database, tmp_path: Path, kind: str,
                                              line: str, reason: str) -> None:
    add_profile(db)
    good = {"compat": compat("ok"),
            "performance": {"device_profile_id": 1, "platform_id": "psx",
                            "definition_game_id": "ok", "performance_tier": "good",
                            "requires_settings": True},
            "settings": {"platform_id": "ps2", "emulator_id": "pcsx2",
                         "definition_game_id": "ok", "settings_json": "{}"}}[kind]
    path = tmp_path / "hostile.jsonl"
    raw = line.encode("latin-1") if reason == "not UTF-8 text" else line.encode()
    path.write_bytes(json.dumps(good).encode() + b"\n" + raw + b"\n")
    result = ingest_observations(db, KINDS[kind], HIGH, read_observation_file(path))
    assert (result.observations, result.skipped) == (1, 1)
    assert result.problems[0].where == "line 2" and reason in result.problems[0].reason
    assert db.scalar(f"SELECT count(*) FROM {KINDS[kind].observations}") == 1


def test_hostile_json_document_is_a_one_line_error(db: Database, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"deep.json: not usable JSON \(nested too deeply\)"):
        list(read_observation_file(deep))
    long_number = tmp_path / "long.json"
    long_number.write_text("[" + "9" * 5000 + "]")
    with pytest.raises(InputError, match=r"long.json: not valid JSON"):
        list(read_observation_file(long_number))
    items = tmp_path / "items.json"
    items.write_text(json.dumps({"items": [compat("g1"), "text", compat("g2", "nope")]}))
    result = ingest_observations(db, COMPAT, HIGH, read_observation_file(items))
    assert result.observations == 1
    assert [str(p) for p in result.problems] == [
        "item 2: not a JSON object",
        "item 3: status 'nope' is not one of boots_only, broken, ingame, menu_intro, perfect, "
        "playable, unknown"]


# The fuzz: any entry, any bytes. Property: the importer returns a result whose counts add
# up, or raises the project's error; never a SQL error, never anything else.
_FIELDS = ("platform_id", "emulator_id", "definition_game_id", "device_profile_id", "status",
           "performance_tier", "settings_json", "confidence", "raw_score", "requires_settings",
           "apply_mode", "notes", "extra")
_LEAVES = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**62)
           | st.floats() | st.text(max_size=8)
           | st.sampled_from(["", "\ud800", "a\udfffb", "psx", "good", "playable", "{}", "1"]))
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
_VALID = {"compat": compat("g"), "settings": {"platform_id": "ps2", "emulator_id": "pcsx2",
                                              "definition_game_id": "g", "settings_json": "{}"},
          "performance": {"device_profile_id": 1, "platform_id": "psx",
                          "definition_game_id": "g", "performance_tier": "good"}}
_ENTRY = st.one_of(
    st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=4).map(lambda d: ("patch", d)),
    _VALUES.map(lambda value: ("value", value)),
    st.binary(max_size=24).map(lambda raw: ("raw", raw)))
_DB: list[Database] = []
_SOURCE_NUMBERS = itertools.count()


def _fuzz_db() -> Database:
    if not _DB:
        database = open_database(Path(tempfile.mkdtemp()) / "fuzz.db", OpenMode.WRITE).db
        sync_pack(database, load_pack(None))
        add_profile(database)
        _DB.append(database)
    return _DB[0]


def _line(kind: str, entry: tuple[str, Any]) -> bytes:
    shape, value = entry
    if shape == "raw":
        return bytes(value).replace(b"\n", b" ").replace(b"\r", b" ")
    if shape == "patch":
        value = {**_VALID[kind], **value}
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), entries=st.lists(_ENTRY, min_size=1, max_size=6))
def test_fuzzed_import_raises_only_the_projects_error(kind: str,
                                                      entries: list[tuple[str, Any]]) -> None:
    db = _fuzz_db()
    folder = Path(tempfile.mkdtemp())
    path = folder / "fuzz.jsonl"
    lines = [_line(kind, entry) for entry in entries]
    path.write_bytes(b"\n".join(lines) + b"\n")
    source = f"fuzz-{next(_SOURCE_NUMBERS)}"
    before = db.scalar(f"SELECT count(*) FROM {KINDS[kind].observations}")
    try:
        result = ingest_observations(db, KINDS[kind], source, read_observation_file(path),
                                     new_source=True)
    except RomRunnerError:
        assert db.scalar(f"SELECT count(*) FROM {KINDS[kind].observations}") == before
        assert db.scalar("SELECT count(*) FROM cache_sources WHERE source_id = ?",
                         (source,)) == 0
    else:
        nonblank = sum(1 for line in lines if line.strip())
        assert result.observations + result.skipped == nonblank
        assert result.observations >= 1
        stored = db.scalar(f"SELECT count(*) FROM {KINDS[kind].observations} WHERE source = "
                           "(SELECT id FROM cache_sources WHERE source_id = ?)", (source,))
        assert 1 <= stored <= result.observations  # repeated keys replace each other
    assert not db.conn.in_transaction
    shutil.rmtree(folder)


def test_a_users_source_choices_survive_a_pack_change(tmp_path: Path) -> None:
    """`cache sources set` values are the user's: switching packs (or running one command with
    another --pack) must not reset them, and best answers follow the user's ranks."""
    database = open_database(tmp_path / "choices.db", OpenMode.WRITE).db
    sync_pack(database, load_pack(None))
    set_source(database, "rom-runner-db", priority=1)  # any registered source
    ensure_source(database, "community-sheet")
    set_source(database, "community-sheet", priority=1, ttl_hours=5, kinds=("compat",))
    # (QA72 F1: a rank set since in another kind put rom-runner-db's compat 1 first again)
    set_source(database, "rom-runner-db", priority=5, kinds=("performance",))
    other_pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), other_pack)
    devices = other_pack / "devices.json"
    devices.write_text(devices.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    for pack in (load_pack(other_pack), load_pack(None)):
        assert sync_pack(database, pack).changed
        row = database.query_one(
            "SELECT s.ttl_hours, p.rank FROM cache_sources s JOIN cache_source_priority p "
            "ON p.source = s.id AND p.cache_kind = 'compat' WHERE s.source_id = ?",
            ("community-sheet",))
        assert row is not None and (row[0], row[1]) == (5, 1)
        ranks = [str(r[0]) for r in database.query(
            "SELECT s.source_id FROM cache_source_priority p JOIN cache_sources s "
            "ON s.id = p.source WHERE p.cache_kind = 'compat' ORDER BY p.rank")]
        # (placed before the sources that held their rank, in the order they were set)
        assert ranks[:3] == ["user-override", "community-sheet", "rom-runner-db"], ranks
    database.close()


def test_a_prune_dry_run_counts_with_the_ttl_of_the_pack_in_use(cli: Any,
                                                                tmp_path: Path) -> None:
    """QA54 F3: right after the pack in use changed, `cache prune --dry-run` (read-only)
    counted with the last pack's TTL (168 h: "would delete 0") and the run, which records the
    new pack's (24 h), deleted the rows."""
    from tests.conftest import shared_path
    real = shared_path("definition-pack")
    rows = tmp_path / "compat.json"
    rows.write_text(json.dumps({"schemaVersion": "compat-source-v1",
                                "source": "emuready-listings", "items": [
                                    {"platformId": "psx", "emulatorId": "duckstation",
                                     "externalGameId": f"SLUS-0087{n}", "status": "ingame"}
                                    for n in range(2)]}))
    assert cli("--pack", real, "cache", "import", rows).code == 0
    ttls = {row["source_id"]: row["ttl_hours"] for row in cli(
        "--json", "--pack", real, "cache", "sources").json()["data"]}
    builtin = {row["source_id"]: row["ttl_hours"] for row in cli(
        "--json", "cache", "sources").json()["data"]}
    old, new = ttls["emuready-listings"], builtin["emuready-listings"]
    assert old > new  # (what the test is about: the built-in pack keeps them less long)
    fetched_hours = old * 2  # due with the built-in pack's TTL and grace, not the real one's
    expired_hours = fetched_hours - old
    assert expired_hours > 4 * new and expired_hours < 4 * old
    import time
    now = int(time.time())
    with sqlite3.connect(os.environ["ROMRUNNER_DB"]) as conn:
        for table in ("compat_observations", "emulator_compat_cache"):
            conn.execute(f"UPDATE {table} SET fetched_at = ?, expires_at = ?",
                         (now - fetched_hours * 3600, now - expired_hours * 3600))
    assert cli("--json", "--pack", real, "cache", "prune", "--dry-run").json()["data"][
        "deleted"]["compat"] == 0
    dry = cli("--json", "cache", "prune", "--dry-run").json()["data"]["deleted"]["compat"]
    done = cli("--json", "cache", "prune").json()["data"]["deleted"]["compat"]
    assert dry == done == 2


def test_an_answer_whose_emulator_does_not_run_its_platform_is_skipped_and_said(
        cli: Any, tmp_path: Path) -> None:
    """QA127 F3: a PS2 emulator's rating of a GameCube game was stored (`compat:broken`
    listed Melee), and a platform the pack does not know, unsaid."""
    import json

    from tests.conftest import shared_path
    pack = str(shared_path("definition-pack"))
    envelope = tmp_path / "mixed.json"
    envelope.write_text(json.dumps({
        "schemaVersion": "compat-source-v1", "source": "emuready-listings", "items": [
            {"platformId": "gamecube", "emulatorId": "pcsx2", "externalGameId": "GALE01",
             "status": "broken"},
            {"platformId": "ps2", "emulatorId": "pcsx2", "externalGameId": "SLUS-20946",
             "status": "playable"},
            {"platformId": "nosuch", "emulatorId": "pcsx2", "externalGameId": "X-1",
             "status": "playable"},
            # (review 131 F6: an emulator listing a platform the pack does not know beside
            # its own is judged still)
            {"platformId": "ps2", "emulatorId": "flycast2021", "externalGameId": "SLUS-1",
             "status": "broken"}]}))
    result = cli("--pack", pack, "--json", "cache", "import", envelope)
    data = result.json()["data"]
    assert data["observations"] == 2 and data["skipped"] == 2, result.out
    said = " ".join(result.json()["warnings"])
    assert "item 1: emulator 'pcsx2' does not run gamecube" in said, said
    assert "platform nosuch is not in the definition pack in use" in said, said


def test_a_file_filed_under_another_source_says_whose_answers_they_are(
        cli: Any, tmp_path: Path) -> None:
    """QA127 F7: `--source duckstation-gamedb` filed PCSX2's GameIndex under DuckStation's
    source (its lifetime, its rank) without a word."""
    from tests.conftest import shared_path
    index = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    result = cli("--json", "cache", "import", index, "--source", "duckstation-gamedb")
    assert result.code in (0, 1), result.err
    assert result.json()["data"]["source"] == "duckstation-gamedb"
    assert any("its answers are pcsx2-gameindex's: filed under duckstation-gamedb" in w
               for w in result.json()["warnings"]), result.json()["warnings"]


def test_a_catalog_id_in_external_game_id_is_refused_saying_where_it_goes(
        cli: Any, tmp_path: Path) -> None:
    """QA144 F4: `externalGameId: "gb:Monopoly (USA)"` (or `*`) was "not a usable id" with
    no word that `gameId` takes it; there it is imported."""
    import json

    def envelope(key: str) -> Path:
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps({
            "schemaVersion": "compat-source-v1", "source": "community-verified", "items": [
                {"platformId": "gb", "emulatorId": "gambatte", key: "gb:Monopoly (USA)",
                 "status": "broken"}]}))
        return path

    refused = cli("--json", "cache", "import", envelope("externalGameId"))
    assert refused.code == 2, refused.out
    said = " ".join(refused.json()["errors"] + refused.json()["warnings"])
    assert "is not a usable id" in said and "goes in gameId" in said, said
    taken = cli("--json", "cache", "import", envelope("gameId"))
    assert taken.code == 0 and taken.json()["data"]["observations"] == 1, taken.out
