"""An archived game (a zipped cue/bin) whose emulator cannot read the archive's format, by the
definition pack's formats of it, is left out of the auto-list as ``archive_unreadable``, and
another copy of the game in a format it reads is kept in its place; ``deploy --auto`` goes by
the same list (qa194 F10: the zip was included, and the deploy warned that pcsx-rearmed could
not read it)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def _disc(folder: Path, stem: str, seed: str) -> tuple[Path, Path]:
    """A cue sheet and its track, of bytes of their own."""
    folder.mkdir(parents=True, exist_ok=True)
    track = folder / f"{stem}.bin"
    track.write_bytes(hashlib.sha256(seed.encode()).digest() * 2352)
    sheet = folder / f"{stem}.cue"
    sheet.write_text(f'FILE "{track.name}" BINARY\n  TRACK 01 MODE2/2352\n'
                     "    INDEX 01 00:00:00\n", encoding="utf-8")
    return sheet, track


def _zipped_disc(folder: Path, stem: str, seed: str) -> Path:
    """A cue/bin zipped together, as a user zips a disc to save room (the loose files gone)."""
    sheet, track = _disc(folder, stem, seed)
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(sheet, sheet.name)
        zipped.write(track, track.name)
    sheet.unlink()
    track.unlink()
    return archive


def _verdicts(cli: Any) -> dict[str, dict[str, Any]]:
    result = cli("--json", "autolist", "1")
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def test_a_zipped_disc_its_emulator_cannot_read_is_left_out_saying_why(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    _zipped_disc(root / "psx", "Spyro the Dragon (USA)", "spyro")
    _disc(root / "psx", "Crash Bandicoot (USA)", "crash")
    muos_profile(cli, root)
    games = _verdicts(cli)
    spyro = games["Spyro the Dragon (USA).zip"]
    assert not spyro["included"]
    assert spyro["reason"] == spyro["dropped"] == "archive_unreadable"
    emulator = spyro["emulator_id"]
    assert f"{emulator} cannot read .zip files" in spyro["warnings"][-1]
    assert "extract the disc in the library" in spyro["warnings"][-1]
    assert games["Crash Bandicoot (USA).cue"]["included"]
    text = cli("autolist", "1")
    assert text.code == 0, text.err
    line = next(line for line in text.out.splitlines() if "Spyro" in line)
    assert line.startswith("-") and f"archive_unreadable ({emulator} cannot read .zip" in line
    assert "archive_unreadable 1" in text.out

    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert data["chosen"]["left_out_by_autolist"] == 1
    assert not [w for w in data["plan"]["warnings"] if w["code"].startswith("archive-")]
    assert data["plan"]["games"] == 1 and data["plan"]["archives"] == []


def test_a_copy_its_emulator_reads_is_kept_in_place_of_the_zip_it_cannot(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    # (the USA zip ranks before the Europe cue/bin by region: its format decides)
    _zipped_disc(root / "psx", "Spyro the Dragon (USA)", "spyro-usa")
    _disc(root / "psx", "Spyro the Dragon (Europe)", "spyro-europe")
    muos_profile(cli, root)
    games = _verdicts(cli)
    assert games["Spyro the Dragon (USA).zip"]["reason"] == "archive_unreadable"
    kept = games["Spyro the Dragon (Europe).cue"]
    assert kept["included"] and kept["reason"] == "INCLUDED"


def test_an_archive_its_emulator_reads_is_included(cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    folder = root / "gba"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Pocket Quest (Europe).zip", "w") as zipped:
        zipped.writestr("Pocket Quest (Europe).gba", hashlib.sha256(b"pq").digest() * 128)
    muos_profile(cli, root)
    game = _verdicts(cli)["Pocket Quest (Europe).zip"]
    assert game["included"] and game["reason"] == "INCLUDED", game


def test_an_archive_of_one_rom_its_emulator_lists_no_archive_for_stays_warned_of(
        cli: Any, tmp_path: Path) -> None:
    """Only a disc of several files in an archive is left out: RetroArch unpacks an archive
    of one ROM for a core that does not read archives, and the pack's formats of many
    cartridge cores leave zip out; the deploy's plan still warns of it."""
    root = tmp_path / "roms"
    folder = root / "psx"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "Ridge Racer (USA).zip", "w") as zipped:
        zipped.writestr("Ridge Racer (USA).iso", hashlib.sha256(b"rr").digest() * 2048)
    _zipped_disc(folder, "Spyro the Dragon (USA)", "spyro")
    muos_profile(cli, root)
    games = _verdicts(cli)
    assert games["Spyro the Dragon (USA).zip"]["reason"] == "archive_unreadable"
    single = games["Ridge Racer (USA).zip"]
    assert single["included"] and single["reason"] == "INCLUDED", single
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert dry.code == 0, dry.err
    codes = [w["code"] for w in dry.json()["data"]["plan"]["warnings"]]
    assert "archive-unreadable" in codes, codes


def test_a_zipped_disc_left_out_for_another_version_is_not_warned_of(
        cli: Any, tmp_path: Path) -> None:
    """F9: "A disc zipped whole: whether … reads it is unknown" was said of a version the
    auto-list leaves out for another one (``other_version``: not deployed) too; it is said of
    the version listed only."""
    from tests.test_deploy_archives import _pack

    root = tmp_path / "roms"
    _zipped_disc(root / "psx", "Spyro the Dragon (USA)", "spyro-usa")
    _zipped_disc(root / "psx", "Spyro the Dragon (Europe)", "spyro-europe")
    muos_profile(cli, root)
    pack = _pack(tmp_path, {"retroarch-pcsx-rearmed": ["*"]})
    result = cli("--json", "--pack", str(pack), "autolist", "1")
    assert result.code == 0, result.err
    games = {game["filename"]: game for game in result.json()["data"]["games"]}
    kept, left = games["Spyro the Dragon (USA).zip"], games["Spyro the Dragon (Europe).zip"]
    assert kept["included"] and not kept["dropped"], kept
    assert left["dropped"] == "other_version", left
    assert any(w.startswith("A disc zipped whole: whether retroarch-pcsx-rearmed reads it is "
                            "unknown") for w in kept["warnings"]), kept
    assert not any(w.startswith("A disc zipped whole") for w in left["warnings"]), left
