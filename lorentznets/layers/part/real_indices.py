"""Indices of the real pairs of a padded batch, built on the host with the batch.

It reads the mask's values, which would stall a GPU and break ``torch.compile`` graphs inside
``forward``: a tagging wrapper's ``host_inputs`` calls it on the CPU batch.
"""

from __future__ import annotations

import torch


def real_pairs(mask: torch.Tensor) -> torch.Tensor:
    """The unordered pairs (i >= j) of real particles, event after event.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (3, P), int64
        (event, i, j) of every pair.
    """
    pair_mask = (mask.unsqueeze(2) & mask.unsqueeze(1)).tril()
    return pair_mask.nonzero().T
