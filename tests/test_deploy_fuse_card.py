"""A real FAT32 image mounted through FUSE (fusefat), the way some card readers, MTP and
network mounts behave: the file system reports no size at all (statvfs: 0 blocks), refuses
names it cannot store, and sets a file's time when it is renamed. A deploy must neither refuse
the card as full nor stop on one name, nor lose track of the files it wrote (QA6 B-1)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_subprocess


def fat32_image(tmp_path: Path, *tools: str) -> tuple[Path, Path]:
    """A fresh 64 MiB FAT32 image and an empty folder to mount it on (skips when FUSE,
    fusefat, mkfs.vfat or ``tools`` are missing)."""
    missing = [tool for tool in ("fusefat", "mkfs.vfat", *tools) if shutil.which(tool) is None]
    if missing or not os.path.exists("/dev/fuse"):
        pytest.skip(f"needs FUSE (/dev/fuse) and {', '.join(missing) or 'fusefat'} "
                    "(apt-get install fusefat dosfstools)")
    image, mount = tmp_path / "card.img", tmp_path / "card"
    with image.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.vfat", "-F", "32", str(image)], check=True, capture_output=True)
    mount.mkdir()
    return image, mount


@contextlib.contextmanager
def fusefat_card(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB FAT32 image mounted read-write with fusefat (skips when that cannot be)."""
    image, mount = fat32_image(tmp_path)
    with fusefat_mounted(image, mount) as card:
        yield card


@contextlib.contextmanager
def fusefat_mounted(image: Path, mount: Path, zone: str | None = None) -> Iterator[Path]:
    """``image`` mounted read-write at ``mount`` by fusefat (running in the time zone
    ``zone``, when given); skips when that cannot be."""
    env = {**os.environ, "TZ": zone} if zone is not None else None
    mounted = subprocess.run(["fusefat", "-o", "rw+", str(image), str(mount)],
                             capture_output=True, text=True, env=env)
    if mounted.returncode != 0 or not os.path.ismount(mount):
        pytest.skip(f"fusefat could not mount here: {mounted.stderr.strip()[:200]}")
    try:
        yield mount
    finally:
        for command in (["fusermount", "-u", str(mount)], ["umount", "-l", str(mount)]):
            if subprocess.run(command, capture_output=True).returncode == 0:
                break


def test_a_card_that_reports_no_size_is_deployed_and_says_so(cli: Any, tmp_path: Path) -> None:
    snes = tmp_path / "lib" / "snes"
    snes.mkdir(parents=True)
    files = {f"Game {n} (USA).sfc": bytes([n]) * 4096 for n in range(3)}
    for name, data in files.items():
        (snes / name).write_bytes(data)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    with fusefat_card(tmp_path) as card:
        assert os.statvfs(card).f_blocks == 0  # what this test is about
        scanned = cli("--json", "destination", "scan", str(card))
        assert scanned.code in (0, 1), scanned.err
        assert scanned.json()["data"]["free_bytes"] is None  # unknown, not 0
        assert "size not reported" in cli("destination", "scan", str(card)).out
        dry = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--dry-run")
        assert dry.code == 0, dry.err
        assert dry.json()["data"]["free_bytes"] is None
        assert dry.json()["data"]["enough_space"] is True
        done = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
        assert done.code == 0, done.err
        data = done.json()["data"]
        assert (data["copied"], data["failed"]) == (3, 0)
        assert any("does not report its free space" in note for note in data["notes"])
        roms = card / "ROMS" / "snes"
        assert {p.name: p.read_bytes() for p in roms.iterdir()} == files


def _renames_move_the_time(card: Path) -> bool:
    """True when the card sets a file's time as it is renamed: a file written, then renamed
    in a later step of FAT's 2-second clock, shows the time of the rename (fusefat does)."""
    temp, final = card / "probe.tmp", card / "probe.bin"
    with temp.open("wb") as handle:
        handle.write(b"probe")
        handle.flush()
        os.fsync(handle.fileno())
    written = temp.stat().st_mtime_ns
    time.sleep(2.1)  # into FAT's next 2-second step
    os.replace(temp, final)
    moved = final.stat().st_mtime_ns != written
    final.unlink()
    return moved


