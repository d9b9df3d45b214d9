"""A deploy that does not prune checks each source as it copies it (not all of them first),
in the plan's words; and the run's own card manifest is not parsed again to keep its bulk
check — on real databases, real folders and real files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from romrunner.deploy.card import Owned, parse_manifest_files, read_manifest_bytes, write_manifest
from romrunner.deploy.execute import Claims, deploy, record_deployment, resume
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import changed_since_the_scan
from tests.conftest import muos_profile
from tests.test_deploy_support import (
    Layout,
    Library,
    card_files,
    make_library,
    payload,
    temp_files,
)
from tests.test_scan import dat_text, rom_bytes
from tests.test_scan_deferred import _rows


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


def test_a_rom_known_by_its_crc32_alone_changed_in_place_is_not_copied(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA178 F7: a ROM a scan with a DAT identified by CRC32 and size (its SHA1 deferred, the
    usual state), 4 bytes of it overwritten with its time kept, went on the card unsaid; the
    CRC32 of the bytes copied is checked as a BIOS's SHA1 is: that file fails, nothing of it
    is left on the card under its name, and the intact one goes."""
    roms = {"Good Game (USA)": rom_bytes(1, 8192), "Bent Game (USA)": rom_bytes(2, 8192)}
    root = tmp_path / "roms"
    (root / "gba").mkdir(parents=True)
    for name, data in roms.items():
        (root / "gba" / f"{name}.gba").write_bytes(data)
    dat = tmp_path / "gba.dat"
    dat.write_text(dat_text("Nintendo - Game Boy Advance",
                            {name: (f"{name}.gba", data) for name, data in roms.items()}))
    assert cli("dat", "import", dat).code == 0
    muos_profile(cli, root)
    assert _rows(db_path, "SELECT filename, match_method, file_sha1 IS NULL, "
                          "file_crc32 IS NOT NULL FROM games ORDER BY filename") == [
        ("Bent Game (USA).gba", "crc32", 1, 1), ("Good Game (USA).gba", "crc32", 1, 1)]
    bent = root / "gba" / "Bent Game (USA).gba"
    before = bent.stat()
    with bent.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\0\0\0\0")
    os.utime(bent, ns=(before.st_atime_ns, before.st_mtime_ns))
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", card, "platform:gba")
    assert result.code == 1, result.err
    assert (f"{bent}: its content no longer matches the scan's CRC32 (changed in place? "
            "`romrunner scan --full` reads it again)") in result.out + result.err
    on_card = card_files(card)
    assert not any("Bent Game" in path for path in on_card), on_card
    assert any(path.endswith("Good Game (USA).gba") for path in on_card), on_card
    assert not temp_files(card)
