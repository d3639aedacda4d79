"""Permutation-equivariant Transformer baseline with pre-LayerNorm blocks.

Attention uses :func:`torch.nn.functional.scaled_dot_product_attention`, so the fastest
available kernel is picked by torch; padded particles are excluded through a key-padding mask.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..layers.arguments import ArgumentError, check_at_least, check_probability
from ..utils.padding import zero_padding
from .input_layout import check_float_input, check_particle_layout


class TransformerBlock(nn.Module):
    """Pre-LN block: ``x + Attn(LN(x))`` followed by ``x + MLP(LN(x))``.

    Parameters
    ----------
    hidden_channels : int
        Token width; must be divisible by ``num_heads``.
    num_heads : int
        Attention heads.
    mlp_ratio : int
        Hidden width of the feed-forward part relative to ``hidden_channels``.
    dropout : float
        Dropout on attention weights and on the residual branches.
    """

    def __init__(self, hidden_channels: int, num_heads: int, mlp_ratio: int = 4, dropout: float = 0.0) -> None:
        super().__init__()  # sizes checked by Transformer, the public entry
        self.num_heads = num_heads
        self.dropout = dropout
        self.norm_attn = nn.LayerNorm(hidden_channels)
        self.qkv = nn.Linear(hidden_channels, 3 * hidden_channels)
        self.out = nn.Linear(hidden_channels, hidden_channels)
        self.norm_mlp = nn.LayerNorm(hidden_channels)
        self.mlp = nn.Sequential(
            nn.Linear(hidden_channels, mlp_ratio * hidden_channels),
            nn.GELU(),
            nn.Linear(mlp_ratio * hidden_channels, hidden_channels),
        )
        self.residual_dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
        """Update the tokens.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, C)
        attn_mask : torch.Tensor with shape (B, 1, 1, N), bool, or None
            True where a key may be attended to.

        Returns
        -------
        torch.Tensor with shape (B, N, C)
        """
        batch, num_tokens, channels = x.shape
        q, k, v = (
            self.qkv(self.norm_attn(x))
            .reshape(batch, num_tokens, 3, self.num_heads, channels // self.num_heads)
            .permute(2, 0, 3, 1, 4)
        )
        attended = F.scaled_dot_product_attention(
            q, k, v, attn_mask=attn_mask, dropout_p=self.dropout if self.training else 0.0
        )
        attended = attended.transpose(1, 2).reshape(batch, num_tokens, channels)
        x = x + self.residual_dropout(self.out(attended))
        return x + self.residual_dropout(self.mlp(self.norm_mlp(x)))


class Transformer(nn.Module):
    """Stack of pre-LN Transformer blocks between linear input and output maps.

    Equivariant under permutations of the particle axis; not Lorentz-equivariant (a baseline).

    Parameters
    ----------
    in_channels : int
        Input features per particle.
    out_channels : int
        Output features per particle.
    hidden_channels : int
        Token width.
    num_blocks : int
        Number of Transformer blocks.
    num_heads : int
        Attention heads per block.
    mlp_ratio : int
        Feed-forward expansion factor.
    dropout : float
        Dropout probability.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a size < 1 or ``hidden_channels``
        not divisible by ``num_heads``.

    Examples
    --------
    >>> net = Transformer(in_channels=7, out_channels=1, hidden_channels=32, num_blocks=2,
    ...                   num_heads=4)
    >>> net(torch.randn(2, 10, 7), torch.ones(2, 10, dtype=torch.bool)).shape
    torch.Size([2, 10, 1])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        hidden_channels: int,
        num_blocks: int,
        num_heads: int,
        mlp_ratio: int = 4,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("num_blocks", num_blocks)):
            check_at_least(name, value, 1)
        _check_sizes(hidden_channels, num_heads, mlp_ratio)
        check_probability("dropout", dropout)
        self.linear_in = nn.Linear(in_channels, hidden_channels)
        self.blocks = nn.ModuleList(
            TransformerBlock(hidden_channels, num_heads, mlp_ratio, dropout) for _ in range(num_blocks)
        )
        self.norm_out = nn.LayerNorm(hidden_channels)
        self.linear_out = nn.Linear(hidden_channels, out_channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Apply the network.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, in_channels)
        mask : torch.Tensor with shape (B, N), bool, or None
            True for real particles. Padded particles are never attended to, their inputs are read
            as zeros (any value, NaN included, may fill them) and their outputs are set to zero.
            Every sample needs at least one real particle.

        Returns
        -------
        torch.Tensor with shape (B, N, out_channels), in the weights' dtype also under autocast.

        Raises
        ------
        ValueError
            An ``x`` of another shape than (B, N, in_channels), or a mask that is not bool (B, N).
        TypeError
            An ``x`` of another float precision than the parameters' (lower ones run in float32).
        """
        in_channels, dtype = self.linear_in.in_features, self.linear_in.weight.dtype
        attn_mask = None
        if mask is None:
            if x.ndim != 3 or x.shape[-1] != in_channels:
                raise ValueError(f"Transformer: x must have shape (B, N, {in_channels}), got {tuple(x.shape)}")
            check_float_input("Transformer", "x", x, dtype)
            x = x.to(dtype)
        else:
            check_particle_layout("Transformer", mask, dtype, x=(x, in_channels))
            attn_mask = mask[:, None, None, :]
            x = zero_padding(x, mask, dtype)
        h = self.linear_in(x)
        for block in self.blocks:
            h = block(h, attn_mask)
        # Outputs (logits, regressed values) in float32 or higher, also under autocast.
        with torch.autocast(h.device.type, enabled=False):
            out = self.linear_out(self.norm_out(h).to(self.linear_out.weight.dtype))
        if mask is not None:
            out = out * mask[..., None].to(out.dtype)
        return out


def _check_sizes(hidden_channels: int, num_heads: int, mlp_ratio: int) -> None:
    for name, value in (("hidden_channels", hidden_channels), ("num_heads", num_heads), ("mlp_ratio", mlp_ratio)):
        check_at_least(name, value, 1)
    if hidden_channels % num_heads:
        raise ArgumentError("num_heads", f"hidden_channels={hidden_channels} is not divisible by num_heads={num_heads}")
