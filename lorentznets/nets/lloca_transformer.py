"""LLoCa-Transformer (arXiv 2505.20280): a plain Transformer made Lorentz-equivariant by local
frames and frame-to-frame attention."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..frames import TensorReps
from ..layers.arguments import ArgumentError, check_at_least, check_probability
from ..layers.attention import PackedSegments, unpack
from ..layers.lloca import FrameTransforms, frame_attention, frame_transforms
from ..utils.padding import identity_padding, zero_padding
from .input_layout import check_float_input, check_frames, check_particle_layout


class LLoCaTransformerBlock(nn.Module):
    """Pre-LN block: parameter-free LayerNorm, LLoCa attention, residual; LayerNorm, MLP, residual.

    Parameters
    ----------
    reps : TensorReps
        Representation of one attention head; the token width is ``num_heads * reps.dim``.
    num_heads : int
    mlp_ratio : int
    dropout : float
        Dropout after the attention projection and inside the MLP.
    """

    def __init__(self, reps: TensorReps, num_heads: int, mlp_ratio: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        channels = num_heads * reps.dim
        self.reps = reps
        self.num_heads = num_heads
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)
        self.dropout = nn.Dropout(dropout)
        self.mlp = nn.Sequential(
            nn.Linear(channels, mlp_ratio * channels),
            nn.Dropout(dropout),
            nn.GELU(),
            nn.Linear(mlp_ratio * channels, channels),
            nn.Dropout(dropout),
        )

    def forward(
        self,
        x: torch.Tensor,
        transforms: FrameTransforms,
        attn_mask: torch.Tensor | None,
        segments: PackedSegments | None = None,
    ) -> torch.Tensor:
        """Update the tokens.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, C), or (T, C) with ``segments``
            Local components, C = num_heads * reps.dim.
        transforms : FrameTransforms
        attn_mask : torch.Tensor with shape (B, 1, 1, N), bool, optional
            Padded batches only.
        segments : PackedSegments, optional
            Events of a packed batch.

        Returns
        -------
        torch.Tensor with shape of ``x``
        """
        channels = x.shape[-1]
        h = F.layer_norm(x, (channels,))
        # (..., N, 3 C) -> 3 x (..., H, N, D): heads before the particle axis, padded or packed
        q, k, v = self.qkv(h).unflatten(-1, (3, self.num_heads, self.reps.dim)).movedim(-3, 0).movedim(-2, -3)
        h = frame_attention(q, k, v, transforms, attn_mask, segments=segments)
        x = x + self.dropout(self.out(h.movedim(-3, -2).flatten(-2)))
        return x + self.mlp(F.layer_norm(x, (channels,)))


class LLoCaTransformer(nn.Module):
    """Stack of LLoCa-Transformer blocks between linear maps, on tokens in local frames.

    Lorentz-equivariant when its inputs are local (invariant) features and the frames are
    equivariant: the per-particle outputs are then invariant. State dicts of ``lloca``'s
    ``Transformer`` load through :func:`lorentznets.compat.lloca.convert_lloca_transformer_state_dict`.

    Parameters
    ----------
    in_channels, out_channels : int
        Per-particle input and output channels.
    attn_reps : str or TensorReps
        Representation of one attention head, e.g. ``"8x0n+4x1n"``.
    num_heads, num_blocks : int
    mlp_ratio : int
    dropout : float
    preserve_variance : bool
        Rescale the frame changes by each frame's Lorentz factor relative to the reference momentum
        (then ``forward`` needs ``reference``); the factor is detached, so no gradient flows
        through it to the reference or the frames (as in lloca).

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a size < 1 or an ``attn_reps``
        without channels.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        attn_reps: str | TensorReps = "8x0n+4x1n",
        num_heads: int = 8,
        num_blocks: int = 6,
        mlp_ratio: int = 4,
        dropout: float = 0.0,
        preserve_variance: bool = True,
    ) -> None:
        super().__init__()
        for name, value in (
            ("in_channels", in_channels),
            ("out_channels", out_channels),
            ("num_heads", num_heads),
            ("num_blocks", num_blocks),
            ("mlp_ratio", mlp_ratio),
        ):
            check_at_least(name, value, 1)
        check_probability("dropout", dropout)
        self.reps = cast_head_reps(attn_reps)
        self.preserve_variance = preserve_variance
        channels = num_heads * self.reps.dim
        self.linear_in = nn.Linear(in_channels, channels)
        self.blocks = nn.ModuleList(
            LLoCaTransformerBlock(self.reps, num_heads, mlp_ratio, dropout) for _ in range(num_blocks)
        )
        self.linear_out = nn.Linear(channels, out_channels)

    def forward(
        self,
        features: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor | None = None,
        reference: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
        offsets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Per-particle outputs.

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, in_channels)
            Local (frame-invariant) features.
        frames : torch.Tensor with shape (B, N, 4, 4)
        mask : torch.Tensor with shape (B, N), bool, optional
            True for real particles: padded ones are never attended to, their features and frames
            are read as zeros and the identity (any value, NaN included, may fill them) and their
            outputs are zero.
        reference : torch.Tensor with shape (B, 4), optional
            Reference momentum in GeV (e.g. the jet), required with ``preserve_variance``. It
            enters only through a detached factor per frame (no gradient flows to it, see
            :func:`~lorentznets.layers.lloca.frame_transforms`).
        pack_index, offsets : torch.Tensor with shapes (T,) and (B + 1,), int64, optional
            The real particles of ``mask`` in row-major order (``mask.flatten().nonzero()``, see
            :func:`lorentznets.layers.attention.real_particles`) and the event boundaries in them
            (``offsets[b]`` real particles before event b), both built on the host with the batch:
            the blocks then run on the T real tokens only, with block-diagonal attention; the same
            outputs at real particles, zeros at padded ones.

        Returns
        -------
        torch.Tensor with shape (B, N, out_channels)

        Raises
        ------
        ValueError
            Inputs of other shapes than the above (unbatched ones included), a mask that is not
            bool, or ``pack_index`` without the mask and the offsets.
        TypeError
            Features or frames of another float precision than the parameters' (lower ones run in
            float32).
        """
        if self.preserve_variance and reference is None:
            raise ValueError("LLoCaTransformer with preserve_variance=True needs the reference momentum")
        reference = reference if self.preserve_variance else None
        features, frames = self._check_inputs(features, frames, mask, reference, pad=pack_index is None)
        if pack_index is None:
            transforms = frame_transforms(frames, self.reps, reference)
            attn_mask = None if mask is None else mask[:, None, None, :]
            x = self.linear_in(features)
            for block in self.blocks:
                x = block(x, transforms, attn_mask)
            out = self.linear_out(x)
            return out if mask is None else out.masked_fill(~mask[..., None], 0.0)
        if mask is None or offsets is None:
            raise ValueError("LLoCaTransformer: pack_index needs the mask and the offsets")
        batch, num = mask.shape
        segments = PackedSegments.from_offsets(offsets, pack_index.numel(), num, validate=False)
        if reference is not None:
            reference = reference[segments.event_ids]
        transforms = frame_transforms(frames.flatten(0, 1)[pack_index], self.reps, reference)
        x = self.linear_in(features.flatten(0, 1)[pack_index])
        for block in self.blocks:
            x = block(x, transforms, None, segments)
        return unpack(self.linear_out(x), pack_index, batch, num)

    def _check_inputs(
        self,
        features: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor | None,
        reference: torch.Tensor | None,
        pad: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Shape and dtype checks (metadata only); features and frames in the parameters' dtype,
        with ``pad`` their padded slots zero and the identity (the packed path never reads them)."""
        name = "LLoCaTransformer"
        dtype = self.linear_in.weight.dtype
        in_channels = self.linear_in.in_features
        if mask is None:
            if features.dim() != 3 or features.shape[-1] != in_channels:
                raise ValueError(f"{name}: features must have shape (B, N, {in_channels}), got {tuple(features.shape)}")
            check_float_input(name, "features", features, dtype)
            check_frames(name, frames, tuple(features.shape[:2]), dtype)
            features, frames = features.to(dtype), frames.to(dtype)
        else:
            check_particle_layout(name, mask, dtype, features=(features, in_channels))
            check_frames(name, frames, tuple(mask.shape), dtype)
            if pad:
                features, frames = zero_padding(features, mask, dtype), identity_padding(frames, mask, dtype)
            else:
                features, frames = features.to(dtype), frames.to(dtype)
        if reference is not None and (reference.dim() != 2 or reference.shape != (features.shape[0], 4)):
            raise ValueError(
                f"{name}: reference must have shape {(features.shape[0], 4)} (one momentum per event), "
                f"got {tuple(reference.shape)}"
            )
        return features, frames


def cast_head_reps(attn_reps: str | TensorReps) -> TensorReps:
    """``TensorReps.cast(attn_reps)``, refusing a representation without channels.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) naming ``attn_reps``.
    """
    try:
        reps = TensorReps.cast(attn_reps)
    except ValueError as error:
        raise ArgumentError("attn_reps", f"attn_reps: {error}") from None
    if reps.dim == 0:
        raise ArgumentError("attn_reps", f"attn_reps must have at least one channel, got {str(attn_reps)!r}")
    return reps
