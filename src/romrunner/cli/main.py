"""``romrunner``: the command-line entry point and its one error handler."""

# Ctrl-C during start-up: the `romrunner` script's guard is set by the package itself
# (romrunner/__init__.py); `python -m romrunner.cli.main` gets the same guard here.
import contextlib
import difflib
import errno
import functools
import os
import sys

if __name__ == "__main__":
    import _signal  # type: ignore[import-not-found]  # built in; typeshed has no stub

    from romrunner import _interrupted_during_start

    for _stop in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP):
        if _signal.getsignal(_stop) != _signal.SIG_IGN:  # (`nohup`: asked to go on)
            _signal.signal(_stop, _interrupted_during_start)

import importlib
import logging
import signal
import sqlite3
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import platformdirs

from romrunner import (
    INTERRUPTED_BEFORE_ANYTHING,
    __version__,
    _interrupted_during_start,
    interrupted_envelope,
    wants_json,
)
from romrunner.cli.context import (
    AppContext,
    InterruptedReport,
    envelope,
    json_document,
    path_param,
)
from romrunner.cli.querycmd import QueryCommand
from romrunner.cli.terminal import visible
from romrunner.errors import GONE_ERRNOS, RomRunnerError
from romrunner.store.database import sqlite_error
from romrunner.store.migrate import UpgradeInterrupted

EXIT_OK, EXIT_CHECK_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

log = logging.getLogger("romrunner")


def default_db_path() -> Path:
    """The database in the user's data directory; a one-line error where there is none (no
    HOME and no account entry: a container, a service: QA157 F8, an "internal error")."""
    try:
        return Path(platformdirs.user_data_dir("romrunner", appauthor=False)) / "romrunner.db"
    except (RuntimeError, KeyError) as exc:
        raise click.UsageError(
            f"cannot find where the default database goes ({exc}): pass --db PATH or set "
            "ROMRUNNER_DB (or HOME)") from exc


@dataclass
class _Session:
    """What ``main`` needs back from a run: the command's AppContext, once it exists."""

    app: AppContext | None = None
    json_asked: bool = False  # --json among the options (for what runs before they are read)


# Each command's module, imported only when the command runs (or help lists them all):
# importing every module costs ~0.3 s, more than most commands themselves take.
_COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "autolist": ("autolist_cmd",), "bios": ("bios_cmd",), "cache": ("cache_cmd",),
    "collection": ("collection_cmd",), "dat": ("dat_cmd", "report_cmd"),  # report, fixdat
    "db": ("db_cmd",), "demo": ("demo_cmd",), "deploy": ("deploy_cmd",),
    "destination": ("destination_cmd",), "device": ("device_cmd",), "games": ("games_cmd",),
    "library": ("library_cmd",), "override": ("override_cmd",), "pack": ("pack_cmd",),
    "platforms": ("report_cmd",), "profile": ("profile_cmd",), "resolve": ("override_cmd",),
    "scan": ("scan_cmd",), "search": ("search_cmd",),
}


