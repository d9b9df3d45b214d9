"""A multi-disc set whose disc names carry each disc's own name after the disc tag — Redump's
``Biohazard 2 (Japan) (Disc 1) (Leon-hen)`` and ``(Disc 2) (Claire-hen)``, 280 of the PS1
DAT's disc names — is one set: one key, one playlist on the card, kept whole by the auto-list
(QA18 M1: each disc a set of its own since the key held the edition, so --auto kept one disc
and a query's discs went flat with a false "disc 1 is not in the library"). A tag there that
names an edition (``(PSone Books)``) still makes another set than the retail one's."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.datfile import read_dat
from romrunner.library.record import disc_set
from romrunner.library.tags import parse_filename, parse_name
from romrunner.packs import builtin_pack_path
from romrunner.textnorm import fold
from tests.conftest import shared_path
from tests.test_autolist import dat, rom
from tests.test_deploy_multidisc_layout import playable

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
BIO = ["Biohazard 2 (Japan) (Disc 1) (Leon-hen)", "Biohazard 2 (Japan) (Disc 2) (Claire-hen)"]
BIO_SET = "Biohazard 2 (Japan) (Leon-hen)"  # its playlist's name: its first disc's, as before
RETAIL = [f"Armored Core - Master of Arena (Japan) (Disc {n})" for n in (1, 2)]
BOOKS = [f"Armored Core - Master of Arena (Japan) (Disc {n}) (PSone Books)" for n in (1, 2)]


def _key(name: str) -> str | None:
    parsed = parse_filename(name)
    return disc_set("psx", parsed, fold(parsed.title) or "")[1]


@pytest.mark.parametrize("names", [
    BIO,
    ["Capcom Generations (Europe) (Disc 1) (Wings of Destiny)",
     "Capcom Generations (Europe) (Disc 2) (Chronicles of Arthur)"],
    ["Dungeon Creator (Japan) (Disc 1)", "Dungeon Creator (Japan) (Disc 2) (Memory Bank Disc)"],
    ["Emit Value Pack (Japan) (En,Ja) (Disc 1) (Vol. 1 - Toki no Maigo)",
     "Emit Value Pack (Japan) (En,Ja) (Disc 2) (Vol. 2 - Inochigake no Tabi)"],
    # a label that reads as languages ("In": 陰) or names a disc ("Premium CD-ROM")
    ["Tokyo Majin Gakuen - Kenpuuchou (Japan) (Disc 1) (You)",
     "Tokyo Majin Gakuen - Kenpuuchou (Japan) (Disc 2) (In)"],
    ["Bust A Move (Japan) (Disc 1) (Genteiban)",
     "Bust A Move (Japan) (Disc 2) (Premium CD-ROM) (Genteiban)"],
    # a label naming the edition the title names (QA104 F3)
    ["Super Robot Taisen - Complete Box (Japan) (Disc 1) (Super Robot Wars Complete Box)",
     "Super Robot Taisen - Complete Box (Japan) (Disc 2) (History of Super Robot Wars)"],
    # TOSEC: the media label after the media type
    ["Game (1996)(Publisher)(Disc 1 of 2)(Intro)", "Game (1996)(Publisher)(Disc 2 of 2)(Game)"],
])
def test_the_discs_of_a_set_named_each_its_own_share_its_key(names: list[str]) -> None:
    keys = {_key(f"{name}.cue") for name in names}
    assert len(keys) == 1 and None not in keys


@pytest.mark.parametrize(("one", "other"), [
    (RETAIL[0], BOOKS[0]),
    ("Valkyrie Profile (Japan) (Disc 1)", "Valkyrie Profile (Japan) (Disc 1) (Deluxe Pack)"),
    ("Sister Princess (Japan) (Disc 2)", "Sister Princess (Japan) (Disc 2) (Shokai Genteiban)"),
    ("Noel 3 (Japan) (Disc 1)", "Noel 3 (Japan) (Disc 1) (Major Wave)"),
    ("Million Classic (Japan) (Disc 1) (Honpen Game Sen'you)",
     "Million Classic (Japan) (Disc 1) (Honpen Game Sen'you) (Nescafe-ban)"),
    ("Chase the Express (Europe) (Disc 1)", "Chase the Express (Europe) (Disc 1) (Beta)"),
])
def test_an_edition_named_after_the_disc_tag_is_another_set(one: str, other: str) -> None:
    assert _key(f"{one}.cue") != _key(f"{other}.cue")


def test_a_discs_label_is_neither_languages_nor_an_extra_tag() -> None:
    parsed = parse_name("Tokyo Majin Gakuen - Gehouchou (Japan) (Disc 3) (Ja) (Genteiban)")
    assert parsed.disc_number == 3 and parsed.disc_label == "Ja"
    assert parsed.languages == () and parsed.other_tags == ("Genteiban",)
    kept = parse_name("Emit Value Pack (Japan) (En,Ja) (Disc 1) (Vol. 1 - Toki no Maigo)")
    assert kept.languages == ("En", "Ja") and kept.disc_label == "Vol. 1 - Toki no Maigo"
    # only right after a disc tag: elsewhere such a tag is read as before
    assert parse_name("Game (Japan) (Leon-hen) (Disc 1)").other_tags == ("Leon-hen",)
    assert parse_name("Game (Japan) (In)").languages == ("In",)
    assert parse_name("Game (Japan) (Disc 1) (Rev 1)").disc_label is None


# -- the real Redump DAT ------------------------------------------------------------
_DISC = re.compile(r"\s*\((?:Disc|Disk|CD)\s*(\d+|[A-Z])(?:\s*of\s*\d+)?\)", re.IGNORECASE)
_TAG = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SAME_SET = re.compile(r"^(?:Rev \S+|Alt(?: \d+)?)$")  # a revision or alternate: no other set


def _redump_sets(names: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Each disc name's set, told by the DAT's other names (not by the engine's rules): the
    tag right after the disc tag is that disc's label unless another name of the title has
    the same disc number and later tags without it (``(Disc 1)`` beside ``(Disc 1) (PSone
    Books)``: then it names an edition); a set is its title (what precedes the disc tag) and
    its edition tags, revisions and alternates left out (they are no other set)."""
    parts: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {}
    for name in names:
        disc = _DISC.search(name)
        assert disc is not None
        after = [paren or bracket for paren, bracket in _TAG.findall(name[disc.end():])]
        first = bool(after) and not _SAME_SET.match(after[0]) \
            and not parse_name(f"X ({after[0]})").flags
        rest = tuple(t for t in (after[1:] if first else after) if not _SAME_SET.match(t))
        parts[name] = (name[:disc.start()], disc.group(1), after[0] if first else None, rest)
    firsts: dict[tuple[str, str, tuple[str, ...]], set[str | None]] = defaultdict(set)
    for title, number, first_tag, rest in parts.values():
        firsts[(title, number, rest)].add(first_tag)
    sets = {}
    for name, (title, number, first_tag, rest) in parts.items():
        edition = first_tag is not None and firsts[(title, number, rest)] != {first_tag}
        sets[name] = (title, frozenset(rest) | ({first_tag} if edition and first_tag else set()))
    return sets


