"""Collections: manual (ordered, idempotent adds), smart (stored query, live), built-ins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from romrunner.collections.store import (
    add_games,
    collection_page,
    create_collection,
    list_collections,
    remove_collection,
    remove_games,
    rename_collection,
)
from romrunner.errors import InputError, NotFoundError
from romrunner.library.query import QueryError, query_games
from romrunner.store import Database
from tests.test_query import GAMES, PLATFORMS, make_library


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return make_library(tmp_path / "lib.db")


def ids(page: Any) -> list[int]:
    return [row["id"] for row in page.rows]


def test_manual_collection_keeps_order_and_adds_are_idempotent(db: Database) -> None:
    create_collection(db, "Couch")
    assert add_games(db, "couch", [5, 1, 3]).added == 3
    # named as stored, whatever case named it (QA63 F3: the typed name was reported)
    assert add_games(db, "COUCH", []).name == remove_games(db, "couch", []).name == "Couch"
    assert add_games(db, "Couch", [1, 7, 7]).added == 1  # 1 already there, 7 twice in a batch
    assert ids(collection_page(db, "Couch")) == [5, 1, 3, 7]
    page = collection_page(db, "Couch", limit=3)
    assert ids(page) == [5, 1, 3] and page.next_cursor is not None
    assert ids(collection_page(db, "Couch", limit=3, after=page.next_cursor)) == [7]
    with pytest.raises(NotFoundError, match=r"no game with id 999 \(nothing was removed\)"):
        remove_games(db, "Couch", [1, 999])
    assert ids(collection_page(db, "Couch")) == [5, 1, 3, 7]  # nothing removed
    removed = remove_games(db, "Couch", [1, 1, 2])  # 1 given twice; 2 is no member
    assert (removed.removed, removed.not_in) == (1, [2])
    assert ids(collection_page(db, "Couch")) == [5, 3, 7]
    by_title = collection_page(db, "Couch", sort="title")
    assert [r["detected_title"] for r in by_title.rows] == ["Mario Kart 64", "Metroid",
                                                            "Zelda III"]


def test_unknown_game_ids_add_nothing(db: Database) -> None:
    create_collection(db, "Couch")
    with pytest.raises(NotFoundError, match="998, 999"):
        add_games(db, "Couch", [1, 999, 998])
    assert collection_page(db, "Couch").total == 0


def test_add_by_query_and_collection_field(db: Database) -> None:
    create_collection(db, "SNES picks")
    assert add_games(db, "SNES picks", query="platform:snes region:usa",
                     known_platforms=PLATFORMS).added == 3
    names = [r["detected_title"] for r in query_games(
        db, 'collection:"snes picks" -flag:hack', known_platforms=PLATFORMS).rows]
    assert names == ["Super Mario World", "Zelda III"]


def test_remove_by_query_takes_out_only_the_querys_games(db: Database) -> None:
    """qa206 F8: `collection add --query` had no way back but listing ids: `remove --query`
    takes out the query's games that are in the collection, and nothing else; an empty query
    removes nothing."""
    create_collection(db, "Picks")
    add_games(db, "Picks", query="platform:snes region:usa", known_platforms=PLATFORMS)
    snes = ids(collection_page(db, "Picks"))
    others = [row["id"] for row in query_games(db, "-platform:snes",
                                               known_platforms=PLATFORMS).rows][:2]
    add_games(db, "Picks", others)
    assert len(snes) == 3 and others
    for blank in ("", "   "):
        with pytest.raises(InputError, match="--query is empty: nothing was removed"):
            remove_games(db, "Picks", query=blank)
    removed = remove_games(db, "Picks", query="platform:snes", known_platforms=PLATFORMS)
    assert removed.removed == 3
    assert ids(collection_page(db, "Picks")) == others


def test_an_empty_query_adds_nothing(db: Database) -> None:
    """An empty or blank --query (an unset shell variable) is refused: it appended the whole
    library to a hand-ordered list (QA26 F5)."""
    create_collection(db, "Picks")
    add_games(db, "Picks", [4, 2])
    for blank in ("", "   "):
        with pytest.raises(InputError, match="--query is empty: nothing was added"):
            add_games(db, "Picks", [3], query=blank)
    assert ids(collection_page(db, "Picks")) == [4, 2]


def test_smart_collection_is_live_and_nests(db: Database) -> None:
    create_collection(db, "Japanese N64", query="platform:n64 region:japan",
                      known_platforms=PLATFORMS)
    assert collection_page(db, "Japanese N64").total == 2
    db.execute("UPDATE games SET platform_id = 'n64', region = 'Japan' WHERE id = 9")
    assert collection_page(db, "Japanese N64").total == 3
    found = query_games(db, 'collection:"Japanese N64" match:none', sort="-size")
    assert [r["id"] for r in found.rows] == [6, 9]
    with pytest.raises(QueryError, match="refers to itself"):
        create_collection(db, "Loop", query="collection:loop")


def test_deleted_game_leaves_collections_missing_file_stays(db: Database) -> None:
    create_collection(db, "Couch")
    add_games(db, "Couch", [1, 2, 6])
    with db.atomic():
        db.execute("DELETE FROM games WHERE id = 1")
        db.execute("UPDATE games SET is_missing = 1 WHERE id = 2")
    assert ids(collection_page(db, "Couch")) == [2, 6]
    assert db.scalar("SELECT count(*) FROM collection_games WHERE game_id = 1") == 0


def test_builtins_answer_without_setup(db: Database) -> None:
    assert ids(collection_page(db, "missing files")) == [6]
    assert ids(collection_page(db, "name-guessed")) == [2]
    assert len(ids(collection_page(db, "unidentified"))) == 4
    assert ids(collection_page(db, "recently added"))[0] == 9  # newest first
    assert collection_page(db, "favorites").total == 0
    add_games(db, "favorites", [3])
    assert ids(collection_page(db, "Favorites")) == [3]
    names = {info.name: info for info in list_collections(db)}
    assert names["favorites"].games == 1 and names["missing files"].games == 1
    with pytest.raises(InputError, match="built in"):
        create_collection(db, "Unidentified")
    with pytest.raises(InputError, match="smart"):
        add_games(db, "missing files", [1])


def test_a_stored_query_that_no_longer_parses_is_reported_not_fatal(db: Database) -> None:
    create_collection(db, "Broken", query="platform:snes")
    create_collection(db, "Fine", query="platform:gba")
    db.execute("UPDATE collections SET rules_json = ? WHERE name = 'Broken'",
               (json.dumps({"query": "colour:red"}),))
    infos = {info.name: info for info in list_collections(db)}
    assert infos["Broken"].problem is not None and "colour" in infos["Broken"].problem
    assert infos["Fine"].games == 2 and infos["Fine"].problem is None
    with pytest.raises(InputError, match="'Broken': its stored query"):
        collection_page(db, "Broken")
    with pytest.raises(QueryError, match="Broken"):
        query_games(db, "collection:broken")


def test_rules_stored_before_queries_read_as_a_query(db: Database) -> None:
    db.execute("INSERT INTO collections (name, collection_type, rules_json) VALUES "
               "('Old', 'auto', ?)", (json.dumps({"platform": "snes", "present": True}),))
    assert collection_page(db, "Old").total == 4


def test_collection_cli_end_to_end(cli: Any, db_path: Path) -> None:
    make_library(db_path).close()
    assert cli("collection", "create", "Japanese N64",
               "--query", "platform:n64 region:japan match:none").code == 0
    shown = cli("--json", "collection", "show", "Japanese N64").json()["data"]
    assert [g["id"] for g in shown["games"]] == [6]
    assert cli("collection", "create", "Couch").code == 0
    assert cli("collection", "add", "Couch", "3", "1").code == 0
    assert cli("collection", "rename", "Couch", "Sofa").code == 0
    listed = {c["name"]: c for c in cli("--json", "collection", "ls").json()["data"]}
    assert listed["Sofa"]["games"] == 2 and listed["Japanese N64"]["kind"] == "smart"
    text = cli("collection", "show", "Sofa")
    assert text.code == 0 and "2 of 2" in text.out
    for args, named in ((["show", "nope"], "'nope' does not exist"),
                        (["create", "X", "--query", "year:1995..1990"], "year:1995..1990"),
                        (["add", "Sofa", "12345"], "12345"),
                        (["remove", "Sofa", "3", "3", "999"], "no game with id 999 (nothing "
                         "was removed)"),
                        (["create", "Sofa"], "already exists")):
        bad = cli("collection", *args)
        assert bad.code == 2 and named in bad.err, (args, bad.err)
    # QA10 F7: remove names what it did not do; an id given twice counts once
    assert cli("--json", "collection", "show", "Sofa").json()["data"]["total"] == 2
    removed = cli("collection", "remove", "Sofa", "3", "3", "5")
    assert removed.code == 0 and removed.out == "1 game removed from Sofa\n"
    assert removed.err == "warning: 1 game not in Sofa: 5\n"
    kept = cli("collection", "rm", "Sofa")  # QA23 P3: hand-picked games need --force
    assert kept.code == 2 and "holds 1 game picked by hand" in kept.err
    assert cli("--json", "collection", "show", "Sofa").json()["data"]["total"] == 1
    assert cli("collection", "rm", "Sofa", "--force").code == 0
    assert "Sofa" not in {c["name"] for c in cli("--json", "collection", "ls").json()["data"]}


def test_a_query_option_value_the_shell_quoted_whole_stays_one_value(
        cli: Any, db_path: Path) -> None:
    """QA28 F4: `--query dat:"Nintendo - …"` reaches us as `dat:Nintendo - …`, which
    `games ls` and `deploy` take as one value; `collection create/add --query` failed ("-":
    no letters or digits)."""
    make_library(db_path).close()
    shell_quoted = "dat:Nintendo - Super Nintendo Entertainment System"
    created = cli("--json", "collection", "create", "snes-dat", "--query", shell_quoted)
    assert created.code == 0, created.err
    listed = {g["detected_title"] for g in cli("--json", "games", "ls", shell_quoted)
              .json()["data"]["games"]}
    shown = cli("--json", "collection", "show", "snes-dat").json()["data"]["games"]
    assert {g["detected_title"] for g in shown} == listed == {"Super Mario World",
                                                              "Super Mario Kart"}
    assert cli("collection", "create", "picked").code == 0
    added = cli("--json", "collection", "add", "picked", "--query", shell_quoted)
    assert added.code == 0, added.err
    assert cli("--json", "collection", "show", "picked").json()["data"]["total"] == 2


def test_names_that_differ_only_in_case_are_one_collection_in_every_script(
        db: Database) -> None:
    """QA44 F6/F7: SQLite's NOCASE folds ASCII only: "Été" and "été" were two collections,
    `collection:ÉTÉ` found neither, and renaming one rewrote the smart queries naming the
    other."""
    from romrunner.collections.store import rename_collection

    create_collection(db, "Été")
    add_games(db, "Été", [1])
    with pytest.raises(InputError, match=r"'Été' already exists .*'été' is the same name"):
        create_collection(db, "été")
    assert ids(collection_page(db, "ÉTÉ")) == [1]
    create_collection(db, "S", query="collection:été", known_platforms=PLATFORMS)
    assert ids(collection_page(db, "S")) == [1]
    renamed = rename_collection(db, "ÉTÉ", "Summer")
    assert renamed.rewritten == ["S"] and ids(collection_page(db, "S")) == [1]


def test_a_name_in_another_unicode_form_is_the_same_collection(db: Database) -> None:
    """QA57 F2: `Café` typed (composed) and pasted from a Mac's Finder (decomposed) were two
    collections that look alike; `collection show` of one spelling missed the other."""
    import unicodedata
    composed = "Café ☕ & Crème"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    create_collection(db, composed)
    add_games(db, decomposed, [1])
    with pytest.raises(InputError, match="already exists"):
        create_collection(db, decomposed)
    assert ids(collection_page(db, composed)) == [1]
    create_collection(db, "S", query=f'collection:"{decomposed}"', known_platforms=PLATFORMS)
    assert ids(collection_page(db, "S")) == [1]
    # a compatibility form, a no-break space: names that look like a built-in's are it
    # (QA63 F4: "Recently Added" with a no-break space, "ｆavorites", stood beside them)
    for alike in ("Recently\u00a0Added", "Missing  Files", "\uff55nidentified"):
        with pytest.raises(InputError, match="built in"):
            create_collection(db, alike)
    with pytest.raises(InputError, match="already exists"):
        create_collection(db, "\uff33")  # (full-width S)


def test_a_database_holding_two_such_names_renames_the_one_named(db: Database) -> None:
    """Two collections made before names were compared so ("Été", "été"): each name finds
    its own, and a rename of one leaves the smart query naming the other as it was."""
    from romrunner.collections.store import rename_collection

    create_collection(db, "Été")
    add_games(db, "Été", [1])
    with db.atomic():
        db.execute("INSERT INTO collections (name, collection_type) VALUES ('été', 'manual')")
    add_games(db, "été", [2, 3])
    create_collection(db, "S", query="collection:été", known_platforms=PLATFORMS)
    assert ids(collection_page(db, "S")) == [2, 3]
    renamed = rename_collection(db, "Été", "Summer")
    assert renamed.rewritten == [] and ids(collection_page(db, "S")) == [2, 3]
    assert ids(collection_page(db, "Summer")) == [1]


def test_a_smart_collection_naming_its_case_twin_of_an_older_database_is_no_loop(
        db: Database) -> None:
    """Review 21 R4: a database from before names were compared so, holding manual 'été'
    and smart 'Été' whose query is `collection:été` (an older release's rename made it):
    'Été' lists été's games; a query naming 'Été' itself is still a loop."""
    with db.atomic():
        db.execute("INSERT INTO collections (name, collection_type) VALUES ('été', 'manual')")
    add_games(db, "été", [2, 3])
    with db.atomic():
        db.execute("INSERT INTO collections (name, collection_type, rules_json) "
                   "VALUES ('Été', 'auto', ?)", (json.dumps({"query": "collection:été"}),))
    assert ids(collection_page(db, "Été")) == [2, 3]
    assert ids(query_games(db, "collection:Été")) == [2, 3]
    listed = {info.name: info for info in list_collections(db)}
    assert listed["Été"].problem is None and listed["Été"].games == 2
    with db.atomic():
        db.execute("UPDATE collections SET rules_json = ? WHERE name = 'Été'",
                   (json.dumps({"query": "collection:Été"}),))
    with pytest.raises(InputError, match="refers to itself"):
        collection_page(db, "Été")


def test_a_forged_position_beyond_sqlites_integers_is_not_a_cursor(db: Database) -> None:
    """QA44 F1: an internal OverflowError."""
    create_collection(db, "Couch")
    add_games(db, "Couch", [1, 2])
    with pytest.raises(InputError, match="not a cursor"):
        collection_page(db, "Couch", after="99999999999999999999.1")


def test_a_rename_that_would_close_a_loop_of_smart_collections_is_refused(
        db: Database) -> None:
    """QA44 F14: create refuses a loop; a rename closed one silently, breaking both."""
    from romrunner.collections.store import remove_collection, rename_collection

    create_collection(db, "X")
    create_collection(db, "A", query="collection:X", known_platforms=PLATFORMS)
    create_collection(db, "C", query="collection:A", known_platforms=PLATFORMS)
    remove_collection(db, "X", force=True)
    with pytest.raises(InputError, match="name itself through another collection"):
        rename_collection(db, "C", "X")
    assert [info.name for info in list_collections(db) if info.name in ("A", "C", "X")] \
        == ["A", "C"]


def test_a_rename_to_a_case_variant_of_another_collection_is_refused(db: Database) -> None:
    """QA46 F4: a database from before names were compared in every script holding 'Été'
    and 'ÉTÉ': renaming 'Été' to 'ÉtÉ' was an internal IntegrityError."""
    from romrunner.collections.store import rename_collection

    create_collection(db, "Été")
    with db.atomic():
        db.execute("INSERT INTO collections (name, collection_type) VALUES ('ÉTÉ', 'manual')")
    with pytest.raises(InputError, match="'ÉTÉ' already exists"):
        rename_collection(db, "Été", "ÉtÉ")
    assert rename_collection(db, "Été", "Summer").name == "Summer"


def test_removing_the_empty_built_in_favorites_says_so(db: Database) -> None:
    """QA49 F6: `collection ls` lists favorites; `rm` said it "does not exist"."""
    from romrunner.collections.store import remove_collection
    assert "favorites" in [info.name for info in list_collections(db)]
    with pytest.raises(InputError, match="'favorites' is built in and holds no game"):
        remove_collection(db, "favorites")
    add_games(db, "favorites", [1])
    assert remove_collection(db, "favorites", force=True).name == "favorites"
    assert ids(collection_page(db, "favorites")) == []


def test_collections_nest_only_so_deep_and_a_deeper_stored_one_is_reported(
        db: Database) -> None:
    """QA63 F8: 15 smart collections each naming the last were accepted, then `collection
    ls` failed whole with SQLite's "parser stack overflow", named as a database error."""
    create_collection(db, "c0", query="super")
    depth = 1
    while True:
        try:
            create_collection(db, f"c{depth}", query=f"-collection:c{depth - 1} -flag:hack")
        except QueryError as exc:
            assert "more than" in str(exc) and "deep" in str(exc), exc
            # (said once, naming the chain; no stored collection said broken: review 31 R3)
            assert "no longer works" not in str(exc) and f"c{depth - 1} → " in str(exc), exc
            break
        depth += 1
        assert depth < 40, "no limit"
    assert depth > 5  # (a few levels are a real use)
    assert collection_page(db, f"c{depth - 1}").total is not None
    infos = {info.name: info for info in list_collections(db)}  # (no SQLite error)
    assert [infos[f"c{n}"].problem for n in range(depth)] == [None] * depth
    # one stored deeper by an earlier release: listed with its problem, the rest listed
    db.execute("INSERT INTO collections (name, collection_type, rules_json) "
               "VALUES ('deeper', 'auto', ?)",
               (json.dumps({"query": f"collection:c{depth - 1} -flag:hack"}),))
    infos = {info.name: info for info in list_collections(db)}
    assert infos["deeper"].problem is not None and "deep" in infos["deeper"].problem
    assert infos["c0"].problem is None


def test_a_chain_whose_root_is_removed_names_the_broken_link_once(db: Database) -> None:
    """QA66 F7: removing the root of a chain of smart collections nested each level's "its
    stored query no longer works (…)" inside the next."""
    create_collection(db, "c0", query="super")
    for n in range(1, 5):
        create_collection(db, f"c{n}", query=f"collection:c{n - 1}")
    with pytest.raises(InputError, match="used by smart collection 'c1'; through them, smart "
                       "collection 'c2', smart collection 'c3', smart collection 'c4'; nothing"):
        remove_collection(db, "c0")  # (review41b F6: the cost said before --force)
    removed = remove_collection(db, "c0", force=True)
    # qa193 F8: the ones breaking through another were not named
    assert removed.smart_broken == ["c1"]
    assert removed.smart_broken_through == [("c2", "c1"), ("c3", "c2"), ("c4", "c3")]
    problem = {info.name: info.problem for info in list_collections(db)}["c4"]
    assert problem is not None and problem.count("no longer works") == 1, problem
    assert "collection 'c1'" in problem, problem


def test_a_rename_that_would_join_two_chains_too_deep_is_refused(db: Database) -> None:
    """QA66 F7 (second half): a rename joined two chains of smart collections past the
    nesting limit (one named a removed collection; the other's top renamed to its name):
    each of their next uses was refused."""
    from romrunner.collections.store import MAX_NESTING, rename_collection
    create_collection(db, "x", query="super")
    create_collection(db, "b0", query="collection:x")
    for n in range(1, 5):
        create_collection(db, f"b{n}", query=f"collection:b{n - 1}")
    remove_collection(db, "x", force=True)  # b0 names a collection gone
    create_collection(db, "a0", query="super")
    for n in range(1, 6):
        create_collection(db, f"a{n}", query=f"collection:a{n - 1}")
    assert MAX_NESTING < 5 + 6
    with pytest.raises(InputError, match=r"more than .* deep"):
        rename_collection(db, "a5", "x")
    names = {info.name for info in list_collections(db)}
    assert "a5" in names and "x" not in names  # nothing was changed
    rename_collection(db, "a5", "a-top")  # (a rename joining nothing is fine)


def test_a_collection_is_named_by_its_id_too_and_digits_alone_are_no_name(
        db: Database) -> None:
    """QA98 F10: `collection ls` shows ids, but `collection show 2` and `deploy --collection
    1` took names alone; a collection named "1" then shadowed id 1 without a word."""
    create_collection(db, "Faves")
    add_games(db, "Faves", [2, 1])
    assert ids(collection_page(db, "1")) == ids(collection_page(db, "Faves")) == [2, 1]
    assert {row["id"] for row in query_games(db, "collection:1",
                                             known_platforms=PLATFORMS).rows} == {1, 2}
    for name in ("1", "2024"):
        with pytest.raises(InputError, match="digits alone name a collection by its id"):
            create_collection(db, name)
    with pytest.raises(NotFoundError):
        collection_page(db, "7")


def test_a_smart_collection_naming_another_by_its_id_is_its_dependant(db: Database) -> None:
    """Review 103 F3: `collection:1` names collection 1, but `collection rm` looked for names
    alone: it removed the collection without a word and the smart one stopped working."""
    keep = create_collection(db, "Keep")
    create_collection(db, "ById", query=f"collection:{keep.id}", known_platforms=PLATFORMS)
    with pytest.raises(InputError, match="ById"):
        remove_collection(db, "Keep")
    # an id stays what it was: it still names it, and is not said rewritten (qa193 F8)
    assert rename_collection(db, "Keep", "Kept").rewritten == []
    rows = db.query("SELECT rules_json FROM collections WHERE name = 'ById'")
    assert f"collection:{keep.id}" in rows[0]["rules_json"]
    with pytest.raises(InputError, match="ById"):
        remove_collection(db, "Kept")
    create_collection(db, "Spaced", query=f'collection:"{keep.id} "', known_platforms=PLATFORMS)
    remove_collection(db, "ById")
    with pytest.raises(InputError, match="Spaced"):  # (review 105 F5)
        remove_collection(db, "Kept")


def test_adding_games_already_in_a_collection_says_how_many_were(db: Database) -> None:
    """QA102 F8: `collection add faves 3 3 3` said "0 games added" and no more."""
    create_collection(db, "Faves")
    assert add_games(db, "Faves", [3]).added == 1
    again = add_games(db, "Faves", [3, 3, 3, 1])
    assert (again.added, again.already) == (1, 1)


def test_adding_a_query_whose_games_are_in_already_says_so(cli: Any, db_path: Path) -> None:
    """qa197 F1: a query all of whose games were in the collection said "0 games added" and
    `already_in: 0`, as a query matching nothing would."""
    make_library(db_path).close()
    snes = sum(1 for game in GAMES if game[1] == "snes")
    assert cli("collection", "create", "Handheld").code == 0
    first = cli("--json", "collection", "add", "Handheld", "--query", "platform:snes").json()
    assert (first["data"]["added"], first["data"]["already_in"]) == (snes, 0)
    again = cli("--json", "collection", "add", "Handheld", "--query", "platform:snes").json()
    assert (again["data"]["added"], again["data"]["already_in"]) == (0, snes)
    both = cli("collection", "add", "Handheld", "--query", "platform:snes", "1", "5")
    assert f"1 game added to Handheld ({snes} games already in it)" in both.out


def test_a_cycle_made_by_a_new_collection_is_said_with_its_chain(cli: Any, db_path: Path) -> None:
    """QA141 F5: creating a3 whose query closed a3 → a1 → a2 → a3 was blamed on a2 ("its
    stored query no longer works") and named no cycle."""
    make_library(db_path).close()
    for args in (("create", "a1", "--query", "platform:gb"),
                 ("create", "a2", "--query", "collection:a1"), ("rename", "a1", "a3"),
                 ("create", "a1", "--query", "collection:a2"), ("rm", "a3", "--force")):
        assert cli("collection", *args).code == 0, args
    refused = cli("collection", "create", "a3", "--query", "collection:a1")
    assert refused.code == 2 and refused.err.strip() == (
        "error: query: collection:a3 refers to itself (a3 → a1 → a2 → a3)"), refused.err


def test_a_broken_querys_message_shows_it_as_stored_and_how_to_mend_it(db: Database) -> None:
    """A smart collection's broken query was said through repr(): its backslashes doubled
    (`title:"a\\\\b"` for the stored `title:"a\\b"`), so not the query the user typed; and
    the only way out it named was `collection rm` and create again."""
    create_collection(db, "Slashed", query="platform:snes")
    stored = r'colour:red title:"a\\b"'  # (the query language's own escape, once)
    db.execute("UPDATE collections SET rules_json = ? WHERE name = 'Slashed'",
               (json.dumps({"query": stored}),))
    with pytest.raises(InputError) as caught:
        collection_page(db, "Slashed")
    message = str(caught.value)
    assert f"its stored query `{stored}` no longer works" in message, message
    assert repr(stored) not in message and "\\\\\\\\" not in message, message
    assert "`romrunner collection edit Slashed --query …`" in message, message


def test_a_smart_collections_query_is_replaced_and_a_bad_one_changes_nothing(
        db: Database) -> None:
    """`collection edit NAME --query`: the way to mend a smart collection whose query no
    longer works, short of `collection rm` and create (which a profile naming it refuses)."""
    from romrunner.collections.store import MAX_NESTING, set_collection_query
    create_collection(db, "Picks", query="platform:snes")
    create_collection(db, "Over", query="collection:picks")
    create_collection(db, "Hand")
    db.execute("UPDATE collections SET rules_json = ? WHERE name = 'Picks'",
               (json.dumps({"query": "colour:red"}),))

    def stored() -> dict[str, str]:
        return {row["name"]: row["rules_json"] for row in db.query(
            "SELECT name, rules_json FROM collections")}

    before = stored()
    for bad in ("colour:blue", "   "):  # refused with the same error create gives
        with pytest.raises(InputError) as created:
            create_collection(db, "New", query=bad, known_platforms=PLATFORMS)
        with pytest.raises(InputError) as edited:
            set_collection_query(db, "Picks", bad, known_platforms=PLATFORMS)
        assert str(edited.value) == str(created.value)
    with pytest.raises(InputError, match=r"refers to itself \(Picks → Over → picks\)"):
        set_collection_query(db, "picks", "collection:over")
    with pytest.raises(InputError, match="'Hand' is manual"):
        set_collection_query(db, "Hand", "platform:snes")
    with pytest.raises(InputError, match="built in"):
        set_collection_query(db, "unidentified", "platform:snes")
    with pytest.raises(NotFoundError):
        set_collection_query(db, "Nope", "platform:snes")
    assert stored() == before  # nothing was changed

    edited = set_collection_query(db, "picks", "platform:n64", known_platforms=PLATFORMS)
    assert (edited.name, edited.old_query, edited.query) == ("Picks", "colour:red",
                                                             "platform:n64")
    infos = {info.name: info for info in list_collections(db, known_platforms=PLATFORMS)}
    assert infos["Picks"].problem is None and infos["Over"].problem is None
    n64 = ids(query_games(db, "platform:n64", known_platforms=PLATFORMS))
    assert sorted(ids(collection_page(db, "Over"))) == sorted(n64) != []

    # a query that would put a chain naming this collection past the nesting limit
    create_collection(db, "d0", query="super")
    for n in range(1, MAX_NESTING + 1):
        create_collection(db, f"d{n}", query=f"collection:d{n - 1}")
    before = stored()
    with pytest.raises(InputError, match=r"more than .* deep \('d\d+'\); nothing was changed"):
        set_collection_query(db, "d0", "collection:picks")
    assert stored() == before


def test_a_profile_naming_favorites_before_its_first_game_is_told_how(
        cli: Any, tmp_path: Path) -> None:
    """qa199 F6: the refusal advised creating a collection of one's own, while adding a game
    to favorites gives it an id and a profile may name it then (as the advice now says)."""
    from tests.conftest import muos_profile
    (tmp_path / "lib" / "gb").mkdir(parents=True)
    (tmp_path / "lib" / "gb" / "Tetris (World).gb").write_bytes(b"t" * 4096)
    muos_profile(cli, tmp_path / "lib")
    refused = cli("profile", "set", "1", "--include-collections", "favorites")
    assert refused.code == 2
    assert "add one (`romrunner collection add favorites GAME_ID`), then name it" in \
        " ".join(refused.err.split()), refused.err
    assert cli("collection", "add", "favorites", "1").code == 0  # (as it says)
    named = cli("profile", "set", "1", "--include-collections", "favorites")
    assert named.code == 0, named.err
