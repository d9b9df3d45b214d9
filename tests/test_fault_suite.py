"""A few seeds of the fault suite in CI (``python -m tests.faultsuite`` runs more)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faultsuite import WORKLOADS, SuiteResult, run_workload

SEEDS = [int(s) for s in os.environ.get("ROMRUNNER_FAULT_SEEDS", "1,2").split(",")]


@pytest.mark.skipif(os.name != "posix", reason="kills process groups (POSIX)")
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_killed_command_leaves_a_sound_database_and_reruns_to_the_same_state(
        name: str, tmp_path: Path) -> None:
    result = SuiteResult()
    run_workload(WORKLOADS[name], tmp_path, SEEDS, result)
    assert len(result.trials) == len(SEEDS)
    assert [(t.seed, t.outcome, t.detail) for t in result.failures()] == []
