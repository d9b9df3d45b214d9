"""Shared fixtures: the real data beside the repo, and running the CLI for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from romrunner.cli.main import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (tests read ../shared/)")
    return path


@dataclass
class CliResult:
    """Exit code and output of one CLI run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The one JSON document on stdout."""
        return json.loads(self.out)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.db"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the CLI in-process against a temporary database; returns a CliResult."""
    monkeypatch.setenv("ROMRUNNER_DB", str(db_path))
    monkeypatch.delenv("ROMRUNNER_PACK", raising=False)

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def muos_profile(cli: Any, root: Path) -> None:
    """Add ``root`` as a library root, scan it, and make profile 1 an RG35XX Plus on muOS:
    the set-up most deploy tests start from."""
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def knulli_card_deployed(cli: Any, tmp_path: Path, names: list[str] | tuple[str, ...],
                         card: Path | None = None, os_id: str = "knulli") -> tuple[Path, Path]:
    """Game Boy files ``names`` (bytes of their own each) in ``tmp_path/lib/gb``, scanned, an
    RG35XX Plus on KNULLI (or ``os_id``) as profile 1, and its auto-list deployed to
    ``card`` (default ``tmp_path/card``, made here unless it is there): the library's
    folder and the card."""
    lib = tmp_path / "lib" / "gb"
    lib.mkdir(parents=True)
    for i, name in enumerate(names):
        (lib / name).write_bytes(bytes([i + 1]) * 4096 + bytes(range(256)) * (i + 1))
    card = card or tmp_path / "card"
    card.mkdir(parents=True, exist_ok=True)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id),
                 ("deploy", "1", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    return lib, card


def real_pack_profile(cli: Any, tmp_path: Path, game: str, fill: bytes, device: str,
                      os_id: str) -> str:
    """One game (``game``: its path under the library, of 8 KiB of ``fill``) scanned with
    the real definition pack, and profile 1 a ``device`` on ``os_id``; the pack's path (the
    test skips without it)."""
    pack = str(shared_path("definition-pack"))
    path = tmp_path / "lib" / game
    path.parent.mkdir(parents=True)
    path.write_bytes(fill * 8192)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", device),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        assert cli("--pack", pack, *args).code == 0, args
    return pack


@contextmanager
def mounted_tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``where`` with ``options`` (its size first, as "8m" or
    "64k,nr_inodes=16"), unmounted at the end whatever happened; the test is skipped,
    with the reason, where no tmpfs can be mounted (it needs root)."""
    from tests.faultsuite import _mount_tmpfs, _umount

    reason = _mount_tmpfs(where, options)
    if reason:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {reason}")
    try:
        yield where
    finally:
        _umount(where)


def run_subprocess(*args: str, env: dict[str, str | None] | None = None,
                   cwd: Path | None = None) -> CliResult:
    """Run ``romrunner`` as a real child process (``env``: variables set, or with None
    unset)."""
    full_env = {key: value for key, value in {**os.environ, **(env or {})}.items()
                if value is not None}
    proc = subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# Run first in the child: it stops for good at the rename that would put ``TARGET`` in
# place (its temporary file complete and held, as a writer killed just then leaves it).
_STOP_AT_RENAME = """
import signal, sys
def _stop(event, args):
    if event == "os.rename" and str(args[1]) == TARGET:
        print("ready", flush=True)
        signal.pause()
sys.addaudithook(_stop)
"""


@contextmanager
def writer_killed_before_rename(target: Path, code: str) -> Iterator[None]:
    """Run ``code`` (Python; ``TARGET`` is ``target``'s path) in a real child process that
    writes ``target`` through a temporary file, held just before the rename that would put
    it in place; the body runs while it waits, and on leaving it is killed (SIGKILL)."""
    source = f"TARGET = {str(target)!r}\n{_STOP_AT_RENAME}\n{code}"
    proc = subprocess.Popen([sys.executable, "-c", source], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n", \
            "the writer ended before its rename"
        yield
    finally:
        proc.kill()
        proc.wait()
