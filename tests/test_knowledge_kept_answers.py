"""What an emulator's file must not take from the cache: a serial given twice keeps its first
entry, a damaged line leaves its game's stored answer as it was, a file cut inside its last
entry's list of serials is refused; and a Dolphin ini of cheats alone among the files given is
passed over (qa188)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_knowledge_import import observation

GAMEINDEX = ("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
GAMEDB = ("knowledge", "duckstation", "gamedb.excerpt.yaml")


def _entry_text(text: str, key: str) -> str:
    """The lines of the top-level entry ``key:`` of a YAML database."""
    lines = text.split("\n")
    start = lines.index(f"{key}:")
    end = next(i for i in range(start + 1, len(lines))
               if lines[i] and not lines[i].startswith((" ", "#")))
    return "\n".join(lines[start:end]) + "\n"


def _warned(result: Any) -> str:
    return " ".join(" ".join(result.json()["warnings"]).split())


def test_a_serial_given_twice_keeps_its_first_entry(cli: Any, db_path: Path,
                                                   tmp_path: Path) -> None:
    """qa188 F8: a GameIndex giving SLES-50047 again (compat 1) replaced the first entry
    (compat 5) unsaid, exit 0: the game playable became broken."""
    text = shared_path(*GAMEINDEX).read_text()
    first_line = text.split("\n").index("SLES-50047:") + 1
    repeated = tmp_path / "GameIndex.yaml"
    repeated.write_text(text + 'SLES-50047:\n  name: "F1 Racing Championship"\n'
                        '  region: "PAL-M3"\n  compat: 1\n')
    assert cli("cache", "import", shared_path(*GAMEINDEX)).code == 0
    result = cli("--json", "cache", "import", repeated)
    assert result.code == 1, result.err
    row = observation(db_path, "compat", "SLES-50047", "pcsx2-gameindex")
    assert row is not None and row["status"] == "playable"
    assert result.json()["data"]["changed_answers"] == []
    last_line = len(text.split("\n"))
    assert (f"line {last_line}: SLES-50047 given again with other values (first at line "
            f"{first_line}): this repeat skipped, the first kept") in _warned(result)


def test_a_serial_given_twice_alike_is_said_not_skipped(cli: Any, tmp_path: Path) -> None:
    """A repeat alike changes nothing: exit 0, said."""
    text = shared_path(*GAMEINDEX).read_text()
    repeated = tmp_path / "GameIndex.yaml"
    repeated.write_text(text + _entry_text(text, "SLES-50047"))
    result = cli("--json", "cache", "import", repeated)
    assert result.code == 0, result.err
    assert "SLES-50047 given again, alike" in _warned(result)


def test_a_gamedb_serial_given_twice_keeps_its_first_rating(cli: Any, db_path: Path,
                                                           tmp_path: Path) -> None:
    gamedb = tmp_path / "gamedb.yaml"
    gamedb.write_text('SLUS-00001:\n  name: "One"\n  compatibility:\n    rating: NoIssues\n'
                      'SLUS-00002:\n  name: "Two"\n  compatibility:\n    rating: NoIssues\n'
                      'SLUS-00001:\n  name: "One"\n  compatibility:\n    rating: DoesntBoot\n')
    result = cli("--json", "cache", "import", gamedb)
    assert result.code == 1, result.err
    row = observation(db_path, "compat", "SLUS-00001", "duckstation-gamedb")
    assert row is not None and row["status"] == "perfect"
    assert "line 9: SLUS-00001 given again with other values (first at line 1)" \
        in _warned(result)


def _settings(db_path: Path, key: str, source: str) -> Any:
    row = observation(db_path, "settings", key, source)
    return None if row is None else json.loads(row["settings_json"])


def test_a_damaged_compat_ini_line_keeps_the_titles_stored_flags(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa188 F2: `ULUS10005 == = tru\\0e` under [ForceSoftwareRenderer] was skipped, yet the
    title's stored flags lost ForceSoftwareRenderer (the one that makes it draw)."""
    real = shared_path("knowledge", "ppsspp", "compat.ini")
    assert cli("cache", "import", real).code == 0
    before = _settings(db_path, "ULUS-10005", "ppsspp-compat")
    assert "ForceSoftwareRenderer" in before["flags"]
    text = real.read_bytes().decode()
    damaged = tmp_path / "compat.ini"
    damaged.write_bytes(text.replace("ULUS10005 = true", "ULUS10005 == = tru\x00e", 1).encode())
    line = text[:text.index("ULUS10005 = true")].count("\n") + 1
    result = cli("--json", "cache", "import", damaged)
    assert result.code == 1, result.err
    assert _settings(db_path, "ULUS-10005", "ppsspp-compat") == before
    assert result.json()["data"]["changed_answers"] == []
    warned = _warned(result)
    assert f"line {line}: [ForceSoftwareRenderer] ULUS10005 = " in warned, warned
    assert "ULUS-10005: a line of its entry damaged (skipped)" in warned


