"""`romrunner deploy PROFILE --to CARD …` end to end: chosen by query, collection or auto-list."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile


def rom(path: Path, seed: str, size: int = 4096) -> bytes:
    data = hashlib.sha256(seed.encode()).digest() * (size // 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "roms"
    files = {"snes/Sky Pilot (USA).sfc": rom(root / "snes/Sky Pilot (USA).sfc", "a"),
             "snes/Sky Pilot (USA) (Hack).sfc": rom(root / "snes/Sky Pilot (USA) (Hack).sfc",
                                                    "b"),
             "gba/Pocket Quest (Europe).gba": rom(root / "gba/Pocket Quest (Europe).gba", "c")}
    muos_profile(cli, root)
    return files


def card_files(card: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def test_dry_run_writes_nothing_then_deploy_copies_exactly_the_query(
        cli: Any, library: dict[str, bytes], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--dry-run", "platform:snes",
              "-flag:hack")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert data["chosen"]["games"] == 1 and data["actions"] == {"copy": 1}
    assert list(card.iterdir()) == []
    done = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "-flag:hack")
    assert done.code == 0, done.err
    assert done.json()["data"]["copied"] == 1
    assert card_files(card) == {"Sky Pilot (USA).sfc": library["snes/Sky Pilot (USA).sfc"]}
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "-flag:hack")
    assert again.json()["data"]["copied"] == 0 and again.json()["data"]["skipped"] == 1


def test_a_collection_and_the_auto_list_choose_games(cli: Any, library: dict[str, bytes],
                                                     tmp_path: Path) -> None:
    listed = cli("--json", "games", "ls", "platform:gba").json()["data"]["games"]
    assert cli("collection", "create", "Trip").code == 0
    assert cli("collection", "add", "Trip", str(listed[0]["id"])).code == 0
    card = tmp_path / "card"
    card.mkdir()
    # a collection that is not there is said as the option given (QA138 F12: "query:
    # collection:Tirp", to a user who gave no query); its id chooses it too
    typo = cli("deploy", "1", "--to", str(card), "--collection", "Tirp")
    assert typo.code == 2 and typo.err.startswith("error: --collection Tirp: no such "), typo.err
    by_id = cli("deploy", "1", "--to", str(card), "--collection", "1", "--dry-run")
    assert by_id.code == 0, by_id.err
    done = cli("deploy", "1", "--to", str(card), "--collection", "Trip")
    assert done.code == 0, done.err
    assert set(card_files(card)) == {"Pocket Quest (Europe).gba"}
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert auto.code == 0, auto.err
    chosen = auto.json()["data"]["chosen"]
    assert chosen["games"] >= 1
    # what the auto-list leaves out is counted and its reasons pointed to (QA14)
    listed = cli("--json", "autolist", "1").json()["data"]
    assert chosen["left_out_by_autolist"] == listed["considered"] - listed["included"] == 1
    # (the card's own list: its choice among copies is the card's, review48a F5)
    assert chosen["how"] == ("the profile's auto-list, which leaves out 1 game (`romrunner "
                             f"autolist 1 --to {card}` says why)")
    # with a query too, the text says it (QA117 F5: the JSON only)
    narrowed = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run",
                   "missing:false").json()["data"]["chosen"]
    assert narrowed["left_out_by_autolist"] == 1
    assert narrowed["how"] == ("missing:false, as the profile's auto-list allows, which leaves "
                               f"out 1 game of them: `romrunner autolist 1 --to {card}` says why")
    # and the run says it too, not the dry run alone (QA143 F3)
    run = cli("deploy", "1", "--to", str(card), "--auto")
    assert run.code == 0 and run.out.startswith(
        f"{chosen['games']} game{'s' if chosen['games'] > 1 else ''} chosen (the profile's "
        f"auto-list, which leaves out 1 game (`romrunner autolist 1 --to {card}` says why))\n"),\
        run.out


def test_an_auto_deploy_counts_the_games_the_profiles_filters_leave_out(
        cli: Any, library: dict[str, bytes], tmp_path: Path) -> None:
    """qa194 F1: with --exclude-platforms, "which leaves out N games" counted only what the
    auto-list judged; the games the profile's filters leave out first were said nowhere."""
    card = tmp_path / "card"
    card.mkdir()
    before = cli("--json", "autolist", "1").json()["data"]
    platforms = {game["platform_id"] for game in before["games"]}
    dropped = sorted(platforms)[0]
    assert cli("profile", "set", "1", "--exclude-platforms", dropped).code == 0
    listed = cli("--json", "autolist", "1").json()["data"]
    filtered = listed["filtered_by_profile"]
    assert filtered == sum(game["platform_id"] == dropped for game in before["games"]) > 0
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--dry-run")
    assert auto.code == 0, auto.err
    chosen = auto.json()["data"]["chosen"]
    assert chosen["filtered_by_profile"] == filtered
    left = listed["considered"] - listed["included"]
    assert chosen["left_out_by_autolist"] == left
    games = "game" if filtered == 1 else "games"
    assert chosen["how"].endswith(
        f", and its filters {filtered} {games} more" if left else
        f", whose filters leave out {filtered} {games}"), chosen["how"]


