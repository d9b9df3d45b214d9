"""Deploy's fast paths keep every rule of the slow ones: unchanged files found in bulk, stale
temporary files looked for where a run that did not complete was writing — on real
databases, real folders and real files."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from romrunner.deploy.card import WRITING_NAME, note_writing
from romrunner.deploy.execute import (
    DeploySummary,
    Progress,
    deploy,
    fast_skips,
    preview,
    record_deployment,
    resume,
)
from romrunner.deploy.history import show_deployment
from tests.test_deploy import disc_files, sources_by_dest
from tests.test_deploy_support import Layout, Library, card_files, make_library, temp_files


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path, disc_files())


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    return folder


def _deploy(library: Library, card: Path) -> DeploySummary:
    return deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)


def test_a_redeploy_settles_unchanged_files_in_bulk_and_decides_the_rest_one_by_one(
        library: Library, card: Path) -> None:
    """In one folder: a file edited on the card (same size, other bytes and time) is not
    taken for ours, one only touched is recognised by its bytes (ours: its record's SHA1,
    read from the card; the card's time is recorded), a deleted one is copied again, the
    others are skipped without being rewritten."""
    _deploy(library, card)
    expected = card_files(card)
    edited = card / "Roms/psx/Saga (USA) (Disc 1).bin"
    data = edited.read_bytes()
    edited.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])
    touched = card / "Roms/psx/Saga (USA) (Disc 1).cue"
    os.utime(touched, ns=(touched.stat().st_mtime_ns + 10**9,) * 2)
    deleted = card / "Roms/psx/Saga (USA) (Disc 2).bin"
    deleted.unlink()
    untouched = card / "Roms/psx/Saga (USA) (Disc 3).bin"
    stamp = untouched.stat().st_mtime_ns
    second = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (second.copied, second.conflicts, second.skipped) == (1, 1, 9)
    assert sorted((e["path"], e["status"], e["error"]) for e in second.errors) == [
        ("Roms/psx/Saga (USA) (Disc 1).bin", "conflict", "Roms/psx/Saga (USA) (Disc 1).bin: "
         "changed on the card since ROM Runner wrote it; kept (use --overwrite to replace it)")]
    assert card_files(card) == {**expected, str(edited.relative_to(card)): edited.read_bytes()}
    assert edited.read_bytes() != data and untouched.stat().st_mtime_ns == stamp
    files = json.loads((card / ".romrunner/manifest.json").read_bytes())["files"]
    assert files[str(touched.relative_to(card))][:2] == [touched.stat().st_size,
                                                          touched.stat().st_mtime_ns]


def test_a_malformed_card_manifest_entry_is_decided_one_by_one(library: Library,
                                                               card: Path) -> None:
    _deploy(library, card)
    manifest = card / ".romrunner/manifest.json"
    document = json.loads(manifest.read_bytes())
    files = document["files"]
    files["Roms/snes/Sky Pilot (USA).sfc"] = "not a record"
    files["Roms/nes/Castle Run (USA).nes"] = [1]
    manifest.write_text(json.dumps(document))
    plan = library.plan(Layout(card))
    rest, unchanged = fast_skips(card, plan.items, files)
    dests = {plan.items[index].dest for index in rest}
    assert {"Roms/snes/Sky Pilot (USA).sfc", "Roms/nes/Castle Run (USA).nes"} <= dests
    again = deploy(library.db, plan, profile_id=library.profile_id)
    # The database still knows both files are ours and unchanged: skipped, not conflicts.
    assert (again.copied, again.conflicts, again.skipped) == (0, 0, 11)
    assert sum(files for files, _ in unchanged.values()) <= 9


def test_a_dry_run_counts_the_unchanged_files_it_settles_in_bulk(library: Library,
                                                                 card: Path) -> None:
    _deploy(library, card)
    (card / "Roms/gba/Pocket Quest (Europe).gba").unlink()
    listed = preview(library.db, library.plan(Layout(card)))
    assert listed["actions"] == {"skip": 10, "copy": 1}


def test_a_playlist_whose_text_changed_but_not_its_length_is_written_again(
        library: Library, card: Path) -> None:
    _deploy(library, card)
    m3u = card / "Roms/psx/Saga (USA).m3u"
    before = m3u.read_bytes()
    with library.db.atomic():  # discs 1 and 2 swap places: the same names, in another order
        library.db.execute("UPDATE games SET disc_number = 3 - disc_number WHERE "
                           "disc_number IN (1, 2)")
    second = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    after = m3u.read_bytes()
    assert len(after) == len(before) and after != before
    assert after.splitlines()[0] == b"Saga (USA) (Disc 2).cue"
    assert second.copied == 1


def test_a_run_that_did_not_complete_has_its_temporary_files_removed_by_the_next_deploy(
        library: Library, card: Path) -> None:
    """A deploy killed mid-copy leaves temporary files and the note of where it was writing;
    the next deploy (not only a resume) removes them and the note."""
    _deploy(library, card)
    note = card / ".romrunner" / WRITING_NAME
    assert not note.exists()  # a run that completed leaves no note
    stale = card / "Roms/snes/.rr-tmp-7-3"
    stale.write_bytes(b"half a file")
    mine = card / "Roms/snes/.rr-tmp-notes"  # not named as we name ours: never touched
    mine.write_bytes(b"the user's")
    note_writing(card, ["Roms/snes"])
    again = _deploy(library, card)
    assert again.cleaned_temps == 1 and not stale.exists() and mine.exists()
    assert not note.exists() and temp_files(card) == [mine]


def test_a_redeploy_that_changes_nothing_writes_nothing_in_the_cards_folder(
        library: Library, card: Path) -> None:
    _deploy(library, card)
    folder = card / ".romrunner"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = _deploy(library, card)
    assert (again.copied, again.skipped) == (0, 11)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_a_note_naming_a_folder_outside_the_card_is_ignored(library: Library, card: Path,
                                                            tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    bait = outside / ".rr-tmp-1-1"
    bait.write_bytes(b"not on the card")
    (card / ".romrunner").mkdir()
    (card / ".romrunner" / WRITING_NAME).write_text(
        json.dumps({"folders": ["../elsewhere", str(outside)]}))
    _deploy(library, card)
    assert bait.exists()


def test_a_recorded_deployment_writes_no_row_per_file_until_its_files_get_a_state(
        library: Library, card: Path) -> None:
    """The items are recorded once with the deployment; a file's row is written when its
    batch commits (one write per file). Until then it is pending: in show, in resume."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    assert library.db.scalar("SELECT count(*) FROM deployment_items WHERE deployment_id = ?",
                             (deployment,)) == 0
    shown = show_deployment(library.db, deployment)
    assert [(c["action"], c["status"], c["files"]) for c in shown["counts"]] == [
        ("copy", "pending", 11)]
    summary = resume(library.db, deployment)
    assert (summary.planned, summary.copied, summary.status) == (11, 11, "completed")
    rows = library.db.query("SELECT status, dest_mtime_ns FROM deployment_items WHERE "
                            "deployment_id = ?", (deployment,))
    assert len(rows) == 11 and {row["status"] for row in rows} == {"copied"}
    assert all(row["dest_mtime_ns"] is not None for row in rows)
    shown = show_deployment(library.db, deployment)
    assert [(c["action"], c["status"], c["files"]) for c in shown["counts"]] == [
        ("copy", "copied", 11)]


