"""Deploy under faults, on real file systems with real processes: a missing or read-only
destination, a card that fills up midway (a 2 MiB tmpfs), a file over FAT32's limit (sparse),
sources missing or changed since the scan, ``kill -9`` mid-copy then resume, two deploys to
one card, and files of the user's that must survive everything.

Seeds: ``ROMRUNNER_FAULT_SEEDS`` (default 3; the release run uses more).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from romrunner.deploy import execute
from romrunner.deploy.card import DeployError
from romrunner.deploy.execute import (
    DeployOptions,
    Progress,
    deploy,
    record_deployment,
    resume,
)
from romrunner.deploy.history import list_history, show_deployment
from romrunner.deploy.legal import FAT32_MAX_FILE_SIZE, FileSystem
from romrunner.store import Database
from romrunner.store.integrity import check_database
from tests.conftest import run_subprocess
from tests.test_deploy_support import Layout, Library, card_files, make_library, temp_files

SEEDS = int(os.environ.get("ROMRUNNER_FAULT_SEEDS", "3"))


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "2m", options: str = "") -> Iterator[Path]:
    """A real small file system at ``folder`` (skips when mounting is refused); ``options``:
    more mount options (``nr_inodes=16``)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(filter(None, (
        f"size={size}", options))), "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'refused'}); "
                    "the full-card and read-only tests need one")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def expected_card(library: Library, card: Path) -> dict[str, bytes]:
    plan = library.plan(Layout(card))
    return {i.dest: i.content if i.content is not None else Path(i.source).read_bytes()
            for i in plan.items}


def resume_cli(library: Library, *args: str) -> tuple[int, str, str]:
    result = run_subprocess("deploy", "resume", *args, env={"ROMRUNNER_DB": str(library.db.path)})
    return result.code, result.out, result.err


def test_destination_missing_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    with pytest.raises(DeployError, match="does not exist"):
        deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert not card.exists()
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    card.rename(tmp_path / "unplugged")
    code, _, err = resume_cli(library, str(deployment))
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    assert "Traceback" not in err
    (tmp_path / "unplugged").rename(card)
    code, _, err = resume_cli(library, str(deployment))
    assert code == 0, err
    assert card_files(card) == expected_card(library, card)


def test_read_only_destination_is_refused_in_one_line(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    with tmpfs(tmp_path / "card") as card:
        deployment = record_deployment(library.db, library.plan(Layout(card)),
                                       profile_id=library.profile_id)
        subprocess.run(["mount", "-o", "remount,ro", str(card)], check=True)
        code, _, err = resume_cli(library, str(deployment))
        assert code == 2 and err.count("\n") == 1 and "read-only" in err
        assert card_files(card) == {}
        subprocess.run(["mount", "-o", "remount,rw", str(card)], check=True)
        assert resume_cli(library, str(deployment))[0] == 0


def fill_after_first_file(filler: Path) -> Callable[[Progress], None]:
    """A progress callback that, once the first file is on the card, fills the card with
    ``filler`` (another writer) until it is full."""

    def fill(progress: Progress) -> None:
        if progress.files_done == 1 and not filler.exists():
            with filler.open("wb") as handle, contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()

    return fill


def test_a_card_full_midway_stops_cleanly_says_how_much_and_resumes(tmp_path: Path) -> None:
    files: dict[str, int | bytes] = {f"gba/Game {n} (USA).gba": 300_000 for n in range(4)}
    library = make_library(tmp_path, files)
    with tmpfs(tmp_path / "card") as card:
        filler = card / "my photos.bin"
        summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                         progress=fill_after_first_file(filler))
        assert summary.status == "failed" and summary.copied == 1
        assert summary.stopped is not None and "card full" in summary.stopped
        assert re.search(r"\d KiB more needed", summary.stopped), summary.stopped  # (QA18 M7:
        # a few hundred KiB were "0.3 MiB", and under 50 KiB "0.0 MiB")
        assert "deploy resume" in summary.stopped
        # (QA18 C3: not by removing what it wrote: the resume would write that again)
        assert "files this deployment did not write" in summary.stopped
        expected = expected_card(library, card)
        on_card = card_files(card)
        del on_card["my photos.bin"]
        assert len(on_card) == 1 and all(expected[p] == data for p, data in on_card.items())
        assert not temp_files(card)
        # Still full: refused up front, saying how much to free.
        with pytest.raises(DeployError, match="not enough space"):
            resume(library.db, summary.deployment_id)
        filler.unlink()
        again = resume(library.db, summary.deployment_id)
        assert (again.copied, again.status) == (3, "completed")
        assert card_files(card) == expected and not temp_files(card)


