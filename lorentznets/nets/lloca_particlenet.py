"""LLoCa-ParticleNet (arXiv 2505.20280): ParticleNet made Lorentz-equivariant by local frames."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import torch
from torch import nn

from ..frames import TensorReps
from ..layers.arguments import ArgumentError
from ..layers.lloca import NeighbourFrames, to_centre_frames
from ..layers.particlenet import pad_particles
from ..utils.padding import identity_padding
from .input_layout import check_frames, check_particle_layout
from .particlenet import ParticleNet, check_conv_params


class LLoCaParticleNet(nn.Module):
    """ParticleNet whose EdgeConv messages see each neighbour's features in the centre's frame.

    Every particle carries its features in its own local frame. Block b > 1 reads its input
    channels as the tensor representation ``hidden_reps[b - 2]`` and carries the gathered
    neighbour features with ``rho(L_i L_j^-1)`` into the centre's frame before the message
    (:func:`lorentznets.layers.lloca.to_centre_frames`); the first block's inputs are scalars.
    The neighbours are searched in the local (invariant) coordinates and features, so the outputs
    are exactly Lorentz-invariant when the inputs are local features of equivariant frames. With
    identity frames this is :class:`ParticleNet`. State dicts of ``lloca``'s ``ParticleNet`` load
    through :func:`lorentznets.compat.lloca.convert_lloca_particlenet_state_dict`.

    Parameters
    ----------
    in_channels, out_channels : int
        Per-particle (scalar) inputs; outputs per jet.
    conv_params : sequence of (int, sequence of int)
        ``(k, widths)`` of each EdgeConv block.
    hidden_reps : sequence of str or TensorReps
        Representation of the inputs of blocks 2, 3, ...; each must have the previous block's
        output width as its dimension.
    fc_params : sequence of (int, float)
        Hidden layers of the head (width, dropout).
    use_fusion : bool
        See :class:`ParticleNet`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        conv_params: Sequence[tuple[int, Sequence[int]]] = ((16, (64, 64, 64)), (16, (128, 128, 128))),
        hidden_reps: Sequence[str | TensorReps] = ("32x0n+8x1n",),
        fc_params: Sequence[Sequence[float]] = ((256, 0.1),),
        use_fusion: bool = True,
    ) -> None:
        super().__init__()
        check_conv_params(conv_params)
        self.hidden_reps = tuple(TensorReps.cast(reps) for reps in hidden_reps)
        if len(self.hidden_reps) != len(conv_params) - 1:
            raise ArgumentError(
                "hidden_reps",
                f"hidden_reps needs one representation per EdgeConv block after the first "
                f"({len(conv_params) - 1}), got {len(self.hidden_reps)}",
            )
        for index, (reps, (_, widths)) in enumerate(zip(self.hidden_reps, conv_params)):
            if reps.dim != int(widths[-1]):
                raise ArgumentError(
                    "hidden_reps",
                    f"hidden_reps[{index}] = {str(reps)!r} has dimension {reps.dim}, but EdgeConv block "
                    f"{index + 1} outputs {int(widths[-1])} channels",
                )
        self.backbone = ParticleNet(in_channels, out_channels, conv_params, fc_params, use_fusion)

    def forward(
        self, points: torch.Tensor, features: torch.Tensor, frames: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Jet outputs.

        Parameters
        ----------
        points : torch.Tensor with shape (B, N, D)
            Local (frame-invariant) coordinates of the first neighbour search.
        features : torch.Tensor with shape (B, N, in_channels)
            Local (frame-invariant) features.
        frames : torch.Tensor with shape (B, N, 4, 4)
            Global-to-local matrices L_i; padded slots are read as the identity (any value may
            fill them).
        mask : torch.Tensor with shape (B, N), bool
            True for real particles.

        Returns
        -------
        torch.Tensor with shape (B, out_channels)

        Raises
        ------
        ValueError, TypeError
            As :class:`ParticleNet`, and for frames of another shape than (B, N, 4, 4) or another
            float precision.
        """
        name, backbone = "LLoCaParticleNet", self.backbone
        dtype = backbone.input_norm.weight.dtype
        channels = backbone.input_norm.num_features
        check_particle_layout(name, mask, dtype, points=(points, None), features=(features, channels))
        # float64 frames of strongly boosted jets stay float64 (see to_centre_frames)
        check_frames(name, frames, tuple(mask.shape), dtype, higher_precision=True)
        # the slots the backbone's neighbour search needs are added here, so that their frames
        # are the identity too
        points, features, frames, mask = pad_particles((points, features, frames, mask), self.backbone.min_particles)
        frames = identity_padding(frames, mask, torch.promote_types(frames.dtype, dtype))
        matrices = NeighbourFrames.from_frames(frames)
        transforms = [None] + [partial(to_centre_frames, reps=reps, frames=matrices) for reps in self.hidden_reps]
        return self.backbone.run_checked(points, features, mask, transforms)
