"""One card used from two computers, each with its own database (a desktop and a laptop; or
a database restored from a backup on a second computer): a prune from one keeps the files the
other's ROM Runner wrote or chose last — the card's manifest names each file's writer — and
says so; `--prune-others` prunes them too (QA52 F2: one computer's prune removed every game
the other had put there, without a word). Real databases, library, card folder and CLI."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest


def _library(tmp_path: Path) -> Path:
    for folder, suffix in (("gb", "gb"), ("gba", "gba")):
        (tmp_path / "lib" / folder).mkdir(parents=True)
        for number in range(1, 4):
            (tmp_path / "lib" / folder / f"Game {number} (USA).{suffix}").write_bytes(
                bytes([number, len(suffix)]) * 2048)
    card = tmp_path / "card"
    card.mkdir()
    return card


def _computer(cli: Any, tmp_path: Path, name: str) -> Any:
    """A computer: its own database over the same library, one muOS profile (id 1)."""
    db = tmp_path / f"{name}.db"

    def run(*args: object) -> Any:
        return cli("--db", db, *args)

    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert run(*args).code == 0, args
    return run


def _two_libraries(cli: Any, tmp_path: Path, files: dict[str, tuple[str, bytes]]
                   ) -> dict[str, Any]:
    """A computer per entry of ``files`` (name -> its one Game Boy file and its bytes), each
    with its own database and library, one muOS profile (id 1): the CLI bound to each."""
    runs = {}
    for name, (file, data) in files.items():
        lib = tmp_path / f"lib-{name}" / "gb"
        lib.mkdir(parents=True)
        (lib / file).write_bytes(data)

        def run(*args: object, db: Path = tmp_path / f"{name}.db") -> Any:
            return cli("--db", db, *args)

        for args in (("library", "add", lib.parent), ("scan", "--workers", "1"),
                     ("device", "add", "rg-35xx-plus"),
                     ("profile", "create", "--device", "1", "--os", "muos")):
            assert run(*args).code == 0, args
        runs[name] = run
    return runs


def _on_card(card: Path) -> list[str]:
    return sorted(str(p.relative_to(card)) for p in card.rglob("*.gb*"))


def test_a_prune_keeps_what_another_computers_deploys_put_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    card = _library(tmp_path)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert laptop("deploy", "1", "--to", card, "platform:gba").code == 0
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    both = _on_card(card)
    assert len(both) == 6
    dry = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == []
    kept = dry.json()["data"]["prune_other_computer"]
    assert sorted(entry["path"] for entry in kept) == [p for p in both if p.endswith(".gb")]
    run = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert run.code == 0 and run.json()["data"]["pruned"] == 0, run.out
    assert any("another computer or database" in note for note in run.json()["data"]["notes"])
    assert _on_card(card) == both
    # The desktop's own prune removes what it no longer chooses, and keeps the laptop's.
    own = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "-title:\"game 3\"",
                  "--prune")
    assert own.code == 0 and own.json()["data"]["pruned"] == 1, own.out
    assert _on_card(card) == [p for p in both if "Game 3 (USA).gb" not in p
                              or p.endswith(".gba")]
    # A computer no longer used: --prune-others lets the laptop prune its files.
    others = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune",
                    "--prune-others")
    assert others.code == 0 and others.json()["data"]["pruned"] == 2, others.out
    assert _on_card(card) == [p for p in both if p.endswith(".gba")]


def test_a_file_both_computers_choose_is_the_last_choosers(cli: Any, tmp_path: Path) -> None:
    card = _library(tmp_path)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    assert laptop("deploy", "1", "--to", card, "platform:gb").code == 0  # (found there: chosen)
    dropped = desktop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert dropped.code == 0 and dropped.json()["data"]["pruned"] == 0, dropped.out
    assert len([p for p in _on_card(card) if p.endswith(".gb")]) == 3
    mine = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert mine.code == 0 and mine.json()["data"]["pruned"] == 3, mine.out
    assert all(p.endswith(".gba") for p in _on_card(card))


def test_a_database_restored_from_its_backup_prunes_what_its_records_hold(
        cli: Any, tmp_path: Path) -> None:
    """A restore starts a new line of the database: the copies its restored records hold
    are still its own; those written after the backup, which it never knew, are kept."""
    card = _library(tmp_path)
    desktop = _computer(cli, tmp_path, "desktop")
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    assert desktop("db", "backup", tmp_path / "backup.db").code == 0
    assert desktop("deploy", "1", "--to", card, "platform:gba").code == 0
    assert desktop("db", "restore", tmp_path / "backup.db", "--force").code == 0
    writers = json.loads((card / ".romrunner" / "manifest.json").read_bytes())["writers"]
    assert len(writers) == 1  # (one database wrote the card so far)
    run = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "-title:\"game 3\"",
                  "--prune")
    assert run.code == 0, run.out
    data = run.json()["data"]
    assert data["pruned"] == 1  # Game 3.gb: a copy the restored records hold
    assert sorted(entry["path"] for entry in data["prune_other_computer"]) == [
        p for p in _on_card(card) if p.endswith(".gba")]
    assert len(_on_card(card)) == 5


def _as_an_earlier_release_wrote_it(card: Path) -> None:
    """The card's manifest without writers, as releases before them wrote it."""
    path = card / ".romrunner" / "manifest.json"
    document = json.loads(path.read_bytes())
    document["files"] = {dest: entry[:3] for dest, entry in document["files"].items()}
    document.pop("writers", None)
    path.write_text(json.dumps(document))


