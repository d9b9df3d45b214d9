"""ROM Runner engine: scan, identify and deploy a retro-game library from one SQLite file."""

# Ctrl-C while the `romrunner` script is still importing the CLI must not print a traceback:
# until main() takes over, an interrupt ends the process at once with one line and exit code
# 130 (SIGTERM and SIGHUP the same, 143 and 129). It is set here, the first module of ours
# Python loads, before anything else of ours is read (``_signal`` is built in; ``signal``
# would load ``enum`` first); the window left is Python's own start. Importing the package
# as a library changes nothing.
import os as _os
import sys as _sys

JSON_ENVELOPE_VERSION = 1  # of the document --json prints (romrunner.cli.context.envelope)
INTERRUPTED_BEFORE_ANYTHING = "interrupted: nothing was changed"


def wants_json(args: list[str]) -> bool:
    """True when the command-line words (the program's name left out) ask for ``--json``
    among the options (after ``--`` it is a query's word)."""
    return "--json" in (args[:args.index("--")] if "--" in args else args)


def interrupted_envelope() -> bytes:
    """The --json document of a command interrupted before it did anything."""
    return (f'{{"version": {JSON_ENVELOPE_VERSION}, "ok": false, "data": null, '
            f'"warnings": [], "errors": ["{INTERRUPTED_BEFORE_ANYTHING}"]}}\n').encode()


def _interrupted_during_start(signum: int, frame: object) -> None:
    if wants_json(_sys.argv[1:]):  # (QA49 F2: a script parsing stdout got nothing)
        _os.write(1, interrupted_envelope())
    _os.write(2, b"interrupted\n")
    _os._exit(128 + signum)


# ``python -m romrunner.cli.main`` imports this package while Python still looks for the
# module, when ``sys.argv[0]`` is "-m" (the fault suite's Ctrl-C at start-up landed here).
if _sys.argv and (_sys.argv[0].rpartition("/")[2] == "romrunner" or _sys.argv[0] == "-m"):
    import _signal  # type: ignore[import-not-found]  # built in; typeshed has no stub

    for _stop in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP):
        if _signal.getsignal(_stop) != _signal.SIG_IGN:  # (`nohup`: asked to go on)
            _signal.signal(_stop, _interrupted_during_start)

__version__ = "0.1.0"
