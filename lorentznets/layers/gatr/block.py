"""The L-GATr transformer block."""

from __future__ import annotations

import torch
from torch import nn

from ..attention import PackedSegments
from .attention import GeometricSelfAttention
from .config import AttentionConfig, MLPConfig
from .dropout import GradeDropout
from .layer_norm import EquivariantLayerNorm
from .mlp import GeometricMLP


def _add(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    return a if b is None else b if a is None else a + b


class LGATrBlock(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm(x))``, then ``x + mlp(norm(x))``.

    Parameters
    ----------
    mv_channels, s_channels : int
    attention : AttentionConfig
    mlp : MLPConfig
    subgroup : bool
    dropout_prob : float or None
    norm_elementwise_affine : bool
        Learnable per-grade gains in the two layer norms.
    """

    def __init__(
        self,
        mv_channels: int,
        s_channels: int,
        attention: AttentionConfig,
        mlp: MLPConfig,
        subgroup: bool = True,
        dropout_prob: float | None = None,
        norm_elementwise_affine: bool = True,
    ) -> None:
        super().__init__()
        self.norm1 = EquivariantLayerNorm(mv_channels, s_channels, elementwise_affine=norm_elementwise_affine)
        self.norm2 = EquivariantLayerNorm(mv_channels, s_channels, elementwise_affine=norm_elementwise_affine)
        self.attention = GeometricSelfAttention(mv_channels, s_channels, attention, subgroup, output_init="small")
        self.attention_dropout = GradeDropout(dropout_prob) if dropout_prob is not None else None
        self.mlp = GeometricMLP(mv_channels, s_channels, mlp, subgroup, dropout_prob)

    def forward(
        self,
        multivectors: torch.Tensor,
        scalars: torch.Tensor | None,
        segments: PackedSegments | None = None,
        key_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply the block; see :meth:`GeometricSelfAttention.forward` for shapes and batching."""
        h_mv, h_s = self.norm1(multivectors, scalars)
        h_mv, h_s = self.attention(h_mv, h_s, segments, key_mask)
        if self.attention_dropout is not None:
            h_mv, h_s = self.attention_dropout(h_mv, h_s)
        multivectors, scalars = multivectors + h_mv, _add(scalars, h_s)
        h_mv, h_s = self.mlp(*self.norm2(multivectors, scalars))
        return multivectors + h_mv, _add(scalars, h_s)
