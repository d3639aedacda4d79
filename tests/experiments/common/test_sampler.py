"""Batch samplers: resumable order and sharding over ranks."""

from __future__ import annotations

import itertools

import pytest

from experiments.common.sampler import ResumableBatchSampler, ShardedSequentialBatchSampler


def _take(sampler, n):
    return list(itertools.islice(iter(sampler), n))


def test_stream_depends_only_on_the_batch_index():
    full = _take(ResumableBatchSampler(50, 8, seed=3), 20)
    resumed = _take(ResumableBatchSampler(50, 8, seed=3, start_batch=7), 13)
    assert resumed == full[7:]
    # Each epoch (6 batches of 8 from 50 samples) uses distinct samples, and epochs differ.
    assert len(set(sum(full[:6], []))) == 48
    assert full[:6] != full[6:12]


def test_neighbouring_seeds_do_not_share_epochs():
    # seed + epoch made seed 4's first epoch seed 3's second: seed replicas saw one batch stream
    epochs = {seed: _take(ResumableBatchSampler(50, 8, seed=seed), 12) for seed in (3, 4)}
    assert epochs[4][:6] != epochs[3][6:12] and epochs[4][:6] != epochs[3][:6]


def test_ranks_get_disjoint_shards_of_equal_length():
    ranks = [_take(ResumableBatchSampler(50, 4, seed=0, rank=r, world_size=2), 6) for r in (0, 1)]
    first_epoch = [set(sum(batches, [])) for batches in ranks]
    assert not first_epoch[0] & first_epoch[1]
    assert len(first_epoch[0]) == len(first_epoch[1]) == 24


def test_too_small_dataset():
    with pytest.raises(ValueError, match="too small"):
        ResumableBatchSampler(10, 8, seed=0, world_size=2)


def test_sequential_shards_cover_everything_once():
    batches = [list(ShardedSequentialBatchSampler(11, 2, r, 3)) for r in range(3)]
    indices = sorted(i for rank in batches for batch in rank for i in batch)
    assert indices == list(range(11))


def test_kept_samples_are_spread_over_the_split_and_alike_for_any_number_of_processes():
    # Validation files sorted by class (500 of class 0, then 500 of class 1) or alternating (0, 1,
    # 0, 1, ...) capped at 100 samples keep both classes in about their proportion; the first 100
    # rows of the sorted one, or every 10th row of the alternating one, are all class 0.
    single = [i for batch in ShardedSequentialBatchSampler(1000, 16, num_kept=100) for i in batch]
    assert len(set(single)) == 100 and single == sorted(single)
    assert 35 <= sum(i >= 500 for i in single) <= 65
    assert 35 <= sum(i % 2 for i in single) <= 65
    shards = [ShardedSequentialBatchSampler(1000, 8, r, 2, num_kept=100) for r in (0, 1)]
    assert sorted(i for shard in shards for batch in shard for i in batch) == single
    assert list(ShardedSequentialBatchSampler(3, 2, num_kept=10)) == [[0, 1], [2]]
