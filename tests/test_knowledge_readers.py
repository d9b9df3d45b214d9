"""The emulators' knowledge files read as they are published (real excerpts in ../shared)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.knowledge import dolphin, libretro_info
from romrunner.knowledge.formats import GAME_FORMATS, detect_format, game_format
from romrunner.knowledge.model import (
    Entry,
    KnowledgeFormatError,
    ReadReport,
    normalise_status,
)
from tests.conftest import shared_path


def read_all(fmt: str, path: Path) -> tuple[list[Entry], ReadReport]:
    report = ReadReport(str(path))
    return list(game_format(fmt).read(path, report)), report


def test_pcsx2_gameindex_real_excerpt() -> None:
    path = shared_path("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
    assert detect_format(path) == "pcsx2-gameindex"
    entries, report = read_all("pcsx2-gameindex", path)
    text = path.read_text(encoding="utf-8")
    # SOURCES.md: 1,279 entries, 173 with `compat:` (5: 164, 4: 5, 3: 2, 2: 2)
    assert report.entries + report.skipped == 1279 and report.skipped == 0
    by_raw = {raw: sum(1 for e in entries if e.raw_status == raw) for raw in "2345"}
    assert by_raw == {"5": 164, "4": 5, "3": 2, "2": 2}
    assert text.count("\n  compat:") == 173
    assert {e.status for e in entries if e.raw_status == "5"} == {"playable"}
    mh = next(e for e in entries if e.game_key == "CPCS-01020")
    assert mh.settings == {"clampModes": {"vuClampMode": 3}}
    assert all(e.platform_id == "ps2" and e.emulator_id == "pcsx2" for e in entries)


def test_duckstation_gamedb_real_excerpt() -> None:
    path = shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml")
    assert detect_format(path) == "duckstation-gamedb"
    entries, report = read_all("duckstation-gamedb", path)
    assert report.entries == 152 and report.skipped == 0
    ratings = [e.raw_status for e in entries if e.raw_status]
    assert ratings.count("NoIssues") == 44 and ratings.count("GraphicalAudioIssues") == 1
    koshien = next(e for e in entries if e.game_key == "SLPS-01204")
    assert koshien.status == "perfect"
    discs = {e.game_key: e for e in entries
             if e.disc_set == "3x3 Eyes - Kyuusei Koushu (Japan)"}
    assert sorted(discs) == ["SLPS-00071", "SLPS-00072"]
    # (another disc of the set is no other serial of this one: QA153 F6)
    assert "SLPS-00072" not in discs["SLPS-00071"].related_keys


def test_ppsspp_compat_ini_real_file() -> None:
    path = shared_path("knowledge", "ppsspp", "compat.ini")
    assert detect_format(path) == "ppsspp-compat"
    entries, _ = read_all("ppsspp-compat", path)
    raw = path.read_bytes().decode("utf-8")
    sections = [line for line in raw.splitlines() if line.startswith("[")]
    assert len(sections) == 62
    flags = {flag for e in entries for flag in (e.settings or {})["flags"]}
    assert flags <= {line.strip("[]") for line in sections}
    first = re.search(r"^(ULUS)(\d{5}) = true", raw, re.MULTILINE)
    assert first is not None
    assert f"{first.group(1)}-{first.group(2)}" in {e.game_key for e in entries}
    assert not any(re.fullmatch(r"[A-Z]{4}\d{5}", e.game_key) for e in entries)


def test_ppsspp_values_with_a_comment_after_them_count(tmp_path: Path) -> None:
    """QA54 F1: `ULUS10006 = true # Metal Gear Acid` (as the real file writes 34 titles)
    was read as neither true nor false and dropped without a word."""
    path = tmp_path / "compat.ini"
    path.write_text("# compat.ini for PPSSPP\n[MGS2AcidHack]\nULUS10006 = true # Metal Gear Acid"
                    "\nULES00622 = true;EU\n[SonicRivalsHack]\nULUS10195 = true  # SR1\n"
                    "ULUS10323 = false # not this one\nULES00940 = maybe\n")
    entries, report = read_all("ppsspp-compat", path)
    assert {e.game_key: (e.settings or {})["flags"] for e in entries} == {
        "ULUS-10006": ["MGS2AcidHack"], "ULES-00622": ["MGS2AcidHack"],
        "ULUS-10195": ["SonicRivalsHack"]}
    assert report.skipped == 1 and "ULES00940" in report.problems[0], report.problems


def test_ppsspp_real_file_keeps_every_title_id_set_true() -> None:
    """Every title id the real file sets true (comment or not) gets its flags."""
    path = shared_path("knowledge", "ppsspp", "compat.ini")
    raw = path.read_bytes().decode("utf-8")
    expected = {f"{m.group(1)}-{m.group(2)}" for m in re.finditer(
        r"^([A-Z]{4})-?(\d{5})\s*=\s*true\b", raw, re.MULTILINE | re.IGNORECASE)}
    entries, _ = read_all("ppsspp-compat", path)
    assert {e.game_key for e in entries} == expected


def test_a_forced_dolphin_format_refuses_a_file_of_another_emulator(tmp_path: Path,
                                                                    cli: Any) -> None:
    """QA54 F9: PPSSPP's compat.ini, named like a game id and given `--format
    dolphin-gameini`, was imported as a game "COMPAT" with 62 settings sections, exit 0."""
    path = tmp_path / "COMPAT.ini"
    path.write_bytes(shared_path("knowledge", "ppsspp", "compat.ini").read_bytes())
    result = cli("cache", "import", "--format", "dolphin-gameini", path)
    assert result.code == 2 and "not a Dolphin game ini" in result.err, result.err
    stats = cli("--json", "cache", "stats")
    assert stats.code in (0, 2) and not (stats.json()["data"] or []), stats.out


def test_dolphin_gamesettings_real_files() -> None:
    folder = shared_path("knowledge", "dolphin", "GameSettings")
    assert detect_format(folder) == "dolphin-gameini"
    entries, report = read_all("dolphin-gameini", folder)
    assert report.entries == len(list(folder.glob("*.ini"))) == 40
    gal = next(e for e in entries if e.game_key == "GAL")
    assert gal.title == "Super Smash Bros Melee" and gal.status == "perfect"
    assert gal.settings is not None and gal.settings["Video_Settings"] == {"EFBScale": "-1"}
    assert "OnFrame" not in gal.settings and "EmuState" not in gal.settings
    assert {e.platform_id for e in entries} == {"gamecube", "wii"}


def test_libretro_core_info_real_files() -> None:
    folder = shared_path("knowledge", "libretro-core-info")
    report = ReadReport(str(folder))
    cores = {core.core_id: core for core in libretro_info.read(folder, report)}
    pcsx = cores["pcsx_rearmed"]
    assert pcsx.databases == ("Sony - PlayStation",) and "chd" in pcsx.extensions
    assert ("scph5501.bin", True) in pcsx.firmware and len(pcsx.firmware) == 4
    files = {path.name for path in folder.glob("*.info")}
    not_cores = {"00_example_libretro.info", "open-source-notices.info"}
    assert report.entries == len(files - not_cores) == len(cores)
    assert any(p.startswith("FreeIntvTSOverlay_libretro.info: firmware_count is 2")
               for p in report.problems)


def test_status_table() -> None:
    for raw, status in [("intro", "menu_intro"), ("boot", "boots_only"), ("menu", "menu_intro"),
                        ("NoIssues", "perfect"), (5, "playable"), ("6", "perfect"),
                        ("DoesntBoot", "broken"), ("In-Game", "ingame")]:
        assert normalise_status(raw) == status
    assert normalise_status("sometimes") is None and normalise_status(True) is None


def test_truncated_yaml_keeps_whole_entries(tmp_path: Path) -> None:
    path = tmp_path / "GameIndex.yaml"
    path.write_text('SLUS-20312:\n  name: "A"\n  compat: 5\nSLUS-20313:\n  name: "B\n  comp',
                    encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", path)
    assert [e.game_key for e in entries] == ["SLUS-20312"] and report.skipped == 1


def test_yaml_bomb_is_refused_entry_by_entry(tmp_path: Path) -> None:
    bomb = ["SLUS-20312:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb.append(f"  {level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(bomb) + '\nSLUS-20313:\n  name: "fine"\n  compat: 4\n',
                    encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", path)
    assert [e.game_key for e in entries] == ["SLUS-20313"]
    assert report.skipped == 1 and "aliases" in report.problems[0]


def test_wrong_types_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "gamedb.yaml"
    path.write_text('SLUS-00001:\n  compatibility:\n    rating: Sometimes\n'
                    'SLUS-00002: just text\nSLUS-00003:\n  compatibility:\n    rating: NoIssues\n',
                    encoding="utf-8")
    entries, report = read_all("duckstation-gamedb", path)
    assert [e.game_key for e in entries] == ["SLUS-00003"] and report.skipped == 2


def test_ini_duplicates_and_no_sections(tmp_path: Path) -> None:
    ini = tmp_path / "GALE01.ini"
    ini.write_text("# GALE01 - Melee\nStray = 1\n[Core]\nCPUThread = True\nCPUThread = False\n",
                   encoding="utf-8")
    report = ReadReport(str(ini))
    entry = dolphin.read_file(ini, report)
    assert entry is not None and entry.settings == {"Core": {"CPUThread": "False"}}
    empty = tmp_path / "GXXE01.ini"
    empty.write_text("Stray = 1\n", encoding="utf-8")
    assert report.skipped == 1 and "line 2: 'Stray = 1' is before the first" in \
        report.problems[0]  # (named: no section reads it, qa183)
    assert dolphin.read_file(empty, report) is None and report.skipped == 2


def test_info_with_too_few_firmware_entries(tmp_path: Path) -> None:
    info = tmp_path / "x_libretro.info"
    info.write_text('display_name = "X"\nsupported_extensions = "a|b"\nfirmware_count = 3\n'
                    'firmware0_path = "x/bios.bin"\nfirmware0_opt = "false"\n', encoding="utf-8")
    report = ReadReport(str(info))
    core = libretro_info.read_file(info, report)
    assert core is not None and core.firmware == (("x/bios.bin", False),)
    assert report.skipped == 0 and "firmware1_path" in report.problems[0]  # read, noted


def test_unknown_format_fifo_and_binary_are_one_line_errors(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match=r"notes\.txt: not a known knowledge format"):
        detect_format(odd)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(KnowledgeFormatError, match="not a regular file"):
        read_all("pcsx2-gameindex", fifo)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KnowledgeFormatError, match="not UTF-8"):
        read_all("pcsx2-gameindex", binary)
    with pytest.raises(KnowledgeFormatError, match="unknown knowledge format"):
        game_format("nope")
    assert set(GAME_FORMATS) == {"pcsx2-gameindex", "duckstation-gamedb", "ppsspp-compat",
                                 "dolphin-gameini"}


def test_a_file_cut_short_inside_a_valid_looking_entry_skips_that_entry(
        tmp_path: Path) -> None:
    """QA23 F3: cut after `gsHWFixes:\\n    half`, the last entry is valid YAML that says
    less and other than the whole; a file with no final line break was cut: its last entry
    is skipped, said."""
    path = tmp_path / "GameIndex.yaml"
    whole = ('SLUS-20312:\n  name: "A"\n  compat: 5\n'
             'SLUS-20313:\n  name: "B"\n  gsHWFixes:\n    halfPixelOffset: 1\n')
    path.write_text(whole[:-len("PixelOffset: 1\n")], encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", path)
    assert [e.game_key for e in entries] == ["SLUS-20312"] and report.skipped == 1
    assert "cut short" in report.problems[0]
    path.write_text(whole, encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", path)
    assert [e.game_key for e in entries] == ["SLUS-20312", "SLUS-20313"]
    assert entries[1].settings == {"gsHWFixes": {"halfPixelOffset": 1}}


def test_a_pcsx2_setting_of_the_wrong_type_skips_its_entry(tmp_path: Path) -> None:
    path = tmp_path / "GameIndex.yaml"
    path.write_text('SLUS-20312:\n  name: "A"\n  gsHWFixes: half\n'
                    'SLUS-20313:\n  name: "B"\n  gameFixes:\n    - XGKickHack\n',
                    encoding="utf-8")
    entries, report = read_all("pcsx2-gameindex", path)
    assert [e.game_key for e in entries] == ["SLUS-20313"]
    assert report.skipped == 1 and "gsHWFixes is not a mapping" in report.problems[0]


def test_a_ppsspp_compat_ini_cut_short_is_refused_whole(tmp_path: Path, cli: Any) -> None:
    """QA32 F5: a compat.ini cut mid-line imported what it had and said only "8 duplicate
    keys": a title's flags are spread over the file's sections, so 29 titles' flag sets were
    replaced by shorter ones. A file with no final line break is refused, nothing imported."""
    whole = ("; compat.ini for PPSSPP\n[VertexDepthRounding]\nULUS10001 = true\n"
             "ULUS10002 = true\n[ForceMax60FPS]\nULUS10001 = true\nULUS10002 = true\n")
    path = tmp_path / "compat.ini"
    path.write_text(whole, encoding="utf-8")
    entries, _ = read_all("ppsspp-compat", path)
    assert {e.game_key: e.settings for e in entries}["ULUS-10002"] == {
        "flags": ["VertexDepthRounding", "ForceMax60FPS"]}
    assert cli("cache", "import", str(path)).code == 0
    path.write_text(whole[:-len("0002 = true\n")], encoding="utf-8")  # cut in the last line
    refused = cli("cache", "import", str(path))
    assert refused.code == 2 and "cut short" in refused.err, refused.err
    assert len(refused.err.strip().splitlines()) == 1


def test_a_dolphin_state_out_of_its_scale_is_said_and_withdraws_nothing(
        tmp_path: Path, cli: Any, db_path: Path) -> None:
    """QA127 F4: `EmulationStateId = 9` was dropped unsaid, and the game's earlier rating
    withdrawn as one its file no longer gives."""
    good = tmp_path / "good" / "GZLE01.ini"
    good.parent.mkdir()
    good.write_text("[EmuState]\nEmulationStateId = 4\n[Core]\nCPUThread = True\n")
    assert cli("cache", "import", good, "--format", "dolphin-gameini").code == 0
    odd = tmp_path / "odd" / "GZLE01.ini"
    odd.parent.mkdir()
    odd.write_text("[EmuState]\nEmulationStateId = 9\n[Core]\nCPUThread = True\n")
    result = cli("--json", "cache", "import", odd, "--format", "dolphin-gameini")
    assert "EmulationStateId '9' is not 0-5" in result.out + result.err, result.out
    with sqlite3.connect(db_path) as conn:
        kept = conn.execute("SELECT status FROM v_emulator_compat").fetchall()
    assert kept == [("playable",)], result.out


def test_a_dolphin_ini_without_a_title_line_is_found_by_its_name_and_sections() -> None:
    """QA127 F9: the real GMBE8P.ini starts with `[Gecko]`, no `# ID - Title` line: "not a
    known knowledge format" alone, read inside its folder."""
    path = shared_path("knowledge", "dolphin", "GameSettings", "GMBE8P.ini")
    assert not path.read_text().startswith("#")  # (what the test is about)
    assert detect_format(path) == "dolphin-gameini"


