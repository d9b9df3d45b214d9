"""A deploy that does not prune checks each source as it copies it (not all of them first),
in the plan's words; and the run's own card manifest is not parsed again to keep its bulk
check — on real databases, real folders and real files."""

from __future__ import annotations

from pathlib import Path

from romrunner.deploy.card import Owned, parse_manifest_files, read_manifest_bytes, write_manifest
from romrunner.deploy.execute import Claims, deploy, record_deployment, resume
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import changed_since_the_scan
from tests.test_deploy_support import Layout, Library, card_files, make_library, payload


def test_a_source_gone_before_its_copy_is_said_missing_since_the_scan(tmp_path: Path) -> None:
    """A source removed after the deployment was recorded: its file fails in the words the
    plan's check uses (not an operating-system error), and the rest is copied."""
    library: Library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    gone = next(item for item in plan.items if item.source.endswith(".gba"))
    deployment = record_deployment(library.db, plan, profile_id=library.profile_id)
    Path(gone.source).unlink()
    summary = resume(library.db, deployment)
    assert summary.failed == 1
    assert [e["error"] for e in summary.errors] == [f"{gone.source}: missing since the scan"]
    assert summary.copied == len(plan.items) - 1
    assert gone.dest not in card_files(card)


def test_a_changed_source_fails_at_its_copy_and_the_rest_is_deployed(tmp_path: Path) -> None:
    library: Library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    changed = next(item for item in plan.items if item.source.endswith(".gba"))
    Path(changed.source).write_bytes(payload("other", changed.size + 1))
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert [e["error"] for e in summary.errors] == [
        changed_since_the_scan(str(changed.source))]
    assert summary.copied == len(plan.items) - 1 and changed.dest not in card_files(card)


def test_the_manifest_a_run_wrote_is_taken_as_parsed_only_while_the_card_holds_it(
        tmp_path: Path) -> None:
    library: Library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    written = write_manifest(card, "card-1", [Owned("Roms/gb/A.gb", 10, 123, "ab" * 20)],
                             ["Roms", "Roms/gb", "/etc", "../up"])
    assert written is not None
    parsed = parse_manifest_files(card, *read_manifest_bytes(card))
    claims = Claims(library.db, card, "card-1", FileSystem.FAT32).adopt(written)
    assert claims.files is written[1]  # taken, not parsed again
    assert (claims.files, claims.folders) == parsed[:2]
    assert claims.folders == {"Roms", "Roms/gb"}  # (what the parse keeps of the folders)
    # The card's manifest is another one now: parsed from the card, not taken.
    write_manifest(card, "card-1", [Owned("Roms/gb/B.gb", 20, 456, None)], ["Roms"])
    claims = Claims(library.db, card, "card-1", FileSystem.FAT32).adopt(written)
    assert claims.files == {"Roms/gb/B.gb": [20, 456, None]}
    assert claims.folders == {"Roms"}
