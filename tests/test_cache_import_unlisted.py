"""What an emulator's file no longer holds: a Dolphin ini of cheats alone withdraws nothing,
however it is given; PPSSPP's compat.ini, always whole, withdraws the flags of a title it no
longer lists; any other answer of the source a file does not hold is kept, and said (qa195)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_knowledge_import import observation

COMPAT_INI = ("knowledge", "ppsspp", "compat.ini")
GAMEINDEX = ("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
SETTINGS_DIR = ("knowledge", "dolphin", "GameSettings")


def _warned(result: Any) -> str:
    return " ".join(" ".join(result.json()["warnings"]).split())


def _without_lines(source: Path, target: Path, drop: str) -> Path:
    """A copy of ``source`` without its lines equal to ``drop``."""
    lines = source.read_text().split("\n")
    assert drop in lines, drop
    target.write_text("\n".join(line for line in lines if line != drop))
    return target


def test_a_dolphin_ini_of_cheats_alone_withdraws_nothing_however_given(
        cli: Any, db_path: Path) -> None:
    """qa195 F5: GALE01.ini (cheats alone) beside GZLE01.ini was "passed over" and yet
    withdrew GALE01's settings another file of the source gave; alone it was refused and
    changed nothing. Passed over, it withdraws nothing: beside others, or in its folder."""
    folder = shared_path(*SETTINGS_DIR)
    envelope = shared_path("samples", "settings_dolphin-gameini_example.json")
    assert cli("cache", "import", envelope).code == 0
    assert observation(db_path, "settings", "GALE01", "dolphin-gameini") is not None
    alone = cli("cache", "import", folder / "GALE01.ini")
    assert alone.code == 2, alone.err
    both = cli("--json", "cache", "import", folder / "GALE01.ini", folder / "GZLE01.ini")
    assert both.code == 0, both.err
    assert observation(db_path, "settings", "GALE01", "dolphin-gameini") is not None
    assert "passed over" in _warned(both) and "withdrawn" not in _warned(both)
    assert "1 answer of dolphin-gameini (1 settings) is in none of the 2 files given: kept" \
        in _warned(both)
    whole = cli("--json", "cache", "import", folder)
    assert whole.code == 0, whole.err
    assert observation(db_path, "settings", "GALE01", "dolphin-gameini") is not None
    assert "withdrawn" not in _warned(whole)


def test_a_title_compat_ini_no_longer_lists_loses_its_flags(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa195 F13: PPSSPP lists a title only under the flags it needs; upstream dropping
    UCUS98618's last flags left its old `required` flags in place, unsaid, while dropping
    one of two was applied and said."""
    real = shared_path(*COMPAT_INI)
    assert cli("cache", "import", real).code == 0
    stored = observation(db_path, "settings", "UCUS-98618", "ppsspp-compat")
    assert stored is not None and "RequireBufferedRendering" in stored["settings_json"]
    no_flag = _without_lines(real, tmp_path / "compat.ini", "UCUS98618 = true")
    result = cli("--json", "cache", "import", no_flag)
    assert result.code == 0, result.err
    assert observation(db_path, "settings", "UCUS-98618", "ppsspp-compat") is None
    assert ("settings of 1 game of ppsspp-compat withdrawn: no longer listed in the file, "
            "so it needs no flag now: UCUS-98618 (flags dropped)") in _warned(result)
    data = result.json()["data"]
    assert data["no_longer_listed"] == 1
    assert [change["key"] for change in data["withdrawn_answers"]] == ["UCUS-98618"]
    assert data["kept_answers"] == []  # (nothing of the source left unsaid)
    again = cli("--json", "cache", "import", real)  # (listed again: given back)
    assert again.code == 0, again.err
    assert observation(db_path, "settings", "UCUS-98618", "ppsspp-compat") is not None


def test_a_compat_ini_title_whose_every_line_is_damaged_keeps_its_flags(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """A damaged line is no title dropped: its title keeps the flags the cache held."""
    path = tmp_path / "compat.ini"
    path.write_text("[VertexDepthRounding]\nULUS10041 = true\nUCUS98618 = true\n")
    assert cli("cache", "import", path, "--format", "ppsspp-compat").code == 0
    path.write_text("[VertexDepthRounding]\nULUS10041 = true\nUCUS98618 = maybe\n")
    result = cli("--json", "cache", "import", path, "--format", "ppsspp-compat")
    assert result.code == 1, result.err
    assert observation(db_path, "settings", "UCUS-98618", "ppsspp-compat") is not None
    assert result.json()["data"]["no_longer_listed"] == 0


def test_an_excerpt_of_a_gameindex_keeps_the_entries_it_lacks_and_says_so(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa195 F13: an entry no longer in the file kept its answers unsaid. A GameIndex may be
    an excerpt: nothing is withdrawn, and a warning counts what is kept."""
    real = shared_path(*GAMEINDEX)
    assert cli("cache", "import", real).code == 0
    excerpt = tmp_path / "GameIndex.yaml"
    text = real.read_text()
    start = text.index("SLES-50047:\n")
    end = text.index("\n", text.index("\n  ", start))  # (the entry's first key line)
    while text[end + 1:end + 3] == "  ":
        end = text.index("\n", end + 1)
    excerpt.write_text(text[:start] + text[end + 1:])
    assert observation(db_path, "compat", "SLES-50047", "pcsx2-gameindex") is not None
    result = cli("--json", "cache", "import", excerpt)
    assert result.code == 0, result.err
    assert observation(db_path, "compat", "SLES-50047", "pcsx2-gameindex") is not None
    kept = result.json()["data"]["kept_answers"]
    assert [(item["source"], item["by_kind"].get("compat")) for item in kept] \
        == [("pcsx2-gameindex", 1)]
    assert ("of pcsx2-gameindex (1 compat" in _warned(result)
            and f"not in {excerpt}: kept (" in _warned(result)
            and "`romrunner cache clear --source pcsx2-gameindex` then an import of the whole "
                "file drops" in _warned(result))


def test_a_dolphin_folder_without_a_games_ini_keeps_its_answers_and_says_so(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """qa195 F13: a GameSettings/ folder re-imported after GZLE01.ini was deleted kept Wind
    Waker's rating and settings, nothing said."""
    folder = tmp_path / "GameSettings"
    shutil.copytree(shared_path(*SETTINGS_DIR), folder)
    assert cli("cache", "import", folder).code == 0
    (folder / "GZLE01.ini").unlink()
    result = cli("--json", "cache", "import", folder)
    assert result.code == 0, result.err
    assert observation(db_path, "compat", "GZLE01", "dolphin-gameini") is not None
    assert (f"2 answers of dolphin-gameini (1 compat, 1 settings) are not in {folder}: kept"
            in _warned(result))
