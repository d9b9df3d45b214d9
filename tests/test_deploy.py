"""Deploy: the plan, incremental runs, the user's own files, prune, the card manifest, resume,
history, and the schema change — on real databases, real folders and real files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.bios.example import build_example_bios
from romrunner.bios.scan import scan_bios
from romrunner.deploy.card import DeployError
from romrunner.deploy.execute import DeployOptions, deploy, preview, record_deployment, resume
from romrunner.deploy.history import list_history, show_deployment
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import build_plan, changed_since_the_scan
from romrunner.errors import NotFoundError
from romrunner.library.scan import scan_library
from romrunner.packs.loader import DefinitionPack, builtin_pack_path, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate
from tests.test_deploy_support import (
    DEFAULT_FILES,
    Layout,
    Library,
    builtin_pack,
    card_files,
    make_library,
    payload,
    temp_files,
    write_files,
)

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def disc_files() -> dict[str, int | bytes]:
    files: dict[str, int | bytes] = dict(DEFAULT_FILES)
    for disc, size in ((1, 90_000), (2, 70_000), (3, 50_000)):
        name = f"Saga (USA) (Disc {disc})"
        files[f"psx/{name}.cue"] = CUE.format(f"{name}.bin").encode()
        files[f"psx/{name}.bin"] = size
    return files


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path, disc_files())


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    return folder


def ids_of(library: Library, *names: str) -> list[int]:
    rows = library.db.query("SELECT id, filename FROM games ORDER BY id")
    return [int(row["id"]) for row in rows if any(n in row["filename"] for n in names)]


# -- plan ------------------------------------------------------------------------------------
def test_plan_places_games_legally_with_discs_their_tracks_and_an_m3u(
        library: Library, card: Path) -> None:
    plan = library.plan(Layout(card))
    dests = {item.dest: item for item in plan.items}
    assert "Roms/snes/Star Fox - Redux (USA).sfc" in dests  # ':' legalised for FAT32
    for disc in (1, 2, 3):
        assert f"Roms/psx/Saga (USA) (Disc {disc}).bin" in dests
    playlist = dests["Roms/psx/Saga (USA).m3u"]
    assert playlist.kind == "playlist"
    assert playlist.content == b"".join(
        f"Saga (USA) (Disc {d}).cue\n".encode() for d in (1, 2, 3))
    totals = plan.totals()
    assert totals["psx"].files == 7 and totals["snes"].files == 2
    assert totals["psx"].bytes == sum(i.size for i in plan.items if i.platform_id == "psx")
    assert not plan.errors


def test_plan_without_m3u_and_with_two_discs_of_three_chosen_takes_the_set(
        library: Library, card: Path) -> None:
    plan = library.plan(Layout(card, m3u=set()), ids_of(library, "Disc 1", "Disc 2"))
    assert not [i for i in plan.items if i.kind == "playlist"]
    sheets = sorted(i.dest.rpartition("/")[2] for i in plan.items if i.dest.endswith(".cue"))
    assert [s.rpartition("(Disc ")[2] for s in sheets] == ["1).cue", "2).cue", "3).cue"]
    assert "1 disc not chosen added to complete its set" in next(
        w.message for w in plan.warnings if w.code == "set-completed")
    library.db.execute("UPDATE games SET file_mtime_ns = 1 WHERE filepath LIKE '%Disc 3%'")
    plan = library.plan(Layout(card, m3u=set()), ids_of(library, "Disc 1", "Disc 2"))
    assert "2 of 3 discs" in next(w.message for w in plan.warnings  # disc 3 changed since
                                  if w.code == "incomplete-set")


def test_plan_is_batched_whatever_the_number_of_games(tmp_path: Path, card: Path) -> None:
    files: dict[str, int | bytes] = {f"gba/Game {n:03d} (USA).gba": 1024 + n
                                     for n in range(120)}
    library = make_library(tmp_path, files)
    with library.db.count_statements() as few:
        build_plan(library.db, Layout(card), library.game_ids()[:3])
    with library.db.count_statements() as many:
        build_plan(library.db, Layout(card), library.game_ids())
    assert len(many) == len(few)


def test_plan_reports_case_folded_collisions_and_keeps_the_rest(tmp_path: Path,
                                                                card: Path) -> None:
    library = make_library(tmp_path, {"snes/Mario (USA).sfc": 1000,
                                      "snes/more/MARIO (USA).sfc": 1200,
                                      "snes/Zelda (USA).sfc": 1100})
    plan = library.plan(Layout(card))
    assert [e.code for e in plan.errors] == ["collision"]
    assert len([i for i in plan.items if i.kind == "rom"]) == 2
    posix = library.plan(Layout(card, fs=FileSystem.POSIX))
    assert not posix.errors and len(posix.items) == 3


def test_changed_and_missing_sources_fail_when_copied_and_platforms_without_folder(
        library: Library, card: Path) -> None:
    """A game of one file is planned without looking at its source; the dry run and the run
    say a source missing or changed since the scan when they would copy it, write nothing
    for it, and deploy the rest."""
    sky = library.root / "snes/Sky Pilot (USA).sfc"
    sky.write_bytes(payload("other", 70_001))
    (library.root / "gba/Pocket Quest (Europe).gba").unlink()
    plan = library.plan(Layout(card, no_folder={"nes"}))
    assert sorted(e.code for e in plan.errors) == ["no-folder"]
    assert any(w.code == "no-folder" and w.platform_id == "nes" for w in plan.warnings)
    assert "Roms/snes/Star Fox - Redux (USA).sfc" in {i.dest for i in plan.items}
    expected = sorted([changed_since_the_scan(str(sky)),
                       f"{library.root}/gba/Pocket Quest (Europe).gba: missing since the scan"])
    dry = preview(library.db, plan)
    assert sorted(dry["failures"]) == expected and dry["actions"]["fail"] == 2
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 2 and sorted(e["error"] for e in summary.errors) == expected
    on_card = {p.name for p in card.rglob("*") if p.is_file()}
    assert "Star Fox - Redux (USA).sfc" in on_card
    assert not {"Sky Pilot (USA).sfc", "Pocket Quest (Europe).gba"} & on_card


def test_plan_copies_only_verified_bios_to_the_bios_folder(library: Library, card: Path,
                                                          tmp_path: Path) -> None:
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
    bios = {i.dest: i.source for i in plan.items if i.kind == "bios"}
    assert "BIOS/example-nes-boot.bin" in bios          # verified: goes
    assert not any("snes-dsp" in d for d in bios)       # bad dump: not
    # verified under another name: goes, under the name the pack gives it
    assert bios["BIOS/example-gba-boot.bin"] == str(bios_dir / "gba boot (copy).bin")
    missing = {w.platform_id for w in plan.warnings if w.code == "missing-bios"}
    assert "snes" in missing and not {"nes", "gba"} & missing
    snes = next(w.message for w in plan.warnings
                if w.code == "missing-bios" and w.platform_id == "snes")
    assert "your example-snes-dsp.bin (wrong hash) is not a known good dump: not copied" \
        in snes  # the user's own file, not only the pack's names (QA7)
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 0
    assert (card / "BIOS/example-nes-boot.bin").read_bytes() == \
        Path(bios_dir / "example-nes-boot.bin").read_bytes()
    assert (card / "BIOS/example-gba-boot.bin").read_bytes() == \
        Path(bios_dir / "gba boot (copy).bin").read_bytes()


def test_a_bios_of_the_users_at_its_place_is_said_not_to_be_the_verified_dump(
        library: Library, card: Path, tmp_path: Path) -> None:
    """The card's own file where a verified BIOS goes is kept, and said not to be the dump
    the library verified (a plain "a file we did not write" left PS1 games failing on the
    device without a word: QA129 F7)."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    mine = card / "BIOS/example-nes-boot.bin"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"not a BIOS anyone dumped")
    summary = deploy(library.db, build_plan(library.db, Layout(card), library.game_ids(),
                                            pack=pack), profile_id=library.profile_id)
    assert mine.read_bytes() == b"not a BIOS anyone dumped"
    (said,) = [e["error"] for e in summary.errors if "example-nes-boot.bin" in e["error"]]
    assert "not the verified dump the library has" in said
    assert str(bios_dir / "example-nes-boot.bin") in said


