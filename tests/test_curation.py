"""The user's curation is never lost or ignored: collections named by profiles and by smart
collections (filters, rm, rename, names for ids)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import OpenMode, open_database
from tests.test_query import make_library

PRESENT = {1, 2, 3, 4, 5, 7, 8, 9}  # make_library: game 6 is missing


@pytest.fixture
def profiled(cli: Any, db_path: Path) -> Any:
    """make_library's games, a device and profile 1 (RG35XX Plus, muOS), every version kept."""
    make_library(db_path).close()
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "set", "1", "--all-versions", "--prerelease", "--hacks")):
        result = cli(*args)
        assert result.code == 0, result.err
    return cli


def considered(cli: Any, profile: str = "1") -> set[int]:
    result = cli("--json", "autolist", profile)
    assert result.code == 0, result.err
    return {game["game_id"] for game in result.json()["data"]["games"]}


def collection_id(cli: Any, name: str) -> int:
    listed = cli("--json", "collection", "ls").json()["data"]
    return int(next(c["id"] for c in listed if c["name"] == name))


def test_profile_filters_evaluate_smart_collections(profiled: Any) -> None:
    cli = profiled
    assert cli("collection", "create", "snes-smart", "--query", "platform:snes").code == 0
    assert cli("profile", "set", "1", "--include-collections", "snes-smart").code == 0
    assert considered(cli) == {1, 2, 3, 4}
    assert cli("profile", "set", "1", "--include-collections", "",
               "--exclude-collections", "snes-smart").code == 0
    assert considered(cli) == PRESENT - {1, 2, 3, 4}


def test_manual_and_smart_collections_together_and_nested(profiled: Any) -> None:
    cli = profiled
    assert cli("collection", "create", "Couch").code == 0
    assert cli("collection", "add", "Couch", "8").code == 0
    assert cli("collection", "create", "usa", "--query", "region:usa -platform:snes").code == 0
    assert cli("collection", "create", "nested", "--query", "collection:couch").code == 0
    assert cli("profile", "set", "1", "--include-collections", "Couch,usa").code == 0
    assert considered(cli) == {7, 8}
    assert cli("profile", "set", "1", "--include-collections", "nested").code == 0
    assert considered(cli) == {8}


def test_profile_set_takes_names_or_ids_and_show_names_them(profiled: Any) -> None:
    cli = profiled
    assert cli("collection", "create", "Faves 2026").code == 0
    assert cli("collection", "create", "snes", "--query", "platform:snes").code == 0
    faves, snes = collection_id(cli, "Faves 2026"), collection_id(cli, "snes")
    done = cli("--json", "profile", "set", "1", "--include-collections", f"faves 2026,{snes}")
    assert done.code == 0, done.err
    assert done.json()["data"]["include_collections"] == [faves, snes]
    shown = cli("profile", "show", "1")
    assert f"Faves 2026 ({faves}), snes ({snes})" in shown.out
    assert cli("--json", "profile", "show", "1").json()["data"]["collection_names"] == {
        str(faves): "Faves 2026", str(snes): "snes"}
    for value, named in (("nope", "'nope' does not exist"), ("999", "collection 999"),
                         ("missing files", "built in")):
        bad = cli("profile", "set", "1", "--exclude-collections", value)
        assert bad.code == 2 and named in bad.err, bad.err
        assert bad.err.count("\n") == 1


