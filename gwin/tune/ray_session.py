"""The driver's Ray: started on loopback with the environment a study needs, or joined at
--address; shut down again only if this driver started it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from gwin.errors import GwinError
from gwin.tune.auth_token import private_token
from gwin.tune.driver_lock import DriverLease, processes_started_here
from gwin.tune.verbosity import DEFAULT, ray_init_options, study_output


def local_ray_env() -> None:
    """The environment of a Ray started on this machine. Ray reads it when first imported: a
    process that imports ray earlier (a benchmark that patches Tune) calls this before."""
    # Ray reads this when first imported: single-node Ray then binds to 127.0.0.1 only.
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    # Token auth for the local cluster even on loopback: other users of a shared machine can
    # reach loopback ports. Ray 2.60 knows "token" and "disabled"; with "token" it uses
    # RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH if set, else creates ~/.ray/auth_token.
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    if os.environ["RAY_AUTH_MODE"] == "token":
        private_token()  # before Ray creates it readable by every user (gwin.tune.auth_token)
    # Ray starts its workers at niceness 15, so a trial gets a sliver of a core beside any
    # nice-0 process (a notebook, a second study's driver, a data loader): 6.5x slower beside
    # a 2-thread neighbour (docs/performance.md, "Beside other work"). 0 is a fair share.
    os.environ.setdefault("RAY_worker_niceness", "0")


@contextmanager
def ray_session(args: argparse.Namespace, lease: DriverLease | None = None) -> Iterator[None]:
    """Start Ray on loopback, or connect to --address; shut down what we started, even on error.

    An already initialised Ray (a notebook, a test fixture) is used as is and left running.
    The processes of a Ray started here are recorded in the study's `lease`, so that the next
    driver can stop those a killed driver left behind.
    """
    if args.address is None:
        local_ray_env()
    # Smoke runs checkpoint every few seconds; the experiment-state snapshots Tune then warns
    # about take milliseconds.
    os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "0")
    import ray

    verbosity = getattr(args, "verbosity", DEFAULT)
    with study_output(verbosity):  # Ray's and Tune's console at -q, default or -v
        if ray.is_initialized():
            yield
            return
        quiet = ray_init_options(verbosity, progress=bool(getattr(args, "progress", False)))
        with _ray_started(args, lease, quiet):
            yield


@contextmanager
def _ray_started(
    args: argparse.Namespace, lease: DriverLease | None, options: dict
) -> Iterator[None]:
    import ray

    try:
        if args.address is None:
            ray.init(include_dashboard=False, _node_ip_address="127.0.0.1", **options)
        elif args.address.startswith("ray://"):  # a Ray Client streams its own output
            ray.init(address=args.address)
        else:
            ray.init(address=args.address, **options)
    except Exception as err:  # noqa: BLE001 - Ray raises several types; show one line
        ray.shutdown()
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise GwinError(f"cannot start or join Ray ({first})") from err
    if lease is not None and args.address is None:
        lease.record(ray_processes=processes_started_here())
    try:
        if args.address is not None and args.gpus_per_trial > 0:
            if not ray.cluster_resources().get("GPU", 0):
                print(
                    "warning: the cluster has no GPUs yet; trials wait until an autoscaler "
                    "adds GPU nodes",
                    file=sys.stderr,
                )
        yield
    finally:
        ray.shutdown()