def test_the_sources_own_words_on_a_game_are_kept_beside_its_rating(cli: Any) -> None:
    """QA153 F3: DuckStation's `comments` and tested version, Dolphin's EmulationIssues and
    an envelope's knownIssues and settingNotes were dropped: "playable" was shown where the
    source says what goes wrong."""
    duck = shared_path("knowledge", "duckstation", "gamedb.excerpt.yaml")
    entries, _ = read_all("duckstation-gamedb", duck)
    koshien = next(e for e in entries if e.game_key == "SLPS-01434")
    assert koshien.comment is not None
    assert "Disable Interlacing option needs to be ON." in koshien.comment
    blocks = re.findall(r"^([A-Z]{4}-\d{5}):\n((?:  .*\n|\n)*)", duck.read_text(), re.M)
    key, block = next((k, b) for k, b in blocks if "versionTested:" in b)
    tested = re.search(r'versionTested: "([^"]+)"', block)
    assert tested is not None
    entry = next(e for e in entries if e.game_key == key)
    assert entry.comment is not None and f"tested with {tested.group(1)}" in entry.comment
    ini = shared_path("knowledge", "dolphin", "GameSettings", "GC6E01.ini")
    issues = re.search(r"^EmulationIssues = (.+)$", ini.read_text(), re.M)
    assert issues is not None
    colosseum, _ = read_all("dolphin-gameini", ini)
    assert colosseum[0].comment == issues.group(1).strip()
    sample = shared_path("samples", "settings_rpcs3-wiki_sample.json")
    assert cli("cache", "import", "--new-source", sample).code in (0, 1)
    explained = cli("--json", "cache", "explain", "BLUS30253").json()["data"]
    notes = " ".join(str(o["notes"]) for item in explained for kind in item["kinds"].values()
                     for group in kind for o in group["observations"])
    assert "Objects can fall through the ground randomly" in notes
    assert "cpu.spuBlockSize: Mega seems a bit slower" in notes


