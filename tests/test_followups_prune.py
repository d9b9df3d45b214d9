"""`deploy --prune` has a brake (QA #4): a query that chose no game, or a prune of more than
half of the files ROM Runner put on the card, is refused — the dry run says the same — unless
``--force``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

SNES = [f"Sky Pilot {n} (USA)" for n in range(11)]
GBA = ["Pocket Quest (Europe)", "Desert Run (Europe)"]


def rom(path: Path, seed: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * 128)


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "roms"
    for title in SNES:
        rom(root / "snes" / f"{title}.sfc", title)
    for title in GBA:
        rom(root / "gba" / f"{title}.gba", title)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return root


def on_card(card: Path) -> dict[str, bytes]:
    return {str(p.relative_to(card)): p.read_bytes() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def deployed(cli: Any, card: Path, *queries: str) -> dict[str, bytes]:
    card.mkdir(exist_ok=True)
    for query in queries:
        result = cli("deploy", "1", "--to", str(card), query)
        assert result.code == 0, result.err
    return on_card(card)


def refused(cli: Any, card: Path, *args: str) -> str:
    """The one error line of a dry run and of the real run, which must be the same."""
    lines = []
    for dry in (["--dry-run"], []):
        result = cli("deploy", "1", "--to", str(card), *args, "--prune", *dry)
        assert result.code == 2, (args, dry, result.out)
        err = result.err.strip().splitlines()
        assert len(err) == 1, result.err
        lines.append(err[0])
    assert lines[0] == lines[1]
    return lines[0]


def test_a_query_that_chose_no_game_prunes_nothing(cli: Any, library: Path,
                                                   tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card, "platform:snes", "platform:gba")
    assert len(before) == 13
    line = refused(cli, card, "title:zzzz")
    assert "13 of the 13 files" in line and "no game is chosen" in line and "--force" in line
    assert str(card) in line
    assert on_card(card) == before
    small = tmp_path / "small"  # below the share's minimum, an empty choice is still held
    kept = deployed(cli, small, "platform:gba")
    assert "2 of the 2 files" in refused(cli, small, "title:zzzz")
    assert on_card(small) == kept
    forced = cli("--json", "deploy", "1", "--to", str(small), "title:zzzz", "--prune", "--force")
    assert forced.code == 0, forced.err
    assert forced.json()["data"]["pruned"] == 2 and on_card(small) == {}


def test_a_prune_of_more_than_half_of_our_files_needs_force(cli: Any, library: Path,
                                                            tmp_path: Path) -> None:
    card = tmp_path / "card"
    before = deployed(cli, card, "platform:snes", "platform:gba")
    line = refused(cli, card, "platform:gba")
    assert "11 of the 13 files" in line and "more than half" in line and "--force" in line
    assert on_card(card) == before
    json_dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--prune",
                   "--dry-run")
    assert json_dry.code == 2 and "11 of the 13" in json_dry.json()["errors"][0]
    # Under half goes ahead: the two GBA files go, the snes files stay.
    fine = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--prune")
    assert fine.code == 0, fine.err
    assert fine.json()["data"]["pruned"] == 2
    assert sorted(on_card(card)) == sorted(k for k in before if "/gba/" not in f"/{k}")
    # --force: the other way round, every snes file goes.
    forced_dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--prune",
                     "--force", "--dry-run")
    assert forced_dry.code == 0 and forced_dry.json()["data"]["actions"]["prune"] == 11
    forced = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--prune",
                 "--force")
    assert forced.code == 0, forced.err
    assert forced.json()["data"]["pruned"] == 11 and len(on_card(card)) == 2


def test_force_without_prune_is_a_usage_error(cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:gba", "--force")
    assert result.code == 2 and "--prune" in result.err
    assert list(card.iterdir()) == []


def test_a_prune_of_copies_moved_to_another_folder_is_not_held_back(
        cli: Any, tmp_path: Path) -> None:
    """QA151 F4: a platform moved to another folder (the OS's own after an earlier deploy took
    one of another name; an override removed): the prune of the old copies was refused as
    "more than half" of the card, though each is written again in the new folder."""
    from tests.conftest import muos_profile

    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    for number in range(12):
        (lib / f"Game {number} (USA).gb").write_bytes(bytes([number + 1]) * 4096)
    muos_profile(cli, lib.parent)
    assert cli("destination", "paths", "1", "--to", card, "--set", "gb=ROMS/Mine").code == 0
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    assert cli("destination", "paths", "1", "--to", card, "--unset", "gb").code == 0
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    # (said as moved, not as no longer chosen too: QA151 F6)
    assert [w["code"] for w in dry.json()["data"]["plan"]["warnings"]] == ["folder-moved"]
    assert not [n for n in dry.json()["data"]["notes"] if "no longer chosen" in n]
    moved = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert moved.code == 0, moved.err
    assert len(moved.json()["data"]["pruned_paths"]) == 12
    assert not list((card / "ROMS").glob("Mine/*.gb"))
    assert len([p for p in card.rglob("*.gb")]) == 12
    lib.joinpath("Game 0 (USA).gb").unlink()  # a real loss is still weighed as before
    for number in range(1, 12):
        lib.joinpath(f"Game {number} (USA).gb").unlink()
    (lib / "Other (USA).gb").write_bytes(b"\x99" * 4096)
    # (every file of a root of 12 gone, one new: a disk away unless confirmed — qa192 F1)
    assert cli("scan").code == 2
    assert cli("scan", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0
    # (a real loss: their content in no library file now, each kept as maybe the only copy
    # left — qa197 F2; the brake weighed them before)
    kept = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert kept.code == 0 and kept.json()["data"]["pruned"] == 0, kept.out
    assert len(kept.json()["data"]["prune_only_copy"]) == 12
    assert len([p for p in card.rglob("*.gb")]) == 13
