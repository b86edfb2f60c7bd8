"""Shared fixtures: one tiny `smoke` trial on digits, run once per session."""

import os
import shutil
import tempfile

import pytest

# Ray must stay on loopback, with token auth (a fixed token, so nothing is written under
# $HOME/.ray). Set here, before any test module is collected: Ray reads these when first
# imported, and modules outside tests/tune (tests/store) import it too; set later, a token
# mode mismatch keeps every later Ray from starting.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_AUTH_MODE"] = "token"
os.environ["RAY_AUTH_TOKEN"] = "gwin-tests-0123456789abcdef0123456789"
os.environ.setdefault("RAY_DEDUP_LOGS", "0")
# A short session folder of our own (Ray's unix sockets limit path lengths).
_RAY_TMP = tempfile.mkdtemp(prefix="gwr", dir="/tmp")
os.environ["RAY_TMPDIR"] = _RAY_TMP
# At every start Ray 2.60's dashboard (UsageStatsHead, loaded even with include_dashboard=False
# and usage stats off) asks the Azure, GCP and AWS metadata servers (169.254.169.254,
# metadata.google.internal) which cloud it runs on, via `requests`. A proxy on a closed loopback
# port makes those requests fail on this machine; loopback itself (Ray, the test servers) is
# exempt. Subprocesses (study drivers, Ray's processes) inherit this. Seen with strace: the
# three requests go to 127.0.0.1:9 and nothing leaves loopback.
for _name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
    os.environ[_name] = "http://127.0.0.1:9"
for _name in ("NO_PROXY", "no_proxy"):
    os.environ[_name] = "127.0.0.1,localhost,::1"

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


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_RAY_TMP, ignore_errors=True)