def test_a_file_over_4_gib_is_an_error_for_fat32_only_and_the_rest_goes_on(
        tmp_path: Path) -> None:
    library = make_library(tmp_path)
    huge = library.root / "psx" / "Huge (USA).iso"
    huge.parent.mkdir(exist_ok=True)
    with huge.open("wb") as handle:  # sparse: 4 GiB of nothing on disk
        handle.truncate(FAT32_MAX_FILE_SIZE + 1)
    info = huge.stat()
    with library.db.atomic():  # as the scan records it (hashing 4 GiB is not the point here)
        library.db.execute(
            "INSERT INTO games (root_id, filepath, file_size, file_mtime_ns, "
            "platform_id) VALUES (1, 'psx/Huge (USA).iso', ?, ?, 'psx')",
            (info.st_size, info.st_mtime_ns))
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    assert [(e.code, e.path) for e in plan.errors] == [("too-large", str(huge))]
    assert "4 GiB" in plan.errors[0].message
    assert "a CHD of it, or a split image" in plan.errors[0].message
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.copied == 4 and summary.failed == 0
    exfat = library.plan(Layout(card, fs=FileSystem.EXFAT))
    assert not exfat.errors and "Roms/psx/Huge (USA).iso" in {i.dest for i in exfat.items}


@pytest.mark.parametrize(("name", "remedy"), [
    ("Huge (USA).chd", "exFAT holds it; it is a compressed image already, so no smaller form "
     "of it fits"),
    ("Huge (USA).zip", "exFAT holds it; or the game unpacked from it, where each of its files "
     "is under 4 GiB")])
def test_a_compressed_file_over_4_gib_is_not_advised_to_be_compressed(
        tmp_path: Path, name: str, remedy: str) -> None:
    """QA186: a .chd over FAT32's limit was advised "a CHD of it, or a split image"."""
    library = make_library(tmp_path, {"gb/Small (USA).gb": 4096})
    huge = library.root / "psx" / name
    huge.parent.mkdir(parents=True, exist_ok=True)
    with huge.open("wb") as handle:  # sparse
        handle.truncate(FAT32_MAX_FILE_SIZE + 1)
    info = huge.stat()
    with library.db.atomic():  # as the scan records it (hashing 4 GiB is not the point here)
        library.db.execute(
            "INSERT INTO games (root_id, filepath, file_size, file_mtime_ns, "
            "platform_id) VALUES (1, ?, ?, ?, 'psx')",
            (f"psx/{name}", info.st_size, info.st_mtime_ns))
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    assert [(e.code, e.path) for e in plan.errors] == [("too-large", str(huge))]
    assert plan.errors[0].message.endswith(f"4 GiB file limit ({remedy})"), plan.errors[0].message


