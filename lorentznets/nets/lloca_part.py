"""LLoCa-ParT (arXiv 2505.20280): the Particle Transformer made Lorentz-equivariant by local frames."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import torch
from torch import nn

from ..frames import TensorReps
from ..layers.arguments import ArgumentError, check_at_least
from ..layers.lloca import frame_attention, frame_transforms
from ..layers.part import standard_attention
from ..utils.padding import identity_padding
from .input_layout import check_frames, check_particle_layout
from .lloca_transformer import cast_head_reps
from .part import ParticleTransformer


class LLoCaParticleTransformer(nn.Module):
    """ParT whose particle self-attention runs between local frames (class attention stays scalar).

    Exactly Lorentz-invariant when the per-particle features are local (frame-invariant), the
    frames equivariant and the pair features Lorentz scalars (the default: only ``ln_m2``, as in
    LLoCa). State dicts of ``lloca``'s ``ParticleTransformer`` load through
    :func:`lorentznets.compat.lloca.convert_lloca_part_state_dict`.

    Parameters
    ----------
    in_channels, out_channels : int
    attn_reps : str or TensorReps
        Representation of one head; the token width is ``num_heads * attn_reps.dim``.
    embed_dims : sequence of int
        Particle-embedding widths; the last must be the token width ``num_heads * attn_reps.dim``
        (empty: a single layer to the token width).
    pair_features : sequence of str
        Pair features; only ``ln_m2`` is invariant.
    preserve_variance : bool
        Rescale the frame changes by each frame's Lorentz factor relative to the reference momentum.
    **part
        Further :class:`ParticleTransformer` arguments (``pair_embed_dims``, ``num_layers``, ...).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        attn_reps: str | TensorReps = "8x0n+2x1n",
        num_heads: int = 8,
        embed_dims: Sequence[int] = (),
        pair_features: Sequence[str] = ("ln_m2",),
        preserve_variance: bool = True,
        **part,
    ) -> None:
        super().__init__()
        check_at_least("num_heads", num_heads, 1)
        self.reps = cast_head_reps(attn_reps)
        self.preserve_variance = preserve_variance
        width = num_heads * self.reps.dim
        if len(embed_dims) and embed_dims[-1] != width:
            raise ArgumentError(
                "embed_dims", f"the last embedding width {embed_dims[-1]} must be num_heads * attn_reps.dim = {width}"
            )
        self.backbone = ParticleTransformer(
            in_channels,
            out_channels,
            embed_dims=tuple(embed_dims) or (width,),
            pair_features=pair_features,
            num_heads=num_heads,
            **part,
        )

    def forward(
        self,
        features: torch.Tensor,
        momenta: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor,
        reference: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Jet outputs.

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, in_channels)
            Local (frame-invariant) features.
        momenta : torch.Tensor with shape (B, N, 4)
            Global (E, px, py, pz) in GeV, for the pair features.
        frames : torch.Tensor with shape (B, N, 4, 4)
            Global-to-local matrices; padded slots are read as the identity (any value may fill them).
        mask : torch.Tensor with shape (B, N), bool
        reference : torch.Tensor with shape (B, 4), optional
            Reference momentum (the jet), required with ``preserve_variance``.
        pairs : torch.Tensor with shape (3, P), int64, optional
            The real pairs for the pair embedding (see :class:`ParticleTransformer`).
        pack_index : torch.Tensor with shape (T,), int64, optional
            The real particles for the token-wise layers (see :class:`ParticleTransformer`).

        Returns
        -------
        torch.Tensor with shape (B, out_channels)

        Raises
        ------
        ValueError, TypeError
            As :class:`ParticleTransformer`, and for frames of another shape than (B, N, 4, 4) or
            another float precision.
        """
        if self.preserve_variance and reference is None:
            raise ValueError("LLoCaParticleTransformer with preserve_variance=True needs the reference momentum")
        name, dtype = "LLoCaParticleTransformer", self.backbone.class_token.dtype
        check_particle_layout(name, mask, dtype, features=(features, self.backbone.in_channels), momenta=(momenta, 4))
        check_frames(name, frames, tuple(mask.shape), dtype)
        frames = identity_padding(frames, mask, dtype)
        transforms = frame_transforms(frames, self.reps, reference if self.preserve_variance else None)
        attention = partial(frame_attention, transforms=transforms, attention=standard_attention)
        return self.backbone.run_checked(features, momenta, mask, attention, pairs, pack_index)
