"""With --json, a command that fails says why in the envelope's `errors`, one line at least,
not only somewhere in `data` (QA6 B-8: exit 1 gave ok:false with errors: [])."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from romrunner.cli.context import AppContext
from tests.conftest import shared_path
from tests.test_deploy_keeps_user_data import gb_library  # noqa: F401  (a fixture)


def failed(result: Any, code: int = 1) -> dict[str, Any]:
    """The envelope of a failed run, checked for a reason that repeats no warning."""
    assert result.code == code, result.err
    envelope: dict[str, Any] = result.json()
    assert envelope["ok"] is False
    assert envelope["errors"], envelope
    assert all(isinstance(line, str) and line and "\n" not in line
               for line in envelope["errors"])
    assert not set(envelope["errors"]) & set(envelope["warnings"])
    return envelope


def test_games_find_with_no_match(cli: Any) -> None:
    assert cli("db", "init").code == 0
    envelope = failed(cli("--json", "games", "find", "--sha1", "0" * 40))
    assert envelope["errors"] == ["no game in the library holds this data"]
    assert envelope["data"] == []


def test_bios_check_strict(cli: Any) -> None:
    assert cli("db", "init").code == 0
    envelope = failed(cli("--json", "bios", "check", "--platform", "psx", "--strict"))
    assert envelope["errors"] == [envelope["data"]["summary"]]
    assert envelope["errors"][0].startswith("required BIOS missing: 1 of 1")


def test_cache_import_with_skipped_entries(cli: Any, tmp_path: Path) -> None:
    rows = [{"platform_id": "psx", "emulator_id": "duckstation",
             "definition_game_id": "SLUS-00594", "status": "playable"}, [1, 2]]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    envelope = failed(cli("--json", "cache", "import", str(data),
                          "--source", "emulator-official"))
    assert envelope["errors"] == ["1 entry skipped, not imported (named in the warnings)"]
    assert any("1 imported, 1 skipped: line 2: not a JSON object" in line
               for line in envelope["warnings"])


def test_pack_validate_with_problems(cli: Any) -> None:
    pack = shared_path("definition-pack")
    result = cli("--json", "pack", "validate", str(pack))
    if result.code == 0:
        return  # the real pack became clean: nothing failed
    envelope = failed(result)
    bios = len(envelope["data"]["bios_hash_disagreements"])
    entries = len(envelope["data"]["problems"]) - bios
    reasons = ([f"{pack}: {entries} pack entries skipped or repaired"] if entries else []) + \
        ([f"{pack}: {bios} BIOS hash disagreements"] if bios else [])
    assert envelope["errors"] == [f"{'; '.join(reasons)} (data.problems lists them)"]


def test_db_check_with_a_broken_foreign_key(cli: Any, db_path: Path) -> None:
    assert cli("collection", "create", "Couch").code == 0
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA foreign_keys = OFF")
    couch = raw.execute("SELECT id FROM collections WHERE name = 'Couch'").fetchone()[0]
    raw.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                "VALUES (?, 999, 1)", (couch,))
    raw.commit()
    raw.close()
    envelope = failed(cli("--json", "db", "check"))
    assert envelope["errors"] == [
        "the database has problems: 1 broken foreign key (rows naming a row that is gone: "
        "restore a backup, `romrunner db restore BACKUP`)"]


def test_deploy_with_a_conflict_and_its_dry_run(cli: Any, gb_library: Path,  # noqa: F811
                                                tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "ROMS" / "gb").mkdir(parents=True)  # muOS's folder for gb
    (card / "ROMS" / "gb" / "Alpha (USA).gb").write_bytes(b"the user's own file")
    dry = failed(cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run"))
    assert dry["errors"] == ["1 file would be left as a conflict (data.conflicts lists it)"]
    text = cli("deploy", "1", "--to", str(card), "title:alpha", "--dry-run")
    assert "1 game chosen (title:alpha); 1 file, " in text.out  # (QA9 F7: "1 games")
    real = failed(cli("--json", "deploy", "1", "--to", str(card), "platform:gb"))
    deployment = real["data"]["deployment_id"]
    assert real["errors"] == [f"deployment {deployment}: 0 files failed, 1 conflict "
                              "(data.errors names each)"]
    again = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert ": 0 copied, 1 skipped, 1 conflict, 0 failed, 0 pruned; " in again.out


def test_a_failure_without_a_stated_reason_still_gets_one() -> None:
    app = AppContext(Path("unused.db"), None, True, False, False)
    app.finish({"found": 3}, ok=False)
    envelope = app.envelope(1)
    assert envelope["ok"] is False
    assert envelope["errors"] == ["romrunner failed (exit 1); its data says what it found"]
    assert app.envelope(0)["errors"] == []


def test_json_after_double_dash_is_a_word_not_the_option(cli: Any) -> None:
    """QA34 F4: `--json` after `--` is a word (a collection's name, a query term), so the
    output is text alone; an envelope was printed after the text, on success and failure."""
    made = cli("collection", "create", "--", "--json")
    assert made.code == 0 and "--json" in made.out, made.out
    assert '"ok"' not in made.out and not made.out.lstrip().startswith("{"), made.out
    bad = cli("games", "ls", "--", "--json", "bad:x")
    assert bad.code == 2 and bad.out == "" and bad.err.startswith("error:"), (bad.out, bad.err)
    listed = cli("--json", "collection", "ls")
    assert "--json" in [c["name"] for c in listed.json()["data"]], listed.out