def test_a_card_an_earlier_release_wrote_keeps_the_files_this_database_has_no_record_of(
        cli: Any, tmp_path: Path) -> None:
    """Review 29 R1: a manifest of an earlier release names no writer: every file was this
    database's, and the laptop's prune removed the desktop's games."""
    card = _library(tmp_path)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    assert laptop("deploy", "1", "--to", card, "platform:gba").code == 0
    _as_an_earlier_release_wrote_it(card)
    both = _on_card(card)
    run = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert run.code == 0 and run.json()["data"]["pruned"] == 0, run.out
    assert _on_card(card) == both
    own = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "-title:\"game 3\"",
                  "--prune")
    assert own.code == 0 and own.json()["data"]["pruned"] == 1, own.out


def test_a_backup_used_as_the_second_computers_database_is_another_writer(
        cli: Any, tmp_path: Path) -> None:
    """Review 29 R4: the laptop's database is the desktop's `db backup` file (one id, no
    restore): one writer to the card, and the laptop's prune removed the desktop's games."""
    card = _library(tmp_path)
    desktop = _computer(cli, tmp_path, "desktop")
    assert desktop("db", "backup", tmp_path / "laptop.db").code == 0

    def laptop(*args: object) -> Any:
        return cli("--db", tmp_path / "laptop.db", *args)

    assert laptop("deploy", "1", "--to", card, "platform:gba").code == 0
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    both = _on_card(card)
    run = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert run.code == 0 and run.json()["data"]["pruned"] == 0, run.out
    assert _on_card(card) == both


def test_a_backup_made_after_a_deploy_leaves_the_games_the_first_computer_chose_since(
        cli: Any, tmp_path: Path) -> None:
    """Review 30 R5: the desktop deploys, makes the laptop's database with `db backup`, and
    chooses its games again: the laptop's records hold those copies (up to the backup), and
    its prune removed them."""
    card = _library(tmp_path)
    desktop = _computer(cli, tmp_path, "desktop")
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    assert desktop("db", "backup", tmp_path / "laptop.db").code == 0
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0  # (chosen again)

    def laptop(*args: object) -> Any:
        return cli("--db", tmp_path / "laptop.db", *args)

    run = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune")
    assert run.code == 0 and run.json()["data"]["pruned"] == 0, run.out
    assert len([p for p in _on_card(card) if p.endswith(".gb")]) == 3


