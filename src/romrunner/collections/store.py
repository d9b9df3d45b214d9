"""Collections: manual (ordered lists of games) and smart (a stored query, evaluated live).

A smart collection stores its query text (``rules_json = {"query": "..."}``) and compiles it
each time it is read, so it follows the library and the pack; a stored query that no longer
parses (a field renamed, a DAT removed) is reported by name, never fatal to a listing.

Built-in collections need no setup: ``favorites`` (manual, created on first add) and the smart
``recently added``, ``missing files``, ``unidentified`` and ``name-guessed``. A game deleted
from the library leaves every collection (foreign key cascade); a game whose file went missing
stays in them.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from romrunner.errors import InputError, NotFoundError
from romrunner.library.query import (
    LIST_COLUMNS,
    Context,
    GamePage,
    Query,
    QueryError,
    Selection,
    Term,
    compile_where,
    count_selection,
    parse_query,
    query_games,
    quote_value,
)
from romrunner.library.summary import as_listed
from romrunner.store.database import Database, row_id
from romrunner.textnorm import has_control_characters
from romrunner.words import counted, shell_word, shortened

FAVORITES = "favorites"


@dataclass(frozen=True)
class BuiltIn:
    """A built-in smart collection: its query and default sort."""

    query: str
    sort: str
    description: str


BUILTINS: dict[str, BuiltIn] = {
    "recently added": BuiltIn("added:30d", "-added", "games added in the last 30 days"),
    "missing files": BuiltIn("missing:true", "title", "games whose file has vanished"),
    "unidentified": BuiltIn("match:none", "title", "games matching no DAT entry"),
    "name-guessed": BuiltIn("match:name", "title", "games matched by name only, not by hash"),
}
RESERVED = {FAVORITES, *BUILTINS}


@dataclass(frozen=True)
class CollectionInfo:
    """A collection as ``collection ls`` shows it (built-in ones have no id)."""

    name: str
    kind: str  # 'manual', 'smart', 'built-in'; 'auto-list' (manual, saved by autolist --save)
    games: int | None
    games_exact: bool
    query: str | None
    problem: str | None
    id: int | None = None


@dataclass(frozen=True)
class CollectionRef:
    """A collection's id (None: built in), name and kind."""

    id: int | None
    name: str
    kind: str


@dataclass(frozen=True)
class Dependants:
    """What names a collection: profiles (by id) and smart collections (by name)."""

    profiles: list[tuple[int, str]]
    smart: list[str]

    def describe(self) -> str:
        """The dependants in words, e.g. "profile 2 (RG35XX), smart collection 'picks'"."""
        parts = [f"profile {pid} ({name})" for pid, name in self.profiles]
        parts += [f"smart collection {name!r}" for name in self.smart]
        return ", ".join(parts)


@dataclass(frozen=True)
class RemovedCollection:
    """``collection rm``: the collection, and what --force changed or left broken."""

    name: str
    id: int
    profiles_updated: list[int]
    smart_broken: list[str]
    # profiles it was the only included collection of: they keep naming it, and fail until
    # set again, rather than take every collection (QA141 F7)
    profiles_failing: list[int] = field(default_factory=list)
    # smart collections that name it through another smart collection: (name, the one named)
    smart_broken_through: list[tuple[str, str]] = field(default_factory=list)
    # favorites, built in, is not removed but emptied: the games taken out of it (it keeps
    # its id, so the profiles and smart collections naming it keep naming it)
    emptied: int | None = None


@dataclass(frozen=True)
class RenamedCollection:
    """``collection rename``: the new name and the smart collections rewritten to use it."""

    old: str
    name: str
    id: int
    rewritten: list[str]


@dataclass(frozen=True)
class _Stored:
    id: int
    name: str
    kind: str  # 'manual' or 'smart'
    query: str | None


