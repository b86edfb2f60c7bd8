"""Shared fixtures: one tiny `smoke` trial on digits, run once per session."""

import os

import pytest

# Ray (tests/tune, tests/test_cluster_*) must stay on loopback; set before any import of ray.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

TINY = dict(dataset="digits", iterations=12, eval_every=6, checkpoint_every=6, progress=False)


@pytest.fixture(scope="session")
def tiny_cfg(tmp_path_factory):
    from gwin.config import TrialConfig

    cache = tmp_path_factory.mktemp("artifact-cache")
    return TrialConfig.from_preset("smoke", cache_dir=str(cache), **TINY)


@pytest.fixture(scope="session")
def tiny_trial(tiny_cfg):
    from gwin.trial import run_trial

    return run_trial(tiny_cfg)


@pytest.fixture
def one_thread():
    """Many tiny forward passes: thread hand-offs cost more than they save on a busy 2-core CPU."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