def test_prune_others_keeps_another_computers_copy_this_library_does_not_hold(
        cli: Any, tmp_path: Path) -> None:
    """qa175 F1: `--prune-others` (a computer no longer used) removed that computer's copy of
    a game this library never had — maybe the only copy left — without a word; it is kept and
    named, and the copies of games this library holds are pruned as before."""
    card = _library(tmp_path)
    only = tmp_path / "desktop-only" / "gb"
    only.mkdir(parents=True)
    (only / "Only Here (USA).gb").write_bytes(b"\x42" * 8192)
    desktop = _computer(cli, tmp_path, "desktop")
    assert desktop("library", "add", tmp_path / "desktop-only").code == 0
    assert desktop("scan", "--workers", "1").code == 0
    laptop = _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb").code == 0
    (copy,) = card.rglob("Only Here (USA).gb")
    for dry in (True, False):
        run = laptop("--json", "deploy", "1", "--to", card, "platform:gba", "--prune",
                     "--prune-others", *(("--dry-run",) if dry else ()))
        assert run.code == 0, run.err
        data = run.json()["data"]
        notes = [note for note in data["notes"] if "maybe the only copy left" in note]
        assert len(notes) == 1 and "Only Here (USA).gb" in notes[0], data["notes"]
        assert data["prune_only_copy"] == [str(copy.relative_to(card))]  # (qa176 #6)
    assert copy.read_bytes() == b"\x42" * 8192
    assert _on_card(card) == sorted([str(copy.relative_to(card)),
                                     *(p for p in _on_card(card) if p.endswith(".gba"))])


def test_another_computers_other_version_is_not_replaced_unsaid(cli: Any,
                                                                 tmp_path: Path) -> None:
    """qa175 F2: the laptop's library has another version of a game (same name, other bytes)
    than the desktop's; the laptop's deploy replaced the desktop's copy on the card without a
    word, and the desktop's next deploy put its own back, under the player's save. Still
    replaced — the other library may be this one's NAS, changed since (review37b F1) — but
    said, by the dry run and the run."""
    card = tmp_path / "card"
    card.mkdir()
    runs = _two_libraries(cli, tmp_path, {"desktop": ("Spot (USA).gb", b"\x01" * 8192),
                                          "laptop": ("Spot (USA).gb", b"\x02" * 8192)})
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    (copy,) = card.rglob("Spot (USA).gb")
    for dry in (True, False):
        laptop = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb",
                                *(("--dry-run",) if dry else ()))
        assert laptop.code == 0, laptop.err
        notes = [note for note in laptop.json()["data"]["notes"]
                 if f"{'would replace' if dry else 'this deploy copies replaces'} another "
                 "version of its game that the ROM Runner of another" in note]
        assert len(notes) == 1 and str(copy.relative_to(card)) in notes[0], laptop.out
    assert copy.read_bytes() == b"\x02" * 8192
    again = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb")
    assert not [note for note in again.json()["data"]["notes"] if "another version" in note]


def test_another_computers_copy_under_another_name_is_said(cli: Any, tmp_path: Path) -> None:
    """qa175 F4: the laptop's library names a game otherwise than the desktop's (same bytes);
    its deploy put a second copy on the card without a word, for good (each computer's prunes
    keep the other's)."""
    card = tmp_path / "card"
    card.mkdir()
    runs = _two_libraries(cli, tmp_path, {"desktop": ("Jurassic Park (USA).gb", b"\x07" * 8192),
                                          "laptop": ("Jurassic Park (U) [!].gb", b"\x07" * 8192)})
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    (theirs,) = [str(p.relative_to(card)) for p in card.rglob("*.gb")]
    # (the desktop's copy edited on the card: no longer those bytes, nothing said, qa177 F1)
    card_copy, kept = card / theirs, (card / theirs).read_bytes()
    times = card_copy.stat()
    card_copy.write_bytes(kept + b"edited")
    edited = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert not [note for note in edited.json()["data"]["notes"]
                if "under another name" in note], edited.json()["data"]["notes"]
    card_copy.write_bytes(kept)
    os.utime(card_copy, ns=(times.st_atime_ns, times.st_mtime_ns))  # (as it was written)
    for dry in (True, False):
        laptop = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb",
                                *(("--dry-run",) if dry else ()))
        assert laptop.code == 0, laptop.err
        notes = [note for note in laptop.json()["data"]["notes"]
                 if "under another name, put there by the ROM Runner of another" in note]
        assert len(notes) == 1 and f"(as {theirs})" in notes[0], laptop.json()["data"]["notes"]
        assert notes[0].startswith(  # (a dry run's says what it would do: qa177 F7)
            f"1 file this deploy {'would copy' if dry else 'copies'} is on the card")


