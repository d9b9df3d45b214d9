"""An envelope's own date (QA84 F4, review 96 F4, F7): one older than its source's answers of
its kinds in the cache is refused, nothing imported, unless --older; the newest date is kept
per source and kind of answers (QA127 F2: per envelope schema, a settings envelope's ratings
were replaced by an older ratings envelope) and shown by `cache sources`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

SOURCE = "emuready-listings"
COMPAT = "compat-source-v1"
RATINGS = "compat"  # (the kind of answers a date is kept for)


def _envelope(path: Path, status: str, generated_at: str | None) -> Path:
    document: dict[str, Any] = {"schemaVersion": COMPAT, "source": SOURCE,
                                "items": [{"platformId": "psx", "emulatorId": "duckstation",
                                           "externalGameId": "SLUS-00870",
                                           "status": status}]}
    if generated_at is not None:
        document["generatedAt"] = generated_at
    path.write_text(json.dumps(document))
    return path


def _settings(path: Path, generated_at: str) -> Path:
    path.write_text(json.dumps({
        "schemaVersion": "emulator-settings-v1", "source": SOURCE, "generatedAt": generated_at,
        "items": [{"platformId": "psx", "emulatorId": "duckstation",
                   "externalGameId": "SLUS-00870", "settings": {"gpu": "vulkan"}}]}))
    return path


def _statuses(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute(
            "SELECT status FROM v_emulator_compat ORDER BY status")]


def _as_of(cli: Any) -> dict[str, str]:
    rows = cli("--json", "cache", "sources").json()["data"]
    (row,) = [r for r in rows if r["source_id"] == SOURCE]
    return dict(row["data_as_of"])


def test_an_older_envelope_is_refused_unless_asked_and_the_newest_date_is_kept(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    newer = _envelope(tmp_path / "newer.json", "playable", "2026-06-01T09:30:00Z")
    older = _envelope(tmp_path / "older.json", "broken", "2020-01-01T10:00:00+02:00")
    assert cli("cache", "import", newer).code == 0
    assert _as_of(cli) == {RATINGS: "2026-06-01T09:30:00Z"}
    assert _statuses(db_path) == ["playable"]

    refused = cli("cache", "import", older)
    assert refused.code == 2
    assert (f"{older}: its answers are dated 2020-01-01T08:00:00Z (generatedAt), older than "
            f"{SOURCE}'s compat answers in the cache (2026-06-01T09:30:00Z)") in refused.err
    assert "--older" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert _statuses(db_path) == ["playable"]
    # (one transaction: a newer file beside it is not imported either)
    both = cli("cache", "import", _envelope(tmp_path / "n2.json", "perfect", "2026-07-01"),
               older)
    assert both.code == 2 and _statuses(db_path) == ["playable"]

    taken = cli("--json", "cache", "import", older, "--older")
    assert taken.code == 0, taken.err
    assert taken.json()["data"]["generated_at"] == "2020-01-01T08:00:00Z"
    assert _statuses(db_path) == ["broken"]
    assert _as_of(cli) == {RATINGS: "2026-06-01T09:30:00Z"}  # (the newest answers' date)
    same_day = _envelope(tmp_path / "day.json", "ingame", "2026-06-01")
    assert cli("cache", "import", same_day).code == 0  # (a day alone: not older that day)
    assert _statuses(db_path) == ["ingame"]
    shown = cli("cache", "sources")
    assert f"{SOURCE}: data as of 2026-06-01T09:30:00Z ({RATINGS})" in shown.out.splitlines()


def test_two_files_of_one_command_are_compared_with_each_other(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    assert cli("db", "init").code == 0
    newer = _envelope(tmp_path / "n.json", "playable", "2026-07-01")
    older = _envelope(tmp_path / "o.json", "broken", "2026-06-15")
    refused = cli("cache", "import", newer, older)
    assert refused.code == 2 and f"older than those of {newer} before it" in refused.err
    assert _statuses(db_path) == [] and _as_of(cli) == {}
    assert cli("cache", "import", older, newer).code == 0  # (the newer last: its answers win)
    assert _statuses(db_path) == ["playable"] and _as_of(cli) == {RATINGS: "2026-07-01"}


def test_a_date_of_answers_no_longer_in_the_cache_or_of_another_kind_refuses_nothing(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    assert cli("cache", "import", _envelope(tmp_path / "a.json", "playable",
                                            "2026-06-01")).code == 0
    # the source's settings are dated apart from its ratings
    settings = cli("cache", "import", _settings(tmp_path / "s.json", "2026-05-01"))
    assert settings.code == 0, settings.err
    assert _as_of(cli) == {RATINGS: "2026-06-01", "settings": "2026-05-01"}
    assert cli("cache", "clear", "--source", SOURCE).code == 0
    again = cli("cache", "import", _envelope(tmp_path / "b.json", "broken", "2025-01-01"))
    assert again.code == 0, again.err  # (the cache held nothing of it any more)
    assert _statuses(db_path) == ["broken"]


def test_an_undated_or_unreadable_date_is_imported_and_not_compared(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    assert cli("cache", "import", _envelope(tmp_path / "a.json", "playable",
                                            "2026-06-01T12:00:00Z")).code == 0
    undated = cli("cache", "import", _envelope(tmp_path / "b.json", "ingame", None))
    assert undated.code == 0 and _statuses(db_path) == ["ingame"]
    assert _as_of(cli) == {RATINGS: "2026-06-01T12:00:00Z"}
    odd = cli("cache", "import", _envelope(tmp_path / "c.json", "broken", "last tuesday"))
    assert odd.code == 0 and _statuses(db_path) == ["broken"]
    assert "generatedAt 'last tuesday' is not a date" in odd.err
    assert _as_of(cli) == {RATINGS: "2026-06-01T12:00:00Z"}


def test_a_ratings_envelope_older_than_a_settings_envelopes_ratings_is_refused(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA127 F2: the date was kept per envelope schema: a ratings envelope of 2025 replaced the
    ratings a settings envelope of this year brought, without a word."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({
        "schemaVersion": "emulator-settings-v1", "source": SOURCE, "generatedAt": "2026-06-01",
        "items": [{"platformId": "psx", "emulatorId": "duckstation",
                   "externalGameId": "SLUS-00870",
                   "compatRating": {"raw": 4, "normalized": "playable"},
                   "settings": {"gpu": "vulkan"}}]}))
    imported = cli("--json", "cache", "import", settings)
    assert imported.code == 0 and _statuses(db_path) == ["playable"], imported.out
    refused = cli("cache", "import", _envelope(tmp_path / "old.json", "broken", "2025-01-01"))
    assert refused.code == 2 and "older than" in refused.err, refused.err
    assert _statuses(db_path) == ["playable"]


def test_a_future_date_is_said_and_neither_compared_nor_kept(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA127 F8: an envelope dated next year was kept as its source's date, and every
    current file after it was refused as "older"."""
    future = cli("cache", "import", _envelope(tmp_path / "f.json", "playable", "2999-01-01"))
    assert future.code == 0 and "is in the future" in future.err, future.err
    assert _as_of(cli) == {}
    current = cli("cache", "import", _envelope(tmp_path / "c.json", "ingame", "2026-06-01"))
    assert current.code == 0 and _statuses(db_path) == ["ingame"], current.err