def name_key(name: str) -> str:
    """The key collection names are compared by: one name whatever its case, in every script
    (QA44 F6: SQLite's NOCASE folds ASCII only, so "Été" and "été" were two collections, and
    a rename of one rewrote the smart queries naming the other), and whatever its Unicode
    form (QA57 F2: `Café` typed and `Café` pasted from a Mac's Finder, decomposed, were
    two collections that look alike), or a compatibility form and its spaces (QA63 F4: a
    no-break space or full-width letters made "Recently Added" and "ｆavorites" names of their
    own beside the built-ins they look like)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def edit_hint(name: str) -> str:
    """The command that gives the smart collection ``name`` another query, to quote in a
    message: `romrunner collection edit NAME --query …`."""
    return f"`romrunner collection edit {shell_word(name)} --query …`"


def _find(db: Database, name: str) -> _Stored | None:
    """The collection of that name: the one spelt exactly so, else the first whose name is
    the same but for case (a database from before names were compared so may hold two)."""
    key = name_key(name)
    row = None
    for candidate in db.query("SELECT id, name, collection_type, rules_json FROM collections "
                              "ORDER BY id"):
        if candidate["name"] == name:
            row = candidate
            break
        if row is None and name_key(candidate["name"]) == key:
            row = candidate
    number = row_id(name) if row is None and name.isascii() else None
    if number is not None:  # its id, as `collection ls` shows (QA98 F10: names alone)
        row = db.query_one("SELECT id, name, collection_type, rules_json FROM collections "
                           "WHERE id = ?", (number,))
    if row is None:
        return None
    if row["collection_type"] == "auto":
        return _Stored(int(row["id"]), row["name"], "smart", _stored_query(row["rules_json"]))
    return _Stored(int(row["id"]), row["name"], "manual", None)


def _stored_query(rules_json: str | None) -> str:
    """The query text of a smart collection; rules stored before queries existed (a filter's
    fields) are read as the equivalent query."""
    try:
        rules = json.loads(rules_json or "{}")
    except ValueError:
        return "\x00unreadable rules"
    if not isinstance(rules, dict):
        return "\x00unreadable rules"
    if isinstance(rules.get("query"), str):
        return str(rules["query"])
    legacy: dict[str, Callable[[object], str]] = {
        "platform": lambda v: f"platform:{quote_value(str(v))}",
        "region": lambda v: f"region:{quote_value(str(v))}",
        "missing": lambda v: "missing:true", "present": lambda v: "missing:false",
        "unidentified": lambda v: "match:none", "identified": lambda v: "match:any"}
    parts = [legacy[key](value) if key in legacy else f"{key}:{value}"
             for key, value in sorted(rules.items()) if value not in (None, False)]
    return " ".join(parts)


def _require(db: Database, name: str) -> _Stored:
    found = _find(db, name)
    if found is None:
        raise NotFoundError(f"collection {name!r} does not exist "
                            "(`romrunner collection ls` lists them)")
    return found


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or has_control_characters(clean):
        raise InputError(f"collection name {name!r}: empty or has control or invisible "
                         "characters")
    if name_key(clean) in RESERVED:
        raise InputError(f"collection name {clean!r} is built in; choose another name")
    if clean.isascii() and clean.isdigit():
        raise InputError(f"collection name {clean!r}: digits alone name a collection by its "
                         "id; choose another name")
    return clean


def _validate(db: Database, text: str, known_platforms: Iterable[str] | None,
              seen: tuple[str, ...] = ()) -> Selection:
    query = parse_query(text)
    known = frozenset(known_platforms) | {"unknown"} if known_platforms is not None else None
    where, params = compile_where(query, Context(db, known, seen))
    return Selection("games g", [], where, params)


# -- the collection: query field --------------------------------------------------------------
# How deep smart collections may name collections (QA63 F8: past ~15 levels of queries
# nested in the SQL, SQLite's parser gave up, "parser stack overflow", and `collection ls`
# failed whole; a collection named inside another's query is now read first, see
# collection_condition, but a chain this long is still refused).
MAX_NESTING = 8


class TooDeep(QueryError):
    """A query naming collections that name collections more than MAX_NESTING deep."""


class Broken(QueryError):
    """A stored smart collection whose own query no longer works (a collection it names was
    removed, a field renamed)."""


class Cycle(QueryError):
    """A query naming, through collections, one being read: said once, with the chain
    (QA141 F5: said as another collection's query that "no longer works")."""


def _cycle(ctx: Context, name: str) -> Cycle:
    chain = " → ".join([*_chain(ctx), name])
    return Cycle(f"query: collection:{quote_value(name)} refers to itself ({chain})")


def _chain(ctx: Context) -> list[str]:
    """The collections being read, outermost first, by name (a stored one's id mark is
    turned back into its name)."""
    names = []
    for token in ctx.collections_seen:
        stored = _stored_by_token(ctx.db, token)
        names.append(stored if stored is not None else token)
    return names

def collection_condition(ctx: Context, name: str) -> tuple[str, list[object]]:
    """The SQL condition of ``collection:NAME`` (manual: membership; smart: its query).

    A query refers to itself when it names, through any chain, a collection already being
    read: a stored one known by its id (``ctx.collections_seen`` holds :func:`_seen_token`;
    two names of one case-fold in a database from before names were compared so are two
    collections: review 21 R4), one being created or a built-in by its name's key."""
    key = name_key(name)
    if len(ctx.collections_seen) > MAX_NESTING:
        raise TooDeep(f"query: collection:{quote_value(name)}: collections name collections "
                      f"more than {MAX_NESTING} deep ({' → '.join(_chain(ctx))} → "
                      f"{name}); name one nearer the games")
    if key in BUILTINS:
        if key in ctx.collections_seen:
            raise _cycle(ctx, name)
        sub = Context(ctx.db, ctx.known_platforms, (*ctx.collections_seen, key))
        return compile_where(parse_query(BUILTINS[key].query), sub)
    found = _find(ctx.db, name)
    if _seen_token(found, name) in ctx.collections_seen:
        raise _cycle(ctx, name)
    if found is None:
        if key == FAVORITES:
            return "0 = 1", []
        raise QueryError(f"query: collection:{quote_value(name)}: no such collection")
    if found.kind == "manual":
        return ("g.id IN (SELECT game_id FROM collection_games WHERE collection_id = ?)",
                [found.id])
    sub = Context(ctx.db, ctx.known_platforms, (*ctx.collections_seen, _seen_token(found)))
    try:
        where, params = compile_where(parse_query(found.query or ""), sub)
    except (TooDeep, Broken, Cycle):
        raise  # (said once: the chain, or the collection whose own query broke — not each
        # level's query "no longer works" around it, review 31 R3, QA66 F7)
    except QueryError as exc:
        raise Broken(f"collection {found.name!r}: its stored query no longer works "
                     f"({exc})") from exc
    if not ctx.collections_seen:
        return where, params
    # A smart collection another collection's query names is read first, in a statement of
    # its own, and named by its games' ids: its SQL nested inside the other's went past
    # SQLite's parser stack two levels down when a query held `compat:` (its knowledge
    # keys' SQL alone takes most of it: qa188 F1).
    with ctx.db.translate_errors():
        ids = [int(row[0]) for row in ctx.db.conn.execute(
            f"SELECT g.id FROM games g WHERE {where}", params)]
    return "g.id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]


def _seen_token(found: _Stored | None, name: str = "") -> str:
    """What marks a collection as being read (see :func:`collection_condition`): a stored
    one's id (after a NUL, which no name holds), else the key of the name it is about to be
    stored under."""
    return _id_token(found.id) if found is not None else name_key(name)


def _id_token(collection_id: int) -> str:
    return f"\x00{collection_id}"


def _stored_by_token(db: Database, token: str) -> str | None:
    """The name of the stored collection an id mark (see _id_token) stands for."""
    if not token.startswith("\x00"):
        return None
    name = db.scalar("SELECT name FROM collections WHERE id = ?", (int(token[1:]),))
    return str(name) if name is not None else None


# -- commands ------------------------------------------------------------------------------------
def create_collection(db: Database, name: str, *, query: str | None = None,
                      known_platforms: Iterable[str] | None = None) -> CollectionInfo:
    """Create a manual collection, or a smart one when ``query`` is given (checked first)."""
    clean = _check_name(name)
    existing = _find(db, clean)
    if existing is not None:  # (named as stored: `ﬁnal` for `final`, review 21 R8)
        raise InputError(f"collection {existing.name!r} already exists"
                         + (f" (names are compared whatever their case: {clean!r} is the "
                            "same name)" if existing.name != clean else ""))
    stored = None
    if query is not None:
        parsed = parse_query(query)
        stored = parsed.text()
        if not stored:
            raise InputError("--query is empty: a smart collection needs a query")
        _validate(db, stored, known_platforms, (name_key(clean),))
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO collections (name, collection_type, rules_json, updated_at) "
            "VALUES (?, ?, ?, CURRENT_TIMESTAMP)",
            (clean, "auto" if stored is not None else "manual",
             json.dumps({"query": stored}) if stored is not None else None))
    return CollectionInfo(clean, "smart" if stored is not None else "manual", 0, True,
                          stored, None, cursor.lastrowid)


def _saved_autolist(rules_json: str | None) -> bool:
    """True for the rules of a collection `autolist --save` stored (a list of games, as a
    manual one, whose rules name the profile that made it)."""
    return "autolist_profile" in (rules_json or "")


