"""The prune brake's refusal says what it counts (qa171 F4): "N of the M files ROM Runner put
on this card" counted neither the files of ours the prune keeps whatever it is told (changed
on the card, maybe the only copy left, another profile's…) nor said so: M looked like the
card's count of our files, and was smaller. They are said beside it, not counted (counted,
another profile's games on a shared card would let a mistyped query remove this one's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import knulli_card_deployed


def test_the_files_a_refused_prune_would_keep_are_said_beside_its_count(
        cli: Any, tmp_path: Path) -> None:
    names = [f"Game {chr(65 + i)} (USA).gb" for i in range(14)]
    _, card = knulli_card_deployed(cli, tmp_path, names)
    for name in names[-3:]:  # edited on the card: a prune keeps them
        (copy,) = card.rglob(name)
        with copy.open("ab") as edited:
            edited.write(b"mine")
    for extra in (["--dry-run"], []):
        refused = cli("deploy", "1", "--to", card, "title:game a", "--prune", *extra)
        assert refused.code == 2, refused.err
        line = " ".join(refused.err.split())
        assert "would remove 10 of the 11 files ROM Runner put on this card, more than half " \
               "(not counting 3 more of ours no longer chosen, which it would keep)" in line, line
    assert len(list(card.rglob("*.gb"))) == 14
