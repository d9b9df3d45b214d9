"""A deployment interrupted before it copied a source that was then only touched (a new
time, the same content): a rescan reads it again and a resume copies it (F5: every resume
after the rescan failed it "changed since the scan (rescan it…)", while a new deploy copied
it); without a rescan the resume says, in one line, to rescan and resume; a source whose
content changed too is left to a new deploy, said so. Real databases, files and scans."""

from __future__ import annotations

import os
from pathlib import Path

from romrunner.deploy.execute import record_deployment, resume
from romrunner.library.scan import scan_library
from tests.test_deploy_support import (
    Layout,
    Library,
    builtin_pack,
    card_files,
    make_library,
    payload,
)

CUE = 'FILE "Disc Run (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
FILES: dict[str, int | bytes] = {
    "gba/Pocket Quest (Europe).gba": 131_072,
    "gba/Sky Pilot (USA).gba": 70_000,
    "psx/Disc Run (USA).bin": 2352 * 20,
    "psx/Disc Run (USA).cue": CUE.encode(),
}
TOUCHED = ("gba/Sky Pilot (USA).gba", "psx/Disc Run (USA).bin")


def _interrupted(tmp_path: Path) -> tuple[Library, Path, int]:
    """A library, and a deployment of all of it recorded on its card, nothing copied yet
    (as a run killed before its first copy leaves it)."""
    library = make_library(tmp_path, FILES)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    return library, card, deployment


def _touch(library: Library) -> None:
    for name in TOUCHED:
        info = (library.root / name).stat()
        os.utime(library.root / name, ns=(info.st_atime_ns, info.st_mtime_ns + 5 * 10**9))


def test_a_resume_after_a_rescan_copies_a_source_only_touched(tmp_path: Path) -> None:
    library, card, deployment = _interrupted(tmp_path)
    _touch(library)
    scan_library(library.db, builtin_pack(), workers=1)
    summary = resume(library.db, deployment)
    assert summary.status == "completed" and summary.failed == 0, summary.errors
    on_card = card_files(card)
    for name in TOUCHED:
        assert (library.root / name).read_bytes() in on_card.values(), name
    # (its rows hold the time the copy was made from: a later deploy finds the copy as
    # the library records it)
    times = {row[0]: int(row[1]) for row in library.db.query(
        "SELECT source_path, source_mtime_ns FROM deployment_items WHERE deployment_id = ? "
        "AND status = 'copied'", (deployment,))}
    for name in TOUCHED:
        path = library.root / name
        assert times[str(path)] == path.stat().st_mtime_ns, name


def test_a_resume_before_the_rescan_says_to_rescan_then_resume(tmp_path: Path) -> None:
    library, _card, deployment = _interrupted(tmp_path)
    _touch(library)
    summary = resume(library.db, deployment)
    errors = {error["source"]: error["error"] for error in summary.errors}
    source = str(library.root / TOUCHED[0])
    assert errors[source] == (
        f"{source}: changed since the scan: `romrunner scan` reads it again, then "
        f"`romrunner deploy resume {deployment}` copies it if its content is the same "
        "(else a new `romrunner deploy`)"), errors
    scan_library(library.db, builtin_pack(), workers=1)
    again = resume(library.db, deployment)  # (as it says)
    assert again.failed == 0 and again.copied >= len(TOUCHED), again.errors


def test_a_source_whose_content_changed_is_left_to_a_new_deploy(tmp_path: Path) -> None:
    library, card, deployment = _interrupted(tmp_path)
    changed = library.root / TOUCHED[0]
    changed.write_bytes(payload("another dump", changed.stat().st_size))  # (the same size)
    scan_library(library.db, builtin_pack(), workers=1)
    summary = resume(library.db, deployment)
    errors = {error["source"]: error["error"] for error in summary.errors}
    assert errors == {str(changed): (
        f"{changed}: changed since this deployment was planned, as the last scan read it: "
        "a new `romrunner deploy` takes it as it is now")}, errors
    assert changed.read_bytes() not in card_files(card).values()