def test_sources_missing_or_changed_since_the_scan_are_reported_and_skipped(
        tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    changed = library.root / "snes/Sky Pilot (USA).sfc"
    changed.write_bytes(changed.read_bytes()[::-1])  # same size, new content and mtime
    (library.root / "nes/Castle Run (USA).nes").unlink()
    code, _, err = resume_cli(library, "--verify", str(deployment))
    assert code == 1, err
    assert "changed since the scan" in err and "Castle Run" in err
    assert set(card_files(card)) == {"Roms/snes/Star Fox - Redux (USA).sfc",
                                     "Roms/gba/Pocket Quest (Europe).gba"}
    assert not temp_files(card)


def _copied_mtimes(card: Path, db_path: Path, deployment: int) -> dict[str, int]:
    db = Database(db_path, read_only=True)
    try:
        rows = db.query("SELECT dest_path FROM deployment_items WHERE deployment_id = ? "
                        "AND status = 'copied'", (deployment,))
    finally:
        db.close()
    # (a file is recorded copied just before its rename: one a kill -9 caught in between is
    # not on the card, and the resume copies it again — not a finished file)
    return {row[0]: info.st_mtime_ns for row in rows
            if (info := _stat_or_none(card / row[0])) is not None}


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _files_on(card: Path) -> int:
    return sum(1 for p in card.rglob("*") if p.is_file() and ".romrunner" not in p.parts)


def _wait_for_files(card: Path, proc: subprocess.Popen[bytes], target: int) -> None:
    """Until ``target`` files are on the card (temporary ones count), or the run ends."""
    while proc.poll() is None and _files_on(card) < target:
        time.sleep(0.002)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kill_9_mid_copy_then_resume_gives_an_identical_card(tmp_path: Path,
                                                             seed: int) -> None:
    rng = random.Random(seed)
    files: dict[str, int | bytes] = {f"psx/Big {n} (USA).iso": 8_000_000 + n for n in range(16)}
    files.update({f"gba/Small {n} (USA).gba": 2_000 + 97 * n for n in range(40)})
    for disc in (1, 2, 3):  # (a set: its playlist is written after the rest of the run)
        name = f"Saga (USA) (Disc {disc})"
        files[f"psx/{name}.bin"] = 3_000_000 + disc
        files[f"psx/{name}.cue"] = (f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                    "    INDEX 01 00:00:00\n").encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id,
                                   options=DeployOptions(verify=seed % 2 == 1))
    env = {**os.environ, "ROMRUNNER_DB": str(library.db.path)}
    total = len(expected_card(library, card))
    kills = 0
    for _ in range(3):  # up to three kills at random points, each followed by a resume
        before = _files_on(card)
        if before >= total - 2:
            break
        proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "deploy",
                                 "resume", str(deployment)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_files(card, proc, rng.randint(before + 1, total - 2))
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        if kills == 1:  # the first kill lands mid-way through the copy
            done = _copied_mtimes(card, library.db.path, deployment)
            assert len(done) < len(expected_card(library, card))
    assert kills >= 1
    finished_before = _copied_mtimes(card, library.db.path, deployment)
    code, _, err = resume_cli(library, str(deployment))
    if code != 0:
        assert "nothing to resume" in err  # the last run finished before its kill
    assert card_files(card) == expected_card(library, card)
    assert not temp_files(card)
    for dest, mtime in finished_before.items():  # finished files were not copied again
        assert (card / dest).stat().st_mtime_ns == mtime, dest
    db = Database(library.db.path, read_only=True)
    try:
        report = check_database(db)
        assert report.integrity == ["ok"]
        assert db.scalar("SELECT count(*) FROM deployment_items WHERE deployment_id = ? "
                         "AND status != 'copied'", (deployment,)) == 0
    finally:
        db.close()