def test_dolphin_settings_are_the_sections_dolphin_reads_with_a_value() -> None:
    """qa174 F8: the Dolphin VR fork's [VR]/[Video_Hacks_VR] sections, the removed projection
    hack's [Video] keys and keys left blank (``PH_ZNear =``) were shown as the game's settings
    beside the real [Video_Hacks] ones."""
    folder = shared_path("knowledge", "dolphin", "GameSettings")
    text = (folder / "GZLE01.ini").read_text(encoding="utf-8")
    assert "[Video_Hacks_VR]" in text and "[Video_Hacks]" in text and "[Video]" in text
    entries, _ = read_all("dolphin-gameini", folder)
    by_id = {e.game_key: e for e in entries}
    wind_waker = by_id["GZLE01"].settings or {}
    assert "Video_Hacks_VR" not in wind_waker
    assert "VR" not in (by_id["G2ME01"].settings or {})
    assert wind_waker["Video_Hacks"]["EFBToTextureEnable"] == "False"
    assert "Video" not in wind_waker  # only ProjectionHack / PH_* there
    for entry in entries:
        for section, values in (entry.settings or {}).items():
            assert section in {"Core", "DSP", "Wii", "Controls", "Video_Settings",
                               "Video_Hacks", "Video_Enhancements", "Video_Stereoscopy",
                               "Video_Hardware"}, (entry.game_key, section)
            assert all(value.strip() for value in values.values()), (entry.game_key, section)
    assert by_id["G2ME01"].settings is not None  # its [Video_Hacks] stays
    assert by_id["G2ME01"].settings["Video_Hacks"]["EFBCopyEnable"] == "True"
