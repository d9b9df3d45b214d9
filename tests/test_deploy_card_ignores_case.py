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


CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def test_a_set_renamed_only_in_case_replaces_its_own_playlist_without_a_conflict(
        tmp_path: Path) -> None:
    """Review40b F2: on a card that ignores case, a set whose discs were renamed in the
    library only in case (`game (disc 1).cue` to `Game (Disc 1).cue`, its sheet's FILE line
    too) met its own .m3u and sheets, written under the old spelling, as "ROM Runner wrote
    ... there for another file" at every deploy (exit 1) until --overwrite. They are the
    same files of the same games: replaced, and the next deploy writes nothing. The card
    here folds the case the way FAT does for a lookup: its files renamed to the spelling
    asked for, keeping their size and time, so that each is found at the new path."""
    files: dict[str, int | bytes] = {}
    for disc in (1, 2):
        files[f"psx/game (disc {disc}).bin"] = bytes([disc]) * 4096
        files[f"psx/game (disc {disc}).cue"] = CUE.format(f"game (disc {disc}).bin").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (first.copied, first.conflicts) == (5, 0), first
    assert (card / "Roms/psx/game.m3u").is_file()
    ids = library.game_ids()
    for disc in (1, 2):
        old, new = f"game (disc {disc})", f"Game (Disc {disc})"
        (library.root / f"psx/{old}.bin").rename(library.root / f"psx/{new}.bin")
        (library.root / f"psx/{old}.cue").unlink()
        (library.root / f"psx/{new}.cue").write_text(CUE.format(f"{new}.bin"))
        for suffix in (".bin", ".cue"):  # (what a FAT card shows at the new spelling)
            (card / f"Roms/psx/{old}{suffix}").rename(card / f"Roms/psx/{new}{suffix}")
    (card / "Roms/psx/game.m3u").rename(card / "Roms/psx/Game.m3u")
    scan_library(library.db, builtin_pack(), workers=1)
    assert library.game_ids() == ids  # (the same games, renamed)
    plan = library.plan(Layout(card))
    assert sorted(item.dest for item in plan.items if item.dest.endswith((".m3u", ".cue"))) \
        == ["Roms/psx/Game (Disc 1).cue", "Roms/psx/Game (Disc 2).cue", "Roms/psx/Game.m3u"]
    again = deploy(library.db, plan, profile_id=library.profile_id)
    assert (again.conflicts, again.failed, again.errors) == (0, 0, []), again
    assert again.copied == 3, again  # the .m3u and the two sheets, now other bytes
    assert (card / "Roms/psx/Game.m3u").read_text().splitlines() == [
        "Game (Disc 1).cue", "Game (Disc 2).cue"]
    assert (card / "Roms/psx/Game (Disc 2).cue").read_text() == \
        CUE.format("Game (Disc 2).bin")
    settled = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (settled.copied, settled.conflicts, settled.errors) == (0, 0, []), settled