def test_a_deployment_recorded_with_a_row_per_file_still_resumes(library: Library,
                                                                 card: Path) -> None:
    """Deployments recorded before (every item a pending row, no items in the history row)
    resume as they did."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    document = json.loads(library.db.scalar(
        "SELECT manifest_json FROM deployment_history WHERE id = ?", (deployment,)))
    with library.db.atomic():
        library.db.executemany(
            "INSERT INTO deployment_items (deployment_id, seq, kind, action, game_id, "
            "platform_id, source_path, source_mtime_ns, content, dest_path, file_size, "
            "file_sha1, dest_mtime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(deployment, seq, kind, action, game, platform, source, mtime,
              None if content is None else base64.b64decode(content), dest, size, sha1, dmt)
             for (seq, kind, action, game, platform, source, mtime, content, dest, size, sha1,
                  dmt) in document.pop("items")])
        library.db.execute("UPDATE deployment_history SET manifest_json = ? WHERE id = ?",
                           (json.dumps(document), deployment))
    summary = resume(library.db, deployment)
    assert (summary.planned, summary.copied, summary.status) == (11, 11, "completed")
    assert card_files(card) == sources_by_dest(library, card) and len(card_files(card)) == 11


def test_a_file_renamed_whose_row_was_lost_is_not_trusted(library: Library,
                                                          card: Path) -> None:
    """The crash state of one write per file: the rename reached the card, the batch's rows
    did not reach the database (and the card's manifest does not list the file), nor did
    anything after them (the run's end, which would have dropped the items from the record:
    each would have had its row). Resume finds the item pending from the recorded items and
    does not take the file for ours."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    recorded = library.db.scalar("SELECT manifest_json FROM deployment_history WHERE id = ?",
                                 (deployment,))
    first = resume(library.db, deployment)
    assert first.status == "completed"
    row = library.db.query_one("SELECT seq, dest_path FROM deployment_items WHERE "
                               "deployment_id = ? AND kind = 'rom' ORDER BY seq LIMIT 1",
                               (first.deployment_id,))
    with library.db.atomic():
        library.db.execute("DELETE FROM deployment_items WHERE deployment_id = ? AND seq = ?",
                           (first.deployment_id, row["seq"]))
        library.db.execute("UPDATE deployment_history SET status = 'started', "
                           "manifest_json = ? WHERE id = ?", (recorded, first.deployment_id))
    manifest = card / ".romrunner" / "manifest.json"
    document = json.loads(manifest.read_bytes())
    del document["files"][row["dest_path"]]
    manifest.write_text(json.dumps(document))
    final = card / row["dest_path"]
    data = final.read_bytes()
    final.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])  # same size, other bytes
    summary = resume(library.db, first.deployment_id)
    assert (summary.copied, summary.conflicts) == (0, 1)
    assert final.read_bytes() != data


