"""PELICAN tagging wrapper (registered as model name ``pelican``)."""

from __future__ import annotations

import torch

from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.nets.pelican import PELICAN


@register_wrapper("tagging", "pelican")
class PELICANTaggingWrapper(TaggingWrapper):
    """PELICAN on the pairwise Minkowski products of the constituents (divided by the momentum
    scale squared), with the 2->0 readout; per-particle scalars enter through the 1->2 lift.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.pelican.PELICAN` arguments without ``out_channels`` and
        ``in_scalar_channels`` (e.g. ``hidden_channels``, ``num_blocks``, ``beams``).
    out_channels : int
        Logits per jet.
    num_scalars : int
        Per-particle scalar features.
    """

    head_prefixes = ("net.head.",)

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = build_net(PELICAN, net, out_channels=out_channels, in_scalar_channels=num_scalars)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N)."""
        return self.net(momenta / self.momentum_scale, mask, scalars)
