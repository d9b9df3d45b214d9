"""What a deploy chose is said when it is less than asked for (QA7 F6, F9): games chosen that
are missing from the library are named, not silently left out; a selection of no game is a
warning and exit 1, and writes nothing (no `.romrunner/` on a blank card)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile


def _rom(path: Path, seed: str, size: int = 4096) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> dict[str, int]:
    """Four games; Speed Hog's file deleted and rescanned (missing); their ids by name."""
    root = tmp_path / "roms"
    names = ("genesis/Speed Hog (USA).md", "nes/Fresh Start (USA).nes",
             "nes/Super Hopper (USA).nes", "snes/Sky Pilot (USA).sfc")
    for name in names:
        _rom(root / name, name)
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / names[0]).unlink()
    assert cli("scan", "--workers", "1").code == 0
    games = cli("--json", "games", "ls", "--limit", "10").json()["data"]["games"]
    ids = {row["filename"]: int(row["id"]) for row in games}
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    return ids


def test_chosen_games_missing_from_the_library_are_named(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    assert cli("collection", "create", "c2").code == 0
    assert cli("collection", "add", "c2", str(library["Speed Hog (USA).md"]),
               str(library["Super Hopper (USA).nes"]),
               str(library["Fresh Start (USA).nes"])).code == 0
    card = tmp_path / "card"
    card.mkdir()
    warning = ("1 of 3 matching games is missing from the library since the last scan: not "
               "deployed (Speed Hog (USA).md)")
    dry = cli("--json", "deploy", "1", "--to", str(card), "--collection", "c2", "--dry-run")
    assert dry.code == 0, dry.err
    assert warning in dry.json()["warnings"]
    assert dry.json()["data"]["chosen"]["games"] == 2
    assert dry.json()["data"]["chosen"]["missing"] == ["Speed Hog (USA).md"]
    run = cli("deploy", "1", "--to", str(card), "--collection", "c2")
    assert run.code == 0, run.err
    assert f"warning: {warning}\n" in run.err
    assert sorted(p.name for p in card.rglob("*.nes")) == [
        "Fresh Start (USA).nes", "Super Hopper (USA).nes"]
    every = cli("--json", "deploy", "1", "--to", str(card), "platform:snes,nes",
                "--dry-run")
    assert every.json()["data"]["chosen"]["missing"] == []
    assert not [w for w in every.json()["warnings"] if "matching games" in w]


def test_no_game_chosen_is_a_warning_exit_1_and_writes_nothing(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    for dry in ((), ("--dry-run",)):
        typo = cli("deploy", "1", "--to", str(card), "title:zzzz", *dry)
        assert typo.code == 1, (dry, typo.err)
        assert "warning: no game chosen: no game matches title:zzzz\n" in typo.err
        assert "0 games chosen (title:zzzz): nothing deployed" in typo.out
        assert list(card.iterdir()) == []  # no .romrunner/ either
    as_json = cli("--json", "deploy", "1", "--to", str(card), "title:zzzz")
    document = as_json.json()
    assert (as_json.code, document["ok"]) == (1, False)
    assert document["data"]["chosen"]["games"] == 0
    assert document["errors"] == ["no game chosen (the warnings say why); nothing was written"]
    assert cli("--json", "deploy", "history").json()["data"] == []  # nothing recorded

    gone = cli("deploy", "1", "--to", str(card), "platform:genesis")
    assert gone.code == 1
    assert "warning: no game chosen: every game platform:genesis chooses is missing from the " \
           "library\n" in gone.err
    assert "1 of 1 matching games is missing from the library" in gone.err

    assert cli("profile", "set", "1", "--include-platforms", "n64").code == 0
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 1, auto.err
    assert "warning: no game chosen: the auto-list of profile 1 includes no game " \
           f"(`romrunner autolist 1 --to {card}` says why)\n" in auto.err
    narrowed = cli("deploy", "1", "--to", str(card), "--auto", "platform:snes")
    assert narrowed.code == 1
    assert "warning: no game chosen: of the 1 game platform:snes chooses, the auto-list of " \
           "profile 1 includes none" in narrowed.err
    assert list(card.iterdir()) == []


def test_a_prune_with_no_game_chosen_still_goes_ahead_with_force(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    blank = cli("deploy", "1", "--to", str(card), "title:zzzz", "--prune")  # QA9 F7
    assert blank.code == 1 and "no game chosen" in blank.err
    assert list(card.iterdir()) == []  # nothing of ours to prune: nothing written
    assert cli("deploy", "1", "--to", str(card), "platform:snes").code == 0
    held = cli("deploy", "1", "--to", str(card), "title:zzzz", "--prune")
    assert held.code == 2  # the brake, as before, in its one line
    assert held.err.strip().splitlines() == [held.err.strip()]
    assert "as no game is chosen" in held.err
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:zzzz", "--prune",
                 "--force")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 1
    assert not list(card.rglob("*.sfc"))


def test_a_file_where_a_folder_goes_is_named_by_the_dry_run_and_the_run(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    """A plain file named as the OS's ROM folder (``ROMS``; fusefat shows a volume label so):
    every file fails, each naming it, and the dry run says so first (it said "would copy")."""
    card = tmp_path / "card"
    card.mkdir()
    (card / "ROMS").write_bytes(b"a volume label")
    why = "ROMS/snes/Sky Pilot (USA).sfc: not written: ROMS is a file, not a folder"
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--dry-run")
    assert dry.code == 1  # as the real run exits (a file failed)
    assert (dry.json()["data"]["actions"], dry.json()["data"]["failures"]) == ({"fail": 1},
                                                                                [why])
    text = cli("deploy", "1", "--to", str(card), "platform:snes", "--dry-run")
    assert f"  would fail: {why}\n" in text.out
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
    assert run.code == 1
    assert [error["error"] for error in run.json()["data"]["errors"]] == [why]
    deployment = run.json()["data"]["deployment_id"]

    told = cli("deploy", "resume")  # a run that completed with files failed: named
    assert told.code == 2
    assert told.err.strip() == (
        f"error: no unfinished deployment to resume; deployment {deployment} (to {card}) "
        f"completed with 1 file failed: `romrunner deploy show {deployment}` says why, "
        f"`romrunner deploy resume {deployment}` tries it again")  # (QA9 F7: which card?)
    (card / "ROMS").unlink()
    retried = cli("--json", "deploy", "resume", str(deployment))
    assert retried.code == 0, retried.err
    assert retried.json()["data"]["copied"] == 1
    nothing = cli("deploy", "resume")
    assert nothing.err.strip().startswith("error: no unfinished deployment to resume (")


def test_an_empty_file_at_the_root_in_the_way_is_said_to_be_maybe_the_volume_label(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    """QA18 C5: fusefat shows a FAT card's volume label as an empty file at its root (`MUOS`,
    `ROMS`): every file failed "ROMS is a file, not a folder", with no word of why."""
    card = tmp_path / "card"
    card.mkdir()
    (card / "ROMS").write_bytes(b"")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
    (error,) = [error["error"] for error in run.json()["data"]["errors"]]
    assert error.startswith("ROMS/snes/Sky Pilot (USA).sfc: not written: ROMS is a file, not "
                            "a folder (an empty file at the card's root: fusefat shows a FAT "
                            "card's volume label so")


def test_a_file_in_the_way_deeper_down_is_named_too(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "ROMS").mkdir(parents=True)
    (card / "ROMS" / "snes").write_bytes(b"not a folder")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
    assert [error["error"] for error in run.json()["data"]["errors"]] == [
        "ROMS/snes/Sky Pilot (USA).sfc: not written: ROMS/snes is a file, not a folder"]


def test_a_resume_without_an_id_says_which_card_it_finishes(
        cli: Any, library: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    """QA9 F7: ``deploy resume`` with no id takes the latest unfinished deployment, whatever
    its card; it named neither the deployment's card nor that it was another one's."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "ROMS").write_bytes(b"a volume label")  # the run fails
    first = cli("--json", "deploy", "1", "--to", str(one), "platform:snes")
    assert first.code == 1
    deployment = first.json()["data"]["deployment_id"]
    with sqlite3.connect(db_path) as raw:  # as a run that stopped early ends (a full card)
        raw.execute("UPDATE deployment_history SET status = 'failed' WHERE id = ?",
                    (deployment,))
    raw.close()
    (one / "ROMS").unlink()
    assert cli("deploy", "1", "--to", str(two), "platform:nes").code == 0
    resumed = cli("deploy", "resume")
    assert resumed.code == 0, resumed.err
    assert (f"note: resumed deployment {deployment}, to {one}: the latest unfinished one "
            "(`romrunner deploy resume ID` names another)") in " ".join(resumed.err.split())


def test_a_dry_run_says_the_room_small_files_take_in_the_cards_blocks(
        cli: Any, tmp_path: Path) -> None:
    """QA162 F2: small files on large clusters: "1,536,000 bytes to write, 154,796,032 free —
    NOT ENOUGH SPACE", the error then "187.5 MiB to write": the figure the check goes by was
    not said beside the files' bytes."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    for n in range(40):
        (roms / f"Tiny {n} (USA).gb").write_bytes(bytes([n]) * 100)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    line = next(line for line in dry.out.splitlines() if line.startswith("would do:"))
    assert "4,000 bytes to write (" in line and "on the card, counted in its blocks" in line, \
        line
    shown = int(line.split("bytes to write (")[1].split(" on the card")[0].replace(",", ""))
    data = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert shown == data.json()["data"]["bytes_needed"] > 4000


def test_a_game_whose_card_name_changed_is_said_to_leave_its_old_copy(
        cli: Any, tmp_path: Path) -> None:
    """Review 36b F2: a game going to the card under another name than an earlier deploy
    gave it (its library file renamed; the card's naming rules changed) was copied again,
    the old copy left beside it without a word: listed twice on the device."""
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    (roms / "Quest (USA).gb").write_bytes(b"q" * 8192)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    (roms / "Quest (USA).gb").rename(roms / "Quest (USA) (Rev 1).gb")
    assert cli("scan", "--workers", "1").code == 0
    assert cli("--json", "games", "ls").json()["data"]["total"] == 1  # (one game, renamed)
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    said = [w for w in again.json()["warnings"] if "under another name now" in w]
    assert len(said) == 1 and "Quest (USA).gb → Quest (USA) (Rev 1).gb" in said[0], \
        again.json()["warnings"]
    assert "until `romrunner deploy --prune` removes them" in said[0]
    pruned = cli("deploy", "1", "--to", str(card), "platform:gb", "--prune")
    assert pruned.code == 0, pruned.err
    assert sorted(p.name for p in card.rglob("*.gb")) == ["Quest (USA) (Rev 1).gb"]


def test_a_real_deploys_json_says_the_games_chosen_as_its_dry_run_does(
        cli: Any, library: dict[str, int], tmp_path: Path) -> None:
    """QA178 F5: a real deploy's JSON had only the files it planned (easily read as games);
    its text says "N games chosen (…)", its dry run's JSON `chosen`."""
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:nes,snes", "--dry-run")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:nes,snes")
    assert run.code == 0, run.err
    chosen = run.json()["data"]["chosen"]
    assert chosen == dry.json()["data"]["chosen"]
    assert (chosen["games"], chosen["how"], chosen["left_out"]) == (3, "platform:nes,snes", 0)
