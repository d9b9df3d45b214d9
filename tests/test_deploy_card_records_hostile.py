"""QA82: what a card's own data (its ``.romrunner/`` folder, edited by hand or by another
tool) can make a deploy do. Nothing it says may make ROM Runner remove or write a file outside
the card, its own records there, or a player's save.

F1: manifest entries with ``..`` (or absolute paths) made ``--prune`` remove files outside the
card, a library's ROM included. F2: the temporary file of the manifest's atomic write was
opened through a link put at its name. F3: a ``.romrunner`` that is a link had our records
written, and a user's files replaced, where it pointed. F4: a prune removed any file the
manifest listed: a save, the card's own id. F5: a manifest nested past the JSON parser's
depth was an internal error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def _deployed(cli: Any, tmp_path: Path) -> Path:
    """Two Game Boy games in a library, the first deployed to a card (profile 1, muOS)."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for n, name in enumerate(("Alpha (USA)", "Bravo (USA)")):
        (gb / f"{name}.gb").write_bytes(bytes((n * 7 + j) % 251 for j in range(4096 + n)))
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    return card


def _listed_as_ours(card: Path, entries: dict[str, Path]) -> None:
    """Add ``entries`` (manifest path -> the file it names) to the card's manifest, each
    with that file's very size, time and SHA1, and this database's writer id."""
    manifest = card / ".romrunner" / "manifest.json"
    document = json.loads(manifest.read_text())
    writer = next(iter(document["writers"]))
    for dest, path in entries.items():
        info = path.stat()
        document["files"][dest] = [info.st_size, info.st_mtime_ns,
                                   hashlib.sha1(path.read_bytes()).hexdigest(), writer]
    manifest.write_text(json.dumps(document))


def test_a_manifest_entry_leading_outside_the_card_is_never_pruned(
        cli: Any, tmp_path: Path) -> None:
    card = _deployed(cli, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = {name: outside / f"{name}.gb" for name in ("up", "through", "absolute")}
    for n, victim in enumerate(victims.values()):
        victim.write_bytes(bytes([n]) * 3000)
    library_rom = tmp_path / "lib" / "gb" / "Bravo (USA).gb"
    _listed_as_ours(card, {"../outside/up.gb": victims["up"],
                           "roms/../../outside/through.gb": victims["through"],
                           str(victims["absolute"]): victims["absolute"],
                           "../lib/gb/Bravo (USA).gb": library_rom})
    planned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune",
                  "--prune-others", "--dry-run")
    assert planned.code == 0, planned.out
    assert planned.json()["data"]["prune"] == [], planned.out
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune",
                 "--prune-others")
    assert pruned.code == 0, pruned.out
    assert pruned.json()["data"]["pruned"] == 0, pruned.out
    assert all(victim.exists() for victim in victims.values())
    assert library_rom.exists()
    notes = pruned.json()["data"]["notes"]
    assert any("4 of its entries name no file ROM Runner puts on the card" in note
               for note in notes), notes


def test_a_prune_never_removes_the_cards_own_records_or_a_save_a_manifest_lists(
        cli: Any, tmp_path: Path) -> None:
    card = _deployed(cli, tmp_path)
    save = card / "MUOS" / "save" / "file" / "Gambatte" / "Alpha (USA).srm"
    save.parent.mkdir(parents=True)
    save.write_bytes(b"\x01" * 512)
    id_file = card / ".romrunner" / "destination-id"
    card_id = id_file.read_text()
    _listed_as_ours(card, {"MUOS/save/file/Gambatte/Alpha (USA).srm": save,
                           ".romrunner/destination-id": id_file})
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.code == 0, pruned.out
    assert pruned.json()["data"]["pruned"] == 0, pruned.out
    assert save.read_bytes() == b"\x01" * 512
    assert id_file.read_text() == card_id
    notes = " ".join(pruned.json()["data"]["notes"])
    assert "where it never writes" in notes and "Alpha (USA).srm" in notes, notes


