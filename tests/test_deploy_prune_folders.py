"""`--prune` removes the folders it leaves empty — only folders our deployments created, never
one the layout names (a platform's folder, the BIOS folder) or one above it, never one with
anything else in it; the dry run says which — on real folders and files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romrunner.deploy.execute import DeployOptions, DeploySummary, deploy, preview
from tests.test_deploy_support import Layout, Library, card_files, make_library

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
DISCS = [f"Solo (USA) (Disc {n})" for n in (1, 2)]
FILES: dict[str, int | bytes] = {
    **{f"psx/{disc}.cue": CUE.format(f"{disc}.bin").encode() for disc in DISCS},
    **{f"psx/{disc}.bin": 40_000 + n for n, disc in enumerate(DISCS)},
    "snes/Sky Pilot (USA).sfc": 7_000,
}
TRACKS = "Roms/psx/.Solo (USA)"  # the set's discs in a folder of their own (muOS, Onion...)


def _layout(card: Path) -> Layout:
    return Layout(card, disc_layout="hidden")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path, FILES)


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    return folder


def _snes_only(library: Library) -> list[int]:
    return [int(row[0]) for row in library.db.query(
        "SELECT id FROM games WHERE platform_id = 'snes'")]


def _prune(library: Library, card: Path, ids: list[int]) -> DeploySummary:
    return deploy(library.db, library.plan(_layout(card), ids), profile_id=library.profile_id,
                  options=DeployOptions(prune=True))


def test_a_prune_removes_the_folders_it_emptied_that_we_created(library: Library,
                                                                card: Path) -> None:
    first = deploy(library.db, library.plan(_layout(card)), profile_id=library.profile_id)
    assert first.copied == 6 and (card / TRACKS).is_dir()
    manifest = json.loads((card / ".romrunner/manifest.json").read_bytes())
    assert manifest["folders"] == [TRACKS]  # not Roms, Roms/psx: the layout's
    plan = library.plan(_layout(card), _snes_only(library))
    listed = preview(library.db, plan, DeployOptions(prune=True))
    assert listed["prune_folders"] == [TRACKS]
    assert (card / TRACKS).is_dir()  # the dry run removed nothing
    # (QA186: the folders it would empty and leave, said as the run says them)
    assert [note for note in listed["notes"] if note.startswith(
        "the prune would empty 1 folder and leave it (Roms/psx): a folder an OS's layout "
        "names")], listed["notes"]
    # (none where this run's copies go: the game of a platform chosen again)
    again = preview(library.db, library.plan(_layout(card)), DeployOptions(prune=True))
    assert not [note for note in again["notes"] if "the prune would empty" in note]
    summary = deploy(library.db, plan, profile_id=library.profile_id,
                     options=DeployOptions(prune=True))
    assert summary.pruned == 5 and summary.pruned_folders == [TRACKS]
    assert not (card / TRACKS).exists()
    assert (card / "Roms/psx").is_dir()  # a platform's folder: kept, empty, and said
    assert [note for note in summary.notes if note.startswith(
        "the prune emptied 1 folder and left it (Roms/psx): a folder an OS's layout names")]
    assert set(card_files(card)) == {"Roms/snes/Sky Pilot (USA).sfc"}
    manifest = json.loads((card / ".romrunner/manifest.json").read_bytes())
    assert "folders" not in manifest


def test_a_folder_we_created_that_holds_a_file_of_the_users_is_kept(library: Library,
                                                                    card: Path) -> None:
    deploy(library.db, library.plan(_layout(card)), profile_id=library.profile_id)
    mine = card / TRACKS / "my notes.txt"
    mine.write_text("keep me")
    plan = library.plan(_layout(card), _snes_only(library))
    assert preview(library.db, plan, DeployOptions(prune=True))["prune_folders"] == []
    listed = preview(library.db, plan, DeployOptions(prune=True))
    assert not [note for note in listed["notes"] if "the prune would empty" in note]
    summary = _prune(library, card, _snes_only(library))
    assert summary.pruned == 5 and summary.pruned_folders == []
    assert not [note for note in summary.notes if "the prune emptied" in note]  # (not empty)
    assert mine.read_text() == "keep me"
    mine.unlink()  # once the user's file is gone, a later prune may remove the folder
    (card / TRACKS / "sub").mkdir()  # …but not with a folder of theirs in it
    again = _prune(library, card, _snes_only(library))
    assert again.pruned_folders == [] and (card / TRACKS / "sub").is_dir()


def test_a_folder_that_was_there_before_our_deploy_is_never_removed(library: Library,
                                                                    card: Path) -> None:
    (card / TRACKS).mkdir(parents=True)  # the user's own folder
    deploy(library.db, library.plan(_layout(card)), profile_id=library.profile_id)
    manifest = json.loads((card / ".romrunner/manifest.json").read_bytes())
    assert "folders" not in manifest
    summary = _prune(library, card, _snes_only(library))
    assert summary.pruned == 5 and summary.pruned_folders == []
    assert (card / TRACKS).is_dir()
