"""``cache import``: knowledge files of every format into the cache, in one transaction.

A file's format is given or detected: the emulators' databases (PCSX2, DuckStation, PPSSPP,
Dolphin: each its own source, registered on first use), libretro core ``.info`` files
(stored as core firmware for the BIOS check), our JSON envelopes (``compat-source-v1``,
``emulator-settings-v1``, ``device-performance-v1``; their source is the envelope's or
``--source``), and plain observation rows (JSON list or JSON Lines; ``--source`` and
``--kind``). A folder is each of its files by its own format (its cores' ``.info`` files
and its Dolphin inis read as one each), and names the files none reads; a Dolphin ini with
nothing the cache keeps (cheats alone), among the files given, is passed over, and withdraws
nothing (alone, among others or in a folder). An emulator's file removes no answer by being
shorter (an excerpt): the source's answers no file of the import holds are kept, and counted
(:class:`KeptAnswers`); PPSSPP's compat.ini, always whole and listing a title only under the
flags it needs, withdraws the flags of a title it no longer lists. Whatever stops an
import (a file that cannot be read, an unknown source, a file with no usable entry, any
skipped entry with ``strict``) changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from romrunner.cache.importfile import (
    FileRow,
    document_rows,
    load_json_document,
    read_observation_file,
)
from romrunner.cache.ingest import (
    IngestResult,
    holds_observations,
    ingest_observations,
    withdraw_observations,
)
from romrunner.cache.kinds import COMPAT, KINDS, SETTINGS, CacheKind, kind_named
from romrunner.cache.lookup import AnswerKey, source_aliases, source_answers, source_keys
from romrunner.cache.sources import (
    OFFICIAL_SOURCES,
    data_as_of,
    dated_before,
    ensure_official_source,
    forget_data_as_of,
    record_data_as_of,
    undated_answers,
)
from romrunner.devices.osprofile import emulator_key
from romrunner.errors import InputError
from romrunner.knowledge import cores
from romrunner.knowledge.changes import AnswerChange, AnswerWatch, cut_last_entry
from romrunner.knowledge.dolphin import FORMAT as DOLPHIN_FORMAT
from romrunner.knowledge.formats import (
    ALL_FORMATS,
    CORE_INFO_FORMAT,
    GAME_FORMATS,
    detect_format,
    folder_files,
    game_format,
)
from romrunner.knowledge.model import Entry, KnowledgeFormatError, ReadReport
from romrunner.knowledge.observations import ENVELOPES, KindRow, entry_rows, envelope_rows
from romrunner.library.plan import SYSTEM_FILES
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database
from romrunner.timeutil import from_epoch
from romrunner.words import examples

ROWS_FORMAT = "rows"
# the label of a row that does not say which entry it is: each such row is its own
_NO_ENTRY = frozenset({"", "entry"})
IMPORT_FORMATS = (*ALL_FORMATS, *ENVELOPES, ROWS_FORMAT)
PROBLEMS_SHOWN = 5
_JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}


@dataclass
class FileImport:
    """What one file gave: its format and source, observations per kind, what was skipped."""

    path: str
    format: str
    source: str | None = None
    entries: int = 0
    observations: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    registered_source: bool = False
    expires_at: str | None = None
    cores: int = 0
    firmware: int = 0
    firmware_removed: int = 0  # stored before for these cores, listed by their files no longer
    ignored: list[str] = field(default_factory=list)  # files that are not core info
    passed_over: str | None = None  # why a file among others gave nothing to keep
    # answers of the source withdrawn, per kind: entries that no longer give them
    withdrawn: dict[str, int] = field(default_factory=dict)
    generated_at: str | None = None  # an envelope's own date (UTC), when it gives one
    # each game whose answer of the source this file changed or withdrew (QA153 F4/F7)
    changes: list[AnswerChange] = field(default_factory=list)
    skipped_at: set[str] = field(default_factory=set)  # the entries skipped (not in JSON)
    # settings withdrawn as no longer listed by a file that lists every game (compat.ini)
    no_longer_listed: int = 0
    unlisted_keys: set[AnswerKey] = field(default_factory=set)  # their keys (not in JSON)
    # the keys whose answers the file gave, changed or withdrew (not in JSON): the source's
    # other answers are kept, and said (qa195)
    given_keys: set[AnswerKey] = field(default_factory=set)

    def add_problems(self, count: int, problems: Iterable[str]) -> None:
        """Count ``count`` skipped entries and keep the first few reasons."""
        self.skipped += count
        for problem in problems:
            if len(self.problems) < PROBLEMS_SHOWN:
                self.problems.append(problem)

    def add_skipped_rows(self, skipped_at: Iterable[str],
                         problems: Iterable[tuple[str, str]]) -> None:
        """Count the rows skipped at ``skipped_at`` (``item 1``) and keep the first few
        reasons: an entry whose rows of several kinds were skipped (an envelope item's rating
        and settings) is one entry skipped, named once (qa183 F8: "2 skipped: item 1: …;
        item 1: …")."""
        earlier = set(self.skipped_at)
        wheres = list(skipped_at)
        self.skipped_at.update(where for where in wheres if where not in _NO_ENTRY)
        self.add_problems(sum(1 for where in wheres if where not in earlier),
                          (f"{where}: {reason}" for where, reason in problems
                           if where not in earlier))

    @property
    def withdrawn_answers(self) -> list[AnswerChange]:
        """The answers of the source this file withdrew."""
        return [change for change in self.changes if change.withdrawn]

    @property
    def unlisted_answers(self) -> list[AnswerChange]:
        """The answers withdrawn because the file no longer lists their game at all."""
        return [change for change in self.withdrawn_answers
                if (change.platform_id, change.key, change.emulator_id) in self.unlisted_keys]

    @property
    def changed_answers(self) -> list[AnswerChange]:
        """The answers of the source this file replaced by others."""
        return [change for change in self.changes
                if not change.withdrawn and not change.given]

    @property
    def given_answers(self) -> list[AnswerChange]:
        """The ratings this re-import gave where the source had none (QA174 F4)."""
        return [change for change in self.changes if change.given]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (every change listed: the text names the first few)."""
        data = dict(self.__dict__)
        del data["changes"], data["skipped_at"], data["unlisted_keys"], data["given_keys"]
        data["withdrawn_answers"] = [change.as_dict() for change in self.withdrawn_answers]
        data["changed_answers"] = [change.as_dict() for change in self.changed_answers]
        data["given_answers"] = [change.as_dict() for change in self.given_answers]
        return data


@dataclass(frozen=True)
class Unread:
    """A file of a folder given that was not imported, and why. ``skipped``: a file that may
    hold knowledge (counted as skipped); a document beside the files (a README) is not."""

    path: str
    reason: str
    skipped: bool = True


@dataclass(frozen=True)
class KeptAnswers:
    """A source's answers that no file of an import gave (an emulator's files): kept as they
    were, until they expire or ``cache clear --source`` drops them (qa195: kept unsaid)."""

    source: str
    counts: dict[str, int]  # per kind
    files: tuple[str, ...]  # the source's files (and folders) in the import
    first_expiry: str | None  # the earliest expiry among them (None: none expires)

    @property
    def total(self) -> int:
        """How many answers, every kind together."""
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"source": self.source, "answers": self.total, "by_kind": dict(self.counts),
                "first_expires_at": self.first_expiry}


@dataclass
class KnowledgeImport:
    """Every file's result; ``skipped`` over all of them."""

    files: list[FileImport]
    unread: list[Unread] = field(default_factory=list)  # files of the folders given, not read
    kept: list[KeptAnswers] = field(default_factory=list)  # answers no file of it gave

    @property
    def skipped(self) -> int:
        """Entries skipped over every file, and the files of a folder not read."""
        return sum(f.skipped for f in self.files) + sum(u.skipped for u in self.unread)


