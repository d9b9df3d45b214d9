"""`-q` and `-v` after a command work as `--quiet` and `--verbose` do (QA11 N6), except after a
command that takes query words, where they are NOT terms as before.

Before: `romrunner scan -q`, `library ls -v` were "No such option" (only the long forms were
moved before the command), and `games ls -v badfield:x` printed a traceback (any `-v` in the
arguments counted as --verbose when an error was reported).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def _library(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "roms"
    (root / "NES").mkdir(parents=True)
    (root / "NES" / "Quest (USA).nes").write_bytes(b"NES\x1a" + b"q" * 16380)
    (root / "NES" / "Alpha (USA).nes").write_bytes(b"NES\x1a" + b"a" * 16380)
    assert cli("library", "add", str(root)).code == 0
    return root


def test_short_forms_after_a_command_are_the_global_options(cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path)
    scanned = cli("scan", "--workers", "1", "-q")
    assert scanned.code == 0 and scanned.out == "" and scanned.err == "", scanned.err
    for args in (("library", "ls", "-q"), ("collection", "ls", "-q"), ("db", "status", "-q"),
                 ("platforms", "-q")):
        quiet = cli(*args)
        assert quiet.code == 0 and quiet.out == "", (args, quiet.out, quiet.err)
        assert cli(*args[:-1]).out != "", args  # (there is something to keep quiet)
    listed = cli("library", "ls", "-v", "--json")
    assert listed.code == 0 and [r["path"] for r in listed.json()["data"]] == [str(root)]
    # -v is --verbose there too; a refusal is one line with either, or without (QA140 F8:
    # a traceback came with it under --verbose)
    missing = str(tmp_path / "nowhere")
    for flag in ("-v", "--verbose", None):
        said = cli("library", "add", missing, *([flag] if flag else []))
        assert said.code == 2 and "Traceback" not in said.err, (flag, said.err)
        assert [line for line in said.err.strip().splitlines()
                if line.startswith("error:")] == [
                    f"error: {missing}: does not exist (a drive or share not mounted?)"], said.err


def test_after_a_query_command_they_are_refused_not_taken_as_not_terms(
        cli: Any, tmp_path: Path) -> None:
    """QA98 F1: `deploy … --prune -q` took `-q` for a NOT term (the games without a "q…"
    word) and pruned those games off the card, exit 0. Refused in one line, naming the
    spellings that work; a NOT term of the letter is written -title:q."""
    _library(cli, tmp_path)
    assert cli("scan", "--workers", "1").code == 0

    def listed(*words: str) -> list[str]:
        result = cli("--json", "games", "ls", *words)
        assert result.code == 0, (words, result.err)
        return sorted(row["filename"] for row in result.json()["data"]["games"])

    assert listed("-title:q") == ["Alpha (USA).nes"]     # the games without "q…"
    assert listed("-quest") == listed("-title:q") and listed("-platform:nes") == []
    for words in (("games", "ls", "-q"), ("search", "a", "-v"), ("games", "ls", "a", "-vq"),
                  ("games", "ls", "-vvv"), ("games", "ls", "-qq"),
                  ("deploy", "1", "--to", str(tmp_path / "card"), "--prune", "-q")):
        refused = cli(*words)
        assert refused.code == 2 and "write it before the command" in refused.err, words
        assert len(refused.err.strip().splitlines()) == 1 and "Traceback" not in refused.err
    assert not (tmp_path / "card").exists()
    # the value of an option is never moved: a smart collection of the query "-q"
    made = cli("--json", "collection", "create", "noq", "--query", "-q")
    assert made.code == 0, made.err
    shown = cli("--json", "collection", "show", "noq").json()["data"]
    assert [row["filename"] for row in shown["games"]] == ["Alpha (USA).nes"]


def test_a_failing_command_under_quiet_says_why_on_stderr_only(cli: Any,
                                                              tmp_path: Path) -> None:
    """QA34 F8: `-q` prints "nothing but errors", yet a failed command printed its whole
    report on stdout, and a failing `cache import -q` never said which entry it skipped
    (a warning, which -q holds back). The errors, and the warnings behind them, on stderr."""
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([
        {"platform_id": "gb", "definition_game_id": "gb:Plain", "emulator_id": "e",
         "status": "perfect"},
        {"platform_id": "gb", "definition_game_id": "gb:x", "emulator_id": "e",
         "status": "bogus"}]))
    failed = cli("-q", "cache", "import", str(rows), "--format", "rows", "--source", "s8",
                 "--new-source")
    assert failed.code == 1 and failed.out == "", failed.out
    assert "status 'bogus'" in failed.err and "error: 1 entry skipped" in failed.err, failed.err
    gone = tmp_path / "gone"
    gone.mkdir()
    assert cli("library", "add", str(gone)).code == 0
    gone.rmdir()
    scanned = cli("-q", "scan", "--workers", "1")
    assert scanned.code == 1 and scanned.out == "" and "not reachable" in scanned.err


def test_an_option_written_last_without_its_value_is_refused(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA98 F4: `deploy 1 --to` took the `--` the query's parser puts before the words for
    its value: "--: destination does not exist", or, with a folder named `--` where the
    shell was, a deploy into it."""
    _library(cli, tmp_path)
    assert cli("scan", "--workers", "1").code == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "--").mkdir()
    for words in (("deploy", "1", "--to"), ("deploy", "1", "platform:nes", "--to"),
                  ("games", "ls", "--limit")):
        refused = cli(*words)
        assert refused.code == 2 and "requires an argument" in refused.err, (words, refused.err)
    assert list((tmp_path / "--").iterdir()) == []
