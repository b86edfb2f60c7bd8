"""Tiny trial settings and shared fixtures for the study tests (Ray's environment is set in
tests/conftest.py, before any test module imports Ray)."""

import runpy
import sys
from pathlib import Path

import pytest

from tests.study_flags import TINY

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
