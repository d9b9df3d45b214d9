"""A few seeds of the fault suite in CI (``python -m tests.faultsuite`` runs more).

Every writing command is SIGKILLed at seeded random points; then each hostile environment of
issue 17 (the parent killed alone, a concurrent writer, a full disk, a read-only mount, the
database replaced or deleted mid-run, a root vanishing mid-walk) is tried on one shared
library. ``ROMRUNNER_FAULT_SEEDS=1,2,3`` chooses the seeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from romrunner.store import Database
from tests.conftest import mounted_tmpfs
from tests.faultsuite import (
    FAILURES,
    KINDS,
    READ_COMMANDS,
    WORKLOADS,
    Scene,
    SuiteResult,
    _copy_db,
    deploy_command_exists,
    make_scene,
    render_markdown,
    romrunner,
    run_kinds,
    run_workload,
)

SEEDS = [int(s) for s in os.environ.get("ROMRUNNER_FAULT_SEEDS", "1,2").split(",")]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="kills process groups and reads /proc (Linux)")


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_killed_command_leaves_a_sound_database_and_reruns_to_the_same_state(
        name: str, tmp_path: Path) -> None:
    result = SuiteResult()
    run_workload(WORKLOADS[name], tmp_path, SEEDS, result)
    assert len(result.trials) == len(SEEDS)
    assert [(t.seed, t.outcome, t.detail) for t in result.failures()] == []


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    yield make_scene(tmp_path_factory.mktemp("faults"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_hostile_environment_loses_nothing_and_says_why(kind: str, scene: Scene) -> None:
    result = SuiteResult()
    run_kinds(scene.workspace.parent, SEEDS, result, [kind], scene)
    assert len(result.trials) == len(SEEDS)
    assert [(t.seed, t.outcome, t.detail) for t in result.failures()] == []
    skipped = [t.detail for t in result.trials if t.outcome == "skipped"]
    if len(skipped) == len(SEEDS):
        pytest.skip(skipped[0])


HOLDER = """
import sys
from pathlib import Path
from romrunner.store.lock import WriterLock
lock = WriterLock(Path(sys.argv[1]), "scan")
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_commands_that_only_read_work_while_another_writes(scene: Scene) -> None:
    """Issue 12 item 10 and issue 17 item 11: reading never waits for a writer (nor fails
    because one runs), even when the command would record the pack first."""
    db = scene.workspace / "reading.db"
    _copy_db(scene.reference, db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = [(args, done.stderr.strip()) for args in READ_COMMANDS
                   if (done := romrunner(db, *args)).returncode not in (0, 1)]
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert refused == []


def test_commands_that_only_read_work_on_a_read_only_mount(scene: Scene) -> None:
    mount = scene.workspace / "ro-readers"
    with mounted_tmpfs(mount, "64m"):
        db = mount / "library.db"
        _copy_db(scene.reference, db)
        Database(db).close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        refused = [(args, done.stderr.strip()) for args in READ_COMMANDS
                   if (done := romrunner(db, *args)).returncode not in (0, 1)]
    assert refused == []


def test_deploy_is_in_the_suite_once_it_exists() -> None:
    if deploy_command_exists() and "deploy" not in WORKLOADS:
        pytest.skip("romrunner deploy exists: write its workload in "
                    "tests/faultsuite.py:_deploy_workloads")
    assert ("deploy" in WORKLOADS) == deploy_command_exists()


def test_the_report_counts_failures_and_missed_windows_apart() -> None:
    from tests.faultsuite import Trial
    result = SuiteResult(durations={"scan (scene)": 1.0, "scan": 2.0})
    result.trials = [Trial("scan", 1, 0.5), Trial("scan", 2, 0.7, "orphan", "a worker"),
                     Trial("full disk", 1, 0.0, "missed", "fitted"),
                     Trial("full disk", 2, 0.0, "wrong-message", "internal error: X|Y")]
    text = render_markdown(result, "python -m tests.faultsuite")
    assert "| `scan` | 2.00 | 2 | 1 | 1 | orphan: a worker |" in text
    assert "| 2 | 0 | 1 (missed 1) | 1 | wrong-message: internal error: X\\|Y |" in text
    assert {t.outcome for t in result.failures()} <= set(FAILURES)
