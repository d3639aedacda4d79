"""Pooling over the real particles of padded sets."""

from __future__ import annotations

import torch


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the real particles (0 for a set without any).

    Parameters
    ----------
    values : torch.Tensor with shape (B, N, C)
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, C)
    """
    weights = mask.to(values.dtype)[..., None]
    return (values * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1)
