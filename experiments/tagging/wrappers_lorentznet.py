"""LorentzNet tagging wrapper (registered as model name ``lorentznet``)."""

from __future__ import annotations

import torch

from experiments.registry import register_wrapper
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.layers.lorentznet import top_tagging_inputs
from lorentznets.nets.lorentznet import LorentzNet


@register_wrapper("tagging", "lorentznet")
class LorentzNetTaggingWrapper(TaggingWrapper):
    """LorentzNet with the published top-tagging inputs: two beam particles (sqrt(2), 0, 0, +-1)
    and the scalars psi(one-hot(constituent, beam) * mass), followed by any per-particle scalars
    (zero for the beams). Momenta are divided by the momentum scale first (the published runs used
    GeV); the beams make the tagger invariant only under rotations about the beam axis.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lorentznet.LorentzNet` arguments without ``out_channels`` and
        ``in_scalar_channels`` (e.g. ``hidden_channels``, ``num_blocks``, ``c_weight``).
    out_channels : int
        Logits per jet.
    num_scalars : int
        Per-particle scalar features.
    """

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = LorentzNet(in_scalar_channels=2 + num_scalars, out_channels=out_channels, **net)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N)."""
        labels, p, mask_beams = top_tagging_inputs(momenta / self.momentum_scale, mask, trim=False)
        if scalars is not None:
            padding = scalars.new_zeros(scalars.shape[0], 2, scalars.shape[-1])
            labels = torch.cat((labels, torch.cat((padding, scalars), dim=1)), dim=-1)
        return self.net(labels, p, mask_beams)