class SavedCollection(NamedTuple):
    """An auto-list stored as a collection: its id and its name as stored (an earlier one
    replaced keeps its own: QA63 F3 addendum, the typed name was said)."""

    id: int
    name: str


def save_autolist_collection(db: Database, name: str, game_ids: list[int],
                             rules: dict[str, Any], description: str, *,
                             replace: bool = False) -> SavedCollection:
    """Store ``game_ids`` in order as the auto-list collection ``name`` (``rules``: what
    made it, which marks it an auto-list). The name is checked as
    :func:`create_collection` checks one; an earlier auto-list of that name (any case) is
    replaced only with ``replace``; another collection of that name is an error."""
    clean = _check_name(name)
    with db.atomic():
        found = _find(db, clean)
        existing = None if found is None else db.query_one(
            "SELECT id, name, rules_json FROM collections WHERE id = ?", (found.id,))
        if existing is not None and not _saved_autolist(existing["rules_json"]):
            raise InputError(f"collection {existing['name']!r} already exists and is not an "
                             "auto-list: it is yours (made by hand, or a saved auto-list "
                             "edited by hand since, which --replace never replaces); choose "
                             f"another name, or remove it first (`romrunner collection rm "
                             f"{shell_word(str(existing['name']))}`)")
        if existing is not None and not replace:
            raise InputError(f"auto-list {existing['name']!r} is already saved (collection "
                             f"{existing['id']}); nothing was changed (use --replace to "
                             "replace it, or choose another name)")
        encoded = json.dumps(rules, sort_keys=True)
        if existing is None:
            cursor = db.execute("INSERT INTO collections (name, description, collection_type, "
                                "rules_json, updated_at) VALUES (?, ?, 'manual', ?, "
                                "CURRENT_TIMESTAMP)", (clean, description, encoded))
            assert cursor.lastrowid is not None
            collection_id, stored = int(cursor.lastrowid), clean
        else:
            collection_id, stored = int(existing["id"]), str(existing["name"])
            db.execute("DELETE FROM collection_games WHERE collection_id = ?", (collection_id,))
            db.execute("UPDATE collections SET rules_json = ?, updated_at = CURRENT_TIMESTAMP "
                       "WHERE id = ?", (encoded, collection_id))
        db.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                   "SELECT ?, value, key FROM json_each(?)",
                   (collection_id, json.dumps(game_ids)))
    return SavedCollection(collection_id, stored)


def remove_collection(db: Database, name: str, *, force: bool = False) -> RemovedCollection:
    """Delete a collection (its games stay in the library). A manual collection holding
    games, or one that profiles' filters or smart collections' queries name, is refused,
    naming them, unless ``force``: then it leaves the profiles' filters too, and those smart
    collections stop working."""
    with db.atomic():
        found = _find(db, name)
        if found is None and name_key(name) in BUILTINS:  # (a stored one named alike is the
            # user's, and is removed: review51a F2)
            raise InputError(f"collection {name!r} is built in and cannot be removed")
        if found is None and name_key(name) == FAVORITES:  # (listed, so not "no such": QA49 F6)
            raise InputError(f"collection {name!r} is built in and holds no game: nothing to "
                             "remove")
        found = found or _require(db, name)
        if _is_favorites(db, found):
            return _empty_favorites(db, found, force)
        users = dependants(db, found)
        through = _named_through(db, found, users.smart) if users.smart else []
        if (users.profiles or users.smart) and not force:
            # (review41b F6: the ones through another were named only once removed)
            also = "; through them, " + ", ".join(
                f"smart collection {name!r}" for name, _ in through) if through else ""
            raise InputError(f"collection {found.name!r} is used by {users.describe()}{also}; "
                             "nothing was removed (use --force to remove it anyway: the "
                             "profiles stop filtering by it — but one that took only its "
                             "games keeps naming it and fails until `profile set` — and "
                             "those smart collections stop working)")
        picked = 0 if found.kind == "smart" else int(db.scalar(
            "SELECT count(*) FROM collection_games WHERE collection_id = ?", (found.id,)) or 0)
        if picked and not force:  # (QA23 P3: a typo lost a hand-picked list, unasked)
            raise InputError(f"collection {found.name!r} holds {counted(picked, 'game')} picked "
                             "by hand; nothing was removed (use --force to remove it: its "
                             "games stay in the library)")
        failing = _only_included_by(db, [pid for pid, _ in users.profiles], found.id)
        for profile_id, _ in users.profiles:
            _drop_from_profile(db, profile_id, found.id, keep_included=profile_id in failing)
        db.execute("DELETE FROM collections WHERE id = ?", (found.id,))
    return RemovedCollection(found.name, found.id,
                             [pid for pid, _ in users.profiles if pid not in failing],
                             users.smart, sorted(failing), through)


def _named_through(db: Database, found: _Stored, direct: list[str]) -> list[tuple[str, str]]:
    """The smart collections whose queries name ``found`` through others (those in
    ``direct`` name it themselves), each with the collection it names on the way: removed,
    ``found`` breaks them too (qa193 F8: only the direct ones were named)."""
    smart = _smart_queries(db, skip=found.id)
    broken = {name_key(name) for name in direct}
    frontier = [_Stored(cid, name, "smart", None) for cid, name, _ in smart
                if name_key(name) in broken]
    through: list[tuple[str, str]] = []
    while frontier:
        reached: list[_Stored] = []
        for cid, name, query in smart:
            if query is None or name_key(name) in broken:
                continue
            via = next((named for named in frontier if _names(db, query, named)), None)
            if via is not None:
                broken.add(name_key(name))
                through.append((name, via.name))
                reached.append(_Stored(cid, name, "smart", None))
        frontier = reached
    return through


def _only_included_by(db: Database, profile_ids: list[int], collection_id: int) -> set[int]:
    """Those of ``profile_ids`` whose only included collection is ``collection_id``: taken
    out, the profile would take every collection."""
    return {int(row[0]) for row in db.query(
        "SELECT p.id FROM device_profiles p WHERE p.id IN (SELECT value FROM json_each(?)) "
        f"AND (SELECT count(*) FROM json_each({_json_list_sql('include_collections')})) = 1 "
        f"AND EXISTS (SELECT 1 FROM json_each({_json_list_sql('include_collections')}) j "
        "WHERE j.value = ?)", (json.dumps(profile_ids), collection_id))}


_PROFILE_LISTS = ("include_collections", "exclude_collections")


def _json_list_sql(column: str) -> str:
    """A profile's JSON list column, read as ``[]`` when it does not hold valid JSON."""
    return f"CASE WHEN json_valid(p.{column}) THEN p.{column} ELSE '[]' END"


