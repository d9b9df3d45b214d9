"""QA18 L1: the card holds a game as one of its library copies (the zip an earlier deploy
chose); the copy a new deploy chooses (the loose file) cannot be written now — its share is
not mounted — so `--prune` must keep the zip on the card: the card would otherwise lose the
game with nothing in its place."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from tests.test_autolist import rom


def test_prune_keeps_a_card_copy_of_a_chosen_game_that_cannot_be_written(
        cli: Any, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "gb").mkdir(parents=True)
    data = rom("boulder")
    (lib / "gb" / "Boulder Dash (Europe).gb").write_bytes(data)
    with zipfile.ZipFile(lib / "gb" / "Boulder Dash (Europe) (copy).zip", "w") as archive:
        archive.writestr("Boulder Dash (Europe).gb", data)
    for args in (("library", "add", str(lib)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    ids = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    listed = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert listed["Boulder Dash (Europe).gb"]["included"]  # the loose file is the one kept
    assert not listed["Boulder Dash (Europe) (copy).zip"]["included"]
    assert cli("collection", "create", "z").code == 0
    assert cli("collection", "add", "z", str(ids["Boulder Dash (Europe) (copy).zip"])).code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "--collection", "z").code == 0
    on_card = sorted(p.name for p in card.rglob("*") if p.is_file()
                     and ".romrunner" not in p.parts)
    assert on_card == ["Boulder Dash (Europe) (copy).zip"]

    lib.rename(tmp_path / "lib.unmounted")  # the share is not mounted: an empty mount point
    lib.mkdir()
    preview = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--dry-run")
    assert preview.json()["data"]["prune"] == [], preview.out
    run = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert run.json()["data"]["pruned"] == 0, run.out
    assert sorted(p.name for p in card.rglob("*") if p.is_file()
                  and ".romrunner" not in p.parts) == on_card

    # once the share is back, the chosen copy is written and the zip's copy may go
    lib.rmdir()
    (tmp_path / "lib.unmounted").rename(lib)
    done = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert done.json()["data"]["pruned"] == 1, done.out
    assert sorted(p.name for p in card.rglob("*") if p.is_file()
                  and ".romrunner" not in p.parts) == ["Boulder Dash (Europe).gb"]
