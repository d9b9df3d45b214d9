"""Files on the card that are not simply as a deploy wrote them (QA25). A prune never removes
through a symbolic link on the card (F13: a dot-folder or a platform folder of ours replaced by
a link into the library, and `deploy --prune` deleted the library's discs; F14: a folder linked
to another, `gameboy -> gb`, and the prune removed from `gb` the very files the deploy kept
through `gameboy`); the dry run counts what a prune keeps (F8); `--verify` blames a source
changed at its size and time, not the card (F4). Real folders, links and processes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest


def _rom(path: Path, seed: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * 128)


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> Path:
    if os.name != "posix":
        pytest.skip("needs symbolic links")
    lib = tmp_path / "lib"
    for name in ("Alpha (USA).gb", "Beta (USA).gb"):
        _rom(lib / "GB" / name, name)
    _rom(lib / "NES" / "Gamma (USA).nes", "gamma")
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return lib


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_folder_of_ours_linked_into_the_library_is_never_pruned_through(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb,nes").code == 0
    nes = next(p.parent for p in card.rglob("Gamma (USA).nes"))
    for path in nes.iterdir():
        path.unlink()
    nes.rmdir()
    nes.symlink_to(library / "NES", target_is_directory=True)
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    linked = f"{nes.relative_to(card).as_posix()}/Gamma (USA).nes"
    assert linked not in data["prune"] and data["prune_linked"] == [linked]
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert run.code == 0, run.err
    assert _files(library / "NES") == ["Gamma (USA).nes"]  # the library's file is there
    assert run.json()["data"]["prune_linked"] == [linked]
    assert any("reached through a symbolic link" in note for note in run.json()["warnings"]
               + run.json()["data"]["notes"])
    assert _files(library / "NES") == ["Gamma (USA).nes"]  # the library's file is there
    assert (library / "NES" / "Gamma (USA).nes").read_bytes() == \
        hashlib.sha256(b"gamma").digest() * 128


def test_a_chosen_file_reached_through_a_linked_folder_is_not_pruned_under_its_own_name(
        cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    gb = next(p.parent for p in card.rglob("Alpha (USA).gb"))
    alias = gb.with_name("gameboy")
    alias.symlink_to(gb.name, target_is_directory=True)  # both names reach the games
    assert cli("destination", "paths", "1", "--to", card, "--set",
               f"gb={alias.relative_to(card).as_posix()}").code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert run.code == 0, run.err
    assert _files(gb) == ["Alpha (USA).gb", "Beta (USA).gb"]
    assert _files(alias) == ["Alpha (USA).gb", "Beta (USA).gb"]
    assert sorted(run.json()["data"]["prune_linked"]) == [
        f"{gb.relative_to(card).as_posix()}/{name}" for name in ("Alpha (USA).gb",
                                                                 "Beta (USA).gb")]


def test_the_dry_runs_keep_count_is_every_file_the_prune_keeps(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """`would do: N keep` counts each file the notes say the prune keeps (QA25 F8: "1 keep"
    beside a note naming two — one edited in place, one replaced by the user)."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb,nes").code == 0
    alpha = next(card.rglob("Alpha (USA).gb"))
    times = alpha.stat()
    edited = bytearray(alpha.read_bytes())
    edited[10] ^= 0xFF
    alpha.write_bytes(bytes(edited))  # edited in place: same size and time
    os.utime(alpha, ns=(times.st_atime_ns, times.st_mtime_ns))
    next(card.rglob("Beta (USA).gb")).write_bytes(b"the user's own")
    dry = cli("--json", "deploy", "1", "--to", card, "platform:nes", "--prune", "--force",
              "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert len(data["prune_kept"]) == 2
    assert data["actions"]["keep"] == 2 and data["actions"].get("prune", 0) == 0


def test_a_source_changed_at_its_size_and_time_is_not_blamed_on_the_card(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """A library file whose bytes changed at the same size and time (bit rot, an edit that
    keeps the time) is copied as it is; `--verify` then says the source changed, and does not
    call the untouched card copy edited or failing (QA25 F4)."""
    card = tmp_path / "card"
    card.mkdir()
    source = library / "GB" / "Alpha (USA).gb"
    times = source.stat()
    changed = bytearray(source.read_bytes())
    changed[7] ^= 0xFF
    source.write_bytes(bytes(changed))
    os.utime(source, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    verified = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--verify")
    assert verified.code == 1
    (error,) = [e["error"] for e in verified.json()["data"]["errors"]]
    assert "Alpha (USA).gb: its source" in error and "no longer has the SHA1 the scan " \
        "recorded" in error and "card is failing" not in error
    assert next(card.rglob("Alpha (USA).gb")).read_bytes() == bytes(changed)  # untouched
    # the prune half (QA27 N3): after the advised full rescan, a prune of the game removes
    # the card's copy, which holds the bytes it copied from the library, and says so
    assert cli("scan", "--full", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", card, "platform:nes", "--prune", "--force")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 2 and pruned.json()["data"]["prune_kept"] == []
    assert list(card.rglob("*.gb")) == [] and source.read_bytes() == bytes(changed)


def test_a_folder_the_user_linked_to_ours_is_not_said_to_leave_games_behind(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA27 N6: with `gameboy -> gb` linked by the user and the games now going to
    `gameboy`, the run warned that `gb`'s files were "left behind … this --prune removes
    them" and called the games it found through the link "files of yours … ROM Runner never
    wrote", then kept them all: the games are in the one folder, ours."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    gb = next(p.parent for p in card.rglob("Alpha (USA).gb"))
    alias = gb.with_name("gameboy")
    alias.symlink_to(gb.name, target_is_directory=True)
    assert cli("destination", "paths", "1", "--to", card, "--set",
               f"gb={alias.relative_to(card).as_posix()}").code == 0
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert [w["code"] for w in dry.json()["data"]["plan"]["warnings"]] == []
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert run.code == 0, run.err
    assert not [w for w in run.json()["warnings"] if "left behind" in w]
    data = run.json()["data"]
    assert data["skipped"] == 2 and data["pruned"] == 0
    assert not [e for e in data["errors"] if "of yours" in e["error"]]
    text = cli("deploy", "1", "--to", card, "platform:gb", "--prune", "--force")
    assert text.code == 0, text.err
    assert "left behind" not in text.err and "of yours" not in text.err
    assert "--prune kept 2 files of ours reached through a symbolic link" in text.err
    assert "chosen file too: kept" not in text.err  # the note says it, not once per file
    assert _files(gb) == ["Alpha (USA).gb", "Beta (USA).gb"]


def test_a_folder_linked_outside_the_card_fails_its_files_without_advising_overwrite(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA27 N7: a file found through `roms/gb -> another folder of the computer` was a
    conflict "(use --overwrite to replace it)", and --overwrite then failed: a write there is
    refused, said so at once. A link in the way of a file is named a link."""
    other = tmp_path / "other"
    _rom(other / "Alpha (USA).gb", "the user's other dump")
    kept = (other / "Alpha (USA).gb").read_bytes()
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:nes").code == 0
    gb = next(card.rglob("Gamma (USA).nes")).parent.with_name("gb")
    gb.symlink_to(other, target_is_directory=True)
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert dry.code == 1  # as the run (QA28 F3: "1 copy", exit 0, for the file not there)
    assert len(dry.json()["data"]["failures"]) == 2 and all(
        "leads outside the card root" in f for f in dry.json()["data"]["failures"])
    for extra in ((), ("--overwrite",)):
        run = cli("--json", "deploy", "1", "--to", card, "platform:gb", *extra)
        assert run.code == 1
        errors = {e["path"]: e["error"] for e in run.json()["data"]["errors"]}
        assert sorted(errors) == [(gb / name).relative_to(card).as_posix()
                                  for name in ("Alpha (USA).gb", "Beta (USA).gb")]
        assert all("leads outside the card root" in e and "--overwrite" not in e
                   for e in errors.values())
    assert (other / "Alpha (USA).gb").read_bytes() == kept and _files(other) == [
        "Alpha (USA).gb"]
    gb.unlink()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    alpha = gb / "Alpha (USA).gb"
    alpha.unlink()
    alpha.symlink_to(library / "GB" / "Beta (USA).gb")
    run = cli("--json", "deploy", "1", "--to", card, "platform:gb")
    (error,) = [e["error"] for e in run.json()["data"]["errors"]]
    assert error == (f"{alpha.relative_to(card).as_posix()}: a symbolic link is in the way "
                     "on the card")


def _library_gb_moved_onto_the_card(cli: Any, library: Path, card: Path) -> Path:
    """Review 17's setup: the library deployed to ``card``, then its GB folder moved onto
    the card's and a link left in its place (`lib/GB -> CARD/ROMS/gb`); the card's folder."""
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb,nes").code == 0
    card_gb = next(card.rglob("Alpha (USA).gb")).parent
    for path in (library / "GB").iterdir():
        path.unlink()
    (library / "GB").rmdir()
    (library / "GB").symlink_to(card_gb, target_is_directory=True)
    return card_gb


def test_a_library_folder_linked_to_the_cards_is_never_pruned_nor_skipped_through(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """Review 17: the user moved the library's GB folder onto the card and left a link
    (`lib/GB -> CARD/ROMS/gb`): the card's files are the library's only copies. A prune of
    the games no longer chosen deleted them (the unedited one as "ours, unchanged", the one
    edited in place as "the source's bytes"); a deploy through a card folder linked to the
    library skipped its files silently, as if on the card."""
    card = tmp_path / "card"
    card_gb = _library_gb_moved_onto_the_card(cli, library, card)
    alpha = card_gb / "Alpha (USA).gb"
    times = alpha.stat()
    edited = bytearray(alpha.read_bytes())
    edited[5] ^= 0xFF
    alpha.write_bytes(bytes(edited))
    os.utime(alpha, ns=(times.st_atime_ns, times.st_mtime_ns))  # same size and time
    dry = cli("deploy", "1", "--to", card, "platform:nes", "--prune", "--force", "--dry-run")
    assert "the library's own files (a link joins the library and the card there)" \
        in dry.err
    assert "remove it yourself" not in dry.err  # (QA30 N4: said of the library's only copy)
    run = cli("--json", "deploy", "1", "--to", card, "platform:nes", "--prune", "--force")
    assert run.code == 0, run.err
    assert run.json()["data"]["pruned"] == 0
    assert len(run.json()["data"]["prune_library"]) == 2
    assert _files(library / "GB") == ["Alpha (USA).gb", "Beta (USA).gb"]
    assert alpha.read_bytes() == bytes(edited)

    other = tmp_path / "card2"  # a card folder linked into the library
    other.mkdir()
    assert cli("deploy", "1", "--to", other, "platform:nes").code == 0
    gb = next(other.rglob("Gamma (USA).nes")).parent.with_name("gb")
    gb.symlink_to(card_gb, target_is_directory=True)
    linked = cli("--json", "deploy", "1", "--to", other, "platform:gb")
    assert linked.code == 1
    errors = [e["error"] for e in linked.json()["data"]["errors"]]
    assert len(errors) == 2 and all("leads outside the card root" in e for e in errors)


def test_a_library_folder_linked_to_the_cards_is_never_pruned_after_a_library_move(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """Review 113 F1: review 17's setup, then the library root moved (`library move`): the
    path the copy recorded was gone, and the prune deleted the library's only copies."""
    card = tmp_path / "card"
    _library_gb_moved_onto_the_card(cli, library, card)
    assert cli("scan").code == 0
    moved = tmp_path / "moved"
    library.rename(moved)
    assert cli("library", "move", library, moved).code == 0
    run = cli("--json", "deploy", "1", "--to", card, "platform:nes", "--prune", "--force")
    assert run.code == 0, run.err
    assert run.json()["data"]["pruned"] == 0
    assert len(run.json()["data"]["prune_library"]) == 2
    assert _files(moved / "GB") == ["Alpha (USA).gb", "Beta (USA).gb"]


def test_a_card_folder_linked_off_the_card_holds_no_copy_on_the_card(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """Review 113 F4: a card folder moved off the card and linked back: the files recorded
    there were "skipped" as on the card (--verify too), while a new file in the same folder
    failed "leads outside the card"; the device had neither."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    card_gb = next(card.rglob("Alpha (USA).gb")).parent
    elsewhere = tmp_path / "elsewhere" / "gb"
    elsewhere.parent.mkdir()
    card_gb.rename(elsewhere)
    card_gb.symlink_to(elsewhere, target_is_directory=True)
    for extra in ((), ("--dry-run",), ("--verify",)):
        run = cli("--json", "deploy", "1", "--to", card, "platform:gb", *extra)
        data = run.json()["data"]
        assert run.code == 1, (extra, run.out)
        failures = data["failures"] if extra == ("--dry-run",) else [
            e["error"] for e in data["errors"]]
        assert len(failures) == 2 and all("leads outside the card" in f for f in failures)
    assert _files(elsewhere) == ["Alpha (USA).gb", "Beta (USA).gb"]