def _zipped(name: str, data: bytes) -> bytes:
    """A zip holding ``name`` with ``data``, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_another_computers_other_version_of_a_zip_known_by_crc32_only_is_said(
        cli: Any, tmp_path: Path) -> None:
    """qa176 N2: the laptop's zip (scanned without --verify: no SHA1 of the file) replaced the
    desktop's other version on the card without a word, the two computers taking turns; and
    qa176 N11: such a replacement was planned and counted as a plain copy. Said as a
    replacement of another computer's version, by the dry run and the run."""
    card = tmp_path / "card"
    card.mkdir()
    runs = _two_libraries(cli, tmp_path, {
        "desktop": ("Mr. Do! (Europe).zip", _zipped("Mr. Do! (Europe).gb", b"\x01" * 8192)),
        "laptop": ("Mr. Do! (Europe).zip", _zipped("Mr. Do! (Europe).gb", b"\x02" * 8192))})
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    (copy,) = card.rglob("Mr. Do! (Europe).zip")
    dest = str(copy.relative_to(card))
    dry = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["replace"] == [{"path": dest,
                                              "reason": "another computer's version"}]
    assert [note for note in dry.json()["data"]["notes"] if note.startswith(
        "1 file would replace another version of its game that the ROM Runner of another")
        and dest in note], dry.json()["data"]["notes"]
    text = runs["laptop"]("--verbose", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert f"would replace (another computer's version) {dest}" in text.out, text.out
    run = runs["laptop"]("deploy", "1", "--to", card, "platform:gb")
    assert run.code == 0, run.err
    assert "1 copied (replacing 1 of another computer's)" in run.out, run.out
    assert f"replaced (another computer's version) {dest}" in run.out
    assert "this deploy copies replaces another version of its game" in run.err, run.err
    with zipfile.ZipFile(copy) as archive:
        assert archive.read("Mr. Do! (Europe).gb") == b"\x02" * 8192
    # the desktop's next deploy puts its own back: said there too
    back = runs["desktop"]("--json", "deploy", "1", "--to", card, "platform:gb")
    assert back.json()["data"]["replaced"] == [{"path": dest,
                                                "reason": "another computer's version"}]


def test_the_same_rom_zipped_apart_on_two_computers_is_no_other_version(
        cli: Any, tmp_path: Path) -> None:
    """review38 F3: the same ROM zipped on each computer (other member times: other zip
    bytes, no SHA1 of either file without --verify) was said to replace "another version of
    its game" at every deploy of either computer."""
    card = tmp_path / "card"
    card.mkdir()
    rom = b"\x07" * 8192
    zips = []
    for when in ((2001, 1, 1, 0, 0, 0), (2024, 6, 1, 12, 0, 0)):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("Mr. Do! (Europe).gb", when), rom)
        zips.append(buffer.getvalue())
    assert zips[0] != zips[1]
    runs = _two_libraries(cli, tmp_path, {"desktop": ("Mr. Do! (Europe).zip", zips[0]),
                                          "laptop": ("Mr. Do! (Europe).zip", zips[1])})
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    for computer in ("laptop", "desktop"):
        run = runs[computer]("--json", "deploy", "1", "--to", card, "platform:gb")
        assert run.code == 0, run.err
        data = run.json()["data"]
        assert not [n for n in data["notes"] if "another version" in n], data["notes"]
        assert data["replaced"] == [], data["replaced"]
    (copy,) = card.rglob("Mr. Do! (Europe).zip")
    with zipfile.ZipFile(copy) as archive:
        assert archive.read("Mr. Do! (Europe).gb") == rom


