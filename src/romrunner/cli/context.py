"""What every command gets: options, the database, the pack, and the output channel."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click
from rich.console import Console

from romrunner import JSON_ENVELOPE_VERSION
from romrunner.cli.terminal import SafeConsole
from romrunner.errors import DatabaseError
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import stored_pack_hash, stored_pack_hash_at, sync_pack
from romrunner.store import Database, OpenMode, OpenResult, open_database
from romrunner.store.backup import names_a_folder
from romrunner.store.lock import LockHolder
from romrunner.store.open import BackupMark, PlaceMark, discard_new_database
from romrunner.words import counted, shell_word

SQLITE_MAX_INTEGER = 2 ** 63 - 1


if TYPE_CHECKING:  # click >= 8.2 types ParamType by its value; 8.1 cannot subscript it
    _IntParam = click.ParamType[int]
else:
    _IntParam = click.ParamType


class _StoredInt(_IntParam):
    """An id or count given on the command line: SQLite stores 64-bit integers, so a larger
    number is refused naming the argument instead of failing inside a query."""

    name = "integer"

    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        number = int(click.INT.convert(value, param, ctx))
        if abs(number) > SQLITE_MAX_INTEGER:
            self.fail(f"{number} is too large (at most {SQLITE_MAX_INTEGER})", param, ctx)
        if self.minimum is not None and number < self.minimum:
            self.fail(f"{number} is less than {self.minimum}", param, ctx)
        return number


ROW_ID = _StoredInt()


class _ProfileId(_StoredInt):
    """A device profile's id; a name given instead is answered with where the ids are
    (QA138 F10: Click's "not a valid integer" for a profile's name)."""

    name = "profile id"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
            self.fail(f"{value!r} is no profile id: a profile is given by its number "
                      "(`romrunner profile ls` lists them)", param, ctx)
        return super().convert(value, param, ctx)


PROFILE_ID = _ProfileId()


def count_range(minimum: int = 0) -> _StoredInt:
    """A count or size from ``minimum`` up to the largest integer SQLite stores."""
    return _StoredInt(minimum)


class _PathWord(click.Path):
    """A path given on the command line; an empty one is refused (QA98 F3: `--to "$CARD"`
    with CARD unset deployed into the folder the shell was in, exit 0). ``a_file``: one
    that ends in a separator, which names a folder, is refused too (QA98 F11: `--db DIR/`
    made a database file named DIR). A leading ``~`` is the home folder in every path
    argument and option, as ``library add`` and ``--db`` always took it (qa173 F5: `deploy
    --to "~/card"` looked for a folder named ``~``)."""

    def __init__(self, *, a_file: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.a_file = a_file

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path (an unset shell variable?); name a file or folder, "
                      "`.` for the current folder", param, ctx)
        if isinstance(value, str) and value.startswith("~"):
            value = os.path.expanduser(value)
        if self.a_file and isinstance(value, str) and names_a_folder(value):
            folder = value if value.endswith(("/", os.sep)) else f"{value}{os.sep}"
            self.fail(f"{value}: names a folder (it ends in a separator, `.` or `..`); name "
                      f"the file, {folder}romrunner.db for one in that folder", param, ctx)
        return super().convert(value, param, ctx)


def path_param(*, text: bool = False, a_file: bool = False) -> click.Path:
    """The type of a command's path argument or option: a :class:`Path` (``text``: a str),
    never an empty one; ``a_file``: never one that names a folder by a separator at its
    end."""
    return _PathWord(a_file=a_file) if text else _PathWord(a_file=a_file, path_type=Path)


class InterruptedReport(NamedTuple):
    """What an interrupted command says of the work it committed, beyond the interrupt's own
    line: ``lines`` on stderr (text, ``--quiet`` too), ``data`` the ``--json`` envelope's."""

    lines: list[str]
    data: Any


