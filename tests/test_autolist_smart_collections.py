"""A smart collection whose query asks the knowledge (`compat:`): a profile choosing, or
leaving out, its games has an auto-list and a `deploy --auto` like any other, and queries
naming it, through other collections too, list their games."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_serials import build_iso

GAMEINDEX = ("knowledge", "pcsx2", "GameIndex.excerpt.yaml")
# (the serials' ratings in the real GameIndex excerpt: compat 5 playable, 2 menu_intro)
DISCS = {"F1 Racing Championship (Europe).iso": "SLES_500.47",   # playable
         "Ferrari F355 Challenge (Europe).iso": "SLES_500.48",   # playable
         "Menu Only (Europe).iso": "SLES_500.46",                # menu_intro
         "Nobody Knows (USA).iso": "SLUS_999.99"}                # not rated


def real(cli: Any, *args: Any) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), *args)


def _library(cli: Any, tmp_path: Path) -> None:
    """The four PS2 discs scanned, the real GameIndex imported, profile 1 an RG35XX Plus on
    KNULLI (pcsx2 for ps2) in permissive mode: every rated-running game is included."""
    index = shared_path(*GAMEINDEX)
    root = tmp_path / "roms"
    (root / "ps2").mkdir(parents=True)
    for name, serial in DISCS.items():
        build_iso(root / "ps2" / name, {"SYSTEM.CNF": f"BOOT2 = cdrom0:\\{serial};1\r\n"
                                                      "VER = 1.00\r\n".encode()})
    for args in (("library", "add", root), ("scan", "--workers", "1"),
                 ("cache", "import", index), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli"),
                 ("profile", "set", "1", "--mode", "permissive")):
        result = real(cli, *args)
        assert result.code == 0, (args, result.err)


def _considered(cli: Any) -> set[str]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {g["filename"] for g in result.json()["data"]["games"]}


def _deployed(cli: Any, card: Path) -> int:
    result = real(cli, "--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert result.code == 0, result.err
    return int(result.json()["data"]["chosen"]["games"])


def test_a_profile_includes_or_excludes_a_smart_collection_of_compat_terms(
        cli: Any, tmp_path: Path) -> None:
    """qa188 F1: `autolist` and `deploy --auto` of a profile including (or excluding) a smart
    collection whose query used `compat:` failed, "parser stack overflow" (exit 2): the
    collection's condition was nested inside the set expansion's subquery, deeper than
    SQLite's parser takes. The members are read as `games ls collection:NAME` reads them."""
    _library(cli, tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    runs = {"F1 Racing Championship (Europe).iso", "Ferrari F355 Challenge (Europe).iso"}
    for query in ("compat:perfect,playable", "compat:perfect,playable -compat:broken",
                  "-compat:menu_intro -compat:unknown"):
        assert real(cli, "collection", "create", "runs", "--query", query).code == 0
        listed = real(cli, "--json", "games", "ls", "collection:runs").json()["data"]["games"]
        assert {g["filename"] for g in listed} == runs, query
        assert real(cli, "profile", "set", "1", "--include-collections", "runs").code == 0
        assert _considered(cli) == runs, query
        assert _deployed(cli, card) == 2, query
        assert real(cli, "profile", "set", "1", "--include-collections", "",
                    "--exclude-collections", "runs").code == 0
        assert _considered(cli) == set(DISCS) - runs, query
        assert _deployed(cli, card) == 1, query  # (the unrated one: menu_intro never runs)
        assert real(cli, "profile", "set", "1", "--exclude-collections", "").code == 0
        assert real(cli, "collection", "rm", "runs").code == 0


def _listed(cli: Any, *query: str) -> set[str]:
    result = real(cli, "--json", "games", "ls", *query)
    assert result.code == 0, (query, result.err)
    return {g["filename"] for g in result.json()["data"]["games"]}


def test_queries_name_smart_collections_of_compat_terms_through_other_collections(
        cli: Any, tmp_path: Path) -> None:
    """qa188 F1 (the query language's side): `games ls -collection:runs` of a collection
    `-compat:menu_intro -compat:unknown`, and a collection naming one that names it, failed
    "parser stack overflow": each `collection:` nested the other's SQL, and a `compat:`
    term's alone takes most of SQLite's parser stack. Chains as deep as collections may name
    collections (8) list their games, and `collection ls` counts them."""
    _library(cli, tmp_path)
    runs = {"F1 Racing Championship (Europe).iso", "Ferrari F355 Challenge (Europe).iso"}
    assert real(cli, "collection", "create", "runs", "--query",
                "-compat:menu_intro -compat:unknown").code == 0
    assert _listed(cli, "collection:runs") == runs
    assert _listed(cli, "-collection:runs") == set(DISCS) - runs
    assert _listed(cli, "-collection:runs", "-compat:unknown") == {"Menu Only (Europe).iso"}
    previous, expected = "runs", runs
    for level in range(2, 10):  # (runs is the first of the chain; 9 names 8 deep)
        name = f"c{level}"
        assert real(cli, "collection", "create", name, "--query",
                    f"-collection:{previous} -compat:broken").code == 0, name
        expected = set(DISCS) - expected
        assert _listed(cli, f"collection:{name}") == expected, name
        assert _listed(cli, f"-collection:{name}") == set(DISCS) - expected, name
        previous = name
    counted = real(cli, "--json", "collection", "ls")
    assert counted.code == 0, counted.err
    sizes = {c["name"]: c["games"] for c in counted.json()["data"]}
    assert sizes["c9"] == len(expected) and sizes["runs"] == 2
