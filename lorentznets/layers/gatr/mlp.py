"""Geometric MLP: a geometric bilinear followed by gated equivariant linear layers."""

from __future__ import annotations

import torch
from torch import nn

from .bilinear import GeometricBilinear
from .config import MLPConfig
from .dropout import GradeDropout
from .linear import EquivariantLinear
from .nonlinearity import ScalarGatedNonlinearity


class GeometricMLP(nn.Module):
    """Item-wise MLP on multivector and scalar channels.

    Layers: ``GeometricBilinear(C -> r C)``, then ``num_layers_mlp - 1`` times a scalar-gated
    nonlinearity and an equivariant linear layer, back to C channels (r = mlp_ratio).

    Parameters
    ----------
    mv_channels, s_channels : int
    config : MLPConfig
    subgroup : bool
    dropout_prob : float or None
        Grade dropout after every layer.
    """

    def __init__(
        self,
        mv_channels: int,
        s_channels: int,
        config: MLPConfig,
        subgroup: bool = True,
        dropout_prob: float | None = None,
    ) -> None:
        super().__init__()
        n = config.num_layers_mlp
        mv = [mv_channels] + [config.mlp_ratio * mv_channels] * (n - 1) + [mv_channels]
        s = [s_channels] + [config.mlp_ratio * s_channels] * (n - 1) + [s_channels]
        layers: list[nn.Module] = [GeometricBilinear(mv[0], mv[1], s[0], s[1], subgroup)]
        if dropout_prob is not None:
            layers.append(GradeDropout(dropout_prob))
        for i in range(1, n):
            layers.append(ScalarGatedNonlinearity(config.nonlinearity))
            layers.append(EquivariantLinear(mv[i], mv[i + 1], s[i], s[i + 1], subgroup=subgroup))
            if dropout_prob is not None:
                layers.append(GradeDropout(dropout_prob))
        self.layers = nn.ModuleList(layers)

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply the MLP item-wise; shapes (8, ..., 2 C) and (..., S) are preserved."""
        for layer in self.layers:
            multivectors, scalars = layer(multivectors, scalars)
        return multivectors, scalars
