"""A library root added through a symbolic link (a NAS's stable path): once the link is
re-pointed to a new disk, a scan says so and proposes `library move` instead of scanning the
old target silently, and `scan LINK` / `library add` of the new place name the root whose
files it holds (`library add` made every game twice)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def nas(tmp_path: Path) -> dict[str, Path]:
    """old/roms (two games), a copy new/roms (one game more) and link -> old."""
    old = tmp_path / "old" / "roms"
    (old / "snes").mkdir(parents=True)
    (old / "snes" / "Game (USA).sfc").write_bytes(b"\x01" * 4096)
    (old / "snes" / "Other (USA).sfc").write_bytes(b"\x02" * 4096)
    new = tmp_path / "new" / "roms"
    shutil.copytree(old, new)  # (copy2: the same sizes and times, as `cp -a` keeps them)
    (new / "snes" / "Third (USA).sfc").write_bytes(b"\x03" * 4096)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "old", target_is_directory=True)
    return {"old": old, "new": new, "link": link / "roms", "link_itself": link}


def _repoint(link: Path, target: Path) -> None:
    link.unlink()
    link.symlink_to(target, target_is_directory=True)


def _games(cli: Any) -> dict[str, int]:
    result = cli("--json", "games", "ls")
    assert result.code == 0, result.err
    return {g["filename"]: g["id"] for g in result.json()["data"]["games"]}


def _roots(cli: Any) -> list[dict[str, Any]]:
    result = cli("--json", "library", "ls")
    assert result.code == 0, result.err
    return list(result.json()["data"])


def test_a_scan_after_the_link_was_repointed_says_so_and_scans_no_stale_target(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    assert cli("library", "add", nas["link"]).code == 0
    [root] = _roots(cli)
    assert (root["path"], root["given_path"]) == (str(nas["old"]), str(nas["link"]))
    assert cli("scan", "--workers", "1").code == 0
    games = _games(cli)
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", str(games["Game (USA).sfc"])).code == 0
    before = _roots(cli)[0]["last_scanned_at"]

    _repoint(nas["link_itself"], tmp_path / "new")
    result = cli("scan", "--workers", "1")
    assert result.code == 1, result.out
    said = " ".join(result.err.split())
    assert f"{nas['link']}, the path the library root {nas['old']} was added by, now leads " \
           f"to {nas['new']}" in said, said
    assert f"romrunner library move {nas['old']} {nas['link']}" in said
    assert "nothing was marked missing" in said
    assert _roots(cli)[0]["last_scanned_at"] == before  # (the old target was not scanned)

    # `scan LINK` and `library add LINK` name the root, not a second one to add
    result = cli("scan", nas["link"])
    assert result.code == 2
    said = " ".join(result.err.split())
    assert f"holds the files of the library root {nas['old']}" in said, said
    assert "library move" in said and "`romrunner library add` would make" in said

    # following the advice: ids and curation kept, the same files not hashed again
    moved = cli("library", "move", nas["old"], nas["link"])
    assert moved.code == 0, moved.err
    assert [(r["path"], r["given_path"]) for r in _roots(cli)] == \
        [(str(nas["new"]), str(nas["link"]))]
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    data = scanned.json()["data"]
    assert (data["added"], data["unchanged"], data["missing"]) == (1, 2, 0)
    after = _games(cli)
    assert after["Game (USA).sfc"] == games["Game (USA).sfc"]
    assert after["Other (USA).sfc"] == games["Other (USA).sfc"]
    shown = cli("--json", "collection", "show", "favs").json()["data"]
    assert shown["total"] == 1


def test_adding_the_new_place_as_a_root_warns_and_the_scan_says_how_to_undo_it(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    assert cli("library", "add", nas["link"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    _repoint(nas["link_itself"], tmp_path / "new")
    added = cli("library", "add", nas["link"])
    assert added.code == 0
    said = " ".join(added.err.split())
    assert f"holds the files of the library root {nas['old']}" in said, said
    assert f"romrunner library rm {nas['new']}` then `romrunner library move {nas['old']}" \
        in said
    result = cli("scan", "--workers", "1")
    assert result.code == 1
    said = " ".join(result.err.split())
    assert f"`romrunner library rm {nas['new']}` (a root of its own now) then " \
           f"`romrunner library move {nas['old']} {nas['link']}`" in said, said


def test_adding_the_root_again_by_its_real_path_keeps_it_there(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    """The user who re-pointed the link on purpose keeps the root where it is: it is no
    longer followed by that link."""
    assert cli("library", "add", nas["link"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    _repoint(nas["link_itself"], tmp_path / "new")
    again = cli("library", "add", nas["old"])
    assert again.code == 0 and "now known by its own path" in again.out, again.out
    assert _roots(cli)[0]["given_path"] is None
    assert cli("scan", "--workers", "1").code == 0


def test_a_link_that_leads_nowhere_now_or_to_the_root_changes_nothing(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    assert cli("library", "add", nas["link"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    os.replace(tmp_path / "old", tmp_path / "old2")
    (tmp_path / "old").symlink_to(tmp_path / "old2", target_is_directory=True)
    # (the root's stored path now goes through a link to the same folder: no alarm)
    assert cli("scan", "--workers", "1").code == 0
    nas["link_itself"].unlink()  # the link removed: the root is scanned as stored
    assert cli("scan", "--workers", "1").code == 0


def test_another_library_of_the_same_file_names_is_no_copy(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    """review39b F5: a second library holding files of the same names (other dumps: other
    sizes or times) was taken for a copy of a root still there — `scan` of it advised
    `library move`, which put the root's ids and curation on other files. A copy has the
    files' sizes and times."""
    assert cli("library", "add", nas["old"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    other = tmp_path / "other" / "roms"
    (other / "snes").mkdir(parents=True)
    for name in ("Game (USA).sfc", "Other (USA).sfc"):
        (other / "snes" / name).write_bytes(b"\x09" * 8192)
    said = cli("scan", other)
    assert said.code == 2 and f"`romrunner library add {other}` adds it" in said.err, said.err
    assert "holds the files of" not in said.err
    copied = cli("scan", nas["new"])  # (a copy, sizes and times kept: said so)
    assert "holds the files of the library root" in copied.err, copied.err
    for path in nas["new"].rglob("*.sfc"):  # (its times cut to whole seconds, as an exFAT or
        at = path.stat().st_mtime_ns // 10**9 * 10**9  # SMB copy keeps them: review39c F3)
        os.utime(path, ns=(at, at))
    copied = cli("scan", nas["new"])
    assert "holds the files of the library root" in copied.err, copied.err


def test_a_root_whose_link_leads_elsewhere_and_whose_disk_is_gone_is_said_so_at_deploy(
        cli: Any, nas: dict[str, Path], tmp_path: Path) -> None:
    """qa185 F3: the old disk gone, the scan still offered `library add OLD` (no longer
    there), and the deploy said only "not mounted?" — not what the scan knew."""
    card = tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", nas["link"]), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    assert cli("deploy", "1", "--to", card, "platform:snes").code == 0
    _repoint(nas["link_itself"], tmp_path / "new")
    (tmp_path / "old").rename(tmp_path / "gone")
    scanned = cli("scan", "--workers", "1")
    said = " ".join(scanned.err.split())
    assert f"`romrunner library move {nas['old']} {nas['link']}`" in said, said
    assert "keeps it where it is" not in said
    planned = cli("--json", "deploy", "1", "--to", card, "platform:snes", "--dry-run")
    (warned,) = [w["message"] for w in planned.json()["data"]["plan"]["warnings"]
                 if w["code"] == "root-unreachable"]
    assert f"`romrunner library move {nas['old']} {nas['link']}`" in warned, warned