class _LazyGroup(click.Group):
    """The top-level group: a command's module is imported the first time it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMAND_MODULES)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMAND_MODULES:
            for name in _COMMAND_MODULES[cmd_name]:  # the first defines it, others add to it
                module = importlib.import_module(f"romrunner.cli.{name}")
                command = getattr(module, cmd_name, None)
                if cmd_name in self.commands:
                    continue
                if isinstance(command, click.Command):
                    self.add_command(command, cmd_name)
                else:
                    module.register(self)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        """The command ``args`` name; a mistyped one is refused with the one it may be
        (qa173 F9: click suggests among the commands loaded, and at the top level a
        command's module is loaded only when asked for, so `romrunner scna` got none)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing \
                and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:
                raise click.UsageError(f"No such command {name!r}. Did you mean "
                                       f"{close[0]!r}?", ctx)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        command = self._command_of(ctx, args)
        for params in (self.params, command.params if command is not None else []):
            repeated = _given_twice(params, args,
                                    attached=not isinstance(command, QueryCommand))
            if repeated is not None:  # (QA63 F2: click keeps the last one, silently)
                raise click.UsageError(f"{repeated} is given twice: give it once")
            both = _both_ways(params, args)
            if both is not None:  # (qa197 F6: `--hacks --no-hacks`, the last one kept)
                raise click.UsageError(f"{both[0]} and {both[1]} together: give one of them")
        if command is None or isinstance(command, QueryCommand):
            return super().parse_args(ctx, hoist_global_flags(args))
        takes_value = frozenset(name for param in command.params
                                if isinstance(param, click.Option)
                                and not param.is_flag and not param.count
                                for name in (*param.opts, *param.secondary_opts))
        return super().parse_args(ctx, hoist_global_flags(args, short=True,
                                                          takes_value=takes_value))

    def _command_of(self, ctx: click.Context, args: list[str]) -> click.Command | None:
        """The command ``args`` run, or None when that is not sure (an unknown name, or a
        group's default command: ``deploy PROFILE …``)."""
        tail = args[_global_head(args):]
        command = self.get_command(ctx, tail[0]) if tail else None
        for word in tail[1:]:
            if not isinstance(command, click.Group):
                break
            command = command.commands.get(word) or command.commands.get(
                getattr(command, "default_command", ""))
        return None if isinstance(command, click.Group) else command

    def load_all(self) -> dict[str, click.Command]:
        """Every command, imported (for tools that walk the whole tree)."""
        for name in _COMMAND_MODULES:
            self.get_command(None, name)
        return dict(self.commands)


# The global options a user may write after the command (`romrunner scan --quiet`,
# `romrunner games ls --db X`). The short forms too, but not after a command that takes
# query words, where they are NOT terms (`romrunner search mario -q`, `games ls -v`).
_HOISTED = frozenset({"--json", "--quiet", "--verbose", "--wait"})
_SHORT = frozenset({"-q", "-v"})
_GLOBAL_WITH_VALUE = frozenset({"--db", "--pack"})


def _given_twice(params: list[click.Parameter], args: list[str], *,
                 attached: bool = True) -> str | None:
    """The first option of ``params`` that takes one value and is written twice in
    ``args`` (before a ``--``), as written; None when there is none. ``attached``: a short
    option may hold its value (``-ob.dat``: QA66 F8), which a query's ``-word`` also looks
    like."""
    single = {name: param.name for param in params if isinstance(param, click.Option)
              and not param.multiple and not param.is_flag and not param.count
              for name in (*param.opts, *param.secondary_opts)}
    seen: dict[str | None, str] = {}
    for arg in args:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if attached and name not in single and len(arg) > 2 and arg[0] == "-" != arg[1]:
            name = arg[:2]
        if name in single:
            if single[name] in seen:
                return name
            seen[single[name]] = name
    return None


def _both_ways(params: list[click.Parameter], args: list[str]) -> tuple[str, str] | None:
    """The first on/off flag of ``params`` (``--hacks/--no-hacks``) written both ways in
    ``args`` (before a ``--``), as written, in their order; None when there is none."""
    sides = {name: (param.name, on) for param in params
             if isinstance(param, click.Option) and param.is_flag and param.secondary_opts
             for on, names in ((True, param.opts), (False, param.secondary_opts))
             for name in names}
    seen: dict[tuple[str | None, bool], str] = {}
    for arg in args:
        if arg == "--":
            break
        if arg in sides:
            flag, on = sides[arg]
            if (flag, not on) in seen:
                return seen[(flag, not on)], arg
            seen.setdefault((flag, on), arg)
    return None


def _global_head(args: list[str]) -> int:
    """Where the command's name is: after the global options written before it."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in _GLOBAL_WITH_VALUE else 1
    return index


def hoist_global_flags(args: list[str], *, short: bool = False,
                       takes_value: frozenset[str] = frozenset()) -> list[str]:
    """``args`` with the global options written after the command moved before it, ``--db``
    and ``--pack`` with their value (``--db X`` or ``--db=X``; nothing after a ``--`` moves;
    no command defines an option of these names); with ``short``, ``-q`` and ``-v`` too,
    unless one is the value of an option of the command (``takes_value``)."""
    index = _global_head(args)
    if index >= len(args):
        return args
    head, tail = args[:index], args[index:]
    end = tail.index("--") if "--" in tail else len(tail)
    moved: list[str] = []
    kept: list[str] = []
    position = 0
    while position < end:
        token = tail[position]
        if token in _GLOBAL_WITH_VALUE and position + 1 < end:
            moved += tail[position:position + 2]
            position += 2
            continue
        name, equals, _ = token.partition("=")
        if token in _HOISTED or (equals and name in _GLOBAL_WITH_VALUE) or (
                short and token in _SHORT):
            moved.append(token)
        elif short and token in takes_value and position + 1 < end:  # its value stays
            kept += tail[position:position + 2]
            position += 1
        else:
            kept.append(token)
        position += 1
    if not moved:
        return args
    return [*head, *moved, *kept, *tail[end:]]


def _print_version(ctx: click.Context, asked: bool) -> None:
    """``--version``: the package's, and the schema its databases are at (the README's
    release names, v1.1.0 and on: QA85 F9, "0.1.0" alone read as older than every one)."""
    if not asked or ctx.resilient_parsing:
        return
    from romrunner.store.migrate import load_migrations
    schema = load_migrations()[-1].name.replace("_", ".")
    session = ctx.find_object(_Session)
    if session is not None and session.json_asked:  # (QA98 F13: plain text under --json)
        click.echo(json_document(envelope(EXIT_OK, {"romrunner": __version__,
                                                    "schema": schema}, [], [])))
    else:
        click.echo(f"romrunner {__version__} (database schema {schema})")
    ctx.exit()


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _, value: _print_version(ctx, value),
              help="Show the version, and the database schema it writes, and exit.")
@click.option("--db", "db_path", type=path_param(a_file=True), envvar="ROMRUNNER_DB",
              default=None, help="Database file (env ROMRUNNER_DB; default: user data dir).")
@click.option("--pack", "pack_dir", type=path_param(), envvar="ROMRUNNER_PACK",
              default=None, help="Definition pack folder (env ROMRUNNER_PACK; default: built-in).")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True,
              help="Log details; list every file; show an internal error's traceback.")
@click.option("--wait", is_flag=True,
              help="When another command is writing to the database, wait for it to finish "
                   "instead of failing at once.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, pack_dir: Path | None, json_output: bool,
        quiet: bool, verbose: bool, wait: bool) -> None:
    """ROM Runner: scan, identify and deploy a retro-game library."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if db_path is None and "ROMRUNNER_DB" in os.environ \
            and not os.environ["ROMRUNNER_DB"].strip() and ctx.invoked_subcommand != "demo":
        # (an unset shell variable, `ROMRUNNER_DB=$LIB`: the default database, the user's
        # library, was used without a word — QA98 F3, review 103 F5)
        raise click.UsageError("ROMRUNNER_DB is set but empty (an unset shell variable?); "
                               "name a database file, or unset it for the default one")
    app = AppContext(_the_file_itself(db_path or default_db_path()), pack_dir, json_output,
                     quiet, verbose, wait=wait, make_db_folders=db_path is None)
    if isinstance(ctx.obj, _Session):
        ctx.obj.app = app
    ctx.obj = app
    ctx.call_on_close(app.close)


