"""BatchNorm over the channels of per-particle (and per-neighbour) features."""

from __future__ import annotations

import torch
from torch import nn


def channel_batch_norm(norm: nn.BatchNorm1d, x: torch.Tensor) -> torch.Tensor:
    """``norm`` over the rows of ``x`` flattened to (entries, C): the same statistics as over (B, C, N).

    A transposed (non-contiguous) input made the compiled backward fail ("view size is not
    compatible"), and a compiled backward may hand BatchNorm's output in other strides: hence
    reshape, not transpose or view.

    Parameters
    ----------
    norm : torch.nn.BatchNorm1d with C features
    x : torch.Tensor with shape (..., C)

    Returns
    -------
    torch.Tensor with shape of ``x``
    """
    return norm(x.reshape(-1, x.shape[-1])).reshape(x.shape)
