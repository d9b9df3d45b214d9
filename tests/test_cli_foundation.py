"""The CLI end to end: JSON envelope, one-line errors, exit codes, db and pack commands."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from romrunner.cli.main import EXIT_INTERRUPTED
from romrunner.packs.loader import builtin_pack_path
from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, migrate
from tests.conftest import run_subprocess, shared_path


def test_json_output_is_exactly_one_envelope(cli: Any) -> None:
    assert cli("db", "init").code == 0
    result = cli("--json", "db", "migrate")
    assert result.code == 0
    envelope = result.json()
    assert set(envelope) == {"version", "ok", "data", "warnings", "errors"}
    assert envelope["version"] == 1 and envelope["ok"] is True
    assert envelope["data"]["to_version"] == LATEST_VERSION
    status = cli("--json", "db", "status").json()
    assert status["data"]["schema_version"] == LATEST_VERSION and status["data"]["pending"] == []


def test_error_is_one_line_on_stderr_with_nonzero_exit(tmp_path: Path) -> None:
    bogus = tmp_path / "collection.db"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a database")
    result = run_subprocess("--db", str(bogus), "db", "status")
    assert result.code == 2
    (line,) = result.err.strip().splitlines()
    assert line.startswith(f"error: {bogus}: not a SQLite database (")
    assert "Traceback" not in result.err and result.out == ""
    # --verbose (the README gives it for a dry run's file list) shows no traceback of a
    # refusal either (QA140 F8)
    verbose = run_subprocess("--db", str(bogus), "--verbose", "db", "status")
    assert verbose.code == 2 and "Traceback" not in verbose.err, verbose.err
    missing = run_subprocess("--db", str(bogus), "--verbose", "library", "add",
                             str(tmp_path / "nowhere"))
    assert missing.code != 0 and "Traceback" not in missing.err, missing.err
    as_json = run_subprocess("--db", str(bogus), "--json", "db", "check")
    assert as_json.code == 2
    envelope = json.loads(as_json.out)
    assert envelope["ok"] is False and "not a SQLite database" in envelope["errors"][0]


def test_db_check_fails_on_broken_foreign_keys(cli: Any, db_path: Path) -> None:
    assert cli("db", "init").code == 0
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("INSERT INTO collection_games (collection_id, game_id) VALUES (5, 9)")
    raw.commit()
    raw.close()
    result = cli("--json", "db", "check")
    assert result.code == 1
    data = result.json()["data"]
    assert data["integrity"] == ["ok"]
    assert any("collection_games" in line for line in data["foreign_keys"])


def test_db_backup_writes_a_consistent_copy(cli: Any, tmp_path: Path) -> None:
    cli("db", "init")
    dest = tmp_path / "backups" / "copy.db"
    result = cli("--json", "db", "backup", str(dest))
    assert result.code == 0 and Path(result.json()["data"]["backup"]) == dest
    copy = Database(dest, read_only=True)
    assert copy.scalar("SELECT schema_version FROM schema_version") == LATEST_VERSION
    assert copy.scalar("PRAGMA integrity_check") == "ok"
    assert not list(dest.parent.glob(".*.tmp"))


def test_db_stats_reports_tables_and_indexes(cli: Any) -> None:
    cli("db", "init")
    data = cli("--json", "db", "stats").json()["data"]
    by_name = {item["name"]: item for item in data}
    assert by_name["games"]["kind"] == "table" and by_name["games"]["rows"] == 0
    assert by_name["idx_games_sha1"]["kind"] == "index"
    assert by_name["idx_games_sha1"]["table"] == "games"
    assert all(item["bytes"] > 0 for item in data if item["kind"] == "table"
               and not item["name"].startswith("games_fts"))


def test_db_migrate_upgrades_an_old_file_and_says_so(cli: Any, db_path: Path) -> None:
    old = Database(db_path)
    migrate(old, target=1)
    old.close()
    result = cli("--json", "db", "migrate")
    data = result.json()["data"]
    assert data["from_version"] == 1 and data["to_version"] == LATEST_VERSION
    assert data["backup"] is not None and Path(data["backup"]).exists()


def test_newer_database_is_refused_by_the_cli(cli: Any, db_path: Path) -> None:
    cli("db", "init")
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE schema_version SET schema_version = ?", (LATEST_VERSION + 1,))
    raw.commit()
    raw.close()
    result = cli("db", "migrate")
    assert result.code == 2 and "newer than this ROM Runner understands" in result.err


def test_pack_validate_lists_problems_of_the_real_pack(cli: Any) -> None:
    pack = shared_path("definition-pack")
    result = cli("--json", "pack", "validate", str(pack))
    data = result.json()["data"]
    assert data["counts"]["platforms"] == 69
    assert result.code == (1 if data["problems"] else 0)
    assert all(":" in line for line in data["problems"])


def test_pack_option_and_status(cli: Any) -> None:
    pack = shared_path("definition-pack")
    assert cli("--pack", str(pack), "db", "init").code == 0  # a command that writes records it
    data = cli("--json", "--pack", str(pack), "pack", "status").json()["data"]
    assert data["counts"]["bios"] == 319
    assert data["stored_hash"] == data["content_hash"]


def test_pack_status_before_any_database_exists(cli: Any, db_path: Path) -> None:
    # QA12 F7: a new user looking at the pack first was told there is no database.
    assert not db_path.exists()
    shown = cli("--json", "pack", "status")
    assert shown.code == 0, shown.err
    data = shown.json()["data"]
    assert (data["path"], data["database"], data["stored_hash"]) == ("builtin", None, None)
    assert data["counts"]["platforms"] > 0
    text = cli("pack", "status")
    assert text.code == 0 and f"database none yet at {db_path}" in text.out
    assert not db_path.exists()  # looking created nothing
    typo = db_path.parent / "typo" / "library.db"  # a mistyped --db: said, nothing created
    mistyped = cli("--db", str(typo), "pack", "status")
    assert mistyped.code == 0 and f"database none yet at {typo}" in mistyped.out
    assert not typo.parent.exists()
    assert cli("db", "init").code == 0
    assert cli("--json", "pack", "status").json()["data"]["database"] == str(db_path)


def test_missing_pack_directory_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    result = cli("--pack", str(tmp_path / "nope"), "pack", "status")
    assert result.code == 2 and "pack directory does not exist" in result.err
    a_file = tmp_path / "hostname"  # (QA95 F9: a file was "does not exist")
    a_file.write_text("box\n")
    for args in (("--pack", str(a_file), "pack", "status"), ("pack", "validate", str(a_file))):
        named = cli(*args)
        assert named.code == 2 and f"{a_file}: not a folder: give the pack's folder" in \
            named.err, named.err


def test_every_command_has_help() -> None:
    from romrunner.cli.main import all_commands
    from romrunner.cli.main import cli as group

    assert set(all_commands()) >= {"scan", "deploy", "db", "resolve", "platforms"}

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    for path in walk(group, []):
        command = group
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help, f"romrunner {' '.join(path)} has no help text"


def test_no_arguments_prints_help_and_exits_0(cli: Any) -> None:
    result = cli()
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("Usage: romrunner") and "Commands:" in result.out
    group = cli("db")
    assert group.code == 0 and group.out.startswith("Usage: romrunner db")
    helped = cli("--json", "games", "ls", "--help")  # help is the output: no envelope after it
    assert helped.code == 0 and '"version"' not in helped.out


def test_json_ok_is_false_exactly_when_the_exit_code_is_not_0(cli: Any) -> None:
    assert cli("db", "init").code == 0
    found = cli("--json", "games", "find", "--sha1", "0" * 40)
    assert found.code == 1 and found.json()["ok"] is False  # a check that found nothing
    listed = cli("--json", "games", "ls")
    assert listed.code == 0 and listed.json()["ok"] is True
    failed = cli("--json", "games", "show", "999")
    assert failed.code != 0
    envelope = failed.json()
    assert envelope["ok"] is False and envelope["data"] is None
    assert isinstance(envelope["warnings"], list) and len(envelope["errors"]) == 1
    assert all(isinstance(line, str) for line in envelope["errors"])
    usage = cli("--json", "games", "ls", "--no-such-option")
    assert usage.code == 2 and usage.json()["ok"] is False


def test_ctrl_c_at_any_moment_of_start_up_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """SIGINT to the real ``romrunner`` script at random early times: once the package's guard
    has run (the first lines of romrunner/__init__.py), never a traceback, one line, exit
    130. (A signal that lands while Python itself is still starting — site and .pth
    processing, the launcher's own imports, loading our first module — reaches no line of
    ours that could handle it; such a traceback shows no frame of our package beyond
    those first lines.)"""
    import random
    import signal
    import subprocess
    import sys
    import time

    script = Path(sys.executable).parent / "romrunner"
    if not script.exists():
        pytest.skip(f"the romrunner script is not installed next to {sys.executable}")
    db = tmp_path / "library.db"
    assert run_subprocess("--db", str(db), "db", "init").code == 0
    rng = random.Random(1730)
    outcomes: list[int] = []
    before_our_code = 0
    for _ in range(16):
        proc = subprocess.Popen([str(script), "--db", str(db), "games", "ls"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 0.35))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        outcomes.append(proc.returncode)
        if "Traceback" in err:
            # No frame of our package but the package's first lines, before its guard.
            ours = [line for line in err.splitlines() if "/romrunner/" in line]
            assert all("/romrunner/__init__.py" in line for line in ours), err
            before_our_code += 1
            continue
        assert len(err.strip().splitlines()) <= 1, err
        # 130 from our handlers; 0 when the command had already finished.
        assert proc.returncode in (EXIT_INTERRUPTED, -signal.SIGINT, 0), (proc.returncode, err)
        if proc.returncode == EXIT_INTERRUPTED:
            assert err.strip().startswith("interrupted")
    assert outcomes.count(EXIT_INTERRUPTED) > before_our_code  # most land in our code


def test_the_start_up_guard_covers_python_dash_m_and_never_a_library_import() -> None:
    """`python -m romrunner.cli.main` imports the package while Python looks for the module
    (``sys.argv[0]`` is "-m" then): the guard is set there too — the fault suite's Ctrl-C
    landed in that window and printed a traceback. A script that imports the package keeps
    its own Ctrl-C handling."""
    import subprocess
    import sys

    probe = ("import sys; sys.argv[0] = {!r}; import signal, romrunner; "
             "print(getattr(signal.getsignal(signal.SIGINT), '__name__', ''))")
    for argv0, expected in (("-m", "_interrupted_during_start"),
                            ("/home/me/tool.py", "default_int_handler")):
        shown = subprocess.run([sys.executable, "-c", probe.format(argv0)],
                               capture_output=True, text=True, timeout=60)
        assert shown.stdout.strip() == expected, (argv0, shown.stdout, shown.stderr)


def test_commands_load_lazily_but_whole_in_a_fresh_process() -> None:
    """Each command's module is imported when the command runs: in a new process, a group
    whose subcommands come from two modules (dat: import/ls/rm, report/fixdat) is whole."""
    listed = run_subprocess("dat", "--help")
    assert listed.code == 0, listed.err
    assert all(f"  {name} " in listed.out for name in ("import", "ls", "rm", "report", "fixdat"))
    assert run_subprocess("dat", "fixdat", "--help").code == 0
    everything = run_subprocess("--help")
    assert all(f"  {name} " in everything.out for name in ("platforms", "resolve", "deploy"))


def test_the_packs_repaired_entries_are_said_once_per_database(tmp_path: Path) -> None:
    """The real pack's repaired entries: warned in text when the pack's contents are new to
    the database (and when there is no database), not again on every later command that
    uses it (QA6, QA10 F7); a changed pack says it again; --json always has it in warnings."""
    pack = shared_path("definition-pack")
    db = tmp_path / "library.db"
    notice = "pack entries skipped or repaired"

    def warned(*args: str, pack_dir: Path = pack) -> bool:
        done = run_subprocess("--db", str(db), "--pack", str(pack_dir), *args)
        assert done.code == 0, done.err
        return notice in done.err

    assert warned("db", "init")  # the pack is new to this database
    # the command it gives lists them as given (QA143 F2: it lacked the pack's folder)
    said = run_subprocess("--db", str(tmp_path / "other.db"), "--pack", str(pack), "db", "init")
    command = re.search(r": (\d+) pack entries skipped or repaired "
                        r"\(`(romrunner pack validate [^`]+)` lists them\)", said.err)
    assert command is not None, said.err
    listed = run_subprocess(*shlex.split(command.group(2))[1:])
    assert listed.code == 1 and f"; {command.group(1)} problems" in listed.out, listed.out
    assert not warned("games", "ls")
    assert not warned("device", "catalog", "rg35")
    as_json = run_subprocess("--db", str(db), "--pack", str(pack), "--json", "games", "ls")
    assert any(notice in w for w in json.loads(as_json.out)["warnings"])  # always in --json
    other = tmp_path / "copy-of-pack"
    shutil.copytree(pack, other)
    (other / "platforms.json").write_text((pack / "platforms.json").read_text() + "\n")
    assert warned("device", "catalog", "rg35", pack_dir=other)  # another pack: said again
    assert warned("games", "ls", pack_dir=other)  # (a reader does not record the pack)
    assert warned("db", "init", pack_dir=other)  # a writer records it: said once more
    assert not warned("games", "ls", pack_dir=other)
    validated = run_subprocess("--db", str(db), "pack", "validate", str(other))
    assert validated.code == 1  # pack validate always lists them
    assert re.search(r"; [1-9][0-9,]* problems", " ".join(validated.out.split()))


def test_a_broken_optional_pack_file_is_named_by_every_command(tmp_path: Path) -> None:
    """QA114 F3: a malformed osEmulatorProfiles.json was one of "12 pack entries skipped or
    repaired", said once; then every game was "no emulator available" without a word why."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    profiles = pack / "osEmulatorProfiles.json"
    profiles.write_bytes(profiles.read_bytes()[:200])
    db = tmp_path / "library.db"
    said = f"{profiles}: malformed JSON at line "
    for args in (("db", "init"), ("games", "ls"), ("games", "ls")):
        done = run_subprocess("--db", str(db), "--pack", str(pack), *args)
        assert done.code == 0 and said in done.err, done.err
        assert "pack entries skipped or repaired" not in done.err
    as_json = run_subprocess("--db", str(db), "--pack", str(pack), "--json", "games", "ls")
    assert [w for w in json.loads(as_json.out)["warnings"] if said in w]