def all_commands() -> dict[str, click.Command]:
    """Every top-level command, its module imported (for tools that walk the whole tree)."""
    assert isinstance(cli, _LazyGroup)
    return cli.load_all()


@cli.result_callback()
@click.pass_context
def _completed(ctx: click.Context, /, result: object, **_: object) -> object:
    """Mark that a command ran to its end (not --help), so ``main`` prints its envelope."""
    if isinstance(ctx.obj, AppContext):
        _ignore_late_interrupts()
        ctx.obj.completed = True
        ctx.obj.exit_code = result if isinstance(result, int) else EXIT_OK
    return result


def _the_file_itself(path: Path) -> Path:
    """The database's own path where ``path`` is a symbolic link to it (or through one): the
    writer lock, the WAL and a restore's rename are the file's, whichever path reaches it
    (QA49 F11: two writers ran at once through a link and its target; `db restore` through
    the link replaced the link, leaving the database as it was)."""
    path = path.expanduser()
    real = Path(os.path.realpath(path))
    return real if real != Path(os.path.abspath(path)) else path


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one line on stderr and a non-zero exit code.

    With ``--json`` exactly one envelope is printed, whose ``ok`` is false exactly when the
    exit code is not 0.
    """
    _replace_what_the_locale_cannot_encode()
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, *_STOPS)}
    _INTERRUPT.seen = _INTERRUPT.enveloped = _INTERRUPT.said = False
    _INTERRUPT.stopped_by = None
    _INTERRUPT.session = None
    previous_hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_interrupt_again_if_ignored, previous_hook)
    try:
        # Inside the try: a Ctrl-C that arrived while the handlers were swapped is raised by
        # this very call (Python runs pending handlers as ``signal.signal`` returns).
        signal.signal(signal.SIGINT, _interrupt)  # from here Ctrl-C rolls back
        for number in _STOPS:
            if previous[number] != signal.SIG_IGN:  # (`nohup`: the user asked to go on)
                signal.signal(number, _stop_as_interrupt)
        return _as_stopped(_run(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        # (a Ctrl-C before the command's own handling, or a second one during it: what the
        # command committed is said all the same — review48d F2, "nothing was changed" of
        # batches a scan had committed; a third has nothing left to stop)
        _ignore_late_interrupts()
        said = _said_of_interrupt(_INTERRUPT.session)
        if wants_json(sys.argv[1:] if argv is None else argv) and not _INTERRUPT.enveloped:
            _write_document(interrupted_envelope().decode() if said == INTERRUPTED_BEFORE_ANYTHING
                            else json_document(envelope(EXIT_INTERRUPTED, None, [], [said]))
                            + "\n")
        with contextlib.suppress(OSError, ValueError):  # (SIGHUP: the terminal is gone)
            sys.stderr.write(("interrupted" if _INTERRUPT.said or said ==
                              INTERRUPTED_BEFORE_ANYTHING else visible(said)) + "\n")
        return _as_stopped(EXIT_INTERRUPTED)
    finally:
        # The script's own start-up guard is not put back: its process is ending, and a
        # Ctrl-C now has nothing left to interrupt (it would only turn a finished command's
        # exit code into 130).
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_IGN if handler is _interrupted_during_start
                          else handler)
        sys.unraisablehook = previous_hook


# SIGTERM (systemd stopping a timer's job, `timeout`, `kill`) and SIGHUP (the terminal or the
# SSH session gone) stop a command as Ctrl-C does: what it committed is kept, a deploy ends
# resumable with its card manifest written, and the exit code is the signal's own.
_STOPS = (signal.SIGTERM, signal.SIGHUP)


def _stop_as_interrupt(signum: int, frame: object) -> None:
    """Raise SIGINT in place of a stop signal, so every guard around Ctrl-C (held back
    while a worker forks or a restore swaps files, ignored while a cancelled deploy ends)
    guards against it too."""
    if _INTERRUPT.stopped_by is not None:
        return  # (`timeout` signals the process, then its group: one stop is enough)
    _INTERRUPT.stopped_by = signum
    signal.raise_signal(signal.SIGINT)


def _as_stopped(code: int) -> int:
    """An interrupted command's exit code: 130, or 128 + the stop signal that ended it."""
    if code == EXIT_INTERRUPTED and _INTERRUPT.stopped_by is not None:
        return 128 + _INTERRUPT.stopped_by
    return code


