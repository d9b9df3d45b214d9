"""One card, two devices (two profiles deploying to it in turn): a prune by one keeps the
games the other's deploys put there (QA43 F4: they were all removed, without a word), and
says so; once that profile is deleted, its files are pruned as any."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _gb_files(card: Path) -> list[str]:
    return sorted(path.name for path in card.rglob("*.gb"))


def _two_profiles_library(cli: Any, tmp_path: Path,
                          files: tuple[tuple[str, tuple[str, ...]], ...]) -> Path:
    """A library of ``files`` (folder, names) scanned, one device, two Knulli profiles; the
    card folder (made)."""
    for folder, names in files:
        (tmp_path / "lib" / folder).mkdir(parents=True)
        for i, name in enumerate(names):
            (tmp_path / "lib" / folder / name).write_bytes(bytes([len(name) + i]) * 4096)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "create", "--device", "1", "--os", "knulli", "--name", "second")):
        assert cli(*args).code == 0, args
    return card


def test_a_prune_keeps_another_profiles_games_on_a_shared_card(cli: Any,
                                                               tmp_path: Path) -> None:
    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb", "B (USA).gb")),
                                                 ("snes", ("S (USA).sfc",))))
    for args in (("deploy", "1", "--to", card, "platform:gb"),
                 ("deploy", "2", "--to", card, "platform:snes")):
        assert cli(*args).code == 0, args
    assert _gb_files(card) == ["A (USA).gb", "B (USA).gb"]
    dry = cli("--json", "deploy", "2", "--to", card, "platform:snes", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["prune"] == []
    first = cli("--json", "profile", "show", "1").json()["data"]["name"]
    assert first  # (qa175 F7: the profile by its name too, not by its id alone)
    assert any(f"another profile's deploys chose on this card (profile 1 '{first}'): a card "
               "two profiles share" in note
               and "`romrunner profile rm 1` lets this prune remove" in note  # (QA102 F3)
               for note in dry.json()["data"]["notes"])
    kept = [{"path": f"roms/gb/{name}", "profile": 1, "profiles": [1]}
            for name in ("A (USA).gb", "B (USA).gb")]
    assert dry.json()["data"]["prune_other_profile"] == kept  # (QA94 F6)
    run = cli("--json", "deploy", "2", "--to", card, "platform:snes", "--prune")
    assert run.code == 0 and run.json()["data"]["pruned"] == 0
    assert run.json()["data"]["prune_other_profile"] == kept
    assert _gb_files(card) == ["A (USA).gb", "B (USA).gb"]
    # The first profile's own prune still removes what it no longer chooses.
    own = cli("--json", "deploy", "1", "--to", card, "title:a", "platform:gb", "--prune")
    assert own.code == 0 and own.json()["data"]["pruned"] == 1, own.out
    assert _gb_files(card) == ["A (USA).gb"]
    assert cli("profile", "rm", "1", "--force").code == 0
    gone = cli("--json", "deploy", "2", "--to", card, "platform:snes", "--prune")
    assert gone.code == 0 and gone.json()["data"]["pruned"] == 1
    assert _gb_files(card) == []


def test_a_prune_keeps_the_games_another_profile_found_already_there(cli: Any,
                                                                     tmp_path: Path) -> None:
    """Review 21 R2, the other order: profile 1 puts Game Boy and SNES games on the card,
    profile 2 deploys the SNES ones (found there, unchanged: nothing written); profile 1's
    prune of its SNES games keeps them — profile 2 chose them — and says so."""
    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb",)),
                                                 ("snes", ("S (USA).sfc", "T (USA).sfc"))))
    assert cli("deploy", "1", "--to", card, "platform:gb,snes").code == 0
    second = cli("--json", "deploy", "2", "--to", card, "platform:snes")
    assert second.code == 0 and second.json()["data"]["copied"] == 0, second.out
    pruning = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune")
    assert pruning.code == 0 and pruning.json()["data"]["pruned"] == 0, pruning.out
    assert sorted(p.name for p in card.rglob("*.sfc")) == ["S (USA).sfc", "T (USA).sfc"]
    assert any("another profile's deploys chose on this card (profile 2 'second')" in note
               for note in pruning.json()["data"]["notes"])
    # profile 2 no longer chooses T: its own prune removes it
    own = cli("--json", "deploy", "2", "--to", card, "title:s", "platform:snes", "--prune")
    assert own.code == 0 and own.json()["data"]["pruned"] == 1, own.out
    assert sorted(p.name for p in card.rglob("*.sfc")) == ["S (USA).sfc"]


def test_a_profile_adding_games_in_two_deploys_keeps_both_on_a_shared_card(
        cli: Any, tmp_path: Path) -> None:
    """Review 27 R3: profile 2 adds Game Boy games in two deploys without --prune: profile
    1's prune keeps both (only a completed prune of profile 2's lets a file go)."""
    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb", "B (USA).gb")),
                                                 ("snes", ("S (USA).sfc",))))
    for args in (("deploy", "1", "--to", card, "platform:snes"),
                 ("deploy", "2", "--to", card, "title:a", "platform:gb"),
                 ("deploy", "2", "--to", card, "title:b", "platform:gb")):
        assert cli(*args).code == 0, args
    pruning = cli("--json", "deploy", "1", "--to", card, "platform:snes", "--prune")
    assert pruning.code == 0 and pruning.json()["data"]["pruned"] == 0, pruning.out
    assert _gb_files(card) == ["A (USA).gb", "B (USA).gb"]


def test_a_prune_keeps_the_copy_another_profile_kept_as_a_conflict(cli: Any,
                                                                    tmp_path: Path) -> None:
    """QA94 F1: profile 1 kept the card's good dump of a game whose library file was cut
    short since (a conflict, `--overwrite` replaces it); profile 2's `--prune` took that as
    profile 1 letting it go and removed the game's only good copy."""
    import hashlib
    import zlib
    good = bytes(range(256)) * 1024
    rom = tmp_path / "lib" / "snes" / "Alpha (USA).sfc"
    rom.parent.mkdir(parents=True)
    rom.write_bytes(good)
    (tmp_path / "lib" / "gb").mkdir()
    (tmp_path / "lib" / "gb" / "G (USA).gb").write_bytes(b"\x03" * 4096)
    dat = tmp_path / "snes.dat"
    dat.write_text(
        '<?xml version="1.0"?><datafile><header><name>T</name><description>T</description>'
        '<version>1</version></header><game name="Alpha (USA)"><description>Alpha (USA)'
        f'</description><rom name="Alpha (USA).sfc" size="{len(good)}" '
        f'crc="{zlib.crc32(good):08x}" md5="{hashlib.md5(good).hexdigest()}" '
        f'sha1="{hashlib.sha1(good).hexdigest()}"/></game></datafile>')
    card = tmp_path / "card"
    card.mkdir()
    for args in (("dat", "import", dat, "--platform", "snes"),
                 ("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "create", "--device", "1", "--os", "knulli", "--name", "second"),
                 ("deploy", "1", "--to", card, "platform:snes"),
                 ("deploy", "2", "--to", card, "platform:gb")):
        assert cli(*args).code == 0, args
    rom.write_bytes(good[:100_000])  # a bad re-dump, shorter
    assert cli("scan", "--workers", "1").code == 0
    kept = cli("--json", "deploy", "1", "--to", card, "platform:snes", "--prune")
    assert kept.code == 1 and kept.json()["data"]["conflicts"] == 1
    (on_card,) = card.rglob("Alpha (USA).sfc")
    assert on_card.read_bytes() == good
    other = cli("--json", "deploy", "2", "--to", card, "platform:gb", "--prune")
    assert other.code == 0 and other.json()["data"]["pruned"] == 0, other.out
    assert on_card.read_bytes() == good


def test_a_prune_keeps_the_copies_another_profile_held(cli: Any, tmp_path: Path) -> None:
    """QA94 F1 (its second route): profile 1's `--prune` left out a disc game whose track
    changed since the scan, keeping its card copy without an item of its own; profile 2's
    `--prune` took that as profile 1 letting the game go and removed its sheet and track."""
    lib = tmp_path / "lib" / "psx"
    lib.mkdir(parents=True)
    track = lib / "Disc Game (Japan).bin"
    track.write_bytes(b"\x01" * 40_000)
    (lib / "Disc Game (Japan).cue").write_text(
        'FILE "Disc Game (Japan).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (lib / "Other (Japan).bin").write_bytes(b"\x02" * 30_000)
    (lib / "Other (Japan).cue").write_text(
        'FILE "Other (Japan).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (tmp_path / "lib" / "gb").mkdir()
    (tmp_path / "lib" / "gb" / "G (USA).gb").write_bytes(b"\x03" * 4096)
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "create", "--device", "1", "--os", "knulli", "--name", "second"),
                 ("deploy", "1", "--to", card, "platform:psx"),
                 ("deploy", "2", "--to", card, "platform:gb")):
        assert cli(*args).code == 0, args
    before = sorted(path.name for path in card.rglob("Disc Game*"))
    assert before == ["Disc Game (Japan).bin", "Disc Game (Japan).cue"]
    track.write_bytes(b"\x04" * 40_001)  # re-ripped, not rescanned yet
    held = cli("deploy", "1", "--to", card, "platform:psx", "--prune")
    assert held.code == 1 and "changed since the scan" in held.err, held.err  # (left out)
    assert sorted(path.name for path in card.rglob("Disc Game*")) == before
    other = cli("--json", "deploy", "2", "--to", card, "platform:gb", "--prune")
    assert other.code == 0 and other.json()["data"]["pruned"] == 0, other.out
    assert sorted(path.name for path in card.rglob("Disc Game*")) == before


def test_a_prune_keeps_another_profiles_held_copy_under_an_earlier_name(
        cli: Any, tmp_path: Path) -> None:
    """Review 103 F1: a game renamed in the library (the scan follows it), then changed
    before the next deploy: profile 1's `--prune` keeps its copy under the earlier name,
    saying so, but recorded as held only copies at the plan's own paths; profile 2's
    `--prune` then removed the only copy of a game profile 1 still chooses."""
    card = _two_profiles_library(cli, tmp_path, (("gb", ("G (USA).gb",)),
                                                 ("snes", ("S (USA).sfc",))))
    for args in (("deploy", "1", "--to", card, "platform:gb"),
                 ("deploy", "2", "--to", card, "platform:snes")):
        assert cli(*args).code == 0, args
    assert _gb_files(card) == ["G (USA).gb"]
    gb = tmp_path / "lib" / "gb"
    (gb / "G (USA).gb").rename(gb / "G2 (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    (gb / "G2 (USA).gb").write_bytes(b"\x04" * 4097)  # patched, not rescanned yet
    held = cli("deploy", "1", "--to", card, "platform:gb", "--prune")
    assert held.code == 1 and "changed since the scan" in held.err, held.err
    assert _gb_files(card) == ["G (USA).gb"]  # kept: the card's only copy of G
    other = cli("--json", "deploy", "2", "--to", card, "platform:snes", "--prune")
    assert other.code == 0 and other.json()["data"]["pruned"] == 0, other.out
    assert _gb_files(card) == ["G (USA).gb"]


def test_a_game_missing_from_the_library_is_not_kept_for_a_profile_that_never_chose_it(
        cli: Any, tmp_path: Path) -> None:
    """Review 99 F1: profile 1's deploy recorded the card copy of every game missing from
    the library as held, its own or not; once the user forgot the deleted game, profile 2's
    prune kept it "for profile 1", which never chose a gb game."""
    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb", "B (USA).gb")),
                                                 ("snes", ("S (USA).sfc",))))
    for args in (("deploy", "1", "--to", card, "platform:snes"),
                 ("deploy", "2", "--to", card, "platform:gb")):
        assert cli(*args).code == 0, args
    (tmp_path / "lib" / "gb" / "B (USA).gb").unlink()  # deleted on purpose
    for args in (("scan", "--workers", "1"),
                 ("deploy", "1", "--to", card, "platform:snes", "--prune"),
                 ("games", "forget", "--missing")):
        assert cli(*args).code == 0, args
    assert _gb_files(card) == ["A (USA).gb", "B (USA).gb"]
    pruned = cli("--json", "deploy", "2", "--to", card, "platform:gb", "--prune")
    assert pruned.code == 0 and pruned.json()["data"]["pruned"] == 1, pruned.out
    assert _gb_files(card) == ["A (USA).gb"]


