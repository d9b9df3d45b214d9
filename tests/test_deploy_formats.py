"""One game in two formats — ``Game (USA).iso`` beside ``Game (USA).rvz``, a cue/bin beside its
``.chd`` — goes on the card once, in the format its emulator reads best; the other is said to
be left out. Two games are never taken for one: another region, another title, another disc id
read from the image."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

import romrunner.deploy.plan as plan_module
from romrunner.deploy.plan import build_plan
from romrunner.packs import builtin_pack_path
from romrunner.packs.loader import load_pack
from tests.conftest import muos_profile, shared_path
from tests.test_deploy_support import Layout, make_library

_GAMECUBE_MAGIC = 0xC2339F3D


def gamecube_image(game_id: bytes, filler: bytes, container: str = "iso") -> bytes:
    """A GameCube disc image whose header has ``game_id``; in a CISO or RVZ container as
    their headers place the disc header (what the scan reads its game id from)."""
    header = bytearray(0x440)
    header[:6] = game_id
    struct.pack_into(">I", header, 0x1C, _GAMECUBE_MAGIC)
    if container == "ciso":
        head = bytearray(0x8000)
        head[:4] = b"CISO"
        return bytes(head) + bytes(header) + filler * 64
    if container == "rvz":
        head = bytearray(0x58)
        head[:4] = b"RVZ\x01"
        return bytes(head) + bytes(header) + filler * 64
    return bytes(header) + filler * 40_000


def card_names(card: Path) -> list[str]:
    return sorted(str(p.relative_to(card)) for p in card.rglob("*")
                  if p.is_file() and ".romrunner" not in p.parts)


def test_a_gamecube_game_in_three_formats_goes_once_in_its_platforms_preferred_one(
        cli: Any, tmp_path: Path) -> None:
    pack = str(shared_path("definition-pack"))
    folder = tmp_path / "roms" / "gamecube"
    folder.mkdir(parents=True)
    for container in ("iso", "ciso", "rvz"):
        (folder / f"Melee (USA).{container}").write_bytes(
            gamecube_image(b"GALE01", b"m", container))
    # another release, another title, and a name shared by two discs of other ids: all stay
    (folder / "Melee (Europe).iso").write_bytes(gamecube_image(b"GALP01", b"e"))
    (folder / "Other (USA).iso").write_bytes(gamecube_image(b"GOTE01", b"o"))
    (folder / "Zelda (USA).iso").write_bytes(gamecube_image(b"GZLE01", b"z"))
    (folder / "Zelda (USA).ciso").write_bytes(gamecube_image(b"GZLJ01", b"j", "ciso"))
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "batocera"),
                 ("profile", "set", "1", "--mode", "permissive")):
        assert cli("--pack", pack, *args).code == 0, args
    ids = {row["filename"]: row["id"]
           for row in cli("--json", "games", "ls").json()["data"]["games"]}
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gamecube",
              "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()
    assert sorted((c["game_id"], c["same_as"]) for c in data["data"]["plan"]["copies"]) == \
        sorted([(ids["Melee (USA).iso"], ids["Melee (USA).rvz"]),
                (ids["Melee (USA).ciso"], ids["Melee (USA).rvz"])])
    said = [w for w in data["warnings"] if "in another format" in w]
    assert len(said) == 1 and "2 chosen games are the same game" in said[0]
    assert "Melee (USA).ciso: Melee (USA).rvz goes" in said[0]
    assert "Melee (USA).iso: Melee (USA).rvz goes" in said[0]
    assert data["data"]["chosen"]["left_out"] == 0  # (a copy is no game left out)
    result = cli("--pack", pack, "deploy", "1", "--to", card, "platform:gamecube")
    assert result.code == 0, result.err
    assert "in another format" in result.err
    assert card_names(card) == [f"roms/gamecube/{name}" for name in (
        "Melee (Europe).iso", "Melee (USA).rvz", "Other (USA).iso", "Zelda (USA).ciso",
        "Zelda (USA).iso")]


def test_a_query_naming_a_psp_iso_and_its_cso_says_the_one_left_out(
        cli: Any, tmp_path: Path) -> None:
    """The built-in pack names no preferred format: the compressed image goes."""
    root = tmp_path / "roms"
    (root / "psp").mkdir(parents=True)
    (root / "psx").mkdir()
    (root / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    (root / "psp" / "Patapon (USA).cso").write_bytes(b"CISO" + b"q" * 2_000)
    (root / "psx" / "Crash (USA).bin").write_bytes(b"\x01" * 2352 * 40)
    (root / "psx" / "Crash (USA).cue").write_text(
        'FILE "Crash (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    chd = bytearray(124)
    chd[:8] = b"MComprHD"
    struct.pack_into(">II", chd, 8, 124, 5)
    (root / "psx" / "Crash (USA).chd").write_bytes(bytes(chd) + b"c" * 1_000)
    (root / "psx" / "Crash (Europe).bin").write_bytes(b"\x02" * 2352 * 40)
    (root / "psx" / "Crash (Europe).cue").write_text(  # another region's: stays
        'FILE "Crash (Europe).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    muos_profile(cli, root)
    ids = {row["filename"]: row["id"]
           for row in cli("--json", "games", "ls").json()["data"]["games"]}
    assert "Crash (USA).bin" not in ids  # (the cue's track)
    card = tmp_path / "card"
    card.mkdir()
    iso, cso = ids["Patapon (USA).iso"], ids["Patapon (USA).cso"]
    dry = cli("--json", "deploy", "1", "--to", card, f"id:{min(iso, cso)}..{max(iso, cso)}",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["plan"]["copies"] == [{"game_id": iso, "same_as": cso}]
    assert any("Patapon (USA).iso: Patapon (USA).cso goes" in w
               for w in dry.json()["warnings"])
    result = cli("deploy", "1", "--to", card, "platform:psp,psx")
    assert result.code == 0, result.err
    assert "Crash (USA).cue: Crash (USA).chd goes" in result.err
    names = [name.rpartition("/")[2] for name in card_names(card)]
    assert sorted(names) == ["Crash (Europe).bin", "Crash (Europe).cue", "Crash (USA).chd",
                             "Patapon (USA).cso"], names


def _psp_iso_and_chd(cli: Any, tmp_path: Path) -> tuple[str, Path]:
    """A PSP game as an .iso and a .chd, scanned with the real pack, profile 1 a Retroid
    Pocket 5 on Batocera (permissive); the pack's path and an empty card folder."""
    pack = str(shared_path("definition-pack"))
    folder = tmp_path / "roms" / "psp"
    folder.mkdir(parents=True)
    (folder / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    chd = bytearray(124)
    chd[:8] = b"MComprHD"
    struct.pack_into(">II", chd, 8, 124, 5)
    (folder / "Patapon (USA).chd").write_bytes(bytes(chd) + b"c" * 1_000)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "batocera"),
                 ("profile", "set", "1", "--mode", "permissive")):
        assert cli("--pack", pack, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    return pack, card


def test_the_format_its_emulator_cannot_read_is_the_one_left_out(
        cli: Any, tmp_path: Path) -> None:
    """A PSP game as an .iso and a .chd, run with PPSSPP's SDL build, which reads no CHD:
    the .iso goes, though the pack prefers CHD for the platform."""
    pack, card = _psp_iso_and_chd(cli, tmp_path)
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:psp",
              "--dry-run")
    assert any("Patapon (USA).iso: Patapon (USA).chd goes" in w for w in dry.json()["warnings"])
    assert cli("--pack", pack, "override", "set", "--platform", "psp", "--profile", "1",
               "--emulator", "ppsspp-sdl").code == 0
    result = cli("--pack", pack, "deploy", "1", "--to", card, "platform:psp")
    assert result.code == 0, result.err
    assert "Patapon (USA).chd: Patapon (USA).iso goes" in result.err
    assert card_names(card) == ["roms/psp/Patapon (USA).iso"]


