"""The device policy, in one place: what "auto" means, what a study may ask of Ray, how many
inputs a Monte Carlo chunk holds on each kind of device, and how many threads a trial uses."""

from __future__ import annotations

import os

from gwin.errors import GwinError


def resolve_device(requested: str, gpu_held: bool | None = None):
    """The torch device for a trial. "auto" is CUDA when it is available and, inside a Ray
    trial (`gpu_held` not None), only when Ray gave the trial a GPU, so CPU-only trials never
    crowd a GPU that another trial holds."""
    import torch

    if requested == "auto":
        cuda = torch.cuda.is_available() if gpu_held is None else gpu_held
        return torch.device("cuda" if cuda else "cpu")
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise GwinError(
            f"device {requested!r} requested but CUDA is not available; use --device cpu"
        )
    # torch accepts these names on any machine and fails only at the first tensor put there,
    # after the data has loaded and perhaps the classifier trained
    if requested.startswith("cuda:") and int(requested[5:]) >= torch.cuda.device_count():
        raise GwinError(
            f"device {requested!r} requested but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s), cuda:0 to cuda:"
            f"{torch.cuda.device_count() - 1}"
        )
    _check_mps(requested)
    return torch.device(requested)


def _check_mps(requested: str) -> None:
    if requested != "mps":
        return  # no torch import (seconds) for a study that asks for no MPS
    import torch

    if not torch.backends.mps.is_available():
        raise GwinError(
            "device 'mps' requested but MPS is not available here (it needs Apple silicon "
            "and a torch built with it); use --device cpu or auto"
        )


def check_device_here(requested: str) -> None:
    """`resolve_device`'s checks alone, for a command line before it starts any work (torch
    is imported only for a device other than auto and cpu, which every machine has)."""
    if requested not in ("auto", "cpu"):
        resolve_device(requested)


def check_study_devices(device: str | None, gpus_per_trial: float, address: str | None) -> None:
    """A study's --device and --gpus-per-trial must agree with each other and, when Ray runs on
    this machine, with its hardware; one line says which flag to change."""
    device = device or "auto"
    if address is None:  # Ray runs here: its trials have this machine's devices
        _check_mps(device)
    if gpus_per_trial == 0 and device.startswith("cuda"):
        raise GwinError(
            f"--device {device} needs --gpus-per-trial > 0, or Ray will not reserve "
            "a GPU for the trials"
        )
    if gpus_per_trial == 0 or address is not None:
        # a cluster's workers, not this driver, have (or get) the GPUs; with --device cpu its
        # GPU slots only pack trials onto nodes (e.g. a test cluster's fake GPUs)
        return
    import torch

    if not torch.cuda.is_available():
        raise GwinError(
            f"--gpus-per-trial {gpus_per_trial:g} but CUDA is not available here; pass "
            "--gpus-per-trial 0 to run the trials on CPU"
        )


def mc_chunk(device) -> int:
    """Inputs per Monte Carlo chunk (each of its T draws is one forward of that many rows). On a
    CPU 100-250 rows run fastest (docs/performance.md); a GPU wants many rows to fill it, and
    4,096 keep a bcnn trial under 3 GiB."""
    return 4_096 if device.type == "cuda" else 250


def keep_to_cpus(cpus: float) -> dict[str, int]:
    """Size every thread pool of this process to a trial's CPU allotment, before any work.

    torch's intra- and inter-op pools, the OpenMP and BLAS pools of torch, numpy and scipy
    (threadpoolctl) and pyarrow's pool otherwise start one thread per core of the machine; a
    trial that holds one CPU of two then competes with its neighbour for both. Returns what the
    pools now hold and this process' niceness, which the trials row records.
    """
    import pyarrow
    import threadpoolctl
    import torch

    n = max(1, int(cpus))
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:
        pass  # settable once per process; a reused Ray actor already set it
    threadpoolctl.threadpool_limits(limits=n)
    pyarrow.set_cpu_count(n)
    pools = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
    return {
        "worker_threads": max([torch.get_num_threads(), pyarrow.cpu_count(), *pools]),
        "worker_interop_threads": torch.get_num_interop_threads(),
        "worker_niceness": os.nice(0),
    }