def test_a_deploy_with_another_pack_than_the_cards_last_says_so(cli: Any,
                                                                tmp_path: Path) -> None:
    """QA98 F9: `--pack` forgotten in a new shell: the deploy said only that the card's
    copies were "left behind" in folders the other pack lays out, and wrote them again."""
    import json
    import shutil

    import romrunner.packs

    pack = tmp_path / "pack"
    shutil.copytree(Path(romrunner.packs.__file__).parent / "builtin", pack)
    devices = json.loads((pack / "devices.json").read_text(encoding="utf-8"))
    devices["devices"][0]["displayName"] += " (mine)"  # (another pack's content, same folders)
    (pack / "devices.json").write_text(json.dumps(devices, indent=1), encoding="utf-8")
    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb",)),))
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:gb").code == 0
    same = cli("--pack", pack, "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert same.code == 0 and "definition pack at" not in same.err
    other = cli("deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert other.code == 0, other.err
    assert f"(deployment 1) was planned with the definition pack at {pack}, this one with " \
        "the built-in pack" in other.err, other.err
    newer = tmp_path / "pack-2"  # (another folder's pack, named on purpose: review 100 F10)
    shutil.copytree(pack, newer)
    devices["devices"][0]["displayName"] += " v2"
    (newer / "devices.json").write_text(json.dumps(devices, indent=1), encoding="utf-8")
    updated = cli("--pack", newer, "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert updated.code == 0 and "definition pack at" not in updated.err, updated.err


def test_removing_a_profile_whose_deploy_never_finished_says_its_copies_stay_untracked(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA102 F4: `profile rm --force` after a killed deploy dropped the only record of the
    files it had copied and the card's record of ROM Runner's files lacks, without a word.
    Those the card's record lists are said of no more (review 105 F1: a run saves it as it
    goes, and the next prune removes them)."""
    import sqlite3

    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb",)),
                                                 ("snes", ("S (USA).sfc",))))
    for args in (("deploy", "1", "--to", card, "platform:gb"),
                 ("deploy", "2", "--to", card, "platform:snes")):
        assert cli(*args).code == 0, args
    with sqlite3.connect(db_path) as conn:  # as a kill -9 leaves it: copied, never ended
        conn.execute("UPDATE deployment_history SET status = 'started' WHERE id = 1")
    saved = (card / ".romrunner" / "manifest.json").read_bytes()
    (card / ".romrunner" / "manifest.json").unlink()  # (killed before its first save)
    refused = cli("profile", "rm", "1")
    assert refused.code == 2 and f"deployment 1 to {card} never finished: 1 file it copied:" \
        f" in no card's record" in refused.err, refused.err
    assert "`romrunner deploy resume 1`" in refused.err
    id_file = card / ".romrunner" / "destination-id"
    its_id = id_file.read_text()
    id_file.write_text("rr-another-card\n")  # another card at the folder (review 108 F4)
    (card / ".romrunner" / "manifest.json").write_bytes(saved)
    other = cli("profile", "rm", "1")
    assert "the card is not there to tell how many" in other.err, other.err
    id_file.write_text(its_id)
    (card / ".romrunner" / "manifest.json").write_bytes(saved)  # (saved as it went)
    listed = cli("--json", "profile", "rm", "1", "--force")
    assert listed.code == 0 and listed.json()["warnings"] == [], listed.out
    assert cli("--json", "deploy", "2", "--to", card, "platform:snes", "--prune").json()[
        "data"]["pruned"] == 1  # (the card's record knew it: a deleted profile's, pruned)


def test_a_prune_keeps_the_playlist_another_profile_held_under_an_earlier_name(
        cli: Any, tmp_path: Path) -> None:
    """Review 105 F4: a set renamed in the library, then its disc 2 changed before the next
    deploy: profile 1's `--prune` kept the old-name .m3u with disc 2 ("never pruned"), but
    recorded only the discs as its own; profile 2's `--prune` removed the playlist."""
    import hashlib

    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    cue = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    for n in (1, 2):
        name = f"Parasite Eve (USA) (Disc {n})"
        (psx / f"{name}.bin").write_bytes(hashlib.sha256(name.encode()).digest() * 150)
        (psx / f"{name}.cue").write_text(cue.format(name))
    card = _two_profiles_library(cli, tmp_path, (("gb", ("G (USA).gb",)),))
    for args in (("deploy", "1", "--to", card, "platform:psx"),
                 ("deploy", "2", "--to", card, "platform:gb")):
        assert cli(*args).code == 0, args
    before = sorted(p.relative_to(card).as_posix() for p in card.rglob("*")
                    if p.is_file() and "psx" in p.parts)
    assert "roms/psx/Parasite Eve (USA).m3u" in before
    for n in (1, 2):
        old, new = f"Parasite Eve (USA) (Disc {n})", f"Parasite Eve (USA) (Rev 1) (Disc {n})"
        (psx / f"{old}.bin").rename(psx / f"{new}.bin")
        (psx / f"{old}.cue").unlink()
        (psx / f"{new}.cue").write_text(cue.format(new))
    assert cli("scan", "--workers", "1").code == 0
    (psx / "Parasite Eve (USA) (Rev 1) (Disc 2).bin").write_bytes(b"\x05" * 9601)  # patched
    held = cli("deploy", "1", "--to", card, "platform:psx", "--prune")
    assert held.code == 1 and "Parasite Eve (USA).m3u" in held.err, held.err
    other = cli("--json", "deploy", "2", "--to", card, "platform:gb", "--prune")
    assert other.code == 0 and other.json()["data"]["pruned"] == 0, other.out
    assert (card / "roms" / "psx" / "Parasite Eve (USA).m3u").is_file()


def test_a_copy_of_a_card_used_beside_it_is_said(cli: Any, tmp_path: Path) -> None:
    """QA102 F5: a card copied to another (its `.romrunner/` and id with it), both used: each
    one's records were taken for the other's, without a word."""
    import shutil

    card = _two_profiles_library(cli, tmp_path, (("gb", ("A (USA).gb",)),))
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    clone = tmp_path / "bigger-card"
    shutil.copytree(card, clone)
    dry = cli("--json", "deploy", "2", "--to", clone, "platform:gb", "--dry-run")
    said = [n for n in dry.json()["data"]["notes"] if "holds this card's id too" in n]
    assert said and said[0].startswith(f"{card}: holds this card's id too"), dry.out
    ran = cli("--json", "deploy", "2", "--to", clone, "platform:gb")
    assert any(n.startswith(f"{card}: holds this card's id too")
               for n in ran.json()["data"]["notes"]), ran.out
    back = cli("--json", "deploy", "1", "--to", card, "platform:gb")
    assert any(n.startswith(f"{clone}: holds this card's id too")
               for n in back.json()["data"]["notes"]), back.out
    (clone / ".romrunner" / "destination-id").unlink()  # the way out it names
    again = cli("--json", "deploy", "2", "--to", clone, "platform:gb")
    assert not [n for n in again.json()["data"]["notes"] if "holds this card's id" in n]
    assert (card / "roms" / "gb" / "A (USA).gb").is_file()