def test_the_titles_under_a_damaged_compat_ini_header_keep_their_flags(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    ini = tmp_path / "compat.ini"
    ini.write_text("[VertexDepthRounding]\nULUS10041 = true\n[ClearToRAM]\nULUS10041 = true\n"
                   "ULUS10042 = true\n")
    assert cli("cache", "import", ini, "--format", "ppsspp-compat").code == 0
    ini.write_text("[VertexDepthRounding]\nULUS10041 = true\n[ClearToRAM\nULUS10041 = true\n"
                   "ULUS10042 = true\n")
    assert cli("cache", "import", ini, "--format", "ppsspp-compat").code == 1
    assert _settings(db_path, "ULUS-10041", "ppsspp-compat") == {
        "flags": ["VertexDepthRounding", "ClearToRAM"]}
    assert _settings(db_path, "ULUS-10042", "ppsspp-compat") == {"flags": ["ClearToRAM"]}


def test_a_damaged_dolphin_header_keeps_the_games_stored_settings(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa188 F2: `[Core` (a bracket missing) in GFZE01.ini withdrew F-Zero GX's `FPRF`."""
    folder = tmp_path / "GameSettings"
    shutil.copytree(shared_path("knowledge", "dolphin", "GameSettings"), folder)
    assert cli("cache", "import", folder).code == 0
    before = _settings(db_path, "GFZE01", "dolphin-gameini")
    assert before == {"Core": {"FPRF": "True"}}
    ini = folder / "GFZE01.ini"
    ini.chmod(0o644)
    ini.write_text(ini.read_text().replace("[Core]", "[Core", 1))
    result = cli("--json", "cache", "import", folder)
    assert result.code == 1, result.err
    assert _settings(db_path, "GFZE01", "dolphin-gameini") == before
    assert result.json()["data"]["files"][0]["withdrawn_answers"] == []
    assert "GFZE01.ini line 3: '[Core' is a damaged section header" in _warned(result)


def test_a_damaged_dolphin_rating_and_a_cut_info_name_their_line(
        cli: Any, tmp_path: Path) -> None:
    ini = tmp_path / "GZLE01.ini"
    ini.write_text("# GZLE01 - Zelda\n[Core]\nCPUThread = False\n[EmuState]\n"
                   "EmulationStateId = 9x\n")
    result = cli("cache", "import", ini, "--format", "dolphin-gameini")
    assert "GZLE01.ini line 5: EmulationStateId '9x' is not 0-5" in result.err, result.err
    info = tmp_path / "x_libretro.info"
    info.write_text('display_name = "X"\nsupported_extensions = "bin"\n'
                    'firmware_count = 1\nfirmware0_path = "sl')
    refused = cli("cache", "import", info, "--format", "libretro-info")
    assert refused.code == 2
    assert "line 4: the value of firmware0_path has no closing quote" in refused.err


def test_a_gamedb_cut_inside_its_last_entrys_codes_is_refused(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa188 F6: cut at a line break inside SLPS-02348's `codes:`, the gamedb withdrew the
    rating copied to the codes cut, exit 0."""
    real = shared_path(*GAMEDB)
    assert cli("cache", "import", real).code == 0
    assert observation(db_path, "compat", "SLPS-02373", "duckstation-gamedb") is not None
    lines = real.read_text().split("\n")
    for end in ("    - SLPS-02356", "    - SLPS-02348"):
        cut = tmp_path / "gamedb.yaml"
        cut.write_text("\n".join(lines[:lines.index(end) + 1]) + "\n")
        refused = cli("cache", "import", cut)
        assert refused.code == 2, (end, refused.err)
        assert "SLPS-02373's rating playable withdrawn" in refused.err
        assert observation(db_path, "compat", "SLPS-02373", "duckstation-gamedb") is not None
    assert cli("cache", "import", cut, "--force").code == 0
    assert observation(db_path, "compat", "SLPS-02373", "duckstation-gamedb") is None


def test_dolphin_inis_named_one_by_one_pass_over_a_file_of_cheats(cli: Any) -> None:
    """qa188 F4: `cache import GameSettings/*.ini` was refused whole ("no usable
    observation") for G4SE01.ini, a real file of cheats alone; the folder imported."""
    folder = shared_path("knowledge", "dolphin", "GameSettings")
    files = sorted(folder.glob("*.ini"))
    result = cli("--json", "cache", "import", *files)
    assert result.code == 0, result.err
    data = result.json()["data"]
    by_path = {Path(item["path"]).name: item for item in data["files"]}
    assert by_path["G4SE01.ini"]["passed_over"]
    assert sum(sum(item["observations"].values()) for item in data["files"]) == 44
    assert "passed over" in _warned(result) and "G4SE01.ini" in _warned(result)
    alone = cli("cache", "import", folder / "G4SE01.ini", folder / "G4SE01.ini")
    assert alone.code == 2  # (given twice it is read once: alone, nothing to import)
    text = cli("cache", "import", *files)
    assert "G4SE01.ini" not in text.out  # (no line of 0 observations: said in a warning)


def test_cache_why_for_a_key_no_game_has_says_no_none(cli: Any) -> None:
    """qa188 F5: "game None · GAL:"."""
    assert cli("cache", "import", shared_path("knowledge", "dolphin", "GameSettings")).code == 0
    result = cli("cache", "why", "gamecube", "dolphin-standalone", "GALJ01")
    assert result.code == 0, result.err
    assert "None" not in result.out and result.out.startswith("GAL:"), result.out


def test_a_compat_ini_key_given_twice_otherwise_is_named_and_keeps_the_stored_flags(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "compat.ini"
    path.write_text("[VertexDepthRounding]\nULUS10041 = true\n[ClearToRAM]\n"
                    "ULUS10041 = true\n")
    assert cli("cache", "import", path, "--format", "ppsspp-compat").code == 0
    path.write_text("[VertexDepthRounding]\nULUS10041 = true\n[ClearToRAM]\n"
                    "ULUS10041 = true\nULUS10041 = false\n")
    result = cli("--json", "cache", "import", path, "--format", "ppsspp-compat")
    assert result.code == 1
    assert "line 5 [ClearToRAM] ULUS10041 (first at line 4)" in _warned(result)
    assert _settings(db_path, "ULUS-10041", "ppsspp-compat") == {
        "flags": ["VertexDepthRounding", "ClearToRAM"]}