def import_knowledge(db: Database, paths: list[Path], *, fmt: str | None = None,
                     source: str | None = None, kind: str | None = None,
                     new_source: bool = False, strict: bool = False,
                     older: bool = False, pack: DefinitionPack | None = None,
                     force: bool = False) -> KnowledgeImport:
    """Import every file of ``paths`` (see the module docstring) in one transaction.

    An envelope dated (``generatedAt``) before its source's answers already in the cache is
    refused, and with it the whole import, unless ``older``. With ``pack``, an answer of an
    envelope or rows file by an emulator the pack says does not run its platform is skipped
    and said, and the platforms the pack does not know are said (QA127 F3). An emulator's
    file whose last entry would lose answers the cache holds from it (a file cut short at a
    line break) is refused, and with it the whole import, unless ``force`` (QA153 F4)."""
    if fmt is not None and fmt not in IMPORT_FORMATS:
        raise KnowledgeFormatError(f"unknown knowledge format {fmt!r}; expected one of "
                                   f"{', '.join(IMPORT_FORMATS)}")
    work: list[tuple[Path, str | None]] = []
    unread: list[Unread] = []
    for path in paths:
        if path.is_dir() and (fmt is None or fmt in FOLDER_FORMATS):
            _folder_work(path, fmt, source, work, unread)
        elif fmt is None and len(paths) > 1 and (sidecar := _statistics_sidecar(path)):
            unread.append(Unread(str(path), f"{sidecar}, not read", skipped=False))
        else:
            work.append((path, fmt))
    work = _each_file_once(work)
    if strict and (refused := next((u for u in unread if u.skipped), None)) is not None:
        raise InputError(f"{refused.path}: refused (--strict), nothing imported: "
                         f"{refused.reason}")
    if not work:
        raise InputError(f"{', '.join(map(str, paths))}: no knowledge file found, nothing "
                         f"imported ({'; '.join(f'{u.path}: {u.reason}' for u in unread[:3])}"
                         f"{'; ...' if len(unread) > 3 else ''})" if unread else
                         f"{', '.join(map(str, paths))}: an empty folder, nothing imported")
    results: list[FileImport] = []
    with db.atomic():
        for path, name in work:
            results.append(_import_file(db, path, name, source, kind, new_source, strict,
                                        one_of=len(work), older=older, before=results,
                                        terms=None if pack is None else PackTerms.of(pack),
                                        force=force))
        if results and all(r.ignored and not r.entries for r in results):  # all ignored
            raise InputError(f"{', '.join(r.path for r in results)}: no core info in "
                             f"{'it' if len(results) == 1 else 'them'} (a template or "
                             "notices file), nothing imported")
        if results and all(r.passed_over for r in results):
            why = "; ".join(sorted({str(r.passed_over) for r in results}))
            raise InputError(f"{examples([r.path for r in results], 3)}: no usable "
                             f"observation in them ({why}), nothing imported")
        kept = _answers_not_given(db, results)
    return KnowledgeImport(results, unread, kept)


