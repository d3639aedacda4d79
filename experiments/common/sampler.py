"""Batch samplers whose order is a pure function of (seed, step), so resumed runs continue the
exact data stream of an uninterrupted run, and which shard data over DDP ranks."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler

from experiments.common.seeding import combined_seed


class ResumableBatchSampler(Sampler[list[int]]):
    """Endless stream of shuffled training batches, sharded over ranks.

    Epoch ``e`` uses the permutation drawn from a generator seeded with
    ``combined_seed(seed, e)`` (independent orders for neighbouring seeds); rank ``r``
    of ``world_size`` takes every ``world_size``-th index starting at ``r`` (all ranks get the
    same number of batches; the remainder of each epoch is dropped). The ``g``-th batch of the
    stream depends only on ``g``, so a run resumed at optimisation step ``g`` sees the same
    batches as an uninterrupted one.

    Parameters
    ----------
    num_samples : int
        Dataset length.
    batch_size : int
        Samples per batch on this rank.
    seed : int
        Base seed of the epoch permutations.
    rank, world_size : int
        Position in the process group.
    start_batch : int
        Index of the first batch of the stream to yield (the global step when resuming).
    """

    def __init__(
        self,
        num_samples: int,
        batch_size: int,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
        start_batch: int = 0,
    ) -> None:
        per_rank = num_samples // world_size
        if per_rank < batch_size:
            raise ValueError(
                f"training set of {num_samples} samples is too small for a per-process batch of "
                f"{batch_size} on {world_size} process(es)"
            )
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.start_batch = start_batch
        self.batches_per_epoch = per_rank // batch_size

    def __iter__(self) -> Iterator[list[int]]:
        epoch, offset = divmod(self.start_batch, self.batches_per_epoch)
        while True:
            generator = torch.Generator().manual_seed(combined_seed(self.seed, epoch))
            order = torch.randperm(self.num_samples, generator=generator)
            shard = order[self.rank :: self.world_size][: self.num_samples // self.world_size]
            for batch in range(offset, self.batches_per_epoch):
                yield shard[batch * self.batch_size : (batch + 1) * self.batch_size].tolist()
            epoch, offset = epoch + 1, 0

    def __len__(self) -> int:
        return self.batches_per_epoch


class ShardedSequentialBatchSampler(Sampler[list[int]]):
    """Sequential batches over this rank's shard ``rank::world_size`` (no padding, no
    duplicates), for validation whose sums are then reduced over ranks.

    Parameters
    ----------
    num_samples : int
        Dataset length.
    batch_size : int
        Samples per batch.
    rank, world_size : int
        Position in the process group.
    num_kept : int or None
        Keep only this many samples, a fixed random subset of the dataset in file order, before
        sharding: a capped validation of a file sorted (or alternating) by class still sees every
        class in its proportion, and any number of processes reads the same samples. None keeps all.
    """

    def __init__(
        self, num_samples: int, batch_size: int, rank: int = 0, world_size: int = 1, num_kept: int | None = None
    ):
        if num_kept is None or num_kept >= num_samples:
            positions = list(range(num_samples))
        else:
            # seeded: the same subset at every validation, in every process and every run
            chosen = torch.randperm(num_samples, generator=torch.Generator().manual_seed(0))[:num_kept]
            positions = chosen.sort().values.tolist()
        self.indices = positions[rank::world_size]
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[list[int]]:
        for start in range(0, len(self.indices), self.batch_size):
            yield self.indices[start : start + self.batch_size]

    def __len__(self) -> int:
        return (len(self.indices) + self.batch_size - 1) // self.batch_size