class _InterruptRecord:
    """Whether Ctrl-C was pressed during this command. An interrupt raised inside one of our
    SQL functions reaches us as SQLite's "user-defined function raised exception"; with this
    record it is still said, and exits, as the interrupt it was."""

    seen = False
    enveloped = False  # the command's --json document is written (or being written)
    said = False  # the interrupt's line (what the command kept) is written on stderr
    session: _Session | None = None  # the command running (what it committed, once asked)
    stopped_by: int | None = None  # SIGTERM or SIGHUP, which stops a command as Ctrl-C does


_INTERRUPT = _InterruptRecord()


def _interrupt(signum: int, frame: object) -> None:
    _INTERRUPT.seen = True
    raise KeyboardInterrupt


def _interrupt_again_if_ignored(otherwise: Callable[[Any], object], unraisable: Any) -> None:
    """Python "ignores" an exception raised where it cannot propagate (a fork's callbacks, a
    ``__del__``, a weakref callback) and prints its traceback: a Ctrl-C that landed there
    is sent again instead, from a thread once this hook has returned, to land in the
    command's own code and stop it."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        again = threading.Timer(0.05, os.kill, args=(os.getpid(), signal.SIGINT))
        again.daemon = True
        again.start()
        return
    otherwise(unraisable)


def _ignore_late_interrupts() -> None:
    """Once a command has done its work and said so, Ctrl-C has nothing left to stop: the
    rest (the envelope, closing the database) runs to its end."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(args: list[str]) -> int:
    try:
        return _run_command(args)
    except OSError as exc:
        if not _output_failed(exc):
            raise
        return _report_output_failure(exc)


