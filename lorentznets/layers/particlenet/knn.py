"""k nearest neighbours in a particle cloud, by squared Euclidean distance."""

from __future__ import annotations

import torch


def knn_indices(points: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k nearest other points of each point.

    Parameters
    ----------
    points : torch.Tensor with shape (B, N, D)
    k : int
        Neighbours per point, at most N - 1.

    Returns
    -------
    torch.Tensor with shape (B, N, k), int64
        Sorted by distance; the point itself (distance zero) is left out.
    """
    squared = points.square().sum(dim=-1)
    distance = (squared.unsqueeze(-1) - 2 * points @ points.transpose(1, 2) + squared.unsqueeze(-2)).clamp(min=0)
    return distance.topk(k + 1, dim=-1, largest=False, sorted=True).indices[..., 1:]


def gather_neighbours(features: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """Features of the neighbours.

    Parameters
    ----------
    features : torch.Tensor with shape (B, N, C)
    indices : torch.Tensor with shape (B, N, k)

    Returns
    -------
    torch.Tensor with shape (B, N, k, C)
    """
    batch, num, channels = features.shape
    offset = torch.arange(batch, device=features.device).view(batch, 1, 1) * num
    return features.reshape(batch * num, channels)[indices + offset]