def dependants(db: Database, found: _Stored) -> Dependants:
    """The profiles whose collection filters name ``found`` and the smart collections whose
    stored query names it (read through the query parser)."""
    profiles = [(int(row["id"]), str(row["profile_name"] or "")) for row in db.query(
        "SELECT p.id, p.profile_name FROM device_profiles p WHERE "
        + " OR ".join(f"EXISTS (SELECT 1 FROM json_each({_json_list_sql(column)}) j "
                      "WHERE j.value = :c)" for column in _PROFILE_LISTS)
        + " ORDER BY p.id", {"c": found.id})]
    smart = [name for _, name, query in _smart_queries(db, skip=found.id)
             if query is not None and _names(db, query, found)]
    return Dependants(profiles, smart)


def _too_deep(db: Database) -> dict[int, str]:
    """The smart collections (id -> name) whose query names collections more than
    MAX_NESTING deep."""
    deep: dict[int, str] = {}
    for row in db.query("SELECT id, name, rules_json FROM collections "
                        "WHERE collection_type = 'auto'"):
        try:
            _validate(db, _stored_query(row["rules_json"]), None,
                      (_id_token(int(row["id"])),))
        except TooDeep:
            deep[int(row["id"])] = str(row["name"])
        except (QueryError, InputError):
            continue
    return deep


def _smart_queries(db: Database, *, skip: int) -> list[tuple[int, str, Query | None]]:
    """Every other smart collection: id, name, parsed query (None: it no longer parses)."""
    found: list[tuple[int, str, Query | None]] = []
    for row in db.query("SELECT id, name, rules_json FROM collections "
                        "WHERE collection_type = 'auto' AND id != ? ORDER BY name, id", (skip,)):
        query: Query | None
        try:
            query = parse_query(_stored_query(row["rules_json"]))
        except InputError:
            query = None
        found.append((int(row["id"]), str(row["name"]), query))
    return found


def _names(db: Database, query: Query, found: _Stored) -> bool:
    """True when a ``collection:`` value of ``query`` names the collection ``found``."""
    return any(term.field == "collection" and any(_is(db, v, found) for v in term.values)
               for term in query.terms)


def _is(db: Database, value: str, found: _Stored) -> bool:
    """True when ``value``, a name or an id, finds the collection ``found`` (see
    :func:`_find`; review 103 F3: `collection:1` was not seen as naming collection 1). The
    name of a built-in smart collection names it, never a stored one named alike (a query
    reads it so: review51a F2)."""
    if name_key(value) in BUILTINS:
        return False
    if name_key(value) != name_key(found.name) and not _its_id(value, found):
        return False
    named = _find(db, value)
    return named is not None and named.id == found.id


def _its_id(value: str, found: _Stored) -> bool:
    """True when ``value`` is the id of ``found`` (which a rename leaves as it is)."""
    return row_id(value) == found.id  # (as _find reads it: "6 " too, review 105 F5)


def _renamed(db: Database, query: Query, found: _Stored, new: str) -> Query:
    """``query`` with every ``collection:`` value naming ``found`` written as ``NEW``."""
    return Query(tuple(
        Term(term.field, tuple(new if _is(db, v, found) and not _its_id(v, found) else v
                               for v in term.values),
             term.negated) if term.field == "collection" else term
        for term in query.terms))


def _drop_from_profile(db: Database, profile_id: int, collection_id: int, *,
                       keep_included: bool = False) -> None:
    for column in _PROFILE_LISTS:
        if keep_included and column == "include_collections":
            continue
        db.execute(f"UPDATE device_profiles AS p SET {column} = (SELECT json_group_array("
                   f"j.value) FROM json_each({_json_list_sql(column)}) j WHERE j.value != ?), "
                   "updated_at = CURRENT_TIMESTAMP WHERE p.id = ?",
                   (collection_id, profile_id))


def rename_collection(db: Database, old: str, new: str) -> RenamedCollection:
    """Rename a collection; every smart collection whose query names it is rewritten (through
    the query parser) to name it by its new name, in the same transaction. A stored one whose
    name only looks like the favorites (a smart "favorites", a manual "ｆavorites" beside it,
    from a database of before names were compared folded) is the user's, and renaming it is
    how the built-in favorites gets its name back (review49g F6). So is a stored one named
    like a built-in smart collection (a smart "unidentified", a manual "Ｒecently added"),
    which are never stored (review51a F2)."""
    key = name_key(old)
    if key in BUILTINS and _find(db, old) is None:
        raise InputError(f"collection {old!r} is built in and cannot be renamed")
    clean = _check_name(new)
    with db.atomic():
        found = _find(db, old) if key in RESERVED else _require(db, old)
        if found is None or _is_favorites(db, found):
            raise InputError(f"collection {old!r} is built in and cannot be renamed")
        # (any other of that name but for case: a database from before names were compared
        # so may hold two, and the rename must not crash on its index: QA46 F4)
        for other_id, other_name in db.query("SELECT id, name FROM collections"):
            if other_id != found.id and name_key(other_name) == name_key(clean):
                raise InputError(f"collection {other_name!r} already exists")
        smart = _smart_queries(db, skip=found.id)
        # (a rename joins chains only where a query names the new name already: then each
        # smart collection's depth is asked before and after, review 35 R7)
        joins = any(query is not None and any(
            term.field == "collection" and any(name_key(v) == name_key(clean)
                                               for v in term.values)
            for term in query.terms) for _, _, query in smart)
        deep_before = _too_deep(db) if joins else {}
        rewritten: list[str] = []
        for smart_id, name, query in smart:
            if query is None or not _names(db, query, found):
                continue
            text = _renamed(db, query, found, clean).text()
            if text == query.text():  # (it names it by its id: qa193 F8, said rewritten)
                continue
            db.execute("UPDATE collections SET rules_json = ?, updated_at = "
                       "CURRENT_TIMESTAMP WHERE id = ?", (json.dumps({"query": text}), smart_id))
            rewritten.append(name)
        db.execute("UPDATE collections SET name = ?, updated_at = CURRENT_TIMESTAMP "
                   "WHERE id = ?", (clean, found.id))
        # (QA66 F7: a rename joined two chains of smart collections past MAX_NESTING, each
        # of their next uses refused)
        deeper = sorted(name for collection_id, name in _too_deep(db).items()
                        if collection_id not in deep_before) if joins else []
        if deeper:
            raise InputError(f"renaming {found.name!r} to {clean!r}: smart collections would "
                             f"name collections more than {MAX_NESTING} deep "
                             f"({', '.join(map(repr, deeper))}); nothing was changed")
        if found.query is not None:  # (QA44 F14: a rename closed a loop of smart queries)
            try:
                _validate(db, found.query, None, (_seen_token(found),))
            except QueryError as exc:
                if "refers to itself" not in str(exc):  # (broken before: renamed as it is)
                    return RenamedCollection(found.name, clean, found.id, rewritten)
                raise InputError(f"renaming {found.name!r} to {clean!r}: its query would "
                                 f"name itself through another collection ({exc}); nothing "
                                 "was changed") from None
    return RenamedCollection(found.name, clean, found.id, rewritten)