def test_a_second_deploy_to_the_same_card_refuses_in_one_line(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from romrunner.deploy.card import card_lock\n"
         f"with card_lock(Path({str(card)!r})):\n"
         "    print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, _, err = resume_cli(library, str(deployment))
        assert code == 2 and err.count("\n") == 1 and "another deploy" in err
        assert card_files(card) == {}
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert resume_cli(library, str(deployment))[0] == 0


def test_files_we_did_not_write_survive_deploy_prune_and_resume(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    theirs = {"Roms/snes/Sky Pilot (USA).sfc": b"the user's own dump",
              "Roms/snes/.rr-tmp-notes": b"looks like ours, is not",
              "Roms/gba/saves/Pocket Quest.sav": b"save data",
              "BIOS/unknown.bin": b"a bios we know nothing about",
              "notes.txt": b"hello"}
    for rel, data in theirs.items():
        (card / rel).parent.mkdir(parents=True, exist_ok=True)
        (card / rel).write_bytes(data)
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   options=DeployOptions(prune=True))
    assert first.conflicts == 1
    nothing = library.plan(Layout(card), [])
    pruned = deploy(library.db, nothing, profile_id=library.profile_id,
                    options=DeployOptions(prune=True, force_prune=True))  # none chosen
    assert pruned.pruned == 3
    assert card_files(card) == theirs


def test_a_card_pulled_out_midway_stops_the_run_and_a_new_card_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the first batch (its files renamed and recorded as copied), then pulled out. Batches
    # close by count here, not by age, so the first one is exactly BATCH_FILES files.
    monkeypatch.setattr(execute, "BATCH_SECONDS", 3600.0)
    total = execute.BATCH_FILES + 22
    files: dict[str, int | bytes] = {f"gba/Game {n:03d} (USA).gba": 2_000
                                     for n in range(total)}
    library = make_library(tmp_path, files)
    with tmpfs(tmp_path / "card", "8m") as card:

        def pull_out(progress: Progress) -> None:
            if progress.files_done == total - 10 and (card / ".romrunner").exists():
                subprocess.run(["umount", "-l", str(card)], check=True)

        summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                         progress=pull_out)
        assert summary.stopped is not None and "went away" in summary.stopped
        assert summary.failed == 0 and summary.status == "failed"
        assert summary.copied == execute.BATCH_FILES
        assert card_files(card) == {}  # the empty mount point: nothing written there
    # The renames tried on the way out failed: those files are not recorded copied, so the
    # history counts the first batch alone, the rest pending (what a resume copies).
    statuses = dict(library.db.query(
        "SELECT status, count(*) FROM deployment_items WHERE deployment_id = ? "
        "GROUP BY status", (summary.deployment_id,)))
    assert statuses.get("copied") == execute.BATCH_FILES  # 12 more written, not renamed
    (row,) = list_history(library.db)
    assert row["status"] == "failed" and not row["totals_as_of_now"]  # its end stored them
    assert row["files"]["copied"] == execute.BATCH_FILES
    totals = show_deployment(library.db, summary.deployment_id)["totals"]["gba"]
    assert (totals["files"], totals["copied"]) == (total, execute.BATCH_FILES)
    assert totals["pending"] == total - execute.BATCH_FILES
    card_id = library.db.scalar("SELECT destination_id FROM deployment_history WHERE id = ?",
                                (summary.deployment_id,))
    with tmpfs(tmp_path / "card", "8m") as card:  # plugged in again (an emptied card)
        with pytest.raises(DeployError, match="destination-id"):  # no id: another card (QA #17)
            resume(library.db, summary.deployment_id)
        assert card_files(card) == {}
        (card / ".romrunner").mkdir(exist_ok=True)  # the same card, its files lost
        (card / ".romrunner/destination-id").write_text(f"{card_id}\n")
        again = resume(library.db, summary.deployment_id)
        assert again.status == "completed" and again.copied == total  # the lost ones too
        assert card_files(card) == expected_card(library, card) and not temp_files(card)


def test_a_batch_older_than_batch_seconds_is_committed_and_renamed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With no age allowed, each file's batch closes at once: everything written before the
    # card is pulled out is renamed and recorded, nothing waits for a count.
    monkeypatch.setattr(execute, "BATCH_SECONDS", 0.0)
    files: dict[str, int | bytes] = {f"gba/Game {n:03d} (USA).gba": 2_000 for n in range(30)}
    library = make_library(tmp_path, files)
    with tmpfs(tmp_path / "card", "4m") as card:

        def pull_out(progress: Progress) -> None:
            if progress.files_done == 20 and (card / ".romrunner").exists():
                subprocess.run(["umount", "-l", str(card)], check=True)

        summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                         progress=pull_out)
        assert summary.stopped is not None and summary.copied == 20