def test_global_flags_written_after_the_command_work(cli: Any, tmp_path: Path) -> None:
    """`romrunner games ls --json`, `romrunner library add X --quiet`: users put them last."""
    root = tmp_path / "roms"
    root.mkdir()
    added = cli("library", "add", str(root), "--quiet")
    assert added.code == 0 and added.out == "" and added.err == ""
    listed = cli("library", "ls", "--json")
    assert listed.code == 0
    assert [row["path"] for row in listed.json()["data"]] == [str(root)]
    # nothing after `--` moves: "--quiet" there is a search's word (a -word), in JSON
    searched = cli("search", "--json", "--", "zelda", "--quiet")
    assert searched.code == 0 and searched.json() == {
        "version": 1, "ok": True, "data": [], "warnings": [], "errors": []}
    # --db and --pack with their value, written `--db X` or `--db=X` (QA8 N7: "No such option")
    other, second = tmp_path / "other.db", tmp_path / "more"
    second.mkdir()
    assert cli("library", "add", str(second), "--db", str(other)).code == 0
    for db_option in (["--db", str(other)], [f"--db={other}"]):
        in_other = cli("library", "ls", *db_option, "--json")
        assert in_other.code == 0, in_other.err
        assert [row["path"] for row in in_other.json()["data"]] == [str(second)]
    assert [row["path"] for row in cli("library", "ls", "--json").json()["data"]] == [str(root)]
    pack = shared_path("definition-pack")
    for pack_option in (["--pack", str(pack)], [f"--pack={pack}"]):
        status = cli("pack", "status", "--json", *pack_option)
        assert status.code == 0, status.err
        assert status.json()["data"]["path"] == str(pack)
    # after `--` it stays: "--db=…" is the word searched for
    searched = cli("search", "--json", "--", "zelda", f"--db={tmp_path / 'third.db'}")
    assert searched.code == 0 and searched.json()["data"] == []
    assert not (tmp_path / "third.db").exists()


