"""A game the library has but cannot deploy now (missing since the scan) keeps every copy an
earlier deploy put on the card, wherever that was: its platform's folder moved since, and its
disc tracks and its set's playlist with it. Real library, database, folders and files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from romrunner.deploy.execute import DeployOptions, deploy, preview
from romrunner.library.platforms import UNKNOWN
from romrunner.library.scan import scan_library
from tests.test_deploy import disc_files
from tests.test_deploy_support import Folder, Layout, builtin_pack, card_files, make_library


@dataclass
class Moved(Layout):
    """The test layout with the PlayStation's folder renamed (a newer folder name)."""

    def rom_folder(self, platform_id: str) -> Folder | None:
        if platform_id == "psx":
            return Folder(PurePosixPath("Roms/PS"))
        return super().rom_folder(platform_id)


def test_a_missing_discs_copies_and_its_sets_playlist_stay_in_the_old_folder(
        tmp_path: Path) -> None:
    library = make_library(tmp_path, disc_files())
    card = tmp_path / "card"
    card.mkdir()
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert first.copied == 11
    for suffix in ("cue", "bin"):  # disc 2 leaves the library: a real rescan
        (library.root / f"psx/Saga (USA) (Disc 2).{suffix}").unlink()
    scan_library(library.db, builtin_pack(), workers=1)
    with library.db.atomic():  # no SHA1 known for it: only the records' game ids hold it
        library.db.execute("UPDATE game_files SET sha1_bin = NULL WHERE game_id IN (SELECT id "
                           "FROM games WHERE is_missing = 1)")
        library.db.execute("UPDATE games SET sha1_bin = NULL WHERE is_missing = 1")
    present = [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE is_missing = 0")]
    held = ["Roms/psx/Saga (USA) (Disc 2).bin", "Roms/psx/Saga (USA) (Disc 2).cue",
            "Roms/psx/Saga (USA).m3u"]
    options = DeployOptions(prune=True, force_prune=True)
    dry = preview(library.db, library.plan(Moved(card), present), options)
    assert sorted(dry["prune"]) == [f"Roms/psx/Saga (USA) (Disc {n}).{suffix}"
                                    for n in (1, 3) for suffix in ("bin", "cue")]
    assert dry["prune_held"] == held
    pruned = deploy(library.db, library.plan(Moved(card), present),
                    profile_id=library.profile_id, options=options)
    assert (pruned.pruned, pruned.prune_held) == (4, held)
    assert sorted(dest for dest in card_files(card) if "/psx/" in dest) == held
    assert sorted(dest for dest in card_files(card) if "/PS/" in dest) == [
        f"Roms/PS/Saga (USA) (Disc {n}).{suffix}" for n in (1, 3) for suffix in ("bin", "cue")
    ] + ["Roms/PS/Saga (USA).m3u"]


def test_a_game_moved_out_of_its_platform_folder_keeps_its_copy_through_a_prune(
        tmp_path: Path) -> None:
    """QA53 F2: a ROM manager moved a deployed game to its ``ToSort/`` folder; the rescan
    finds it there, of undecided platform, and a ``--prune`` deploy removed its card copy
    (a present game, curated, and maybe with the player's saves). Now it is held, and said,
    until the user files it back or forgets it."""
    library = make_library(tmp_path, {"gb/Tobu (World).gb": 8192, "gb/Other (USA).gb": 8192})
    card = tmp_path / "card"  # (as on every OS's card: no folder for games of no platform)
    card.mkdir()
    layout = Layout(card, no_folder={UNKNOWN})
    assert deploy(library.db, library.plan(layout), profile_id=library.profile_id).copied == 2
    before = card_files(card)
    (library.root / "ToSort").mkdir()
    (library.root / "gb/Tobu (World).gb").rename(library.root / "ToSort/Tobu (World).gb")
    scan_library(library.db, builtin_pack(), workers=1)
    moved = library.db.scalar("SELECT platform_id FROM games WHERE filepath LIKE 'ToSort/%'")
    assert moved == "unknown"  # (what the test is about: the scan no longer places it)
    options = DeployOptions(prune=True, force_prune=True)
    tobu = [dest for dest in before if "Tobu" in dest]
    plan = library.plan(layout)
    said = [w.message for w in plan.warnings if w.code == "undecided-held"]
    assert len(said) == 1 and tobu[0] in said[0], plan.warnings
    dry = preview(library.db, plan, options)
    assert dry["prune"] == []
    pruned = deploy(library.db, library.plan(layout), profile_id=library.profile_id,
                    options=options)
    assert pruned.pruned == 0
    assert card_files(card) == before


def test_a_dropped_game_whose_twin_lies_in_tosort_is_pruned(tmp_path: Path) -> None:
    """Review 29 R3: an identical duplicate in `ToSort/` (undecided) held the card copy of
    a present game the user no longer chooses, "a game it cannot deploy now"."""
    library = make_library(tmp_path, {"gb/Tobu (World).gb": 8192, "gb/Other (USA).gb": 8192})
    card = tmp_path / "card"
    card.mkdir()
    layout = Layout(card, no_folder={UNKNOWN})
    assert deploy(library.db, library.plan(layout), profile_id=library.profile_id).copied == 2
    (library.root / "ToSort").mkdir()
    (library.root / "ToSort/Tobu (World) [dup].gb").write_bytes(
        (library.root / "gb/Tobu (World).gb").read_bytes())
    scan_library(library.db, builtin_pack(), workers=1)
    others = [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE filename = 'Other (USA).gb'")]
    summary = deploy(library.db, library.plan(layout, others), profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True))
    assert summary.pruned == 1 and summary.prune_held == []
    assert sorted(card_files(card)) == ["Roms/gb/Other (USA).gb"]


def test_a_moved_games_copy_is_held_on_its_card_mounted_elsewhere(tmp_path: Path) -> None:
    """Review 30 R4: the hold found the card by its mount path: mounted elsewhere since, the
    prune removed the copy of a game moved to `ToSort/`."""
    library = make_library(tmp_path, {"gb/Tobu (World).gb": 8192, "gb/Other (USA).gb": 8192})
    card = tmp_path / "card"
    card.mkdir()
    assert deploy(library.db, library.plan(Layout(card, no_folder={UNKNOWN})),
                  profile_id=library.profile_id).copied == 2
    elsewhere = card.rename(tmp_path / "mounted-elsewhere")
    (library.root / "ToSort").mkdir()
    (library.root / "gb/Tobu (World).gb").rename(library.root / "ToSort/Tobu (World).gb")
    scan_library(library.db, builtin_pack(), workers=1)
    summary = deploy(library.db, library.plan(Layout(elsewhere, no_folder={UNKNOWN})),
                     profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True))
    assert summary.pruned == 0
    assert sorted(card_files(elsewhere)) == ["Roms/gb/Other (USA).gb", "Roms/gb/Tobu (World).gb"]