def _example_bios_deployed(library: Library, card: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The example BIOS scanned with the pack copy that knows them, the library and its BIOS
    deployed to ``card``: (the BIOS folder, the pack folder)."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    deploy(library.db, build_plan(library.db, Layout(card), library.game_ids(), pack=pack),
           profile_id=library.profile_id)
    return bios_dir, pack_dir


def test_a_bios_a_pack_update_no_longer_verifies_is_kept_on_the_card_by_a_prune(
        library: Library, card: Path, tmp_path: Path) -> None:
    """QA29 F5: the pack changed a BIOS entry's hash (or dropped the entry) after `bios
    scan`; the next `deploy --prune` removed the user's working BIOS from the card, calling
    the user's file a bad dump. Not copied again, but kept, and said so."""
    bios_dir, pack_dir = _example_bios_deployed(library, card, tmp_path)
    nes_boot = card / "BIOS/example-nes-boot.bin"
    gba_boot = card / "BIOS/example-gba-boot.bin"
    assert nes_boot.exists() and gba_boot.exists()
    hashes = pack_dir / "bios-hashes.json"
    data = json.loads(hashes.read_text(encoding="utf-8"))
    for entry in data["biosFiles"]:
        if entry["id"] == "example-nes-boot":
            entry["knownHashes"] = [{"md5": "0" * 32, "sha1": "0" * 40}]
    data["biosFiles"] = [e for e in data["biosFiles"] if e["id"] != "example-gba-boot"]
    hashes.write_text(json.dumps(data), encoding="utf-8")
    changed = load_pack(pack_dir)
    sync_pack(library.db, changed)
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=changed,
                      pruning=True)
    assert not [i for i in plan.items if i.kind == "bios"]
    said = " ".join(w.message for w in plan.warnings if w.platform_id == "nes")
    assert "your example-nes-boot.bin (wrong hash), verified by `bios scan`, is no good " \
        "dump by the pack in use (a pack update changed its hashes?): not copied, nor " \
        "pruned from the card" in said
    summary = deploy(library.db, plan, profile_id=library.profile_id,
                     options=DeployOptions(prune=True))
    assert summary.failed == 0
    assert nes_boot.read_bytes() == (bios_dir / "example-nes-boot.bin").read_bytes()
    assert gba_boot.exists()