def _answers_not_given(db: Database, results: list[FileImport]) -> list[KeptAnswers]:
    """Per source of the emulators' files imported, its answers (ratings, settings) at keys
    none of those files gave: a game the file no longer has keeps the answer it had (a
    shorter file removes nothing, but compat.ini: see :func:`_withdraw_unlisted`), said."""
    given: dict[str, set[AnswerKey]] = defaultdict(set)
    files: dict[str, list[str]] = defaultdict(list)
    for result in results:
        if result.source is not None and result.format in GAME_FORMATS:
            given[result.source] |= result.given_keys
            files[result.source].append(result.path)
    kept = []
    for source, keys in given.items():
        counts: dict[str, int] = {}
        expiries: list[int | None] = []
        for kind in (COMPAT, SETTINGS):
            missing = [expiry for key, expiry in source_keys(db, kind, source).items()
                       if key not in keys]
            if missing:
                counts[kind.name] = len(missing)
                expiries += missing
        if counts:
            dated = [expiry for expiry in expiries if expiry is not None]
            kept.append(KeptAnswers(source, counts, tuple(files[source]),
                                    from_epoch(min(dated)) if dated else None))
    return kept


# The formats whose reader reads a folder: given one, the files of the folder it does not read
# are named (qa183 F6: a folder of cores' .info files, a GameIndex and a compat.ini imported
# the cores alone, exit 0, and said nothing of the rest).
FOLDER_FORMATS = (CORE_INFO_FORMAT, DOLPHIN_FORMAT)
_MAX_FOLDER_DEPTH = 3
_DOCUMENT_SUFFIXES = frozenset({".md", ".txt", ".rst", ".htm", ".html", ".pdf"})
_DOCUMENT_STEMS = ("readme", "license", "licence", "copying", "authors", "changelog",
                   "notice")


def _folder_work(folder: Path, fmt: str | None, source: str | None,
                 work: list[tuple[Path, str | None]], unread: list[Unread],
                 depth: int = 0) -> None:
    """What a folder given holds: the folder itself for each folder format it has files of (the
    cores' .info files, Dolphin's game inis); without ``fmt``, each other file by its own
    format and each sub-folder the same way; the files none of these reads in ``unread``.
    Without ``fmt``, a folder holding only inis none of which is Dolphin's is no Dolphin
    folder: its inis are read each by its own format, or named."""
    taken: set[Path] = set()
    for name in FOLDER_FORMATS if fmt is None else (fmt,):
        files = folder_files(folder, name)
        if fmt is None and name == DOLPHIN_FORMAT \
                and not any(_detected(file) == DOLPHIN_FORMAT for file in files):
            continue
        if files or fmt is not None:
            work.append((folder, name))
            taken.update(files)
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path in taken \
                or path.name.lower() in SYSTEM_FILES:  # (Windows' desktop.ini, Thumbs.db)
            continue
        if path.is_file() and (path.suffix.lower() in _DOCUMENT_SUFFIXES
                               or path.name.lower().startswith(_DOCUMENT_STEMS)):
            unread.append(Unread(str(path), "not a knowledge file (a document), not read",
                                 skipped=False))
        elif fmt is not None:
            unread.append(Unread(str(path), f"not a {fmt} file, not read (without --format "
                                 "each file of a folder is read by its own format)"))
        elif path.is_dir() and path.is_symlink():  # (review39b F7: a loop read four times)
            unread.append(Unread(str(path), "a link to a folder, not followed", skipped=False))
        elif path.is_dir():
            if depth < _MAX_FOLDER_DEPTH:
                _folder_work(path, None, source, work, unread, depth + 1)
            else:
                unread.append(Unread(str(path), "a folder too deep, not read"))
        elif (sidecar := _statistics_sidecar(path)) is not None:  # (review45e F4)
            unread.append(Unread(str(path), f"{sidecar}, not read", skipped=False))
        else:
            try:
                name = detect_import_format(path)
            except InputError as exc:
                reason = str(exc).removeprefix(f"{path}: ").split("; give --format")[0]
                unread.append(Unread(str(path), f"{reason}, not read"))
                continue
            if name == ROWS_FORMAT and source is None:
                unread.append(Unread(str(path), "plain observation rows name no source, not "
                                     "read (import the file alone with --source)"))
                continue
            work.append((path, name))


