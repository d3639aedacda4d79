"""Padding a particle cloud to the slots a k-nearest-neighbour search needs."""

from __future__ import annotations

import torch
from torch.nn import functional as F


def pad_particles(tensors: tuple[torch.Tensor, ...], length: int) -> tuple[torch.Tensor, ...]:
    """Append zero slots along the particle axis (dim 1) up to ``length``.

    A search for k neighbours other than the point itself needs ``k + 1`` slots; a batch of short
    jets trimmed to its longest one may have fewer. The added slots are padding (zero, and False
    in a bool mask), as if the batch had been padded further.

    Parameters
    ----------
    tensors : tuple of torch.Tensor, each with shape (B, N, ...)
    length : int
        Slots wanted; tensors with N >= ``length`` are returned as they are.

    Returns
    -------
    tuple of torch.Tensor, each with shape (B, max(N, length), ...)
    """
    missing = length - tensors[0].shape[1]
    if missing <= 0:
        return tensors
    return tuple(F.pad(t, (0, 0) * (t.dim() - 2) + (0, missing)) for t in tensors)
