"""A deploy killed (a real child process, SIGKILLed just before it renames a file into place,
its batch already recorded copied), then library files only touched (a new time, the same
bytes): what `deploy resume` does of them is what a new deploy does.

- A playlist (.m3u) copied as it is: a new plan reads a touched one again and takes it (its
  size and SHA1 the scan's); the resume failed it "changed since the scan" (review48b F4).
  One whose bytes changed is still refused.
- A ROM, a disc's sheet and track: a new deploy takes them once a rescan has read them
  again; the first resume after that rescan failed each file whose copy the killed run had
  recorded but not yet put in place, "changed since this deployment was planned" (a second
  resume copied them). A BIOS file likewise, once `bios scan` has read it again.
- A file no scan records (a playlist's disc in a hidden folder, read by the plan only): the
  resume said `romrunner scan` reads it again, which it never does; it is left to a new
  deploy, which takes it.

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from tests.conftest import muos_profile, writer_killed_before_rename

TITLE = "Parasite Eve (USA)"
CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _hidden_set(psx: Path) -> Path:
    """Two cue/bin discs in ``psx/.TITLE/`` (a hidden folder the scan skips) and
    ``psx/TITLE.m3u`` naming them: the playlist goes on the card as it is. Its path."""
    lines = []
    for disc in (1, 2):
        name = f"{TITLE} (Disc {disc})"
        folder = psx / f".{TITLE}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.bin").write_bytes(bytes([disc]) * 2352 * 30)
        (folder / f"{name}.cue").write_text(CUE.format(name))
        lines.append(f".{TITLE}/{name}.cue")
    playlist = psx / f"{TITLE}.m3u"
    playlist.write_text("\n".join(lines) + "\n")
    return playlist


def _killed_deploy(cli: Any, card: Path, query: str, before: str) -> int:
    """Run `deploy 1 --to card query` in a real child process, SIGKILLed just before it
    renames the file ``before`` into place; the deployment's id."""
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['deploy', '1', '--to', {str(card)!r}, {query!r}]))\n")
    with writer_killed_before_rename(Path(before), code):
        pass
    (deployment,) = [row["id"] for row in cli("--json", "deploy", "history").json()["data"]]
    return int(deployment)


def _touch(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5 * 10**9))


def _errors(result: Any) -> dict[str, str]:
    return {error["path"]: error["error"] for error in result.json()["data"]["errors"]}


