"""Text from data reaches the terminal literally: no rich markup, no control sequences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romrunner.cli.terminal import visible, visible_line


def test_visible_escapes_controls_and_keeps_text() -> None:
    assert visible("Zelda (U) [b1].sfc") == "Zelda (U) [b1].sfc"
    assert visible("a\x1b[31mb\x07\x9b") == "a\\x1b[31mb\\x07\\x9b"
    assert visible("caf\udce9") == "caf\\xe9"
    assert visible("ab\u202ecd") == "ab\\u202ecd"
    assert visible("日本語 ß") == "日本語 ß"
    assert visible_line("one\ntwo\tthree") == "one\\ntwo\\tthree"


def test_games_ls_shows_names_literally(cli: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    root = tmp_path / "roms" / "snes"
    root.mkdir(parents=True)
    names = ["Zelda (U) [b1].sfc", "XI [sai] (Japan) [b].sfc", "Evil \x1b]0;owned\x07\x1b[2J.sfc",
             "Smile :smile: [link=x]y[i].sfc"]
    for index, name in enumerate(names):
        (root / name).write_bytes(bytes([index]) * 1024)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    result = cli("games", "ls", "--limit", "10")
    assert result.code == 0
    text = result.out
    for shown in ("Zelda (U) [b1].sfc", "XI [sai] (Japan) [b].sfc", ":smile: [link=x]y[i]",
                  "Evil \\x1b]0;owned\\x07\\x1b[2J.sfc"):
        assert shown in text
    assert "\x1b" not in text and "\x07" not in text
    as_json = cli("--json", "games", "ls", "--limit", "10").json()
    assert sorted(row["filename"] for row in as_json["data"]["games"]) == sorted(names)
