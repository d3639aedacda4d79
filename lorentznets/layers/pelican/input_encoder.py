"""PELICAN's learnable input transform of the pairwise Minkowski products."""

from __future__ import annotations

import torch
from torch import nn


class DotProductEncoder(nn.Module):
    """Map each dot product d to K channels sign(d) ((1 + |d|)^a_k - 1) / a_k with a_k = alpha_k^2.

    This is the published PELICAN encoder (arXiv 2211.00454): a learnable family between log(1 + d)
    (a -> 0) and the identity (a = 1), which tames the many orders of magnitude that dot products
    of jet constituents span. We use the sign-symmetric form so negative products (which appear with
    beam vectors or rounding) are handled smoothly; for d >= 0 it equals the published one.

    Parameters
    ----------
    channels : int
        K, the number of learnable exponents (initialised evenly in [0.05, 0.5]).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.alpha = nn.Parameter(torch.linspace(0.05, 0.5, channels))

    def forward(self, dots: torch.Tensor, pair_mask: torch.Tensor) -> torch.Tensor:
        """Encode dot products.

        Parameters
        ----------
        dots : torch.Tensor with shape (B, N, N)
            Minkowski products (in units of the momentum scale squared).
        pair_mask : torch.Tensor with shape (B, N, N), bool

        Returns
        -------
        torch.Tensor with shape (B, N, N, K), zero on padded pairs.
        """
        power = self.alpha.square() + 1e-6
        dots = dots[..., None]
        positive = dots >= 0
        # |d| and sign(d) written with torch.where so that the slope at d = 0 (exactly the
        # diagonal of massless particles) is 1 by construction, on every torch version: sign(d)
        # and abs(d) have zero gradient there, and clamp's gradient at its bound changed between
        # releases.
        magnitude = torch.where(positive, dots, -dots)
        sign = torch.where(positive, 1.0, -1.0).to(dots.dtype)
        encoded = sign * torch.expm1(torch.log1p(magnitude) * power) / power
        return encoded * pair_mask[..., None]