def test_a_kill_9_mid_deploy_then_resume_and_prune_accounts_for_every_file(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA6 B-1 on the real card: a deploy killed mid-run, resumed, then a prune of every GBA
    game. No file we wrote is taken for the user's, every one is recorded with the time the
    card shows, and the prune removes every one (before: files whose rename landed in a later
    2-second step were "files of yours" on resume and silently left by the prune)."""
    gba = tmp_path / "lib" / "gba"
    gba.mkdir(parents=True)
    files = {f"Game {n:03d} (USA).gba": n.to_bytes(2, "big") * 32768 for n in range(160)}
    for name, data in files.items():
        (gba / name).write_bytes(data)
    (tmp_path / "lib" / "snes").mkdir()
    (tmp_path / "lib" / "snes" / "Kept (USA).sfc").write_bytes(b"snes" * 1024)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    with fusefat_card(tmp_path) as card:
        assert _renames_move_the_time(card)  # what this test is about
        env = {**os.environ, "ROMRUNNER_DB": str(db_path)}
        roms = card / "ROMS" / "gba"
        proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "deploy", "1",
                                 "--to", str(card), "platform:gba,snes"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def renamed() -> int:  # files under their final name (not temporary ones)
            with contextlib.suppress(OSError):
                return sum(1 for name in os.listdir(roms) if not name.startswith(".rr-tmp-"))
            return 0

        while proc.poll() is None and renamed() < 60:
            time.sleep(0.01)
        assert proc.poll() is None, "the deploy ended before it could be killed mid-run"
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        resumed = run_subprocess("--json", "deploy", "resume", env=env)
        assert resumed.code == 0, resumed.err
        data = resumed.json()["data"]
        assert (data["status"], data["skipped"], data["conflicts"], data["failed"],
                data["errors"]) == ("completed", 0, 0, 0, [])
        assert {p.name: p.read_bytes() for p in roms.iterdir()} == files
        manifest = json.loads((card / ".romrunner" / "manifest.json").read_bytes())["files"]
        assert {dest: entry[1] for dest, entry in manifest.items() if "/gba/" in dest} == {
            f"ROMS/gba/{p.name}": p.stat().st_mtime_ns for p in roms.iterdir()}

        again = run_subprocess("--json", "deploy", "1", "--to", str(card), "platform:gba,snes",
                               env=env)
        assert again.code == 0, again.err
        assert (again.json()["data"]["copied"], again.json()["data"]["errors"]) == (0, [])

        pruned = run_subprocess("--json", "deploy", "1", "--to", str(card), "platform:snes",
                                "--prune", "--force", env=env)
        assert pruned.code == 0, pruned.err
        data = pruned.json()["data"]
        assert (data["pruned"], data["prune_kept"], data["errors"]) == (160, [], [])
        assert [note for note in data["notes"] if "--prune" in note] == []
        assert not roms.exists() or list(roms.iterdir()) == []
        assert [p.name for p in (card / "ROMS" / "snes").iterdir()] == ["Kept (USA).sfc"]


def test_a_file_of_ours_for_another_game_under_another_case_is_not_replaced(
        cli: Any, tmp_path: Path) -> None:
    """QA8 N5: on FAT32 `Track 01.gb` (one game's, written by an earlier run) and
    `track 01.gb` (another game's, chosen later) are one file: the later run replaced the first
    game's bytes, calling it an update of its own file. It is a conflict now."""
    gb = tmp_path / "lib" / "gb"
    (gb / "one").mkdir(parents=True)
    (gb / "two").mkdir(parents=True)
    first, second = bytes([1]) * 4096, bytes([2]) * 4096
    (gb / "one" / "Track 01.gb").write_bytes(first)
    (gb / "two" / "track 01.gb").write_bytes(second)
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    ids = {g["filename"]: g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"]}
    for collection, name in (("one", "Track 01.gb"), ("two", "track 01.gb")):
        assert cli("collection", "create", collection).code == 0
        assert cli("collection", "add", collection, str(ids[name])).code == 0
    with fusefat_card(tmp_path) as card:
        assert cli("deploy", "1", "--to", str(card), "--collection", "one").code == 0
        later = cli("--json", "deploy", "1", "--to", str(card), "--collection", "two")
        assert later.code == 1, later.err  # a conflict
        (on_card,) = list((card / "ROMS" / "gb").iterdir())
        assert on_card.read_bytes() == first
        assert any("ROM Runner wrote ROMS/gb/Track 01.gb there for another file"
                   in e["error"] for e in later.json()["data"]["errors"])
        # QA111 F3: `games forget` and the prune's help say --prune removes such a copy; it
        # does not remove one whose place a chosen file takes, and says so
        pruned = cli("--json", "deploy", "1", "--to", str(card), "--collection", "two",
                     "--prune", "--force")
        assert pruned.code == 1 and on_card.read_bytes() == first, pruned.err
        (error,) = [e["error"] for e in pruned.json()["data"]["errors"]]
        assert error.endswith("kept; --prune does not remove a file whose place a chosen "
                              "file takes (use --overwrite to replace it)"), error
        replaced = cli("--json", "deploy", "1", "--to", str(card), "--collection", "two",
                       "--prune", "--force", "--overwrite")
        assert replaced.code == 0, replaced.err
        assert [path.read_bytes() for path in (card / "ROMS" / "gb").iterdir()] == [second]


def test_a_sheet_naming_its_track_in_another_case_is_rewritten_on_a_fat_card(
        cli: Any, tmp_path: Path) -> None:
    """QA35 F10: on a card that ignores case, a sheet saying `FILE "TRACK 01.BIN"` for its
    `Track 01.bin`, whose track was renamed for a clash with another game's, went on the card
    as it was: it named a file not there, and the game did not start."""
    psx = tmp_path / "lib" / "psx"
    tracks = {"A (USA)": b"a" * 4704, "C (USA)": b"c" * 4704}
    for game, data in tracks.items():
        (psx / game).mkdir(parents=True)
        (psx / game / "Track 01.bin").write_bytes(data)
        written = "TRACK 01.BIN" if game == "A (USA)" else "Track 01.bin"
        (psx / game / f"{game}.cue").write_text(
            f'FILE "{written}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
        for game, data in tracks.items():
            sheet = next(card.rglob(f"{game}.cue"))
            (line,) = [r for r in sheet.read_text().splitlines() if r.startswith("FILE")]
            assert (sheet.parent / line.split('"')[1]).read_bytes() == data, (game, line)


def test_a_track_the_card_refuses_leaves_no_sheet_naming_it(cli: Any, tmp_path: Path) -> None:
    """QA35 F11: fusefat refuses to rename a temporary file to a name beyond ASCII (any card
    may refuse one file): the track failed, but its sheet went on the card, a game the
    frontend lists and that cannot start, in a deployment said "completed"."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    (psx / "Café (France).bin").write_bytes(b"t" * 4704)
    (psx / "Cafe (France).cue").write_text(  # (the sheet's own name: ASCII, renamed fine)
        'FILE "Café (France).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (psx / "Plain (USA).bin").write_bytes(b"p" * 4704)
    (psx / "Plain (USA).cue").write_text(
        'FILE "Plain (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        probe = card / "probe.tmp"
        probe.write_bytes(b"x")
        try:
            os.rename(probe, card / "é.txt")
        except OSError:
            pass
        else:
            pytest.skip("this fusefat renames to names beyond ASCII: nothing is refused")
        finally:
            for leftover in (probe, card / "é.txt"):
                leftover.unlink(missing_ok=True)
        run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
        assert run.code == 1, run.err
        names = sorted(p.name for p in (card / "ROMS" / "psx").iterdir())
        assert not [n for n in names if n.endswith(".cue") and n.startswith("Caf")], names
        assert "Plain (USA).cue" in names and "Plain (USA).bin" in names


def test_a_full_card_that_reports_no_size_stops_the_run(cli: Any, tmp_path: Path) -> None:
    """QA18 C2: fusefat reports no size, and once full refuses each file with EPERM (not
    ENOSPC): the run went on, every later file failing alike, and ended "completed". A few
    copies failing in a row with one error on such a card end the run as a full card does."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    for n in range(90):
        (gb / f"Game {n:02} (World).gb").write_bytes(os.urandom(1024 * 1024))
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        result = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
        data = result.json()["data"]
        assert result.code != 0 and data["status"] == "failed", result.out
        assert "most likely full" in data["stopped"]
        assert 0 < data["failed"] <= 3 and data["copied"] + data["failed"] < 90
        # (QA111 F4: each said "Operation not permitted", nothing of the card being full)
        assert all(e["error"].endswith("does not report its free space: full?)")
                   for e in data["errors"] if e["status"] == "failed"), data["errors"]
        on_card = [p for p in card.rglob("*.gb")]
        assert len(on_card) == data["copied"]
        assert not [p for p in card.rglob("*") if ".rr-tmp" in p.name]


def test_an_os_switch_on_a_fat_card_says_no_folder_left_that_is_the_new_one(
        cli: Any, tmp_path: Path) -> None:
    """QA123 F2: Onion's `Roms/GB` is muOS's `ROMS/gb` on a FAT card (fusefat gives each
    spelling its own inode number): the switch said its files were "left behind … both copies
    take space", and told to prune the folder the new OS reads."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    (gb / "Alpha (USA).gb").write_bytes(bytes([7]) * 4096)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan",),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        first = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
        assert first.code == 0 and first.json()["data"]["copied"] == 1, first.err
        (onion,) = [f"{top.name}/{sub.name}" for top in card.iterdir()
                    if top.name.lower() == "roms" for sub in top.iterdir()]
        assert cli("profile", "set", "1", "--os", "muos").code == 0
        again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
        assert again.code == 0, again.err
        folders = cli("--json", "destination", "paths", "1", "--to", str(card)).json()
        (muos,) = [f["path"] for f in folders["data"]["folders"] if f["platform_id"] == "gb"]
        assert muos != onion and muos.lower() == onion.lower()  # (what the test is about)
        codes = [w["code"] for w in again.json()["data"]["plan"]["warnings"]]
        assert "folder-moved" not in codes, again.json()["data"]["plan"]["warnings"]


def test_a_library_file_renamed_only_in_case_gives_no_warning_and_no_prune(
        cli: Any, tmp_path: Path) -> None:
    """QA186 F1: on a real FAT32 card, a game whose library file was renamed only in letter
    case was said at every deploy to leave its old copy "until --prune" (listed twice): it is
    one file there, which the prune rightly never removed, so the warning never went away."""
    gb = tmp_path / "lib" / "gb"
    gb.mkdir(parents=True)
    data = bytes(range(256)) * 16
    (gb / "Kirby's Dream Land (USA, Europe).gb").write_bytes(data)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
        (gb / "Kirby's Dream Land (USA, Europe).gb").rename(
            gb / "KIRBY'S DREAM LAND (USA, EUROPE).gb")
        assert cli("scan", "--workers", "1").code == 0
        for options in ((), ("--prune",), ()):
            again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", *options)
            assert again.code == 0, again.err
            assert not [w for w in again.json()["warnings"] if "another name" in w], \
                again.json()["warnings"]
            assert again.json()["data"]["pruned"] == 0
            assert [p.read_bytes() for p in card.rglob("*.gb")] == [data]


def test_a_set_renamed_only_in_case_is_deployed_without_a_conflict_on_its_m3u(
        cli: Any, tmp_path: Path) -> None:
    """Review40b F2: on a real FAT32 card, a set whose discs were renamed in the library
    only in case (`game (disc 1).cue` to `Game (Disc 1).cue`) met its own .m3u, written
    under the old spelling, as "ROM Runner wrote ROMS/psx/game.m3u there for another file"
    at every deploy (exit 1) until --overwrite."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    cue = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
    for disc in (1, 2):
        (psx / f"game (disc {disc}).bin").write_bytes(bytes([disc]) * 4096)
        (psx / f"game (disc {disc}).cue").write_text(cue.format(f"game (disc {disc}).bin"))
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    with fusefat_card(tmp_path) as card:
        assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
        assert [p.name for p in card.rglob("*.m3u")] == ["game.m3u"]
        for disc in (1, 2):
            for suffix in (".bin", ".cue"):
                (psx / f"game (disc {disc}){suffix}").rename(psx / f"Game (Disc {disc}){suffix}")
        assert cli("scan", "--workers", "1").code == 0
        dry = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
        assert dry.code == 0, dry.err
        assert "another file" not in dry.out
        done = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
        assert done.code == 0, done.err
        assert (done.json()["data"]["copied"], done.json()["data"]["errors"]) == (1, [])
        (playlist,) = card.rglob("*.m3u")
        assert playlist.name == "Game.m3u", playlist
        assert playlist.read_text().splitlines() == [
            ".Game/Game (Disc 1).cue", ".Game/Game (Disc 2).cue"]
        for options in ((), ("--prune",)):
            again = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", *options)
            assert again.code == 0, again.err
            data = again.json()["data"]
            assert (data["copied"], data["pruned"], data["errors"]) == (0, 0, []), data
        assert len(list(card.rglob("*.bin"))) == 2