def test_a_full_card_is_pruned_before_anything_is_written(tmp_path: Path) -> None:
    """QA42 F5: a card full to the last byte, a prune that frees far more than the one file
    to copy: the run stopped "card full" before pruning (the note of the folders it writes
    came first), and every resume and run again did the same."""
    files: dict[str, int | bytes] = {f"gba/Game {n} (USA).gba": 300_000 for n in range(4)}
    library = make_library(tmp_path, files)
    old, new = library.game_ids()[:3], library.game_ids()[3:]
    with tmpfs(tmp_path / "card") as card:
        first = deploy(library.db, library.plan(Layout(card), old),
                       profile_id=library.profile_id)
        assert first.status == "completed"
        filler = card / "my photos.bin"
        out = os.open(filler, os.O_WRONLY | os.O_CREAT)  # the rest of the card, to the
        try:                                            # last byte
            with contextlib.suppress(OSError):
                while os.write(out, b"\0" * 4096):
                    pass
        finally:
            os.close(out)
        run = deploy(library.db, library.plan(Layout(card), new),
                     profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True))
        assert (run.status, run.pruned, run.copied) == ("completed", 3, 1), run.stopped
        assert sorted(card_files(card)) == ["Roms/gba/Game 3 (USA).gba", "my photos.bin"]


def test_a_deploy_the_databases_disk_stops_says_how_to_finish_it(tmp_path: Path) -> None:
    """QA83 F5: a deploy whose database could not be written any more mid-run (its disk full,
    a quota) said "nothing was saved; run the command again", not which deployment to resume
    while its files were on the card. (A file size limit stands in for the full disk; the
    limit that stops the run after its deployment is recorded is found by trying.)"""
    import shutil
    import sqlite3

    from tests.test_store_atomic import _with_a_file_size_limit
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for n in range(1500):
        (gb / f"Game {n:04d} (USA).gb").write_bytes(bytes([n % 251]) * (900 + n % 97))
    made = tmp_path / "made.db"
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run_subprocess("--db", str(made), *args).code == 0, args
    with contextlib.closing(sqlite3.connect(made)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for kib in range(192, 1024, 64):
        db, card = tmp_path / f"try{kib}.db", tmp_path / f"card{kib}"
        shutil.copyfile(made, db)
        card.mkdir()
        stopped = subprocess.run(
            [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "deploy", "1",
             "--to", str(card), "platform:gb"], capture_output=True, text=True, timeout=300,
            preexec_fn=lambda limit=kib * 1024: _with_a_file_size_limit(limit))
        with contextlib.closing(sqlite3.connect(db)) as conn:
            recorded = conn.execute("SELECT count(*) FROM deployment_history").fetchone()[0]
        if stopped.returncode != 0 and recorded:
            break
    else:
        pytest.fail("no file size limit stopped the deploy after its deployment was recorded")
    assert "`romrunner deploy resume 1`" in stopped.stderr, stopped.stderr
    resumed = run_subprocess("--db", str(db), "deploy", "resume", "1")
    assert resumed.code == 0, resumed.err
    assert len([p for p in card.rglob("*.gb")]) == 1500


def test_a_resumed_kill_leaves_every_file_of_the_cards_manifest_with_its_writer(
        tmp_path: Path) -> None:
    """QA138 F6: after a kill -9 and `deploy resume`, the files the killed run had copied
    were in the card's manifest with no writer (as an earlier release's), so the next deploy
    of the same games rewrote the manifest, and another computer reading the card meanwhile
    took them for an older release's."""
    files: dict[str, int | bytes] = {f"gba/Small {n} (USA).gba": 2_000 + 97 * n
                                     for n in range(10)}
    files.update({f"psx/Big {n} (USA).iso": 8_000_000 + n for n in range(16)})
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id, options=DeployOptions())
    env = {**os.environ, "ROMRUNNER_DB": str(library.db.path)}
    total = len(expected_card(library, card))
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "deploy", "resume",
                             str(deployment)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while proc.poll() is None and not _copied_mtimes(card, library.db.path, deployment):
        time.sleep(0.002)  # until the run has recorded some files copied
    if proc.poll() is not None:
        pytest.skip("the run ended before it could be killed (a very fast disk)")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(_copied_mtimes(card, library.db.path, deployment)) < total
    code, _, err = resume_cli(library, str(deployment))
    assert code == 0, err
    manifest = json.loads((card / ".romrunner" / "manifest.json").read_text())
    assert len(manifest["files"]) == total
    assert {len(record) for record in manifest["files"].values()} == {4}, manifest["files"]
    assert len({record[3] for record in manifest["files"].values()}) == 1