def test_profile_set_takes_a_collection_by_its_name_first(profiled: Any,
                                                          db_path: Path) -> None:
    """A name first, as every other command takes it (QA26 F2: `2` bound the collection of
    id 2, not the one named "2", and `2023` was refused); a name with a comma in it whole;
    one collection both included and excluded is refused. (Digits alone are no new
    collection's name since QA98 F10: "2" and "2023" are as an earlier release made them.)"""
    cli = profiled
    for name in ("first", "second", "2", "2023", "Best, ever"):
        if name.isdigit():
            with sqlite3.connect(db_path) as conn:
                conn.execute("INSERT INTO collections (name) VALUES (?)", (name,))
        else:
            assert cli("collection", "create", name).code == 0
    ids = {name: collection_id(cli, name) for name in ("first", "second", "2", "2023",
                                                       "Best, ever")}
    assert ids["second"] == 2 and ids["2"] != 2  # the name and the id collide
    for value, expected in (("2", [ids["2"]]), ("2023", [ids["2023"]]),
                            ("Best, ever", [ids["Best, ever"]]),
                            ("first,second", [ids["first"], ids["second"]])):
        done = cli("--json", "profile", "set", "1", "--include-collections", value)
        assert done.code == 0, (value, done.err)
        assert done.json()["data"]["include_collections"] == expected, value
    both = cli("profile", "set", "1", "--include-collections", "first",
               "--exclude-collections", "first")
    assert both.code == 2 and "both included and excluded" in both.err, both.err
    shown = cli("--json", "profile", "show", "1").json()["data"]
    assert shown["include_collections"] == [ids["first"], ids["second"]]  # unchanged


def test_collection_ls_and_show_give_ids(profiled: Any) -> None:
    cli = profiled
    assert cli("collection", "create", "Couch").code == 0
    couch = collection_id(cli, "Couch")
    listed = {c["name"]: c for c in cli("--json", "collection", "ls").json()["data"]}
    assert listed["missing files"]["id"] is None
    text = cli("collection", "ls").out
    assert any([cell.strip() for cell in line.split("│")[1:3]] == [str(couch), "Couch"]
               for line in text.splitlines()), text
    shown = cli("--json", "collection", "show", "couch").json()["data"]
    assert (shown["id"], shown["name"], shown["kind"]) == (couch, "Couch", "manual")
    assert f"collection Couch (id {couch}, manual)" in cli("collection", "show", "Couch").out
    for name in ("favorites", "missing files"):  # (qa197 F10: "(built in, built-in)")
        shown_text = cli("collection", "show", name)
        assert shown_text.code == 0
        assert shown_text.out.splitlines()[0] == f"collection {name} (built in)"


def test_rm_of_a_collection_a_profile_uses_is_refused_then_forced(profiled: Any,
                                                                  db_path: Path) -> None:
    cli = profiled
    assert cli("collection", "create", "kids").code == 0
    assert cli("collection", "add", "kids", "1", "3").code == 0
    kids = collection_id(cli, "kids")
    assert cli("profile", "set", "1", "--include-collections", "kids").code == 0
    refused = cli("collection", "rm", "kids")
    assert refused.code == 2
    assert "used by profile 1 (RG35XX Plus - muOS)" in refused.err and "--force" in refused.err
    assert considered(cli) == {1, 3}  # nothing changed
    assert cli("collection", "create", "couch").code == 0  # another included one
    assert cli("profile", "set", "1", "--include-collections", "kids,couch").code == 0
    forced = cli("--json", "collection", "rm", "kids", "--force")
    assert forced.code == 0, forced.err
    assert forced.json()["data"]["profiles_updated"] == [1]
    assert cli("--json", "profile", "show", "1").json()["data"]["include_collections"] == [
        collection_id(cli, "couch")]
    assert kids not in {c["id"] for c in cli("--json", "collection", "ls").json()["data"]}


def test_a_profile_naming_a_removed_collection_is_an_error_not_an_empty_list(
        profiled: Any, db_path: Path, tmp_path: Path) -> None:
    cli = profiled
    assert cli("collection", "create", "kids").code == 0
    assert cli("collection", "add", "kids", "1").code == 0
    assert cli("profile", "set", "1", "--exclude-collections", "kids").code == 0
    kids = collection_id(cli, "kids")
    db = open_database(db_path, OpenMode.WRITE).db  # as a database from before the check
    db.execute("DELETE FROM collections WHERE id = ?", (kids,))
    db.close()
    listed = cli("autolist", "1")
    assert listed.code == 2
    assert listed.err.strip() == (
        f"error: profile 1 names collection {kids}, which no longer exists; nothing was chosen "
        "(`romrunner profile set` with --include-collections/--exclude-collections fixes the "
        "profile)")
    card = tmp_path / "card"
    card.mkdir()
    deployed = cli("deploy", "1", "--to", str(card), "--auto", "--prune", "--dry-run")
    assert deployed.code == 2 and "no longer exists" in deployed.err
    assert f"{kids} (no longer exists)" in cli("profile", "show", "1").out