@dataclass(frozen=True)
class EditedCollection:
    """``collection edit``: the smart collection and its query before and after."""

    name: str
    id: int
    old_query: str
    query: str


def set_collection_query(db: Database, name: str, query: str, *,
                         known_platforms: Iterable[str] | None = None) -> EditedCollection:
    """Replace the stored query of the smart collection ``name``, in one transaction: the new
    one is checked as :func:`create_collection` checks one (the same errors), and refused,
    nothing changed, when it names the collection itself through others or would make a smart
    collection naming this one name collections more than MAX_NESTING deep. The way to fix
    one whose query no longer works (a DAT removed, a field renamed)."""
    if name_key(name) in RESERVED:
        raise InputError(f"collection {name!r} is built in: its query cannot be changed "
                         "(`collection create NAME --query ...` makes one of your own)")
    parsed = parse_query(query)
    stored = parsed.text()
    if not stored:
        raise InputError("--query is empty: a smart collection needs a query")
    with db.atomic():
        found = _require(db, name)
        if found.kind != "smart":
            raise InputError(f"collection {found.name!r} is manual: it holds games picked by "
                             "hand, not a query; nothing was changed")
        _validate(db, stored, known_platforms, (_seen_token(found),))
        # (only a query naming collections can deepen the chains that name this one)
        nests = any(term.field == "collection" for term in parsed.terms)
        deep_before = _too_deep(db) if nests else {}
        db.execute("UPDATE collections SET rules_json = ?, updated_at = CURRENT_TIMESTAMP "
                   "WHERE id = ?", (json.dumps({"query": stored}), found.id))
        deeper = sorted(other for collection_id, other in _too_deep(db).items()
                        if collection_id not in deep_before) if nests else []
        if deeper:
            raise InputError(f"collection {found.name!r}: with this query, smart collections "
                             f"would name collections more than {MAX_NESTING} deep "
                             f"({', '.join(map(repr, deeper))}); nothing was changed")
    return EditedCollection(found.name, found.id, found.query or "", stored)


def _empty_favorites(db: Database, found: _Stored, force: bool) -> RemovedCollection:
    """``collection rm favorites``: the built-in favorites is emptied, not removed (it was
    deleted, and listed as a manual collection once a game was added again, still refusing a
    rename as built in); the games picked by hand only with ``force``."""
    picked = int(db.scalar("SELECT count(*) FROM collection_games WHERE collection_id = ?",
                           (found.id,)) or 0)
    if not picked:
        raise InputError(f"collection {found.name!r} is built in and holds no game: nothing to "
                         "remove")
    if not force:
        raise InputError(f"collection {found.name!r} is built in and holds "
                         f"{counted(picked, 'game')} picked by hand; nothing was removed (use "
                         "--force to empty it: it stays, and its games stay in the library)")
    db.execute("DELETE FROM collection_games WHERE collection_id = ?", (found.id,))
    db.execute("UPDATE collections SET updated_at = CURRENT_TIMESTAMP WHERE id = ?",
               (found.id,))
    return RemovedCollection(found.name, found.id, [], [], emptied=picked)


def _is_favorites(db: Database, found: _Stored) -> bool:
    """True for the built-in favorites once stored (its first game added): the collection
    :func:`favorites_id` names — not another whose name folds alike, which a database from
    before names were compared so may hold (review49d F2: "ｆavorites" could no longer be
    removed, only emptied)."""
    return found.kind == "manual" and name_key(found.name) == FAVORITES \
        and found.id == favorites_id(db)


def favorites_id(db: Database) -> int | None:
    """The id of the built-in favorites once stored: the manual collection named exactly
    so, else the first (by id) whose name is so but for case or width; None before its first
    game."""
    rows = [row for row in db.query("SELECT id, name, collection_type FROM collections "
                                    "ORDER BY id") if name_key(row["name"]) == FAVORITES]
    exact = next((row for row in rows if row["name"] == FAVORITES), None)
    if exact is not None:  # (a smart one of that very name is no favorites: review49f F4)
        return None if exact["collection_type"] == "auto" else int(exact["id"])
    manual = [row for row in rows if row["collection_type"] != "auto"]
    return int(manual[0]["id"]) if manual else None


# -- collections named by profiles -----------------------------------------------------------
def collection_ref(db: Database, name: str) -> CollectionRef:
    """The id (None for a built-in), stored name and kind of the collection ``name``."""
    key = name_key(name)
    if key in BUILTINS:
        return CollectionRef(None, key, "built-in")
    found = _find(db, name)
    if found is None and key == FAVORITES:
        return CollectionRef(None, FAVORITES, "built-in")
    found = found or _require(db, name)
    kind = "built-in" if _is_favorites(db, found) else found.kind  # (with its id, once stored)
    if kind == "manual" and _saved_autolist(db.scalar(
            "SELECT rules_json FROM collections WHERE id = ?", (found.id,))):
        kind = "auto-list"  # (as `collection ls` says: review 17)
    return CollectionRef(found.id, found.name, kind)


def collection_exists(db: Database, name: str) -> bool:
    """True when ``name`` (a name or an id) is a collection the query language takes: the
    user's, a built-in, or the favourites (empty until a game is added)."""
    key = name_key(name)
    return key in BUILTINS or key == FAVORITES or _find(db, name) is not None


def _refuse_a_name_split_at_its_comma(db: Database, parts: list[str], index: int) -> None:
    """Refuse a list whose commas split the name of a collection (``my favs, best`` read as
    ``my favs`` and ``best``), saying so with its id, which a list takes whole; nothing when
    no run of ``parts`` around ``index`` names one (an unknown name is said as such)."""
    for start in range(index, -1, -1):
        for end in range(index + 1, len(parts) + 1):
            if end - start < 2:
                continue
            found = _find(db, ",".join(parts[start:end]).strip())
            if found is not None:
                raise InputError(
                    f"collection {found.name!r}: its name holds a comma, which splits a list "
                    f"of collections; name it by its id ({found.id}) in a list")


