"""`deploy show` of a killed run that a later deploy of its profile to its card superseded
said it would not be resumed, then ended with "13 files (735,204,219 bytes) not done yet"
(qa205 N3): they never will be by it. Its files not done are counted as such.

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename


def killed_gba_deploy(cli: Any, tmp_path: Path) -> tuple[Path, int]:
    """A muOS profile's deploy of two GBA games to ``tmp_path/card``, killed (a real process)
    before its first file is in place: the card and the killed deployment's id."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    (lib / "gba" / "Alpha (USA).gba").write_bytes(b"\x01" * 70_000)
    (lib / "gba" / "Zeta (USA).gba").write_bytes(b"\x02" * (17 * 2**20))  # (a batch its own)
    card.mkdir()
    muos_profile(cli, lib)
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['deploy', '1', '--to', {str(card)!r}, 'platform:gba']))\n")
    with writer_killed_before_rename(Path("Alpha (USA).gba"), code):
        pass
    (killed,) = [row["id"] for row in cli("--json", "deploy", "history").json()["data"]]
    return card, killed


def test_show_of_a_superseded_run_does_not_say_its_files_are_still_to_do(
        cli: Any, tmp_path: Path) -> None:
    card, killed = killed_gba_deploy(cli, tmp_path)
    before = cli("deploy", "show", str(killed))
    assert "not done yet: `romrunner deploy resume" in before.out, before.out
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    shown = cli("deploy", "show", str(killed))
    assert shown.code == 0, shown.err
    assert "superseded" in shown.out and "not done yet" not in shown.out, shown.out
    assert "1 file (17,825,792 bytes) not done by it when it stopped" in shown.out, shown.out
