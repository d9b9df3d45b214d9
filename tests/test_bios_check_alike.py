"""`bios check` judges a platform as the deploy and the auto-list do, whichever way the
emulator is chosen (--emulator, --profile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_autolist import real, rom


def _library(cli: Any, tmp_path: Path, os_ids: tuple[str, ...]) -> None:
    """A Saturn and a Dreamcast game, scanned; profiles 1, 2… an RG35XX Plus on ``os_ids``."""
    for platform, name in (("saturn", "Nights into Dreams (USA)"),
                           ("dreamcast", "Shenmue (USA)")):
        folder = tmp_path / "roms" / platform
        folder.mkdir(parents=True)
        (folder / f"{name}.bin").write_bytes(rom(name) * 4)
        (folder / f"{name}.cue").write_text(f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE1/2352\n')
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 *(("profile", "create", "--device", "1", "--os", os_id) for os_id in os_ids)):
        assert real(cli, *args).code == 0, args


def _saturn(result: Any) -> list[tuple[str | None, bool, str]]:
    return sorted((g["emulator_id"], g["required"], g["status"])
                  for g in result.json()["data"]["groups"] if g["platform_id"] == "saturn")


def test_an_emulator_no_bios_entry_names_is_judged_as_the_profile_judges_it(
        cli: Any, tmp_path: Path) -> None:
    """qa178 F6: `--emulator yabasanshiro_libretro` said "nothing to check" (exit 0), while
    `--profile` of KNULLI, which runs Saturn games with that core, and its deploy said the
    Saturn BIOS required and missing."""
    _library(cli, tmp_path, ("knulli",))
    profile = real(cli, "--json", "bios", "check", "--profile", "1", "--platform", "saturn")
    assert profile.code == 1
    assert "yabasanshiro_libretro is named by no BIOS entry" in \
        profile.json()["data"]["groups"][0]["emulator_origin"]
    for emulator in ("yabasanshiro_libretro", "yabasanshiro"):
        alone = real(cli, "--json", "bios", "check", "--platform", "saturn",
                     "--emulator", emulator)
        assert alone.code == 1, (emulator, alone.out)
        assert _saturn(alone) == _saturn(profile)
    text = real(cli, "bios", "check", "--platform", "saturn", "--emulator",
                "yabasanshiro_libretro")
    assert "no BIOS entry of the pack names it; saturn checked for what any emulator of it " \
        "needs" in " ".join(text.out.split())
    # (an emulator an entry names keeps its own needs; one of another platform checks none)
    assert real(cli, "bios", "check", "--platform", "saturn", "--emulator", "mgba").code == 0


def test_a_platform_an_os_may_run_is_checked_as_its_deploy_brings_its_bios(
        cli: Any, tmp_path: Path) -> None:
    """qa178 F4: `bios check --profile` of muOS skipped Saturn and Dreamcast ("no emulator"),
    while the pack says muOS has cores beyond those it lists: the auto-list includes their
    games and a deploy puts them, and their BIOS, on the card, warning of Saturn's."""
    _library(cli, tmp_path, ("muos",))
    result = real(cli, "--json", "bios", "check", "--profile", "1")
    scope = result.json()["data"]["scope"]
    assert (scope["platforms"], scope["left_out"]) == (["dreamcast", "saturn"], [])
    assert result.code == 1 and (None, True, "missing-blocking") in _saturn(result)
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:saturn",
                "--dry-run")
    assert [w for w in plan.json()["warnings"] if w.startswith("saturn: no verified BIOS")]
