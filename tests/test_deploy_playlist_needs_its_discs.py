"""A playlist of the library copied as it is, naming a disc of the library placed as its own
game (beside it) and a disc in a hidden folder, is not written when that library disc is
not: neither when the card refuses the disc before anything is written (a file of someone
else's at its path), nor when its copy fails as the run goes (its bytes changed after a
killed run, then `deploy resume`). The card never holds a playlist naming a disc it does
not have (review49b F2: the .m3u and the hidden disc went on the card, unsaid).

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename
from tests.test_deploy_multidisc_layout import playable
from tests.test_deploy_playlist_mixed_discs import _mixed_set

PSX = "ROMS/psx"  # (muOS)
CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'

# A deploy in a real child process whose audit hook lists each rename's target, and at the
# first rename (ROM Runner's "writing" note, after the plan, before any copy) changes the
# bytes and time of CHANGE: its copy finds it changed since the scan
_HOOKED = """
import os, sys
CHANGE = {change!r}
renamed = []
def _hook(event, args):
    if event != "os.rename":
        return
    renamed.append(os.path.basename(str(args[1])))
    if CHANGE and len(renamed) == 1:
        info = os.stat(CHANGE)
        with open(CHANGE, "r+b") as changed:
            changed.seek(100)
            changed.write(b"ZZZZ")
        os.utime(CHANGE, ns=(info.st_atime_ns, info.st_mtime_ns + 7 * 10**9))
sys.addaudithook(_hook)
from romrunner.cli.main import main
code = main({args!r})
print(json.dumps(renamed), file=sys.stderr)
sys.exit(code)
"""


def _hooked_deploy(card: Path, query: str, change: Path | None = None
                   ) -> tuple[dict[str, Any], list[str]]:
    """`deploy 1 --to card query --json` in a child process (see _HOOKED): its JSON and the
    names it renamed into place, in order."""
    code = "import json\n" + _HOOKED.format(change=str(change or ""), args=[
        "--json", "deploy", "1", "--to", str(card), query])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ, timeout=300, check=False)
    return json.loads(done.stdout), json.loads(done.stderr.splitlines()[-1])


def _cue(folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.bin").write_bytes(os.urandom(2352 * 8))
    (folder / f"{stem}.cue").write_text(CUE.format(stem))


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


def _chained(lib: Path) -> None:
    """``Alpha.m3u`` naming ``Shared.cue`` (a game of the library) and its hidden
    ``.A/Extra.cue``; ``Beta.m3u`` naming that hidden disc and one of its own."""
    psx = lib / "psx"
    _cue(psx, "Shared (USA)")
    _cue(psx / ".A", "Extra (USA)")
    _cue(psx / ".A", "Extra2 (USA)")
    (psx / "Alpha (USA).m3u").write_text("Shared (USA).cue\n.A/Extra (USA).cue\n")
    (psx / "Beta (USA).m3u").write_text(".A/Extra (USA).cue\n.A/Extra2 (USA).cue\n")


def test_a_playlist_naming_a_held_playlists_disc_is_held_too(cli: Any, tmp_path: Path) -> None:
    # review50a F1: Beta, naming Alpha's hidden disc, went on the card without it (run
    # time), or the dry run said it would copy what the run failed (the card refusing)
    lib, card = tmp_path / "lib", tmp_path / "card"
    _chained(lib)
    muos_profile(cli, lib)
    (card / PSX).mkdir(parents=True)
    foreign = card / PSX / "Shared (USA).cue"
    foreign.write_bytes(b"someone else's file")
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    failing = {line.partition(":")[0] for line in dry.json()["data"]["failures"]}
    assert f"{PSX}/Beta (USA).m3u" in failing and f"{PSX}/Alpha (USA).m3u" in failing, failing
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert set(_failed(run)) == failing | {f"{PSX}/Shared (USA).cue"}, _failed(run)
    foreign.unlink()
    data, _ = _hooked_deploy(card, "platform:psx", lib / "psx" / "Shared (USA).bin")
    assert data["ok"] is False
    assert not list(card.rglob("*.m3u")), sorted(card.rglob("*"))


def test_a_playlist_is_held_when_its_library_discs_track_fails_beside_a_sheet_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    # review50a F2: the disc's sheet unchanged on the card (not in the run), its track gone
    # from the card and failing as it is copied: the playlist went on the card
    lib, card = tmp_path / "lib", tmp_path / "card"
    _mixed_set(lib)
    muos_profile(cli, lib)
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "id:1").code == 0  # (the disc alone)
    (card / PSX / "Mix (Disc 1).bin").unlink()
    data, renamed = _hooked_deploy(card, "mix", lib / "psx" / "Mix (Disc 1).bin")
    assert data["ok"] is False, (renamed, data)
    failed = {error["path"]: error["error"] for error in data["data"]["errors"]}
    assert "Mix (Disc 1).bin" in failed[f"{PSX}/Mix.m3u"], failed
    assert not (card / PSX / "Mix.m3u").exists(), sorted(card.rglob("*"))


def test_a_playlist_sharing_no_disc_goes_on_the_card_with_its_set(cli: Any,
                                                                 tmp_path: Path) -> None:
    # review50a F3: every library playlist was put after every other file, so a run that
    # stopped left complete sets with no playlist, unlisted
    lib, card = tmp_path / "lib", tmp_path / "card"
    for title in ("Ano (USA)", "Bno (USA)"):
        for disc in (1, 2):
            _cue(lib / "psx" / f".{title}", f"{title} (Disc {disc})")
        (lib / "psx" / f"{title}.m3u").write_text("".join(
            f".{title}/{title} (Disc {disc}).cue\n" for disc in (1, 2)))
    muos_profile(cli, lib)
    card.mkdir()
    data, renamed = _hooked_deploy(card, "platform:psx")
    assert data["ok"] is True, data
    first, _ = sorted(("Ano (USA).m3u", "Bno (USA).m3u"), key=renamed.index)
    other = "Bno" if first.startswith("Ano") else "Ano"
    assert renamed.index(first) < renamed.index(f"{other} (USA) (Disc 1).cue"), renamed


# A deploy in a real child process whose audit hook counts the times the library file READ
# is opened (to be read, or copied)
_COUNTED = """
import sys
READ = {read!r}
opened = []
def _hook(event, args):
    if event == "open" and str(args[0]) == READ:
        opened.append(args[0])
