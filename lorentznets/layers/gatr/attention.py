"""Multi-head self-attention on multivector and scalar channels with the Minkowski product."""

from __future__ import annotations

import torch
from torch import nn

from ..attention import PackedSegments, packed_attention, padded_attention
from .config import AttentionConfig
from .layer_norm import paired_layer_norm
from .layout import paired_metric_signs
from .linear import EquivariantLinear


class GeometricSelfAttention(nn.Module):
    """L-GATr self-attention.

    Per head, queries, keys and values are ``hc`` multivector and ``hs`` scalar channels, each
    layer-normalised; the attention logit of items i, j is
    ``(sum_c <q_ic, k_jc> + sum_s q_is k_js) / sqrt(16 hc + hs)`` with the Minkowski inner product
    of multivectors, so the weights are Lorentz invariant. Values of all heads (each scaled by a
    learnable factor with ``config.head_scale``) are mixed by an equivariant linear output layer.

    Parameters
    ----------
    mv_channels, s_channels : int
        Input and output channels.
    config : AttentionConfig
    subgroup : bool
        See :class:`EquivariantLinear`.
    output_init : str
        Initialisation of the output layer ("small" inside residual blocks).
    """

    def __init__(
        self,
        mv_channels: int,
        s_channels: int,
        config: AttentionConfig,
        subgroup: bool = True,
        output_init: str = "default",
    ) -> None:
        super().__init__()
        self.config = config
        heads = config.num_heads
        self.hidden_mv, self.hidden_s = config.head_channels(mv_channels, s_channels)
        # Output channels of qkv are ordered (q/k/v, head, channel).
        self.qkv = EquivariantLinear(
            mv_channels,
            3 * heads * self.hidden_mv,
            s_channels,
            3 * heads * self.hidden_s,
            bias=False,
            subgroup=subgroup,
        )
        self.out = EquivariantLinear(
            heads * self.hidden_mv,
            mv_channels,
            heads * self.hidden_s,
            s_channels,
            subgroup=subgroup,
            initialization=output_init,
        )
        self.head_scale = nn.Parameter(torch.ones(heads)) if config.head_scale else None

    def forward(
        self,
        multivectors: torch.Tensor,
        scalars: torch.Tensor | None,
        segments: PackedSegments | None = None,
        key_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend over the item axis.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., N, 2 C), or (8, T, 2 C) if packed
        scalars : torch.Tensor with shape (..., N, S), (T, S) if packed, or None
        segments : PackedSegments or None
            Given for a packed batch: attention stays within each event.
        key_mask : torch.Tensor with shape (B, N), bool, or None
            Padded batch with batch shape (B,): True at real items.

        Returns
        -------
        multivectors, scalars : same shapes as the inputs
        """
        heads, hc, hs = self.config.num_heads, self.hidden_mv, self.hidden_s
        qkv_mv, qkv_s = self.qkv(multivectors, scalars)
        qkv_mv = paired_layer_norm(qkv_mv, groups=3 * heads)
        lead = qkv_mv.shape[1:-1]  # (..., N)
        nb = len(lead) - 1
        # (8, ..., N, 2, 3, H, hc) -> (3, ..., H, N, 8, 2, hc): features of one head contiguous.
        x = qkv_mv.view(8, *lead, 2, 3, heads, hc)
        order = [nb + 3, *range(1, nb + 1), nb + 4, nb + 1, 0, nb + 2, nb + 5]
        x = x.permute(order)
        signs = paired_metric_signs(x.dtype, x.device).unsqueeze(-1)
        q, k, v = x[0] * signs, x[1], x[2]
        q, k, v = (t.flatten(-3) for t in (q, k, v))
        if qkv_s is not None:
            s = qkv_s.view(*lead, 3, heads, hs)
            s = nn.functional.layer_norm(s, (hs,))
            s = s.permute(nb + 1, *range(nb), nb + 2, nb, nb + 3)  # (3, ..., H, N, hs)
            q, k, v = (torch.cat([a, b.to(a.dtype)], -1) for a, b in zip((q, k, v), s, strict=True))

        if segments is not None:
            out = packed_attention(q, k, v, segments, backend=self.config.backend)
        else:
            out = padded_attention(q, k, v, key_mask)
        if self.head_scale is not None:
            out = out * self.head_scale.to(out.dtype)[:, None, None]  # (..., H, N, F)
        # (..., H, N, F) -> paired (8, ..., N, 2 H hc) with channels ordered (head, channel).
        out_mv = out[..., : 16 * hc].unflatten(-1, (8, 2, hc))
        out_mv = out_mv.permute(nb + 2, *range(nb), nb + 1, nb + 3, nb, nb + 4).flatten(-3)
        out_s = None
        if qkv_s is not None:
            out_s = out[..., 16 * hc :].transpose(-2, -3).flatten(-2)
        return self.out(out_mv, out_s)