def test_a_library_root_gone_mid_deploy_stops_the_run_said_of_the_library(
        tmp_path: Path) -> None:
    """QA162 F7: the library's share unmounted mid-deploy: 988 files failed one by one,
    "missing since the scan" (or, a dead share, the card was blamed); one line now, of the
    library, and a resume once it is back finishes the deployment."""
    files: dict[str, int | bytes] = {f"gba/Game {n} (USA).gba": 30_000 for n in range(6)}
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    away = tmp_path / "lib-unmounted"

    def unmount(progress: Progress) -> None:
        if progress.files_done == 1 and library.root.exists():
            library.root.rename(away)
            library.root.mkdir()  # the empty mount point a share leaves

    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                     progress=unmount)
    assert summary.status == "failed" and summary.failed <= 1, summary
    assert summary.stopped is not None and \
        f"{library.root}: the library root went away while deploying" in summary.stopped
    assert f"deploy resume {summary.deployment_id}" in summary.stopped
    library.root.rmdir()
    away.rename(library.root)
    again = resume(library.db, summary.deployment_id)
    assert again.status == "completed"
    assert card_files(card) == expected_card(library, card) and not temp_files(card)


def test_a_run_whose_card_was_wiped_and_deployed_anew_is_passed_by_an_unnamed_resume(
        tmp_path: Path) -> None:
    """QA186: a deploy killed midway, its card then wiped and deployed to again by the same
    profile at the same folder (a new card id): every `deploy resume` without an ID took the
    killed run and failed "not the card deployment N was writing to", and `deploy history`
    kept saying `deploy resume N` finishes it."""
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    killed = record_deployment(library.db, library.plan(Layout(card)),
                               profile_id=library.profile_id)
    old_id = (card / ".romrunner" / "destination-id").read_text().strip()
    shutil.rmtree(card)  # wiped (reformatted), then deployed to anew
    card.mkdir()
    fresh = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert fresh.status == "completed"
    assert (card / ".romrunner" / "destination-id").read_text().strip() != old_id
    words = (f"deployment {killed} (to {card}) is not taken up without its ID: that folder "
             f"holds another card now, the one deployment {fresh.deployment_id} of its "
             f"profile completed on; `romrunner deploy resume {killed} --to ITS_PATH`")
    code, _, err = resume_cli(library)
    assert code != 0 and "no unfinished deployment to resume: " + words in \
        " ".join(err.split()), err
    assert "not the card" not in err
    (row,) = [r for r in list_history(library.db) if r["id"] == killed]
    assert row["status"] == "interrupted" and row["card_replaced"].startswith(words)
    assert row["resume_hint"] == f"romrunner deploy resume {killed} --to ITS_PATH"
    # (a run unfinished on the card there now is taken up as ever)
    later = record_deployment(library.db, library.plan(Layout(card)),
                              profile_id=library.profile_id)
    summary = resume(library.db)
    assert summary.deployment_id == later and summary.status == "completed"
