"""Text from data reaches the terminal literally: no rich markup, no control sequences."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from romrunner.cli.terminal import literal, visible
from tests.conftest import muos_profile, run_subprocess


def test_visible_escapes_controls_and_keeps_text() -> None:
    assert visible("Zelda (U) [b1].sfc") == "Zelda (U) [b1].sfc"
    assert visible("a\x1b[31mb\x07\x9b") == "a\\x1b[31mb\\x07\\u009b"  # (C1: review53e F1)
    assert visible("caf\udce9") == "caf\\xe9"
    assert visible("ab\u202ecd") == "ab\\u202ecd"
    assert visible("日本語 ß") == "日本語 ß"
    assert visible("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r"
    # QA44 F5: in a listing's cell, a backslash that would read as an escape is doubled,
    # so that a name holding a TAB and one holding a backslash and a t print differently;
    # others are as they are; a message's repr() escapes them itself (review 22 R3: twice)
    assert visible(literal("A\\tB")) == "A\\\\tB" != visible(literal("A\tB"))
    assert visible(literal("C\\x1bD")) == "C\\\\x1bD" != visible(literal("C\x1bD"))
    assert visible(literal("C:\\Games\\Mario")) == "C:\\Games\\Mario"
    assert visible(repr("a\tb")) == "'a\\tb'" != visible(repr("a\\tb"))


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


def test_newlines_and_tabs_in_names_stay_on_their_line(cli: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """QA5 finding 6: a newline or tab in a file name (or a DAT game name) is shown as
    ``\\n``/``\\t`` by every listing, never raw; the CLI's own lines and columns are kept;
    --json keeps the exact text."""
    monkeypatch.setenv("COLUMNS", "300")
    snes = tmp_path / "roms" / "snes"
    snes.mkdir(parents=True)
    names = ["New\nLine (USA).sfc", "Tab\there (USA).sfc", "Carriage\rReturn (USA).sfc"]
    for index, name in enumerate(names):
        (snes / name).write_bytes(bytes([index + 1]) * 1024)
    (tmp_path / "download.sfc").write_bytes(bytes([1]) * 1024)  # (a copy of names[0]'s data)
    dat = tmp_path / "snes.dat"  # Logiqx XML: a game name may hold a newline (&#10;)
    dat.write_text('<?xml version="1.0"?>\n<datafile><header><name>Nintendo - Super Nintendo '
                   'Entertainment System</name><version>1</version></header>'
                   '<game name="Missing&#10;Game (USA)"><rom name="m.sfc" size="3" '
                   'crc="01020304"/></game><game name="Gone&#13;Back (USA)"><rom name="g.sfc" '
                   'size="3" crc="01020305"/></game></datafile>\n')  # (QA34 F6: a CR)
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", "1", "2", "3").code == 0
    outputs = {" ".join(args): cli(*args) for args in (
        ("games", "ls"), ("games", "show", "1"), ("games", "show", "2"), ("games", "show", "3"),
        ("autolist", "1"), ("collection", "show", "favs"), ("search", "line"),
        ("games", "find", str(tmp_path / "download.sfc")), ("dat", "report", "--missing"),
        ("dat", "report", "--missing", "--csv"))}
    for command, result in outputs.items():
        assert result.code == 0, (command, result.err)
        text = result.out + result.err
        if command.endswith("--csv"):
            continue
        assert "\t" not in text and "\r" not in text, command
        # "Line" only ever right after the escaped newline: never at the start of a line.
        assert text.count("Line (USA)") == text.count("New\\nLine (USA)"), command
        assert text.count("Game (USA)") == text.count("Missing\\nGame (USA)"), command
    for command in ("games ls", "autolist 1", "collection show favs"):
        shown = outputs[command].out
        assert all(f in shown for f in ("New\\nLine (USA).sfc", "Tab\\there (USA).sfc",
                                        "Carriage\\rReturn (USA).sfc")), command
    # a CSV sent to a file or pipe is data: the exact name, quoted (QA10 F6); the terminal's
    # escaping is for a terminal (test_reports.py runs it on a pty)
    csv_out = outputs["dat report --missing --csv"].out
    assert list(csv.reader(io.StringIO(csv_out))) == [
        ["dat", "missing_game", "missing_roms"],
        ["Nintendo - Super Nintendo Entertainment System", "Gone\rBack (USA)", "all"],
        ["Nintendo - Super Nintendo Entertainment System", "Missing\nGame (USA)", "all"]]
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert sorted(g["filename"] for g in games) == sorted(names)
    rows = cli("--json", "dat", "report", "--missing").json()["data"]
    assert rows[0]["missing_games"] == ["Gone\rBack (USA)", "Missing\nGame (USA)"]


def test_a_name_with_a_word_wider_than_its_column_is_folded_not_cut(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA44 F9: at 80 columns (or in a pipe) a file name's long word was cut with "…": the
    name shown was not the file's."""
    monkeypatch.setenv("COLUMNS", "80")
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    name = "Picross (USA, Europe) (SGB-Enhanced-Super-Game-Boy-Edition).gb"
    (root / name).write_bytes(b"\x01" * 1024)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    result = cli("games", "ls")
    assert result.code == 0 and "…" not in result.out
    last = [line.split("│")[-2].strip() for line in result.out.splitlines()
            if line.count("│") == 8]  # (the file column's pieces, row after row)
    assert "".join(last).replace(" ", "") == name.replace(" ", "")


