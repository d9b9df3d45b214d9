"""A game switched to another format the natural way — its old files deleted from the library,
`scan --accept-missing`, `games forget --missing`, then a `deploy --prune` with the new files —
keeps its old copy on the card until the new one is written: the forgotten game has no link
to its new format, yet a file of the same title on the same platform replaces it. A prune of
another title still goes first (it makes room)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile
from tests.test_deploy_formats import card_names

# A `romrunner` run that kills itself (SIGKILL) as it starts to copy a file whose card path
# ends in KILL_AT, or to prune one ending in KILL_PRUNE
_KILLER = """
import os, signal, sys
import romrunner.deploy.execute as execute
copy, prune = execute._Runner.copy_or_fail, execute._Runner.prune
def copy_killed(self, item, *args, **kwargs):
    if os.environ.get("KILL_AT") and item.dest.endswith(os.environ["KILL_AT"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return copy(self, item, *args, **kwargs)
def prune_killed(self, decision, *args, **kwargs):
    if os.environ.get("KILL_PRUNE") and decision.item.dest.endswith(os.environ["KILL_PRUNE"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return prune(self, decision, *args, **kwargs)
execute._Runner.copy_or_fail, execute._Runner.prune = copy_killed, prune_killed
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _forget_the_old_files(cli: Any, old: Path, new: Path) -> None:
    """The library's files under ``old`` deleted, that root scanned with --accept-missing
    and its games forgotten; ``new`` (the games in their new format) added and scanned."""
    assert cli("library", "add", new).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for path in sorted(p for p in old.rglob("*") if p.is_file()):
        path.unlink()
    assert cli("scan", "--workers", "1", "--accept-missing", old).code == 0
    assert cli("games", "forget", "--missing").code == 0


def _killed_deploy(tmp_path: Path, card: Path, platform: str, *options: str,
                   **kill: str) -> None:
    """A `deploy 1 --prune` of ``platform`` to ``card`` (and ``options``) in a process of
    its own, killed (SIGKILL) where ``kill`` says (``KILL_AT``, ``KILL_PRUNE``)."""
    import os

    driver = tmp_path / "driver.py"
    driver.write_text(_KILLER)
    killed = subprocess.run([sys.executable, str(driver), "deploy", "1", "--to", str(card),
                             f"platform:{platform}", "--prune", *options],
                            capture_output=True,
                            text=True, timeout=300, env={**os.environ, **kill})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr


def test_a_forgotten_iso_waits_for_its_cso_and_another_title_s_prune_goes_first(
        cli: Any, tmp_path: Path) -> None:
    """review43c F6: the .iso deleted from the library and forgotten, the .cso chosen: the
    deploy --prune removed the card's .iso before it wrote the .cso, and a kill (or the
    .cso failing) left the card no copy of the game. Now the .iso waits for the .cso, as
    a prune linked to its replacement does: kept while the .cso is not written, removed by
    the resume that writes it. Lemmings, forgotten too and replaced by nothing, is pruned
    first by a --prune --force, as before."""
    old, new = tmp_path / "a", tmp_path / "b"
    (old / "psp").mkdir(parents=True)
    (new / "psp").mkdir(parents=True)
    (old / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    (old / "psp" / "Lemmings (USA).iso").write_bytes(b"l" * 50_000)
    muos_profile(cli, old)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    iso, other = (next(n for n in card_names(card) if name in n)
                  for name in ("Patapon", "Lemmings"))
    (new / "psp" / "Patapon (USA).cso").write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    _forget_the_old_files(cli, old, new)

    # (--force: Lemmings, its content in no library file now and replaced by nothing, is
    # kept as maybe the only copy left without it — see test_deploy_only_copy_left.py)
    _killed_deploy(tmp_path, card, "psp", "--force", KILL_AT=".cso")
    assert card_names(card) == [iso]  # (Lemmings pruned first; the .iso waits)

    cso = str(Path(iso).with_suffix(".cso"))
    (card / cso / "x").mkdir(parents=True)  # (its copy fails: a folder in its way)
    kept = cli("--json", "deploy", "resume")
    data = kept.json()["data"]
    assert kept.code == 1 and data["failed"] == 1 and data["pruned"] == 0, kept.out
    assert data["prune_unreplaced"] == [iso] and (card / iso).is_file()

    (card / cso / "x").rmdir()
    (card / cso).rmdir()
    again = cli("--json", "deploy", "resume", "2")
    data = again.json()["data"]
    assert again.code == 0, again.out
    assert data["copied"] == 1 and data["pruned_paths"] == [iso], data
    assert card_names(card) == [cso]
    assert data["in_all"]["pruned"] == 2 and other not in card_names(card)


def _chd(path: Path) -> None:
    """A small file the scan takes for a CHD image."""
    import os
    import struct

    path.write_bytes(b"MComprHD" + struct.pack(">II", 124, 5) + bytes(108)
                     + os.urandom(3000))


def test_a_forgotten_cue_bin_set_waits_for_its_chd_discs(cli: Any, tmp_path: Path) -> None:
    """review43c F6: a 2-disc cue/bin set deleted from the library and forgotten, the same
    set in .chd chosen: a deploy --prune killed as it pruned disc 2's .bin left the card
    disc 1's sheet, disc 2's files and the old playlist, and no .chd — no playable copy of
    the game. Now the cue/bin files wait for the .chd discs: a kill then leaves them
    written, and the resume removes the rest of the old set."""
    old, new = tmp_path / "a", tmp_path / "b"
    (old / "psx").mkdir(parents=True)
    (new / "psx").mkdir(parents=True)
    for disc in (1, 2):
        name = f"Game (USA) (Disc {disc})"
        (old / "psx" / f"{name}.cue").write_text(
            f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
        (old / "psx" / f"{name}.bin").write_bytes(bytes([disc]) * 235_200)
        _chd(new / "psx" / f"{name}.chd")
    muos_profile(cli, old)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psx").code == 0
    _forget_the_old_files(cli, old, new)

    _killed_deploy(tmp_path, card, "psx", KILL_PRUNE="(Disc 2).bin")
    on_card = card_names(card)
    chds = [n for n in on_card if n.endswith(".chd")]
    assert len(chds) == 2, on_card

    resumed = cli("--json", "deploy", "resume")
    assert resumed.code == 0, resumed.out
    left = card_names(card)
    assert sorted(left) == sorted([*chds, "ROMS/psx/Game (USA).m3u"]), left
    assert (card / "ROMS/psx/Game (USA).m3u").read_text().splitlines() == \
        [f".Game (USA)/Game (USA) (Disc {disc}).chd" for disc in (1, 2)]


def test_a_game_no_longer_chosen_is_pruned_whatever_its_title_s_other_copies_do(
        cli: Any, tmp_path: Path) -> None:
    """review44b F1: paired by title alone, `Tetris (Japan)` (in the library, no longer
    chosen) waited for `Tetris (USA)`, whose copy a file of the user's blocked: kept at every
    --prune, with a note promising the next prune would remove it."""
    lib = tmp_path / "lib"
    (lib / "gb").mkdir(parents=True)
    (lib / "gb" / "Tetris (Japan).gb").write_bytes(b"j" * 4096)
    (lib / "gb" / "Tetris (USA).gb").write_bytes(b"u" * 4096)
    muos_profile(cli, lib)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "region:japan").code == 0
    [japan] = card_names(card)
    (card / japan).with_name("Tetris (USA).gb").write_bytes(b"the user's own")
    data = cli("--json", "deploy", "1", "--to", card, "region:usa", "--prune").json()["data"]
    assert data["pruned_paths"] == [japan] and data["conflicts"] == 1, data
    assert not (card / japan).exists()


def test_a_forgotten_iso_waits_for_its_own_region_s_copy_not_another_s(
        cli: Any, tmp_path: Path) -> None:
    """review44b F2: the forgotten `Patapon (USA).iso` waited for every copy of its title,
    and `Patapon (Europe).iso`, blocked by a file of the user's, kept it for good although
    its `.cso` was written in the same run."""
    old, new = tmp_path / "a", tmp_path / "b"
    (old / "psp").mkdir(parents=True)
    (new / "psp").mkdir(parents=True)
    (old / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    muos_profile(cli, old)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    [iso] = card_names(card)
    (new / "psp" / "Patapon (USA).cso").write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    (new / "psp" / "Patapon (Europe).iso").write_bytes(b"e" * 50_000)
    _forget_the_old_files(cli, old, new)
    (card / iso).with_name("Patapon (Europe).iso").write_bytes(b"the user's own")
    data = cli("--json", "deploy", "1", "--to", card, "platform:psp", "--prune").json()["data"]
    assert data["pruned_paths"] == [iso], data
    assert (card / iso).with_suffix(".cso").is_file()
