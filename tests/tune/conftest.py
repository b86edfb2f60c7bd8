"""Ray on loopback for the study tests: environment, tiny trial settings, shared fixtures.

The environment is set at import, before any test imports Ray (Ray reads
RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER when first imported). Token auth uses a fixed token from
RAY_AUTH_TOKEN, so nothing is written under $HOME/.ray.
"""

import os
import runpy
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.study_flags import TINY

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_AUTH_MODE"] = "token"
os.environ["RAY_AUTH_TOKEN"] = "gwin-tests-0123456789abcdef0123456789"
os.environ.setdefault("RAY_DEDUP_LOGS", "0")
# A short session folder of our own (Ray's unix sockets limit path lengths).
_RAY_TMP = tempfile.mkdtemp(prefix="gwr", dir="/tmp")
os.environ["RAY_TMPDIR"] = _RAY_TMP


STUDIES = Path(__file__).resolve().parents[2] / "studies"


def run_study(script: str, argv: list[str]) -> int:
    """Run studies/<script> as `python studies/<script> ARGV` would, in this process."""
    path = STUDIES / script
    saved = sys.argv
    sys.argv = [str(path), *argv]
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as done:
        return int(done.code or 0)
    finally:
        sys.argv = saved
    raise AssertionError(f"{script} did not exit")


@pytest.fixture(scope="session")
def study():
    """run_study(script, argv) -> exit status."""
    return run_study


@pytest.fixture(scope="session")
def tiny():
    """Flags for a tiny trial (a tuple: extend it with [*tiny, ...])."""
    return tuple(TINY)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_RAY_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """A classifier cache shared by tests that do not count classifier trainings."""
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for a module's in-process studies (study_main reuses a running Ray)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()