def resolve_collection_ids(db: Database, values: Iterable[int | str] | str) -> list[int]:
    """Collection ids from names or ids — a name first, as every command takes one (QA26 F2:
    `2` was the collection of id 2, not the one named "2", and `2023` was refused), a
    number no collection is named an id; a comma list as text (one collection's whole name
    with a comma in it is that name). Built-in smart collections and favorites before its
    first game have no id and are refused, as are unknown ones; so is an empty value between
    commas (`,` or `a,,b`: a list built of an empty variable), as every list option refuses
    one — it left the list empty, which is "any collection" (qa193 F2). Text of blanks alone
    is no collection: the list cleared, as ``''`` clears it."""
    split: list[str] = []
    if isinstance(values, str):
        whole = values.strip()
        if not whole:
            return []
        if _find(db, whole) is not None:
            values = [whole]
        else:
            split = values.split(",")
            values = [part.strip() for part in split]
            for index in [index for index, value in enumerate(values) if not value]:
                _refuse_a_name_split_at_its_comma(db, split, index)  # (review48e F5: "Favs,")
            if "" in values:
                raise InputError(f"collection list {whole!r}: an empty value between commas "
                                 "(give '' alone to clear the list)")
    ids: list[int] = []
    for index, value in enumerate(values):
        try:
            ids.append(_collection_id(db, str(value).strip()))
        except (InputError, NotFoundError):
            if split:
                _refuse_a_name_split_at_its_comma(db, split, index)
            raise
    return list(dict.fromkeys(ids))


def _collection_id(db: Database, text: str) -> int:
    """The id of the collection ``text`` names (a name first, else an id); refused when
    none, or when it has no id (a built-in, the favourites before their first game)."""
    if text.isdigit() and _find(db, text) is None:
        number = row_id(text)
        if number is None or db.scalar("SELECT 1 FROM collections WHERE id = ?",
                                       (number,)) is None:
            raise NotFoundError(f"collection {text}: no collection has this id "
                                "(`romrunner collection ls` shows ids)")
        return number
    ref = collection_ref(db, text)
    if ref.id is None and ref.name == FAVORITES:  # (qa199 F6: "create one of its own",
        # while its first game gives it an id, and a profile may name it then)
        raise InputError(f"collection {ref.name!r} has no id before its first game, so a "
                         "profile cannot name it yet; add one (`romrunner collection add "
                         f"{FAVORITES} GAME_ID`), then name it")
    if ref.id is None:
        raise InputError(f"collection {ref.name!r} is built in and has no id, so a profile "
                         "cannot name it; create a collection of its own (for a smart "
                         "one: `collection create NAME --query ...`)")
    return ref.id


def smart_collections_naming(db: Database, field_name: str, value: str) -> list[str]:
    """The smart collections whose stored query has a ``field_name:value`` term, the value in
    any case (``dat:`` of a DAT `dat rm` removes: their queries stop working, QA26)."""
    named = []
    for row in db.query("SELECT name, rules_json FROM collections "
                        "WHERE collection_type = 'auto' ORDER BY name"):
        try:
            query = parse_query(_stored_query(row["rules_json"]))
        except QueryError:
            continue  # broken already: `collection ls` says so
        if any(term.field == field_name and value.casefold() in
               {v.casefold() for v in term.values} for term in query.terms):
            # (a DAT's name in any case, as `dat:` takes it: review 118 F7)
            named.append(str(row["name"]))
    return named


