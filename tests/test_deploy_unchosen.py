"""A deploy without --prune says what of ours it leaves on the card that is no longer chosen
(QA145 F6: a game taken out of the collection stayed on the card without a word)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def test_a_run_without_prune_names_our_files_no_longer_chosen(cli: Any,
                                                               tmp_path: Path) -> None:
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    card.mkdir()
    for i, name in enumerate(("Kept (USA).gb", "Dropped (USA).gb")):
        (lib / name).write_bytes(bytes([i + 1]) * 4096)
    muos_profile(cli, lib.parent)
    ids = {game["filename"]: str(game["id"])
           for game in cli("--json", "games", "ls").json()["data"]["games"]}
    assert cli("collection", "create", "Trip").code == 0
    assert cli("collection", "add", "Trip", *ids.values()).code == 0
    first = cli("--json", "deploy", "1", "--to", card, "--collection", "Trip")
    assert first.code == 0 and first.json()["data"]["notes"] == [], first.out
    (dropped,) = [str(p.relative_to(card)) for p in card.rglob("Dropped (USA).gb")]
    assert cli("collection", "remove", "Trip", ids["Dropped (USA).gb"]).code == 0
    dry = cli("--json", "deploy", "1", "--to", card, "--collection", "Trip", "--dry-run")
    (note,) = [n for n in dry.json()["data"]["notes"] if "no longer chosen" in n]
    assert note.startswith("1 file of ROM Runner's on the card (4.0 KiB) is no longer chosen")
    assert dropped in note and "`--prune` removes it" in note
    run = cli("deploy", "1", "--to", card, "--collection", "Trip")
    assert run.code == 0 and f"stays there ({dropped}): `--prune` removes it" in run.err
    assert (card / dropped).exists()
    pruned = cli("--json", "deploy", "1", "--to", card, "--collection", "Trip", "--prune")
    assert pruned.json()["data"]["pruned_paths"] == [dropped]
    assert not [n for n in pruned.json()["data"]["notes"] if "no longer chosen" in n]
    again = cli("--json", "deploy", "1", "--to", card, "--collection", "Trip")
    assert not [n for n in again.json()["data"]["notes"] if "no longer chosen" in n]


def test_on_a_card_two_profiles_share_the_run_names_them_as_its_dry_run_does(
        cli: Any, tmp_path: Path) -> None:
    """qa175 Fc: once another profile had deployed to the card, a run without --prune no
    longer named the files of ours it left there (its records were read after the note was
    decided), while its dry run did."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    for folder, names in (("gb", ("Kept (USA).gb", "Dropped (USA).gb")),
                          ("gba", ("Other (USA).gba",))):
        (lib / folder).mkdir(parents=True)
        for i, name in enumerate(names):
            (lib / folder / name).write_bytes(bytes([i + 1, len(folder)]) * 2048)
    card.mkdir()
    muos_profile(cli, lib)
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    for args in (("1", "platform:gb"), ("2", "platform:gba")):
        assert cli("deploy", args[0], "--to", card, args[1]).code == 0, args
    (dropped,) = [str(p.relative_to(card)) for p in card.rglob("Dropped (USA).gb")]
    for dry in (True, False):
        run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "title:kept",
                  *(("--dry-run",) if dry else ()))
        assert run.code == 0, run.err
        (note,) = [n for n in run.json()["data"]["notes"] if "no longer chosen" in n]
        assert note.startswith("1 file of ROM Runner's on the card") and dropped in note, note
    assert (card / dropped).exists()
