"""Ctrl-C in the narrow windows of a command: inside one of our SQL functions (SQLite turns the
interrupt into "user-defined function raised exception") and after the command has finished.
Each test runs the real CLI in a child process that sends itself a real SIGINT at the chosen
moment, from inside the named function."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from romrunner.cli.main import EXIT_INTERRUPTED

# The child wraps ``MODULE.NAME`` so that its Nth call sends SIGINT to the process, then runs
# the CLI's main() with the given arguments.
_DRIVER = """
import os, signal, sys, importlib
module_name, _, attribute = os.environ["RR_AT_FUNCTION"].rpartition(".")
owner_name, _, class_name = module_name.rpartition(":") if ":" in module_name else ("", "", "")
module = importlib.import_module(owner_name or module_name)
owner = getattr(module, class_name) if class_name else module
original = getattr(owner, attribute)
calls = [0]
def wrapped(*args, **kwargs):
    calls[0] += 1
    if calls[0] == int(os.environ["RR_AT_CALL"]):
        os.kill(os.getpid(), signal.SIGINT)
    return original(*args, **kwargs)
setattr(owner, attribute, wrapped)
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _run_driver(tmp_path: Path, source: str, *args: str,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``source`` (a driver that ends by running the CLI) with ``args``, in a child."""
    driver = tmp_path / "driver.py"
    driver.write_text(source)
    return subprocess.run([sys.executable, str(driver), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def _run_interrupted_at(tmp_path: Path, function: str, call: int,
                        *args: str) -> subprocess.CompletedProcess[str]:
    return _run_driver(tmp_path, _DRIVER, *args,
                       env={"RR_AT_FUNCTION": function, "RR_AT_CALL": str(call)})


def _library(tmp_path: Path, files: int) -> Path:
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for number in range(files):
        data = os.urandom(2048) + number.to_bytes(4, "big")
        (root / f"Game {number} (USA).gb").write_bytes(data)
    return tmp_path / "lib"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                          capture_output=True, text=True, timeout=300)


def test_ctrl_c_inside_an_sql_function_of_a_scan_is_an_interrupt(tmp_path: Path) -> None:
    """SIGINT landing in ``rr_fold`` (the search index's triggers call it for each new game):
    exit 130 and the interrupt's own line, not exit 2 with SQLite's wording (QA19 N4)."""
    library = _library(tmp_path, 6)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_interrupted_at(tmp_path, "romrunner.store.database.fold", 3,
                                 "--db", str(db), "scan")
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert result.stderr.startswith("interrupted"), result.stderr
    assert "user-defined function" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    check = _cli("--db", str(db), "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_ctrl_c_inside_an_sql_function_with_json_gives_one_failed_envelope(
        tmp_path: Path) -> None:
    import json

    library = _library(tmp_path, 4)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_interrupted_at(tmp_path, "romrunner.store.database.fold", 2,
                                 "--db", str(db), "--json", "scan")
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert len(document["errors"]) == 1
    assert document["errors"][0].startswith("interrupted: ")  # (and what it kept, QA23 P6)


def test_ctrl_c_after_the_command_finished_keeps_its_result_and_exit_code(
        tmp_path: Path) -> None:
    """An interrupt that arrives once the command has done its work and printed its result
    (here: in the last check of the database, before the exit code; the first check is made
    as the command hands its result over, before printing it) changes
    nothing: the printed result stands, exit 0, no "interrupted" line that would tell the
    user to run a finished command again (QA19 N4)."""
    library = _library(tmp_path, 3)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_interrupted_at(
        tmp_path, "romrunner.cli.context:AppContext.verify_database", 2,
        "--db", str(db), "scan")
    assert result.returncode == 0, result.stderr
    assert "interrupted" not in result.stderr
    assert "3" in result.stdout
    listed = _cli("--db", str(db), "games", "ls")
    assert listed.returncode == 0
    assert all(f"Game {number} (USA)" in listed.stdout for number in range(3))


# The script's start-up guard is set, as romrunner/__init__.py sets it for the `romrunner`
# script; then a SIGINT is made to arrive exactly while main() swaps in its own handler (held
# back by the signal mask, released just after the swap, as a Ctrl-C landing inside the C
# call would be).
_SWAP_DRIVER = """
import os, signal, sys
from romrunner import _interrupted_during_start
from romrunner.cli.main import main
signal.signal(signal.SIGINT, _interrupted_during_start)
original = signal.signal
state = {"done": False}
def swap_with_a_ctrl_c_in_flight(signum, handler):
    if state["done"] or signum != signal.SIGINT:
        return original(signum, handler)
    state["done"] = True
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    os.kill(os.getpid(), signal.SIGINT)
    previous = original(signum, handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    return previous
signal.signal = swap_with_a_ctrl_c_in_flight
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_while_main_takes_over_the_interrupt_handler(tmp_path: Path) -> None:
    """The one start-up window the random test above hit under load: a Ctrl-C delivered as
    main() installs its handler is raised by that call; it is one line and exit 130, never a
    traceback."""
    result = _run_driver(tmp_path, _SWAP_DRIVER, "--db", str(tmp_path / "l.db"), "games", "ls")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert result.stderr.strip() == "interrupted"
    assert not (tmp_path / "l.db").exists()


# The `romrunner` script's start-up guard, a Ctrl-C arriving while it still imports the CLI.
_START_DRIVER = """
import os, signal, sys, time
sys.argv = ["romrunner", *sys.argv[1:]]
from romrunner import _interrupted_during_start
signal.signal(signal.SIGINT, _interrupted_during_start)
os.kill(os.getpid(), signal.SIGINT)
time.sleep(5)
"""


def test_ctrl_c_at_start_up_with_json_prints_one_failed_envelope(tmp_path: Path) -> None:
    """QA49 F2: with --json a Ctrl-C in the first moments (the script importing the CLI, or
    main() taking over) printed nothing on stdout: a script parsing it got no document."""
    import json

    for driver in (_START_DRIVER, _SWAP_DRIVER):
        result = _run_driver(tmp_path, driver, "--json", "--db", str(tmp_path / "l.db"),
                             "games", "ls")
        assert result.returncode == EXIT_INTERRUPTED, result.stderr
        document = json.loads(result.stdout)  # one document, nothing else
        assert document["ok"] is False and document["errors"] == [
            "interrupted: nothing was changed"]
        assert result.stderr.strip() == "interrupted"
        plain = _run_driver(tmp_path, driver, "--db", str(tmp_path / "l.db"), "games", "ls",
                            "--", "--json")
        assert plain.returncode == EXIT_INTERRUPTED and plain.stdout == ""
    assert not (tmp_path / "l.db").exists()


# A SIGINT sent from inside the fork's own callbacks in the parent (where ``logging``
# releases its lock): Python reports an exception there as "ignored" and goes on.
_FORK_DRIVER = """
import os, signal, sys
sent = []
def interrupt_once():
    if not sent:
        sent.append(True)
        os.kill(os.getpid(), signal.SIGINT)
os.register_at_fork(after_in_parent=interrupt_once)
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_while_a_scan_starts_its_workers_stops_the_scan(tmp_path: Path) -> None:
    """QA20 C2: a Ctrl-C that landed while the scan forked a worker printed "Exception
    ignored … KeyboardInterrupt" and the scan ran to its end with exit 0; now it is the
    interrupt it was: exit 130, one line, no worker left behind."""
    library = _library(tmp_path, 40)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_driver(tmp_path, _FORK_DRIVER, "--db", str(db), "scan", "--workers", "2")
    assert "Exception ignored" not in result.stderr, result.stderr
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    # (click ends the terminal's "^C" line first: a blank line before ours)
    assert result.stderr.strip().startswith("interrupted"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    listed = subprocess.run(["pgrep", "-f", "romrunner-hash|romrunner-walk"],
                            capture_output=True, text=True)
    assert str(db) not in listed.stdout  # (its workers have names, not its arguments)
    rescan = _cli("--db", str(db), "scan", "--workers", "1")
    assert rescan.returncode == 0, rescan.stderr


# A SIGINT that lands in a ``__del__`` (Python prints "Exception ignored in …" and goes on):
# the object is dropped as the scan starts walking its root.
_DEL_DRIVER = """
import os, signal, sys
import romrunner.library.scan as scan
class Dropped:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
original = scan.scan_library
def scan_library(*args, **kwargs):
    Dropped()  # (dropped at once: its __del__ runs here)
    return original(*args, **kwargs)
scan.scan_library = scan_library
import romrunner.cli.scan_cmd as scan_cmd
scan_cmd.scan_library = scan_library
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_that_python_would_ignore_still_stops_the_command(tmp_path: Path) -> None:
    """An interrupt raised where Python cannot propagate it (a ``__del__``) is not printed as
    "Exception ignored" and lost: it is sent again and stops the command, exit 130. (It is
    sent again 50 ms later: the scan of 2,000 files takes longer than that.)"""
    library = _library(tmp_path, 2000)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_driver(tmp_path, _DEL_DRIVER, "--db", str(db), "scan", "--workers", "1")
    assert "Exception ignored" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_INTERRUPTED, (result.stdout, result.stderr)
    assert result.stderr.strip().startswith("interrupted"), result.stderr


def test_ctrl_c_during_an_upgrade_says_how_far_it_got(tmp_path: Path) -> None:
    """QA20 C3: an upgrade interrupted after some versions were applied said "nothing was
    changed" (a write command, which upgrades first) or only "work committed so far is
    kept" (`db migrate`); it says at which version the database is and that `db migrate`
    finishes the upgrade, which it does."""
    from romrunner.store import Database
    from romrunner.store.migrate import LATEST_VERSION, current_version
    from tests.test_migrate_vacuum_hint import v13_library

    db = tmp_path / "old.db"
    v13_library(db, 200)
    library = _library(tmp_path, 3)
    # the third migration's statements are where the Ctrl-C lands: 14 and 15 are kept
    scan = _run_interrupted_at(tmp_path, "romrunner.store.migrate._apply", 3,
                               "--db", str(db), "library", "add", str(library))
    assert scan.returncode == EXIT_INTERRUPTED, scan.stderr
    assert "nothing was changed" not in scan.stderr
    assert (f"interrupted: the database was upgraded from schema version 13 to 15 of "
            f"{LATEST_VERSION}") in scan.stderr
    assert "`romrunner db migrate` finishes the upgrade" in scan.stderr
    opened = Database(db, read_only=True)
    try:
        assert current_version(opened) == 15
    finally:
        opened.close()
    again = _run_interrupted_at(tmp_path, "romrunner.store.migrate._apply", 1,
                                "--db", str(db), "db", "migrate")
    assert again.returncode == EXIT_INTERRUPTED, again.stderr
    assert "the database stays at schema version 15" in again.stderr
    finished = _cli("--db", str(db), "db", "migrate")
    assert finished.returncode == 0, finished.stderr
    assert f"migrated from 15 to {LATEST_VERSION}" in finished.stdout


def test_ctrl_c_before_a_first_scan_stored_a_game_says_nothing_was_changed(
        tmp_path: Path) -> None:
    """A first scan interrupted before it stored any game has committed only bookkeeping (the
    rules versions a new library is at): "nothing was changed", not "work committed so far is
    kept" (QA24 N6); interrupted once games are stored, it says they are kept."""
    library = _library(tmp_path, 6)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    result = _run_interrupted_at(tmp_path, "romrunner.library.scan._write_root", 1,
                                 "--db", str(db), "scan")
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert result.stderr.strip() == "interrupted: nothing was changed", result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM games").fetchone() == (0,)
    result = _run_interrupted_at(tmp_path, "romrunner.library.scan._finish_root", 1,
                                 "--db", str(db), "scan")
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert result.stderr.strip().startswith("interrupted: work committed so far is kept"), \
        result.stderr


# A Ctrl-C that lands while SQLite runs a COMMIT (the C call: Python's handler runs when it
# returns): held back by the signal mask from the moment `_commit` enters its error handling
# until that ends, as the kernel holds it during the call.
_COMMIT_DRIVER = """
import contextlib, os, signal, sys
from romrunner.store.database import Database
original = Database.translate_errors
@contextlib.contextmanager
def ctrl_c_during_commit(self):
    frames, frame = [], sys._getframe(2)
    while frame is not None:
        frames.append(frame.f_code.co_name)
        frame = frame.f_back
    if frames[0] != "_commit" or os.environ.get("RR_COMMIT_IN", "_commit") not in frames:
        with original(self):
            yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    os.kill(os.getpid(), signal.SIGINT)
    try:
        with original(self):
            yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
Database.translate_errors = ctrl_c_during_commit
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_the_commit_says_the_work_is_kept(tmp_path: Path) -> None:
    """QA32 F1: a Ctrl-C landing as a command's one transaction commits was said as
    "interrupted: nothing was changed" while everything was saved (a `dat import --force`
    the user then believed undone). Kept work is said to be kept."""
    library = _library(tmp_path, 1)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "collection", "create", "first").returncode == 0
    result = _run_driver(tmp_path, _COMMIT_DRIVER, "--db", str(db), "library", "add",
                         str(library))
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert result.stderr.strip().startswith("interrupted: work committed so far is kept"), \
        result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM library_roots").fetchone() == (1,)


def _muos_card(tmp_path: Path, games: int) -> tuple[Path, Path]:
    """A library of ``games`` GB games scanned into a database with a muOS profile (id 1),
    and an empty card folder: (the database, the card)."""
    library = _library(tmp_path, games)
    db = tmp_path / "library.db"
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(library)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert _cli("--db", str(db), *args).returncode == 0, args
    return db, card


def test_ctrl_c_as_a_deployment_is_recorded_names_it_and_cancels_it(tmp_path: Path) -> None:
    """QA32 F9: a Ctrl-C landing as a deploy --prune's plan was committed said "nothing was
    changed", left the deployment "interrupted", and a later plain `deploy resume` carried
    out the --force prune the user had cancelled. It is said cancelled, with its number and
    how to carry it out; nothing was written on the card."""
    db, card = _muos_card(tmp_path, 3)
    assert _cli("--db", str(db), "deploy", "1", "--to", str(card), "platform:gb").returncode == 0
    before = sorted(p.name for p in card.rglob("*.gb"))
    result = _run_driver(tmp_path, _COMMIT_DRIVER, "--db", str(db), "deploy", "1", "--to",
                         str(card), "title:game 0", "--prune", "--force",
                         env={"RR_COMMIT_IN": "_record"})
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    said = result.stdout + result.stderr
    assert "deployment 2 cancelled" in said and "`romrunner deploy resume 2`" in said, said
    assert "nothing was changed" not in said
    assert sorted(p.name for p in card.rglob("*.gb")) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM deployment_history WHERE id = 2").fetchone() \
            == ("cancelled",)
    # QA35 F6: a plain `deploy resume` ("the latest unfinished one") carried it out
    plain = _cli("--db", str(db), "deploy", "resume")
    assert plain.returncode != 0 and sorted(p.name for p in card.rglob("*.gb")) == before
    named = _cli("--db", str(db), "deploy", "resume", "2")
    assert named.returncode == 0, named.stderr
    assert sorted(p.name for p in card.rglob("*.gb")) == ["Game 0 (USA).gb"]



def test_ctrl_c_as_a_batch_of_copies_is_recorded_records_no_file_not_on_the_card(
        tmp_path: Path) -> None:
    """Review 18 R13: a Ctrl-C landing as a batch's intents committed left the batch
    recorded "copied" while its temporary files were removed (`deploy history`: "cancelled
    … copied 40" of a card holding none). The batch goes back to pending; resume copies it."""
    db, card = _muos_card(tmp_path, 5)
    result = _run_driver(tmp_path, _COMMIT_DRIVER, "--db", str(db), "deploy", "1", "--to",
                         str(card), "platform:gb", env={"RR_COMMIT_IN": "commit_batch"})
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    with sqlite3.connect(db) as conn:
        copied = [row[0] for row in conn.execute(
            "SELECT dest_path FROM deployment_items WHERE status = 'copied'")]
    assert all((card / dest).is_file() for dest in copied), copied
    assert _cli("--db", str(db), "deploy", "resume", "1").returncode == 0
    assert len(list(card.rglob("*.gb"))) == 5
