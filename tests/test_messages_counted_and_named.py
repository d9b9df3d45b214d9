"""Messages of `destination paths --set`, `device rm` and `device catalog` (qa203 F8): an
override refused for its `..` is named and nothing changed, counts are words, a pack's
newline in a maker's name is a space."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, shared_path


def test_an_override_climbing_out_is_named_and_nothing_changed(cli: Any,
                                                               tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    for value in ("../x", "a/../../x"):
        refused = cli("destination", "paths", "1", "--to", card, "--set", f"gb={value}")
        assert refused.code == 2
        assert refused.err.splitlines()[-1] == (
            f"error: path override gb={value}: '..': a path on the card cannot hold '..'; "
            "nothing was changed")
    assert not (card / ".romrunner").exists()


def test_device_rm_counts_in_words(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    muos_profile(cli, tmp_path / "lib")
    assert cli("profile", "create", "--device", "1", "--os", "knulli").code == 0
    refused = cli("device", "rm", "1")
    assert refused.code == 2 and "(s)" not in refused.err
    assert "device 1 has 2 profiles, which would be removed with it; nothing was removed " \
        "(use --force to remove them too)" in refused.err
    removed = cli("device", "rm", "1", "--force")
    assert removed.code == 0 and removed.out.strip() == "removed device 1, 2 profiles"


def test_a_makers_newline_is_shown_as_a_space(cli: Any) -> None:
    pack = str(shared_path("definition-pack"))
    found = cli("--pack", pack, "device", "catalog", "rk2020")
    assert found.code == 0
    assert "Bittboy / Miyoo / Wolsen (RetroMiMi)" in found.out and "\\n" not in found.out
    listed = cli("--pack", pack, "--json", "device", "catalog", "rk2020").json()
    assert listed["data"]["devices"][0]["manufacturer"] == "Bittboy / Miyoo / Wolsen (RetroMiMi)"
