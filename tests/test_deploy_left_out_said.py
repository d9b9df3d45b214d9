"""What a deploy leaves out is said in its text as in its JSON (QA10 F7): the dry run says why
it would exit 1; a run that could place none of its chosen games writes and records nothing,
as a selection of no game; a warning about games missing from the library names them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _rom(path: Path, seed: str, size: int = 4096) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


@pytest.fixture
def root(cli: Any, tmp_path: Path) -> Path:
    """A sheet whose track is missing (``Orphan (USA).cue``: it cannot be deployed) and a
    game that can (``Fine (USA).gb``)."""
    root = tmp_path / "roms"
    (root / "psx").mkdir(parents=True)
    (root / "psx" / "Orphan (USA).cue").write_text(CUE.format("Orphan (USA).bin"))
    _rom(root / "gb" / "Fine (USA).gb", "fine")
    muos_profile(cli, root)
    return root


def test_the_dry_run_says_in_its_text_how_many_chosen_games_it_would_leave_out(
        cli: Any, root: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("deploy", "1", "--to", str(card), "orphan", "--dry-run")
    assert dry.code == 1
    assert "1 chosen game would be left out (the warnings above say why)" in dry.out, dry.out
    both = cli("deploy", "1", "--to", str(card), "platform:psx,gb", "--dry-run")
    assert both.code == 1
    assert "1 chosen game would be left out" in both.out, both.out
    fine = cli("deploy", "1", "--to", str(card), "fine", "--dry-run")
    assert fine.code == 0 and "left out" not in fine.out


def test_a_run_that_can_place_none_of_its_chosen_games_writes_and_records_nothing(
        cli: Any, root: Path, tmp_path: Path) -> None:
    """As a selection of no game: nothing written (no .romrunner/ on a blank card), nothing
    recorded ("deployment 1 completed: 0 copied" was), exit 1, the text saying why."""
    card = tmp_path / "card"
    card.mkdir()
    text = cli("deploy", "1", "--to", str(card), "orphan")
    assert text.code == 1
    assert "1 chosen game was left out (the warnings above say why): nothing deployed" \
        in text.out, text.out
    assert "deployment" not in text.out
    assert "Orphan (USA).bin" in text.err  # the warning saying why
    assert list(card.iterdir()) == []
    as_json = cli("--json", "deploy", "1", "--to", str(card), "orphan")
    document = as_json.json()
    assert (as_json.code, document["ok"]) == (1, False)
    assert document["data"]["left_out"] == 1
    assert document["errors"] == [
        "1 chosen game was left out (the warnings say why); nothing was written"]
    assert list(card.iterdir()) == []
    assert cli("--json", "deploy", "history").json()["data"] == []
    # a card with a deployment on it: no new one recorded for a run that writes nothing
    assert cli("deploy", "1", "--to", str(card), "fine").code == 0
    again = cli("deploy", "1", "--to", str(card), "orphan")
    assert again.code == 1 and "nothing deployed" in again.out
    assert len(cli("--json", "deploy", "history").json()["data"]) == 1
    # one game placed of two: the run goes ahead, recorded, exit 1 as before
    some = cli("deploy", "1", "--to", str(card), "platform:psx,gb")
    assert some.code == 1 and "deployment 2 completed" in some.out, some.out
    assert "1 chosen game was left out (the warnings above say why)\n" in some.out


def test_a_prune_of_a_card_of_ours_goes_on_when_its_selection_is_left_out(
        cli: Any, root: Path, tmp_path: Path) -> None:
    """As with no game chosen, a prune of a card with files of ours goes on (it has work)."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "fine").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "orphan", "--prune", "--force")
    assert pruned.code == 1, pruned.err
    assert pruned.json()["data"]["pruned"] == 1
    assert not list(card.rglob("*.gb"))