@pytest.mark.parametrize("loss", ["deleted", "gone bad"])
def test_the_cards_good_bios_is_kept_when_the_librarys_copy_is_lost(
        library: Library, card: Path, tmp_path: Path, loss: str) -> None:
    """QA55 F2: the library's BIOS deleted or corrupted since, `bios scan` again, then a
    `deploy --prune` of the same games removed the card's good copy — the player's last."""
    bios_dir, pack_dir = _example_bios_deployed(library, card, tmp_path)
    pack = load_pack(pack_dir)
    nes_boot = card / "BIOS/example-nes-boot.bin"
    good = (bios_dir / "example-nes-boot.bin").read_bytes()
    assert nes_boot.read_bytes() == good
    if loss == "deleted":
        (bios_dir / "example-nes-boot.bin").unlink()
    else:
        (bios_dir / "example-nes-boot.bin").write_bytes(b"\xff" + good[1:])
    scan_bios(library.db, pack, [bios_dir])
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack, pruning=True)
    assert "BIOS/example-nes-boot.bin" not in {i.dest for i in plan.items}
    # said as kept, not "will not run" beside the note that keeps it (QA147 F5)
    (said,) = [w.message for w in plan.warnings if w.code == "missing-bios"
               and w.platform_id == "nes"]
    assert "no verified BIOS in the library" in said and "will not run" not in said
    assert "the card's BIOS/example-nes-boot.bin, a good dump when ROM Runner wrote it, is " \
        "kept" in said
    summary = deploy(library.db, plan, profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True))
    assert summary.failed == 0 and summary.pruned == 0
    assert summary.prune_held == ["BIOS/example-nes-boot.bin"]
    assert nes_boot.read_bytes() == good