# Errors writing to stdout: a full disk or a closed pipe (`romrunner games ls | head`).
_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT})


def _output_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is the failure to write the command's output (not a file of ours:
    those errors name their file)."""
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in _OUTPUT_ERRNOS


def _report_output_failure(exc: OSError) -> int:
    """Say once why the output was cut short (nothing for a closed pipe: its reader left),
    and stop Python from failing again when it flushes stdout on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    if exc.errno != errno.EPIPE:
        sys.stderr.write(f"error: cannot write the output ({exc.strerror or exc}); "
                         "what the command changed is kept\n")
    return EXIT_ERROR


def _run_command(args: list[str]) -> int:
    session = _INTERRUPT.session = _Session()
    options = args[:args.index("--")] if "--" in args else args
    guessed = "--verbose" in options or "-v" in options  # until the options are parsed
    guessed_json = session.json_asked = wants_json(args)

    def verbose() -> bool:  # a query's NOT term `-v` is no --verbose
        return session.app.verbose if session.app is not None else guessed

    def json_output() -> bool:  # (QA34 F4: `games ls -- --json` is a query, not the option)
        return session.app.json_output if session.app is not None else guessed_json

    bad = _not_utf8(args)
    if bad is not None:
        return _fail(EXIT_ERROR, bad, session, json_output())
    try:
        code = _invoke(args or ["--help"], session)
        if session.app is not None:
            session.app.verify_database()
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        upgrade = exc if isinstance(exc, UpgradeInterrupted) else exc.__cause__
        if isinstance(upgrade, UpgradeInterrupted):  # (click raises Abort from it)
            said = f"interrupted: {upgrade.describe()}"
            sys.stderr.write(visible(said) + "\n")
            _INTERRUPT.said = True
            return _fail(EXIT_INTERRUPTED, said, session, json_output(), quiet=True)
        return _interrupted(session, json_output())
    except RomRunnerError as exc:
        if _INTERRUPT.seen:  # the error is the interrupt's doing (an SQL function it stopped)
            return _interrupted(session, json_output())
        # (a refusal the user is told of in one line, --verbose or not: QA140 F8, the prune
        # brake's refusal came with a traceback under `--dry-run --verbose`, which the README
        # gives for the dry run's file list)
        report = _committed_report(session)
        code = _fail(exc.exit_code, str(exc), session, json_output(),
                     details=list(getattr(exc, "reasons", [])), data=_data_of(report),
                     exact=exc.exact)
        _say_report(report, json_output())
        return code
    except Exception as exc:  # the one place an unexpected error is caught
        if _INTERRUPT.seen:
            return _interrupted(session, json_output())
        if _output_failed(exc):
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            # (a path the system refused: a dead FUSE or network mount, a card pulled — the
            # environment's answer, said in one line naming it, not an internal error: QA42 F11;
            # no traceback, --verbose or not)
            advice = "; a share or card that went away? reconnect it" \
                if exc.errno in GONE_ERRNOS else ""
            report = _committed_report(session)
            code = _fail(EXIT_ERROR, f"{exc.filename}: {exc.strerror or exc}{advice}",
                         session, json_output(), data=_data_of(report))
            _say_report(report, json_output())
            return code
        if verbose():
            _print_traceback()
        else:
            log.debug("unexpected error", exc_info=True)
        report = _committed_report(session)
        code = _fail(EXIT_ERROR, f"internal error: {type(exc).__name__}: {exc} "
                     "(run with --verbose for details)", session, json_output(),
                     data=_data_of(report))
        _say_report(report, json_output())
        return code
    if json_output() and session.app is not None and session.app.completed:
        _INTERRUPT.enveloped = True
        _write_document(json_document(session.app.envelope(code)) + "\n")
    return code