def test_a_missing_held_warning_names_its_games(cli: Any, tmp_path: Path) -> None:
    """QA10 F7: "1 game missing from the library since the last scan … has 1 file on the
    card" named no game, and its JSON had no game id or path."""
    root = tmp_path / "roms"
    names = [f"Gone {n} (USA).gb" for n in range(1, 8)]
    for name in [*names, "Kept (USA).gb"]:
        _rom(root / "gb" / name, name)
    muos_profile(cli, root)
    ids = {row["filename"]: int(row["id"]) for row in
           cli("--json", "games", "ls", "--limit", "20").json()["data"]["games"]}
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    (root / "gb" / names[0]).unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    one = cli("--json", "deploy", "1", "--to", str(card), "kept", "--prune", "--dry-run")
    assert one.code == 0, one.json()["errors"]
    held = [w for w in one.json()["data"]["plan"]["warnings"] if w["code"] == "missing-held"]
    assert len(held) == 1, one.json()["data"]["plan"]["warnings"]
    assert held[0]["message"].startswith(
        "1 game missing from the library since the last scan (an unmounted share? rescan "
        f"when it is back) has 1 file on the card ({names[0]}): its copy there is held, "
        "never pruned")
    assert (held[0]["game_id"], held[0]["path"]) == (ids[names[0]],
                                                   str(root / "gb" / names[0]))
    assert held[0]["games"] == [{"game_id": ids[names[0]], "path": str(root / "gb" / names[0]),
                                 "on_card": [f"ROMS/gb/{names[0]}"]}]
    said = cli("deploy", "1", "--to", str(card), "kept", "--prune", "--dry-run")
    assert any(line.startswith("warning: 1 game missing from the library") and names[0] in line
               for line in said.err.splitlines()), said.err  # (not after the game's path)
    for name in names[1:]:
        (root / "gb" / name).unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    seven = cli("--json", "deploy", "1", "--to", str(card), "kept", "--prune", "--dry-run")
    held = [w for w in seven.json()["data"]["plan"]["warnings"] if w["code"] == "missing-held"]
    assert "missing from the library since the last scan (an unmounted share? rescan when " \
        f"it is back) have 7 files on the card ({', '.join(names[:5])} and 2 more): their " \
        "copies there are held, never pruned" in held[0]["message"], held[0]["message"]
    assert held[0]["message"].startswith("7 games")
    assert (held[0]["game_id"], held[0]["path"]) == (None, None)
    assert [g["game_id"] for g in held[0]["games"]] == [ids[name] for name in names]
    text = cli("deploy", "1", "--to", str(card), "kept", "--prune")
    assert text.code == 0
    assert f"({', '.join(names[:5])} and 2 more)" in text.err


def test_a_missing_held_warning_is_said_only_where_it_matters(cli: Any, tmp_path: Path) -> None:
    """qa191 F6: the warning about a missing game's copy on the card came at every deploy,
    whatever it chose and with no --prune, and said the game was "left out". Said to a
    --prune (which would remove the copy otherwise), as a held copy."""
    root = tmp_path / "roms"
    for name in ("Gone (USA).gb", "Kept (USA).gb"):
        _rom(root / "gb" / name, name)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    (root / "gb" / "Gone (USA).gb").unlink()
    assert cli("scan", "--workers", "1").code == 0
    for run in (("--dry-run",), ()):
        plain = cli("--json", "deploy", "1", "--to", str(card), "kept", *run)
        assert plain.code == 0, plain.err
        assert not [w for w in plain.json()["warnings"] if "Gone (USA).gb" in w], run
    pruned = cli("--json", "deploy", "1", "--to", str(card), "kept", "--prune")
    assert pruned.code == 0, pruned.err
    (held,) = [w for w in pruned.json()["warnings"] if "Gone (USA).gb" in w]
    assert held.endswith("(Gone (USA).gb): its copy there is held, never pruned (deleted on "
                         "purpose? `romrunner games forget --missing` lets --prune --force "
                         "remove it)")
    assert (card / "ROMS/gb/Gone (USA).gb").is_file() and pruned.json()["data"]["pruned"] == 0