def test_a_command_line_word_that_is_not_utf8_is_one_line_and_changes_nothing(
        tmp_path: Path) -> None:
    """QA34 F10: a Latin-1 byte in a path or name given on the command line ended in
    "internal error: UnicodeEncodeError", and a deploy to such a card left `.romrunner/` on
    it first. Refused before anything runs; `games find` still reads such a file."""
    share = tmp_path / os.fsdecode(b"Jeux\xe9")
    (share / "gb").mkdir(parents=True)
    (share / "gb" / "Game (USA).gb").write_bytes(b"g" * 4096)
    card = tmp_path / os.fsdecode(b"Carte\xff")
    card.mkdir()
    db = tmp_path / "library.db"
    for args in (("library", "add", str(share)), ("collection", "create", os.fsdecode(b"a\xff")),
                 ("deploy", "1", "--to", str(card), "--auto")):
        done = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--db", str(db), *args],
                              capture_output=True, timeout=120)
        err = done.stderr.decode()
        assert done.returncode == 2 and len(err.strip().splitlines()) == 1, err
        assert "not UTF-8" in err and "internal error" not in err and "\\x" in err, err
        # (qa180 F12: a name that is no path was told to "rename it")
        assert ("rename it" in err) is (args[0] != "collection"), err
    assert not db.exists() and list(card.iterdir()) == []
    env_db = tmp_path / os.fsdecode(b"Base\xe9.db")  # (review 18 R9: from the environment)
    done = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "collection", "create",
                           "x"], capture_output=True, timeout=120,
                          env={**os.environ, "ROMRUNNER_DB": str(env_db)})
    assert done.returncode == 2 and b"not UTF-8" in done.stderr and not env_db.exists()
    found = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "games",
                            "find", str(share / "gb" / "Game (USA).gb")], capture_output=True,
                           timeout=120)
    assert b"not UTF-8" not in found.stderr, found.stderr