def _each_file_once(work: list[tuple[Path, str | None]]) -> list[tuple[Path, str | None]]:
    """``work`` without an entry whose files another one reads: a file named beside its
    folder (before or after it), or a folder named twice, is imported once (p39c: twice).
    The folders' entries come first."""
    read: set[Path] = set()
    once = []
    for path, name in sorted(work, key=lambda entry: not _a_folder(*entry)):
        files = {file.resolve() for file in folder_files(path, name or "")} \
            if _a_folder(path, name) else {path.resolve()}
        if not files <= read:
            once.append((path, name))
            read |= files
    return once


def _a_folder(path: Path, name: str | None) -> bool:
    return name in FOLDER_FORMATS and path.is_dir()


def _detected(path: Path) -> str | None:
    try:
        return detect_format(path)
    except InputError:
        return None


def detect_import_format(path: Path) -> str:
    """The format of ``path``: a JSON envelope by its ``schemaVersion``, plain rows, or a
    knowledge file by its content (:func:`~romrunner.knowledge.formats.detect_format`)."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return ROWS_FORMAT
    if path.suffix.lower() in _JSON_SUFFIXES:
        return _json_format(path, load_json_document(path))
    return detect_format(path)


def _json_format(path: Path, document: object) -> str:
    schema = document.get("schemaVersion") if isinstance(document, dict) else None
    if schema is None:
        if isinstance(document, dict) and not {"items", "records"} & document.keys():
            # (a statistics sidecar names a source: asking for --source misled, QA23 P4)
            if "stats" in document:  # (said as when given among others: qa204 F5)
                raise InputError(f"{path}: a statistics summary, no answers in it; import "
                                 "the file it was written beside (its envelope) instead")
            keys = ", ".join(list(map(str, document))[:6]) or "none"
            raise InputError(f"{path}: expected a list of observations or an object with "
                             f"'items'; this object has none (its keys: {keys[:120]})")
        return ROWS_FORMAT
    if not isinstance(schema, str) or schema not in ENVELOPES:  # (QA95 F6: a list)
        raise KnowledgeFormatError(f"{path}: schemaVersion {str(schema)[:40]!r} is not one "
                                   f"this engine reads ({', '.join(ENVELOPES)})")
    return str(schema)


def _given_source(result: FileImport, path: Path, given: str | None, own: str,
                  one_of: int) -> str:
    """The source of a file that names its own (an emulator's database, an envelope):
    ``given`` (``--source``) for a file imported alone; among several files, one whose own
    source is another is refused (QA70 F11: `--source S` for plain rows re-sourced the
    PCSX2 database beside them, with S's lifetime and rank)."""
    if given is None or given == own:
        return own
    if one_of > 1:
        raise InputError(f"{path}: its answers are {own}'s, not {given}'s: --source names "
                         "the source of every file given; import this one apart (alone, "
                         "--source files it under the source given); nothing was imported")
    # (said: a slip files one source's answers under another's lifetime and rank, QA127 F7)
    result.add_problems(0, [f"its answers are {own}'s: filed under {given}, as --source "
                            "says (with that source's lifetime and rank)"])
    return given


def _import_file(db: Database, path: Path, fmt: str | None, source: str | None,
                 kind: str | None, new_source: bool, strict: bool,
                 one_of: int = 1, older: bool = False,
                 before: list[FileImport] | None = None,
                 terms: PackTerms | None = None, force: bool = False) -> FileImport:
    name = fmt or detect_import_format(path)
    result = FileImport(str(path), name)
    if name == CORE_INFO_FORMAT:
        report = ReadReport(str(path))
        result.cores, result.firmware, result.firmware_removed = cores.store_cores(
            db, path, report)
        _finish_report(result, report, strict)
        return result
    if name == ROWS_FORMAT:
        if source is None:
            raise InputError(f"{path}: plain observation rows name no source; give --source")
        result.source = source
        _ingest(db, result, kind or "compat", source,
                (_fitted(row, terms) for row in read_observation_file(path)), new_source,
                strict)
        forget_data_as_of(db, source, result.observations)
        return result
    if name in ENVELOPES:
        document = load_json_document(path)
        if fmt is not None:
            _json_format(path, document)  # a forced format must still be that envelope
        if _empty_envelope(document):  # the pack's seeds: nothing yet, nothing to do
            result.source = source
            return result
        named = _named_source(document)
        if named is None and source is None:
            raise InputError(f"{path}: the envelope names no source; give --source")
        own = _given_source(result, path, source, named, one_of) if named is not None \
            else source
        assert own is not None
        result.source, result.generated_at = own, _generated_at(result, document)
        profiles = _device_profiles(db)
        rows = [(kind, _fitted(row, terms) if isinstance(row, FileRow) else row)
                for kind, row in envelope_rows(name, document_rows(path, document),
                                               profiles, own)]
        kinds = sorted({kind for kind, _ in rows})
        _say_unknown_platforms(result, rows, terms)
        if result.generated_at is not None and not older:
            _refuse_older(db, result, before or [], kinds)
        watch = AnswerWatch.of_rows(db, own, rows, {
            profile: device for device, ids in profiles.items() for profile in ids})
        undated = undated_answers(db, own, kinds)
        _ingest_kinds(db, result, iter(rows), new_source, strict)
        result.changes = watch.changes(db)
        if result.generated_at is not None:
            for kind in kinds:
                if kind not in undated:  # (beside answers of no date, it dates none)
                    record_data_as_of(db, own, kind, result.generated_at)
        return result
    game = game_format(name)
    result.source = _given_source(result, path, source, game.source, one_of)
    report = ReadReport(str(path))
    read = list(game.read(path, report))
    entries = _keeping_stored_answers(db, result, read, game.rates)
    _finish_report(result, report, strict)
    # (a Dolphin ini of cheats alone gives nothing the cache keeps, and takes nothing from
    # it: passed over, alone, among the files given or in a folder — qa195: among others it
    # withdrew its game's settings while said to be passed over)
    giving = [e for e in entries if not _cheats_alone(name, e)]
    unlisted = _unlisted(db, result.source, name, giving, report.damaged_keys) \
        if game.lists_every_game else []
    watch = AnswerWatch.of_entries(db, result.source, giving, unlisted)
    rows = [(k, FileRow(f"entry {r['definition_game_id']}", r))
            for k, r in entry_rows(entries, name) if not isinstance(r, FileRow)]
    if rows or not (any(e.damaged for e in entries)
                    or _passed_over(result, name, path, one_of)):
        _ingest_kinds(db, result, iter(rows), new_source, strict)
    _withdraw_what_entries_no_longer_give(db, result, giving, game.rates)
    _withdraw_unlisted(db, result, unlisted)
    result.changes = watch.changes(db)
    result.given_keys = set(watch.keys)
    forget_data_as_of(db, result.source, result.observations)
    if not force and game.ends_with_last_entry and path.is_file() and entries:
        _refuse_a_cut_last_entry(result, entries[-1])
    return result


def _keeping_stored_answers(db: Database, result: FileImport, entries: list[Entry],
                            rates: bool) -> list[Entry]:
    """``entries``, a damaged one (a line of it skipped) without its settings where the
    source holds settings for its game: what it read may be short of what the file meant
    (qa188 F2: a PPSSPP title lost the flag of its damaged line, a Dolphin game the
    section of its damaged header), so the stored ones are kept, as a damaged entry of a
    YAML file, skipped whole, keeps its game's old answers (a damaged entry withdraws
    nothing either: see :func:`_withdraw_what_entries_no_longer_give`); said."""
    damaged = [e for e in entries if e.damaged]
    if not damaged:
        return entries
    assert result.source is not None
    keys = [(e.platform_id, e.game_key, e.emulator_id) for e in damaged]
    settings = {key[1] for key in source_answers(db, SETTINGS, result.source, keys)}
    ratings = {key[1] for key in source_answers(db, COMPAT, result.source, keys)} \
        if rates else set()
    kept = sorted(settings | {e.game_key for e in damaged
                              if e.status is None and e.game_key in ratings})
    if kept:
        one = len(kept) == 1
        result.add_problems(0, [f"{examples(kept, 4)}: a line of {'its' if one else 'their'} "
                                f"entr{'y' if one else 'ies'} damaged (skipped): what the "
                                f"cache held of {'it' if one else 'them'} from "
                                f"{result.source} is kept as it was"])
    return [replace(e, settings=None) if e.damaged and e.game_key in settings else e
            for e in entries]


def _cheats_alone(name: str, entry: Entry) -> bool:
    """True for the entry of a Dolphin ini with neither a rating nor settings (only cheats
    and patches, as most of Dolphin's files; a damaged one aside): it withdraws nothing."""
    return name == DOLPHIN_FORMAT and not entry.damaged and not _rates(entry) \
        and not _sets(entry)


def _unlisted(db: Database, source: str | None, name: str, entries: list[Entry],
              damaged: set[str]) -> list[AnswerKey]:
    """The keys of the source's settings read from an earlier file of format ``name`` (one
    that lists every game: compat.ini) that this file does not list (``damaged``: the game
    keys its damaged lines name, listed all the same)."""
    assert source is not None
    listed = {(e.platform_id, key, e.emulator_id)
              for e in entries for key in (e.game_key, *e.related_keys)}
    return sorted(key for key in source_keys(db, SETTINGS, source, format_detail=name)
                  if key not in listed and key[1] not in damaged)


def _withdraw_unlisted(db: Database, result: FileImport, unlisted: list[AnswerKey]) -> None:
    """Withdraw the settings at ``unlisted``: PPSSPP lists a title only under the flags it
    needs, and its compat.ini is always whole, so a title it no longer lists needs none now
    (qa195: its old `required` flags stayed, unsaid, until they expired)."""
    assert result.source is not None
    if unlisted:
        result.no_longer_listed = withdraw_observations(db, SETTINGS, result.source, unlisted)
        result.unlisted_keys = set(unlisted)


def _statistics_sidecar(path: Path) -> str | None:
    """Why ``path``, a JSON file given among others (or in a folder), is not read: a
    knowledge pipeline's statistics summary (``source``, ``generatedAt``, ``stats``; no
    answers), written beside each envelope (qa199 F7: `cache import samples/*` was refused
    whole for one). None otherwise: alone, such a file is refused, saying what it holds."""
    if path.suffix.lower() not in _JSON_SUFFIXES or not path.is_file():
        return None
    document = load_json_document(path)
    if isinstance(document, dict) and "stats" in document \
            and not {"items", "records", "schemaVersion"} & document.keys():
        return "a statistics summary, no answers in it"
    return None


CHEATS_ALONE = "no rating or settings in it (cheats or patches alone?)"


def _passed_over(result: FileImport, name: str, path: Path, one_of: int) -> bool:
    """True for a Dolphin game ini, given among other files, that gives nothing the cache
    keeps (only cheats and patches, as most of Dolphin's files): passed over as in a folder,
    and said (qa188 F4: `GameSettings/*.ini` was refused whole for the first such file)."""
    if name != DOLPHIN_FORMAT or one_of < 2 or not path.is_file():
        return False
    result.passed_over = CHEATS_ALONE
    return True


def _refuse_a_cut_last_entry(result: FileImport, last: Entry) -> None:
    """Refuse a file whose last entry takes away answers the cache holds from it — its
    rating, its fixes, a fix's key: a file cut exactly at a line break reads as whole, and
    only its last entry says less than the real one (QA153 F4: FFX lost its rating and fixes,
    ICO its `halfPixelOffset`, with exit 0). Mirrors `dat import`'s refusal of a cut DAT."""
    lost = cut_last_entry(last, result.changes)
    if not lost:
        return
    what = "; ".join(change.loss() for change in lost)
    game = f"{last.game_key} {last.title}" if last.title else last.game_key
    raise InputError(
        f"{result.path}: refused to replace {result.source}'s answers for the file's last "
        f"entry, {game}, by less ({what}): a file cut short at a line break (a "
        "partial download?) loses the end of its last entry; nothing was imported; import "
        "the whole file, or use --force if this is right")


def _withdraw_what_entries_no_longer_give(db: Database, result: FileImport,
                                          entries: list[Entry], rates: bool) -> None:
    """The source's rating (or settings) of a game whose entry in this file gives none: dropped
    upstream, it is no longer the source's answer (QA84 F1: a newer GameIndex without a game's
    `compat:` or fixes left the old ones in place), whether the file holds one game (a Dolphin
    ini: review 87 F6) or thousands. ``rates``: the format gives ratings at all (PPSSPP's
    compat.ini gives none: its source's ratings from elsewhere are left as they are)."""
    assert result.source is not None
    gives_kind: tuple[tuple[CacheKind, Callable[[Entry], bool]], ...] = (
        (COMPAT, _rates), (SETTINGS, _sets))
    primary = {e.game_key for e in entries}
    # (an entry's keys: its own and, when they have no entry of their own, its title's other
    # serials — DuckStation's `codes`, given its rows too: review 87 F4)
    keys_of = {id(e): (e.game_key, *(k for k in e.related_keys if k not in primary))
               for e in entries}
    for kind, gives in gives_kind:
        if kind is COMPAT and not rates:
            continue
        given = {key for e in entries if gives(e) for key in keys_of[id(e)]}
        # (a damaged entry gives what it read, and withdraws nothing: qa188 F2)
        keys = [(e.platform_id, key, e.emulator_id) for e in entries
                if not gives(e) and not e.damaged
                for key in keys_of[id(e)] if key not in given]
        keys += _aliases_no_longer_given(db, kind, result.source, entries, primary)
        if withdrawn := withdraw_observations(db, kind, result.source, keys):
            result.withdrawn[kind.name] = withdrawn


def _aliases_no_longer_given(db: Database, kind: CacheKind, source: str,
                             entries: list[Entry], primary: set[str]
                             ) -> list[tuple[str, str, str]]:
    """The source's rows copying the answer of an entry of this file to a key the entry no
    longer names (review 156 F4: a DuckStation disc set's other discs, once given disc 1's
    rating, kept it after a reader that no longer does, and a `broken` one would outlive
    every prune). An entry the file does not have keeps its copies (a shorter file)."""
    related = {(e.platform_id, e.game_key, e.emulator_id): set(e.related_keys)
               for e in entries}
    return [key for key, copied in source_aliases(db, kind, source)
            if (key[0], copied, key[2]) in related and key[1] not in primary
            and key[1] not in related[(key[0], copied, key[2])]]


def _rates(entry: Entry) -> bool:
    return entry.status is not None


def _sets(entry: Entry) -> bool:
    return bool(entry.settings)


def _finish_report(result: FileImport, report: ReadReport, strict: bool) -> None:
    result.entries = report.entries
    if strict and report.skipped:
        raise InputError(f"{result.path}: refused (--strict), nothing imported: "
                         f"{report.first_skip or 'an entry was skipped'}")
    result.add_problems(report.skipped, report.problems)
    result.ignored = list(report.ignored)
    if report.entries == 0 and not (report.ignored and not report.problems):
        detail = f" ({'; '.join(report.problems[:PROBLEMS_SHOWN])})" if report.problems else ""
        raise InputError(f"{result.path}: no usable {result.format} entry, nothing "
                         f"imported{detail}")


def _generated_at(result: FileImport, document: object) -> str | None:
    """The envelope's ``generatedAt`` as UTC ISO 8601 (a date without a zone taken as UTC),
    or None when it gives none; one that is not a date is said and not compared."""
    given = document.get("generatedAt") if isinstance(document, dict) else None
    if given is None:
        return None
    try:
        when = datetime.fromisoformat(str(given).strip().replace("Z", "+00:00"))
    except ValueError:
        result.add_problems(0, [f"generatedAt {str(given)[:40]!r} is not a date: the file's "
                                "age was not compared with the cache's"])
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > datetime.now(UTC) + timedelta(days=1):  # (QA127 F8: kept, it refused every
        # current file after it as "older")
        result.add_problems(0, [f"generatedAt {str(given)[:40]!r} is in the future: the "
                                "file's age was not compared with the cache's, nor kept"])
        return None
    if len(str(given).strip()) == 10:  # a day alone: kept as such (see dated_before)
        return when.strftime("%Y-%m-%d")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PackTerms:
    """What the definition pack in use knows, that an answer's ids are checked against."""

    platforms: frozenset[str]
    runs: Mapping[str, frozenset[str]]  # an emulator's key -> the platforms it runs

    @classmethod
    def of(cls, pack: DefinitionPack) -> PackTerms:
        """The terms of ``pack``."""
        return cls(frozenset(pack.platforms), {
            emulator_key(emulator.id): frozenset(emulator.platforms)
            for emulator in pack.emulators.values() if emulator.platforms})

    def misfit(self, value: Mapping[str, Any]) -> str | None:
        """Why an answer's emulator does not run its platform, as the pack says, or None:
        judged only where the pack knows the platform, and a platform it lists for the
        emulator (review 128 F2: `ps1` answers, the pack's `psx`, were skipped, not kept
        and said; bigpemu lists only `jaguar`, a platform the pack calls `atari-jaguar`;
        review 131 F6: flycast2021 lists one the pack does not know beside its own)."""
        platform, emulator = value.get("platform_id"), value.get("emulator_id")
        if not isinstance(platform, str) or not isinstance(emulator, str) \
                or platform not in self.platforms:
            return None
        runs = self.runs.get(emulator_key(emulator))
        if runs is not None and "*" not in runs and platform not in runs \
                and runs & self.platforms:
            return (f"emulator {emulator[:40]!r} does not run {platform} (the pack's "
                    f"{emulator[:40]} runs {examples(sorted(runs), 4)})")
        return None

    def unknown_platforms(self, rows: Iterable[tuple[str, Any]]) -> list[str]:
        """The platforms of ``rows``' answers the pack does not know."""
        found = {str(row.value.get("platform_id")) for _, row in rows
                 if isinstance(row, FileRow) and row.value is not None
                 and isinstance(row.value.get("platform_id"), str)}
        return sorted(found - self.platforms) if self.platforms else []


def _fitted(row: FileRow, terms: PackTerms | None) -> FileRow:
    """``row``, or when its answer's emulator does not run its platform (see
    :meth:`PackTerms.misfit`) a problem, skipped and said (QA127 F3: a PS2 emulator's
    rating of a GameCube game was stored: `compat:broken` listed Melee)."""
    why = None if terms is None or row.value is None else terms.misfit(row.value)
    return row if why is None else FileRow(row.where, None, why)


def _say_unknown_platforms(result: FileImport, rows: list[tuple[str, Any]],
                           terms: PackTerms | None) -> None:
    """Say the platforms of the answers that the pack in use does not know (QA127 F3: a
    platform 'nosuch' was stored unsaid): kept — another pack may know them — and said."""
    unknown = terms.unknown_platforms(rows) if terms is not None else []
    if unknown:
        one = len(unknown) == 1
        result.add_problems(0, [f"{'platform' if one else 'platforms'} {examples(unknown, 4)} "
                                f"{'is' if one else 'are'} not in the definition pack in use: "
                                f"{'its' if one else 'their'} answers are kept, and reach no "
                                f"game until a pack has {'it' if one else 'them'}"])


def _refuse_older(db: Database, result: FileImport, before: list[FileImport],
                  kinds: list[str]) -> None:
    """Refuse an envelope older than its source's answers of its kinds in the cache (QA84
    F4: a 2020 copy replaced this year's answers without a word) — whatever format brought
    them (QA127 F2) — or than a file of the same source and kinds given before it in this
    import. A date kept for answers no longer in the cache (cleared, expired, a pack change)
    refuses nothing."""
    assert result.source is not None and result.generated_at is not None
    source, when = result.source, result.generated_at
    for earlier in before:
        if earlier.source == source and set(earlier.observations) & set(kinds) \
                and earlier.generated_at and dated_before(when, earlier.generated_at):
            raise InputError(f"{result.path}: its answers are dated {when} (generatedAt), "
                             f"older than those of {earlier.path} before it "
                             f"({earlier.generated_at}); nothing was imported (give the "
                             "newer file last, or --older)")
    for kind in kinds:
        stored = data_as_of(db, source, kind)
        if stored is not None and dated_before(when, stored) \
                and holds_observations(db, kind_named(kind), source):
            raise InputError(f"{result.path}: its answers are dated {when} (generatedAt), "
                             f"older than {source}'s {kind} answers in the cache ({stored}); "
                             "nothing was imported (--older imports it anyway)")


def _empty_envelope(document: object) -> bool:
    items = document.get("items", document.get("records")) if isinstance(document, dict) \
        else None
    return items == []


def _named_source(document: object) -> str | None:
    """The source an envelope names (``"source": "id"`` or ``{"id": …}``), or None."""
    found = document.get("source") if isinstance(document, dict) else None
    if isinstance(found, dict):
        found = found.get("id")
    return found if isinstance(found, str) and found.strip() else None


def _device_profiles(db: Database) -> dict[str, list[int]]:
    profiles: dict[str, list[int]] = defaultdict(list)
    for row in db.query("SELECT d.device_id, p.id FROM device_profiles p JOIN devices d "
                        "ON d.id = p.device_row_id ORDER BY p.id"):
        profiles[str(row[0])].append(int(row[1]))
    return profiles


def _ingest_kinds(db: Database, result: FileImport, rows: Iterator[KindRow],
                  new_source: bool, strict: bool) -> None:
    by_kind: dict[str, list[FileRow]] = defaultdict(list)
    for kind, row in rows:
        by_kind[kind].append(row if isinstance(row, FileRow) else FileRow("entry", row))
    usable = {kind: items for kind, items in by_kind.items()
              if any(item.problem is None for item in items)}
    if not usable:
        problems = [f"{r.where}: {r.problem}" for items in by_kind.values() for r in items
                    if r.problem][:PROBLEMS_SHOWN]
        raise InputError(f"{result.path}: no usable observation, nothing imported"
                         + (f" ({'; '.join(problems)})" if problems else ""))
    for kind, items in by_kind.items():
        if kind not in usable:  # only problems: count them, nothing to write
            if strict:
                raise InputError(f"{result.path}: refused (--strict), nothing imported: "
                                 f"{items[0].where}: {items[0].problem}")
            result.add_skipped_rows((r.where for r in items),
                                    ((r.where, str(r.problem)) for r in items))
            continue
        assert result.source is not None
        _ingest(db, result, kind, result.source, items, new_source, strict)


def _ingest(db: Database, result: FileImport, kind: str, source: str,
            rows: Iterable[FileRow], new_source: bool, strict: bool) -> None:
    if source in OFFICIAL_SOURCES:
        ensure_official_source(db, source)
    done: IngestResult = ingest_observations(
        db, kind_named(kind), source, rows, new_source=new_source, strict=strict,
        origin=result.path)
    result.observations[kind] = result.observations.get(kind, 0) + done.observations
    result.registered_source = result.registered_source or done.registered
    result.expires_at = done.expires_at
    result.add_skipped_rows(done.skipped_at, ((p.where, p.reason) for p in done.problems))


__all__ = ["IMPORT_FORMATS", "KINDS", "FileImport", "KeptAnswers", "KnowledgeImport", "Unread",
           "import_knowledge"]
