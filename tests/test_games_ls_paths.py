"""`games ls --json` gives each game's path under its root (qa195 F10: only the root and
the file name were given, so a game in a subfolder, or two of one name in two folders,
could not be located from the JSON alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_games_ls_json_locates_each_file_by_its_root_and_path(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    for folder, data in (("snes/usa", b"one"), ("snes/europe", b"two"), ("gb", b"three")):
        (root / folder).mkdir(parents=True)
        (root / folder / "Same Name.sfc" if "snes" in folder else
         root / folder / "Pocket.gb").write_bytes(data * 1000)
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    rows = cli("--json", "games", "ls").json()["data"]["games"]
    located = sorted((Path(row["root"]) / row["filepath"]).read_bytes()[:5] for row in rows)
    assert located == sorted(data[:5] for data in (b"one" * 2, b"two" * 2, b"three"))
    paths = sorted(row["filepath"] for row in rows)
    assert paths == ["gb/Pocket.gb", "snes/europe/Same Name.sfc", "snes/usa/Same Name.sfc"]
    assert cli("collection", "create", "mine").code == 0
    assert cli("collection", "add", "mine", "--query", "platform:snes").code == 0
    shown = cli("--json", "collection", "show", "mine").json()["data"]
    members = shown["games"] if isinstance(shown, dict) else shown
    assert sorted(row["filepath"] for row in members) == paths[1:]
