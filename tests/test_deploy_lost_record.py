"""A card whose `.romrunner/` was lost (dot-folders cleaned, its files copied to a new card
without it) is still ROM Runner's where its files are what earlier deploys to that folder
wrote (QA43 F3: they were "files of yours", and no prune could remove them)."""

from __future__ import annotations

import os
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
    assert [note for note in data["data"]["notes"] if ".romrunner/ gone" in note] != []
    (lib / "C (USA).gb").rename(lib / "C - New Name (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    shutil.rmtree(card / ".romrunner")  # (lost again: the dry run says what the run does)
    dry = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == [
        str((folder / "C (USA).gb").relative_to(card))]
    assert len([n for n in dry.json()["data"]["notes"] if ".romrunner/ gone" in n]) == 1
    pruned = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "A (USA).gb", "B (USA).gb", "C - New Name (USA).gb", "Mine (USA).gb"]


def test_another_card_at_the_same_folder_keeps_the_users_copies(cli: Any,
                                                                tmp_path: Path) -> None:
    """Review 21 R6: an automounter gives every card one folder; a card ROM Runner never
    wrote to, holding a copy the user made of a ROM deployed to the first one (its bytes,
    another time), is not ROM Runner's: a prune keeps it."""
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    for i, name in enumerate(("A (USA).gb", "B (USA).gb")):
        (lib / name).write_bytes(bytes([i + 1]) * 4096)
    mount = tmp_path / "media" / "SDCARD"
    mount.mkdir(parents=True)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("deploy", "1", "--to", mount, "--auto")):
        assert cli(*args).code == 0, args
    (copy_of_a,) = mount.rglob("A (USA).gb")
    where = copy_of_a.relative_to(mount)
    mount.rename(tmp_path / "card1")  # unplugged; another card appears at the same folder
    (mount / where.parent).mkdir(parents=True)
    shutil.copyfile(lib / "A (USA).gb", mount / where)  # the user's own copy: a new time
    os.utime(mount / where, (1_700_000_000, 1_700_000_000))
    for extra in (["--dry-run"], []):
        run = cli("--json", "deploy", "1", "--to", mount, "title:b", "--prune", *extra)
        assert run.code == 0, run.err
        data = run.json()["data"]
        assert (data["prune"] == []) if extra else (data["pruned"] == 0)
        notes = " ".join(data["notes"])  # (QA47 F2: not "changed on the card since")
        assert "not provably ROM Runner's" in notes and "changed on the card" not in notes
    assert (mount / where).read_bytes() == (lib / "A (USA).gb").read_bytes()
