"""A trial keeps to its CPU allotment: thread pools and niceness, read back from its trials row."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gwin.store.reader import read_table

pytestmark = pytest.mark.slow
STUDIES = Path(__file__).resolve().parents[2] / "studies"


def test_a_study_trial_runs_with_pools_no_larger_than_its_cpus_and_at_niceness_0(
    tiny, tmp_path, warm_cache
):
    # a fresh Ray started by the study itself (not the tests' fixture), as a user gets it
    argv = [*tiny, "--storage", str(tmp_path), "--lambdas", "1", "--seeds", "1",
            "--cpus-per-trial", "1", "--cache-dir", warm_cache]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "RAY_worker_niceness"}
    done = subprocess.run(
        [sys.executable, str(STUDIES / "ablation_lambda.py"), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    row = read_table(tmp_path / "ablation_lambda", "trials").iloc[0]
    # torch intra- and inter-op, OpenMP/BLAS (threadpoolctl) and pyarrow pools: one thread each
    assert row["worker_threads"] == 1 and row["worker_interop_threads"] == 1
    # Ray's default niceness (15) would leave the trial a sliver of a core beside nice-0 work
    assert row["worker_niceness"] == 0