def test_prune_others_names_the_computer_whose_only_copy_it_keeps(
        cli: Any, tmp_path: Path) -> None:
    """qa177 F3: the note on another computer's file kept by --prune-others said "at paths
    earlier deploys to this folder wrote whose content the library no longer has" of a game
    this library never had."""
    card = tmp_path / "card"
    card.mkdir()
    runs = _two_libraries(cli, tmp_path, {"desktop": ("Kirby (USA).gb", b"\x05" * 8192),
                                          "laptop": ("Tetris (World).gb", b"\x06" * 8192)})
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    (copy,) = card.rglob("Kirby (USA).gb")
    for dry in (True, False):
        run = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb", "--prune",
                             "--prune-others", *(("--dry-run",) if dry else ()))
        assert run.code == 0, run.err
        data = run.json()["data"]
        (note,) = [note for note in data["notes"] if "maybe the only copy left" in note]
        assert note.startswith(f"--prune {'would keep' if dry else 'kept'} 1 file the ROM "
                               "Runner of another computer or database (another database on "), note
        assert "this library does not have" in note and "no longer has" not in note
        assert "earlier deploys to this folder" not in note
        assert data["prune_only_copy"] == [str(copy.relative_to(card))]
    assert copy.read_bytes() == b"\x05" * 8192


def test_prune_others_removes_another_computers_zip_whose_rom_this_library_holds_loose(
        cli: Any, tmp_path: Path) -> None:
    """review37b F8: the desktop's zip of a ROM the laptop's library holds loose was kept by
    the laptop's --prune-others as "maybe the only copy left" (the zip's own SHA1 is in no
    row): its members are read, and a zip whose every member the library holds is pruned.
    A zip holding a ROM the laptop does not have stays."""
    card = tmp_path / "card"
    card.mkdir()
    rom, other = b"\x03" * 8192, b"\x04" * 8192
    runs = _two_libraries(cli, tmp_path, {
        "desktop": ("Zipped (USA).zip", _zipped("Zipped (USA).gb", rom)),
        "laptop": ("Zipped (USA).gb", rom)})
    desktop_lib = tmp_path / "lib-desktop" / "gb"
    (desktop_lib / "Only Zipped (USA).zip").write_bytes(_zipped("Only Zipped (USA).gb", other))
    assert runs["desktop"]("scan", "--workers", "1").code == 0
    assert runs["desktop"]("deploy", "1", "--to", card, "platform:gb").code == 0
    (theirs,) = card.rglob("Zipped (USA).zip")
    (only,) = card.rglob("Only Zipped (USA).zip")
    gba = tmp_path / "lib-laptop" / "gba"
    gba.mkdir()
    (gba / "Laptop (USA).gba").write_bytes(b"\x09" * 16384)
    assert runs["laptop"]("scan", "--workers", "1").code == 0
    dry = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gba", "--prune",
                         "--prune-others", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == [str(theirs.relative_to(card))], dry.out
    assert dry.json()["data"]["prune_only_copy"] == [str(only.relative_to(card))]
    run = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gba", "--prune",
                         "--prune-others")
    assert run.code == 0 and run.json()["data"]["pruned"] == 1, run.out
    assert not theirs.exists() and only.is_file()


