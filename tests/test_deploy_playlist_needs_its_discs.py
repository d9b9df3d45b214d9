"""A playlist of the library copied as it is, naming a disc of the library placed as its own
game (beside it) and a disc in a hidden folder, is not written when that library disc is
not: neither when the card refuses the disc before anything is written (a file of someone
else's at its path), nor when its copy fails as the run goes (its bytes changed after a
killed run, then `deploy resume`). The card never holds a playlist naming a disc it does
not have (review49b F2: the .m3u and the hidden disc went on the card, unsaid).

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename
from tests.test_deploy_multidisc_layout import playable
from tests.test_deploy_playlist_mixed_discs import _mixed_set

PSX = "ROMS/psx"  # (muOS)


def _killed_deploy(card: Path, before: str) -> None:
    """Run `deploy 1 --to card mix` in a real child process, SIGKILLed just before it
    renames the file ``before`` into place."""
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['--quiet', 'deploy', '1', '--to', {str(card)!r}, 'mix']))\n")
    with writer_killed_before_rename(Path(before), code):
        pass


def _failed(result: Any) -> dict[str, str]:
    return {error["path"]: error["error"] for error in result.json()["data"]["errors"]}


def test_a_playlist_is_not_written_when_the_card_refuses_its_library_disc(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    tracks = _mixed_set(lib)
    muos_profile(cli, lib)
    (card / PSX).mkdir(parents=True)
    foreign = card / PSX / "Mix (Disc 1).bin"
    foreign.write_bytes(b"someone else's file")
    dry = cli("--json", "deploy", "1", "--to", str(card), "mix", "--dry-run").json()["data"]
    (said,) = [line for line in dry["failures"] if line.startswith(f"{PSX}/Mix.m3u:")]
    assert "Mix (Disc 1).bin" in said, dry["failures"]
    deployed = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert deployed.code != 0, deployed.out
    failed = _failed(deployed)
    assert "Mix (Disc 1).bin" in failed[f"{PSX}/Mix.m3u"], failed
    assert not (card / PSX / "Mix.m3u").exists()
    assert not (card / PSX / ".Mix").exists(), sorted(card.rglob("*"))
    assert foreign.read_bytes() == b"someone else's file"
    foreign.unlink()
    again = cli("--json", "deploy", "1", "--to", str(card), "mix")
    assert again.code == 0, again.err
    assert playable(card, f"{PSX}/Mix.m3u") == tracks


def test_a_playlist_is_not_written_when_its_library_disc_fails_as_it_is_copied(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _mixed_set(lib)
    muos_profile(cli, lib)
    card.mkdir()
    _killed_deploy(card, "Mix (Disc 1).bin")
    assert not (card / PSX / "Mix.m3u").exists()  # (the set's playlist after its discs)
    disc = lib / "psx" / "Mix (Disc 1).bin"
    data = bytearray(disc.read_bytes())
    data[100:104] = b"XXXX"
    disc.write_bytes(bytes(data))  # (its size the scan's: only its copy finds it changed)
    resumed = cli("--json", "deploy", "resume")
    assert resumed.code != 0, resumed.out
    failed = _failed(resumed)
    assert "changed since the scan" in failed[f"{PSX}/Mix (Disc 1).bin"], failed
    assert "Mix (Disc 1).bin" in failed[f"{PSX}/Mix.m3u"], failed
    assert not (card / PSX / "Mix.m3u").exists(), sorted(card.rglob("*"))
