"""``romrunner games``: query the scanned library."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Column, Table

from romrunner.catalog.identify import verify_counts
from romrunner.cli.context import ROW_ID, app_context, count_range, path_param
from romrunner.cli.db_cmd import require_database
from romrunner.cli.querycmd import QueryCommand
from romrunner.cli.terminal import SafeConsole, literal
from romrunner.errors import InputError
from romrunner.library.games import (
    AUTO,
    FoundCopies,
    auto_platform,
    find_copies,
    set_platform,
    show_game,
)
from romrunner.library.platforms import NO_LONGER_A_GAME
from romrunner.library.query import (
    COUNT_CAP,
    FIELDS,
    GamePage,
    describe_total,
    empty_result_hint,
    parse_query,
    query_games,
    quote_value,
    tag_word_hint,
)
from romrunner.library.reports import crc_only_alike, duplicate_totals, duplicates
from romrunner.library.roots import forget_missing
from romrunner.store import OpenMode
from romrunner.words import counted, examples


@click.group()
def games() -> None:
    """Query the scanned library."""


@games.command(name="ls", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--sort", default="title", show_default=True,
              help="Sort keys, comma-separated, '-' for descending: title (the file's "
                   "title: a renamed file or an arcade zip sorts by its name, not by its "
                   "catalog title), added, size, platform, id.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@click.option("--after", default=None, help="Cursor printed by the previous page.")
@click.option("--count", "exact_count", is_flag=True,
              help=f"Count every match exactly (without it, a total above {COUNT_CAP:,} is "
                   "'at least').")
@click.option("--platform", default=None, help="Same as the query term platform:ID.")
@click.option("--missing", is_flag=True, help="Same as missing:true.")
@click.option("--unidentified", is_flag=True, help="Same as match:none.")
def games_ls(query: tuple[str, ...], sort: str, limit: int, after: str | None,
             exact_count: bool, platform: str | None, missing: bool,
             unidentified: bool) -> int:
    """List games matching QUERY, e.g. platform:snes region:usa,europe -flag:hack mario.

    Fields: platform region lang flag title missing match size year added id dat
    collection compat clone. Free words search titles (every word required); ',' is OR between a
    field's values (region:usa,europe), '-' negates, quote values with spaces.
    """
    app = app_context()
    words = list(query)
    if platform is not None:
        words.append(f"platform:{quote_value(platform)}")
    if missing:
        words.append("missing:true")
    if unidentified:
        words.append("match:none")
    parsed = parse_query(words)
    page = query_games(app.open_db(OpenMode.READ), parsed, sort=sort, limit=limit,
                       after=after, exact_count=exact_count,
                       known_platforms=app.pack().platforms)
    if page.total == 0 and (hint := empty_result_hint(parsed)) is not None:
        app.warn(hint)
    if (tags := tag_word_hint(parsed)) is not None:
        app.warn(tags)
    app.finish(page_json(page), lambda console: render_page(console, page))
    return 0


def page_json(page: GamePage) -> dict[str, Any]:
    """A page for --json: the games, the total (and whether it is exact), the next cursor."""
    return {"games": page.rows, "total": page.total, "total_exact": page.total_exact,
            "next": page.next_cursor, "query": page.query, "sort": page.sort}


def render_page(console: Console, page: GamePage) -> None:
    """A page as text: the table, then "50 of 30,020" and how to get the next page (after
    tab-separated lines, on stderr: stdout holds the lines alone, for `cut` or a file)."""
    lines = len(page.rows) > TABLE_ROWS and isinstance(console, SafeConsole)
    if lines:
        assert isinstance(console, SafeConsole)
        console.print_rows([_COLUMNS, *(_cells(row) for row in page.rows)])
    elif page.rows:
        console.print(games_table(page.rows))
    if page.total == 0 and not page.rows:  # (QA166 F6: "0 of 0", where search says it)
        console.print("no game matches")
        return
    line = describe_total(len(page.rows), page.total, page.total_exact)
    if not page.total_exact:
        line += " (--count for the exact total)"
    if page.next_cursor:
        line += f" (use --limit / --after; next page: --after {page.next_cursor})"
    if lines:
        if not console.quiet:  # (QA17: the count was the last line of the data)
            click.echo(line, err=True)
        return
    console.print(line, soft_wrap=True)


_COLUMNS = ("id", "platform", "title", "region", "match", "size", "file")


def games_table(rows: list[dict[str, Any]]) -> Table:
    """The ``games ls`` table."""
    # (a word wider than its column is folded onto the next line, never cut with "…": the
    # name shown is the file's whole name, QA44 F9)
    table = Table(*(Column(name, overflow="fold") for name in _COLUMNS))
    for row in rows:
        table.add_row(*_cells(row))
    return table


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    title = row["catalog_title"] or row["detected_title"] or ""
    match = row["match_method"] or "-"
    return (str(row["id"]), row["platform_id"], literal(title), row["region"] or "",
            match + (" (missing)" if row["is_missing"] else ""),
            FIELDS["size"].show(row["total_size"]), literal(row["filename"]))


TABLE_ROWS = 1000  # a larger page is printed as tab-separated lines: a table costs ~0.5 ms a row


@games.command(name="dupes")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True,
              help="Duplicate sets to show, the most space first.")
def games_dupes(limit: int) -> int:
    """Files with the same content (SHA1) in several places, and the space a cleanup frees.

    Files a first scan identified by CRC32 + size alone are grouped by those and marked
    unverified: run `romrunner scan --verify` before deleting any of them."""
    app = app_context()
    db = app.open_db(OpenMode.READ)
    sets = duplicates(db, limit=limit)
    cut = len(sets) == limit and (totals := duplicate_totals(db))[0] > limit
    if cut:
        app.warn(f"the {counted(limit, 'set')} freeing the most space "
                 f"{'is' if limit == 1 else 'are'} shown; the library's hashes "
                 f"give {counted(totals[0], 'duplicate set')} in all, "
                 f"{FIELDS['size'].show(totals[1])} reclaimable (--limit shows more)")
    unverified = verify_counts(db).unverified
    alike = crc_only_alike(db) if unverified else 0
    if alike:  # (qa194 F9: "no duplicates" of two identical files, one of them CRC32 only)
        one = alike == 1
        app.warn(f"{counted(alike, 'file')} known by {'its' if one else 'their'} CRC32 only "
                 f"{'has' if one else 'have'} the CRC32 and size of another file: maybe "
                 f"{'a copy' if one else 'copies'} not listed here; `romrunner scan --verify` "
                 "compares them by SHA1")
    elif unverified:  # a zip member known by its CRC32 only is not compared with a hashed file
        one = unverified == 1
        app.warn(f"{counted(unverified, 'game')} {'is' if one else 'are'} known by "
                 f"{'its' if one else 'their'} CRC32 only (zip members, files a "
                 "first scan did not hash in full): `romrunner scan --verify` compares them "
                 "by SHA1 too")

    def render(console: Console) -> None:
        for item in sets:
            paths = f" under {len(item.files)} paths" if len(item.files) > item.copies else ""
            console.print(f"{item.key}  {counted(item.copies, 'copy', 'copies')}{paths} of "
                          f"{FIELDS['size'].show(item.size)}, "
                          f"{FIELDS['size'].show(item.reclaimable)} reclaimable"
                          + ("" if item.verified else
                             " (unverified: run `romrunner scan --verify` first)"))
            for entry in item.files:
                console.print(f"  {entry['id']:>8}  {FIELDS['size'].show(entry['size']):>10}  "
                              f"{literal(entry['path'])}{_same_file(entry)}", soft_wrap=True)
        total = sum(item.reclaimable for item in sets)
        console.print(f"{counted(len(sets), 'duplicate set')}{' shown' if cut else ''}, "
                      f"{FIELDS['size'].show(total)} reclaimable" if sets else "no duplicates")

    app.finish([asdict(item) for item in sets], render)
    return 0


def _same_file(entry: dict[str, Any]) -> str:
    """What a duplicate's path is when it is another's file, or names another's tracks (see
    ``duplicates``)."""
    if "shares_tracks_with" in entry:
        others = ", ".join(str(other) for other in entry["shares_tracks_with"])
        one = len(entry["shares_tracks_with"]) == 1
        return (f"  (its tracks are also those of game{'' if one else 's'} {others}: "
                f"deleting them deletes {'its' if one else 'their'} disc; only the sheet "
                "is a copy)")
    if "same_file_as" not in entry:
        return ""
    if entry["hard_link"]:
        return (f"  (a hard link to the file of {entry['same_file_as']}: removing it frees "
                "nothing)")
    return (f"  (the very file of {entry['same_file_as']}, reached by another path — one "
            "folder mounted or shared twice: deleting it deletes both)")


@games.command(name="find")
@click.argument("file", required=False, type=path_param())
@click.option("--sha1", default=None, help="40 hex digits.")
@click.option("--md5", default=None, help="32 hex digits.")
@click.option("--crc32", default=None, help="8 hex digits; needs --size.")
@click.option("--size", type=count_range(), default=None, help="File size in bytes.")
def games_find(file: Path | None, sha1: str | None, md5: str | None, crc32: str | None,
               size: int | None) -> int:
    """Games holding this data: give a FILE (hashed here) or a hash. Exit 1 when none;
    2 when a FILE cannot be read (an archive's members too)."""
    app = app_context()
    if file is not None and (sha1 or md5 or crc32):
        raise InputError("give a FILE or a hash, not both")
    db = app.open_db(OpenMode.READ)
    found = find_copies(db, file, sha1=sha1, md5=md5, crc32=crc32, size=size)
    rows = _with_members_held(found)
    none = "no game in the library holds this data"
    if found.unverified:
        # (QA28 F8: a flat "no" for a file the library has, hashed CRC32 first)
        one = found.unverified == 1
        none = (f"no game the library knows the {'SHA1' if sha1 else 'MD5'} of holds this "
                f"data; {counted(found.unverified, 'game')} {'is' if one else 'are'} known "
                f"by {'its' if one else 'their'} CRC32 only (`romrunner scan --verify` "
                f"hashes {'it' if one else 'them'} in full; or give --crc32 and --size)")
    if 0 < len(found.members_not_held) < len(found.members):
        none = _members_partly_held(found.members, found.members_not_held,
                                    found.members_held_once)
    elif found.held_once:
        none = _held_no_longer(found)
    elif found.itself and rows:
        app.warn(f"{_itself(found.itself)}; the other copies below hold its data")
    elif found.roots_away:
        app.warn(f"the library's copy is on a library root not reachable now "
                 f"({examples(found.roots_away)}): as the last scan found it")
    if rows and found.parents_away:
        app.warn(f"the parent CHD of the library's copy is on a library root not reachable "
                 f"now ({examples(found.parents_away)}): as the last scan found it")

    def render(console: Console) -> None:
        if not rows:
            console.print(none)
            return
        if found.members:  # (held as its members' data, not as this very archive)
            console.print(_held_as_members(found.members), soft_wrap=True)
        console.print(games_table(rows))

    app.finish(rows, render, ok=bool(rows), errors=None if rows else [none])
    return 0 if rows else 1


def _with_members_held(found: FoundCopies) -> list[dict[str, Any]]:
    """The copies found, each with ``holds_members`` for JSON: the members of the archive
    asked about whose data it holds when the archive is held by its members' data, not as
    itself (None when the copy holds the data asked about as it is)."""
    holding: dict[int, list[str]] = {}
    for name, ids in found.members:
        for game_id in ids:
            holding.setdefault(game_id, []).append(name)
    return [{**row, "holds_members": holding.get(int(row["id"]), []) if found.members
             else None} for row in found.rows]


def _held_as_members(members: list[tuple[str, list[int]]]) -> str:
    """How an archive no game holds whole is held: its members' data, by which games."""
    return ("this archive's data is held by the games below, not as this archive: "
            f"{_holders(members)}")


def _holders(members: list[tuple[str, list[int]]]) -> str:
    """``a.gb by game 12; b.gb by games 40, 41``: the games holding each member's data."""
    return examples([f"{literal(name)} by game{'' if len(ids) == 1 else 's'} "
                     f"{examples([str(i) for i in ids])}" for name, ids in members], sep="; ")


def _members_partly_held(members: list[tuple[str, list[int]]], not_held: list[str],
                         held_once: list[tuple[str, FoundCopies]]) -> str:
    """Why an archive some of whose members' data the library holds is not held: those
    held by none, and of them those whose copies are held no longer, and why."""
    one = len(not_held) == 1
    held = [(name, ids) for name, ids in members if ids]
    lost = "".join(f"; {literal(name)}: {_no_longer(copies)}" for name, copies in held_once)
    return (f"no game in the library holds all of this archive's data: "
            f"{len(not_held):,} of its {counted(len(members), 'member')} "
            f"({examples(not_held)}) {'is' if one else 'are'} held by none{lost}; the "
            f"{'other is' if len(held) == 1 else 'others are'} held: {_holders(held)} "
            "(keep this file)")


def _held_no_longer(found: FoundCopies) -> str:
    """Why no game holds a file's data now when the library had it: its copies were found
    damaged, a scan no longer found them (marked missing), they are not at their place now
    (deleted or moved since the last scan), or they are child CHDs whose parent CHD is not
    in the library."""
    elsewhere = found.damaged or found.missing or found.gone
    # (the file asked about is the library's own: it holds the data, no other file does —
    # review53c F6: "no game in the library holds this data now" beside it)
    if found.itself or not (elsewhere or found.orphans):
        return (f"no other file of the library holds this data: {_no_longer(found)} (keep "
                "this file: it is the library's copy)")
    parent = ("add the parent CHD to the library" if all(
        (row.get("parent_why") or "is not in").startswith("is not in") for row in found.orphans)
        else "put the parent CHD back in the library's place (or add it)")
    if not elsewhere:
        again = f": {parent} and rescan"
    elif found.orphans:
        again = f": put it back in the library's place, or {parent}, and rescan"
    else:
        again = ": put it back in the library's place and rescan"
    return (f"no game in the library holds this data now: {_no_longer(found)} (keep this "
            f"file{again})")


def _no_longer(found: FoundCopies) -> str:
    """``A.gb held it and is missing (…)``: which copies held the data, and why they hold
    it no longer."""
    held = [(found.damaged, ("was found damaged", "were found damaged")),
            (found.missing, ("is missing (a scan no longer found it)",
                             "are missing (a scan no longer found them)")),
            (found.gone, ("is not at its place now as the last scan found it (deleted, "
                          "moved or changed since?)", "are not at their place now as the "
                          "last scan found them (deleted, moved or changed since?)"))]
    said = [f"{examples([str(row['filename']) for row in rows])} held it and "
            f"{why[len(rows) > 1]}" for rows, why in held if rows]
    # (review52g F5: said "found damaged", which it is not; review53c F1, F4: the parent
    # there once, or a child without its own parent)
    # (a few named, the rest counted: 1,500 such children made one error of 428 KB —
    # review53g F1)
    orphans = [f"{_with_parent(row)} is a child CHD whose parent CHD "
               f"{row.get('parent_why') or 'is not in the library'}: it holds only what "
               "differs from its parent, the rest of the data is the parent's"
               for row in found.orphans]
    if orphans:
        said.append(examples(orphans, sep="; ") + (" child CHDs alike" if len(orphans) > 3
                                                   else ""))
    if found.itself:
        said.append(_itself(found.itself))
    return "; ".join(said)


def _itself(rows: list[dict[str, Any]]) -> str:
    """That the file asked about is the library's own file of these games (review52b P2:
    "held" by itself), reached by this path or another."""
    names, ids = (examples([str(row[key]) for row in rows]) for key in ("filename", "id"))
    return (f"the file asked about is the library's own {names} "
            f"(game{'' if len(rows) == 1 else 's'} {ids}), no copy of itself")


def _with_parent(row: dict[str, Any]) -> str:
    """A child CHD's file name, with the SHA1 of the parent CHD its header names."""
    parent = row.get("parent_sha1")
    return f"{row['filename']} (parent SHA1 {parent or 'not recorded in its header'})"


@games.command(name="show")
@click.argument("game_id", type=ROW_ID)
def games_show(game_id: int) -> int:
    """Everything about one game: file, hashes, members or tracks, match, tags."""
    app = app_context()
    game = show_game(app.open_db(OpenMode.READ), game_id)
    app.finish(game, lambda console: render_game(console, game))
    return 0


_PLATFORM_SOURCES = {"folder": "from the folder name", "extension": "from the file extension",
                     "header": "from the ROM header", "catalog": "from the matched catalog",
                     "user": "set by hand", "unknown": "undecided",
                     "legacy": "recorded by an older version"}


def render_game(console: Console, game: dict[str, Any]) -> None:
    """``games show`` as a person reads it: what it is, where, its data and its match.

    Lines are not folded at the terminal's width (a path or a hash stays whole).
    """
    _say(console, literal(game["catalog_title"] or game["detected_title"]
                          or game["filename"]))
    for label, value in _game_lines(game):
        _say(console, f"  {label:<10} {value}")
    files = game["files"]
    if files:
        _say(console, f"  {_contents_label(files)}:")
        for item in files[:SHOWN_FILES]:
            if item["kind"] == "chd":  # no name or size of its own: the header's data SHA1
                _say(console, "    the data it holds, as its header records it")
                lines = _hashes(item, "file_")
            else:
                _say(console, f"    {literal(item['name'])}")
                lines = [("size", _unread_size(item) if item["file_size"] is None
                          and item["kind"] == "track" else _size(item["file_size"])),
                         *_hashes(item, "file_")]
            if item.get("disc_game_id") is not None:
                lines.insert(0, ("game", str(item["disc_game_id"])))
            if item["header_size"] and item["nh_sha1"]:
                lines += _header_lines(item)
            lines.append(("match", _file_match(item)))
            for label, value in lines:
                _say(console, f"      {label:<10} {value}")
        if len(files) > SHOWN_FILES:
            _say(console, f"    … and {len(files) - SHOWN_FILES:,} more (--json lists every "
                 "one)")


def _unread_size(item: dict[str, Any]) -> str:
    """What ``games show`` says of the size of a track or disc the scan did not read."""
    if item.get("hidden"):
        return ("unknown: in a hidden folder, which a scan skips (`romrunner scan "
                "--include-hidden` reads it)")
    return "unknown: not read by the scan (missing or unreadable)"


SHOWN_FILES = 50  # members or tracks a game's text shows one by one (a zip may hold thousands)


def _say(console: Console, line: str) -> None:
    console.print(line, soft_wrap=True)


def _by_name_only(game: dict[str, Any]) -> str:
    """Why a catalog game matches ``game`` by its name only: a disc with tracks not there
    is no data to match (QA106 F3: "none of its ROMs is this data" of a sheet that is)."""
    absent = [item["name"] for item in game["files"]
              if item["kind"] == "track" and item["file_size"] is None]
    if absent:
        return (f"the name only: {counted(len(absent), 'track')} of the disc not there to "
                f"match ({literal(examples(absent))}: rescan once back)")
    return "the name only: none of its ROMs is this data"


def _game_lines(game: dict[str, Any]) -> list[tuple[str, str]]:
    platform = game["platform_id"]
    if game["platform_id"] == "unknown" and game["platform_candidates"]:
        platform += " (could be " + ", ".join(game["platform_candidates"]) + ")"
    elif game["platform_source"] == "catalog" and not game["matched_game_id"]:
        platform += " (from a catalog match, since removed)"  # `dat rm`, or a new version
    else:
        platform += f" ({_PLATFORM_SOURCES.get(game['platform_source'], 'detected')})"
    path = literal(str(Path(game["root"]) / game["filepath"]))
    if game.get("overwritten"):
        path += " (another game's file was moved onto it: its content is nowhere now)"
    lines = [("platform", platform), ("file", path)]
    if game.get("damaged"):
        lines.append(("damaged", _damaged_said(game)))
    lines.append(("size", _game_size(game)
                  + (" (as stored before it was found damaged)" if game.get("damaged") else "")))
    lines += _hashes(game, "file_")
    if game["header_size"] and game["nh_sha1"]:
        lines += _header_lines(game)
    if game.get("disc_id"):  # (what the emulators' knowledge is keyed by: QA127 F12)
        source = f" (from the {game['disc_id_source']})" if game.get("disc_id_source") else ""
        lines.append(("disc id", f"{game['disc_id']}{source}"))
    lines.append(("match", _game_match(game)))
    matched_name = str(game["matched_game_id"] or "").partition(":")[2]
    for catalog in game["catalogs"]:  # the DATs with its data, then those with its name
        detail = [f"{catalog['dat']}" + (f" version {catalog['dat_version']}"
                                         if catalog["dat_version"] else "")
                  # another game than its match's (an arcade clone sharing its ROMs)
                  + (f": {catalog['name']}" if catalog["name"] != matched_name else "")]
        detail += [f"{key} {catalog[key]}" for key in ("region", "serial") if catalog[key]]
        if catalog.get("is_bios"):
            detail.append("a BIOS set: the sets that run with it read its zip beside theirs")
        elif catalog.get("parent"):
            detail.append(f"a clone of {catalog['parent']}")
        if catalog["by"] == "name":
            detail.append(_by_name_only(game))
        detail += _set_lines(catalog)
        lines.append(("catalog", "; ".join(detail)))
    if game.get("sets_sharing_roms"):
        lines.append(("shared", f"{counted(game['sets_sharing_roms'], 'other set')} of its "
                      "catalogs list some of its ROMs too (its clones or parent, a BIOS set, "
                      "sets sharing a PROM)"))
    if tags := _tags(game):
        lines.append(("tags", tags))
    if game["is_missing"] and str(game["scan_error"] or "").startswith(NO_LONGER_A_GAME):
        lines.append(("status", "no longer a game: its file is still there (see problem)"))
    elif game["is_missing"]:
        lines.append(("status", "missing: the last scan did not find the file"))
    if game["scan_error"]:
        lines.append(("problem", game["scan_error"]))
    lines.append(("added", f"{game['added_at']} UTC"))  # (QA63 F6: said without its zone)
    return lines


def _damaged_said(game: dict[str, Any]) -> str:
    """What ``games show`` says of a file a scan found damaged: found so, when its root was
    last scanned (every scan reads it whole until it reads good), and that the size and
    hashes shown are those stored before — kept for the card's good copy to be known by."""
    scanned = game.get("root_last_scanned_at")
    when = f" (its library root last scanned {scanned} UTC)" if scanned else ""
    return (f"found damaged by a scan{when}: its data is not what the archive states (see "
            "problem); the size and hashes shown here, its members' too, are those stored "
            "before, not its data now — replace it with a good copy and rescan")


def _set_lines(catalog: dict[str, Any]) -> list[str]:
    """What an archive lacks of a set of several ROMs: those missing (an incomplete set, as
    ``dat report`` counts it) and those a split clone takes from its parent's set."""
    missing, in_parent = catalog.get("missing_roms", []), catalog.get("roms_in_parent", [])
    lines = []
    if missing:
        lines.append(f"incomplete: {len(missing)} of {catalog['set_roms']} ROMs missing: "
                     + ", ".join(missing))
    if in_parent:
        lines.append(f"{counted(len(in_parent), 'ROM')} of its parent's set "
                     "(a split clone: runs with the parent's zip beside it)")
    in_bios = catalog.get("roms_in_bios_set", [])
    if in_bios:
        lines.append(f"{counted(len(in_bios), 'ROM')} of its BIOS set, "
                     f"{', '.join(catalog.get('bios_set', []))} (runs with that set's zip "
                     "beside it)")
    return lines


def _size(size: int | None) -> str:
    return "size unknown" if size is None else f"{size:,} bytes"


def _game_size(game: dict[str, Any]) -> str:
    """The game's size; for a disc, what its sheet and its tracks each hold."""
    if not game["tracks_size"]:
        return _size(game["total_size"])
    return (f"{game['total_size']:,} bytes (the sheet {game['file_size']:,}, its tracks "
            f"{game['tracks_size']:,})")


def _hashes(item: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    return [(kind, item[prefix + kind]) for kind in ("crc32", "md5", "sha1")
            if item.get(prefix + kind)]


def _header_lines(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The header's size, then the hashes of the data after it."""
    return [("header", f"{item['header_size']:,} bytes; the data after it has:"),
            *((f"  {kind}", value) for kind, value in _hashes(item, "nh_"))]


def _how(method: str, headerless: bool) -> str:
    if method == "user":
        return "set by hand"
    if method == "tracks":
        return "by the hashes of its disc tracks"
    if method == "name":
        return "guessed from the file name only (no hash matched)"
    return f"by {method}" + (" of the data without its header" if headerless else "")


def _game_match(game: dict[str, Any]) -> str:
    method = game["match_method"]
    if not game["matched_game_id"] or not method:
        return _unmatched(game)
    title = game["catalog_title"] or game["matched_game_id"]
    how = _how(method, bool(game["match_headerless"]))
    if game["is_archive"] and method in ("sha1", "md5", "crc32"):
        how += " of its contents"
    sharing = _sharing_games(game)
    if sharing and method == "crc32":
        how += f"; {_shared(sharing)}: its name chose this one"
    elif sharing:
        how += f"; {_shared(sharing)}{_undecided(game)}"
    return f"{title}, {how}"


def _sharing_games(game: dict[str, Any]) -> list[str]:
    """The catalog games of a game's platform that list its CRC32 and size, when there are
    several and no stronger hash tells them apart (a CRC-only DAT, or a file not hashed in
    full): no hash decides which it is."""
    if game["several_members"]:  # (a set: its members decide, not one CRC32: QA24 N1)
        return []
    own = [row for row in game["catalogs_with_data"]
           if row["platform_id"] == game["platform_id"]]
    names = sorted({row["name"] for row in own})
    return names if len(names) > 1 and all(row["by"] == "crc32" for row in own) else []


def _shared(names: list[str]) -> str:
    listed = ", ".join(names[:3]) + (f" and {counted(len(names) - 3, 'other')}"
                                     if len(names) > 3 else "")
    return f"its CRC32 and size are those of {len(names)} catalog games ({listed})"


def _undecided(game: dict[str, Any]) -> str:
    """What would tell the games sharing its CRC32 apart."""
    hashed = game["file_sha1"] and all(item["file_sha1"] for item in game["files"]
                                       if item["kind"] == "member")
    if not hashed and any(row["dat_has_sha1"] for row in game["catalogs_with_data"]):
        return ": `scan --verify` hashes it in full and its SHA1 decides"
    return ", and no catalog lists a SHA1 or MD5 of them that would tell which it is"


def _unmatched(game: dict[str, Any]) -> str:
    """Why a game is not identified: no catalog has its data, or what keeps it from the
    catalogs that do (its platform set by hand to another, most often)."""
    having = game["catalogs_with_data"]
    if game.get("damaged"):  # (its stored hashes are its good data's, not its data's now)
        was = (f" (the hashes stored before are {having[0]['name']}'s, of {having[0]['dat']}: "
               "a good copy is that game)" if having else "")
        return f"not identified: found damaged{was}"
    if not having:
        return "not identified (no imported catalog has this data)"
    sharing = _sharing_games(game)
    if sharing:
        return f"not identified: {_shared(sharing)}{_undecided(game)}"
    platforms = sorted({row["platform_id"] for row in having})
    first = having[0]
    more = f" and {counted(len(having) - 1, 'other')}" if len(having) > 1 else ""
    head = (f"not identified, though the {' and '.join(platforms)} "
            f"catalog{'s have' if len(platforms) > 1 else ' has'} this data "
            f"({first['name']} in {first['dat']}{more})")
    if game["platform_source"] == "user":
        return f"{head}; its platform was set by hand to {game['platform_id']}"
    return f"{head}; the game's platform is {game['platform_id']}"


def _file_match(item: dict[str, Any]) -> str:
    if not item["matched_game_id"] or not item["match_method"]:
        return "no match"
    platform, _, name = str(item["matched_game_id"]).partition(":")
    return f"{name or platform} ({platform}), " + _how(item["match_method"],
                                                       bool(item["match_headerless"]))


def _contents_label(files: list[dict[str, Any]]) -> str:
    if any("disc_game_id" in item for item in files):
        return "discs (games of their own)"  # a playlist's entries
    kinds = {"member": "archive members", "track": "disc tracks", "chd": "CHD data"}
    return ", ".join(sorted({kinds.get(item["kind"], item["kind"]) for item in files}))


def _tags(game: dict[str, Any]) -> str:
    parts = []
    if game["region"]:
        parts.append(f"region {game['region']}")
    if game["languages"]:
        parts.append("languages " + ", ".join(map(str, game["languages"])))
    for key in ("revision", "version"):
        if game[key]:
            parts.append(f"{key} {game[key]}")
    if game["disc_number"]:
        parts.append(f"disc {game['disc_number']}")
    parts += [str(flag) for flag in game["flags"]]
    if game["is_hack"]:
        parts.append("hack" + (f" ({game['hack_type']})" if game["hack_type"] else ""))
    return "; ".join(parts)


_DECIDED_BY = {"folder": "from its folder", "extension": "from its extension",
               "header": "from its header", "catalog": "from its catalog match"}


@games.command(name="set-platform")
@click.argument("platform_id")
@click.argument("game_ids", type=ROW_ID, nargs=-1, required=True)
def games_set_platform(platform_id: str, game_ids: tuple[int, ...]) -> int:
    """Assign PLATFORM_ID to games by hand and identify them again; rescans keep it.

    PLATFORM_ID `auto` gives them back the platform a scan decides (folder, extension,
    header, then a catalog match) and says what it became; rescans decide it again.
    One transaction: when any GAME_ID does not exist, nothing is changed.
    """
    app = app_context()
    if platform_id == AUTO:
        return _set_platform_auto(list(game_ids))
    result = set_platform(app.open_db(), list(game_ids), platform_id,
                          app.pack().platforms, app.pack().index)
    matches = result.matches
    if result.unlisted:  # (QA18 C5: an .sfc set to gb without a word, then deployed there)
        app.warn(f"{counted(len(result.unlisted), 'game')} of a file type {platform_id} does "
                 f"not list ({examples(result.unlisted)}): set all the same, so a deploy puts "
                 f"{'it' if len(result.unlisted) == 1 else 'them'} in {platform_id}'s folder "
                 "(`romrunner games set-platform auto ID…` undoes it)")
    already = (f" ({counted(result.already, 'game')} on it already, unchanged)"
               if result.already else "")
    app.finish({"platform_id": platform_id, "changed": result.changed,
                "already": result.already,
                "identified": matches.identified, "guessed": matches.guessed,
                "unidentified": matches.unidentified, "playlists": matches.playlists},
               lambda c: c.print(f"{counted(result.changed, 'game')} set to {platform_id}"
                                 f"{already}" + (f": {matches.said()}" if result.changed
                                                 else "")))
    return 0


def _set_platform_auto(game_ids: list[int]) -> int:
    app = app_context()
    result = auto_platform(app.open_db(), game_ids, app.pack().index)
    matches = result.matches

    def render(console: Console) -> None:
        for game in result.games:
            how = (f"undecided (could be {', '.join(game.candidates)})"
                   if game.platform_id == "unknown" and game.candidates else
                   f"{game.platform_id} ({_DECIDED_BY.get(game.source, 'undecided')})")
            was = f"was {game.was}" if game.changed else "unchanged"
            console.print(f"game {game.game_id}: {how}; {was}", highlight=False)
        same = len(result.games) - changed
        console.print(f"{counted(changed, 'game')} back to the platform a scan decides"
                      f"{f' ({same:,} unchanged)' if same else ''}"
                      f": {matches.said()}",
                      highlight=False)

    changed = sum(1 for game in result.games if game.changed)
    app.finish({"platform_id": AUTO, "changed": changed,
                "games": [game.as_dict() for game in result.games],
                "identified": matches.identified, "guessed": matches.guessed,
                "unidentified": matches.unidentified, "playlists": matches.playlists}, render)
    return 0


@games.command(name="forget")
@click.argument("game_ids", nargs=-1, type=ROW_ID)
@click.option("--missing", "all_missing", is_flag=True,
              help="Every game whose file is missing since a scan.")
@click.option("--not-games", is_flag=True,
              help="Every row kept for a file that is no longer taken for a game (a cover "
                   "an earlier release stored), and no other.")
@click.option("--force", is_flag=True,
              help="Forget them even when they are in collections, have overrides or a "
                   "platform set by hand (that is lost with them).")
def games_forget(game_ids: tuple[int, ...], all_missing: bool, not_games: bool,
                 force: bool) -> int:
    """Forget games whose files were deleted on purpose: GAME_IDS, or --missing for all.

    Only games the last scan found missing; their rows go (files are never touched), so a
    deploy with --prune may take their copies off the card, which it never does for a game
    that is only missing (an unmounted share looks the same): those whose content another
    library file holds (or a file the deploy writes replaces: the game in another format);
    the others are kept as maybe the only copy left, which --prune --force removes.
    --not-games forgets only the rows kept for files that are no longer games (covers,
    notes). One transaction.
    """
    if bool(game_ids) + all_missing + not_games != 1:
        raise InputError("give the ids of missing games, or --missing for all of them, or "
                         "--not-games for the rows of files that are no longer games")
    app = app_context()
    # (nothing to forget in a new database)
    require_database(app.db_path, "forget", make_folders=app.make_db_folders)
    removed = forget_missing(app.open_db(), None if all_missing or not_games
                             else list(game_ids), force=force, not_games=not_games)

    def render(console: Console) -> None:
        if not removed.games:
            console.print("no row is kept for a file that is no longer a game: nothing was "
                          "forgotten" if not_games else "no game is missing since the last "
                          "scan: nothing was forgotten", markup=False)
            return
        what = counted(removed.games, "row", "rows") + " of files that are no longer games" \
            if not_games else counted(removed.games, "missing game")
        their, game = ("its", "the game") if removed.games == 1 else ("their", "their game")
        console.print(f"forgot {what}; no file was touched; a deploy with --prune now "
                      f"removes {their} copies from a card where another library file holds "
                      f"the content or a file it writes replaces them ({game} in another "
                      "format), and keeps the others as maybe the only copy left (`--force` "
                      "removes them)", markup=False)
        if removed.curation.losses():
            console.print(f"lost with them: {removed.curation.losses()}", markup=False)

    app.finish({"games_forgotten": removed.games, **removed.curation.as_dict()}, render)
    return 0


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (games,):
        group.add_command(command)
