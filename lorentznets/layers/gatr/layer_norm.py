"""Equivariant layer normalisation of multivector and scalar channels."""

from __future__ import annotations

import torch
from torch import nn

from .invariants import paired_abs_squared_norm
from .layout import pair_grades


def paired_layer_norm(paired: torch.Tensor, groups: int = 1, epsilon: float = 0.01) -> torch.Tensor:
    """Rescale multivectors so that the mean over channels of ``sum_k |<x_k, x_k>|`` is one.

    Parameters
    ----------
    paired : torch.Tensor with shape (8, ..., 2 C)
        Paired layout; C must be divisible by ``groups``.
    groups : int
        Normalise each of ``groups`` consecutive blocks of C / groups channels separately (used
        for the queries, keys and values of all heads at once).
    epsilon : float
        Lower bound of the mean squared norm; large on purpose, because grades can be null.

    Returns
    -------
    torch.Tensor with shape (8, ..., 2 C), float32 or float64
    """
    norms = paired_abs_squared_norm(paired)  # (..., C)
    norms = norms.unflatten(-1, (groups, -1)).mean(-1)  # (..., groups)
    scale = torch.rsqrt(norms.clamp(min=epsilon))
    x = paired.to(scale.dtype).unflatten(-1, (2, groups, -1))
    return (x * scale.unsqueeze(-1).unsqueeze(-3)).flatten(-3)


class EquivariantLayerNorm(nn.Module):
    """Layer norm: :func:`paired_layer_norm` on multivectors, standard layer norm on scalars.

    With ``elementwise_affine`` a learnable gain per multivector channel and grade (shape
    (mv_channels, 5); scaling grades separately keeps equivariance) and per scalar channel.

    Parameters
    ----------
    mv_channels, s_channels : int
        Channel counts; only needed with ``elementwise_affine``.
    epsilon : float
        See :func:`paired_layer_norm`.
    elementwise_affine : bool
    """

    def __init__(
        self,
        mv_channels: int = 0,
        s_channels: int = 0,
        epsilon: float = 0.01,
        elementwise_affine: bool = False,
    ) -> None:
        super().__init__()
        self.epsilon = epsilon
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight_mv = nn.Parameter(torch.ones(mv_channels, 5))
            self.weight_s = nn.Parameter(torch.ones(s_channels))

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Normalise.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., 2 C)
        scalars : torch.Tensor with shape (..., S) or None

        Returns
        -------
        multivectors : torch.Tensor with shape (8, ..., 2 C)
        scalars : torch.Tensor with shape (..., S) or None
        """
        out_mv = paired_layer_norm(multivectors, epsilon=self.epsilon)
        out_s = None
        if scalars is not None and scalars.shape[-1] > 0:
            out_s = nn.functional.layer_norm(scalars, scalars.shape[-1:])
        if self.elementwise_affine:
            gain = self.weight_mv[:, pair_grades(self.weight_mv.device)]  # (C, 8, 2)
            gain = gain.permute(1, 2, 0).reshape(8, *([1] * (out_mv.dim() - 2)), -1)
            out_mv = out_mv * gain
            if out_s is not None:
                out_s = out_s * self.weight_s
        return out_mv, out_s
