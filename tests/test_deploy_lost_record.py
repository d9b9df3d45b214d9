"""A card whose `.romrunner/` was lost (dot-folders cleaned, its files copied to a new card
without it) is still ROM Runner's where its files are what earlier deploys to that folder
wrote (QA43 F3: they were "files of yours", and no prune could remove them)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def test_a_card_without_its_record_keeps_our_files_ours(cli: Any, tmp_path: Path) -> None:
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    for i, name in enumerate(("A (USA).gb", "B (USA).gb", "C (USA).gb")):
        (lib / name).write_bytes(bytes([i + 1]) * 4096)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    copies = sorted(p for p in card.rglob("*.gb"))
    assert len(copies) == 3
    folder = copies[0].parent
    (folder / "Mine (USA).gb").write_bytes(b"mine" * 1024)  # the user's own, never ours
    shutil.rmtree(card / ".romrunner")
    again = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert again.code == 0, again.err
    data = again.json()
    assert (data["data"]["copied"], data["data"]["skipped"]) == (0, 3)
    assert [e for e in data["data"]["errors"] if "of yours" in e["error"]] == []
    assert any(".romrunner/) is gone" in note for note in data["data"]["notes"])
    (lib / "C (USA).gb").rename(lib / "C - New Name (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "A (USA).gb", "B (USA).gb", "C - New Name (USA).gb", "Mine (USA).gb"]