def collection_names(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """The names of the collections ``ids`` that exist (an id that does not is left out)."""
    return {int(row["id"]): str(row["name"]) for row in db.query(
        "SELECT c.id, c.name FROM collections c JOIN json_each(?) j ON j.value = c.id",
        (json.dumps(list(ids)),))}


@dataclass(frozen=True)
class BrokenQuery:
    """A smart collection whose stored query no longer works, and why."""

    id: int
    name: str
    query: str
    problem: str


def broken_smart_collections(db: Database, collection_ids: Iterable[int]
                             ) -> list[BrokenQuery]:
    """Those of ``collection_ids`` that are smart collections whose stored query no longer
    works, read as :func:`member_ids` reads them (an auto-list naming one fails);
    in the order given, an id that is not a smart collection left out."""
    ids = list(dict.fromkeys(collection_ids))
    rows = {int(row["id"]): row for row in db.query(
        "SELECT c.id, c.name, c.rules_json FROM collections c JOIN json_each(?) j "
        "ON j.value = c.id WHERE c.collection_type = 'auto'", (json.dumps(ids),))}
    broken = []
    for collection_id in ids:
        row = rows.get(collection_id)
        if row is None:
            continue
        text = _stored_query(row["rules_json"])
        try:
            compile_where(parse_query(text), Context(db, None, (_id_token(collection_id),)))
        except InputError as exc:
            broken.append(BrokenQuery(collection_id, str(row["name"]), text, str(exc)))
    return broken


def member_ids(db: Database, collection_ids: Sequence[int], *, owner: str) -> list[int]:
    """The present games "in any of these collections": a manual one's members, a smart
    one's games as ``games ls collection:NAME`` selects them. An id that no longer exists,
    or a smart query that no longer works, is an error naming ``owner`` (never an empty
    selection). Each collection is read in a statement of its own, its condition as
    shallow as ``games ls`` nests it: nested deeper inside a caller's statement, a
    ``compat:`` term (the knowledge keys' SQL) exceeded SQLite's parser stack (qa188 F1)."""
    rows = {int(row["id"]): row for row in db.query(
        "SELECT c.id, c.name, c.collection_type, c.rules_json FROM collections c "
        "JOIN json_each(?) j ON j.value = c.id", (json.dumps(list(collection_ids)),))}
    gone = [str(i) for i in collection_ids if i not in rows]
    if gone:
        raise NotFoundError(f"{owner} names collection {', '.join(gone)}, which no longer "
                            "exists; nothing was chosen (`romrunner profile set` with "
                            "--include-collections/--exclude-collections fixes the profile)")
    conditions: list[tuple[str, list[object]]] = []
    manual = [i for i in collection_ids if rows[i]["collection_type"] != "auto"]
    if manual:
        conditions.append(("g.id IN (SELECT game_id FROM collection_games WHERE "
                           "collection_id IN (SELECT value FROM json_each(?)))",
                           [json.dumps(manual)]))
    for collection_id in collection_ids:
        row = rows[collection_id]
        if row["collection_type"] != "auto":
            continue
        try:
            conditions.append(compile_where(parse_query(_stored_query(row["rules_json"])),
                                            Context(db, None, (_id_token(collection_id),))))
        except InputError as exc:
            raise InputError(f"{owner}: smart collection {row['name']!r}: its stored query no "
                             f"longer works ({exc}); {edit_hint(str(row['name']))} mends "
                             "it") from exc
    found: set[int] = set()
    with db.translate_errors():
        for condition, params in conditions:
            found.update(int(row[0]) for row in db.conn.execute(
                f"SELECT g.id FROM games g WHERE g.is_missing = 0 AND {condition}", params))
    return sorted(found)


def _manual(db: Database, name: str, *, create_favorites: bool = False) -> _Stored:
    found = _find(db, name)
    if found is None and create_favorites and name_key(name) == FAVORITES:
        db.execute("INSERT INTO collections (name, collection_type) VALUES (?, 'system')",
                   (FAVORITES,))
        found = _find(db, FAVORITES)
    if found is None:
        if name_key(name) in BUILTINS:
            raise InputError(f"collection {name!r} is smart (built in): games cannot be "
                             "added or removed by hand")
        return _require(db, name)
    if found.kind != "manual":
        raise InputError(f"collection {found.name!r} is smart: it holds what its query "
                         "selects; games cannot be added or removed by hand")
    return found


def _missing_ids(db: Database, ids: Sequence[int]) -> list[int]:
    rows = db.query("SELECT DISTINCT j.value FROM json_each(?) j "
                    "LEFT JOIN games g ON g.id = j.value WHERE g.id IS NULL",
                    (json.dumps(list(ids)),))
    return sorted(int(row[0]) for row in rows)


@dataclass(frozen=True)
class AddedGames:
    """What ``collection add`` did: how many games joined the collection, called ``name``
    (as stored, whatever case or Unicode form named it: QA63 F3)."""

    added: int
    name: str
    already: int = 0  # of the ids given, those in it before (QA102 F8: "0 games added")
    adopted: bool = False  # a saved auto-list, now the user's (see _adopt)


def add_games(db: Database, name: str, game_ids: Sequence[int] = (), *,
              query: str | None = None, known_platforms: Iterable[str] | None = None
              ) -> AddedGames:
    """Append games (ids, in order, and/or every game of ``query`` by title) to a manual
    collection; games already in it keep their place."""
    if query is not None and not parse_query(query).text():
        # (an unset shell variable: QA26 F5 appended the whole library to a hand-made list)
        raise InputError("--query is empty: nothing was added (say which games: "
                         "`--query 'platform:snes'`; every game present: "
                         "`--query 'missing:false'`)")
    selection = _validate(db, query, known_platforms) if query is not None else None
    with db.atomic():
        found = _manual(db, name, create_favorites=True)
        unknown = _missing_ids(db, game_ids)
        if unknown:
            shown = ", ".join(str(i) for i in unknown[:10])
            raise NotFoundError(f"no game with id {shown} (nothing was added)")
        base = "(SELECT coalesce(max(sort_order), 0) FROM collection_games " \
               "WHERE collection_id = :c)"
        already = _already_in(db, found.id, game_ids, selection)
        added = db.execute(
            "INSERT OR IGNORE INTO collection_games (collection_id, game_id, sort_order) "
            f"SELECT :c, j.value, {base} + j.key + 1 FROM json_each(:ids) j",
            {"c": found.id, "ids": json.dumps(list(game_ids))}).rowcount
        if selection is not None:
            params: dict[str, object] = {f"p{i}": v for i, v in enumerate(selection.params)}
            where = _named(selection.where)
            added += db.execute(
                "INSERT OR IGNORE INTO collection_games (collection_id, game_id, sort_order) "
                f"SELECT :c, g.id, {base} + row_number() OVER (ORDER BY g.title_norm, g.id) "
                f"FROM games g WHERE {where}", {**params, "c": found.id}).rowcount
        adopted = False
        if added:  # (qa183 F7: adding only games already in it re-dated the collection and
            # drew a new plan token: the next deploy planned again for nothing)
            db.execute("UPDATE collections SET updated_at = CURRENT_TIMESTAMP WHERE id = ?",
                       (found.id,))
            adopted = _adopt(db, found.id)
    return AddedGames(added, found.name, already, adopted)


def _already_in(db: Database, collection_id: int, game_ids: Sequence[int],
                selection: Selection | None) -> int:
    """How many of the games given (``game_ids``, and those ``selection`` matches) are in
    the collection already (qa197 F1: a query's games already in it were not counted, and
    "0 games added" could not be told from a query that matched nothing)."""
    params: dict[str, object] = {"c": collection_id, "ids": json.dumps(list(game_ids))}
    matched = ""
    if selection is not None:
        params.update({f"p{i}": v for i, v in enumerate(selection.params)})
        matched = f" OR m.game_id IN (SELECT g.id FROM games g WHERE {_named(selection.where)})"
    return int(db.scalar(
        "SELECT count(*) FROM collection_games m WHERE m.collection_id = :c AND "
        f"(m.game_id IN (SELECT value FROM json_each(:ids)){matched})", params))


def _adopt(db: Database, collection_id: int) -> bool:
    """Make a saved auto-list edited by hand a manual collection (True when it was one): its
    games are the user's now, which ``autolist --save NAME --replace`` would have replaced
    without a word (QA117 F2: games added by hand dropped, one removed back)."""
    rules = db.scalar("SELECT rules_json FROM collections WHERE id = ?", (collection_id,))
    if not _saved_autolist(rules):
        return False
    db.execute("UPDATE collections SET rules_json = NULL WHERE id = ?", (collection_id,))
    return True


ADOPTED_NOTE = ("was a saved auto-list; edited by hand it is a collection of yours now: "
                "`autolist --save` no longer replaces it")


def _named(where: str) -> str:
    """``where`` with its ``?`` placeholders as ``:p0``, ``:p1``… (to mix with named ones)."""
    parts = where.split("?")
    return "".join(part + (f":p{i}" if i < len(parts) - 1 else "")
                   for i, part in enumerate(parts))


@dataclass(frozen=True)
class RemovedGames:
    """What ``collection remove`` did: how many games left the collection, and the ids given
    that were games of the library but not in it."""

    removed: int
    not_in: list[int]
    name: str = ""  # the collection's, as stored
    adopted: bool = False  # a saved auto-list, now the user's (see _adopt)


def remove_games(db: Database, name: str, game_ids: Sequence[int] = (), *,
                 query: str | None = None, known_platforms: Iterable[str] | None = None
                 ) -> RemovedGames:
    """Take games out of a manual collection (an id given twice counts once), and every game
    of ``query`` in it (qa206 F8: a query's add could only be undone id by id). An id that
    is no game of the library is refused, naming it, and nothing is removed (as
    ``add_games``); so is an empty query."""
    if query is not None and not parse_query(query).text():
        raise InputError("--query is empty: nothing was removed (say which games: "
                         "`--query 'platform:snes'`)")
    selection = _validate(db, query, known_platforms) if query is not None else None
    with db.atomic():
        found = _manual(db, name)
        unknown = _missing_ids(db, game_ids)
        if unknown:
            shown = ", ".join(str(i) for i in unknown[:10])
            raise NotFoundError(f"no game with id {shown} (nothing was removed)")
        absent = [int(row[0]) for row in db.query(
            "SELECT DISTINCT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM "
            "collection_games cg WHERE cg.collection_id = ? AND cg.game_id = j.value) "
            "ORDER BY j.value", (json.dumps(list(game_ids)), found.id))]
        removed = db.execute("DELETE FROM collection_games WHERE collection_id = ? AND "
                             "game_id IN (SELECT value FROM json_each(?))",
                             (found.id, json.dumps(list(game_ids)))).rowcount
        if selection is not None:
            params: dict[str, object] = {f"p{i}": v for i, v in enumerate(selection.params)}
            removed += db.execute(
                "DELETE FROM collection_games WHERE collection_id = :c AND game_id IN "
                f"(SELECT g.id FROM games g WHERE {_named(selection.where)})",
                {**params, "c": found.id}).rowcount
        if removed:
            db.execute("UPDATE collections SET updated_at = CURRENT_TIMESTAMP WHERE id = ?",
                       (found.id,))
        adopted = bool(removed) and _adopt(db, found.id)
    return RemovedGames(removed, absent, found.name, adopted)


def list_collections(db: Database, *, known_platforms: Iterable[str] | None = None
                     ) -> list[CollectionInfo]:
    """Every collection with its size (smart ones counted live, up to the count cap); a smart
    collection whose stored query no longer works is listed with the problem."""
    infos: list[CollectionInfo] = []
    favorites: list[CollectionInfo] = []
    built_in = favorites_id(db)
    for row in db.query("SELECT c.id, c.name, c.collection_type, c.rules_json, "
                        "(SELECT count(*) FROM collection_games cg "
                        " WHERE cg.collection_id = c.id) AS games "
                        "FROM collections c ORDER BY c.name COLLATE NOCASE, c.id"):
        if row["collection_type"] != "auto":
            kind = "auto-list" if _saved_autolist(row["rules_json"]) else "manual"
            info = CollectionInfo(row["name"], kind, int(row["games"]), True, None, None,
                                  int(row["id"]))
            if int(row["id"]) == built_in:
                # (listed where it was before its first game, built in as it still is: it
                # refuses a rename as one)
                favorites = [replace(info, kind="built-in")]
            else:
                infos.append(info)
            continue
        text = _stored_query(row["rules_json"])
        try:
            selection = _validate(db, text, known_platforms, (_id_token(int(row["id"])),))
        except InputError as exc:
            infos.append(CollectionInfo(row["name"], "smart", None, False, text, str(exc),
                                        int(row["id"])))
            continue
        count, exact = count_selection(db, selection)
        infos.append(CollectionInfo(row["name"], "smart", count, exact, text, None,
                                    int(row["id"])))
    builtins = favorites or [CollectionInfo(FAVORITES, "built-in", 0, True, None, None)]
    for name, spec in BUILTINS.items():
        count, exact = count_selection(db, _validate(db, spec.query, known_platforms))
        builtins.append(CollectionInfo(name, "built-in", count, exact, spec.query, None))
    return builtins + infos


def collection_page(db: Database, name: str, *, sort: str | None = None, limit: int = 100,
                    after: str | None = None, exact_count: bool = False,
                    known_platforms: Iterable[str] | None = None) -> GamePage:
    """A page of a collection: a manual one in its own order (or ``sort``), a smart one by
    ``sort`` (default title; ``recently added``: newest first)."""
    key = name_key(name)
    if key in BUILTINS:
        spec = BUILTINS[key]
        return query_games(db, spec.query, sort=sort or spec.sort, limit=limit, after=after,
                           exact_count=exact_count, known_platforms=known_platforms)
    found = _find(db, name)
    if found is None and key == FAVORITES:
        return GamePage([], 0, True, None, "", "position")
    found = found or _require(db, name)
    if found.kind == "smart":
        text = found.query or ""
        try:
            _validate(db, text, known_platforms, (_seen_token(found),))
        except InputError as exc:
            # (the query as stored, not repr()'s doubled backslashes: the CLI escapes it)
            raise InputError(f"collection {found.name!r}: its stored query `{shortened(text)}` "
                             "no longer "
                             f"works ({exc}); {edit_hint(found.name)} replaces it") from exc
        return query_games(db, text, sort=sort or "title", limit=limit, after=after,
                           exact_count=exact_count, known_platforms=known_platforms)
    if sort is not None:
        return query_games(db, f"collection:{quote_value(found.name)}", sort=sort,
                           limit=limit, after=after, exact_count=exact_count,
                           known_platforms=known_platforms)
    return _manual_page(db, found, limit, after)


def _manual_page(db: Database, found: _Stored, limit: int, after: str | None) -> GamePage:
    position, last_id = 0, 0
    if after:
        try:
            position, last_id = (int(part) for part in after.split(".", 1))
            if not all(-(2 ** 63) <= n < 2 ** 63 for n in (position, last_id)):
                raise ValueError(after)  # (QA44 F1: an internal error)
        except ValueError as exc:
            raise InputError(f"--after {after!r}: not a cursor printed by this listing") \
                from exc
    rows: list[dict[str, Any]] = [dict(row) for row in db.query(
        f"SELECT {LIST_COLUMNS}, coalesce(c.sort_order, 0) AS _pos FROM collection_games c "
        "JOIN games g ON g.id = c.game_id JOIN library_roots r ON r.id = g.root_id "
        "WHERE c.collection_id = ? AND (coalesce(c.sort_order, 0), c.game_id) > (?, ?) "
        "ORDER BY coalesce(c.sort_order, 0), c.game_id LIMIT ?",
        (found.id, position, last_id, limit + 1))]
    cursor = f"{rows[limit - 1]['_pos']}.{rows[limit - 1]['id']}" if len(rows) > limit else None
    rows = rows[:limit]
    for row in rows:
        row.pop("_pos")
        as_listed(row)  # (review46d F1: the stored //overwritten/ mark, as games ls says)
    total = int(db.scalar("SELECT count(*) FROM collection_games WHERE collection_id = ?",
                          (found.id,)))
    return GamePage(rows, total, True, cursor, f"collection:{quote_value(found.name)}",
                    "position")
