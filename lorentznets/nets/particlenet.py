"""ParticleNet (arXiv 1902.08570): dynamic-graph EdgeConv blocks on a particle cloud."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..layers.arguments import ArgumentError, check_at_least, check_head_layers
from ..layers.particlenet import EdgeConvBlock, NeighbourTransform, channel_batch_norm, pad_particles
from ..utils.padding import zero_padding
from .input_layout import check_particle_layout

# padded particles are moved this far in every coordinate, so they are never neighbours of real ones
_COORD_SHIFT = 1e9
# the published ParticleNet: three blocks of k = 16 neighbours
PAPER_CONV_PARAMS = ((16, (64, 64, 64)), (16, (128, 128, 128)), (16, (256, 256, 256)))


class ParticleNet(nn.Module):
    """EdgeConv blocks (neighbours in the given coordinates first, then in the previous block's
    features), fusion of all block outputs (optional), mean over real particles, fully connected head.

    Permutation invariant; not Lorentz-equivariant (a baseline, and the backbone of
    LLoCa-ParticleNet, which passes its frame changes through ``forward``). State dicts of weaver-core's ``ParticleNet``
    load through :func:`lorentznets.compat.weaver.convert_particlenet_state_dict`.

    Parameters
    ----------
    in_channels : int
        Per-particle features.
    out_channels : int
        Outputs per jet (logits).
    conv_params : sequence of (int, sequence of int)
        ``(k, widths)`` of each EdgeConv block.
    fc_params : sequence of (int, float)
        Hidden layers of the head (width, dropout), each Linear + ReLU + Dropout.
    use_fusion : bool
        Concatenate all block outputs and map them through Linear + BatchNorm + ReLU before the
        pooling (as published); False: pool the last block's output.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for no EdgeConv block, a block with
        k < 1 or without widths, a width < 1, or a bad head layer.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        conv_params: Sequence[tuple[int, Sequence[int]]] = (
            (16, (64, 64, 64)),
            (16, (128, 128, 128)),
            (16, (256, 256, 256)),
        ),
        fc_params: Sequence[Sequence[float]] = ((256, 0.1),),
        use_fusion: bool = True,
    ) -> None:
        super().__init__()
        check_at_least("in_channels", in_channels, 1)
        check_at_least("out_channels", out_channels, 1)
        check_conv_params(conv_params)
        check_head_layers("fc_params", fc_params)
        self.input_norm = nn.BatchNorm1d(in_channels)
        # k neighbours other than the point itself need k + 1 particle slots
        self.min_particles = 1 + max(int(k) for k, _ in conv_params)
        widths = [in_channels] + [int(c[-1]) for _, c in conv_params]
        self.edge_convs = nn.ModuleList(
            EdgeConvBlock(int(k), widths[i], [int(c) for c in channels]) for i, (k, channels) in enumerate(conv_params)
        )
        self.fusion: nn.Module | None = None
        channels = widths[-1]
        if use_fusion:
            fused_in = sum(widths[1:])
            channels = min(max((fused_in // 128) * 128, 128), 1024)
            self.fusion = nn.Module()
            self.fusion.linear = nn.Linear(fused_in, channels, bias=False)
            self.fusion.norm = nn.BatchNorm1d(channels)
        head: list[nn.Module] = []
        for width, rate in fc_params:
            head += [nn.Linear(channels, int(width)), nn.ReLU(), nn.Dropout(float(rate))]
            channels = int(width)
        head.append(nn.Linear(channels, out_channels))
        self.head = nn.Sequential(*head)

    def forward(
        self,
        points: torch.Tensor,
        features: torch.Tensor,
        mask: torch.Tensor,
        neighbour_transforms: Sequence[NeighbourTransform | None] | None = None,
    ) -> torch.Tensor:
        """Jet outputs.

        Parameters
        ----------
        points : torch.Tensor with shape (B, N, D)
            Coordinates of the first neighbour search (e.g. delta eta, delta phi to the jet axis).
        features : torch.Tensor with shape (B, N, in_channels)
        mask : torch.Tensor with shape (B, N), bool
            True for real particles. Padded slots are read as zeros (any value, NaN included, may
            fill them): they enter the BatchNorm statistics in training, as in the published code,
            but their values do not matter.
        neighbour_transforms : sequence of NeighbourTransform or None, optional
            One per EdgeConv block (see :class:`EdgeConvBlock`); None: none anywhere.

        Returns
        -------
        torch.Tensor with shape (B, out_channels)

        Notes
        -----
        A batch with fewer particle slots than :attr:`min_particles` (its largest k + 1), e.g. short
        jets trimmed to the longest, gets padding slots added, as if padded further (neighbour
        transforms must then take those slots too: :class:`~lorentznets.nets.LLoCaParticleNet`
        pads its frames first).
        """
        dtype, channels = self.input_norm.weight.dtype, self.input_norm.num_features
        check_particle_layout("ParticleNet", mask, dtype, points=(points, None), features=(features, channels))
        return self.run_checked(points, features, mask, neighbour_transforms)

    def run_checked(
        self,
        points: torch.Tensor,
        features: torch.Tensor,
        mask: torch.Tensor,
        neighbour_transforms: Sequence[NeighbourTransform | None] | None = None,
    ) -> torch.Tensor:
        """:meth:`forward` on inputs whose layout a net around this one has checked (LLoCa-ParticleNet).

        Parameters
        ----------
        points : torch.Tensor with shape (B, N, D)
        features : torch.Tensor with shape (B, N, in_channels)
        mask : torch.Tensor with shape (B, N), bool
        neighbour_transforms : sequence of NeighbourTransform or None, optional
            As for :meth:`forward`.

        Returns
        -------
        torch.Tensor with shape (B, out_channels)
        """
        dtype = self.input_norm.weight.dtype
        # padded points are moved far away below (masked_fill), whatever they hold
        points, features = points.to(dtype), zero_padding(features, mask, dtype)
        points, features, mask = pad_particles((points, features, mask), self.min_particles)
        real = mask.unsqueeze(-1)
        x = channel_batch_norm(self.input_norm, features).masked_fill(~real, 0.0)
        transforms = neighbour_transforms or (None,) * len(self.edge_convs)
        outputs = []
        for index, (conv, transform) in enumerate(zip(self.edge_convs, transforms, strict=True)):
            coordinates = (points if index == 0 else x).masked_fill(~real, _COORD_SHIFT)
            x = conv(coordinates, x, transform).masked_fill(~real, 0.0)
            outputs.append(x)
        if self.fusion is not None:
            x = self.fusion.linear(torch.cat(outputs, dim=-1))
            x = torch.relu(channel_batch_norm(self.fusion.norm, x)).masked_fill(~real, 0.0)
        counts = real.sum(dim=1).clamp(min=1).to(x.dtype)
        return self.head(x.sum(dim=1) / counts)


def check_conv_params(conv_params: Sequence[tuple[int, Sequence[int]]]) -> None:
    """Refuse EdgeConv settings that build no block, or a block without neighbours or layers.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) naming ``conv_params``.
    """
    blocks = [(k, list(widths)) for k, widths in conv_params]
    if not blocks or any(not k >= 1 or not widths or not min(widths) >= 1 for k, widths in blocks):
        raise ArgumentError(
            "conv_params",
            f"conv_params must hold at least one [k >= 1, [widths >= 1, ...]] block, got {[list(b) for b in blocks]}",
        )