def _not_utf8(args: list[str]) -> str | None:
    """The error for a command-line word holding bytes that are not UTF-8 (a Latin-1 folder
    name): refused before anything runs, where it ended in an internal error, a card written
    to first (QA34 F10); None when every word is text (see ``_ANY_BYTES``)."""
    words = [] if _takes_any_bytes(args) else [arg for arg in args if not arg.isascii()]
    # (the database and pack paths from the environment too: review 18 R9, QA35 F4)
    words += [value for name in ("ROMRUNNER_DB", "ROMRUNNER_PACK")
              if not (value := os.environ.get(name, "")).isascii()]
    if not words:
        return None
    for word in words:
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(word).decode("utf-8", errors="backslashreplace")
            if not os.path.lexists(word):  # (a query, a name: qa180 F12, told to rename it)
                return (f"{shown}: holds bytes that are not UTF-8 text; ROM Runner reads "
                        "words as UTF-8: type it as UTF-8 (check the terminal's encoding)")
            return (f"{shown}: holds bytes that are not UTF-8 text; ROM Runner keeps names "
                    "as UTF-8: rename it, or reach it through a link with a UTF-8 name")
    return None


# Commands that take a path of any bytes (only reading it, or storing it escaped as a
# library stores such names): `games find FILE`, `bios scan FOLDER`.
_ANY_BYTES = (["games", "find"], ["bios", "scan"])


def _takes_any_bytes(args: list[str]) -> bool:
    """True for a command of ``_ANY_BYTES`` (global options and their values before it)."""
    words = [arg for arg in args if not arg.startswith("-")]
    return any(words[i:i + 2] in _ANY_BYTES for i in range(len(words)))


def _print_traceback() -> None:
    """The exception being handled, as ``--verbose`` shows it: each line escaped for the
    terminal, as every error line is (QA112 F3: a DAT's file name retitled the terminal)."""
    for line in traceback.format_exc().splitlines():
        sys.stderr.write(visible(line) + "\n")


def _interrupted(session: _Session, json_output: bool) -> int:
    """Say what an interrupted command kept (a command that is one transaction, `dat
    import`, has nothing to keep: QA13)."""
    said = _said_of_interrupt(session)
    # (written before the report is built: a second Ctrl-C then loses the report, never this
    # line — review48d F2)
    sys.stderr.write(visible(said) + "\n")
    _INTERRUPT.said = True
    report = _committed_report(session)
    _say_report(report, json_output)
    # (--json says the same: QA23 P6, `errors: ["interrupted"]` said neither)
    return _fail(EXIT_INTERRUPTED, said, session, json_output, quiet=True,
                 data=_data_of(report))


def _said_of_interrupt(session: _Session | None) -> str:
    """The line of an interrupted command: what of its work is kept."""
    app = session.app if session is not None else None
    try:
        kept = app is not None and app.committed_anything()
    except Exception:  # (never a traceback in place of the interrupt's line)
        log.debug("what an interrupted command committed is not known", exc_info=True)
        return "interrupted"
    if app is None or not kept:
        return INTERRUPTED_BEFORE_ANYTHING
    if app.done_when_committed:
        return f"interrupted after its work was committed whole: {app.done_when_committed}"
    hint = app.interrupt_hint
    return "interrupted: work committed so far is kept" + (f"; {hint}" if hint else "")


