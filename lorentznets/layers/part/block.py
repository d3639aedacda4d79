"""The Particle Transformer block: normformer-style attention and feed-forward with learnt scales."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ..arguments import ArgumentError, check_probability
from ..attention import unpack
from .attention import standard_attention
from .dropout import RandomBitDropout

Attention = Callable[..., torch.Tensor]


class ParTBlock(nn.Module):
    """One ParT block (arXiv 2202.03772, fig. 3), particle self-attention or class attention.

    LayerNorm, multi-head attention with an additive bias, a learnt scale per output chunk,
    LayerNorm, dropout, residual; then LayerNorm, Linear, GELU, dropout, LayerNorm, Linear, dropout,
    added to the residual scaled by a learnt per-channel vector.

    Parameters
    ----------
    channels : int
        Token width, divisible by ``num_heads``.
    num_heads : int
    ffn_ratio : int
        Hidden width of the feed-forward part relative to ``channels``.
    dropout, attn_dropout, activation_dropout : float
        Dropout after each residual branch, on the attention weights, after the GELU.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for ``channels`` not divisible by
        ``num_heads``, or a dropout outside [0, 1).
    """

    def __init__(
        self,
        channels: int,
        num_heads: int,
        ffn_ratio: int = 4,
        dropout: float = 0.1,
        attn_dropout: float = 0.1,
        activation_dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if channels % num_heads:
            raise ArgumentError("num_heads", f"channels={channels} is not divisible by num_heads={num_heads}")
        for name, value in (
            ("dropout", dropout),
            ("attn_dropout", attn_dropout),
            ("activation_dropout", activation_dropout),
        ):
            check_probability(name, value)
        self.num_heads = num_heads
        self.attn_dropout = attn_dropout
        self.norm_attn = nn.LayerNorm(channels)
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)
        self.head_scale = nn.Parameter(torch.ones(num_heads))
        self.norm_post_attn = nn.LayerNorm(channels)
        self.norm_ffn = nn.LayerNorm(channels)
        self.fc1 = nn.Linear(channels, ffn_ratio * channels)
        self.norm_post_fc = nn.LayerNorm(ffn_ratio * channels)
        self.fc2 = nn.Linear(ffn_ratio * channels, channels)
        self.residual_scale = nn.Parameter(torch.ones(channels))
        self.dropout = RandomBitDropout(dropout)
        self.activation_dropout = RandomBitDropout(activation_dropout)

    def forward(
        self,
        x: torch.Tensor,
        attn_mask: torch.Tensor,
        class_token: torch.Tensor | None = None,
        attention: Attention = standard_attention,
        pack_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Update the particle tokens, or the class token attending to them.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, C), or (T, C) with ``pack_index``
            Particle tokens.
        attn_mask : torch.Tensor with shape (B, H or 1, N_q, N_k), float
            Additive attention bias, ``-inf`` on padded keys. For class attention N_q = 1 and
            N_k = 1 + N (the class token attends to itself and the particles). Its shape gives B
            and N.
        class_token : torch.Tensor with shape (B, 1, C), optional
            If given, class attention: only this token is updated.
        attention : callable
            ``attention(q, k, v, attn_mask=..., dropout_p=...)`` on (B, H, N, C / H) heads; the
            LLoCa frame-to-frame attention plugs in here.
        pack_index : torch.Tensor with shape (T,), int64, optional
            Flat indices ``b * N + i`` of the real particles
            (:func:`~lorentznets.layers.attention.real_particles`): ``x`` then holds only their
            tokens, and every token-wise layer skips the padding; the heads are
            padded (with zeros) only for the attention itself. The same result as padded tokens.

        Returns
        -------
        torch.Tensor with the shape of ``x``, or (B, 1, C) for class attention
        """
        batch, num = attn_mask.shape[0], attn_mask.shape[-1]
        if class_token is None:
            residual = x
            qkv = F.linear(self.norm_attn(x), self.qkv.weight, self.qkv.bias)
            q, k, v = self._split_heads(_padded(qkv, pack_index, batch, num), 3)
        else:
            # the published class attention normalises keys/values but not the query
            residual, num = class_token, num - 1
            channels = class_token.shape[-1]
            w, b = self.qkv.weight, self.qkv.bias
            (q,) = self._split_heads(F.linear(class_token, w[:channels], b[:channels]), 1)
            kv_token = F.linear(self.norm_attn(class_token), w[channels:], b[channels:])
            kv = _padded(F.linear(self.norm_attn(x), w[channels:], b[channels:]), pack_index, batch, num)
            k, v = self._split_heads(torch.cat((kv_token, kv), dim=1), 2)
        h = attention(q, k, v, attn_mask=attn_mask, dropout_p=self.attn_dropout if self.training else 0.0)
        h = h.transpose(1, 2).flatten(2)
        if class_token is None and pack_index is not None:
            h = h.flatten(0, 1).index_select(0, pack_index)
        h = self.out(h)
        # the published head scale acts on chunks of the projected output, not on the heads
        h = (h.unflatten(-1, (self.num_heads, -1)) * self.head_scale[:, None]).flatten(-2)
        h = self.dropout(self.norm_post_attn(h))
        x = h + residual
        h = self.activation_dropout(F.gelu(self.fc1(self.norm_ffn(x))))
        h = self.dropout(self.fc2(self.norm_post_fc(h)))
        return h + self.residual_scale * x

    def _split_heads(self, x: torch.Tensor, parts: int) -> tuple[torch.Tensor, ...]:
        # (B, N, parts * C) -> parts x (B, H, N, C / H), views; unbinding the parts axis in place
        # lets the backward stack the gradients straight into x's layout (no permuted copy)
        heads = x.unflatten(-1, (parts, self.num_heads, -1)).unbind(-3)
        return tuple(h.transpose(1, 2) for h in heads)


def _padded(x: torch.Tensor, pack_index: torch.Tensor | None, batch: int, num: int) -> torch.Tensor:
    # packed (T, C) rows of the real particles -> (B, N, C) with zero padding; padded x as it is
    return x if pack_index is None else unpack(x, pack_index, batch, num)
