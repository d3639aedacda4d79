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


def segment_mean(values: torch.Tensor, offsets: torch.Tensor, event_ids: torch.Tensor) -> torch.Tensor:
    """Mean over the items of each event of a packed batch, without reading tensor values.

    Parameters
    ----------
    values : torch.Tensor with shape (T, C)
    offsets : torch.Tensor with shape (B + 1,), int64
        Event b owns items ``offsets[b]:offsets[b + 1]`` (no empty event).
    event_ids : torch.Tensor with shape (T,), int64
        Event of each item.

    Returns
    -------
    torch.Tensor with shape (B, C)
    """
    sums = values.new_zeros(offsets.numel() - 1, values.shape[-1]).index_add(0, event_ids, values)
    return sums / offsets.diff().to(values.dtype)[:, None]