def test_the_redump_ps1_dats_multi_disc_sets_each_get_one_key_of_their_own() -> None:
    path = shared_path("dats", "redump", "Sony - PlayStation.dat")
    names = sorted({game.name for game in read_dat(path).games if _DISC.search(game.name)})
    assert len(names) > 1000, "the PS1 DAT lists 1,487 disc names"
    truth = _redump_sets(names)
    keys = {name: disc_set("psx", parsed, fold(parsed.title) or "")[1]
            for name in names for parsed in [parse_name(name)]}
    members: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for name, found in truth.items():
        members[found].append(name)
    sets_of_key: dict[str | None, set[tuple[str, frozenset[str]]]] = defaultdict(set)
    for name, key in keys.items():
        sets_of_key[key].add(truth[name])
    multi = {found: discs for found, discs in members.items()
             if len({_DISC.search(d).group(1) for d in discs if _DISC.search(d)}) > 1}
    wrong = sorted(found[0] for found, discs in multi.items()
                   if len({keys[d] for d in discs}) != 1
                   or sets_of_key[keys[discs[0]]] != {found})
    labelled = sum(1 for discs in multi.values()
                   if any(parse_name(d).disc_label for d in discs))
    assert len(multi) > 500 and labelled > 90  # 575 sets, 98 of them with labels
    # (QA104 F3: "Super Robot Taisen - Complete Box (Japan)" was apart, its first disc's
    # label, "(Super Robot Wars Complete Box)", read as an edition its title names already)
    assert wrong == []