@dataclass
class AppContext:
    """Global options and the resources a command opened (closed when it ends)."""

    db_path: Path
    pack_dir: Path | None
    json_output: bool
    quiet: bool
    verbose: bool
    wait: bool = False
    # the database's missing folders are made (the default one's; not those of a path the
    # user gave: a mistyped one is refused)
    make_db_folders: bool = True
    completed: bool = False  # set when the command ran to its end (main prints the envelope)
    exit_code: int | None = None  # what the command returned, once it has
    # What finishes the command's work when it is interrupted after committing some of it
    # (said after "interrupted: work committed so far is kept")
    interrupt_hint: str | None = None
    # what a command that is one transaction has done once it is committed ("the catalog
    # was removed"): an interrupt after its commit says so (see :meth:`one_transaction`)
    done_when_committed: str | None = None
    # Asked when the command is interrupted after committing some of its work: what that
    # work found that the command's result would have said, and the next run no longer can
    # (a scan's files changed in place)
    interrupted_report: Callable[[], InterruptedReport] | None = None
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _db: Database | None = None
    _created: OpenResult | None = None  # the database this command created, while open
    _created_by: str = ""  # the command that created it
    _created_changes: int = 0  # its committed changes once created (and the pack recorded)
    _backup_mark: BackupMark | None = None  # the database opened was a backup (see close)
    _place_mark: PlaceMark | None = None  # where its file is, recorded at the first write
    _committed: bool = False  # see committed_anything
    _replaced: bool = False  # see replaced_database
    _data: Any = None
    _pack: DefinitionPack | None = None
    _pack_notice: str | None = None  # said once the database says whether it knows the pack
    _pack_notice_due: bool | None = None  # whether it is new to the database (None: not asked)
    console: Console = field(default_factory=SafeConsole)
    err_console: Console = field(default_factory=lambda: SafeConsole(stderr=True))

    @property
    def interactive(self) -> bool:
        """True when progress bars may be drawn."""
        return not self.quiet and not self.json_output and self.err_console.is_terminal

    @contextlib.contextmanager
    def working(self, text: str) -> Iterator[None]:
        """A spinner with ``text`` on stderr while the body runs, when progress may be drawn
        (QA45 F2, F3: a deploy's planning and a DAT import were silent for seconds); gone
        once it ends. Not around another live display (a progress bar)."""
        if not self.interactive:
            yield
            return
        with self.err_console.status(text):
            yield

    def open_db(self, mode: OpenMode = OpenMode.WRITE) -> Database:
        """Open the database once for this command (a write command migrates, and says so).

        A command that writes holds the database's writer lock until it ends: a second one
        fails at once naming the first, or with ``--wait`` waits for it, saying so.
        """
        if self._db is not None and self._db.read_only and mode.writes:
            self._db.close()  # opened to read earlier in this command; now it writes
            self._db = None
        if self._db is None:
            result = open_database(self.db_path, mode,
                                   lock_as=command_name() if mode.writes else None,
                                   wait=self.wait, on_wait=self.say_waiting,
                                   make_folders=self.make_db_folders)
            self._db = result.db
            self._backup_mark = result.backup_mark
            self._place_mark = result.place_mark
            for notice in result.notices:
                self.warn(notice)
            if result.new_file:
                self._created = result
                self._created_by = command_name()
            self._weigh_pack_notice()
            # (before the pack is recorded: a failure recording it leaves a new database
            # that holds nothing of the command's, discarded — qa204 F1)
            self._created_changes = self._db.committed_changes
            if mode is OpenMode.WRITE:
                synced = sync_pack(self._db, self.pack())
                if synced.invalidated_rows:  # (QA84 F3: dropped without a word)
                    self.warn("the definition pack changed: the cached knowledge derived from "
                              "the previous one is stale now "
                              f"({counted(synced.invalidated_rows, 'row')}, still used, said "
                              "as stale; `romrunner cache import` of what you imported under "
                              "its sources makes them current)")
            self._created_changes = self._db.committed_changes
        return self._db

    def say_waiting(self, holder: LockHolder) -> None:
        """Tell the user (on stderr) which command this one waits for (``--wait``)."""
        if not self.quiet:
            self.err_console.print(f"waiting: another romrunner command is writing to "
                                   f"{self.db_path} ({holder.describe()})", markup=False,
                                   soft_wrap=True)

    def pack(self) -> DefinitionPack:
        """The definition pack, loaded once (built-in unless --pack is given)."""
        if self._pack is None:
            self._pack = load_pack(self.pack_dir)
            for broken in (w for w in self._pack.warnings if w.broken_file):
                self.warn(f"{self._pack.path / broken.file}: {broken.reason}")
            count = sum(not w.broken_file for w in self._pack.warnings)
            if count:
                self._pack_notice = (f"{self._pack.path}: {count} pack entries skipped or "
                                     "repaired (`romrunner pack validate "
                                     f"{shell_word(self._pack.path)}` lists them)")
                if self._db is not None or self.json_output:
                    self._weigh_pack_notice()
        return self._pack

    def _weigh_pack_notice(self) -> None:
        """Decide whether the pack's repaired entries are to be said (see
        :meth:`_say_pack_notice`), while the database does not know this pack yet (a command
        that writes records it as it opens the database); in ``--json`` say it now."""
        if self._pack_notice is None or self._pack is None:
            return
        if self.json_output:
            self.warn(self._pack_notice)
            self._pack_notice = None
        elif self._pack_notice_due is None and self._db is not None:
            self._pack_notice_due = stored_pack_hash(self._db) != self._pack.content_hash

    def say_pack_notice_after_a_failure(self) -> None:
        """After a failing command's one-line error: the pack's notice, when the database this
        command kept now knows the pack (review37b F6: a write opened and failed recorded the
        pack, and no later command said its repaired entries). Not for a new database the
        failure discards: the next command says it."""
        if self._pack_notice is not None and self._pack_notice_due and not self.json_output:
            self.warn(self._pack_notice)
        self._pack_notice = None

    def _say_pack_notice(self) -> None:
        """Warn of the pack's repaired entries, when the command hands over its result: in
        text once per pack and database (when the pack's contents are new to the database,
        or there is none), not on every command that uses it, and not before a failing
        command's error, which stays its one line (qa173 F10: every failed first command
        said it, the failure leaving no database to remember it by; the first command that
        gets to its result says it); in ``--json`` always (a program reads every envelope
        on its own). ``pack validate`` always lists them."""
        if self._pack_notice is None or self._pack is None:
            return
        if self._pack_notice_due is None:  # a command that opened no database
            self._pack_notice_due = \
                stored_pack_hash_at(self.db_path) != self._pack.content_hash
        if self._pack_notice_due:
            self.warn(self._pack_notice)
        self._pack_notice = None

    def use_pack(self, pack_dir: Path) -> None:
        """Load the pack from ``pack_dir`` from now on (before the database is opened)."""
        self.pack_dir, self._pack = pack_dir, None

    def warn(self, message: str) -> None:
        """A warning: on stderr as text, or in the JSON envelope."""
        self.warnings.append(message)
        if not self.json_output and not self.quiet:
            self.err_console.print(f"warning: {message}", markup=False, soft_wrap=True)

    def finish(self, data: Any, render: Callable[[Console], None] | None = None,
               *, ok: bool = True, errors: list[str] | None = None) -> None:
        """Hand over the command's result: text through ``render`` now, or the data for the
        JSON envelope that ``main`` prints once the exit code is known (``ok`` in the
        envelope is true exactly when the exit code is 0, whatever ``ok`` says here; a failed
        check under ``--quiet`` says its ``errors``, and the warnings held back, on stderr, or
        without ``errors`` its text output). ``errors``: the one-line
        reasons of a failure for the envelope (not repeating ``warnings``: say "listed in the
        warnings" instead); the text output says them through ``render``."""
        self.verify_database()  # never report success into a deleted file
        self._say_pack_notice()  # a command that opened no database
        self._data = data
        self.errors.extend(errors or [])
        if self.json_output:
            return
        if self.quiet and not ok and errors:
            # (QA34 F8: the whole report was printed on stdout, and a failing `cache import
            # -q` never said which entry it skipped: the warnings it held back say why)
            for line in [*(f"warning: {w}" for w in self.warnings),
                         *(f"error: {e}" for e in errors)]:
                self.err_console.print(line, markup=False, soft_wrap=True)
        elif render is not None and (not self.quiet or not ok):
            render(self.console)
            # (said now, not when the process ends: what a command reports is out before it
            # lets go of the database, so nothing can happen to the file between the last
            # check and the report)
            self.console.file.flush()

    def verify_database(self) -> None:
        """Raise when the database this command wrote to was deleted or replaced meanwhile
        (checked when the result is handed over, and again once the command has returned,
        just before the exit code: a command may still clean up after its result)."""
        if self._db is not None and not self._db.read_only:
            self._db.verify_same_file()

    def envelope(self, exit_code: int, errors: list[str] | None = None) -> dict[str, Any]:
        """The one JSON document of the command: ``ok`` is false exactly when it failed, and
        then ``errors`` says why in at least one line (a command that failed without naming
        a reason gets a general one)."""
        reasons = [*self.errors, *(errors or [])]
        if exit_code != 0 and not reasons:
            reasons = [f"{command_name()} failed (exit {exit_code}); its data says what it found"]
        return envelope(exit_code, self._data, self.warnings, reasons)

    def one_transaction(self, done: str) -> None:
        """The command's work is one transaction; ``done`` says what it has done once that
        is committed (an interrupt landing after the commit, before the command returns,
        says that, not "work committed so far": QA62 F3)."""
        self.done_when_committed = done

    def work_done(self) -> None:
        """The command's one transaction is committed: its work is whole, and a Ctrl-C (or a
        stop signal) from here on has nothing left to stop — the summary is said, the exit
        code is the command's (QA62 F3: "interrupted: work committed so far is kept", the
        import's report lost, a retried `dat rm` failing)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _say_a_backup_written_to(self) -> None:
        """Say once that the backup this command wrote to is a database from now on (see
        :class:`BackupMark`)."""
        mark, self._backup_mark = self._backup_mark, None
        cleared = False
        with contextlib.suppress(DatabaseError):  # (a connection lost: nothing to say)
            cleared = mark is not None and self._db is not None and mark.cleared(self._db)
        if cleared:
            # (not "made by `romrunner db backup`": an upgrade's backup too, qa179 F8)
            self.warn(f"{self.db_path}: was a ROM Runner backup; written "
                      "to now, it is a database of its own (no backup replaces it, and "
                      "`db restore` does not take it)")

    def _say_a_copy_written_to(self) -> None:
        """Say once that the copy of the database file this command wrote to is a database
        of its own from now on (see :class:`PlaceMark`): said as for a backup written to,
        not first heard of as a backup refused."""
        mark, self._place_mark = self._place_mark, None
        forked = False
        with contextlib.suppress(DatabaseError):  # (a connection lost: nothing to say)
            forked = mark is not None and self._db is not None and mark.forked(self._db)
        if mark is not None and forked:
            self.warn(mark.said())

    def committed_anything(self) -> bool:
        """True when this command has committed a change of its own to the database (beyond
        opening it: a migration, the pack recorded), asked while it is open or after, or
        replaced the database file (see :meth:`replaced_database`)."""
        if self._db is not None and not self._replaced:
            self._committed = self._db.committed_changes != self._created_changes
        return self._committed or self._replaced

    def replaced_database(self, hint: str) -> None:
        """The command has written a file of its own (the database replaced by ``db
        restore``, a backup, a fixdat): an interrupt from now on says so, with ``hint``
        (QA42 F1, F2: "nothing was changed", the file written)."""
        self._replaced = True
        self.interrupt_hint = hint

    def close(self) -> None:
        """Close what the command opened. A database the command created is removed again
        when the command failed before committing anything of its own (``scan`` with no
        library roots must not leave an empty database behind)."""
        created, self._created = self._created, None
        if self._db is None:
            return
        self.committed_anything()  # (the interrupt handler asks after the close)
        self._say_a_backup_written_to()
        self._say_a_copy_written_to()
        db, self._db = self._db, None
        failed = not self.completed or self.exit_code != 0
        if created is not None and created.db is db and failed \
                and db.committed_changes == self._created_changes:
            discard_new_database(created)
            self._pack_notice_due = False  # (the next command's database says it)
            return
        db.close()
        if created is not None and created.db is db and not created.notices \
                and self._created_by not in ("db init", "demo") and not self.json_output \
                and not self.quiet:
            # (QA98 F11: a mistyped --db started a new library without a word)
            self.err_console.print(f"note: created a new database at {self.db_path} "
                                   "(--db or ROMRUNNER_DB names another)", markup=False,
                                   soft_wrap=True)


def envelope(exit_code: int, data: Any, warnings: list[str],
             errors: list[str]) -> dict[str, Any]:
    """The versioned JSON envelope: warnings and errors are lists of one-line strings."""
    return {"version": JSON_ENVELOPE_VERSION, "ok": exit_code == 0, "data": data,
            "warnings": list(warnings), "errors": list(errors)}


def command_name() -> str:
    """The running command as the user typed it (``dat import``), for the writer lock."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return "romrunner"
    parts = ctx.command_path.split()[1:]
    return " ".join(parts) or "romrunner"


def json_document(value: Any) -> str:
    """``value`` as JSON text; names with undecodable bytes (lone surrogates) are written as
    ``\\udcXX`` escapes, since raw surrogates cannot be encoded."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=False, allow_nan=False)
    except ValueError:  # (QA49 F4: a knowledge file's `.inf` made `Infinity`, not JSON)
        value = _finite(value)
        text = json.dumps(value, default=str, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, default=str, ensure_ascii=True)
    return text


def _finite(value: Any) -> Any:
    """``value`` with every infinite or NaN number written as text ("inf", "nan")."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def app_context() -> AppContext:
    """The AppContext of the running command."""
    ctx = click.get_current_context()
    obj = ctx.find_object(AppContext)
    if obj is None:
        raise RuntimeError("no AppContext")
    return obj