def test_an_emulators_undated_file_leaves_its_sources_answers_undated(
        cli: Any, tmp_path: Path) -> None:
    """QA153 F5: after a dated envelope of pcsx2-gameindex, the real (undated) GameIndex's
    answers were all "as of" the envelope's date, and a later envelope dated before it was
    refused as older than answers no envelope had brought."""
    from tests.conftest import shared_path

    sample = shared_path("samples", "settings_pcsx2-gameindex_sample.json")
    index = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")

    def as_of() -> dict[str, str]:
        rows = cli("--json", "cache", "sources").json()["data"]
        (row,) = [r for r in rows if r["source_id"] == "pcsx2-gameindex"]
        return dict(row["data_as_of"])

    assert cli("cache", "import", sample).code in (0, 1)
    assert as_of() != {}
    assert cli("cache", "import", index).code in (0, 1)
    assert as_of() == {}
    earlier = json.loads(sample.read_text())
    earlier["generatedAt"] = "2025-06-01T00:00:00Z"
    (tmp_path / "earlier.json").write_text(json.dumps(earlier))
    imported = cli("cache", "import", tmp_path / "earlier.json")
    assert imported.code in (0, 1), imported.err
    assert as_of() == {}  # (beside the GameIndex's answers, its date is none of theirs)