def test_a_romrunner_folder_that_is_a_link_is_refused_and_nothing_written_through_it(
        cli: Any, tmp_path: Path) -> None:
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    (gb / "Alpha (USA).gb").write_bytes(b"\x02" * 4096)
    muos_profile(cli, tmp_path / "lib")
    elsewhere = tmp_path / "settings"
    elsewhere.mkdir()
    (elsewhere / "os.json").write_text('{"theirs": true}')
    card = tmp_path / "card"
    card.mkdir()
    (card / ".romrunner").symlink_to(elsewhere)
    for dry in ((), ("--dry-run",)):
        refused = cli("deploy", "1", "--to", str(card), "title:alpha", *dry)
        assert refused.code != 0, refused.out
        assert "a link, not a folder" in refused.err and len(refused.err.splitlines()) == 1
    assert sorted(p.name for p in elsewhere.iterdir()) == ["os.json"]
    assert (elsewhere / "os.json").read_text() == '{"theirs": true}'
    assert not list(card.rglob("*.gb"))


def test_a_link_at_the_manifests_temporary_name_is_never_written_through(
        cli: Any, tmp_path: Path) -> None:
    card = _deployed(cli, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file")
    # (the CLI runs in this process: its temporary names end with this process's id)
    for name in ("manifest.json", "os.json"):
        (card / ".romrunner" / f".rr-tmp-{name}-{os.getpid()}").symlink_to(victim)
    assert cli("deploy", "1", "--to", str(card), "title:bravo").code == 0
    assert victim.read_text() == "the user's own file"
    manifest = card / ".romrunner" / "manifest.json"
    assert not manifest.is_symlink()
    assert any(dest.endswith("Bravo (USA).gb")
               for dest in json.loads(manifest.read_text())["files"])


def test_a_manifest_nested_too_deep_is_a_note_not_an_internal_error(
        cli: Any, tmp_path: Path) -> None:
    card = _deployed(cli, tmp_path)
    (card / ".romrunner" / "manifest.json").write_text("[" * 100_000)
    result = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert result.code == 0, result.out + result.err
    assert any("nested too deep" in note for note in result.json()["data"]["notes"]), result.out


def test_a_prune_removes_no_other_card_file_a_manifest_claims(cli: Any, tmp_path: Path) -> None:
    """Review 86 R1: beyond the saves folders, a hand-edited manifest still had any card file
    pruned — a save beside its ROM (RetroArch's "saves in content folder"), the OS's own
    settings, a screenshot, the user's notes. A file only the manifest claims is removed only
    in the folders the layout puts games, BIOS and playlists in, and never one named as a
    save or a state is."""
    card = _deployed(cli, tmp_path)
    rom = next(card.rglob("Alpha (USA).gb"))
    theirs = {rom.with_name("Alpha (USA).srm"): b"\x03" * 512,
              rom.with_name("Alpha (USA).state1"): b"\x04" * 900,
              card / "MUOS" / "info" / "config" / "global.ini": b"[settings]\n",
              card / "Documents" / "notes.txt": b"my notes\n"}
    for path, data in theirs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _listed_as_ours(card, {path.relative_to(card).as_posix(): path for path in theirs})
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.code == 0, pruned.out
    assert pruned.json()["data"]["pruned"] == 0, pruned.out
    assert all(path.read_bytes() == data for path, data in theirs.items())
    assert rom.exists()


def test_a_prune_still_removes_a_game_no_longer_chosen(cli: Any, tmp_path: Path) -> None:
    card = _deployed(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "title:bravo").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:bravo", "--prune")
    assert pruned.json()["data"]["pruned"] == 1, pruned.out
    assert not list(card.rglob("Alpha (USA).gb")) and list(card.rglob("Bravo (USA).gb"))


def test_stale_temporary_files_are_never_looked_for_through_a_linked_folder(
        cli: Any, tmp_path: Path) -> None:
    """Review 86 R3: the card's note of folders a killed run wrote in named a folder that is
    a link to one outside the card; a user's file there named as our temporary files are was
    removed. And R5: a link at the lock's name made a file outside the card."""
    card = _deployed(cli, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    theirs = outside / ".rr-tmp-2024-1"
    theirs.write_text("the user's")
    linked = next(card.rglob("Alpha (USA).gb")).parent.parent / "ext"
    linked.symlink_to(outside)
    (card / ".romrunner" / "writing").write_text(
        json.dumps({"folders": [linked.relative_to(card).as_posix()]}))
    lock = card / ".romrunner" / "lock"
    lock.unlink()
    lock.symlink_to(outside / "made-by-us")
    assert cli("deploy", "1", "--to", str(card), "title:alpha").code == 0
    assert theirs.read_text() == "the user's"
    assert sorted(p.name for p in outside.iterdir()) == [".rr-tmp-2024-1"]


def test_a_folder_at_the_manifests_name_is_said_as_such(cli: Any, tmp_path: Path) -> None:
    """QA82 F6: a folder at `.romrunner/manifest.json` was blamed on a full card."""
    card = _deployed(cli, tmp_path)
    manifest = card / ".romrunner" / "manifest.json"
    manifest.unlink()
    manifest.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "title:bravo")
    assert result.code == 0, result.out
    said = [n for n in result.json()["data"]["notes"] if "could not be written" in n]
    assert said and "a folder is at its name: remove it" in said[0]
    assert "the card full?" not in said[0]


def test_another_databases_files_in_a_games_partitions_folders_are_still_pruned(
        cli: Any, tmp_path: Path) -> None:
    """Review 87 F1: once a file only the card's manifest claims was pruned only under the
    plan's own ROM folders, a second database (or one restored from a backup) kept every file
    of the platforms it no longer chose on a card whose ROM folders sit at its root (ArkOS'
    EASYROMS), calling them hand-edited records."""
    from tests.conftest import shared_path
    pack = str(shared_path("definition-pack"))
    lib = tmp_path / "lib"
    for folder, name in (("gb", "Alpha (USA).gb"), ("gba", "Bravo (USA).gba")):
        (lib / folder).mkdir(parents=True)
        (lib / folder / name).write_bytes(name.encode() * 300)
    card = tmp_path / "EASYROMS"
    card.mkdir()
    for db, words in (("a.db", "platform:gb,gba"), ("b.db", "platform:gba")):
        for args in (("library", "add", str(lib)), ("scan", "--workers", "1"),
                     ("device", "add", "rg-353p"),
                     ("profile", "create", "--device", "1", "--os", "arkos")):
            assert cli("--pack", pack, "--db", str(tmp_path / db), *args).code == 0, args
        flags = ("--prune", "--prune-others", "--force") if db == "b.db" else ()
        done = cli("--pack", pack, "--db", str(tmp_path / db), "--json", "deploy", "1", "--to",
                   str(card), *words.split(), *flags)
        assert done.code == 0, done.out
    assert done.json()["data"]["pruned"] == 1, done.out
    assert not list(card.rglob("Alpha (USA).gb")) and list(card.rglob("Bravo (USA).gba"))


def test_the_cards_os_record_does_not_make_another_folder_ours(
        cli: Any, tmp_path: Path) -> None:
    """Review 90 F1: the ROM folders the card's `.romrunner/os.json` records widened where a
    file only the manifest claims was pruned: both hand-edited, any folder was ours again."""
    card = _deployed(cli, tmp_path)
    notes = card / "Documents" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("my notes\n")
    _listed_as_ours(card, {"Documents/notes.txt": notes})
    record = card / ".romrunner" / "os.json"
    data = json.loads(record.read_text())
    data["rom_folders"] = {**data.get("rom_folders", {}), "gb": "Documents"}
    data["other_layouts"] = {"knulli": {"gb": "Documents"}}
    record.write_text(json.dumps(data))
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune")
    assert pruned.code == 0, pruned.out
    assert notes.read_text() == "my notes\n"


def test_a_restored_database_keeps_the_cards_only_copy_of_a_game_it_never_knew(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Review 90 F2: a database restored from a backup older than a game's copy on the card
    pruned that copy though the library no longer had the game: the only copy left."""
    import shutil
    card = _deployed(cli, tmp_path)  # (Alpha on the card)
    backup = tmp_path / "backup.db"
    shutil.copyfile(db_path, backup)
    gone = tmp_path / "lib" / "gb" / "Charlie (USA).gb"
    gone.write_bytes(b"charlie" * 700)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", str(card), "title:alpha", "title:charlie").code in (0, 1)
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    copy = next(card.rglob("Charlie (USA).gb"))
    gone.unlink()  # (deleted from the computer: the card's copy is the only one)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db_path)  # (restored from the backup, which never knew Charlie)
    assert cli("scan", "--workers", "1").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune",
                  "--force")
    assert pruned.code == 0, pruned.out
    assert copy.read_bytes() == b"charlie" * 700
    assert any("maybe the only copy left" in n for n in pruned.json()["data"]["notes"])


def test_a_killed_runs_temporary_file_in_a_folder_linked_within_the_card_is_cleaned(
        cli: Any, tmp_path: Path) -> None:
    """QA91 F1: a platform folder linked to another folder of the same card (EmuDeck's
    `roms/gc -> gamecube`, a Batocera drive): a killed run's temporary file there was never
    cleaned (review 86 R3's fix skipped every linked folder), and the resume failed that
    file with "File exists"."""
    card = _deployed(cli, tmp_path)
    rom_folder = next(card.rglob("Alpha (USA).gb")).parent
    real = rom_folder.parent / "real-ext"
    real.mkdir()
    linked = rom_folder.parent / "ext"
    linked.symlink_to(real.name)
    stale = real / ".rr-tmp-7-1"
    stale.write_bytes(b"half a copy")
    (card / ".romrunner" / "writing").write_text(
        json.dumps({"folders": [linked.relative_to(card).as_posix()]}))
    done = cli("--json", "deploy", "1", "--to", str(card), "title:alpha")
    assert done.code == 0, done.out
    assert done.json()["data"]["cleaned_temps"] == 1 and not stale.exists()


def test_a_file_written_through_a_link_within_the_card_is_pruned_like_any(
        cli: Any, tmp_path: Path) -> None:
    """QA91 F2: EmuDeck links `roms/gc` to `roms/gamecube`; what a deploy wrote through such a
    link (to another folder of the same card) a prune never removed: "a prune never removes
    through a link". A link off the card still keeps its files (test_deploy_prune_links)."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for n, name in enumerate(("Alpha (USA)", "Bravo (USA)")):
        (gb / f"{name}.gb").write_bytes(bytes([n + 3]) * 5000)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    first = cli("--json", "deploy", "1", "--to", str(card), "--dry-run", "platform:gb")
    folder = first.json()["data"]["copy"][0]["path"].rpartition("/")[0]
    real = card / f"{folder}-real"
    real.mkdir(parents=True)
    (card / folder).symlink_to(real.name)
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    assert (real / "Alpha (USA).gb").exists()
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:bravo", "--prune")
    assert pruned.json()["data"]["pruned"] == 1, pruned.out
    assert not (real / "Alpha (USA).gb").exists() and (real / "Bravo (USA).gb").exists()


def test_a_chosen_crc_only_game_under_a_folder_aliass_other_name_is_never_pruned(
        cli: Any, tmp_path: Path) -> None:
    """Review 92 F1, F2: the platform's folder moved and its old name left as a link to it
    (EmuDeck's shape): the old records' paths are the chosen files under another name. Only
    chosen files of the same SHA1 were compared, and a game known by its CRC32 only has none:
    the prune removed the chosen files themselves, leaving the card without its games."""
    import zlib
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    lines = ['clrmamepro (\n\tname "Nintendo - Game Boy"\n)\n']
    for n, name in enumerate(("Alpha (USA)", "Beta (USA)")):
        data = bytes([n + 7]) * 6000
        (gb / f"{name}.gb").write_bytes(data)
        lines.append(f'game (\n\tname "{name}"\n\trom ( name "{name}.gb" size {len(data)} '
                     f'crc {zlib.crc32(data):08X} )\n)\n')
    (tmp_path / "gb.dat").write_text("".join(lines))
    assert cli("dat", "import", str(tmp_path / "gb.dat")).code == 0
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    folder = next(card.rglob("Alpha (USA).gb")).parent
    moved = folder.with_name("gameboy")
    folder.rename(moved)
    folder.symlink_to(moved.name)
    relative = moved.relative_to(card).as_posix()
    assert cli("destination", "paths", "1", "--to", str(card), "--set",
               f"gb={relative}").code == 0
    pruned = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune",
                 "--force")
    assert pruned.code == 0, pruned.out
    assert sorted(p.name for p in moved.iterdir()) == ["Alpha (USA).gb", "Beta (USA).gb"]


def test_a_restored_database_keeps_a_discs_own_sheet_with_its_tracks(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Review 92 F3: with the disc gone from the library and the database restored from a
    backup that never knew it, the tracks were kept as maybe the only copy and the library's
    own `.cue` beside them pruned (taken for a sheet the deploy makes): the disc could not
    start, and the user's sheet was gone."""
    import shutil
    card = _deployed(cli, tmp_path)
    backup = tmp_path / "backup.db"
    shutil.copyfile(db_path, backup)
    psx = tmp_path / "lib" / "psx"
    psx.mkdir()
    (psx / "Disc (USA).bin").write_bytes(b"\x05" * 2352 * 4)
    sheet = 'FILE "Disc (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    (psx / "Disc (USA).cue").write_text(sheet)
    assert cli("scan", "--workers", "1").code == 0
    assert cli("deploy", "1", "--to", str(card), "title:alpha", "title:disc").code in (0, 1)
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code in (0, 1)
    on_card = {p.name: p for p in card.rglob("Disc (USA).*")}
    assert set(on_card) == {"Disc (USA).bin", "Disc (USA).cue"}, on_card
    shutil.rmtree(psx)  # (deleted from the computer: the card's copy is the only one)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db_path)
    assert cli("scan", "--workers", "1").code in (0, 1)
    pruned = cli("--json", "deploy", "1", "--to", str(card), "title:alpha", "--prune",
                  "--force")
    assert pruned.code == 0, pruned.out
    assert all(path.exists() for path in on_card.values()), pruned.out


def test_a_deleted_profiles_files_after_a_restore_are_said_to_be_this_databases(
        cli: Any, tmp_path: Path) -> None:
    """QA114 F2: after a `db restore`, a deleted profile's copies (its history gone with it)
    were said to be "another database on" this computer's."""
    card = _deployed(cli, tmp_path)  # (Alpha, by profile 1)
    assert cli("profile", "create", "--device", "1", "--os", "muos", "--name", "two").code == 0
    assert cli("deploy", "2", "--to", str(card), "title:bravo").code == 0
    backup = tmp_path / "backup.db"
    assert cli("db", "backup", str(backup)).code == 0
    assert cli("db", "restore", str(backup), "--force").code == 0
    assert cli("profile", "rm", "1", "--force").code == 0
    dry = cli("--json", "deploy", "2", "--to", str(card), "title:bravo", "--prune",
              "--dry-run")
    assert dry.code == 0, dry.out
    (kept,) = dry.json()["data"]["prune_other_computer"]
    assert kept["path"].endswith("Alpha (USA).gb")
    assert kept["computer"] == "this database before a `db restore`"
    (note,) = [n for n in dry.json()["data"]["notes"] if "Alpha (USA).gb" in n]
    assert "before a `db restore`, and has no record of now" in note and "`--prune-others`" in note


def test_a_file_at_the_records_folders_name_is_said_as_such(cli: Any, tmp_path: Path) -> None:
    """qa205 N1: a file named `.romrunner` on the card gave ".romrunner/destination-id:
    cannot be read (Not a directory)", naming a file that is not there."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    (gb / "Alpha (USA).gb").write_bytes(b"a" * 4096)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    (card / ".romrunner").write_text("the user's\n", encoding="utf-8")
    for dry in ((), ("--dry-run",)):
        refused = cli("deploy", "1", "--to", str(card), "platform:gb", *dry)
        assert refused.code == 2, refused.err
        (line,) = refused.err.strip().splitlines()
        assert line.startswith(f"error: {card / '.romrunner'}: a file, not a folder"), line
        assert "destination-id" not in line
    assert (card / ".romrunner").read_text(encoding="utf-8") == "the user's\n"
    assert not list(card.rglob("*.gb"))