def test_nothing_chosen_unknown_profile_and_bad_query_are_one_line_errors(
        cli: Any, library: dict[str, bytes], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    for args, expected in ((["deploy", "1", "--to", str(card)], "say what to deploy"),
                           (["deploy", "1", "--to", str(card), " "], "say what to deploy"),
                           (["deploy", "7", "--to", str(card), "platform:snes"], "7"),
                           (["deploy", "1", "--to", str(card), "year:1995..1990"], "year"),
                           (["deploy", "1", "--to", str(tmp_path / "nope"), "platform:snes"],
                            "nope")):
        result = cli(*args)
        assert result.code == 2, (args, result.out)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, result.err)
    assert list(card.iterdir()) == []


def test_query_words_with_a_dash_are_not_options(cli: Any, library: dict[str, bytes]) -> None:
    shown = cli("--json", "games", "ls", "-flag:hack", "--limit", "10").json()["data"]["games"]
    assert sorted(row["filename"] for row in shown) == [
        "Pocket Quest (Europe).gba", "Sky Pilot (USA).sfc"]
    unknown = cli("games", "ls", "--no-such-option")
    assert unknown.code == 2 and "--no-such-option" in unknown.err


def test_deploy_help_lists_the_options_of_a_deployment(cli: Any) -> None:
    """QA18 C5: `deploy --help` listed no option; only `deploy 1 --help` did."""
    text = cli("deploy", "--help").out
    for option in ("--to PATH", "--auto", "--dry-run", "--verify", "--prune", "--overwrite"):
        assert option in text, option
    assert "resume" in text and "history" in text


def test_a_dry_run_names_the_files_it_would_copy_and_where(
        cli: Any, library: dict[str, bytes], tmp_path: Path) -> None:
    """QA85 F5: a first deploy's dry run gave counts only — no file, not with --verbose nor
    in the JSON — while its prune listing named each file it would remove."""
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "--dry-run", "-flag:hack")
    listed = {entry["path"]: entry for entry in dry.json()["data"]["copy"]}
    assert {path.rpartition("/")[2] for path in listed} == {
        "Sky Pilot (USA).sfc", "Pocket Quest (Europe).gba"}
    assert all(entry["from"].endswith(path.rpartition("/")[2]) for path, entry in listed.items())
    text = cli("deploy", "1", "--to", str(card), "--dry-run", "-flag:hack")
    assert "--verbose lists the 2 files it would copy" in " ".join(text.out.split())
    verbose = cli("--verbose", "deploy", "1", "--to", str(card), "--dry-run", "-flag:hack")
    assert all(f"would copy {path}" in verbose.out for path in listed)
    assert cli("deploy", "1", "--to", str(card), "-flag:hack").code == 0
    written = {p.relative_to(card).as_posix() for p in card.rglob("*")
               if p.is_file() and ".romrunner" not in p.parts}
    assert written == set(listed)
