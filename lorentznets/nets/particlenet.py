"""ParticleNet (arXiv 1902.08570): dynamic-graph EdgeConv blocks on a particle cloud."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..layers.particlenet import EdgeConvBlock

# padded particles are moved this far in every coordinate, so they are never neighbours of real ones
_COORD_SHIFT = 1e9
# the published ParticleNet: three blocks of k = 16 neighbours
PAPER_CONV_PARAMS = ((16, (64, 64, 64)), (16, (128, 128, 128)), (16, (256, 256, 256)))


class ParticleNet(nn.Module):
    """EdgeConv blocks (neighbours in the given coordinates first, then in the previous block's
    features), fusion of all block outputs, mean over real particles, fully connected head.

    Permutation invariant; not Lorentz-equivariant. State dicts of weaver-core's ``ParticleNet``
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
    ) -> None:
        super().__init__()
        self.input_norm = nn.BatchNorm1d(in_channels)
        widths = [in_channels] + [int(c[-1]) for _, c in conv_params]
        self.edge_convs = nn.ModuleList(
            EdgeConvBlock(int(k), widths[i], [int(c) for c in channels]) for i, (k, channels) in enumerate(conv_params)
        )
        fused_in = sum(widths[1:])
        fused_out = min(max((fused_in // 128) * 128, 128), 1024)
        self.fusion = nn.Module()
        self.fusion.linear = nn.Linear(fused_in, fused_out, bias=False)
        self.fusion.norm = nn.BatchNorm1d(fused_out)
        head: list[nn.Module] = []
        channels = fused_out
        for width, rate in fc_params:
            head += [nn.Linear(channels, int(width)), nn.ReLU(), nn.Dropout(float(rate))]
            channels = int(width)
        head.append(nn.Linear(channels, out_channels))
        self.head = nn.Sequential(*head)

    def forward(self, points: torch.Tensor, features: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Jet outputs.

        Parameters
        ----------
        points : torch.Tensor with shape (B, N, D)
            Coordinates of the first neighbour search (e.g. delta eta, delta phi to the jet axis).
        features : torch.Tensor with shape (B, N, in_channels)
        mask : torch.Tensor with shape (B, N), bool
            True for real particles.

        Returns
        -------
        torch.Tensor with shape (B, out_channels)
        """
        real = mask.unsqueeze(-1)
        x = self.input_norm(features.transpose(1, 2)).transpose(1, 2).masked_fill(~real, 0.0)
        outputs = []
        for index, conv in enumerate(self.edge_convs):
            coordinates = (points if index == 0 else x).masked_fill(~real, _COORD_SHIFT)
            x = conv(coordinates, x).masked_fill(~real, 0.0)
            outputs.append(x)
        fused = self.fusion.linear(torch.cat(outputs, dim=-1))
        fused = torch.relu(self.fusion.norm(fused.transpose(1, 2)).transpose(1, 2)).masked_fill(~real, 0.0)
        counts = real.sum(dim=1).clamp(min=1).to(fused.dtype)
        return self.head(fused.sum(dim=1) / counts)