def test_the_same_rom_zipped_apart_is_present_and_not_rewritten_by_either_computer(
        cli: Any, tmp_path: Path) -> None:
    """qa181 N5: two computers whose zips hold the same ROM (one stored, one deflated: other
    zip bytes, other sizes) rewrote each other's zip on the card at every deploy. The card's
    zip holding by its directory the very ROMs the library's zip holds is present: skipped
    by either, said by neither, never pruned, its bytes the first computer's; the next runs
    find it as recorded and leave it."""
    card = tmp_path / "card"
    card.mkdir()
    rom = bytes(range(256)) * 64
    zips = {}
    for computer, method in (("desktop", zipfile.ZIP_STORED), ("laptop", zipfile.ZIP_DEFLATED)):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", method) as archive:
            archive.writestr("Pac-Man (USA).gb", rom)
        zips[computer] = ("Pac-Man (USA).zip", buffer.getvalue())
    assert len(zips["desktop"][1]) != len(zips["laptop"][1])
    runs = _two_libraries(cli, tmp_path, zips)
    first = runs["desktop"]("--json", "deploy", "1", "--to", card, "platform:gb")
    assert first.code == 0 and first.json()["data"]["copied"] == 1, first.out
    (copy,) = card.rglob("Pac-Man (USA).zip")
    written = copy.stat()
    for computer, args in (("laptop", ()), ("desktop", ()), ("laptop", ("--verify",)),
                           ("laptop", ("--prune",)), ("desktop", ("--prune",))):
        run = runs[computer]("--json", "deploy", "1", "--to", card, "platform:gb", *args)
        assert run.code == 0, run.err
        data = run.json()["data"]
        assert (data["copied"], data["skipped"], data["pruned"], data["replaced"]) == (
            0, 1, 0, []), (computer, args, data)
        assert not [note for note in data["notes"] if "Pac-Man" in note
                    or "another version" in note], data["notes"]
        assert copy.read_bytes() == zips["desktop"][1]
        assert (copy.stat().st_size, copy.stat().st_mtime_ns) == (
            written.st_size, written.st_mtime_ns)
    # (--overwrite replaces it all the same: review39 F7, the skip came before it)
    forced = runs["laptop"]("--json", "deploy", "1", "--to", card, "platform:gb", "--overwrite")
    assert forced.code == 0 and forced.json()["data"]["copied"] == 1, forced.out
    assert copy.read_bytes() == zips["laptop"][1]


