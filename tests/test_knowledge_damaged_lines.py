"""A damaged line of an emulator's database is named, never read as something else (qa183).

An ini: the keys after a damaged section header are credited to no section (PPSSPP's
`[ClearToRAM` without its `]` gave its 22 titles the flag before it, Dolphin's `[Video_Hacks`
put the game's hacks under [Video_Settings], both with exit 0). A YAML database: a key that
lost its indentation is no game."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from romrunner.knowledge import dolphin
from romrunner.knowledge.formats import game_format
from romrunner.knowledge.inifile import parse_ini
from romrunner.knowledge.model import Entry, ReadReport
from tests.conftest import shared_path


def read_all(fmt: str, path: Path) -> tuple[list[Entry], ReadReport]:
    report = ReadReport(str(path))
    return list(game_format(fmt).read(path, report)), report


def flags_of(entries: list[Entry]) -> dict[str, list[str]]:
    return {e.game_key: list((e.settings or {})["flags"]) for e in entries}


def damaged_compat_ini(tmp_path: Path) -> tuple[Path, Path]:
    real = shared_path("knowledge", "ppsspp", "compat.ini")
    raw = real.read_bytes()
    assert raw.count(b"[ClearToRAM]") == 1  # (what the test is about)
    damaged = tmp_path / "compat.ini"
    damaged.write_bytes(raw.replace(b"[ClearToRAM]", b"[ClearToRAM", 1))
    return real, damaged


def test_ppsspp_keys_after_a_damaged_header_are_credited_to_no_flag(tmp_path: Path) -> None:
    real, damaged = damaged_compat_ini(tmp_path)
    whole, clean = read_all("ppsspp-compat", real)
    assert clean.skipped == 0, clean.problems
    entries, report = read_all("ppsspp-compat", damaged)
    expected = {key: [f for f in flags if f != "ClearToRAM"]
                for key, flags in flags_of(whole).items()}
    assert flags_of(entries) == {key: flags for key, flags in expected.items() if flags}
    line = damaged.read_text(encoding="utf-8").split("\n").index("[ClearToRAM") + 1
    assert report.skipped == 1
    said = [p for p in report.problems if "[ClearToRAM" in p]
    assert said and said[0].startswith(f"line {line}: ") and "not read" in said[0], said


def test_ppsspp_damaged_header_exits_1_and_is_refused_with_strict(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    _, damaged = damaged_compat_ini(tmp_path)
    refused = cli("cache", "import", "--strict", damaged)
    assert refused.code == 2 and "[ClearToRAM" in refused.err, refused.err
    result = cli("cache", "import", damaged)
    assert result.code == 1 and "'[ClearToRAM' is a damaged section header" in result.err
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute("SELECT count(*) FROM settings_observations "
                              "WHERE settings_json LIKE '%ClearToRAM%'").fetchone()[0]
    assert stored == 0


def test_a_ppsspp_line_that_is_no_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "compat.ini"
    path.write_text("; compat.ini for PPSSPP\n[VertexDepthRounding]\nULUS10001 = true\n"
                    "ULUS10002 true\n[ForceMax60FPS]\nULUS10001 = true\n", encoding="utf-8")
    entries, report = read_all("ppsspp-compat", path)
    assert flags_of(entries) == {"ULUS-10001": ["VertexDepthRounding", "ForceMax60FPS"]}
    assert report.skipped == 1 and report.problems[0].startswith("line 4: 'ULUS10002 true'")


def test_dolphin_hacks_after_a_damaged_header_are_not_put_under_another_section(
        tmp_path: Path, cli: Any) -> None:
    real = shared_path("knowledge", "dolphin", "GameSettings", "G2ME01.ini")
    text = real.read_text(encoding="utf-8")
    assert "\n[Video_Hacks]\n" in text  # (what the test is about)
    whole = dolphin.read_file(real, ReadReport(str(real)))
    assert whole is not None and whole.settings is not None and "Video_Hacks" in whole.settings
    damaged = tmp_path / "G2ME01.ini"
    damaged.write_text(text.replace("\n[Video_Hacks]\n", "\n[Video_Hacks\n"), encoding="utf-8")
    report = ReadReport(str(damaged))
    entry = dolphin.read_file(damaged, report)
    assert entry is not None and entry.settings is not None
    assert entry.settings == {k: v for k, v in whole.settings.items() if k != "Video_Hacks"}
    assert entry.status == whole.status
    assert report.skipped == 1 and "G2ME01.ini line" in report.problems[0]
    assert "'[Video_Hacks'" in report.problems[0], report.problems
    refused = cli("cache", "import", "--strict", damaged)
    assert refused.code == 2 and "[Video_Hacks" in refused.err, refused.err
    assert cli("cache", "import", damaged).code == 1


def test_dolphin_cheat_code_lines_are_no_damage_but_a_stray_settings_line_is(
        tmp_path: Path) -> None:
    folder = shared_path("knowledge", "dolphin", "GameSettings")
    entries, report = read_all("dolphin-gameini", folder)
    assert entries and report.skipped == 0 and report.problems == [], report.problems
    path = tmp_path / "GALE01.ini"
    path.write_text("[Core]\nCPUThread = True\nGPUDeterminismMode fake\n[ActionReplay]\n"
                    "$Infinite Health\n04272F18 0000003C\n", encoding="utf-8")
    report = ReadReport(str(path))
    entry = dolphin.read_file(path, report)
    assert entry is not None and entry.settings == {"Core": {"CPUThread": "True"}}
    assert report.skipped == 1 and "line 3: 'GPUDeterminismMode fake'" in report.problems[0]


def test_a_header_with_a_comment_after_it_is_a_header() -> None:
    ini = parse_ini("[Core] ; the core\nA = 1\nB]\nC = 2\n[D]\nE = 3\n")
    assert ini.sections == {"Core": {"A": "1"}, "D": {"E": "3"}}
    assert [(b.line, b.text, b.last_line, b.keys) for b in ini.broken] == [(3, "B]", 4, 1)]
    # (anything after the `]`, as PPSSPP's and Dolphin's readers take it: review39b F10, the
    # keys after `[ClearToRAM] (added in 1.14)` went to the section before)
    ini = parse_ini("[DepthRangeHack]\nULUS10001 = true\n[ClearToRAM] (added in 1.14)\n"
                    "ULUS10002 = true\n")
    assert ini.sections == {"DepthRangeHack": {"ULUS10001": "true"},
                            "ClearToRAM": {"ULUS10002": "true"}}
    assert not ini.stray and not ini.broken


def test_a_gameindex_key_that_lost_its_indentation_is_named_not_read_as_a_game(
        tmp_path: Path, cli: Any) -> None:
    """qa183: SCAJ-20138's `  gsHWFixes:` written at column 0 became a game "GSHWFIXES",
    dropped unsaid with exit 0, and Ape Escape 3 lost its fix."""
    text = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml").read_text(
        encoding="utf-8")
    entry = 'SCAJ-20138:\n  name: "Ape Escape 3"\n  region: "NTSC-Unk"\n  gsHWFixes:'
    assert text.count(entry) == 1  # (what the test is about)
    damaged = tmp_path / "GameIndex.yaml"
    damaged.write_text(text.replace(entry, entry.replace("\n  gsHWFixes:", "\ngsHWFixes:")),
                       encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", damaged)
    assert "GSHWFIXES" not in {e.game_key for e in entries}
    line = text[:text.index(entry)].count("\n") + 4
    assert report.skipped == 1 and report.problems[0].startswith(
        f"line {line}: 'gsHWFixes' is not a serial"), report.problems
    assert "SCAJ-20138" in report.problems[0]
    result = cli("cache", "import", damaged)
    assert result.code == 1 and "'gsHWFixes' is not a serial" in result.err, result.err


def test_the_odd_ids_of_the_real_databases_are_still_games() -> None:
    """Keys that are no serial but a game's id all the same (`ALCH-0004`, `VW067-J1`,
    DuckStation's `LSP-99012101`) are still read as games."""
    gameindex = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    entries, report = read_all("pcsx2-gameindex", gameindex)
    assert report.skipped == 0 and {"ALCH-0004", "VW067-J1"} <= {e.game_key for e in entries}
    gamedb = shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml")
    entries, report = read_all("duckstation-gamedb", gamedb)
    assert report.skipped == 0 and "LSP-99012101" in {e.game_key for e in entries}
