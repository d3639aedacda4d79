"""The one train/val/test split."""

import pytest
import torch

from experiments.common.splits import split_indices


def test_split_is_a_seeded_partition_independent_of_torch_global_seed():
    torch.manual_seed(0)
    splits = split_indices(100, (0.8, 0.1, 0.1), seed=3, source="x")
    assert [len(splits[k]) for k in ("train", "val", "test")] == [80, 10, 10]
    together = torch.cat([splits[k] for k in ("train", "val", "test")])
    assert sorted(together.tolist()) == list(range(100))
    torch.manual_seed(1)
    again = split_indices(100, (0.8, 0.1, 0.1), seed=3, source="x")
    assert all(torch.equal(again[k], splits[k]) for k in splits)
    assert not torch.equal(split_indices(100, (0.8, 0.1, 0.1), seed=4, source="x")["test"], splits["test"])


def test_bad_splits_are_clear_errors():
    with pytest.raises(ValueError, match="events.h5: 5 samples are too few for a non-empty val split"):
        split_indices(5, (0.8, 0.1, 0.1), seed=0, source="events.h5")
    with pytest.raises(ValueError, match="summing to <= 1"):
        split_indices(100, (0.8, 0.2, 0.1), seed=0, source="x")