def test_a_batch_written_in_several_statements_records_every_file(
        library: Library, card: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's intents are written many rows to a statement: with three rows a statement,
    the 11 files' rows (four statements, the last one short) are each recorded copied with
    the size and time the card shows, and a second deploy finds them all unchanged."""
    monkeypatch.setattr(execute, "UPSERT_ROWS", 3)
    first = _deploy(library, card)
    assert (first.copied, first.failed) == (11, 0)
    rows = library.db.query("SELECT seq, dest_path, file_size, dest_mtime_ns, status FROM "
                            "deployment_items WHERE deployment_id = ? ORDER BY seq",
                            (first.deployment_id,))
    assert [row["seq"] for row in rows] == list(range(11))
    for row in rows:
        info = (card / row["dest_path"]).stat()
        assert (row["status"], row["file_size"], row["dest_mtime_ns"]) == (
            "copied", info.st_size, info.st_mtime_ns)
    again = _deploy(library, card)
    assert (again.copied, again.skipped, again.bytes_copied) == (0, 11, 0)


def test_a_completed_deployment_keeps_only_what_its_rows_do_not_say(library: Library,
                                                                    card: Path) -> None:
    """A run stopped midway keeps every item in its record (those without a row are
    pending: resume needs them); once completed, each item has its row and the record keeps
    only the counts and folders (SQLite writes a row whole on each update): it reads as one
    recorded with a row per item, with the same totals, and the card deploys incrementally."""
    def interrupt(progress: Progress) -> None:
        if progress.files_done == 3:
            raise KeyboardInterrupt

    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   progress=interrupt)
    assert first.status == "cancelled"

    def record() -> dict[str, Any]:
        text = library.db.scalar("SELECT manifest_json FROM deployment_history WHERE id = ?",
                                 (first.deployment_id,))
        document: dict[str, Any] = json.loads(text)
        return document

    assert len(record()["items"]) == 11
    finished = resume(library.db, first.deployment_id)
    assert (finished.status, finished.copied) == ("completed", 11 - first.copied)
    document = record()
    assert "items" not in document and set(document) == {"unchanged", "protected"}
    assert execute.deployment_record(library.db, first.deployment_id).items is None
    stored = json.loads(library.db.scalar(
        "SELECT totals_json FROM deployment_history WHERE id = ?", (first.deployment_id,)))
    assert execute.deployment_totals(library.db, first.deployment_id) == stored
    assert sum(entry.get("copied", 0) for entry in stored.values()) == 11
    shown = show_deployment(library.db, first.deployment_id)
    assert [(c["action"], c["status"], c["files"]) for c in shown["counts"]] == [
        ("copy", "copied", 11)]
    again = _deploy(library, card)
    assert (again.copied, again.skipped, again.bytes_copied) == (0, 11, 0)
