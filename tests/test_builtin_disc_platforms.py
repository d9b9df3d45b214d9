"""With the built-in pack, PS2 and GameCube/Wii images get their platform (QA2: they were
'unknown', so `compat:` and `cache explain` disagreed and `set-platform ps2` was refused)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_knowledge_linking import GAMEINDEX, _ps2_iso


def test_ps2_images_have_a_platform_and_compat_agrees_with_explain(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    _ps2_iso(root / "ps2" / "Midnight Club (Europe).iso", "SLES_500.71")
    (root / "gc").mkdir(parents=True)
    (root / "gc" / "Some Game (USA).iso").write_bytes(b"GALE01" + bytes(4090))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert games["Midnight Club (Europe).iso"]["platform_id"] == "ps2"
    assert games["Some Game (USA).iso"]["platform_id"] == "gamecube"
    assert cli("cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    listed = cli("--json", "games", "ls", "compat:menu_intro").json()["data"]["games"]
    assert [g["filename"] for g in listed] == ["Midnight Club (Europe).iso"]
    explained = cli("--json", "cache", "explain", str(games["Midnight Club (Europe).iso"]["id"]))
    assert explained.code == 0, explained.err
    assert "menu_intro" in explained.out
    assert cli("games", "set-platform", "wii", str(games["Some Game (USA).iso"]["id"])).code == 0