def _committed_report(session: _Session) -> InterruptedReport | None:
    """What a command stopped before its end (interrupted, or by an error) says of the work
    it committed (see ``AppContext.interrupted_report``: a scan's files changed in place —
    review48d F1, a scan stopped by a full disk said them neither); None when it committed
    nothing or has nothing to say."""
    app = session.app
    if app is None or app.interrupted_report is None or not app.committed_anything():
        return None
    try:
        return app.interrupted_report()
    except Exception:  # (never a traceback in place of the error it comes with: review48f F1)
        log.debug("the report of a stopped command failed", exc_info=True)
        return None


def _say_report(report: InterruptedReport | None, json_output: bool) -> None:
    """The lines of ``report`` on stderr (its data goes in the ``--json`` envelope)."""
    if report is not None and not json_output:
        for line in report.lines:
            sys.stderr.write(visible(line) + "\n")


def _data_of(report: InterruptedReport | None) -> Any:
    """The ``--json`` envelope's data of a command stopped before its end."""
    return report.data if report is not None else None


def _invoke(args: list[str], session: _Session) -> int:
    """Run the command; SQLite errors become the one message each kind of failure has."""
    try:
        result = cli.main(args=args, prog_name="romrunner", standalone_mode=False,
                          obj=session)
    except click.exceptions.NoArgsIsHelpError as exc:  # `romrunner db`: its help, exit 0
        if session.app is not None and session.app.json_output:  # (QA49 F7: no document)
            raise _UsageProblem("Missing command.") from exc
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        return EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        raise _UsageProblem(exc.format_message()) from exc
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except sqlite3.Error as exc:
        app = session.app
        raise sqlite_error(app.db_path if app is not None else "database", exc) from exc
    return result if isinstance(result, int) else EXIT_OK


class _UsageProblem(RomRunnerError):
    """A usage error click found (unknown option, missing argument)."""


def _fail(code: int, message: str, session: _Session, json_output: bool, *,
          quiet: bool = False, details: list[str] | None = None, data: Any = None,
          exact: str | None = None) -> int:
    """Say the command's failure: its one line on stderr, or the envelope whose ``errors``
    hold it and, for an error of several parts (``details``: each DAT an import refused),
    each part on its own, and whose ``data`` is ``data`` (what an interrupted command's
    committed work found: see :class:`InterruptedReport`)."""
    if json_output:  # (first: a stderr that cannot be written costs no document, QA49 F9)
        app = session.app
        reasons = [exact or message, *(details or [])]
        document = app.envelope(code, reasons) if app is not None else \
            envelope(code, None, [], reasons)
        document["data"] = data
        _INTERRUPT.enveloped = True
        _write_document(json_document(document) + "\n")
    if not quiet:
        try:
            sys.stderr.write(f"error: {visible(message)}\n")
        except (OSError, AttributeError, ValueError):
            if not json_output:
                raise
        if session.app is not None:
            session.app.say_pack_notice_after_a_failure()
    return code


def _write_document(text: str) -> None:
    """Write --json's document on stdout in UTF-8 whatever the locale's encoding (RFC 8259:
    a locale of ASCII raised a traceback, one of Latin-1 wrote bytes no parser reads: QA49
    F5); nothing when stdout is closed (a daemon's ``>&-``)."""
    out = sys.stdout
    if out is None:
        return
    buffer = getattr(out, "buffer", None)
    if buffer is None or _writes_utf8(out):
        out.write(text)
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _replace_what_the_locale_cannot_encode() -> None:
    """A locale whose encoding is not UTF-8 (``LC_ALL=C`` under cron) cannot encode every
    name: the text a command prints shows such a character as an escape (``\\xe9``)
    rather than ending the command in an encoding error (QA49 F5)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not _writes_utf8(stream):
            reconfigure(errors="backslashreplace")


def _writes_utf8(stream: Any) -> bool:
    """True when ``stream`` encodes its text as UTF-8."""
    return (getattr(stream, "encoding", "") or "").lower().replace("-", "") == "utf8"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
