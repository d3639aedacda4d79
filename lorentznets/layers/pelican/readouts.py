"""Permutation-equivariant readouts from pair features to particles (2->1) and to sets (2->0)."""

from __future__ import annotations

import math

import torch
from torch import nn

from .aggregates import multiplicity_scale, pair_statistics, particle_counts


class Equivariant2to1(nn.Module):
    """Linear map from pair features to per-particle features with all 5 equivariant maps.

    out_i = W_0 x_ii + W_1 r_i + W_2 c_i + W_3 t + W_4 s + b, with row/column means r, c, the
    trace mean t and the total mean s (the last four rescaled by (n / N_avg) ** alpha).

    Parameters
    ----------
    in_channels : int
    out_channels : int
    average_particles : float
    """

    def __init__(self, in_channels: int, out_channels: int, average_particles: float = 49.0):
        super().__init__()
        self.in_channels = in_channels
        self.average_particles = float(average_particles)
        std = math.sqrt(2.0 / (5 * in_channels))
        self.weight = nn.Parameter(torch.randn(5 * in_channels, out_channels) * std)
        self.exponent = nn.Parameter(torch.zeros(4, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Apply the readout.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, N, C_in)
            Pair features, zero on padded pairs.
        mask : torch.Tensor with shape (B, N), bool

        Returns
        -------
        torch.Tensor with shape (B, N, C_out), zero for padded particles.
        """
        n = x.shape[1]
        counts = particle_counts(mask, x.dtype)
        stats = pair_statistics(x, counts)
        scale = multiplicity_scale(counts, self.exponent, self.average_particles)
        features = torch.cat(
            [
                stats.diagonal,
                stats.row_mean * scale[:, None, 0],
                stats.column_mean * scale[:, None, 1],
                (stats.trace_mean * scale[:, 2])[:, None, :].expand(-1, n, -1),
                (stats.total_mean * scale[:, 3])[:, None, :].expand(-1, n, -1),
            ],
            dim=-1,
        )
        out = features @ self.weight + self.bias
        return out * mask[..., None]


class Equivariant2to0(nn.Module):
    """Linear map from pair features to set features: W_0 t + W_1 s + b (trace and total mean).

    Parameters
    ----------
    in_channels : int
    out_channels : int
    average_particles : float
    """

    def __init__(self, in_channels: int, out_channels: int, average_particles: float = 49.0):
        super().__init__()
        self.average_particles = float(average_particles)
        std = math.sqrt(2.0 / (2 * in_channels))
        self.weight = nn.Parameter(torch.randn(2 * in_channels, out_channels) * std)
        self.exponent = nn.Parameter(torch.zeros(2, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Apply the readout.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, N, C_in)
            Pair features, zero on padded pairs.
        mask : torch.Tensor with shape (B, N), bool

        Returns
        -------
        torch.Tensor with shape (B, C_out)
        """
        counts = particle_counts(mask, x.dtype)
        diagonal = x.diagonal(dim1=1, dim2=2)
        trace_mean = diagonal.sum(dim=-1) / counts[:, None]
        total_mean = x.sum(dim=(1, 2)) / counts[:, None].square()
        scale = multiplicity_scale(counts, self.exponent, self.average_particles)
        features = torch.cat((trace_mean * scale[:, 0], total_mean * scale[:, 1]), dim=-1)
        return features @ self.weight + self.bias
