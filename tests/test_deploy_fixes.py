"""Deploy never removes or writes what it should not (QA3 F-G, F-Y, F-C, F-L, F-D, F-E, F-O):
real library folders, a real database, the real CLI and real card folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def rom(path: Path, seed: str, size: int = 4096) -> bytes:
    """Write a ROM of ``size`` bytes made from ``seed``."""
    data = hashlib.sha256(seed.encode()).digest() * (size // 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


GAMES = ("snes/Sky Pilot (USA).sfc", "snes/Star Fox (Europe).sfc",
         "gba/Pocket Quest (Europe).gba", "gba/Tiny Tanks (USA).gba")


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> Path:
    """A scanned root of four games and a muOS profile (id 1); returns the root."""
    root = tmp_path / "lib"
    for n, name in enumerate(GAMES):
        rom(root / name, str(n))
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    return root


def card_roms(card: Path) -> set[str]:
    """The card's files outside ``.romrunner/``, relative to the card."""
    return {p.relative_to(card).as_posix() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def deployed(cli: Any, card: Path, *args: str) -> set[str]:
    """Deploy the auto-list (or ``args``) to ``card``; the card's files after it."""
    card.mkdir(exist_ok=True)
    result = cli("deploy", "1", "--to", str(card), *(args or ("--auto",)))
    assert result.code == 0, result.err
    return card_roms(card)


# -- F-G: a rescan that marks games missing must not let --prune empty the card ------------
def test_prune_keeps_copies_of_games_missing_after_a_rescan_of_an_empty_root(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    assert len(before) == 4
    library.rename(tmp_path / "lib-away")  # the share is unmounted…
    library.mkdir()                        # …and leaves its empty mount folder
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    dry = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == []
    result = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert result.code == 0, result.err
    assert result.json()["data"]["pruned"] == 0
    assert card_roms(card) == before
    warnings = " ".join(result.json()["warnings"])
    assert "4 games missing from the library" in warnings and "never pruned" in warnings


def test_prune_keeps_a_missing_game_but_removes_one_no_longer_chosen_or_forgotten(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    (library / "gba/Tiny Tanks (USA).gba").unlink()  # one game's file gone: a real rescan
    assert cli("scan", "--workers", "1").code == 0
    after = deployed(cli, card, "platform:gba", "--prune")
    # Star Fox and Sky Pilot are present and no longer chosen: pruned; Tiny Tanks is missing:
    # held. Pocket Quest is chosen.
    assert after == {"ROMS/gba/Pocket Quest (Europe).gba", "ROMS/gba/Tiny Tanks (USA).gba"}
    assert after < before
    assert cli("library", "rm", str(library)).code == 0  # the games leave the library
    emptied = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert emptied.code == 0, emptied.err
    assert emptied.json()["data"]["pruned"] == 2 and card_roms(card) == set()


def test_prune_keeps_the_copies_of_an_unreachable_root(cli: Any, library: Path,
                                                       tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card)
    library.rename(tmp_path / "lib-away")  # unmounted, no mount folder left, no rescan
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--prune")
    assert result.json()["data"]["pruned"] == 0
    assert card_roms(card) == before
    assert any("not reachable" in w for w in result.json()["warnings"])


# -- F-Y: a second path to a library folder is still the library ---------------------------
def test_a_card_inside_a_root_reached_by_another_path_is_refused(
        cli: Any, library: Path, tmp_path: Path) -> None:
    # The library moved and its old path (the root's stored path) is now a link to it: the
    # card's resolved path shares no text with the root's, but it is the same folder.
    moved = tmp_path / "disk" / "lib"
    moved.parent.mkdir()
    library.rename(moved)
    library.symlink_to(moved, target_is_directory=True)
    for card, says in ((moved / "card", "is inside the library root"),
                       (moved, "is inside the library root"),
                       (tmp_path / "disk", "holds the library root")):
        card.mkdir(exist_ok=True)
        before = sorted(p.name for p in card.rglob("*"))
        for extra in ((), ("--dry-run",)):
            result = cli("deploy", "1", "--to", str(card), "--auto", *extra)
            assert result.code == 2, (card, result.out)
            assert says in result.err and len(result.err.strip().splitlines()) == 1
        assert sorted(p.name for p in card.rglob("*")) == before


def test_a_symlinked_card_into_a_root_is_refused(cli: Any, library: Path,
                                                 tmp_path: Path) -> None:
    link = tmp_path / "card-link"
    link.symlink_to(library / "snes", target_is_directory=True)
    result = cli("deploy", "1", "--to", str(link), "--auto")
    assert result.code == 2 and "is inside the library root" in result.err
    assert not (library / "snes" / ".romrunner").exists()


def _can_bind_mount(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    done = subprocess.run(["unshare", "-m", "sh", "-c",
                           f"mount --bind '{probe}' '{probe}'"], capture_output=True)
    return done.returncode == 0


def test_a_bind_mount_of_a_root_is_refused(cli: Any, library: Path, tmp_path: Path,
                                           db_path: Path) -> None:
    if not _can_bind_mount(tmp_path):
        pytest.skip("bind mounts need root and unshare/mount: not available here")
    bind = tmp_path / "bind"
    bind.mkdir()
    for source, says in ((library, "is inside the library root"),
                         (tmp_path, "holds the library root"),
                         (library / "gba", "a file this deploy copies from")):
        # The mount lives only in the child's own mount namespace: nothing is left mounted.
        script = (f"mount --bind '{source}' '{bind}' && exec '{sys.executable}' -m "
                  f"romrunner.cli.main deploy 1 --to '{bind}' --auto")
        child = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                               text=True, env={**os.environ, "ROMRUNNER_DB": str(db_path)},
                               timeout=300)
        assert child.returncode == 2, child.stdout + child.stderr
        assert says in child.stderr and len(child.stderr.strip().splitlines()) == 1
    assert not (library / ".romrunner").exists() and not (library / "ROMS").exists()
    assert not (library / "gba" / ".romrunner").exists()
    assert not (tmp_path / ".romrunner").exists() and list(bind.iterdir()) == []
