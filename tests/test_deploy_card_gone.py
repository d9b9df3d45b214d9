"""A card that goes away (a pulled card, a dead FUSE or network mount): the user is told what
happened and what to do in one line, never "internal error" (QA7 F2).

The dead mount is real: a FAT32 image mounted with fusefat, whose process is killed with
SIGKILL (every access then fails with ENOTCONN, as a stale FUSE or SMB mount does)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from romrunner.deploy.card import CARD_DIR, LOCK_NAME, DeployError, card_lock
from romrunner.deploy.execute import Progress, deploy
from romrunner.deploy.plan import build_plan
from romrunner.deploy.select import choose_games
from romrunner.devices.paths import card_layout
from romrunner.packs.loader import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import muos_profile
from tests.test_deploy_faults import tmpfs
from tests.test_deploy_fuse_card import fat32_image


class _FuseCard:
    """A FAT32 image mounted by a fusefat process in the foreground (its pid is known)."""

    def __init__(self, mount: Path, process: subprocess.Popen[bytes]) -> None:
        self.mount, self.process = mount, process

    def kill(self) -> None:
        """The mount dies: every access to it now fails with ENOTCONN."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for _ in range(500):  # the kernel may answer from its cache for a moment
            try:
                os.stat(self.mount)
            except OSError as exc:
                assert exc.errno == errno.ENOTCONN, exc
                return
            time.sleep(0.01)
        raise AssertionError(f"{self.mount} still answers after its fusefat was killed")


