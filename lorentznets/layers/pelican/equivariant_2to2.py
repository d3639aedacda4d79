"""The permutation-equivariant linear layer from pair features to pair features."""

from __future__ import annotations

import math

import torch
from torch import nn

from .aggregates import multiplicity_scale, pair_statistics, particle_counts
from .diagonal import add_to_diagonal


class Equivariant2to2(nn.Module):
    """General permutation-equivariant linear map on (B, N, N, C) pair features.

    Implements sum_k W_k applied to map k of :func:`~lorentznets.layers.pelican.pair_basis_2to2`
    (all 15 maps, self-pairs included) plus a bias and a diagonal bias, without building the
    (B, N, N, C, 15) stack: the two full maps (x and its transpose) are one matrix product with
    2 C_out outputs, everything else acts on (B, N, C) and (B, C) summaries and is broadcast.
    Each of the 10 aggregating maps is a masked mean times ``(n / N_avg) ** alpha`` with a
    learnable ``alpha`` per input channel (initialised to 0, a plain mean).

    Parameters
    ----------
    in_channels : int
    out_channels : int
    average_particles : float
        N_avg of the multiplicity rescaling.

    Examples
    --------
    >>> layer = Equivariant2to2(3, 5)
    >>> mask = torch.tensor([[True, True, False]])
    >>> layer(torch.randn(1, 3, 3, 3), mask).shape
    torch.Size([1, 3, 3, 5])
    """

    def __init__(self, in_channels: int, out_channels: int, average_particles: float = 49.0):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.average_particles = float(average_particles)
        std = math.sqrt(2.0 / (15 * in_channels))
        # [transpose?] x C_in x C_out for maps 0 and 1
        self.weight_pair = nn.Parameter(torch.randn(in_channels, 2, out_channels) * std)
        # [source: diagonal, row mean, column mean] x [placement: on diagonal, at i, at j]
        self.weight_vector = nn.Parameter(torch.randn(3, 3, in_channels, out_channels) * std)
        # [source: trace mean, total mean] x [placement: on diagonal, everywhere]
        self.weight_scalar = nn.Parameter(torch.randn(2, 2, in_channels, out_channels) * std)
        self.exponent_vector = nn.Parameter(torch.zeros(2, 3, in_channels))
        self.exponent_scalar = nn.Parameter(torch.zeros(2, 2, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.diagonal_bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Apply the layer.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, N, C_in)
            Pair features; must be zero on pairs with a padded particle.
        mask : torch.Tensor with shape (B, N), bool
            True for real particles.

        Returns
        -------
        torch.Tensor with shape (B, N, N, C_out), zero on padded pairs.
        """
        batch, n, _, _ = x.shape
        c_out = self.out_channels
        counts = particle_counts(mask, x.dtype)
        stats = pair_statistics(x, counts)

        pair = x @ self.weight_pair.reshape(self.in_channels, 2 * c_out)
        out = pair[..., :c_out] + pair[..., c_out:].transpose(1, 2)

        scale_vector = multiplicity_scale(counts, self.exponent_vector, self.average_particles)
        sources = (stats.diagonal, stats.row_mean, stats.column_mean)
        placed = []
        for p in range(3):
            terms = [sources[0]] + [sources[s + 1] * scale_vector[:, s, p, None, :] for s in range(2)]
            stacked = torch.cat(terms, dim=-1)
            placed.append(stacked @ self.weight_vector[:, p].reshape(3 * self.in_channels, c_out))
        on_diagonal, at_i, at_j = placed

        scale_scalar = multiplicity_scale(counts, self.exponent_scalar, self.average_particles)
        scalars = torch.stack((stats.trace_mean, stats.total_mean), dim=1)[:, :, None, :]
        scalars = (scalars * scale_scalar).permute(0, 2, 1, 3).flatten(2)
        weight_scalar = self.weight_scalar.permute(1, 0, 2, 3).reshape(2, -1, c_out)
        scalar_diagonal = scalars[:, 0] @ weight_scalar[0]
        scalar_everywhere = scalars[:, 1] @ weight_scalar[1]

        out = out + (at_i[:, :, None, :] + at_j[:, None, :, :])
        out = out + (scalar_everywhere + self.bias)[:, None, None, :]
        diagonal = on_diagonal + (scalar_diagonal + self.diagonal_bias)[:, None, :]
        out = add_to_diagonal(out, diagonal)
        pair_mask = mask[:, :, None] & mask[:, None, :]
        return out.masked_fill_(~pair_mask[..., None], 0.0)

    def map_weights(self) -> torch.Tensor:
        """The coefficient matrix of every basis map, ignoring the multiplicity rescaling.

        Returns
        -------
        torch.Tensor with shape (15, C_in, C_out)
            Ordered as :data:`~lorentznets.layers.pelican.basis.MAP_NAMES_2TO2`.
        """
        pair = self.weight_pair.permute(1, 0, 2)
        vector = self.weight_vector.reshape(9, self.in_channels, self.out_channels)
        scalar = self.weight_scalar.reshape(4, self.in_channels, self.out_channels)
        return torch.cat((pair, vector, scalar), dim=0)