@pytest.mark.parametrize("args", [
    ("deploy", "1", "--to", "A", "--collection", "x", "--collection", "y", "--dry-run"),
    ("deploy", "1", "--to=A", "--to", "B", "--dry-run"),
    ("games", "ls", "--limit", "1", "--limit=2"),
    ("--db", "a.db", "--db", "b.db", "games", "ls"),
    ("dat", "fixdat", "X", "-o", "a.dat", "-ob.dat"),  # (QA66 F8: a value held by -o)
])
def test_an_option_of_one_value_given_twice_is_refused(cli: Any, tmp_path: Path,
                                                        args: tuple[str, ...]) -> None:
    """QA63 F2: `deploy --collection A --collection B --prune` deployed B alone and pruned
    A's games from the card (click keeps the last value, silently)."""
    assert cli("db", "init").code == 0
    result = cli("--json", *args)
    assert result.code == 2, result.out
    [error] = result.json()["errors"]
    assert error.endswith("is given twice: give it once"), error
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "A").exists()


def _on_off_flags() -> list[tuple[str, ...]]:
    """Each on/off flag of the CLI (``--hacks/--no-hacks``), as the words of its command and
    its two names."""
    from romrunner.cli.main import cli as group

    found: list[tuple[str, ...]] = []

    def walk(command: click.Command, words: tuple[str, ...]) -> None:
        for param in command.params:
            if isinstance(param, click.Option) and param.is_flag and param.secondary_opts:
                found.append((*words, param.opts[0], param.secondary_opts[0]))
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                walk(sub, (*words, name))

    for name, command in sorted(group.load_all().items()):  # type: ignore[attr-defined]
        walk(command, (name,))
    return found


