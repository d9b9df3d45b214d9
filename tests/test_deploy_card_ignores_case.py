"""A card whose file system ignores letter case (FAT32, exFAT): a path that differs from
another only in case is the same file there. The planner goes by the card's rules (the
layout's ``fs``), so these run on any disk: what is checked is what the plan says."""

from __future__ import annotations

from pathlib import Path

from romrunner.deploy.execute import deploy
from romrunner.deploy.legal import FileSystem
from romrunner.library.scan import scan_library
from tests.test_deploy_support import Layout, builtin_pack, make_library


def test_a_library_file_renamed_only_in_case_is_not_said_to_leave_an_old_copy(
        tmp_path: Path) -> None:
    """QA186 F1: on a card that ignores case, the copy an earlier deploy made under the old
    spelling is the planned file itself; every deploy warned "the old copies stay until
    --prune removes them (the frontend lists such a game twice)", and no prune ever did."""
    old = "gb/Kirby's Dream Land (USA, Europe).gb"
    library = make_library(tmp_path, {old: 4096})
    card = tmp_path / "card"
    card.mkdir()
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert summary.copied == 1, summary
    (library.root / old).rename(library.root / "gb/KIRBY'S DREAM LAND (USA, EUROPE).gb")
    scan_library(library.db, builtin_pack(), workers=1)
    assert len(library.game_ids()) == 1
    for fs in (FileSystem.FAT32, FileSystem.EXFAT):
        plan = library.plan(Layout(card, fs=fs))
        assert [item.dest for item in plan.items] == [
            "Roms/gb/KIRBY'S DREAM LAND (USA, EUROPE).gb"]
        assert not [w for w in plan.warnings if w.code == "name-changed"], plan.warnings
    # (where case tells files apart, the old copy is another file: said, as before)
    posix = library.plan(Layout(card, fs=FileSystem.POSIX))
    (said,) = [w for w in posix.warnings if w.code == "name-changed"]
    assert "Kirby's Dream Land (USA, Europe).gb → KIRBY'S DREAM LAND (USA, EUROPE).gb" \
        in said.message, said.message