def test_a_resume_copies_a_playlist_only_touched_since_the_plan(cli: Any,
                                                                 tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    playlist = _hidden_set(lib / "psx")
    planned = playlist.read_bytes()
    card.mkdir()
    muos_profile(cli, lib)
    deployment = _killed_deploy(cli, card, "parasite", playlist.name)
    on_card = card / "ROMS" / "psx" / playlist.name
    assert not on_card.exists()  # (its copy recorded, not yet put in place)
    # its bytes changed at its size: refused, as before
    playlist.write_bytes(b"".join(reversed(planned.splitlines(keepends=True))))
    changed = cli("--json", "deploy", "resume", str(deployment))
    errors = _errors(changed)
    assert changed.code != 0 and list(errors) == [str(on_card.relative_to(card))], errors
    assert "changed since the scan" in errors[str(on_card.relative_to(card))], errors
    assert not on_card.exists()
    # the planned bytes back, at another time than the scan's: only touched, copied
    playlist.write_bytes(planned)
    _touch(playlist)
    resumed = cli("--json", "deploy", "resume", str(deployment))
    assert resumed.code == 0 and _errors(resumed) == {}, resumed.out
    assert resumed.json()["data"]["copied"] == 1
    assert on_card.read_bytes() == planned
    # (recorded at its time now: the next deploy finds the card as planned)
    again = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out


def test_a_resume_after_a_rescan_copies_sources_only_touched_the_killed_run_recorded(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    (lib / "psx").mkdir()
    for n, name in enumerate(("Alpha (USA)", "Beta (USA)")):
        (lib / "gba" / f"{name}.gba").write_bytes(bytes([n + 1]) * 70_000)
    (lib / "psx" / "Solo (USA).bin").write_bytes(b"\x07" * 2352 * 20)
    (lib / "psx" / "Solo (USA).cue").write_text(CUE.format("Solo (USA)"))
    sources = sorted(path for path in lib.rglob("*") if path.is_file())
    card.mkdir()
    muos_profile(cli, lib)
    # (killed at its first rename: every file recorded copied, none in place)
    deployment = _killed_deploy(cli, card, "platform:gba,psx", "Alpha (USA).gba")
    assert not [path for path in card.rglob("*") if path.is_file()
                and path.suffix in (".gba", ".bin", ".cue")]
    for path in sources:
        _touch(path)
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    # (p50d: the items to follow, chosen once for the rescans and the playlists both)
    chosen: list[int] = []
    choose = execute._sources_to_follow
    monkeypatch.setattr(execute, "_sources_to_follow",
                        lambda items: chosen.append(len(items)) or choose(items))
    resumed = cli("--json", "deploy", "resume", str(deployment))
    assert resumed.code == 0 and _errors(resumed) == {}, resumed.out
    assert len(chosen) == 1, chosen
    on_card = {path.name: path.read_bytes() for path in card.rglob("*") if path.is_file()}
    for path in sources:
        assert on_card.get(path.name) == path.read_bytes(), path.name
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gba,psx")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out


def test_a_resume_after_a_bios_scan_copies_a_bios_file_only_touched(tmp_path: Path) -> None:
    """A BIOS file only touched: a new deploy takes it once `bios scan` has read it again;
    a resume failed it after that scan too, "rescan it … only in a new deploy". It says
    which `bios scan` reads it, and copies it after that scan; one whose bytes changed is
    left to a new deploy. (Real databases, files and scans; the deployment recorded, nothing
    copied, as a run killed before its first copy leaves it.)"""
    from romrunner.bios.example import build_example_bios
    from romrunner.bios.scan import scan_bios
    from romrunner.deploy.execute import record_deployment, resume
    from romrunner.deploy.plan import build_plan
    from romrunner.packs.loader import builtin_pack_path, load_pack
    from romrunner.packs.sync import sync_pack
    from romrunner.words import shell_word
    from tests.test_deploy_support import DEFAULT_FILES, Layout, make_library, payload

    library = make_library(tmp_path, dict(DEFAULT_FILES))
    folder, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [folder])
    card = tmp_path / "card"
    card.mkdir()
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
    touched, rewritten = sorted(Path(item.source) for item in plan.items if item.kind == "bios")
    deployment = record_deployment(library.db, plan, profile_id=library.profile_id)
    _touch(touched)
    rewritten.write_bytes(payload("another dump", rewritten.stat().st_size))
    before = {error["source"]: error["error"] for error in
              resume(library.db, deployment).errors}
    assert before[str(touched)] == (
        f"{touched}: changed since the scan: `romrunner bios scan {shell_word(folder)}` reads it "
        f"again, then `romrunner deploy resume {deployment}` copies it if its content is "
        "the same (else a new `romrunner deploy`)"), before
    scan_bios(library.db, pack, [folder])
    summary = resume(library.db, deployment)
    after = {error["source"]: error["error"] for error in summary.errors}
    assert after == {str(rewritten): (
        f"{rewritten}: changed since this deployment was planned, as the last `bios scan` "
        "read it: a new `romrunner deploy` takes it as it is now if it is a verified dump")}
    assert summary.copied == 1, summary.errors
    on_card = {path.read_bytes() for path in card.rglob("*") if path.is_file()}
    assert touched.read_bytes() in on_card and rewritten.read_bytes() not in on_card


def test_a_resume_leaves_a_touched_file_no_scan_reads_to_a_new_deploy(cli: Any,
                                                                       tmp_path: Path) -> None:
    """A playlist's discs in a hidden folder are read by the plan, never by a scan: one
    touched after the killed run was said to be read again by `romrunner scan`, then copied
    by a resume — every resume after that scan failed it the same. It is left to a new
    deploy, which takes it (as the plan reads it)."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    playlist = _hidden_set(lib / "psx")
    card.mkdir()
    muos_profile(cli, lib)
    first = f"{TITLE} (Disc 1).cue"
    deployment = _killed_deploy(cli, card, "parasite", first)
    sheet = playlist.parent / f".{TITLE}" / first
    _touch(sheet)
    assert cli("scan", "--workers", "1").code == 0
    resumed = cli("--json", "deploy", "resume", str(deployment))
    said = {error["source"]: error["error"] for error in resumed.json()["data"]["errors"]}
    assert resumed.code != 0 and said[str(sheet)] == (
        f"{sheet}: changed since this deployment was planned: a new `romrunner deploy` "
        "takes it as it is now"), said
    again = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    # (the two tracks went on the card before the kill: each sheet after the tracks of its
    # set, review50a P1)
    assert again.code == 0 and again.json()["data"]["copied"] == 3, again.out
    assert again.json()["data"]["skipped"] == 2, again.out
    # (p51a F1: the three files the killed run recorded, never put in place, then held by
    # the resume, were said "deleted from the card since" by the player)
    assert not [n for n in again.json()["data"]["notes"] if "deleted from it since" in n], \
        again.json()["data"]["notes"]
    # one the player does delete now is said so
    disc = card / "ROMS" / "psx" / f".{TITLE}" / first
    disc.unlink()
    last = cli("--json", "deploy", "1", "--to", str(card), "parasite")
    assert last.code == 0 and last.json()["data"]["copied"] == 1, last.out
    (note,) = [n for n in last.json()["data"]["notes"] if "deleted from it since" in n]
    assert f"({disc.relative_to(card).as_posix()})" in note, note
