"""ParticleNet's EdgeConv block (arXiv 1902.08570): shared MLP on (x_i, x_j - x_i), mean over neighbours."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .channel_norm import channel_batch_norm
from .knn import gather_neighbours, knn_indices

NeighbourTransform = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""``(neighbour features (B, N, k, C), indices (B, N, k)) -> (B, N, k, C)``: neighbour features as
the centre particle sees them (LLoCa: carried from the neighbour's local frame to the centre's)."""


class EdgeConvBlock(nn.Module):
    """``ReLU(shortcut(x_i) + mean_j MLP(x_i, x_j - x_i))`` over the k nearest neighbours j of i.

    Each MLP layer is a bias-free Linear, BatchNorm (statistics over all particles and neighbours,
    padded ones included, as published) and ReLU. The shortcut is a bias-free Linear with BatchNorm
    when the width changes, else the identity.

    Parameters
    ----------
    k : int
        Neighbours.
    in_channels : int
    widths : sequence of int
        Widths of the MLP layers; the last is the output width.
    """

    def __init__(self, k: int, in_channels: int, widths: Sequence[int]) -> None:
        super().__init__()
        self.k = k
        sizes = (2 * in_channels, *widths)
        self.linears = nn.ModuleList(nn.Linear(a, b, bias=False) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(b) for b in widths)
        if in_channels == widths[-1]:
            self.shortcut, self.shortcut_norm = None, None
        else:
            self.shortcut = nn.Linear(in_channels, widths[-1], bias=False)
            self.shortcut_norm = nn.BatchNorm1d(widths[-1])

    def forward(
        self, points: torch.Tensor, features: torch.Tensor, neighbour_transform: NeighbourTransform | None = None
    ) -> torch.Tensor:
        """Update the particle features.

        Parameters
        ----------
        points : torch.Tensor with shape (B, N, D)
            Coordinates that define the neighbours (padded particles moved far away by the caller).
        features : torch.Tensor with shape (B, N, C_in)
        neighbour_transform : NeighbourTransform, optional
            Applied to the gathered neighbour features before the messages; None: x_j as it is.

        Returns
        -------
        torch.Tensor with shape (B, N, widths[-1])
        """
        # the first layer, W (x_i, x_j - x_i) = (W_a - W_b) x_i + W_b x_j: the centre part runs per
        # particle; without a transform so does the neighbour part, gathered afterwards (N instead
        # of N k products)
        w_centre, w_neighbour = self.linears[0].weight.chunk(2, dim=-1)
        centre = F.linear(features, w_centre - w_neighbour)
        indices = knn_indices(points, self.k)
        if neighbour_transform is None:
            neighbours = gather_neighbours(F.linear(features, w_neighbour), indices)
        else:
            neighbours = F.linear(neighbour_transform(gather_neighbours(features, indices), indices), w_neighbour)
        x = centre.unsqueeze(2) + neighbours
        for index, (linear, norm) in enumerate(zip(self.linears, self.norms)):
            if index > 0:
                x = linear(x)
            x = torch.relu(channel_batch_norm(norm, x))
        x = x.mean(dim=2)
        if self.shortcut is None:
            shortcut = features
        else:
            shortcut = channel_batch_norm(self.shortcut_norm, self.shortcut(features))
        return torch.relu(shortcut + x)
