"""Particle Transformer (ParT, arXiv 2202.03772): attention with pairwise interaction biases."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..layers.arguments import ArgumentError, check_at_least, check_head_layers, check_sizes
from ..layers.part import PAIR_FEATURES, PairEmbedding, ParTBlock, ParticleEmbedding, standard_attention
from ..layers.part.block import Attention
from ..utils.padding import zero_padding
from .input_layout import check_particle_layout


class ParticleTransformer(nn.Module):
    """ParT: particle embedding, pair-biased self-attention blocks, class-attention blocks, head.

    Permutation invariant; not Lorentz-equivariant (a baseline, and the backbone of LLoCa-ParT,
    which passes its frame-to-frame attention through ``forward``). State dicts of weaver-core's
    ``ParticleTransformer`` (version 1) load through :func:`lorentznets.compat.weaver.convert_part_state_dict`.

    Parameters
    ----------
    in_channels : int
        Per-particle features.
    out_channels : int
        Outputs per jet (logits).
    embed_dims : sequence of int
        Widths of the particle embedding; the last is the token width.
    pair_embed_dims : sequence of int
        Hidden widths of the pair embedding (its output has ``num_heads`` channels); empty: no pair
        bias.
    pair_features : sequence of str
        Pair features, in order (see :data:`lorentznets.layers.part.PAIR_FEATURES`).
    num_heads, num_layers, num_cls_layers : int
        Heads, particle blocks, class-attention blocks.
    ffn_ratio : int
        Feed-forward width relative to the token width.
    fc_params : sequence of (int, float)
        Hidden layers of the head (width, dropout), each Linear + ReLU + Dropout.
    dropout, attn_dropout, activation_dropout : float
        Dropouts of the particle blocks (the class-attention blocks use none).
    pair_bias_activation : bool
        A GELU on the attention biases from the pair embedding: weaver-core's
        ``use_pre_activation_pair=False``, which the ParT repository's published models were
        trained with (their converted weights need it); False: weaver-core's default.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a width, head or block count < 1
        (without a class-attention block the output would not depend on the jet), a token width
        not divisible by ``num_heads``, an unknown pair feature, or a dropout outside [0, 1).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        embed_dims: Sequence[int] = (128, 512, 128),
        pair_embed_dims: Sequence[int] = (64, 64, 64),
        pair_features: Sequence[str] = PAIR_FEATURES,
        num_heads: int = 8,
        num_layers: int = 8,
        num_cls_layers: int = 2,
        ffn_ratio: int = 4,
        fc_params: Sequence[Sequence[float]] = (),
        dropout: float = 0.1,
        attn_dropout: float = 0.1,
        activation_dropout: float = 0.1,
        pair_bias_activation: bool = False,
    ) -> None:
        super().__init__()
        check_part_arguments(
            in_channels=in_channels,
            out_channels=out_channels,
            embed_dims=embed_dims,
            pair_embed_dims=pair_embed_dims,
            pair_features=pair_features,
            num_heads=num_heads,
            num_layers=num_layers,
            num_cls_layers=num_cls_layers,
            ffn_ratio=ffn_ratio,
            fc_params=fc_params,
        )
        channels = embed_dims[-1]
        self.num_heads = num_heads
        self.in_channels = in_channels
        self.embedding = ParticleEmbedding(in_channels, tuple(embed_dims))
        self.pair_embedding = (
            PairEmbedding((*pair_embed_dims, num_heads), tuple(pair_features), final_activation=pair_bias_activation)
            if len(pair_embed_dims)
            else None
        )
        self.blocks = nn.ModuleList(
            ParTBlock(channels, num_heads, ffn_ratio, dropout, attn_dropout, activation_dropout)
            for _ in range(num_layers)
        )
        self.class_blocks = nn.ModuleList(
            ParTBlock(channels, num_heads, ffn_ratio, 0.0, 0.0, 0.0) for _ in range(num_cls_layers)
        )
        self.class_token = nn.Parameter(torch.zeros(1, 1, channels))
        nn.init.trunc_normal_(self.class_token, std=0.02)
        self.norm = nn.LayerNorm(channels)
        head: list[nn.Module] = []
        for width, rate in fc_params:
            head += [nn.Linear(channels, int(width)), nn.ReLU(), nn.Dropout(float(rate))]
            channels = int(width)
        head.append(nn.Linear(channels, out_channels))
        self.head = nn.Sequential(*head)
        # deeper blocks start with smaller residual branches (the published "fix_init")
        with torch.no_grad():
            for depth, block in enumerate(self.blocks, start=1):
                block.out.weight.div_(math.sqrt(2.0 * depth))
                block.fc2.weight.div_(math.sqrt(2.0 * depth))

    def forward(
        self,
        features: torch.Tensor,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        attention: Attention = standard_attention,
        pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Jet outputs.

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, in_channels)
        momenta : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV, for the pair features.
        mask : torch.Tensor with shape (B, N), bool
            True for real particles. Padded slots are read as zeros (any value, NaN included, may
            fill them): they enter the embedding's BatchNorm statistics in training, as in the
            published code, but their values do not matter.
        attention : callable
            Attention of the particle blocks (see :class:`ParTBlock`).
        pairs : torch.Tensor with shape (3, P), int64, optional
            The real pairs (:func:`lorentznets.layers.part.real_pairs` of ``mask``, built on the
            host): the pair embedding then skips the padded ones (same result).
        pack_index : torch.Tensor with shape (T,), int64, optional
            The real particles (:func:`lorentznets.layers.attention.real_particles` of ``mask``, built
            on the host): the blocks' token-wise layers then skip the padded ones (same result).

        Returns
        -------
        torch.Tensor with shape (B, out_channels)

        Raises
        ------
        ValueError
            A mask that is not bool (B, N), or features or momenta of other shapes.
        TypeError
            Features or momenta of another float precision than the parameters' (lower ones run
            in float32).
        """
        dtype, channels = self.class_token.dtype, self.in_channels
        check_particle_layout("ParticleTransformer", mask, dtype, features=(features, channels), momenta=(momenta, 4))
        return self.run_checked(features, momenta, mask, attention, pairs, pack_index)

    def run_checked(
        self,
        features: torch.Tensor,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        attention: Attention = standard_attention,
        pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """:meth:`forward` on inputs whose layout a net around this one has checked (LLoCa-ParT).

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, in_channels)
        momenta : torch.Tensor with shape (B, N, 4)
        mask : torch.Tensor with shape (B, N), bool
        attention, pairs, pack_index
            As for :meth:`forward`.

        Returns
        -------
        torch.Tensor with shape (B, out_channels)
        """
        dtype = self.class_token.dtype
        features, momenta = zero_padding(features, mask, dtype), zero_padding(momenta, mask, dtype)
        x = self.embedding(features, pack_index)
        if pack_index is None:
            x = x * mask.unsqueeze(-1)
        key_bias = torch.zeros_like(mask, dtype=x.dtype).masked_fill(~mask, float("-inf"))[:, None, None, :]
        attn_mask = key_bias if self.pair_embedding is None else self.pair_embedding(momenta, mask, pairs) + key_bias
        for block in self.blocks:
            x = block(x, attn_mask, attention=attention, pack_index=pack_index)
        token = self.class_token.expand(mask.shape[0], -1, -1)
        class_mask = torch.cat((key_bias.new_zeros(mask.shape[0], 1, 1, 1), key_bias), dim=-1)
        for block in self.class_blocks:
            token = block(x, class_mask, class_token=token, pack_index=pack_index)
        return self.head(self.norm(token.squeeze(1)))


def check_part_arguments(
    in_channels: int,
    out_channels: int,
    embed_dims: Sequence[int],
    pair_embed_dims: Sequence[int],
    pair_features: Sequence[str],
    num_heads: int,
    num_layers: int,
    num_cls_layers: int,
    ffn_ratio: int,
    fc_params: Sequence[Sequence[float]],
) -> None:
    """Refuse :class:`ParticleTransformer` arguments out of range (see there), naming the argument;
    the dropouts are :class:`~lorentznets.layers.part.ParTBlock`'s to check.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`)
    """
    for name, value in (
        ("in_channels", in_channels),
        ("out_channels", out_channels),
        ("num_heads", num_heads),
        ("num_layers", num_layers),
        ("num_cls_layers", num_cls_layers),
        ("ffn_ratio", ffn_ratio),
    ):
        check_at_least(name, value, 1)
    check_sizes("embed_dims", embed_dims)
    check_sizes("pair_embed_dims", pair_embed_dims, empty=True)
    if embed_dims[-1] % num_heads:
        raise ArgumentError(
            "num_heads", f"the token width embed_dims[-1]={embed_dims[-1]} is not divisible by num_heads={num_heads}"
        )
    unknown = [name for name in pair_features if name not in PAIR_FEATURES]
    if unknown or len(set(pair_features)) != len(pair_features):
        raise ArgumentError(
            "pair_features",
            f"pair_features must be distinct names among {', '.join(PAIR_FEATURES)}, got {list(pair_features)}",
        )
    if len(pair_embed_dims) and not len(pair_features):
        raise ArgumentError("pair_features", "pair_features must not be empty with a pair embedding (pair_embed_dims)")
    check_head_layers("fc_params", fc_params)
