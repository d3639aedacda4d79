"""The one train/val/test split."""

import pytest
import torch

from experiments.common.splits import split_bounds, split_indices


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


def _old_bounds(n, fractions):
    """Train and val cut points when every split was ``round(fraction * n)`` long (capped at n)."""
    train = min(round(fractions[0] * n), n)
    val = min(train + round(fractions[1] * n), n)
    return train, val


CASES = [
    (30, (0.75, 0.15, 0.1)),  # rounded: 22 + 4 + 3 = 29
    (10, (0.5, 0.25, 0.25)),  # 5 + 2 + 2 = 9
    (9, (0.6, 0.2, 0.2)),  # 5 + 2 + 2 = 9 (where truncating instead of rounding differs: 5 + 1)
    (100, (0.8, 0.1, 0.1)),
    (11, (1 / 3, 1 / 3, 1 / 3)),  # 4 + 4 + 4 = 12 > 11
    (1001, (0.7, 0.15, 0.15)),
]


@pytest.mark.parametrize(("n", "fractions"), CASES)
def test_fractions_summing_to_one_use_every_sample(n, fractions):
    splits = split_indices(n, fractions, seed=2, source="x")
    together = torch.cat([splits[k] for k in ("train", "val", "test")])
    assert sorted(together.tolist()) == list(range(n))


@pytest.mark.parametrize(("n", "fractions"), CASES)
def test_train_and_val_are_those_of_the_rounded_sizes(n, fractions):
    # Saved models were trained on these train indices: only the test split grows.
    splits = split_indices(n, fractions, seed=2, source="x")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(2))
    train, val = _old_bounds(n, fractions)
    assert torch.equal(splits["train"], order[:train])
    assert torch.equal(splits["val"], order[train:val])
    assert torch.equal(splits["test"], order[val:])


def test_known_sizes_of_the_reported_cases():
    sizes = {
        (n, fractions): [len(split) for split in split_indices(n, fractions, seed=0, source="x").values()]
        for n, fractions in CASES[:3]
    }
    assert sizes == {
        (30, (0.75, 0.15, 0.1)): [22, 4, 4],
        (10, (0.5, 0.25, 0.25)): [5, 2, 3],
        (9, (0.6, 0.2, 0.2)): [5, 2, 2],
    }


def test_fractions_below_one_leave_the_rest_unused():
    splits = split_indices(100, (0.5, 0.2, 0.1), seed=0, source="x")
    assert [len(splits[k]) for k in ("train", "val", "test")] == [50, 20, 10]


def test_an_empty_last_split_stays_empty():
    assert split_bounds(5, [0.5, 0.5, 0.0]) == [0, 2, 4, 4]  # rounding leaves one sample out, not in test
    assert split_bounds(30, [0.75, 0.15, 0.1 - 5e-7]) == [0, 22, 26, 30]  # a sum within the config's 1e-6
