"""How many torch CPU threads a process should use, and a warning when the machine is busier
than its cores.

OpenMP threads that outnumber the free cores spin-wait for each other: on a loaded 2-core
machine a training step took 37 s with 2 threads against 4 s with 1 (issue 20). The default
thread count therefore comes from the cores this process may actually use (its CPU affinity,
e.g. a Slurm allocation, and a cgroup CPU quota, e.g. a container limit), shared among the
processes of one node (DDP ranks).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import torch

__all__ = [
    "CGROUP_CPU_MAX",
    "apply_num_threads",
    "available_cores",
    "cgroup_cpu_quota",
    "configured_num_threads",
    "default_num_threads",
    "warn_if_oversubscribed",
]

LOGGER = logging.getLogger("lorentznets")

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
"""cgroup v2 CPU bandwidth limit of this process's group: ``"<quota> <period>"`` in microseconds,
or ``"max <period>"`` without a limit."""


def cgroup_cpu_quota(cpu_max: Path = CGROUP_CPU_MAX) -> float | None:
    """CPU cores' worth of time the cgroup may use (quota / period), or None without a limit.

    Parameters
    ----------
    cpu_max : Path
        The cgroup v2 ``cpu.max`` file; a missing or unreadable file means no limit.
    """
    try:
        quota, period = cpu_max.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return int(quota) / int(period)


def available_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """CPU cores this process may run on: its affinity set, capped by the cgroup quota (rounded
    down, at least 1).

    Parameters
    ----------
    cpu_max : Path
        The cgroup v2 ``cpu.max`` file (see :func:`cgroup_cpu_quota`).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cgroup_cpu_quota(cpu_max)
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return cores


def default_num_threads(local_world_size: int = 1, cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """Torch threads per process: the available cores shared evenly among the processes of
    this node, at least 1.

    Parameters
    ----------
    local_world_size : int
        Processes on this node (``LOCAL_WORLD_SIZE`` under torchrun; 1 without DDP).
    cpu_max : Path
        The cgroup v2 ``cpu.max`` file (see :func:`cgroup_cpu_quota`).
    """
    return max(1, available_cores(cpu_max) // max(1, local_world_size))


def configured_num_threads(configured: int | str, cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """Torch threads per process for the config value ``num_threads``: ``"auto"`` is
    :func:`default_num_threads` for the processes of this node (``LOCAL_WORLD_SIZE``, set by
    torchrun; 1 without it), anything else the integer it holds.

    Parameters
    ----------
    configured : int or str
        ``num_threads`` of the config: a positive integer or ``"auto"``.
    cpu_max : Path
        The cgroup v2 ``cpu.max`` file (see :func:`cgroup_cpu_quota`).
    """
    if configured == "auto":
        return default_num_threads(int(os.environ.get("LOCAL_WORLD_SIZE", "1")), cpu_max)
    return int(configured)


def apply_num_threads(configured: int | str) -> int:
    """Set torch's threads for the config value ``num_threads``
    (:func:`configured_num_threads`), warn when the machine is oversubscribed
    (:func:`warn_if_oversubscribed`), and return the number set."""
    threads = configured_num_threads(configured)
    torch.set_num_threads(threads)
    warn_if_oversubscribed(threads)
    return threads


def warn_if_oversubscribed(threads: int, cpu_max: Path = CGROUP_CPU_MAX) -> bool:
    """Log a warning when the machine's 1-minute load average plus ``threads`` exceeds the
    available cores by more than half a core.

    Parameters
    ----------
    threads : int
        Torch threads this process is about to use.
    cpu_max : Path
        The cgroup v2 ``cpu.max`` file (see :func:`cgroup_cpu_quota`).

    Returns
    -------
    bool
        Whether the warning was logged.
    """
    load = os.getloadavg()[0]
    cores = available_cores(cpu_max)
    # Half a core of slack: an idle machine's load of 0.1 with as many threads as cores is no
    # contention (it warned on every idle start).
    # one thread has nothing to wait for, and the advice below would be what it already does
    if threads <= 1 or load + threads <= cores + 0.5:
        return False
    LOGGER.warning(
        "machine load %.1f plus %d torch thread(s) exceeds the %d available core(s): threads will "
        "wait for each other and training may be many times slower; set num_threads=1 or run "
        "when the machine is free (docs/running.md, Threads)",
        load,
        threads,
        cores,
    )
    return True
