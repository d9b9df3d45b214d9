"""A deploy that does not prune checks each source as it copies it (not all of them first),
in the plan's words; and the run's own card manifest is not parsed again to keep its bulk
check — on real databases, real folders and real files."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath
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



def _zip_of(name: str, data: bytes, method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(zipfile.ZipInfo(name, (2001, 1, 1, 0, 0, 0)), data,
                         compress_type=method)
    return buffer.getvalue()


def _bend_zipped_member(cli: Any, tmp_path: Path, db_path: Path, method: int) -> Path:
    """Two GBA games zipped (``method``), known by a DAT from their zips' directories (no
    hash of either zip file), a muOS profile; then 4 bytes of one zip's member data
    overwritten, its time kept: that zip."""
    roms = {"Good Game (USA)": rom_bytes(1, 65536), "Bent Game (USA)": rom_bytes(2, 65536)}
    folder = tmp_path / "roms" / "gba"
    folder.mkdir(parents=True)
    for name, data in roms.items():
        (folder / f"{name}.zip").write_bytes(_zip_of(f"{name}.gba", data, method))
    dat = tmp_path / "gba.dat"
    dat.write_text(dat_text("Nintendo - Game Boy Advance",
                            {name: (f"{name}.gba", data) for name, data in roms.items()}))
    assert cli("dat", "import", dat).code == 0
    muos_profile(cli, tmp_path / "roms")
    assert _rows(db_path, "SELECT filename, match_method, file_sha1 IS NULL FROM games "
                          "ORDER BY filename") == [
        ("Bent Game (USA).zip", "crc32", 1), ("Good Game (USA).zip", "crc32", 1)]
    bent = folder / "Bent Game (USA).zip"
    before = bent.stat()
    with bent.open("r+b") as handle:  # (in the member's data: past its 49-byte local header)
        handle.seek(60)
        handle.write(b"\0\0\0\0")
    os.utime(bent, ns=(before.st_atime_ns, before.st_mtime_ns))
    return bent


def test_a_zip_known_by_its_members_crc32_changed_in_place_is_not_copied(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """qa181 N3: a zip the scan read from its directory (its members' CRC32, no hash of the
    zip file), one member's data overwritten with its time kept, went on the card unsaid (a
    loose file in that state fails): the copy's members are checked against the CRC32s the
    scan read; that zip fails as the loose file does, nothing of it is left on the card, and
    the intact one goes."""
    bent = _bend_zipped_member(cli, tmp_path, db_path, zipfile.ZIP_STORED)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", card, "platform:gba")
    assert result.code == 1, result.err
    # (damaged, said so: review39 F3, "changed in place? scan --full" went in circles)
    assert (f"{bent}: the data of its member Bent Game (USA).gba is not what the zip states: "
            "damaged (`romrunner scan --verify` marks it so; restore the zip from a backup)"
            ) in " ".join((result.out + result.err).split())
    on_card = card_files(card)
    assert not any("Bent Game" in path for path in on_card), on_card
    assert any(path.endswith("Good Game (USA).zip") for path in on_card), on_card
    assert not temp_files(card)


def test_a_deflated_zip_changed_in_place_is_not_copied_either(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """qa181 N3, a deflated zip: its bent member does not decompress to its CRC32 (or not
    at all); it fails, named, with the rescan that reads it again, and the intact one (its
    members decompressed and checked) goes."""
    bent = _bend_zipped_member(cli, tmp_path, db_path, zipfile.ZIP_DEFLATED)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", card, "platform:gba")
    assert result.code == 1, result.err
    (error,) = result.json()["data"]["errors"]
    assert error["error"].startswith(f"{bent}: "), error
    assert "damaged (`romrunner scan --verify` marks it so" in error["error"], error
    on_card = card_files(card)
    assert sorted(PurePosixPath(path).name for path in on_card
                  if path.endswith(".zip")) == ["Good Game (USA).zip"], on_card
    assert not temp_files(card)
