"""Permutation-equivariant lift of per-particle features to pair features."""

from __future__ import annotations

import math

import torch
from torch import nn

from .aggregates import multiplicity_scale, particle_counts
from .diagonal import add_to_diagonal


class Equivariant1to2(nn.Module):
    """Linear map from (B, N, C) particle features to (B, N, N, C_out) pair features.

    The 5 equivariant maps: f_i on the diagonal, f_i, f_j, the mean m on the diagonal and m
    everywhere (the two means rescaled by (n / N_avg) ** alpha). PELICAN uses it to feed particle
    labels (beam or constituent, particle ID) into the pair representation.

    Parameters
    ----------
    in_channels : int
    out_channels : int
    average_particles : float
    """

    def __init__(self, in_channels: int, out_channels: int, average_particles: float = 49.0):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.average_particles = float(average_particles)
        std = math.sqrt(2.0 / (5 * in_channels))
        # [placement: on diagonal, at i, at j] for the particle features
        self.weight_particle = nn.Parameter(torch.randn(3, in_channels, out_channels) * std)
        # [placement: on diagonal, everywhere] for their mean
        self.weight_mean = nn.Parameter(torch.randn(2, in_channels, out_channels) * std)
        self.exponent = nn.Parameter(torch.zeros(2, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, features: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Lift particle features to pairs.

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, C_in)
        mask : torch.Tensor with shape (B, N), bool

        Returns
        -------
        torch.Tensor with shape (B, N, N, C_out), zero on padded pairs.
        """
        features = features * mask[..., None]
        counts = particle_counts(mask, features.dtype)
        mean = features.sum(dim=1) / counts[:, None]
        scale = multiplicity_scale(counts, self.exponent, self.average_particles)
        on_diagonal = features @ self.weight_particle[0]
        at_i = features @ self.weight_particle[1]
        at_j = features @ self.weight_particle[2]
        mean_diagonal = (mean * scale[:, 0]) @ self.weight_mean[0]
        mean_everywhere = (mean * scale[:, 1]) @ self.weight_mean[1]
        out = at_i[:, :, None, :] + at_j[:, None, :, :]
        out = out + (mean_everywhere + self.bias)[:, None, None, :]
        diagonal = on_diagonal + mean_diagonal[:, None, :]
        out = add_to_diagonal(out, diagonal)
        pair_mask = mask[:, :, None] & mask[:, None, :]
        return out.masked_fill_(~pair_mask[..., None], 0.0)
