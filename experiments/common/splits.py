"""The one train/val/test split of every experiment that splits a single data set."""

from __future__ import annotations

from collections.abc import Sequence

import torch

SPLITS = ("train", "val", "test")


def split_bounds(n: int, fractions: Sequence[float]) -> list[int]:
    """Cut points ``[0, b1, b2, b3]`` of ``n`` samples into the splits of :data:`SPLITS`, each
    ``round(fraction * n)`` long (capped at ``n``); when the fractions sum to 1 (within the
    config check's 1e-6) and the last is not 0, the last split takes all the samples after the
    others (``b3 = n``), so that rounding leaves none unused.

    Only the last split absorbs the rounding: the earlier cut points are the same as when every
    split was rounded, so a saved model's training samples stay in its training split.

    Parameters
    ----------
    n : int
    fractions : sequence of 3 float

    Returns
    -------
    list of 4 int
    """
    bounds = [0]
    for fraction in fractions:
        bounds.append(min(bounds[-1] + int(round(fraction * n)), n))
    if abs(sum(fractions) - 1) <= 1e-6 and fractions[-1] > 0:
        bounds[-1] = n
    return bounds


def split_indices(n: int, fractions: Sequence[float], seed: int, source: str) -> dict[str, torch.Tensor]:
    """Random disjoint train/val/test indices, seeded by the data's own ``split_seed``.

    The split depends only on ``n``, ``fractions`` and ``seed`` (never on the training seed), so
    the test set stays the same across trainings with different seeds.

    Parameters
    ----------
    n : int
        Number of samples.
    fractions : sequence of 3 floats
        Train, validation and test fractions, non-negative and summing to at most 1 (the config
        schema requires a sum of 1); each split gets ``round(fraction * n)`` samples, but for
        a sum of 1 the test split takes all the rest (see :func:`split_bounds`).
    seed : int
        Seed of the permutation (``data.split_seed``).
    source : str
        Where the samples come from, for messages.

    Returns
    -------
    dict of str to torch.Tensor with shape (n_split,), int64

    Raises
    ------
    ValueError
        If the fractions are malformed or a split would be empty.
    """
    if len(fractions) != 3 or any(f < 0 for f in fractions) or sum(fractions) > 1 + 1e-9:
        raise ValueError(f"split fractions must be three non-negative numbers summing to <= 1, got {list(fractions)}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    bounds = split_bounds(n, fractions)
    splits = {}
    for name, start, stop in zip(SPLITS, bounds[:-1], bounds[1:], strict=True):
        if stop <= start:
            raise ValueError(
                f"{source}: {n} samples are too few for a non-empty {name} split with fractions {list(fractions)}"
            )
        splits[name] = order[start:stop]
    return splits
