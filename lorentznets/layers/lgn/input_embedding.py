"""First LGN level: particle momenta and scalars as ``(1, 1)`` and ``(0, 0)`` activations."""

from __future__ import annotations

import math

import torch
from torch import nn

from ..arguments import check_at_least
from .features import SCALAR, VECTOR, IrrepFeatures, apply_mask, as_complex


class InputEmbedding(nn.Module):
    """``F_i = {(0, 0): W_s s_i + b, (1, 1): w_c p_i}`` with complex weights.

    Parameters
    ----------
    in_scalars : int
        Number S of real per-particle invariant features (0: the scalar channels start as the
        learnable bias b alone).
    channels : int
        Number of channels C of each output irrep.
    """

    def __init__(self, in_scalars: int, channels: int) -> None:
        super().__init__()
        check_at_least("in_scalars", in_scalars, 0)
        check_at_least("channels", channels, 1)
        self.in_scalars, self.channels = int(in_scalars), int(channels)
        self.scalar_weight = (
            nn.Parameter(torch.randn(channels, in_scalars, 2) / math.sqrt(2 * in_scalars)) if in_scalars > 0 else None
        )
        self.scalar_bias = nn.Parameter(torch.randn(channels, 2) / math.sqrt(2))
        self.vector_weight = nn.Parameter(torch.randn(channels, 2) / math.sqrt(2))

    def forward(
        self, momenta: torch.Tensor, scalars: torch.Tensor | None = None, mask: torch.Tensor | None = None
    ) -> IrrepFeatures:
        """Embed one jet batch.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 1, 4), complex
            ``(1, 1)`` irreps of the (scaled) particle momenta.
        scalars : torch.Tensor with shape (B, N, S), real, optional
            Required when ``in_scalars > 0``.
        mask : torch.Tensor with shape (B, N), bool, optional

        Returns
        -------
        dict with (0, 0): (B, N, C, 1) and (1, 1): (B, N, C, 4), complex
        """
        dtype = momenta.dtype
        b, n = momenta.shape[:2]
        scalar = as_complex(self.scalar_bias, dtype)[None, None, :, None].expand(b, n, -1, 1)
        if self.scalar_weight is not None:
            if scalars is None or scalars.shape != (b, n, self.in_scalars):
                got = None if scalars is None else tuple(scalars.shape)
                raise ValueError(f"expected scalars of shape {(b, n, self.in_scalars)}, got {got}")
            weight = as_complex(self.scalar_weight, dtype)
            scalar = scalar + torch.einsum("cs,bns->bnc", weight, scalars.to(dtype))[..., None]
        vector = as_complex(self.vector_weight, dtype)[:, None] * momenta
        return apply_mask({SCALAR: scalar, VECTOR: vector}, mask)