def test_a_name_with_a_tab_and_one_with_a_backslash_t_are_told_apart(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA44 F5: `A<TAB>B` and `A\\tB` were listed alike by games ls and search."""
    monkeypatch.setenv("COLUMNS", "200")
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    (root / "A\tB (USA).gb").write_bytes(b"\x01" * 1024)
    (root / "A\\tB (Europe).gb").write_bytes(b"\x02" * 1024)
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for args in (("games", "ls"), ("search", "a")):
        out = cli(*args).out
        assert "A\\tB (USA).gb" in out and "A\\\\tB (Europe).gb" in out, (args, out)
    shown = {g["filename"]: cli("games", "show", str(g["id"])).out
             for g in cli("--json", "games", "ls").json()["data"]["games"]}  # (review 23 R1)
    assert "A\\tB (USA).gb" in shown["A\tB (USA).gb"]
    assert "A\\\\tB (Europe).gb" in shown["A\\tB (Europe).gb"]


def test_the_auto_list_and_a_deploy_plan_tell_a_tab_from_a_backslash_t(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qa197 F5: `autolist` and `deploy --verbose --dry-run` showed `A<TAB>B` and `A\\tB`
    alike, as the listings no longer do (QA44 F5)."""
    monkeypatch.setenv("COLUMNS", "200")
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    (root / "A\tB (USA).gb").write_bytes(b"\x01" * 1024)
    (root / "A\\tB (Europe).gb").write_bytes(b"\x02" * 1024)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    listed = cli("autolist", "1", "--limit", "0").out
    planned = cli("--verbose", "deploy", "1", "--to", str(card), "--dry-run", "platform:gb").out
    for out in (listed, planned):
        assert "A\\tB (USA).gb" in out and "A\\\\tB (Europe).gb" in out, out


def test_a_verbose_refusal_shows_a_files_control_characters_escaped(tmp_path: Path) -> None:
    """QA112 F3: `--verbose` printed the exception text raw: a DAT's file name with an OSC
    title and a screen clear retitled the terminal; the `error:` line was escaped. (A
    refusal has no traceback since, --verbose or not: QA140 F8.)"""
    dat = tmp_path / "evil\x1b]0;PWNED\x07\x1b[2J.xml"
    dat.write_text("<datafile><game name=")
    done = run_subprocess("--db", str(tmp_path / "rr.db"), "--verbose", "dat", "import",
                          str(dat), "--platform", "gba")
    assert done.code != 0 and "Traceback" not in done.err
    assert "\x1b" not in done.err and "\x07" not in done.err
    assert visible(str(dat)) in done.err