def test_every_on_off_flag_given_both_ways_is_refused(cli: Any) -> None:
    """qa197 F6: `profile set 1 --hacks --no-hacks` said "hacks left out", exit 0 (click
    keeps the last one, silently)."""
    flags = _on_off_flags()
    assert ("profile", "set", "--hacks", "--no-hacks") in flags
    for *words, on, off in flags:
        for first, second in ((on, off), (off, on)):
            result = cli("--json", *words, first, second)
            assert result.code == 2, (words, result.out)
            assert result.json()["errors"] == [f"{first} and {second} together: give one "
                                               "of them"]


def test_a_profile_given_an_on_off_flag_both_ways_is_not_changed(cli: Any) -> None:
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    before = cli("--json", "profile", "show", "1").json()["data"]
    for args in (("--hacks", "--no-hacks"), ("--one-game-one-rom", "--all-versions"),
                 ("--no-prerelease", "--mode", "strict", "--prerelease"),
                 ("--translations", "--no-translations")):
        refused = cli("profile", "set", "1", *args)
        assert refused.code == 2 and "together: give one of them" in refused.err, refused.err
        assert refused.err.count("\n") == 1  # (one line)
    assert cli("--json", "profile", "show", "1").json()["data"] == before
    assert cli("profile", "set", "1", "--no-hacks").code == 0