@contextlib.contextmanager
def fuse_card(tmp_path: Path) -> Iterator[_FuseCard]:
    image, mount = fat32_image(tmp_path, "fusermount")
    process = subprocess.Popen(["fusefat", "-f", "-o", "rw+", str(image), str(mount)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        if os.path.ismount(mount) or process.poll() is not None:
            break
        time.sleep(0.01)
    if not os.path.ismount(mount):
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()
        pytest.skip("fusefat could not mount here (no FUSE permission?)")
    try:
        yield _FuseCard(mount, process)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait()
        for command in (["fusermount", "-u", str(mount)], ["umount", "-l", str(mount)]):
            if subprocess.run(command, capture_output=True).returncode == 0:
                break


def _library(cli: Any, tmp_path: Path, count: int = 12, size: int = 256 * 1024) -> None:
    gba = tmp_path / "lib" / "gba"
    gba.mkdir(parents=True)
    for n in range(count):
        block = hashlib.sha256(f"game {n}".encode()).digest()
        (gba / f"Game {n:02d} (USA).gba").write_bytes(block * (size // len(block)))
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0


def test_a_dead_mount_before_the_run_is_one_line_naming_the_card(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path, count=2, size=4096)
    with fuse_card(tmp_path) as card:
        card.kill()
        for args in (("deploy", "1", "--to", str(card.mount), "platform:gba"),
                     ("deploy", "1", "--to", str(card.mount), "platform:gba", "--dry-run"),
                     ("destination", "paths", "1", "--to", str(card.mount)),
                     ("destination", "scan", str(card.mount))):
            result = cli(*args)
            assert result.code == 2, (args, result.err)
            assert "internal error" not in result.err, args
            assert result.err.strip() == (
                f"error: cannot read {card.mount} (Transport endpoint is not connected): "
                "reconnect the card"), args


def test_a_card_that_goes_away_mid_deploy_says_resume_not_internal_error(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The mount dies after the third file: the run ends with the stored message (the card
    went away … resume N), and returns it; nothing raises past it (card_lock's close of the
    lock on the dead card raised ENOTCONN over it, and the CLI said "internal error")."""
    _library(cli, tmp_path)
    with fuse_card(tmp_path) as card:
        db = open_database(db_path, OpenMode.WRITE).db
        try:
            pack = load_pack(None)
            layout = card_layout(db, pack, 1, card.mount)
            chosen = choose_games(db, pack, 1, layout, words=["platform:gba"])
            plan = build_plan(db, layout, chosen.game_ids, pack=pack, profile_id=1)
            seen: list[str] = []

            def pull_the_card(progress: Progress) -> None:
                seen.append(progress.current)
                if len(seen) == 4:
                    card.kill()

            summary = deploy(db, plan, profile_id=1, progress=pull_the_card)
        finally:
            db.close()
        assert len(seen) >= 4  # the card went away during the run
        assert summary.status == "failed"
        assert summary.stopped is not None
        assert summary.stopped.startswith(f"{card.mount}: the card went away while writing ")
        assert summary.stopped.endswith(
            f"reconnect it and run `romrunner deploy resume {summary.deployment_id}`")
        shown = cli("--json", "deploy", "show", str(summary.deployment_id))
        assert shown.json()["data"]["error_message"] == summary.stopped
        resumed = cli("deploy", "resume")  # the mount still dead
        assert (resumed.code, resumed.err.strip()) == (2, (
            f"error: cannot read {card.mount} (Transport endpoint is not connected): "
            "reconnect the card"))


def test_card_lock_says_nothing_more_when_its_lock_cannot_be_closed(tmp_path: Path) -> None:
    """Closing the lock's descriptor fails (the card went away, here: the descriptor is closed
    underneath): the block's own outcome stands, success or its error."""
    lock = tmp_path / CARD_DIR / LOCK_NAME

    def close_the_lock_underneath() -> None:
        for name in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{name}") == str(lock):
                    os.close(int(name))
                    return
        raise AssertionError("the lock's descriptor was not found")

    with card_lock(tmp_path):
        close_the_lock_underneath()
    with pytest.raises(OSError) as raised, card_lock(tmp_path):
        close_the_lock_underneath()
        raise OSError(errno.ENOTCONN, "the card went away")
    assert raised.value.errno == errno.ENOTCONN


def test_an_error_on_the_card_outside_the_runs_own_handling_names_the_file(
        cli: Any, tmp_path: Path) -> None:
    """A file of ours on the card that cannot be written (here ``.romrunner/os.json`` is a
    folder, so writing it fails as the card refuses) is one line naming it, exit 2; never an
    internal error."""
    _library(cli, tmp_path, count=1, size=4096)
    card = tmp_path / "card"
    (card / CARD_DIR / "os.json").mkdir(parents=True)
    result = cli("deploy", "1", "--to", str(card), "platform:gba")
    assert result.code == 2, result.err
    assert result.err.strip() == f"error: {card / CARD_DIR / 'os.json'}: Is a directory"


def test_a_deploy_to_the_folder_of_a_card_not_mounted_now_writes_nothing(
        cli: Any, tmp_path: Path) -> None:
    """QA162 F1: a deploy to a card's mount point while the card was not mounted wrote every
    game to the computer's own disk, "completed". The card here is a real tmpfs mount."""
    library = tmp_path / "roms" / "gb"
    library.mkdir(parents=True)
    for name in ("Alpha (USA).gb", "Bravo (USA).gb"):
        (library / name).write_bytes(hashlib.sha256(name.encode()).digest() * 512)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    deploy = ("deploy", "1", "--to", str(card), "platform:gb")
    with tmpfs(card, "4m"):
        assert cli(*deploy).code == 0
    assert list(card.iterdir()) == []  # the folder the card was mounted on
    for attempt in (deploy, (*deploy, "--dry-run")):
        refused = cli(*attempt)
        assert refused.code == 2 and "no card is mounted here" in refused.err, refused.err
        assert refused.err.count("\n") == 1
    assert list(card.iterdir()) == []
    # the folder an earlier release's deploy to the unmounted card filled, its own id there:
    # refused still (QA165 F2); and named through a link (F4)
    (card / CARD_DIR).mkdir()
    (card / CARD_DIR / "destination-id").write_text("file:left-by-an-earlier-run\n")
    assert cli(*deploy).code == 2
    linked = tmp_path / "card-link-unmounted"
    linked.symlink_to(card)
    through = cli("deploy", "1", "--to", str(linked), "platform:gb", "--dry-run")
    assert through.code == 2 and "no card is mounted here" in through.err, through.err
    shutil.rmtree(card / CARD_DIR)
    card.rmdir()  # (no folder at all: said as ever)
    gone = cli(*deploy)
    assert gone.code == 2 and "destination does not exist" in gone.err, gone.err
    card.mkdir()
    with tmpfs(card, "4m"):  # another (blank) card mounted there: deployed to
        assert cli(*deploy).code == 0
        assert (card / CARD_DIR).is_dir()
        # a mounted card reached through a link, wiped since: a card (review 36 F3)
        linked = tmp_path / "card-link"
        linked.symlink_to(card)
        through = ("deploy", "1", "--to", str(linked), "platform:gb")
        assert cli(*through).code == 0
        for entry in card.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        again = cli(*through)
        assert again.code == 0, again.err


def test_a_former_mount_point_used_as_a_plain_folder_on_purpose_deploys_with_plain_folder(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder once a card's mount point, now a plain folder of the computer on purpose,
    was refused with no way out: `--plain-folder` (said in the refusal) deploys there and
    records so; the newest deployment at the folder decides (a card mounted there and
    deployed to again brings the refusal back). Each other folder in the deployments is not
    looked at on each deploy: by path first."""
    library = tmp_path / "roms" / "gb"
    library.mkdir(parents=True)
    (library / "Alpha (USA).gb").write_bytes(hashlib.sha256(b"alpha").digest() * 512)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    deploy_args = ("deploy", "1", "--to", str(card), "platform:gb")
    with tmpfs(card, "4m"):
        assert cli(*deploy_args).code == 0
    refused = cli(*deploy_args)
    assert refused.code == 2 and "--plain-folder" in refused.err, refused.err
    dry = cli(*deploy_args, "--dry-run", "--plain-folder")
    assert dry.code == 0, dry.err
    assert cli(*deploy_args).code == 2  # (a dry run records nothing)
    done = cli(*deploy_args, "--plain-folder")
    assert done.code == 0, done.err
    assert (card / "ROMS").is_dir() or any(card.iterdir())
    again = cli(*deploy_args)  # the newest deployment here says: a plain folder
    assert again.code == 0, again.err
    db = open_database(db_path, OpenMode.READ).db
    try:
        options = [json.loads(row[0]) for row in db.query(
            "SELECT options_json FROM deployment_history ORDER BY id")]
    finally:
        db.close()
    assert [o.get("mounted", False) for o in options] == [True, False, False]
    assert [o["plain_folder"] for o in options] == [False, True, False]
    for entry in card.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    with tmpfs(card, "4m"):  # a card mounted there again, deployed to
        assert cli(*deploy_args).code == 0
    assert cli(*deploy_args).code == 2  # the card's deployment is the newest: refused
    # many deployments to other folders: none of them is resolved by this one's check
    db = open_database(db_path, OpenMode.WRITE).db
    try:
        with db.atomic():
            for number in range(50):
                db.execute(
                    "INSERT INTO deployment_history (device_profile_id, destination_path, "
                    "destination_id, options_json, status, started_at) VALUES (1, ?, ?, ?, "
                    "'completed', '2020-01-01')",
                    (str(tmp_path / f"other-{number}"), f"uuid:{number}", json.dumps(
                        {"mounted": True, "real_path": str(tmp_path / f"other-{number}")})))
        resolved: list[str] = []
        real = os.path.realpath

        def counting(path: Any, **how: Any) -> str:
            resolved.append(str(path))
            return real(path, **how)

        monkeypatch.setattr(execute.os.path, "realpath", counting)
        with pytest.raises(DeployError, match="no card is mounted here"):
            execute.refuse_an_unmounted_card(db, card)
        assert not any("other-" in path for path in resolved), resolved
    finally:
        monkeypatch.undo()
        db.close()


def test_a_former_mount_point_holding_our_plain_folder_deploy_says_so_when_refused(
        cli: Any, tmp_path: Path) -> None:
    """qa176 N10: a folder holding what a --plain-folder deploy wrote there, where a card was
    mounted and deployed to since, was refused as if it held nothing of ours; the refusal
    (kept: the newest deployment there was to a card, which may be away) names that
    deployment and the option that goes on with it."""
    library = tmp_path / "roms" / "gb"
    library.mkdir(parents=True)
    (library / "Alpha (USA).gb").write_bytes(hashlib.sha256(b"alpha").digest() * 512)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    deploy_args = ("deploy", "1", "--to", str(card), "platform:gb")
    with tmpfs(card, "4m"):
        assert cli(*deploy_args).code == 0  # deployment 1, a card
    assert cli(*deploy_args, "--plain-folder").code == 0  # deployment 2, this folder
    with tmpfs(card, "4m"):  # another card mounted over the folder, deployed to
        assert cli(*deploy_args).code == 0  # deployment 3
    refused = cli(*deploy_args)
    assert refused.code == 2, refused.err
    day = time.strftime("%Y-%m-%d", time.gmtime())
    assert refused.err.strip() == (
        f"error: {card}: no card is mounted here: deployment 3 ({day}) wrote to a card "
        f"mounted at this folder; the folder holds what deployment 2 ({day}) wrote to it with "
        "--plain-folder: deploy with --plain-folder to go on with that folder, or mount the "
        "card; nothing was changed"), refused.err
    assert cli(*deploy_args, "--plain-folder").code == 0
