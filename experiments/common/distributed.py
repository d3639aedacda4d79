"""Process-group handling for single-process and ``torchrun`` (DistributedDataParallel) runs.

Under ``torchrun`` the environment variables ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` are set
and the process group is initialised with the ``env://`` rendezvous: ``nccl`` on CUDA, ``gloo``
on CPU. Without them everything degrades to a single process and the collective helpers are
identities.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class DistributedContext:
    """Where this process sits in the (possibly trivial) process group.

    Attributes
    ----------
    rank : int
        Global rank, 0 for a single process.
    world_size : int
        Number of processes.
    local_rank : int
        Rank on this node, used to pick the CUDA device.
    device : torch.device
        Device for this process.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        """True on rank 0, the only rank that logs, checkpoints and talks to MLflow."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        """True when more than one process takes part."""
        return self.world_size > 1

    def barrier(self) -> None:
        """Wait for all ranks (no-op for a single process)."""
        if self.is_distributed:
            dist.barrier()

    def all_reduce_sum(self, values: torch.Tensor) -> torch.Tensor:
        """Sum a tensor over ranks.

        Parameters
        ----------
        values : torch.Tensor with any shape

        Returns
        -------
        torch.Tensor with the same shape, summed over ranks.
        """
        if not self.is_distributed:
            return values
        reduced = values.detach().clone().to(self.device)
        dist.all_reduce(reduced, op=dist.ReduceOp.SUM)
        return reduced.to(values.device)

    def broadcast_object(self, obj: Any) -> Any:
        """Send a picklable object from rank 0 to every rank and return it."""
        if not self.is_distributed:
            return obj
        holder = [obj]
        dist.broadcast_object_list(holder, src=0)
        return holder[0]

    def all_gather_tensor(self, values: torch.Tensor) -> torch.Tensor:
        """Concatenate per-rank tensors of possibly different lengths along dim 0.

        Parameters
        ----------
        values : torch.Tensor with shape (n_rank, ...)

        Returns
        -------
        torch.Tensor with shape (sum of n_rank over ranks, ...), ordered by rank.
        """
        if not self.is_distributed:
            return values
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, values.detach().cpu())
        return torch.cat(gathered, dim=0)

    def all_gather_object(self, obj: Any) -> list[Any]:
        """The picklable ``obj`` of every rank, ordered by rank (``[obj]`` in one process)."""
        if not self.is_distributed:
            return [obj]
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, obj)
        return gathered

    def shutdown(self) -> None:
        """Destroy the process group if this context created one."""
        if self.is_distributed and dist.is_initialized():
            dist.destroy_process_group()


PROCESS_GROUP_TIMEOUT = timedelta(hours=6)
"""How long a rank waits in a collective: the other ranks wait at a barrier while rank 0 alone
generates or converts data, evaluates (a JetClass test set, event-generation sampling and
likelihoods), plots and exports; torch's defaults (10 min with NCCL, 30 min with gloo) killed a
run whose evaluation took longer, after its training."""


def run_store() -> dist.Store | None:
    """The key-value store shared by the processes of this ``torchrun`` run (its rendezvous
    store, made at the first call), or None in a single process.

    The process group is built on it, and it outlives the group: processes ending with an error
    or a stop request still tell each other through it (:func:`first_to_say`,
    :func:`~experiments.common.stop_request.share_stop_requests`).
    """
    if int(os.environ.get("WORLD_SIZE", "1")) == 1:
        return None
    # keys of an earlier attempt (torchrun --max-restarts) are not this one's
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    return dist.PrefixStore(f"lorentznets/{attempt}", _rendezvous_store())


@functools.cache
def _rendezvous_store() -> dist.Store:
    store, _, _ = next(dist.rendezvous("env://", timeout=PROCESS_GROUP_TIMEOUT))
    store.set_timeout(PROCESS_GROUP_TIMEOUT)
    return store


def first_to_say(message: str) -> bool:
    """Whether this process is the first of the run to report ``message`` (True in a single
    process, or where the other processes cannot be asked): a line that every rank has, such as
    a refusal of the config, is printed once."""
    try:
        store = run_store()
        if store is None:
            return True
        return store.add("said/" + hashlib.sha256(message.encode()).hexdigest(), 1) == 1
    except (RuntimeError, ValueError):  # store unreachable: better twice than never
        return True


def init_distributed(device: str = "auto") -> DistributedContext:
    """Initialise the process group when running under ``torchrun``.

    Parameters
    ----------
    device : str
        ``"auto"`` (CUDA if available, else CPU), ``"cpu"`` or ``"cuda"``.

    Returns
    -------
    DistributedContext
    """
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return DistributedContext(device=torch.device(device))
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "cuda":
        torch.cuda.set_device(local_rank)
        torch_device = torch.device("cuda", local_rank)
    else:
        torch_device = torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group(
            backend="nccl" if device == "cuda" else "gloo",
            store=_rendezvous_store(),
            rank=rank,
            world_size=world_size,
            timeout=PROCESS_GROUP_TIMEOUT,
        )
    return DistributedContext(rank, world_size, local_rank, torch_device)