def test_version_names_the_database_schema_the_readme_speaks_of(cli: Any) -> None:
    """QA85 F9: `--version` said "0.1.0" while the README speaks of releases v1.1.0 and on
    (the schema lineage): a user could not tell which rules applied."""
    import romrunner.store
    folder = Path(romrunner.store.__file__).parent / "migrations"
    newest = sorted(folder.glob("*.sql"))[-1].stem.split("_", 1)[1]
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip().endswith(f"(database schema {newest.replace('_', '.')})")
    document = cli("--json", "--version")  # (QA98 F13: plain text under --json)
    assert document.code == 0
    assert document.json()["data"]["schema"] == newest.replace("_", ".")


def test_db_check_names_a_dangling_row_by_its_values(cli: Any, tmp_path: Path,
                                                      db_path: Path) -> None:
    """QA141 F8: a collection row pointing at no game was "collection_games row None" (the
    table has no rowids)."""
    import sqlite3

    assert cli("collection", "create", "keep").code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                 "VALUES (1, 999999, 1)")
    conn.commit()
    conn.close()
    checked = cli("db", "check")
    assert checked.code != 0
    assert "collection_games row (game_id 999999) points at a missing games row" in \
        checked.out, checked.out


def test_no_home_and_no_account_entry_is_a_one_line_error(tmp_path: Path) -> None:
    """QA157 F8: HOME unset for a user the system has no entry for (a container, a service)
    made every command an "internal error … --verbose"."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed: cannot run as a user with no account entry")
    env = {key: value for key, value in os.environ.items()
           if key not in ("HOME", "XDG_DATA_HOME", "ROMRUNNER_DB")}
    probe = subprocess.run(["unshare", "--user", "--map-user=12345", "--map-group=12345",
                            "true"], env=env, capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a user namespace here (unshare --user refused)")
    proc = subprocess.run(["unshare", "--user", "--map-user=12345", "--map-group=12345",
                           sys.executable, "-m", "romrunner.cli.main", "db", "status"],
                          env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr and "pass --db PATH" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