def test_prune_others_removes_an_old_sheet_whose_tracks_it_removes_and_the_sets_playlist(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F3: a disc's track renamed in the library (its sheet rewritten) after the laptop
    chose the set too: the desktop's --prune-others, the set no longer chosen, removed the
    discs' tracks but kept the old sheet — its bytes in no file of the library — as "maybe
    the only copy left", and with it the set's .m3u, a game the frontend lists that does not
    start. A sheet whose every track the prune removes goes with them, the playlist too."""
    from tests.test_deploy_multidisc_layout import CUE, NAMES, write_disc
    card = _library(tmp_path)
    psx = tmp_path / "lib" / "psx"
    psx.mkdir()
    for disc, name in enumerate(NAMES, 1):
        write_disc(psx, name, bytes([disc]) * 2352 * 8)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    assert laptop("deploy", "1", "--to", card, "platform:gb,psx").code == 0  # (chosen too)
    old = f"{NAMES[1]}.bin"
    (psx / old).rename(psx / f"{NAMES[1]} (Track 1).bin")
    (psx / f"{NAMES[1]}.cue").write_text(CUE.format(f"{NAMES[1]} (Track 1).bin"))
    assert desktop("scan", "--workers", "1").code == 0
    set_files = sorted(str(p.relative_to(card)) for p in card.rglob("Saga*"))
    assert len(set_files) == 5 and any(p.endswith(old) for p in set_files), set_files
    for dry in (True, False):
        run = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "--prune",
                      "--prune-others", *(("--dry-run",) if dry else ()))
        assert run.code == 0, run.err
        data = run.json()["data"]
        assert data["prune_only_copy"] == [], data["notes"]
        assert not [note for note in data["notes"] if "only copy" in note], data["notes"]
        assert sorted(data["prune"] if dry else data["pruned_paths"]) == set_files
    assert not list(card.rglob("Saga*"))


def test_an_only_copy_sheet_stays_with_its_track_a_prune_keeps_and_so_does_the_playlist(
        cli: Any, tmp_path: Path) -> None:
    """review41b: the old sheet of a disc whose track was renamed in the library (its bytes in
    no file of the library: maybe the only copy left) went with the set's .m3u because the
    prune's plan removed its track — but the track, changed on the card since it was written
    (its size and time kept), was kept as the run removed it: a track left alone, nothing
    naming it. Such a sheet goes only once every file it names is gone from the card; else
    it is kept as maybe the only copy left, and the playlist with it, the dry run saying so."""
    from tests.test_deploy_multidisc_layout import CUE, NAMES, write_disc
    card = _library(tmp_path)
    psx = tmp_path / "lib" / "psx"
    psx.mkdir()
    for disc, name in enumerate(NAMES, 1):
        write_disc(psx, name, bytes([disc]) * 2352 * 8)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    assert laptop("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    old = f"{NAMES[1]}.bin"
    (psx / old).rename(psx / f"{NAMES[1]} (Track 1).bin")
    (psx / f"{NAMES[1]}.cue").write_text(CUE.format(f"{NAMES[1]} (Track 1).bin"))
    assert desktop("scan", "--workers", "1").code == 0
    track = next(p for p in card.rglob(old))
    info = track.stat()
    data = bytearray(track.read_bytes())
    data[100] ^= 0xFF  # (changed on the card, its size and time kept)
    track.write_bytes(bytes(data))
    os.utime(track, ns=(info.st_atime_ns, info.st_mtime_ns))
    kept = sorted(str(p.relative_to(card)) for p in card.rglob("Saga*")
                  if p.name.startswith(NAMES[1]) or p.suffix == ".m3u")
    assert len(kept) == 3, kept  # (disc 2's track and sheet, the set's playlist)
    for dry in (True, False):
        run = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "--prune",
                      "--prune-others", *(("--dry-run",) if dry else ()))
        assert run.code == 0, run.err
        result = run.json()["data"]
        removed = result["prune"] if dry else result["pruned_paths"]
        assert not set(removed) & set(kept), (dry, removed)
        assert sorted(result["prune_only_copy"]) == sorted(
            p for p in kept if not p.endswith(".bin")), (dry, result["notes"])
        assert [note for note in result["notes"] if "maybe the only copy left" in note], \
            result["notes"]
    assert sorted(str(p.relative_to(card)) for p in card.rglob("Saga*")) == kept


def test_an_only_copy_sheet_stays_when_its_track_cannot_be_removed_as_the_run_goes(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review41b: a track the plan prunes may still stay as the run goes (an I/O error as it
    is removed): the old sheet kept as maybe the only copy left that was to go with it goes
    after its tracks, only once they are gone from the card — here kept, and the set's
    playlist naming it too, not a track left with nothing naming it. (The card refusing one
    file's removal, which a test run as root cannot get from the file system.)"""
    from tests.test_deploy_multidisc_layout import CUE, NAMES, write_disc
    card = _library(tmp_path)
    psx = tmp_path / "lib" / "psx"
    psx.mkdir()
    for disc, name in enumerate(NAMES, 1):
        write_disc(psx, name, bytes([disc]) * 2352 * 8)
    desktop, laptop = _computer(cli, tmp_path, "desktop"), _computer(cli, tmp_path, "laptop")
    assert desktop("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    assert laptop("deploy", "1", "--to", card, "platform:gb,psx").code == 0
    old = f"{NAMES[1]}.bin"
    (psx / old).rename(psx / f"{NAMES[1]} (Track 1).bin")
    (psx / f"{NAMES[1]}.cue").write_text(CUE.format(f"{NAMES[1]} (Track 1).bin"))
    assert desktop("scan", "--workers", "1").code == 0
    kept = sorted(str(p.relative_to(card)) for p in card.rglob("Saga*")
                  if p.name.startswith(NAMES[1]) or p.suffix == ".m3u")
    unlink = os.unlink

    def refused(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).endswith(old):
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refused)
    run = desktop("--json", "deploy", "1", "--to", card, "platform:gb", "--prune",
                  "--prune-others")
    monkeypatch.setattr(os, "unlink", unlink)
    result = run.json()["data"]
    assert not set(result["pruned_paths"]) & set(kept), result["pruned_paths"]
    assert sorted(str(p.relative_to(card)) for p in card.rglob("Saga*")) == kept
    assert sorted(result["prune_only_copy"]) == [p for p in kept if not p.endswith(".bin")]