# -- a library, an auto-list and cards ----------------------------------------------
def _write_discs(folder: Path, names: list[str], data: dict[str, bytes] | None = None,
                 files: dict[str, str] | None = None) -> None:
    """Each disc as a .cue and its .bin (named ``files[name]`` where given)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        stem = (files or {}).get(name, name)
        (folder / f"{stem}.bin").write_bytes(
            (data or {}).get(name) or hashlib.sha256(name.encode()).digest() * 150)
        (folder / f"{stem}.cue").write_text(CUE.format(f"{stem}.bin"))


def _set_up(cli: Any, tmp_path: Path, os_id: str = "muos", *extra: tuple[str, ...]) -> None:
    for args in (("library", "add", str(tmp_path / "roms")), *extra, ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def _keys(db_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): key for name, key in conn.execute(
            "SELECT filename, set_key FROM games WHERE format = 'cue'")}


@pytest.mark.parametrize(("os_id", "playlist", "discs"), [
    ("muos", f"ROMS/psx/{BIO_SET}.m3u", f"ROMS/psx/.{BIO_SET}"),
    ("knulli", f"roms/psx/{BIO_SET}.m3u", "roms/psx"),
])
def test_a_query_deploys_both_discs_as_one_set_with_its_playlist(
        cli: Any, tmp_path: Path, os_id: str, playlist: str, discs: str) -> None:
    psx = tmp_path / "roms" / "psx"
    _write_discs(psx, BIO)
    _set_up(cli, tmp_path, os_id)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "biohazard")
    assert result.code == 0, result.err
    assert playable(card, playlist) == [(psx / f"{name}.bin").read_bytes() for name in BIO]
    assert all((card / discs / f"{name}.cue").is_file() for name in BIO)
    assert not [w for w in result.json()["warnings"] if "not in the library" in w]


def test_the_auto_list_keeps_the_set_whole(cli: Any, tmp_path: Path) -> None:
    psx = tmp_path / "roms" / "psx"
    _write_discs(psx, BIO)
    _set_up(cli, tmp_path)
    games = {g["filename"]: g for g in cli("--json", "autolist", "1").json()["data"]["games"]}
    assert [(games[f"{name}.cue"]["included"], games[f"{name}.cue"]["dropped"])
            for name in BIO] == [(True, None), (True, None)]
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "--auto").code == 0
    assert playable(card, f"ROMS/psx/{BIO_SET}.m3u") == [
        (psx / f"{name}.bin").read_bytes() for name in BIO]


def test_a_retail_set_and_its_edition_named_after_the_disc_tag_are_two_sets(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    psx = tmp_path / "roms" / "psx"
    _write_discs(psx, RETAIL + BOOKS)
    _set_up(cli, tmp_path)
    keys = _keys(db_path)
    assert keys[f"{RETAIL[0]}.cue"] == keys[f"{RETAIL[1]}.cue"]
    assert keys[f"{BOOKS[0]}.cue"] == keys[f"{BOOKS[1]}.cue"] != keys[f"{RETAIL[0]}.cue"]
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    for title, names in (("Armored Core - Master of Arena (Japan)", RETAIL),
                         ("Armored Core - Master of Arena (Japan) (PSone Books)", BOOKS)):
        assert playable(card, f"ROMS/psx/{title}.m3u") == [
            (psx / f"{name}.bin").read_bytes() for name in names]


def test_a_disc_of_another_release_deployed_with_the_set_is_said_to_be_apart(
        cli: Any, tmp_path: Path) -> None:
    # the retail disc 1 and the PSone Books disc 2: two releases, so two sets; disc 1 is
    # in the library and goes on the card in the same run (QA18: "not in the library")
    _write_discs(tmp_path / "roms" / "psx", [RETAIL[0], BOOKS[1]])
    _set_up(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    gaps = [w for w in result.json()["warnings"] if "disc 1" in w]
    assert gaps == ["Armored Core - Master of Arena (Japan) (PSone Books): disc 1 goes on the "
                    f"card apart, as another release's ({RETAIL[0]}.cue: its name tells "
                    "another edition), not with this set's discs: the game may not be "
                    "finished on the device"]


@pytest.mark.parametrize("renamed", [("bio_1", "bio_2"), ("bio_1", None)])
def test_discs_identified_by_a_dat_are_one_set_named_or_renamed(
        cli: Any, db_path: Path, tmp_path: Path, renamed: tuple[str, str | None]) -> None:
    """Renamed discs take their disc and set from their catalog names, which carry the
    labels; a disc still named as its catalog game takes them from its own name."""
    psx = tmp_path / "roms" / "psx"
    data = {name: rom(name) for name in BIO}
    files = {name: stem for name, stem in zip(BIO, renamed, strict=True) if stem}
    _write_discs(psx, BIO, data, files)
    catalog = tmp_path / "psx.dat"
    catalog.write_text(dat("Sony - PlayStation", [(n, f"{files.get(n, n)}.bin", n, None)
                                                  for n in BIO]))
    _set_up(cli, tmp_path, "muos", ("dat", "import", str(catalog)))
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT match_method, disc_number, set_key FROM games "
                            "WHERE format = 'cue' ORDER BY disc_number").fetchall()
    assert [(method, disc) for method, disc, _ in rows] == [("tracks", 1), ("tracks", 2)]
    assert len({key for _, _, key in rows}) == 1
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    assert playable(card, f"ROMS/psx/{BIO_SET}.m3u") == [data[name] for name in BIO]


def _flat_pack(tmp_path: Path) -> Path:
    """The built-in pack as release 7800402 laid sets out: the discs beside the .m3u."""
    flat = tmp_path / "flat-pack"
    shutil.copytree(builtin_pack_path(), flat)
    names = json.loads((flat / "folder-names.json").read_text(encoding="utf-8"))
    del names["multiDiscLayouts"]
    (flat / "folder-names.json").write_text(json.dumps(names), encoding="utf-8")
    return flat


def test_a_card_an_earlier_release_filled_keeps_the_sets_playlist_through_a_prune(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """7800402 grouped such discs and wrote the set's .m3u; a library keyed by the release
    after it (each disc its own set: tag rules 5) is keyed again once by its next scan, and
    `deploy --prune` then keeps the playlist (QA18: it would have removed it, writing none)."""
    psx = tmp_path / "roms" / "psx"
    _write_discs(psx, BIO)
    _set_up(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    old = cli("--pack", str(_flat_pack(tmp_path)), "deploy", "1", "--to", str(card), "biohazard")
    assert old.code == 0, old.err
    playlist = card / f"ROMS/psx/{BIO_SET}.m3u"
    assert playlist.read_text() == "".join(f"{name}.cue\n" for name in BIO)
    with sqlite3.connect(db_path) as conn:  # as tag rules 5 keyed them: a set per disc
        for name, label in zip(BIO, ("leon-hen", "claire-hen"), strict=True):
            conn.execute("UPDATE games SET set_key = ? WHERE filename = ?",
                         (f"psx:biohazard 2:Japan:{label}", f"{name}.cue"))
        conn.execute("UPDATE user_settings SET value = '5' WHERE key = 'tag_rules_version'")
    assert cli("scan", "--workers", "1").code == 0
    assert len(set(_keys(db_path).values())) == 1
    dry = cli("--json", "deploy", "1", "--to", str(card), "biohazard", "--prune", "--force",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert not [w for w in dry.json()["warnings"] if "not in the library" in w]
    pruned = json.dumps(dry.json()["data"]["prune"])
    assert f"{BIO[0]}.cue" in pruned and f"{BIO_SET}.m3u" not in pruned  # the flat copies go
    done = cli("--json", "deploy", "1", "--to", str(card), "biohazard", "--prune", "--force")
    assert done.code == 0, done.err
    assert playable(card, f"ROMS/psx/{BIO_SET}.m3u") == [
        (psx / f"{name}.bin").read_bytes() for name in BIO]
    assert not (card / f"ROMS/psx/{BIO[0]}.cue").exists()  # the flat copies went
