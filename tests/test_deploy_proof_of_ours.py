"""Review 77: what proves a card file ours before a deploy replaces or removes it.

R1: an update of a game replaced our copy that the user had edited in place at its size and
time (a card file system that keeps a file's time when it is rewritten, or `touch -r`) without
reading it, without --overwrite, and without a word.
R3: a file put at a path the run had found empty was renamed over when its copy came.
R5 (QA76 F2): a game the library knows by its CRC32 only lost its old copy before its new copy
(in a new folder) was written: a copy that failed left the card without the game.
R2 and R4, and reviews 78-81 of their fixes: a database's older records (restored from a
backup, another computer's) against what the card's manifest says its prunes let go; a run
killed among its prunes or before its manifest write; and the card's other everyday hazards
QA74-QA76 met (a killed run's temporary files, a folder moved mid-run, two first deploys at
once, a card too small, a FAT32 card's 4 GiB limit in the auto-list).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy.card import card_lock, note_writing, write_id_once
from romrunner.deploy.execute import DeployOptions, Progress, deploy
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import build_plan
from romrunner.deploy.select import choose_games
from romrunner.devices.autolist import TOO_LARGE_FOR_CARD, build_autolist
from romrunner.devices.paths import card_layout
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import muos_profile
from tests.test_deploy_faults import tmpfs
from tests.test_deploy_support import card_files

NAMES = ("Alpha (USA)", "Bravo (USA)", "Charlie (USA)")


def _rom(n: int, size: int = 4096) -> bytes:
    return bytes((n * 37 + j * 11) % 251 for j in range(size + n * 512))


def _library(cli: Any, tmp_path: Path) -> Path:
    """Three Game Boy games, identified by a DAT (so known by CRC32 + size only, as a first
    scan with a catalog leaves them), profile 1 on muOS."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    lines = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n']
    for n, name in enumerate(NAMES):
        data = _rom(n)
        (gb / f"{name}.gb").write_bytes(data)
        lines.append(f'game (\n\tname "{name}"\n\trom ( name "{name}.gb" size {len(data)} '
                     f'crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} '
                     f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    dat = tmp_path / "gb.dat"
    dat.write_text("".join(lines))
    for args in (("library", "add", str(tmp_path / "lib")), ("dat", "import", str(dat)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return gb


def _deployed(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """:func:`_library`, deployed whole to a card folder: (its gb folder, the card)."""
    gb = _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    return gb, card


def _card_path(card: Path, name: str) -> Path:
    return next(p for p in card.rglob(f"{name}.gb") if ".romrunner" not in p.parts)


def test_an_update_never_replaces_our_copy_edited_in_place_at_its_time(
        cli: Any, tmp_path: Path) -> None:
    gb, card = _deployed(cli, tmp_path)
    ours = _card_path(card, "Alpha (USA)")
    before = ours.stat()
    edited = b"PLAYER'S PATCH!!" + ours.read_bytes()[16:]  # same size, other bytes
    ours.write_bytes(edited)
    os.utime(ours, ns=(before.st_atime_ns, before.st_mtime_ns))  # its time kept
    source = gb / "Alpha (USA).gb"
    source.write_bytes(bytes(255 - b for b in source.read_bytes()))  # a new version
    assert cli("scan", "--workers", "1").code == 0

    preview = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    notes = preview.json()["data"]["conflict_notes"]
    assert "edited in place" in notes[str(ours.relative_to(card))], preview.out
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert run.json()["data"]["copied"] == 0, run.out
    assert run.json()["data"]["conflicts"] == 1, run.out
    assert ours.read_bytes() == edited  # the player's bytes, kept

    forced = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--overwrite")
    assert forced.json()["data"]["copied"] == 1, forced.out
    assert ours.read_bytes() == source.read_bytes()
    assert [r["path"] for r in forced.json()["data"]["replaced"]] == [
        str(ours.relative_to(card))]  # and said so


def test_an_update_of_our_unchanged_copy_still_replaces_it(cli: Any, tmp_path: Path) -> None:
    """The check of R1 reads the card's copy: one unchanged is replaced as before."""
    gb, card = _deployed(cli, tmp_path)
    source = gb / "Bravo (USA).gb"
    source.write_bytes(bytes(255 - b for b in source.read_bytes()))
    assert cli("scan", "--workers", "1").code == 0
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert (run.json()["data"]["copied"], run.json()["data"]["conflicts"]) == (1, 0), run.out
    assert _card_path(card, "Bravo (USA)").read_bytes() == source.read_bytes()
    assert run.json()["data"]["replaced"] == []  # ours: no file of the player's replaced


def _run(db_path: Path, card: Path, words: list[str], on_tick: Any,
         prune: bool = False) -> Any:
    pack = load_pack(None)
    db = open_database(db_path, OpenMode.WRITE).db
    try:
        layout = card_layout(db, pack, 1, card)
        chosen = choose_games(db, pack, 1, layout, words=words)
        plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=1, pruning=prune)
        return deploy(db, plan, profile_id=1, options=DeployOptions(prune=prune),
                      progress=lambda p: on_tick(plan, p))
    finally:
        db.close()


def test_a_file_put_at_our_path_during_the_run_is_never_renamed_over(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    theirs = b"THE PLAYER'S OWN FILE"
    put: list[Path] = []

    def the_player_copies_a_file(plan: Any, progress: Progress) -> None:
        if not put:  # at the first file: the last file's path, empty when the run decided
            target = card / plan.items[-1].dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(theirs)
            put.append(target)

    summary = _run(db_path, card, ["platform:gb"], the_player_copies_a_file)
    assert put and put[0].read_bytes() == theirs
    assert summary.copied == 2 and summary.failed == 1, summary
    assert any("during the deploy" in e["error"] for e in summary.errors), summary.errors
    assert not [p for p in card.rglob(".rr-tmp-*")]


def test_a_moved_game_known_by_crc32_only_keeps_its_old_copy_until_the_new_is_written(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    gb = _library(cli, tmp_path)
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert {g["match_method"] for g in games} == {"crc32"}  # known by CRC32 + size only
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    old = _card_path(card, "Bravo (USA)")
    old_bytes = old.read_bytes()
    assert cli("destination", "paths", "1", "--to", str(card), "--set", "gb=roms/GB2").code == 0

    def the_share_changes_bravo(plan: Any, progress: Progress) -> None:
        if "GB2/Bravo" in progress.current and old.exists():
            with (gb / "Bravo (USA).gb").open("ab") as handle:  # its new copy then fails
                handle.write(b"\0")

    summary = _run(db_path, card, ["platform:gb"], the_share_changes_bravo, prune=True)
    assert summary.failed == 1 and summary.pruned == 2, summary
    assert old.read_bytes() == old_bytes  # the game keeps its old copy on the card
    assert {name for name in card_files(card) if name.startswith("roms/GB2/")} == {
        "roms/GB2/Alpha (USA).gb", "roms/GB2/Charlie (USA).gb"}


def _leave_a_killed_runs_temps(card: Path, folder: str, note: bool) -> list[Path]:
    """What a deploy killed mid-copy leaves: two complete temporary files of ours and, when
    ``note``, its `writing` note naming their folder."""
    where = card / folder
    where.mkdir(parents=True, exist_ok=True)
    temps = [where / f".rr-tmp-9-{n}" for n in range(2)]
    for temp in temps:
        temp.write_bytes(os.urandom(600 * 1024))
    if note:
        note_writing(card, [folder])
    return temps


def test_a_killed_runs_temporary_files_are_free_space_to_the_next_run(
        cli: Any, tmp_path: Path) -> None:
    """QA76 F1: on a card with little room, the temporary files a killed run left were
    counted as used: the next deploy (and `deploy resume`) refused "not enough space", and,
    refused, never removed them."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for n in range(3):
        (gb / f"Game {n} (USA).gb").write_bytes(os.urandom(300 * 1024))
    muos_profile(cli, tmp_path / "lib")
    with tmpfs(tmp_path / "card", "2m") as card:
        temps = _leave_a_killed_runs_temps(card, "ROMS/gb", note=True)
        preview = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
        assert preview.json()["data"]["enough_space"] is True, preview.out
        assert all(temp.exists() for temp in temps)  # the dry run removes nothing
        run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
        assert run.code == 0, run.out
        assert run.json()["data"]["copied"] == 3
        assert not [p for p in card.rglob(".rr-tmp-*")]
        assert sorted(p.name for p in (card / "ROMS" / "gb").iterdir()) == [
            f"Game {n} (USA).gb" for n in range(3)]


def test_a_killed_runs_temporary_files_go_when_the_cards_record_was_deleted(
        cli: Any, tmp_path: Path) -> None:
    """QA74 F2: `.romrunner/` deleted after a killed run (its `writing` note with it): its
    temporary files were never removed by any later deploy."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    (gb / "Game (USA).gb").write_bytes(os.urandom(4096))
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    temps = _leave_a_killed_runs_temps(card, "ROMS/gb", note=False)
    theirs = card / "ROMS" / "gb" / ".rr-tmp-notes.txt"  # not named as ours: never touched
    theirs.write_text("mine")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert run.code == 0, run.out
    assert not any(temp.exists() for temp in temps)
    assert theirs.read_text() == "mine"
    assert (card / "ROMS" / "gb" / "Game (USA).gb").exists()


def test_a_restored_database_never_prunes_a_file_put_back_after_its_backup(
        cli: Any, tmp_path: Path) -> None:
    """Review 77 R2: a prune removed a copy; the user put it back (the only copy left now);
    a database restored from a backup older than that prune removed it again, its records
    outranking the card's manifest, which no longer listed it."""
    gb = _library(cli, tmp_path)
    (gb / "Delta (USA).gb").write_bytes(_rom(7))  # deployed later
    assert cli("scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb -title:delta").code == 0
    backup = tmp_path / "before.bak"
    assert cli("db", "backup", str(backup)).code == 0
    alpha = _card_path(card, "Alpha (USA)")
    kept = alpha.read_bytes()
    (gb / "Alpha (USA).gb").unlink()  # gone from the library: its copy is the only one
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0
    # (--force: its content in no library file now, a --prune alone keeps it as maybe the
    # only copy left; the runs below need no such word to keep it)
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:delta",
                 "--prune", "--force")
    assert pruned.json()["data"]["pruned"] == 1 and not alpha.exists(), pruned.out
    alpha.write_bytes(kept)  # the user puts their copy back
    assert cli("db", "restore", str(backup)).code == 0

    chosen = "platform:gb -title:alpha -title:delta"
    preview = cli("--json", "deploy", "1", "--to", str(card), chosen, "--prune", "--force",
                  "--dry-run")
    assert preview.json()["data"]["prune"] == [], preview.out
    run = cli("--json", "deploy", "1", "--to", str(card), chosen, "--prune", "--force")
    assert run.json()["data"]["pruned"] == 0, run.out
    assert alpha.read_bytes() == kept
    # and once its own run wrote the card's manifest (review 78 R1: the old record held
    # again, and the next prune but one removed the file)
    assert cli("deploy", "1", "--to", str(card), "platform:gb -title:alpha").code == 0
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:alpha",
                "--prune", "--force")
    assert again.json()["data"]["pruned"] == 0, again.out
    assert alpha.read_bytes() == kept


def test_a_restored_database_still_prunes_what_the_card_lists_as_ours(
        cli: Any, tmp_path: Path) -> None:
    """The other side of R2: files the card's manifest still lists stay ROM Runner's to a
    restored database (its prune of a game no longer chosen removes them)."""
    _, card = _deployed(cli, tmp_path)
    backup = tmp_path / "before.bak"
    assert cli("db", "backup", str(backup)).code == 0
    assert cli("deploy", "1", "--to", str(card), "platform:gb -title:charlie",
               "--prune").code == 0  # a run the restored database will not know
    assert cli("db", "restore", str(backup)).code == 0
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:bravo", "--prune")
    assert run.json()["data"]["pruned"] == 1, run.out  # Bravo, which the card still listed
    assert sorted(name.rpartition("/")[2] for name in card_files(card)) == [
        "Alpha (USA).gb", "Charlie (USA).gb"]


def test_a_file_a_prune_could_not_prove_ours_is_not_recorded_as_ours(
        cli: Any, tmp_path: Path) -> None:
    """Review 77 R4: a card whose `.romrunner/` was deleted; its first prune kept a file it
    could not prove ours (maybe the only copy of a game the library lost) but listed it in
    the new manifest as ours; the next prune blamed "another computer", and the
    `--prune-others` it advised removed it."""
    gb, card = _deployed(cli, tmp_path)
    for path in sorted((card / ".romrunner").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (card / ".romrunner").rmdir()
    alpha = _card_path(card, "Alpha (USA)")
    kept = alpha.read_bytes()
    (gb / "Alpha (USA).gb").unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0
    first = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune")
    assert first.json()["data"]["pruned"] == 0, first.out
    assert any("only copy" in n for n in first.json()["data"]["notes"]), first.out
    listed = json.loads((card / ".romrunner" / "manifest.json").read_text())["files"]
    assert str(alpha.relative_to(card)) not in listed
    for extra in ((), ("--prune-others",)):
        again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", *extra)
        assert again.json()["data"]["pruned"] == 0, again.out
        assert not any("another computer" in n for n in again.json()["data"]["notes"]), again.out
    assert alpha.read_bytes() == kept


def test_a_folder_moved_on_the_card_during_the_run_stops_it_and_resume_finishes(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA75 F3: the user renamed a platform's folder on the card while the deploy wrote to
    it: its files went with the folder (written through its descriptor), and the run said
    "completed, 0 failed" with every file recorded where it was not."""
    _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    moved: list[Path] = []

    def the_player_renames_the_folder(plan: Any, progress: Progress) -> None:
        folder = card / plan.items[0].dest.rpartition("/")[0]
        if not moved and any(folder.glob(".rr-tmp-*")):
            folder.rename(folder.with_name("gb-old"))
            moved.append(folder)

    summary = _run(db_path, card, ["platform:gb"], the_player_renames_the_folder)
    assert moved
    assert summary.status != "completed", summary
    assert summary.stopped and "moved, renamed or removed" in summary.stopped
    resumed = cli("--json", "deploy", "resume")
    assert resumed.code == 0, resumed.out
    assert sorted(p.name for p in moved[0].iterdir() if p.is_file()) == [
        f"{name}.gb" for name in NAMES]


def test_a_card_gets_one_id_when_two_processes_give_it_one_at_once(tmp_path: Path) -> None:
    """QA75 F3: two first deploys to a blank card from two databases at once each wrote an
    id (the file replaced under the other), and the one that lost could not resume there.
    The id is written under the card's lock: a process that comes second reads the first's."""
    card = tmp_path / "card"
    card.mkdir()
    code = ("import sys; from pathlib import Path; "
            "from romrunner.devices.destination import destination_id; "
            "print('ready', flush=True); print(destination_id(Path(sys.argv[1]), True))")
    with card_lock(card):
        child = subprocess.Popen([sys.executable, "-c", code, str(card)], text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # (it asks for the id while this process holds the lock)
        write_id_once(card, "file:the-first", locked=True)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.strip() == "file:the-first"
    assert (card / ".romrunner" / "destination-id").read_text().strip() == "file:the-first"


def test_a_dry_run_on_a_card_another_deploy_writes_to_refuses_as_the_run_would(
        cli: Any, tmp_path: Path) -> None:
    """QA75 F4: the dry run planned a card half written by a running deploy, exit 0, where
    the run it previews refuses (the README: it "exits as the real run would")."""
    _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    with card_lock(card):  # a deploy (of another process) writing to the card
        preview = cli("deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
        run = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert run.code == 2 and "another deploy is writing" in run.err, run.err
    assert (preview.code, preview.err) == (run.code, run.err)
    assert cli("deploy", "1", "--to", str(card), "platform:gb", "--dry-run").code == 0


def test_a_card_short_of_space_is_told_what_a_prune_would_free(
        cli: Any, tmp_path: Path) -> None:
    """QA76 F4, F5: the refusal said "free 3.4 MiB more (or select less)" while --prune
    would have freed far more of ROM Runner's own files no longer chosen; `destination scan`
    said "0.0 GB free of 0.0 GB" of a card of a few MiB."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"):
        (gb / f"{name} (USA).gb").write_bytes(os.urandom(400 * 1024))
    muos_profile(cli, tmp_path / "lib")
    with tmpfs(tmp_path / "card", "2m") as card:
        first = "title:alpha,bravo,charlie"
        assert cli("deploy", "1", "--to", str(card), first).code == 0
        others = "title:delta,echo,foxtrot"
        for extra in (("--dry-run",), ()):
            refused = cli("deploy", "1", "--to", str(card), others, *extra)
            assert refused.code == 2, refused.err
            assert "--prune would free 1.2 MiB of ROM Runner's files no longer chosen" \
                in refused.err, refused.err
        done = cli("--json", "deploy", "1", "--to", str(card), others, "--prune")
        assert (done.json()["data"]["pruned"], done.json()["data"]["copied"]) == (3, 3)
        scanned = cli("destination", "scan", str(card))
        assert "KiB free of 2.0 MiB" in scanned.out, scanned.out


def test_a_prune_says_which_of_our_paths_hold_a_folder_or_a_link_now(
        cli: Any, tmp_path: Path) -> None:
    """QA74 F4: a symbolic link where our file was was called "changed (other size or
    bytes)", and a folder there was not said at all."""
    _, card = _deployed(cli, tmp_path)
    alpha, bravo = _card_path(card, "Alpha (USA)"), _card_path(card, "Bravo (USA)")
    alpha.unlink()
    alpha.mkdir()
    (alpha / "notes.txt").write_text("mine")
    bravo.unlink()
    bravo.symlink_to(tmp_path / "elsewhere.gb")
    for extra in (("--dry-run",), ()):
        run = cli("--json", "deploy", "1", "--to", str(card), "title:charlie", "--prune", *extra)
        notes = [n for n in run.json()["data"]["notes"] if "folder or a link" in n]
        assert len(notes) == 1, run.out
        assert str(alpha.relative_to(card)) in notes[0] and str(bravo.relative_to(card)) \
            in notes[0]
        assert not any("other size or bytes" in n for n in run.json()["data"]["notes"])
    assert (alpha / "notes.txt").read_text() == "mine" and bravo.is_symlink()


_KILLED_AT_ITS_FIRST_COPY = """
import os, sys
from pathlib import Path
from romrunner.deploy.execute import DeployOptions, deploy
from romrunner.deploy.plan import build_plan
from romrunner.deploy.select import choose_games
from romrunner.devices.paths import card_layout
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
db = open_database(Path(sys.argv[1]), OpenMode.WRITE).db
pack = load_pack(None)
layout = card_layout(db, pack, 1, Path(sys.argv[2]))
chosen = choose_games(db, pack, 1, layout, words=[sys.argv[3]])
at = sys.argv[4] if len(sys.argv) > 4 else "Delta (USA).gb"
prune = len(sys.argv) < 6  # (a fifth argument: no --prune)
plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=1, pruning=prune)
def progress(p):
    if p.current.endswith(at):
        os._exit(9)  # killed as this file's turn comes (by default: its first copy)
force = os.environ.get("FORCE_PRUNE") == "1"  # (--force)
deploy(db, plan, profile_id=1, options=DeployOptions(prune=prune, force_prune=force),
       progress=progress)
"""


@pytest.mark.parametrize("manifest_written", [True, False])
def test_a_file_put_back_after_a_killed_runs_prune_is_not_taken_for_ours(
        cli: Any, db_path: Path, tmp_path: Path, manifest_written: bool) -> None:
    """Review 77 (by reading): a run killed after its prunes and before it wrote the card's
    manifest left the pruned paths listed there as ours: a copy the user put back at one
    was taken for ours by its bytes and pruned by the next run. (``manifest_written``
    False: killed in the instant between the database's record of the prunes and the
    manifest's, its earlier manifest put back to play it.)"""
    gb, card = _deployed(cli, tmp_path)
    alpha = _card_path(card, "Alpha (USA)")
    kept = alpha.read_bytes()
    (gb / "Delta (USA).gb").write_bytes(os.urandom(4096))
    assert cli("scan", "--workers", "1").code == 0
    manifest = card / ".romrunner" / "manifest.json"
    earlier = manifest.read_bytes()
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT_ITS_FIRST_COPY, str(db_path),
                             str(card), "platform:gb -title:alpha"], capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert not alpha.exists()  # pruned by the killed run
    if not manifest_written:
        manifest.write_bytes(earlier)
    alpha.write_bytes(kept)  # the user puts their copy back (another time: theirs)
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:alpha", "--prune")
    assert run.code == 0, run.out
    assert run.json()["data"]["pruned"] == 0, run.out
    assert alpha.read_bytes() == kept


def test_an_autolist_for_a_fat32_card_leaves_out_a_set_with_a_disc_over_4_gib(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA76 F6: `autolist --to` a FAT32 card included a game over FAT32's 4 GiB file limit
    and both discs of a set whose second disc was: `deploy --auto` then put half the set on
    the card. (The size is set in the database as a scan of a 4.3 GiB image records it:
    hashing one here would take a minute.)"""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    discs = ["Hole Quest (USA) (Disc 1).iso", "Hole Quest (USA) (Disc 2).iso"]
    for n, disc in enumerate(discs):
        (psx / disc).write_bytes(_rom(n, 8192))
    (psx / "Small Saga (USA).iso").write_bytes(_rom(3, 8192))
    muos_profile(cli, tmp_path / "lib")
    db = open_database(db_path, OpenMode.WRITE).db
    try:
        with db.atomic():
            db.execute("UPDATE games SET file_size = ? WHERE filepath LIKE '%(Disc 2).iso'",
                       (4_600_000_000,))
        pack = load_pack(None)
        card = tmp_path / "card"
        card.mkdir()
        lists = {fs: {e.filename: e for e in build_autolist(
            db, pack, 1, card_layout(db, pack, 1, card, fs=fs)).entries}
            for fs in (FileSystem.FAT32, FileSystem.EXFAT)}
    finally:
        db.close()
    fat32, exfat = lists[FileSystem.FAT32], lists[FileSystem.EXFAT]
    assert all(exfat[name].included for name in [*discs, "Small Saga (USA).iso"])
    assert fat32["Small Saga (USA).iso"].included
    assert fat32[discs[1]].reason == TOO_LARGE_FOR_CARD and not fat32[discs[1]].included
    assert not fat32[discs[0]].included  # the set goes whole
    assert any("Disc 2" in w for w in fat32[discs[0]].warnings), fat32[discs[0]].warnings


def test_a_database_knows_its_own_copies_after_another_databases_run_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    """Review 78 R2: with another database's run last to write the card's manifest, this
    database's records of its own later runs were dropped too: a copy whose record the card
    lacked (its manifest write failed, "run the deploy again") became "a file of yours",
    never pruned."""
    gb = _library(cli, tmp_path)
    (gb / "Delta (USA).gb").write_bytes(_rom(7))
    assert cli("scan", "--workers", "1").code == 0
    other = tmp_path / "other.db"
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli("--db", str(other), *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--db", str(other), "deploy", "1", "--to", str(card),
               "platform:gb -title:delta").code == 0
    manifest = card / ".romrunner" / "manifest.json"
    theirs = manifest.read_bytes()
    # this database's write of the manifest fails (a folder where its temporary file goes)
    blocker = card / ".romrunner" / f".rr-tmp-manifest.json-{os.getpid()}"
    blocker.mkdir()
    written = cli("--json", "deploy", "1", "--to", str(card), "title:delta")
    assert written.json()["data"]["copied"] == 1, written.out
    assert any("could not be written" in n for n in written.json()["data"]["notes"])
    blocker.rmdir()
    assert manifest.read_bytes() == theirs  # the card as the other database's run left it
    again = cli("--json", "deploy", "1", "--to", str(card), "title:delta")
    assert again.code == 0, again.out
    assert not any("identical" in e["error"] for e in again.json()["data"]["errors"]), again.out
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:bravo", "--prune",
                 "--prune-others")
    assert pruned.json()["data"]["pruned"] >= 1, pruned.out
    assert not list(card.rglob("Delta (USA).gb")), pruned.out  # its own copy, pruned


def _killed(db_path: Path, card: Path, words: str, at: str, *, prune: bool,
            force: bool = False) -> None:
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT_ITS_FIRST_COPY, str(db_path),
                             str(card), words, at, *(() if prune else ("no-prune",))],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "FORCE_PRUNE": "1" if force else ""})
    assert killed.returncode == 9, killed.stderr


def test_a_killed_runs_copies_stay_ours_after_a_later_run_writes_the_manifest(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Review 79 F2: files a run copied and renamed but never got into the card's manifest
    (killed before its first write of it) became "files of yours" for good once a later
    deploy with another selection wrote the manifest: no prune removed them."""
    gb = _library(cli, tmp_path)  # Alpha, Bravo, Charlie
    (gb / "Delta (USA).gb").write_bytes(os.urandom(17 * 1024**2))  # a large file: the
    (gb / "Echo (USA).gb").write_bytes(_rom(9))  # small files before it are renamed first
    assert cli("scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    _killed(db_path, card, "platform:gb", "Echo (USA).gb", prune=False)
    bravo, charlie = _card_path(card, "Bravo (USA)"), _card_path(card, "Charlie (USA)")
    listed = json.loads((card / ".romrunner" / "manifest.json").read_text())["files"]
    assert str(bravo.relative_to(card)) not in listed  # copied, not yet in the manifest
    assert cli("deploy", "1", "--to", str(card), "title:alpha,echo").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha,echo", "--prune")
    assert pruned.json()["data"]["pruned"] >= 2, pruned.out
    assert not bravo.exists() and not charlie.exists()


@pytest.mark.parametrize("resumed", [False, True])
def test_a_file_put_back_after_a_run_killed_among_its_prunes_is_not_taken_for_ours(
        cli: Any, db_path: Path, tmp_path: Path, resumed: bool) -> None:
    """Review 79 F4: a run killed among its prunes had recorded none of them; the same
    bytes put back at a pruned path were taken for ours by the next run and pruned. Review
    80 F1: so were they by the prune after `deploy resume` finished the killed run. (The
    games forgotten, their content in no library file: pruned with --force, else kept as
    maybe the only copy left.)"""
    gb, card = _deployed(cli, tmp_path)
    alpha = _card_path(card, "Alpha (USA)")
    kept = alpha.read_bytes()
    (gb / "Alpha (USA).gb").unlink()
    (gb / "Bravo (USA).gb").unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0
    _killed(db_path, card, "platform:gb", "Bravo (USA).gb", prune=True,
            force=True)  # Alpha pruned first
    assert not alpha.exists() and _card_path(card, "Bravo (USA)").exists()
    alpha.write_bytes(kept)  # the user puts it back (the only copy)
    if resumed:
        finished = cli("--json", "deploy", "resume")
        assert finished.code == 0, finished.out
        assert alpha.read_bytes() == kept
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", "--force")
    assert run.code == 0, run.out
    assert alpha.read_bytes() == kept
    assert not list(card.rglob("Bravo (USA).gb"))  # ours, still pruned
    if not resumed:  # (said as what it is, not "changed (other size or bytes)": review 81)
        said = [n for n in run.json()["data"]["notes"] if str(alpha.relative_to(card)) in n]
        assert len(said) == 1 and "stopped among its prunes" in said[0], said
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune",
                "--force")
    assert again.json()["data"]["pruned"] == 0 and alpha.read_bytes() == kept, again.out


def test_a_game_copied_again_after_its_prune_is_ours_though_the_manifest_write_failed(
        cli: Any, tmp_path: Path) -> None:
    """Review 80 F2: a game pruned, then deployed again at the same path, and the card's
    manifest write after that copy failed: the record of the copy was taken for the file
    the prune had removed (the same bytes), so the copy was "yours" for good."""
    _, card = _deployed(cli, tmp_path)
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:alpha",
                 "--prune")
    assert pruned.json()["data"]["pruned"] == 1, pruned.out
    blocker = card / ".romrunner" / f".rr-tmp-manifest.json-{os.getpid()}"
    blocker.mkdir()  # the next write of the card's manifest fails
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert again.json()["data"]["copied"] == 1, again.out
    blocker.rmdir()
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gb -title:alpha",
              "--prune")
    assert run.json()["data"]["pruned"] == 1, run.out  # ours: pruned again
    assert not list(card.rglob("Alpha (USA).gb"))


def test_the_only_copy_note_says_a_library_known_by_crc32_only_is_why(
        cli: Any, tmp_path: Path) -> None:
    """QA145 F9: `.romrunner/` lost, a prune's note said the library "no longer has" the
    content of copies of games it has, known by their CRC32 only (a scan reads their SHA1
    later): it says so, and `scan --verify`, after which the prune knows them."""
    from tests.test_games_commands import dat_text

    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    data = {name: os.urandom(4096) for name in ("Kept (USA)", "Dropped (USA)")}
    for name, blob in data.items():
        (gb / f"{name}.gb").write_bytes(blob)
    dat = tmp_path / "gb.dat"
    dat.write_text(dat_text("Nintendo - Game Boy",
                            {name: [(f"{name}.gb", blob)] for name, blob in data.items()}))
    assert cli("dat", "import", dat).code == 0
    muos_profile(cli, tmp_path / "lib")
    assert cli("--json", "db", "status").json()["data"]["unverified"]["unverified"] == 2
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    for record in (card / ".romrunner").iterdir():
        record.unlink()
    (card / ".romrunner").rmdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "title:kept", "--prune",
              "--dry-run")
    (note,) = [n for n in dry.json()["data"]["notes"] if "maybe the only copy left" in n]
    assert "no longer has" not in note and "known by CRC32 only" in note
    assert "no record" not in note  # (QA152 F8: this database recorded writing them)
    assert "`romrunner scan --verify`" in note
    assert cli("scan", "--verify").code == 0
    proven = cli("--json", "deploy", "1", "--to", str(card), "title:kept", "--prune",
                 "--dry-run")
    assert [p.rpartition("/")[2] for p in proven.json()["data"]["prune"]] == [
        "Dropped (USA).gb"]