def test_rename_rewrites_the_smart_collections_that_name_it(profiled: Any,
                                                            db_path: Path) -> None:
    cli = profiled
    assert cli("collection", "create", "faves").code == 0
    assert cli("collection", "add", "faves", "1", "5").code == 0
    assert cli("collection", "create", "my picks", "--query",
               "collection:faves platform:snes").code == 0
    assert cli("collection", "create", "others", "--query",
               '-collection:FAVES,"my picks" title:mario').code == 0
    renamed = cli("--json", "collection", "rename", "faves", "Faves 2026")
    assert renamed.code == 0, renamed.err
    assert renamed.json()["data"]["rewritten"] == ["my picks", "others"]
    picks = cli("--json", "collection", "show", "my picks")
    assert picks.code == 0, picks.err
    assert [g["id"] for g in picks.json()["data"]["games"]] == [1]
    db = open_database(db_path, OpenMode.READ).db
    stored = {row["name"]: json.loads(row["rules_json"])["query"] for row in db.query(
        "SELECT name, rules_json FROM collections WHERE collection_type = 'auto'")}
    db.close()
    assert stored == {"my picks": 'collection:"Faves 2026" platform:snes',
                      "others": '-collection:"Faves 2026","my picks" title:mario'}
    others = cli("--json", "collection", "show", "others").json()["data"]
    assert {g["id"] for g in others["games"]} == {2}  # Super Mario Kart; 1 and 5 are faves


def test_rm_of_a_collection_smart_ones_name_is_refused(profiled: Any) -> None:
    cli = profiled
    assert cli("collection", "create", "faves").code == 0
    assert cli("collection", "create", "my picks", "--query", "collection:faves").code == 0
    refused = cli("collection", "rm", "faves")
    assert refused.code == 2 and "smart collection 'my picks'" in refused.err
    forced = cli("collection", "rm", "faves", "--force")
    assert forced.code == 0 and "'my picks'" in forced.err
    assert cli("collection", "rm", "my picks").code == 0


def test_search_marks_a_missing_game_as_games_ls_does(cli: Any, db_path: Path) -> None:
    make_library(db_path).close()  # game 6, Ocarina, is missing
    found = cli("search", "ocarina")
    assert found.code == 0, found.err
    line = next(line for line in found.out.splitlines() if "Ocarina" in line)
    assert "(missing)" in line
    present = cli("search", "metroid")
    assert "(missing)" not in present.out and "Metroid" in present.out
    assert cli("--json", "search", "ocarina").json()["data"][0]["is_missing"] == 1


def test_removing_a_profiles_only_included_collection_never_widens_it(profiled: Any) -> None:
    """QA141 F7: `collection rm --force` of a profile's only included collection left the
    profile taking every collection: its auto-list and `deploy --auto` chose the whole
    library. It keeps naming it, and fails until set again; a profile that includes others
    too just stops naming it."""
    cli = profiled
    for name in ("zz", "other"):
        assert cli("collection", "create", name, "--query", "platform:snes").code == 0
    assert cli("profile", "set", "1", "--include-collections", "zz").code == 0
    refused = cli("collection", "rm", "zz")  # (what --force does, said right: QA155 F5)
    assert refused.code == 2
    assert "one that took only its games keeps naming it" in " ".join(refused.err.split())
    removed = cli("collection", "rm", "zz", "--force")
    assert removed.code == 0 and "profile 1 took only the games of 'zz'" in removed.err
    failed = cli("autolist", "1")
    assert failed.code != 0, failed.out
    assert cli("profile", "set", "1", "--include-collections", "other").code == 0
    assert considered(cli) == {1, 2, 3, 4}


