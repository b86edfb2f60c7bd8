"""One driver per study: a lock on local folders, a lease with a heartbeat on object stores."""

import json
import time

import pytest

from gwin.errors import GwinError
from gwin.store.location import Folder, exists, read_json, write_json
from gwin.tune.driver_lock import LEASE_EXPIRES_S, LEASE_FILE, exclusive_driver
from tests.store import conftest as store_fixtures

s3 = store_fixtures.s3  # the moto S3 server of the store tests, on 127.0.0.1


def test_a_local_study_is_held_by_one_driver_and_released_after(tmp_path):
    study = Folder.at(tmp_path / "s")
    with exclusive_driver(study):
        owner = json.loads((tmp_path / "s" / LEASE_FILE).read_text())
        with pytest.raises(GwinError, match=f"another driver \\(pid {owner['pid']} on"):
            with exclusive_driver(study):  # a second open file description: refused
                pass
    with exclusive_driver(study):  # released: the next driver gets it
        pass


def test_an_object_store_study_is_leased_and_a_dead_lease_is_taken_over(s3):
    study = Folder.at(s3.fresh_uri("lease"))
    with exclusive_driver(study):
        assert exists(study.fs, study.path(LEASE_FILE))
        with pytest.raises(GwinError, match="being run by another driver"):
            with exclusive_driver(study):
                pass
    assert not exists(study.fs, study.path(LEASE_FILE))
    # a driver killed with SIGKILL leaves its lease behind; once expired it is no obstacle
    stale = {"host": "elsewhere", "pid": 1, "started": 0, "heartbeat": time.time() - 1}
    stale["heartbeat"] -= LEASE_EXPIRES_S
    write_json(study.fs, study.path(LEASE_FILE), stale)
    with exclusive_driver(study):
        assert read_json(study.fs, study.path(LEASE_FILE))["host"] != "elsewhere"


def test_the_lease_of_a_dead_driver_on_this_machine_is_taken_over_at_once(s3):
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    study = Folder.at(s3.fresh_uri("lease"))
    fresh = {"host": socket.gethostname(), "pid": int(gone.stdout), "started": time.time(),
             "heartbeat": time.time()}  # fmt: skip
    write_json(study.fs, study.path(LEASE_FILE), fresh)
    with exclusive_driver(study):  # a SIGKILLed driver's fresh lease: no 90 s wait
        pass