def test_a_game_file_bios_scan_saw_is_pruned_as_any_game(library: Library, card: Path,
                                                         tmp_path: Path) -> None:
    """QA55 F4: `bios scan` of the ROM folders (a BIOS kept among the games) stored every game
    file as an unknown BIOS file, and each was then "held" by every prune, never removed."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    scan_bios(library.db, builtin_pack(), [library.root])
    dropped = ids_of(library, "Sky Pilot")
    assert dropped and (card / "Roms/snes/Sky Pilot (USA).sfc").exists()
    kept = [i for i in library.game_ids() if i not in dropped]
    summary = deploy(library.db, library.plan(Layout(card), kept),
                     profile_id=library.profile_id,
                     options=DeployOptions(prune=True, force_prune=True))
    assert summary.pruned == 1 and summary.prune_held == []
    assert not (card / "Roms/snes/Sky Pilot (USA).sfc").exists()


# -- deploy ----------------------------------------------------------------------------------
def test_an_optional_bios_the_user_has_a_bad_dump_of_is_said_not_copied(
        library: Library, card: Path, tmp_path: Path) -> None:
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    hashes = pack_dir / "bios-hashes.json"
    data = json.loads(hashes.read_text(encoding="utf-8"))
    for entry in data["biosFiles"]:
        if entry["id"] == "example-snes-dsp":
            entry["required"] = False  # the emulator runs without it
    hashes.write_text(json.dumps(data), encoding="utf-8")
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
    snes = [(w.code, w.message) for w in plan.warnings if w.platform_id == "snes"]
    assert snes == [("unverified-bios", "snes: your example-snes-dsp.bin (wrong hash) is not a "
                     "known good dump: not copied (`romrunner bios check` says more)")]


def sources_by_dest(library: Library, card: Path) -> dict[str, bytes]:
    plan = library.plan(Layout(card))
    return {item.dest: (item.content if item.content is not None
                        else Path(item.source).read_bytes()) for item in plan.items}


def test_deploy_writes_identical_files_and_a_second_deploy_writes_nothing(
        library: Library, card: Path) -> None:
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (first.copied, first.failed, first.status) == (11, 0, "completed")
    assert card_files(card) == sources_by_dest(library, card)
    stamps = {p: p.stat().st_mtime_ns for p in card.rglob("*") if p.is_file()
              and ".romrunner" not in p.parts}
    manifest_stamp = (card / ".romrunner/manifest.json").stat().st_mtime_ns
    second = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (second.copied, second.skipped, second.bytes_copied) == (0, 11, 0)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert (card / ".romrunner/manifest.json").stat().st_mtime_ns == manifest_stamp
    assert not temp_files(card)
    manifest = json.loads((card / ".romrunner/manifest.json").read_text())
    assert len(manifest["files"]) == 11


def test_a_file_of_the_users_is_never_overwritten_without_overwrite(library: Library,
                                                                    card: Path) -> None:
    mine = card / "Roms/snes/Sky Pilot (USA).sfc"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own save-patched copy")
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert summary.conflicts == 1 and summary.copied == 10
    assert mine.read_bytes() == b"my own save-patched copy"
    assert "did not write" in summary.errors[0]["error"]
    again = resume(library.db, summary.deployment_id, overwrite=True)
    assert again.copied == 1
    assert mine.read_bytes() == (library.root / "snes/Sky Pilot (USA).sfc").read_bytes()


def test_verify_recognises_an_identical_file_of_the_users_without_claiming_it(
        library: Library, card: Path) -> None:
    same = card / "Roms/snes/Sky Pilot (USA).sfc"
    same.parent.mkdir(parents=True)
    same.write_bytes((library.root / "snes/Sky Pilot (USA).sfc").read_bytes())
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                     options=DeployOptions(verify=True))
    assert (summary.skipped, summary.conflicts, summary.copied) == (1, 0, 10)
    # Not ours: a prune after deselecting it leaves it alone.
    pruned = deploy(library.db, library.plan(Layout(card), ids_of(library, "Castle")),
                    profile_id=library.profile_id, options=DeployOptions(prune=True))
    assert same.exists() and pruned.pruned == 9


def test_prune_removes_only_unchanged_files_of_ours_and_dry_run_lists_them_first(
        library: Library, card: Path) -> None:
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    user_file = card / "Roms/snes/my notes.txt"
    user_file.write_text("keep me")
    edited = card / "Roms/gba/Pocket Quest (Europe).gba"
    edited.write_bytes(b"patched by the user")
    keep = ids_of(library, "Sky Pilot", "Castle")
    plan = library.plan(Layout(card), keep)
    before = card_files(card)
    listed = preview(library.db, plan, DeployOptions(prune=True))
    assert card_files(card) == before  # a dry run changes nothing
    assert "Roms/snes/Star Fox - Redux (USA).sfc" in listed["prune"]
    assert "Roms/gba/Pocket Quest (Europe).gba" not in listed["prune"]
    assert str(user_file.relative_to(card)) not in listed["prune"]
    summary = deploy(library.db, plan, profile_id=library.profile_id,
                     options=DeployOptions(prune=True))
    assert summary.pruned == len(listed["prune"]) == 8  # 1 snes + 7 psx
    left = set(card_files(card))
    assert left == {"Roms/snes/Sky Pilot (USA).sfc", "Roms/nes/Castle Run (USA).nes",
                    "Roms/snes/my notes.txt", "Roms/gba/Pocket Quest (Europe).gba"}
    assert user_file.read_text() == "keep me" and edited.read_bytes() == b"patched by the user"


def test_prune_keeps_a_file_rewritten_with_the_same_size_and_time(library: Library,
                                                                  card: Path) -> None:
    """Some card file systems (fusefat, MTP) keep a file's time when it is rewritten: an edit
    of the same size then looks unchanged by size and time. The prune reads the bytes first."""
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    edited = card / "Roms/snes/Star Fox - Redux (USA).sfc"
    before = edited.stat()
    patched = bytes(b ^ 0xFF for b in edited.read_bytes())
    edited.write_bytes(patched)
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    plan = library.plan(Layout(card), ids_of(library, "Sky Pilot", "Castle"))
    listed = preview(library.db, plan, DeployOptions(prune=True))
    assert "Roms/snes/Star Fox - Redux (USA).sfc" not in listed["prune"]  # the dry run too
    assert "Roms/snes/Star Fox - Redux (USA).sfc" in listed["prune_kept"]
    summary = deploy(library.db, plan, profile_id=library.profile_id,
                     options=DeployOptions(prune=True))
    assert edited.read_bytes() == patched
    assert summary.pruned == 8  # the disc set's 7 files and the gba game; not the edited one
    assert "Roms/snes/Star Fox - Redux (USA).sfc" in summary.prune_kept


def test_a_card_moved_to_another_computer_deploys_incrementally_from_its_manifest(
        library: Library, card: Path, tmp_path: Path) -> None:
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    other = make_library(tmp_path / "other", disc_files())  # a new database, same games
    second = deploy(other.db, other.plan(Layout(card)), profile_id=other.profile_id)
    assert (second.copied, second.skipped, second.conflicts) == (0, 11, 0)
    pruned = deploy(other.db, other.plan(Layout(card), ids_of(other, "Castle")),
                    profile_id=other.profile_id,
                    options=DeployOptions(prune=True, force_prune=True))  # 10 of 11: braked
    assert pruned.pruned == 10, pruned.notes


def test_resume_finishes_a_recorded_deployment_and_a_finished_one_refuses(
        library: Library, card: Path) -> None:
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    assert card_files(card) == {}
    summary = resume(library.db)
    assert summary.deployment_id == deployment and summary.copied == 11
    with pytest.raises(Exception, match="nothing to resume"):
        resume(library.db, deployment)
    with pytest.raises(Exception, match="no unfinished deployment"):
        resume(library.db)


def _crashed(library: Library, deployment: int) -> None:
    with library.db.atomic():
        library.db.execute("UPDATE deployment_history SET status = 'started', "
                           "completed_at = NULL WHERE id = ?", (deployment,))


def test_a_crash_between_a_batch_commit_and_its_rename_is_copied_again(
        library: Library, card: Path) -> None:
    """The batch's intent (copied, with the temporary file's size and time) committed, the
    rename lost: the final name is absent, our temporary file is there. Resume removes the
    temporary file and copies the file again; nothing is trusted that is not on the card."""
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    expected = card_files(card)
    row = library.db.query_one("SELECT seq, dest_path FROM deployment_items WHERE "
                               "deployment_id = ? AND kind = 'rom' ORDER BY seq LIMIT 1",
                               (first.deployment_id,))
    final = card / row["dest_path"]
    os.replace(final, final.parent / f".rr-tmp-{first.deployment_id}-{row['seq']}")
    _crashed(library, first.deployment_id)
    summary = resume(library.db, first.deployment_id)
    assert (summary.status, summary.copied, summary.cleaned_temps) == ("completed", 1, 1)
    assert card_files(card) == expected and not temp_files(card)
    again = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (again.copied, again.bytes_copied) == (0, 0)


def test_a_file_renamed_before_its_record_was_saved_is_not_trusted(
        library: Library, card: Path) -> None:
    """The rename reached the card but the database lost the batch's commit (power cut):
    the item is pending with no time on the card, and the card's manifest copy does not list
    it. Resume does not take the file for ours: its bytes are compared, and an identical file
    is kept without being claimed; one whose bytes differ is a conflict, kept as it is."""
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    row = library.db.query_one("SELECT seq, dest_path FROM deployment_items WHERE "
                               "deployment_id = ? AND kind = 'rom' ORDER BY seq LIMIT 1",
                               (first.deployment_id,))
    with library.db.atomic():
        library.db.execute("UPDATE deployment_items SET status = 'pending', dest_mtime_ns = "
                           "NULL WHERE deployment_id = ? AND seq = ?",
                           (first.deployment_id, row["seq"]))
    manifest = card / ".romrunner" / "manifest.json"
    document = json.loads(manifest.read_bytes())
    del document["files"][row["dest_path"]]
    manifest.write_text(json.dumps(document))
    _crashed(library, first.deployment_id)
    final = card / row["dest_path"]
    before = final.stat().st_mtime_ns
    data = final.read_bytes()
    final.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])  # same size, other bytes
    os.utime(final, ns=(before, before))
    summary = resume(library.db, first.deployment_id)
    assert (summary.copied, summary.conflicts) == (0, 1)
    assert final.read_bytes() != data and final.stat().st_mtime_ns == before
    final.write_bytes(data)
    os.utime(final, ns=(before, before))
    # The deployment is completed and its conflict unresolved: nothing to resume (--overwrite
    # would replace the file); deploying again compares the bytes again.
    with pytest.raises(Exception, match=r"nothing to resume.*--overwrite"):
        resume(library.db, first.deployment_id)
    checked = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (checked.status, checked.copied, checked.conflicts) == ("completed", 0, 0)
    assert final.stat().st_mtime_ns == before


def test_history_has_totals_per_platform(library: Library, card: Path) -> None:
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    rows = list_history(library.db)
    assert rows[0]["id"] == summary.deployment_id and rows[0]["status"] == "completed"
    assert rows[0]["totals"]["psx"]["files"] == 7 and rows[0]["totals"]["psx"]["copied"] == 7
    shown = show_deployment(library.db, summary.deployment_id)
    assert shown["options"]["fs"] == "fat32" and shown["problems"] == []


def test_space_is_checked_before_anything_is_written(library: Library, card: Path) -> None:
    # A margin far above the free space: other processes freeing disk meanwhile can't matter.
    free = os.statvfs(card).f_bavail * os.statvfs(card).f_frsize
    with pytest.raises(Exception, match="not enough space"):
        deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
               options=DeployOptions(margin_bytes=free + 2**40))
    assert card_files(card) == {}
    assert list_history(library.db) == []


# -- CLI -------------------------------------------------------------------------------------
def test_cli_history_show_and_resume(library: Library, card: Path, cli: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROMRUNNER_DB", str(library.db.path))
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    library.db.close()
    run = cli  # the fixture's runner
    result = run("--json", "deploy", "resume", str(deployment))
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert data["copied"] == 11 and data["errors"] == []
    history = run("--json", "deploy", "history")
    assert history.json()["data"][0]["status"] == "completed"
    shown = run("deploy", "show", str(deployment))
    assert shown.code == 0 and "psx" in shown.out
    missing = run("deploy", "show", "999")
    assert missing.code == 2 and missing.err.count("\n") == 1 and "999" in missing.err


# -- schema ----------------------------------------------------------------------------------
def test_migration_11_keeps_deployment_items_and_adds_the_manifest_columns(
        tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    migrate(db, target=10)
    db.execute("INSERT INTO devices (id, device_id, connection_type) VALUES (1, 'd', 'folder')")
    db.execute("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES (1, 1, 'muos')")
    db.execute("INSERT INTO deployment_history (id, device_profile_id, destination_path, "
               "destination_id) VALUES (1, 1, '/media/sd', 'uuid-1')")
    db.execute("INSERT INTO deployment_items (deployment_id, seq, kind, source_path, "
               "dest_path, file_size, file_sha1, status) VALUES "
               "(1, 0, 'rom', '/roms/a.sfc', 'Roms/snes/a.sfc', 10, 'ab', 'copied')")
    migrate(db, target=11)
    assert current_version(db) == 11
    row = db.query_one("SELECT * FROM deployment_items")
    assert row is not None
    assert (row["dest_path"], row["status"], row["action"], row["dest_mtime_ns"]) == (
        "Roms/snes/a.sfc", "copied", "copy", None)
    db.execute("UPDATE deployment_items SET status = 'pruned'")  # a new status is allowed
    assert db.scalar("SELECT count(*) FROM pragma_foreign_key_check") == 0
    plan = db.query("EXPLAIN QUERY PLAN SELECT id FROM deployment_history "
                    "WHERE destination_id = 'uuid-1'")
    assert "idx_deployments_destination" in " ".join(str(tuple(r)) for r in plan)


def test_a_card_an_earlier_release_recorded_by_a_relative_path_is_named_to_resume(
        library: Library, card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA22 C2: a deployment recorded with `--to card` (relative, as an earlier release kept
    it) was resumed into the shell's folder, "completed", the real card left half done."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    with library.db.atomic():
        library.db.execute("UPDATE deployment_history SET destination_path = ? WHERE id = ?",
                           (card.name, deployment))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / card.name).mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    with pytest.raises(DeployError, match=f"resume {deployment} --to FULL_PATH"):
        resume(library.db, deployment)
    with pytest.raises(DeployError, match="named 'card', not 'other'"):
        resume(library.db, deployment, to=tmp_path / "other")
    assert not any((elsewhere / card.name).iterdir())  # nothing written where the shell is
    # a folder of that name that is not the card: refused, even with nothing copied yet
    with pytest.raises(DeployError, match="not the card deployment"):
        resume(library.db, deployment, to=elsewhere / card.name)
    assert not any((elsewhere / card.name).iterdir())  # (QA24 N2)
    summary = resume(library.db, deployment, to=card)
    assert (summary.status, summary.copied) == ("completed", 11)
    assert library.db.scalar("SELECT destination_path FROM deployment_history WHERE id = ?",
                             (deployment,)) == str(card)
    assert not any((elsewhere / card.name).iterdir())


def test_a_game_missing_from_the_library_with_no_copy_on_the_card_brings_no_bios(
        library: Library, card: Path, tmp_path: Path) -> None:
    """QA94 F2: a GBA game never deployed, then deleted from the library: every later deploy
    of the NES games put the GBA BIOS on the card (held games' platforms), and a prune kept
    it without a word. A held game's BIOS goes only where the card has its copy (QA67 F1)."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    (library.root / "gba" / "Pocket Quest (Europe).gba").unlink()
    scan_library(library.db, pack, workers=1, accept_missing=True)
    nes = ids_of(library, "Castle Run (USA).nes")
    plan = build_plan(library.db, Layout(card), nes, pack=pack)
    assert sorted(i.dest for i in plan.items if i.kind == "bios") == [
        "BIOS/example-nes-boot.bin"]
    deploy(library.db, plan, profile_id=library.profile_id)
    assert not (card / "BIOS/example-gba-boot.bin").exists()


def _game_id(library: Library, relative: str) -> int:
    return int(library.db.scalar("SELECT id FROM games WHERE filepath GLOB ?",
                                 (f"*{relative}",)))


def test_of_two_files_of_one_card_name_the_copy_on_the_card_stays_whatever_the_ids(
        tmp_path: Path, card: Path) -> None:
    """QA111 F1: the name went to the lower id, so a root added back (its games new, higher
    ids) swapped the card's copy for the other dump, said as "1 copied"."""
    library = make_library(tmp_path, {"snes/Mario (USA).sfc": 1000,
                                      "snes/more/MARIO (USA).sfc": 1200})
    first, second = _game_id(library, "/Mario (USA).sfc"), _game_id(library, "/MARIO (USA).sfc")
    later = max(first, second)
    deploy(library.db, library.plan(Layout(card), [later]), profile_id=library.profile_id)
    on_card = card_files(card)
    assert len(on_card) == 1
    plan = library.plan(Layout(card), [first, second])
    assert [(e.code, e.game_id) for e in plan.errors] == [("collision", min(first, second))]
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.copied == 0 and card_files(card) == on_card


def test_of_two_files_of_one_card_name_the_one_named_so_goes_first(tmp_path: Path,
                                                                   card: Path) -> None:
    """QA111 F1: ``Pokemon: Emerald`` (a lower id) took ``Pokemon - Emerald``'s name on a
    FAT card, and the file of that name was left out."""
    library = make_library(tmp_path, {"snes/Pokemon: Emerald (USA).sfc": 1000})
    write_files(library.root, {"snes/Pokemon - Emerald (USA).sfc": 1300})
    scan_library(library.db, builtin_pack(), workers=1)
    colon, named = (_game_id(library, f"/Pokemon{mark} Emerald (USA).sfc") for mark in (":", " -"))
    assert colon < named
    plan = library.plan(Layout(card))
    assert [item.game_id for item in plan.items] == [named]
    assert [(e.code, e.game_id) for e in plan.errors] == [("collision", colon)]


@pytest.mark.parametrize("stored", [
    '{"copied": 12}', '{"snes": 12}', "not json", "[1, 2]",
    # another writer's counts by platform (review50c F5: shown with copied 0, files 0 added)
    '{"snes": {"games": 1, "size": 18904}}', '{"snes": {"copied": 1, "size": 18904}}'])
def test_a_history_row_whose_totals_are_of_another_shape_is_counted_from_its_rows(
        library: Library, card: Path, stored: str) -> None:
    """QA114 F4: a v1.0.0 row's totals had no fixed shape; one made `deploy history` and
    `deploy show` an internal error."""
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    deployment = summary.deployment_id
    before = list_history(library.db)[0]
    expected = before["files"]
    assert expected["copied"] == summary.copied > 0
    library.db.execute("UPDATE deployment_history SET totals_json = ?, options_json = "
                       "'not json' WHERE id = ?", (stored, deployment))
    assert list_history(library.db)[0]["files"] == expected
    shown = show_deployment(library.db, deployment)
    assert shown["totals"] == before["totals"] and shown["options"] == {}


@pytest.mark.parametrize("manifest", ["not json", '{"files": ["Roms/gba/x.gba"]}', "[]"])
def test_a_failed_run_that_recorded_nothing_to_finish_is_not_the_latest_unfinished(
        library: Library, card: Path, manifest: str) -> None:
    """QA114 F8: `deploy resume` took up a v1.0.0 row (failed, no files recorded) as the
    latest unfinished deployment; its manifest of no fixed shape could not be read."""
    summary = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    with library.db.atomic():
        library.db.execute("DELETE FROM deployment_items WHERE deployment_id = ?",
                           (summary.deployment_id,))
        library.db.execute("UPDATE deployment_history SET status = 'failed', manifest_json = ? "
                           "WHERE id = ?", (manifest, summary.deployment_id))  # (review 118 F8)
    assert list_history(library.db)[0]["status"] == "failed"
    with pytest.raises(NotFoundError, match="no unfinished deployment to resume"):
        resume(library.db)


def test_a_track_named_with_a_quote_is_named_so_its_rewritten_sheet_can_say_it(
        tmp_path: Path, card: Path) -> None:
    """QA112 F1: a sheet rewritten for the card (its track in a folder) named a track
    holding `"` as `FILE "Tr"ack 01.bin" BINARY`, which names `Tr`; the deploy said done."""
    sheet = 'FILE sub/Tr"ack 01.bin BINARY\r\n  TRACK 01 MODE2/2352\r\n    INDEX 01 00:00:00\r\n'
    library = make_library(tmp_path, {"psx/Quote Game (USA).cue": sheet.encode(),
                                      'psx/sub/Tr"ack 01.bin': 30_000})
    summary = deploy(library.db, library.plan(Layout(card, fs=FileSystem.POSIX)),
                     profile_id=library.profile_id)
    assert summary.failed == 0 and summary.copied == 2
    (written,) = card.rglob("Quote Game (USA).cue")
    (line,) = [ln for ln in written.read_text().splitlines() if ln.startswith("FILE")]
    named = line.split('"')
    assert len(named) == 3 and (written.parent / named[1]).is_file(), line
    assert (written.parent / named[1]).read_bytes() == (
        library.root / 'psx/sub/Tr"ack 01.bin').read_bytes()


@pytest.mark.parametrize("options", ["not json", "[1, 2]"])
def test_a_run_whose_options_are_not_a_json_object_resumes(library: Library, card: Path,
                                                           options: str) -> None:
    """Review 115 F7: `deploy history` advised `deploy resume N` for such a row (a v1.0.0
    one), and the resume was an internal error."""
    plan = library.plan(Layout(card))
    deployment = record_deployment(library.db, plan, profile_id=library.profile_id)
    library.db.execute("UPDATE deployment_history SET options_json = ? WHERE id = ?",
                       (options, deployment))
    assert list_history(library.db)[0]["resume_hint"] == f"romrunner deploy resume {deployment}"
    summary = resume(library.db, deployment)
    assert summary.status == "completed" and summary.copied == len(plan.items)


def test_a_resume_says_a_source_renamed_since_its_plan_was_moved_not_missing(
        library: Library, card: Path) -> None:
    """QA111 F6: a resume said a source the rescan found renamed "missing since the scan"."""
    plan = library.plan(Layout(card))
    deployment = record_deployment(library.db, plan, profile_id=library.profile_id)
    old = library.root / "gba/Pocket Quest (Europe).gba"
    new = old.with_name("POCKET QUEST (Europe).gba")
    old.rename(new)
    scan_library(library.db, builtin_pack(), workers=1)
    summary = resume(library.db, deployment)
    (error,) = [e["error"] for e in summary.errors if e["status"] == "failed"]
    assert error == (f"{old}: moved or renamed since this deployment was planned (now {new}): "
                     "a new `romrunner deploy` takes it from there")


def test_a_resume_says_a_deleted_track_missing_not_moved_to_its_sheet(
        library: Library, card: Path) -> None:
    """Review 118 F5: a disc's deleted track was said "moved or renamed (now … .cue)"."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    track = library.root / "psx/Saga (USA) (Disc 2).bin"
    track.unlink()
    summary = resume(library.db, deployment)
    errors = [e["error"] for e in summary.errors if e["status"] == "failed"]
    assert f"{track}: missing since the scan" in errors, errors


def test_a_resume_says_a_renamed_discs_track_moved_with_it(
        library: Library, card: Path) -> None:
    """Review 122 F3: a disc whose sheet and track were renamed together had its track said
    "missing since the scan"; a new deploy takes it from its new name."""
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    psx = library.root / "psx"
    for path in sorted(psx.glob("Saga (USA) (Disc 2).*")):
        path.rename(psx / path.name.replace("Saga (USA)", "SAGA (USA)"))
    sheet = psx / "SAGA (USA) (Disc 2).cue"
    sheet.write_text(sheet.read_text().replace("Saga (USA)", "SAGA (USA)"))
    scan_library(library.db, builtin_pack(), workers=1)
    summary = resume(library.db, deployment)
    errors = [e["error"] for e in summary.errors if e["status"] == "failed"]
    track = psx / "Saga (USA) (Disc 2).bin"
    assert f"{track}: moved or renamed since this deployment was planned (its game is now " \
        f"{sheet}): a new `romrunner deploy` takes it from there" in errors, errors


def _a_bios_changed_in_place(library: Library, tmp_path: Path
                             ) -> tuple[DefinitionPack, Path, Path]:
    """The example BIOS files scanned, then example-nes-boot.bin changed in place at its size
    and time; the pack, that file, and an empty card folder."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    source = bios_dir / "example-nes-boot.bin"
    before = source.stat()
    data = source.read_bytes()
    source.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    card = tmp_path / "fresh-card"
    card.mkdir()
    return pack, source, card


def test_a_bios_changed_in_place_at_its_size_and_time_is_not_copied(
        library: Library, tmp_path: Path) -> None:
    """QA129 F1: a verified BIOS whose bytes changed since `bios scan`, its size and time
    kept (bit rot, a rewrite in place), went on the card recorded under the good SHA1."""
    pack, source, card = _a_bios_changed_in_place(library, tmp_path)
    summary = deploy(library.db, build_plan(library.db, Layout(card), library.game_ids(),
                                            pack=pack), profile_id=library.profile_id)
    errors = [e["error"] for e in summary.errors if e["status"] == "failed"]
    assert any(f"{source}: its content no longer matches the scan's SHA1 (changed in place? "
               "`romrunner bios scan --full` of its folder reads it again)" in e
               for e in errors), errors  # (a plain scan skips it: review 131 F3)
    assert not (card / "BIOS/example-nes-boot.bin").exists()
    assert (card / "BIOS/example-gba-boot.bin").exists()  # (an intact one goes)


def test_the_bios_note_counts_the_bios_files_written_not_those_that_failed(
        library: Library, tmp_path: Path) -> None:
    """QA178 F3: "2 BIOS files go to bios/" of a run in which one of them failed (changed
    in place since the scan), and "1 BIOS file goes to bios/" of the next, which wrote none."""
    pack, _, card = _a_bios_changed_in_place(library, tmp_path)

    def run() -> list[str]:
        plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
        summary = deploy(library.db, plan, profile_id=library.profile_id)
        assert summary.failed == 1
        return [note for note in summary.notes if "BIOS file" in note]

    assert run() == ["1 BIOS file goes to BIOS/ (1 more failed)"]
    assert run() == []  # (the intact one on the card already: only the changed one to copy)


def test_a_bios_good_for_one_version_is_no_bad_dump_of_another_of_its_name(
        library: Library, card: Path, tmp_path: Path) -> None:
    """QA129 F4: the user's bios_CD_U.bin, the pack's v2.00W, was also said "wrong hash … not
    copied (a pack update changed its hashes?)" of v1.10 — another version of that name —
    then copied."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    hashes = pack_dir / "bios-hashes.json"
    data = json.loads(hashes.read_text(encoding="utf-8"))
    (nes,) = [entry for entry in data["biosFiles"] if entry["id"] == "example-nes-boot"]
    data["biosFiles"].append({**nes, "id": "example-nes-boot-v0", "required": False,
                              "knownHashes": [{"md5": "1" * 32, "sha1": "1" * 40}]})
    hashes.write_text(json.dumps(data), encoding="utf-8")
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
    assert "BIOS/example-nes-boot.bin" in {i.dest for i in plan.items}
    assert not [w.message for w in plan.warnings if w.platform_id == "nes"
                and "bios" in w.code], plan.warnings


def test_a_bios_good_for_its_own_entry_is_no_bad_dump_of_one_it_is_another_name_of(
        library: Library, card: Path, tmp_path: Path) -> None:
    """Review 131 F1: System.dat's font.bmp verified as its own entry, and was "no good dump,
    not copied" of the PC-98 bios.rom, whose other names the pack says font.bmp is."""
    bios_dir, pack_dir, _ = build_example_bios(tmp_path / "bios-example", builtin_pack_path())
    hashes = pack_dir / "bios-hashes.json"
    data = json.loads(hashes.read_text(encoding="utf-8"))
    for entry in data["biosFiles"]:
        if entry["id"] == "example-nes-boot":
            entry["alternateFilenames"] = ["gba boot (copy).bin"]  # (the GBA one's file)
    hashes.write_text(json.dumps(data), encoding="utf-8")
    (bios_dir / "example-nes-boot.bin").unlink()
    pack = load_pack(pack_dir)
    sync_pack(library.db, pack)
    scan_bios(library.db, pack, [bios_dir])
    plan = build_plan(library.db, Layout(card), library.game_ids(), pack=pack)
    said = [w.message for w in plan.warnings if w.platform_id == "nes"]
    assert said and not any("gba boot (copy).bin" in message for message in said), said
    assert "BIOS/example-gba-boot.bin" in {item.dest for item in plan.items}