def test_profile_set_warns_of_a_smart_collection_whose_query_no_longer_works(
        profiled: Any) -> None:
    """`dat rm` broke a smart collection's `dat:` term (`collection ls` said so), yet `profile
    set --include-collections` took it without a word: only `autolist` then failed. Kept
    (the collection can be mended on its own), with one warning naming it, why and the fix;
    `collection edit` mends it."""
    cli = profiled
    assert cli("collection", "create", "n64 picks", "--query", 'dat:"Nintendo - 64"').code == 0
    assert cli("dat", "rm", "Nintendo - 64").code == 0
    done = cli("profile", "set", "1", "--include-collections", "n64 picks")
    assert done.code == 0, done.err
    warnings = [line for line in done.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and len(done.err.strip().splitlines()) == 1, done.err
    assert "smart collection 'n64 picks' (--include-collections) no longer works" in done.err
    assert 'dat:"Nintendo - 64"' in done.err and "no imported DAT" in done.err, done.err
    assert "`romrunner collection edit 'n64 picks' --query …`" in done.err, done.err
    enveloped = cli("--json", "profile", "set", "1", "--exclude-collections", "")
    assert enveloped.json()["warnings"] == []  # (only the lists the change names)
    failed = cli("autolist", "1")
    assert failed.code != 0 and "collection edit 'n64 picks'" in failed.err, failed.err

    edited = cli("collection", "edit", "n64 picks", "--query", "platform:n64")
    assert edited.code == 0, edited.err
    assert edited.out.splitlines() == ["smart collection n64 picks: platform:n64",
                                       '  (was: dat:"Nintendo - 64")'], edited.out
    assert considered(cli) == {5}  # (n64: game 6 is missing)
    again = cli("--json", "profile", "set", "1", "--include-collections", "n64 picks")
    assert again.code == 0 and again.json()["warnings"] == [], again.out
    refused = cli("collection", "edit", "n64 picks", "--query", "colour:red")
    assert refused.code == 2 and "unknown field 'colour'" in refused.err, refused.err
    listed = {c["name"]: c for c in cli("--json", "collection", "ls").json()["data"]}
    assert listed["n64 picks"]["query"] == "platform:n64"  # nothing was changed


def test_favorites_stays_the_built_in_it_is_once_stored_and_when_emptied(
        profiled: Any) -> None:
    """qa202: once a game was added, favorites was listed as a manual collection with an id,
    yet refused a rename as built in; `rm --force` deleted it (out of the profiles naming
    it), and added to again it came back under a new id, "manual" again. It is the built-in
    it is, with its id; rm --force empties it, and it stays, named by the same profiles."""
    cli = profiled
    assert cli("collection", "add", "favorites", "1", "3").code == 0
    listed = cli("--json", "collection", "ls").json()["data"]
    assert [c["name"] for c in listed].count("favorites") == 1
    favorites = listed[0]  # (where it is listed before its first game)
    assert (favorites["name"], favorites["kind"], favorites["games"]) == (
        "favorites", "built-in", 2), listed
    number = favorites["id"]
    assert number is not None
    assert cli("collection", "show", "favorites").out.splitlines()[0] == \
        f"collection favorites (id {number}, built in)"
    assert cli("--json", "collection", "show", "favorites").json()["data"]["kind"] == \
        "built-in"
    assert cli("profile", "set", "1", "--include-collections", "favorites").code == 0
    assert considered(cli) == {1, 3}
    refused = cli("collection", "rm", "favorites")
    assert refused.code == 2 and "built in and holds 2 games picked by hand" in refused.err
    assert considered(cli) == {1, 3}  # nothing changed
    emptied = cli("collection", "rm", "favorites", "--force")
    assert emptied.code == 0, emptied.err
    assert f"emptied favorites (built in, it stays, id {number}): 2 games taken out" in \
        emptied.out, emptied.out
    again = cli("--json", "collection", "ls").json()["data"][0]
    assert (again["name"], again["kind"], again["games"], again["id"]) == (
        "favorites", "built-in", 0, number)
    assert cli("collection", "add", "favorites", "2").code == 0
    assert collection_id(cli, "favorites") == number
    assert considered(cli) == {2}  # (the profile names it still)
    renamed = cli("collection", "rename", "favorites", "mine")
    assert renamed.code == 2 and "is built in and cannot be renamed" in renamed.err


def test_only_the_built_in_favorites_is_emptied_not_one_named_alike(
        profiled: Any, db_path: Path) -> None:
    """review49d F2, F3: a database from before names were compared by their folded form may
    hold "ｆavorites" (a full-width f) beside the built-in: it was shown built in and could
    only be emptied, never removed; and `--json` said "removed" of the emptied favorites."""
    cli = profiled
    assert cli("collection", "add", "favorites", "1").code == 0
    with sqlite3.connect(db_path) as conn:  # (as such a database holds it)
        conn.execute("INSERT INTO collections (name, collection_type) VALUES "
                     "('ｆavorites', 'manual')")
        conn.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                     "SELECT id, 3, 1 FROM collections WHERE name = 'ｆavorites'")
    kinds = {c["name"]: c["kind"] for c in cli("--json", "collection", "ls").json()["data"]}
    assert (kinds["favorites"], kinds["ｆavorites"]) == ("built-in", "manual"), kinds
    shown = cli("collection", "show", "ｆavorites").out.splitlines()[0]
    assert "built in" not in shown, shown
    removed = cli("--json", "collection", "rm", "ｆavorites", "--force")
    assert removed.code == 0 and removed.json()["data"]["removed"] == "ｆavorites"
    assert "ｆavorites" not in {c["name"] for c in
                                 cli("--json", "collection", "ls").json()["data"]}
    emptied = cli("--json", "collection", "rm", "favorites", "--force").json()["data"]
    assert (emptied["removed"], emptied["emptied"]) == (None, 1), emptied


