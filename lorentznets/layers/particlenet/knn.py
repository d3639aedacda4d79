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
        Sorted by distance; the first of the k + 1 nearest, the point itself (distance zero), is
        left out, as in weaver-core's ParticleNet (among coinciding points, e.g. padding at the
        origin, that may drop another point and keep the point itself).

    Notes
    -----
    The distances are computed without gradient, outside autocast and in at least float32: in
    bf16 the rounding of |a|^2 - 2 a.b + |b|^2 reorders close neighbours and can rank a point
    behind others, so that it is kept as its own neighbour and a real neighbour is dropped.
    """
    with torch.no_grad(), torch.autocast(points.device.type, enabled=False):
        points = points.to(torch.promote_types(points.dtype, torch.float32))
        squared = points.square().sum(dim=-1)
        distance = squared.unsqueeze(-1) - 2 * points @ points.transpose(1, 2) + squared.unsqueeze(-2)
        return distance.clamp(min=0).topk(k + 1, dim=-1, largest=False, sorted=True).indices[..., 1:]


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
