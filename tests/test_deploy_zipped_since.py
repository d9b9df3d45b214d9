"""A ROM the user zipped in the library after it was deployed (qa171 F1): the zip takes over
the loose file's row with the ROM's hashes, not hashes of its own (a zip read from its
directory is not hashed), so its card copy's SHA1 was found nowhere and a prune kept it as
"content the library no longer has (maybe the only copy left)" though the library holds
those very bytes. A prune now reads a library archive of that size and compares."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import knulli_card_deployed


def _zipped_and_deployed(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """Library gb/A, B, C (loose), deployed; A zipped since, scanned, and the zip deployed
    with a prune (the .gb replaced). The card and the library's zip."""
    lib, card = knulli_card_deployed(cli, tmp_path, ("A (USA).gb", "B (USA).gb", "C (USA).gb"))
    with zipfile.ZipFile(lib / "A (USA).zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(lib / "A (USA).gb", "A (USA).gb")
    (lib / "A (USA).gb").unlink()
    scan = cli("--json", "scan", "--workers", "1")
    assert scan.code == 0, scan.err
    swapped = cli("--json", "deploy", "1", "--to", card, "--auto", "--prune")
    assert swapped.code == 0, swapped.err
    (copy,) = card.rglob("A (USA).zip")
    assert copy.read_bytes() == (lib / "A (USA).zip").read_bytes()
    assert not list(card.rglob("A (USA).gb"))
    return card, lib / "A (USA).zip"


def _only_copy_notes(data: dict[str, Any]) -> list[str]:
    return [note for note in data["notes"] if "maybe the only copy left" in note]


def test_a_zip_the_library_holds_is_pruned_from_a_card_that_lost_its_record(
        cli: Any, tmp_path: Path) -> None:
    card, _ = _zipped_and_deployed(cli, tmp_path)
    shutil.rmtree(card / ".romrunner")  # (the user cleans dot-folders)
    dry = cli("--json", "deploy", "1", "--to", card, "title:b", "--prune", "--dry-run",
              "--force")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert _only_copy_notes(data) == []
    assert any(path.endswith("A (USA).zip") for path in data["prune"]), data["prune"]
    run = cli("--json", "deploy", "1", "--to", card, "title:b", "--prune", "--force")
    assert run.code == 0, run.err
    assert _only_copy_notes(run.json()["data"]) == []
    assert not list(card.rglob("A (USA).zip"))


def test_the_copy_of_a_zip_changed_in_the_library_since_stays_the_only_copy(
        cli: Any, tmp_path: Path) -> None:
    """The bytes decide, not the name or size: the library's zip rewritten (same size, other
    bytes) no longer holds the card's copy, which the prune keeps and names."""
    card, library_zip = _zipped_and_deployed(cli, tmp_path)
    data = bytearray(library_zip.read_bytes())
    data[-1] ^= 0xFF  # (the zip's comment length's last byte: same size, other bytes)
    library_zip.write_bytes(bytes(data))
    shutil.rmtree(card / ".romrunner")
    run = cli("--json", "deploy", "1", "--to", card, "title:b", "--prune", "--force")
    assert run.code == 0, run.err
    notes = _only_copy_notes(run.json()["data"])
    assert len(notes) == 1 and "A (USA).zip" in notes[0], run.json()["data"]["notes"]
    assert list(card.rglob("A (USA).zip"))


def test_a_zip_deployed_again_under_the_cards_new_id_is_pruned_too(cli: Any,
                                                                   tmp_path: Path) -> None:
    """qa171 F1 as reported: the card's record lost, a deploy of everything (the card's new
    id, the zip found as written), then a prune that no longer chooses it."""
    card, _ = _zipped_and_deployed(cli, tmp_path)
    shutil.rmtree(card / ".romrunner")
    again = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert again.code == 0, again.err
    run = cli("--json", "deploy", "1", "--to", card, "title:b", "--prune", "--force")
    assert run.code == 0, run.err
    assert _only_copy_notes(run.json()["data"]) == []
    assert not list(card.rglob("A (USA).zip"))


def test_the_dry_run_names_the_old_copy_a_prune_keeps_for_a_zip_changed_since_the_scan(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F5: a ROM zipped in the library since it was deployed, the zip then changed
    since the scan (its time): its copy fails, and the prune keeps the old `.gb` on the card
    — the dry run counted it "1 keep" and named it in no note (the run does)."""
    lib, card = knulli_card_deployed(cli, tmp_path, ("A (USA).gb", "B (USA).gb"))
    with zipfile.ZipFile(lib / "A (USA).zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(lib / "A (USA).gb", "A (USA).gb")
    (lib / "A (USA).gb").unlink()
    assert cli("scan", "--workers", "1").code == 0
    os.utime(lib / "A (USA).zip", ns=(10**18, 10**18))  # (changed since the scan)
    (old,) = [str(p.relative_to(card)) for p in card.rglob("A (USA).gb")]
    for dry in (True, False):
        run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force",
                  *(("--dry-run",) if dry else ()))
        data = run.json()["data"]
        assert data["prune_held"] == [old], data
        if dry:
            assert data["actions"]["keep"] == 1, data["actions"]
        named = [note for note in data["notes"] if old in note]
        assert len(named) == 1 and "never pruned" in named[0], (dry, data["notes"])
    assert (card / old).is_file()


def test_the_root_away_warning_counts_the_copy_a_zipped_rom_keeps_beside_a_loose_twin(
        cli: Any, tmp_path: Path) -> None:
    """review42b F1: a ROM deployed from root a, zipped there since, a loose copy of it on
    root b, root a away: the prune kept the card copy (rightly), and the root's warning said
    "the card's copies of 0 games of it kept"."""
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "gba").mkdir(parents=True)
    (second / "snes").mkdir(parents=True)
    (second / "gba").mkdir()
    rom = first / "gba" / "Alpha (USA).gba"
    rom.write_bytes(bytes(range(256)) * 64)
    (second / "snes" / "Sn (USA).sfc").write_bytes(b"\x05" * 8192)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", first), ("library", "add", second),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "platform:gba")):
        assert cli(*args).code == 0, args
    (copy,) = [p for p in card.rglob("Alpha (USA).gba")]
    with zipfile.ZipFile(first / "gba" / "Alpha (USA).zip", "w") as archive:
        archive.write(rom, rom.name)
    rom.unlink()
    (second / "gba" / "Alpha (USA).gba").write_bytes(copy.read_bytes())
    assert cli("scan", "--workers", "1", "--verify").code == 0
    first.rename(tmp_path / "a-away")
    dry = cli("--json", "deploy", "1", "--to", card, "platform:snes", "--prune", "--dry-run")
    data = dry.json()["data"]
    assert data["prune"] == [], data["prune"]
    (warning,) = [w["message"] for w in data["plan"]["warnings"]
                  if w["code"] == "root-unreachable"]
    assert "the card's copies of 1 game of it kept" in warning, warning