def test_a_smart_collection_named_favorites_leaves_one_named_alike_a_manual_one(
        profiled: Any, db_path: Path) -> None:
    """review49f F4: an older database with a smart "favorites" and a manual "ｆavorites":
    the manual one was taken for the built-in, and could be emptied only."""
    cli = profiled
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO collections (name, collection_type, rules_json) VALUES "
                     "('favorites', 'auto', ?)", (json.dumps({"query": "id:1"}),))
        conn.execute("INSERT INTO collections (name, collection_type) VALUES "
                     "('ｆavorites', 'manual')")
        conn.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                     "SELECT id, 3, 1 FROM collections WHERE name = 'ｆavorites'")
    kinds = {c["name"]: c["kind"] for c in cli("--json", "collection", "ls").json()["data"]
             if c.get("id") is not None}
    assert kinds.get("ｆavorites") == "manual", kinds
    removed = cli("--json", "collection", "rm", "ｆavorites", "--force")
    assert removed.code == 0 and removed.json()["data"]["removed"] == "ｆavorites", removed.out


def test_a_collection_only_named_like_the_favorites_can_be_renamed(
        profiled: Any, db_path: Path) -> None:
    """review49g F6: a smart "favorites" and a manual "ｆavorites" of an older database were
    refused a rename as "built in" (`collection ls` calls them smart and manual), and the
    built-in favorites `ls` shows could not be reached while the smart one held its name."""
    cli = profiled
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO collections (name, collection_type, rules_json) VALUES "
                     "('favorites', 'auto', ?)", (json.dumps({"query": "id:1"}),))
        conn.execute("INSERT INTO collections (name, collection_type) VALUES "
                     "('ｆavorites', 'manual')")
        conn.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                     "SELECT id, 3, 1 FROM collections WHERE name = 'ｆavorites'")
    manual = cli("collection", "rename", "ｆavorites", "picked")
    assert manual.code == 0, manual.err
    smart = cli("collection", "rename", "favorites", "first game")
    assert smart.code == 0, smart.err
    listed = {c["name"]: (c["kind"], c["games"])
              for c in cli("--json", "collection", "ls").json()["data"]}
    assert listed["picked"] == ("manual", 1) and listed["first game"] == ("smart", 1), listed
    assert listed["favorites"] == ("built-in", 0), listed
    # the built-in favorites is reachable again, and stays built in once stored
    assert cli("collection", "add", "favorites", "2").code == 0
    refused = cli("collection", "rename", "favorites", "mine")
    assert refused.code == 2 and "is built in and cannot be renamed" in refused.err
    assert cli("collection", "rename", "recently added", "x").code == 2


