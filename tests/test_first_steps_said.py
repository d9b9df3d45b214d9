"""qa173: a first-time user's path: what the CLI says before the first scan, for a path
that is no root, for a mistyped name, a damaged file under ``--quiet``, bad DATs, ``~`` in
a path, and the pack's notice before an error."""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Log in</title></head>"
             "<body>Please log in to download this DAT</body></html>\n")
GOOD_DAT = ('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "1"\n)\n'
            'game (\n\tname "Tater (USA)"\n\trom ( name "Tater (USA).gb" size 4 '
            "crc 12345678 )\n)\n")


def _library(tmp_path: Path) -> Path:
    """A library root whose name holds a space and a non-ASCII letter, with a game and a
    BIOS folder."""
    root = tmp_path / "My Röms"
    (root / "snes").mkdir(parents=True)
    (root / "snes" / "Speed Hog (USA).sfc").write_bytes(b"\x5a" * 8192)
    (root / "bios").mkdir()
    (root / "bios" / "scph1001.bin").write_bytes(b"\x01" * 512)
    return root


def _profile(cli: Any, root: Path) -> None:
    for args in (("library", "add", str(root)), ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args


# -- F1: a deploy or an auto-list before the first scan says to scan ---------------------
def test_deploy_and_autolist_before_the_first_scan_say_to_scan(cli: Any,
                                                               tmp_path: Path) -> None:
    root = _library(tmp_path)
    _profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    said = f"the library has no games: 1 library root never scanned ({root}); " \
           "`romrunner scan` finds its games"
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 1 and f"warning: no game chosen: {said}\n" in auto.err
    assert "autolist 1" not in auto.err
    query = cli("deploy", "1", "--to", str(card), "platform:snes")
    assert query.code == 1 and f"warning: no game chosen: {said}\n" in query.err
    listed = cli("autolist", "1")
    assert listed.code == 0 and f"warning: {said}\n" in listed.err
    assert cli("scan", "--workers", "1").code == 0
    after = cli("autolist", "1")
    assert "never scanned" not in after.err


# -- F2: `scan PATH` for a path that is no root ------------------------------------------
def test_scan_of_a_folder_or_file_inside_a_root_names_the_scan_of_the_root(
        cli: Any, tmp_path: Path) -> None:
    root = _library(tmp_path)
    assert cli("library", "add", str(root)).code == 0
    hint = f"inside the library root {root}: `romrunner scan {shlex.quote(str(root))}` " \
           "scans it"
    for inside in (root / "snes", root / "snes" / "Speed Hog (USA).sfc"):
        result = cli("scan", str(inside))
        assert result.code == 2
        assert result.err.startswith(f"error: {inside}: {hint}"), result.err
        assert "library add" not in result.err and result.err.count("\n") == 1
    gone = cli("scan", str(tmp_path / "nowhere"))
    assert gone.code == 2 and gone.err == f"error: {tmp_path / 'nowhere'}: does not exist\n"
    # (qa176 #12: a folder holding roots was told to `library add` it, which is refused)
    around = cli("scan", str(tmp_path))
    assert around.code == 2 and "library add" not in around.err, around.err
    assert around.err.startswith(f"error: {tmp_path}: holds the library root {root}: "
                                 f"`romrunner scan {shlex.quote(str(root))}` scans it")
    assert cli("scan", shlex.split(around.err.split("`")[1])[2]).code == 0


def test_scan_of_a_plain_folder_gives_the_whole_command_that_adds_it(
        cli: Any, tmp_path: Path) -> None:
    """qa177 F6: `scan libB/gb` (no root, in none, around none) said "add it with `romrunner
    library add`", the path left out of the command; `library add` of a second root said
    `romrunner scan`, which scans every root, not the one just added."""
    root = _library(tmp_path)
    assert cli("library", "add", str(root)).code == 0
    other = tmp_path / "Other Röms"
    (other / "gb").mkdir(parents=True)
    (other / "gb" / "Tetris (World).gb").write_bytes(b"\x33" * 8192)
    quoted = shlex.quote(str(other))
    refused = cli("scan", str(other))
    assert refused.code == 2 and refused.err == (
        f"error: {other}: not a library root: `romrunner library add {quoted}` adds it, then "
        f"`romrunner scan {quoted}` scans it\n"), refused.err
    add, scan = (shlex.split(command) for command in refused.err.split("`")[1::2])
    added = cli(*add[1:])
    assert added.code == 0 and f"next: `romrunner scan {quoted}` finds its games" \
        in added.out, added.out
    assert cli(*scan[1:]).code == 0
    assert cli("--json", "games", "ls").json()["data"]["games"][0]["filename"] == \
        "Tetris (World).gb"  # (the other root, never scanned, has none yet)


# -- F3: a suggested command quotes the path it embeds -----------------------------------
def test_the_bios_folder_hint_quotes_its_path(cli: Any, tmp_path: Path) -> None:
    root = _library(tmp_path)
    assert cli("library", "add", str(root)).code == 0
    result = cli("scan", "--workers", "1")
    assert result.code == 0
    quoted = shlex.quote(str(root / "bios"))
    assert quoted.startswith("'")  # (the space and the ö need quoting)
    assert f"`romrunner bios scan {quoted}` verifies BIOS files" in result.out


# -- F4: `scan -q` says the files it could not store --------------------------------------
def _library_with_a_damaged_zip(tmp_path: Path) -> tuple[Path, Path]:
    """The test library with a zip cut short in megadrive/; the root and that zip."""
    root = _library(tmp_path)
    damaged = root / "megadrive" / "Streets of Rage (World).zip"
    damaged.parent.mkdir()
    with zipfile.ZipFile(tmp_path / "good.zip", "w") as archive:
        archive.writestr("Streets of Rage (World).md", bytes(range(256)) * 64)
    damaged.write_bytes((tmp_path / "good.zip").read_bytes()[:3000])
    return root, damaged


def test_quiet_scan_says_the_files_not_stored(cli: Any, tmp_path: Path) -> None:
    root, damaged = _library_with_a_damaged_zip(tmp_path)
    assert cli("library", "add", str(root)).code == 0
    quiet = cli("-q", "scan", "--workers", "1")
    # (a file's problem: exit 0, as the README says — a warning, not "error:": qa206 F9)
    assert quiet.code == 0 and quiet.out == ""
    lines = quiet.err.splitlines()
    assert lines[0] == "warning: 1 file not stored (below); the rest of the scan is stored"
    assert lines[1].startswith(f"  {damaged}: corrupt or unsupported zip")
    document = cli("--json", "scan", "--workers", "1", "--full").json()
    assert document["ok"] is True and document["data"]["not_stored"] == 1


def test_quiet_scan_lists_only_the_files_it_counts(cli: Any, tmp_path: Path) -> None:
    """qa176 N13: `-q scan` said "1 file not stored (below)" above two lines, the other a
    dangling link the scan skipped (no error): only the file not stored is listed now; the
    text and --json still name the link."""
    root, damaged = _library_with_a_damaged_zip(tmp_path)
    (root / "snes" / "Dangling (USA).sfc").symlink_to(tmp_path / "nowhere" / "x.sfc")
    assert cli("library", "add", str(root)).code == 0
    quiet = cli("-q", "scan", "--workers", "1")
    assert quiet.code == 0 and quiet.out == "", quiet.err
    lines = quiet.err.splitlines()
    assert lines[0] == "warning: 1 file not stored (below); the rest of the scan is stored"
    assert len(lines) == 2 and lines[1].startswith(f"  {damaged}: corrupt or unsupported zip"), \
        quiet.err
    document = cli("--json", "scan", "--workers", "1", "--full").json()["data"]
    assert document["not_stored_files"] == [str(damaged)]
    assert any("Dangling" in error["path"] for error in document["errors"])
    said = cli("scan", "--workers", "1", "--full")
    assert "Dangling (USA).sfc" in said.err and str(damaged) in said.err, said.err


# -- F5: `~` in every path argument and option -------------------------------------------
def test_a_tilde_is_the_home_folder_in_every_path(cli: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "card").mkdir(parents=True)
    (home / "dats").mkdir()
    (home / "dats" / "gb.dat").write_text(GOOD_DAT, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    imported = cli("dat", "import", "~/dats/gb.dat")
    assert imported.code == 0, imported.err
    scanned = cli("destination", "scan", "~/card")
    assert scanned.code == 0, scanned.err
    assert "~" not in scanned.out
    bios = cli("bios", "scan", "~/card")
    assert "not a folder" not in bios.err and "~" not in bios.err


# -- F6, F7: an HTML page saved as a DAT; every refused DAT named -------------------------
def test_an_html_page_is_called_one(cli: Any, tmp_path: Path) -> None:
    page = tmp_path / "Nintendo - Game Boy Color.dat"
    page.write_text(HTML_PAGE, encoding="utf-8")
    result = cli("dat", "import", str(page))
    assert result.code == 2
    assert result.err == (f"error: {page}: an HTML page, not a DAT (a download or login "
                          "page saved instead of the file?)\n")


def test_every_refused_dat_of_an_import_is_named(cli: Any, tmp_path: Path) -> None:
    good, page, archive = (tmp_path / "gb.dat", tmp_path / "gbc.dat", tmp_path / "dats.zip")
    assert cli("db", "init").code == 0
    good.write_text(GOOD_DAT, encoding="utf-8")
    page.write_text(HTML_PAGE, encoding="utf-8")
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("gb.dat", GOOD_DAT)
    result = cli("dat", "import", str(good), str(page), str(archive))
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("error: 2 of 3 DAT files refused, nothing was imported: ")
    assert f"{page}: an HTML page" in result.err and f"{archive}: not a" in result.err
    document = cli("--json", "dat", "import", str(good), str(page), str(archive)).json()
    assert document["ok"] is False and len(document["errors"]) == 3
    assert document["errors"][1].startswith(f"{page}: ")
    assert document["errors"][2].startswith(f"{archive}: ")
    assert cli("--json", "dat", "ls").json()["data"] == []


# -- F9: did you mean ---------------------------------------------------------------------
def test_mistyped_names_get_a_suggestion(cli: Any) -> None:
    command = cli("scna")
    assert command.code == 2 and "Did you mean 'scan'?" in command.err
    slip = cli("device", "add", "miyoo-mini-plsu")
    assert slip.code == 2 and "did you mean miyoo-mini-plus (Miyoo Mini Plus)?" in slip.err
    named = cli("device", "add", "Miyoo Mini Plus")
    assert named.code == 0 and "(miyoo-mini-plus)" in named.out
    system = cli("profile", "create", "--device", "1", "--os", "onion")
    assert system.code == 2 and "did you mean onionos (Onion OS)?" in system.err


# -- F10: the pack's notice never comes before a failing command's error --------------------
def test_a_failing_command_says_its_error_alone(cli: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pack = str(shared_path("definition-pack"))
    if not cli("pack", "validate", pack).out and not cli("pack", "validate", pack).err:
        pytest.skip("the pack in ../shared has no repaired entries")
    # (a new database in a folder that exists: one whose folder is missing is refused before
    # the pack is read, p47a F7)
    monkeypatch.setenv("ROMRUNNER_DB", str(tmp_path / "rr.db"))
    for args in (("library", "add", str(tmp_path / "nowhere")), ("device", "add", "foo")):
        failed = cli("--pack", pack, *args)
        assert failed.code == 2 and failed.err.count("\n") == 1, failed.err
        assert failed.err.startswith("error: ")
    document = json.loads(cli("--json", "--pack", pack, "device", "add", "foo").out)
    assert any("pack entries skipped or repaired" in w for w in document["warnings"])
    (tmp_path / "lib").mkdir()
    added = cli("--pack", pack, "library", "add", str(tmp_path / "lib"))
    assert added.code == 0 and "pack entries skipped or repaired" in added.err
    again = cli("--pack", pack, "library", "ls")
    assert "pack entries" not in again.err


def test_library_add_and_device_add_say_the_next_step(cli: Any, tmp_path: Path) -> None:
    """qa173 F8: no command said what comes next on the first user's way."""
    (tmp_path / "lib").mkdir()
    added = cli("library", "add", tmp_path / "lib")
    assert added.code == 0 and "next: `romrunner scan` finds its games" in added.out
    assert cli("scan").code == 0
    again = cli("library", "add", tmp_path / "lib")  # (scanned: nothing to say)
    assert again.code == 0 and "next:" not in again.out
    device = cli("device", "add", "rg-35xx-plus")
    assert device.code == 0
    assert "next: `romrunner profile create --device 1 --os OS`" in device.out
    assert cli("--json", "device", "add", "rg-35xx-plus").json()["data"]["id"] == 2


def test_a_failing_write_under_a_new_pack_says_its_notice_after_the_error(
        cli: Any, tmp_path: Path) -> None:
    """review37b F6: a command that opened the database to write recorded the new pack and
    then failed: its notice, kept off the error line, was never said by any command."""
    pack = str(shared_path("definition-pack"))
    (tmp_path / "lib").mkdir()
    assert cli("library", "add", tmp_path / "lib").code == 0  # (the built-in pack's database)
    failed = cli("--pack", pack, "device", "add", "rg-35xx-plsu")
    assert failed.code != 0
    lines = failed.err.strip().splitlines()
    assert lines[0].startswith("error: ") and "rg-35xx-plsu" in lines[0], failed.err
    assert any("pack entries skipped or repaired" in line for line in lines[1:]), failed.err
    later = cli("--pack", pack, "library", "ls")
    assert later.code == 0 and "skipped or repaired" not in later.err  # (said once)