sys.addaudithook(_hook)
from romrunner.cli.main import main
code = main({args!r})
print(len(opened), file=sys.stderr)
sys.exit(code)
"""


def _opened(card: Path, read: Path) -> tuple[dict[str, Any], int]:
    """`deploy 1 --to card platform:psx --json` in a child process (see _COUNTED): its JSON
    and the times it opened ``read``."""
    code = _COUNTED.format(read=str(read), args=[
        "--json", "deploy", "1", "--to", str(card), "platform:psx"])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ, timeout=300, check=False)
    return json.loads(done.stdout), int(done.stderr.splitlines()[-1])


def test_a_runs_library_playlists_are_read_once(cli: Any, tmp_path: Path) -> None:
    # closing note 50 (work done twice): a run with a failure before anything is written (a
    # file of another game's refused) read the playlists, and the sheets they name, for it,
    # and again as it ran, for the same answer: once more than a run with no failure
    lib = tmp_path / "lib"
    tracks = _mixed_set(lib)
    _cue(lib / "psx", "Other (USA)")
    muos_profile(cli, lib)
    playlist = lib / "psx" / "Mix.m3u"
    refusing, card = tmp_path / "refusing", tmp_path / "card"
    (refusing / PSX).mkdir(parents=True)
    # (not blank cards: the CLI looks at one with a dry run first, which reads them too)
    (refusing / ".romrunner").mkdir()
    (card / ".romrunner").mkdir(parents=True)
    (refusing / PSX / "Other (USA).bin").write_bytes(b"someone else's file")
    data, times = _opened(refusing, playlist)
    assert data["ok"] is False, data
    failed = {error["path"] for error in data["data"]["errors"]}
    assert failed == {f"{PSX}/Other (USA).bin", f"{PSX}/Other (USA).cue"}, failed
    assert playable(refusing, f"{PSX}/Mix.m3u") == tracks  # (held by nothing: written)
    data, once = _opened(card, playlist)
    assert data["ok"] is True, data
    assert times == once, (times, once)