def test_a_collection_only_named_like_a_built_in_smart_one_can_be_renamed_and_removed(
        profiled: Any, db_path: Path) -> None:
    """review51a F2: as the favorites in review49g F6, for the four built-in smart
    collections: a stored 'Ｒecently added' or smart 'unidentified' of an older database
    (`collection ls` lists them as manual and smart) was refused a rename or rm as "built in".
    A query naming the built-in does not name the stored one: not rewritten, not a user."""
    cli = profiled
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO collections (name, collection_type) VALUES "
                     "('Ｒecently added', 'manual')")
        conn.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                     "SELECT id, 3, 1 FROM collections WHERE name = 'Ｒecently added'")
        for name in ("unidentified", "missing files"):
            conn.execute("INSERT INTO collections (name, collection_type, rules_json) VALUES "
                         "(?, 'auto', ?)", (name, json.dumps({"query": "id:1"})))
        conn.execute("INSERT INTO collections (name, collection_type) VALUES "
                     "('Ｎame-guessed', 'manual')")
    for name, query in (("picks", "collection:unidentified"),
                        ("gone", 'collection:"missing files"')):
        assert cli("collection", "create", name, "--query", query).code == 0
    manual = cli("collection", "rename", "Ｒecently added", "mine")
    assert manual.code == 0 and "renamed Ｒecently added to mine" in manual.out, manual.err
    smart = cli("--json", "collection", "rename", "unidentified", "mine2")
    assert smart.code == 0, smart.err
    assert smart.json()["data"]["rewritten"] == [], smart.out  # (picks names the built-in)
    listed = {(c["name"], c["kind"]): c for c in
              cli("--json", "collection", "ls").json()["data"]}
    assert listed[("mine", "manual")]["games"] == 1, listed
    assert listed[("mine2", "smart")]["games"] == 1, listed
    assert listed[("picks", "smart")]["query"] == "collection:unidentified", listed
    assert ("unidentified", "built-in") in listed and ("recently added", "built-in") in listed
    removed = cli("collection", "rm", "missing files")  # (gone names the built-in: no --force)
    assert removed.code == 0 and "removed collection missing files" in removed.out, \
        removed.err
    assert "no longer" not in removed.err, removed.err
    assert cli("collection", "rm", "Ｎame-guessed").code == 0
    names = {(c["name"], c["kind"]) for c in cli("--json", "collection", "ls").json()["data"]}
    assert {("missing files", "smart"), ("Ｎame-guessed", "manual")}.isdisjoint(names)
    assert ("missing files", "built-in") in names and ("name-guessed", "built-in") in names
    # the built-ins themselves, nothing stored named alike any more, are still refused
    for args, said in ((("rename", "unidentified", "x"), "cannot be renamed"),
                       (("rename", "Recently Added", "x"), "cannot be renamed"),
                       (("rm", "missing files", "--force"), "cannot be removed"),
                       (("rm", "name-guessed"), "cannot be removed")):
        refused = cli("collection", *args)
        assert refused.code == 2 and f"is built in and {said}" in refused.err, (args, refused)