def test_a_format_the_emulator_cannot_read_on_the_card_gives_way_to_one_it_reads(
        cli: Any, tmp_path: Path) -> None:
    """review42 F4: the .chd on the card (deployed for PPSSPP), the profile then switched to
    PPSSPP's SDL build, which reads no CHD: the card's copy went before the format, so the
    .chd stayed and the .iso it reads was left out, at every deploy and --prune (the
    auto-list chose the .iso). A copy its emulator cannot read is no copy that can go."""
    pack, card = _psp_iso_and_chd(cli, tmp_path)
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:psp").code == 0
    assert card_names(card) == ["roms/psp/Patapon (USA).chd"]
    assert cli("--pack", pack, "override", "set", "--platform", "psp", "--profile", "1",
               "--emulator", "ppsspp-sdl").code == 0
    result = cli("--pack", pack, "deploy", "1", "--to", card, "platform:psp", "--prune")
    assert result.code == 0, result.err
    assert "Patapon (USA).chd: Patapon (USA).iso goes" in result.err, result.err
    assert card_names(card) == ["roms/psp/Patapon (USA).iso"]


def test_the_auto_list_keeps_the_format_a_deploy_keeps(cli: Any, tmp_path: Path) -> None:
    """Of one GameCube game as an .iso (scanned first: the lower id) and an .rvz, the
    auto-list includes the .rvz, the platform's preferred format, and `deploy --auto`
    writes it alone."""
    pack = str(shared_path("definition-pack"))
    folder = tmp_path / "roms" / "gamecube"
    folder.mkdir(parents=True)
    (folder / "Melee (USA).iso").write_bytes(gamecube_image(b"GALE01", b"m"))
    assert cli("--pack", pack, "library", "add", tmp_path / "roms").code == 0
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    (folder / "Melee (USA).rvz").write_bytes(gamecube_image(b"GALE01", b"m", "rvz"))
    for args in (("scan", "--workers", "1"), ("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "batocera"),
                 ("profile", "set", "1", "--mode", "permissive")):
        assert cli("--pack", pack, *args).code == 0, args
    listed = {g["filename"]: g for g in
              cli("--pack", pack, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["Melee (USA).iso"]["game_id"] < listed["Melee (USA).rvz"]["game_id"]
    assert listed["Melee (USA).rvz"]["included"]
    assert not listed["Melee (USA).iso"]["included"]
    assert listed["Melee (USA).iso"]["kept_instead"] == listed["Melee (USA).rvz"]["game_id"]
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--pack", pack, "deploy", "1", "--to", card, "--auto")
    assert result.code == 0, result.err
    assert card_names(card) == ["roms/gamecube/Melee (USA).rvz"]


def test_the_line_of_the_games_chosen_counts_those_left_out_as_copies(
        cli: Any, tmp_path: Path) -> None:
    """The dry run's and the run's line of the games chosen, and their JSON's ``chosen``, say
    how many of them are left out as copies of another (the warnings say which)."""
    folder = tmp_path / "roms" / "psp"
    folder.mkdir(parents=True)
    (folder / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    (folder / "Patapon (USA).cso").write_bytes(b"CISO" + b"q" * 2_000)
    (folder / "Loco (USA).iso").write_bytes(b"l" * 50_000)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    line = ("3 games chosen (platform:psp), 1 of them left out as a copy of another chosen "
            "game (the warnings say which); 2 files")
    dry = cli("deploy", "1", "--to", card, "platform:psp", "--dry-run")
    assert dry.code == 0 and line in dry.out, dry.out
    dry_json = cli("--json", "deploy", "1", "--to", card, "platform:psp", "--dry-run")
    assert dry_json.json()["data"]["chosen"]["copies_left_out"] == 1
    run = cli("--json", "deploy", "1", "--to", card, "platform:psp")
    assert run.code == 0, run.err
    assert run.json()["data"]["chosen"] == dry_json.json()["data"]["chosen"]
    again = cli("deploy", "1", "--to", card, "platform:psp")
    assert again.code == 0 and line.partition(";")[0] in again.out, again.out


def test_the_format_on_the_card_or_unchanged_since_the_scan_goes_before_the_better_one(
        cli: Any, tmp_path: Path) -> None:
    """A PSP .iso on the card, its .cso scanned and then removed: the .iso stays chosen, and
    --prune leaves the card's only copy; on an empty card a .cso changed since the scan gives
    way to the .iso, which goes (neither went)."""
    folder = tmp_path / "roms" / "psp"
    folder.mkdir(parents=True)
    (folder / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    cso = folder / "Patapon (USA).cso"
    cso.write_bytes(b"CISO" + b"q" * 2_000)
    assert cli("scan", "--workers", "1").code == 0
    cso.unlink()
    result = cli("deploy", "1", "--to", card, "platform:psp", "--prune")
    assert result.code == 0, result.err
    assert "Patapon (USA).cso: Patapon (USA).iso goes" in result.err
    assert card_names(card) == ["ROMS/psp/Patapon (USA).iso"]
    cso.write_bytes(b"CISO" + b"r" * 3_000)  # (changed since the scan)
    empty = tmp_path / "empty"
    empty.mkdir()
    first = cli("deploy", "1", "--to", empty, "platform:psp")
    assert first.code == 0, first.err
    assert card_names(empty) == ["ROMS/psp/Patapon (USA).iso"]


def test_a_sheet_whose_data_files_the_deploy_does_not_carry_is_no_format_of_the_game(
        cli: Any, tmp_path: Path) -> None:
    """A Saturn CloneCD rip with a .cue beside its .ccd: the .ccd is not kept for the .cue
    (only the .ccd went, without its .img: the game could not run); both sheets go, the
    .cue with its track. A DOS floppy's .img beside a CD's .iso of one name: both go."""
    pack = str(shared_path("definition-pack"))
    saturn = tmp_path / "roms" / "saturn"
    saturn.mkdir(parents=True)
    (saturn / "Panzer (Japan).img").write_bytes(b"\x03" * 47_040)
    (saturn / "Panzer (Japan).sub").write_bytes(b"\x04" * 960)
    (saturn / "Panzer (Japan).ccd").write_text("[CloneCD]\nVersion=3\n")
    (saturn / "Panzer (Japan).cue").write_text(
        'FILE "Panzer (Japan).img" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n')
    dos = tmp_path / "roms" / "dos"
    dos.mkdir()
    (dos / "Doom.img").write_bytes(b"\x05" * 30_000)
    (dos / "Doom.iso").write_bytes(b"\x06" * 30_000)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "retroid-pocket-5"),
                 ("profile", "create", "--device", "1", "--os", "batocera"),
                 ("profile", "set", "1", "--mode", "permissive"),
                 ("override", "set", "--platform", "saturn", "--emulator", "kronos")):
        assert cli("--pack", pack, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--pack", pack, "deploy", "1", "--to", card, "platform:saturn,dos")
    assert "in another format" not in result.err, result.err
    names = card_names(card)
    for name in ("saturn/Panzer (Japan).cue", "saturn/Panzer (Japan).img",
                 "dos/Doom.img", "dos/Doom.iso"):
        assert f"roms/{name}" in names, names


def test_two_games_of_one_generic_name_in_folders_of_their_own_both_go(
        cli: Any, tmp_path: Path) -> None:
    """``A/Disc.iso`` and ``B/Disc.chd``, two games their hashes do not identify, each in a
    folder of its own: not one game (the .chd alone went); ``Game (USA).iso`` and its .cso in
    one folder still are."""
    psp = tmp_path / "roms" / "psp"
    for folder in ("A", "B"):
        (psp / folder).mkdir(parents=True)
    (psp / "A" / "Disc.iso").write_bytes(b"a" * 40_000)
    (psp / "B" / "Disc.cso").write_bytes(b"CISO" + b"b" * 1_000)
    (psp / "Game (USA).iso").write_bytes(b"g" * 40_000)
    (psp / "Game (USA).cso").write_bytes(b"CISO" + b"h" * 1_000)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", card, "platform:psp")
    assert result.code == 0, result.err
    assert "Game (USA).iso: Game (USA).cso goes" in result.err
    assert "Disc.iso" not in result.err, result.err
    names = [name.rpartition("/")[2] for name in card_names(card)]
    assert sorted(names) == ["Disc.cso", "Disc.iso", "Game (USA).cso"], names


def test_the_names_of_disc_images_no_other_shares_are_not_parsed(
        tmp_path: Path, monkeypatch: Any) -> None:
    """A plan reads the names of the images sharing a platform, a folder and a name only —
    it parsed every disc image's name (10 s of a 100k-disc library's plan) — and still
    leaves out the one of two formats."""
    files: dict[str, int | bytes] = {f"psp/Game {n} (USA).iso": bytes([n]) * 4096
                                     for n in range(1, 6)}
    files["psp/Pair (USA).iso"] = b"p" * 4096
    files["psp/Pair (USA).cso"] = b"CISO" + b"q" * 2048
    library = make_library(tmp_path, files)
    ids = [int(row[0]) for row in library.db.query("SELECT id FROM games")]
    parsed: list[str] = []
    real = plan_module.parse_filename

    def counted(name: str) -> Any:
        parsed.append(name)
        return real(name)

    monkeypatch.setattr(plan_module, "parse_filename", counted)
    plan = build_plan(library.db, Layout(tmp_path / "card"), ids,
                      pack=load_pack(builtin_pack_path()), profile_id=library.profile_id,
                      keep=False, include_bios=False)
    assert len(plan.copies) == 1
    assert not [name for name in parsed if name.startswith("Game ")], parsed


def test_the_card_folder_is_listed_once_and_one_file_of_a_pair_looked_at(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Whether a game in two formats is on the card is read from one listing of the card's
    folder, not asked of each game's path (one ``lstat`` each: seconds at 100k discs; a
    folder asked of more than a few hundred names) — a name the card holds in another case
    only asked of the card, whose rules decide — and of
    a pair's two files only the one ranked first is looked at in the library (a ``stat``
    each: the other's state cannot change which goes)."""
    files: dict[str, int | bytes] = {}
    for title in ("A", "B", "C"):
        files[f"psp/Pair {title} (USA).iso"] = title.encode() * 4096
        files[f"psp/Pair {title} (USA).cso"] = b"CISO" + title.encode() * 2048
    library = make_library(tmp_path, files)
    ids = [int(row[0]) for row in library.db.query("SELECT id FROM games")]
    card = tmp_path / "card"
    (card / "Roms" / "psp").mkdir(parents=True)
    (card / "Roms" / "psp" / "Pair A (USA).iso").write_bytes(b"A" * 4096)
    (card / "Roms" / "psp" / "pair b (usa).cso").write_bytes(b"x")  # (another case)
    asked: list[str] = []
    real_lexists = plan_module.os.path.lexists

    def lexists(path: Any) -> bool:
        if str(path).startswith(str(card)):
            asked.append(str(path).rpartition("/")[2])
        return real_lexists(path)

    looked: list[str] = []
    real_stat = plan_module._source_as_scanned

    def as_scanned(game: Any) -> bool:
        looked.append(game.filename)
        return real_stat(game)

    monkeypatch.setattr(plan_module, "_LISTED_AFTER", 0, raising=False)  # (500 by default)
    monkeypatch.setattr(plan_module.os.path, "lexists", lexists)
    monkeypatch.setattr(plan_module, "_source_as_scanned", as_scanned)
    plan = build_plan(library.db, Layout(card), ids, pack=load_pack(builtin_pack_path()),
                      profile_id=library.profile_id, keep=False, include_bios=False)
    names = {row[0]: str(row[1]).rpartition("/")[2]
             for row in library.db.query("SELECT id, filepath FROM games")}
    # (the card's .iso stays; else the compressed image goes — whatever the card says of
    # the other spelling: the .cso goes either way)
    assert sorted((names[left], names[kept]) for left, kept in plan.copies) == [
        ("Pair A (USA).cso", "Pair A (USA).iso"), ("Pair B (USA).iso", "Pair B (USA).cso"),
        ("Pair C (USA).iso", "Pair C (USA).cso")]
    assert asked == ["Pair B (USA).cso"], asked
    assert sorted(looked) == ["Pair A (USA).iso", "Pair B (USA).cso", "Pair C (USA).cso"]


def test_what_is_said_of_a_game_left_out_for_another_format_is_true(
        cli: Any, tmp_path: Path) -> None:
    """The .iso and the .cso each on the card from a deploy of its own: a deploy of both
    without --prune says the one left out stays there until a --prune, and the note of the
    files it leaves there does not call it no longer chosen; two files of an undecided
    platform are no game in two formats (neither goes)."""
    folder = tmp_path / "roms" / "psp"
    folder.mkdir(parents=True)
    (folder / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    (folder / "Patapon (USA).cso").write_bytes(b"CISO" + b"q" * 2_000)
    misc = tmp_path / "roms" / "misc"
    misc.mkdir()
    (misc / "Thing (USA).iso").write_bytes(b"t" * 40_000)
    chd = bytearray(124)
    chd[:8] = b"MComprHD"
    struct.pack_into(">II", chd, 8, 124, 5)
    (misc / "Thing (USA).chd").write_bytes(bytes(chd) + b"u" * 1_000)
    muos_profile(cli, tmp_path / "roms")
    ids = {row["filename"]: row["id"]
           for row in cli("--json", "games", "ls").json()["data"]["games"]}
    card = tmp_path / "card"
    card.mkdir()
    for name in ("Patapon (USA).iso", "Patapon (USA).cso"):
        assert cli("deploy", "1", "--to", card, f"id:{ids[name]}").code == 0
    result = cli("deploy", "1", "--to", card, "platform:psp")
    assert result.code == 0, result.err
    assert "Patapon (USA).iso: Patapon (USA).cso goes); the one left out that an earlier " \
        "deploy put on the card stays there beside the one that goes until a deploy with " \
        "--prune removes it" in result.err, result.err
    assert "no longer chosen or left out as copies of another chosen game" in result.out + \
        result.err
    pruned = cli("deploy", "1", "--to", card, "platform:psp", "--prune")
    assert pruned.code == 0 and "stays there" not in pruned.err, pruned.err
    assert card_names(card) == ["ROMS/psp/Patapon (USA).cso"]
    thing = cli("--json", "deploy", "1", "--to", card, "title:thing", "--dry-run")
    assert thing.json()["data"]["plan"]["copies"] == [], thing.json()
    assert not [w for w in thing.json()["warnings"] if "in another format" in w]


def test_a_chosen_game_held_on_the_card_as_another_is_no_copy_of_a_chosen_one(
        cli: Any, tmp_path: Path) -> None:
    """A game whose content the card holds as an absent game's copy (its root away) is left
    out, said so, but not counted as a copy of another chosen game in the chosen line."""
    for root, name in (("a", "Game (USA).gb"), ("b", "Game (USA) (Copy).gb")):
        (tmp_path / root / "gb").mkdir(parents=True)
        (tmp_path / root / "gb" / name).write_bytes(bytes(range(256)) * 64)
    for args in (("library", "add", tmp_path / "a"), ("library", "add", tmp_path / "b"),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    ids = {row["filename"]: row["id"]
           for row in cli("--json", "games", "ls").json()["data"]["games"]}
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, f"id:{ids['Game (USA).gb']}").code == 0
    (tmp_path / "a").rename(tmp_path / "a.away")
    copy = ids["Game (USA) (Copy).gb"]
    dry = cli("--json", "deploy", "1", "--to", card, f"id:{copy}", "--dry-run")
    assert dry.json()["data"]["plan"]["copies"] == [
        {"game_id": copy, "same_as": ids["Game (USA).gb"]}], dry.json()
    assert dry.json()["data"]["chosen"]["copies_left_out"] == 0
    run = cli("deploy", "1", "--to", card, f"id:{copy}")
    assert "left out as a copy" not in run.out, run.out


@pytest.mark.parametrize("failing", ["in the way", "changed"])
def test_the_card_copy_of_the_format_left_out_stays_when_the_chosen_one_fails(
        cli: Any, tmp_path: Path, failing: str) -> None:
    """review41c F5: the .iso on the card (its root away now), the .cso chosen over it; the
    .cso's copy fails — a folder in its way on the card, its source changed since the scan —
    and --prune removed the .iso first: the card had no copy of the game. The .iso goes only
    once the .cso is on the card."""
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "psp").mkdir(parents=True)
    (second / "psp").mkdir(parents=True)
    (first / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    muos_profile(cli, first)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    (iso,) = card_names(card)
    cso = second / "psp" / "Patapon (USA).cso"
    cso.write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    assert cli("library", "add", second).code == 0
    assert cli("scan", "--workers", "1").code == 0
    first.rename(tmp_path / "a-away")
    if failing == "in the way":
        (card / iso).with_suffix(".cso").joinpath("x").mkdir(parents=True)
    else:
        cso.write_bytes(cso.read_bytes() + b"more")
    dry = cli("--json", "deploy", "1", "--to", card, "platform:psp", "--prune", "--dry-run")
    assert dry.code == 1 and dry.json()["data"]["prune"] == [], dry.out  # (1 would fail)
    result = cli("--json", "deploy", "1", "--to", card, "platform:psp", "--prune")
    assert result.json()["data"]["failed"] == 1, result.out
    assert result.json()["data"]["pruned"] == 0
    assert (card / iso).is_file()
    if failing == "in the way":  # (kept until the .cso goes, not "never pruned": review42b F4)
        assert result.json()["data"]["prune_unreplaced"] == [iso], result.out
        (note,) = [n for n in result.json()["data"]["notes"] if iso in n]
        assert note.startswith("--prune kept 1 file whose game's new copy (another name, "
                               "folder or format of it) was not written: the next --prune "
                               "removes it once it is"), note
    if failing == "in the way":  # (the way clear: the .cso goes, then the .iso)
        (card / iso).with_suffix(".cso").joinpath("x").rmdir()
        (card / iso).with_suffix(".cso").rmdir()
        again = cli("--json", "deploy", "1", "--to", card, "platform:psp", "--prune")
        assert again.code == 0, again.err
        assert card_names(card) == [str(Path(iso).with_suffix(".cso"))]


def test_a_resumed_run_prunes_the_format_left_out_only_once_the_chosen_one_is_written(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review42b F3: a deploy --prune recorded and stopped before its first file (killed),
    then resumed: the resume, which has no plan to say which game the .iso was left out
    for, pruned it first, and the .cso's copy failed (a folder in its way): the card had no
    copy of the game. It waits for the .cso as the run itself does."""
    from romrunner.deploy.execute import DeployOptions, record_deployment
    from romrunner.deploy.select import choose_games
    from romrunner.devices.paths import card_layout
    from romrunner.store import Database

    first, second = tmp_path / "a", tmp_path / "b"
    (first / "psp").mkdir(parents=True)
    (second / "psp").mkdir(parents=True)
    (first / "psp" / "Patapon (USA).iso").write_bytes(b"p" * 50_000)
    muos_profile(cli, first)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    (iso,) = card_names(card)
    (second / "psp" / "Patapon (USA).cso").write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    assert cli("library", "add", second).code == 0
    assert cli("scan", "--workers", "1").code == 0
    first.rename(tmp_path / "a-away")  # (the .cso chosen: the .iso's root away)
    pack = load_pack(builtin_pack_path())
    db = Database(db_path)
    try:
        layout = card_layout(db, pack, 1, card)
        chosen = choose_games(db, pack, 1, layout, words=("platform:psp",))
        plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=1, pruning=True)
        assert [item.dest for item in plan.items] == [str(Path(iso).with_suffix(".cso"))]
        record_deployment(db, plan, profile_id=1, options=DeployOptions(prune=True))
    finally:
        db.close()
    (tmp_path / "a-away").rename(first)  # (back before the resume)
    (card / iso).with_suffix(".cso").joinpath("x").mkdir(parents=True)
    resumed = cli("--json", "deploy", "resume")
    data = resumed.json()["data"]
    assert data["failed"] == 1 and data["pruned"] == 0, resumed.out
    assert (card / iso).is_file()


# A `romrunner` run that kills itself (SIGKILL) as it starts to copy a .cso: a deploy --prune
# stopped with the .iso's prune put off until that copy is written (see _moved_prunes)
_KILLED_AT_THE_CSO = """
import os, signal, sys
import romrunner.deploy.execute as execute
real = execute._Runner.copy_or_fail
def killed(self, item, *args, **kwargs):
    if item.dest.endswith(".cso"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, item, *args, **kwargs)
execute._Runner.copy_or_fail = killed
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _prune_killed_at_the_cso(cli: Any, tmp_path: Path, iso_name: str, cso_name: str,
                             killer: str = _KILLED_AT_THE_CSO) -> tuple[Path, str]:
    """``iso_name`` deployed to a muOS card, then ``cso_name`` (the same game, another
    library root) chosen instead by a deploy --prune (the .iso's root away) killed as it
    copies the .cso (``killer``: another point); the .iso's root back. The card, and the
    .iso's path on it."""
    import signal
    import subprocess
    import sys

    first, second = tmp_path / "a", tmp_path / "b"
    (first / "psp").mkdir(parents=True)
    (second / "psp").mkdir(parents=True)
    (first / "psp" / iso_name).write_bytes(b"p" * 50_000)
    muos_profile(cli, first)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:psp").code == 0
    (iso,) = card_names(card)
    (second / "psp" / cso_name).write_bytes(b"CISO" + bytes(20) + b"q" * 2_000)
    assert cli("library", "add", second).code == 0
    assert cli("scan", "--workers", "1").code == 0
    first.rename(tmp_path / "a-away")  # (the .cso chosen: the .iso's root away)
    driver = tmp_path / "driver.py"
    driver.write_text(killer)
    killed = subprocess.run([sys.executable, str(driver), "deploy", "1", "--to", str(card),
                             "platform:psp", "--prune"], capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (tmp_path / "a-away").rename(first)  # (back before the resume)
    if killer == _KILLED_AT_THE_CSO:
        assert card_names(card) == [iso]
    return card, iso


def test_a_resume_waits_for_the_copy_its_run_left_the_other_format_out_for(
        cli: Any, tmp_path: Path) -> None:
    """A resumed deploy --prune waits, as its run did, for the copy of the game the run
    left the .iso out for — by what the deployment recorded, not by the files' names: a
    .cso named otherwise (``Patapon Special``, the .iso ``Patapon - Special``: one game to
    the plan) was not waited for, the .iso pruned first, and the .cso's copy failing (a
    folder in its way) left the card no copy of the game."""
    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon - Special (USA).iso",
                                         "Patapon Special (USA).cso")
    cso = str(Path(iso).with_name("Patapon Special (USA).cso"))
    (card / cso / "x").mkdir(parents=True)
    resumed = cli("--json", "deploy", "resume")
    data = resumed.json()["data"]
    assert resumed.code == 1 and data["failed"] == 1 and data["pruned"] == 0, resumed.out
    assert data["prune_unreplaced"] == [iso]
    assert (card / iso).is_file()


def test_the_resume_that_writes_the_copy_a_kept_prune_waited_for_prunes_it(
        cli: Any, tmp_path: Path) -> None:
    """A deploy --prune killed, its resume's .cso failing (a folder in its way) keeps the
    .iso that waits for it (again when the .cso fails again); the resume that writes the
    .cso prunes the .iso, as the run would have (review42c F3: both formats were left on
    the card, no word said), and its counts and `deploy show`'s agree."""
    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon (USA).iso",
                                         "Patapon (USA).cso")
    cso = str(Path(iso).with_suffix(".cso"))
    (card / cso / "x").mkdir(parents=True)
    for resume in (("resume",), ("resume", "2")):  # (the second: its failed copy again)
        kept = cli("--json", "deploy", *resume)
        data = kept.json()["data"]
        assert kept.code == 1 and data["failed"] == 1 and data["pruned"] == 0, kept.out
        assert data["prune_unreplaced"] == [iso] and (card / iso).is_file()
    (card / cso / "x").rmdir()
    (card / cso).rmdir()
    again = cli("--json", "deploy", "resume", "2")
    data = again.json()["data"]
    assert again.code == 0, again.out
    assert data["copied"] == 1 and data["pruned"] == 1 and data["pruned_paths"] == [iso]
    assert data["prune_unreplaced"] == []
    assert card_names(card) == [cso]
    assert data["in_all"]["pruned"] == 1
    shown = cli("--json", "deploy", "show", "2").json()["data"]
    prunes = {c["status"]: c["files"] for c in shown["counts"] if c["action"] == "prune"}
    assert prunes == {"pruned": 1}, shown["counts"]


def test_a_resume_keeps_the_copy_whose_replacement_s_game_was_forgotten_since(
        cli: Any, tmp_path: Path) -> None:
    """review43b F2: the .cso's root forgotten (`library rm`) before the resume of a deploy
    --prune killed at the .cso: the .cso's copy fails ("forgotten"), and the .iso that
    waited for it was pruned at once — the card kept no copy of the game."""
    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon (USA).iso",
                                         "Patapon (USA).cso")
    assert cli("library", "rm", tmp_path / "b").code == 0
    resumed = cli("--json", "deploy", "resume")
    data = resumed.json()["data"]
    assert data["failed"] == 1 and data["pruned"] == 0, resumed.out
    assert data["prune_unreplaced"] == [iso]
    assert card_names(card) == [iso]


def test_a_kept_copy_the_user_removed_since_is_not_said_pruned_by_us(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review43b F3, F5: the .iso kept as its replacement was not written, then removed by
    the user: the resume that writes the .cso said "removed" it, 1 pruned. And a damaged
    link in the deployment's record is left out, not an internal error."""
    import sqlite3

    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon (USA).iso",
                                         "Patapon (USA).cso")
    cso = str(Path(iso).with_suffix(".cso"))
    (card / cso / "x").mkdir(parents=True)
    assert cli("deploy", "resume").code == 1  # (the .iso kept: its .cso not written)
    (card / cso / "x").rmdir()
    (card / cso).rmdir()
    (card / iso).unlink()  # the user's doing
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE deployment_history SET manifest_json = json_set(manifest_json, "
                     "'$.copy_of', json('{\"0\": null, \"x\": 1}')) WHERE id = 2")
    resumed = cli("--json", "deploy", "resume", "2")
    assert resumed.code == 0, resumed.out + resumed.err
    data = resumed.json()["data"]
    assert data["copied"] == 1 and data["pruned"] == 0 and data["pruned_paths"] == []
    assert card_names(card) == [cso]


_KILLED_AT_THE_ISO_PRUNE = """
import os, signal, sys
import romrunner.deploy.execute as execute
real = execute._Runner.prune
def killed(self, decision, *args, **kwargs):
    if decision.item.dest.endswith(".iso"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, decision, *args, **kwargs)
execute._Runner.prune = killed
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_resume_after_a_kill_between_the_new_copy_and_the_old_one_s_prune_prunes_it(
        cli: Any, tmp_path: Path) -> None:
    """review43c F1: a deploy --prune killed once the .cso was written, as it pruned the
    .iso: its resume kept the .iso for good, said "the copy that replaces it was not
    written" (the .cso, on the card as written, was not taken as there)."""
    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon (USA).iso",
                                         "Patapon (USA).cso", _KILLED_AT_THE_ISO_PRUNE)
    cso = str(Path(iso).with_suffix(".cso"))
    assert sorted(card_names(card)) == sorted([iso, cso])
    resumed = cli("--json", "deploy", "resume")
    data = resumed.json()["data"]
    assert resumed.code == 0, resumed.out
    assert data["pruned"] == 1 and data["pruned_paths"] == [iso], data
    assert data["prune_unreplaced"] == []
    assert card_names(card) == [cso]


def test_a_waiting_prune_whose_file_is_gone_already_is_not_said_kept(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review43c F2, F5: the .iso gone from the card before the resume (the killed run's
    doing, or the user's) was recorded and said "kept" while its .cso failed; and a damaged
    link to the game a prune waits for makes it wait for none, kept, not done at once."""
    import sqlite3

    card, iso = _prune_killed_at_the_cso(cli, tmp_path, "Patapon (USA).iso",
                                         "Patapon (USA).cso")
    with sqlite3.connect(db_path) as conn:
        (text,) = conn.execute("SELECT manifest_json FROM deployment_history WHERE id = 2"
                               ).fetchone()
        links = json.loads(text)["copy_of"]
        conn.execute("UPDATE deployment_history SET manifest_json = json_set(manifest_json, "
                     "'$.copy_of', json(?)) WHERE id = 2",
                     (json.dumps({seq: "damaged" for seq in links}),))
    cso = str(Path(iso).with_suffix(".cso"))
    (card / cso / "x").mkdir(parents=True)
    kept = cli("--json", "deploy", "resume")
    assert kept.json()["data"]["pruned"] == 0 and (card / iso).is_file(), kept.out
    (card / iso).unlink()
    gone = cli("--json", "deploy", "resume", "2")
    data = gone.json()["data"]
    assert data["prune_unreplaced"] == [], data
