"""LorentzNet tagging wrapper (registered as model name ``lorentznet``)."""

from __future__ import annotations

import torch

from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.layers.lorentznet import real_pairs, top_tagging_inputs
from lorentznets.nets.lorentznet import LorentzNet


@register_wrapper("tagging", "lorentznet")
class LorentzNetTaggingWrapper(TaggingWrapper):
    """LorentzNet with the published top-tagging inputs: two beam particles (sqrt(2), 0, 0, +-1)
    and the scalars psi(one-hot(constituent, beam) * mass), followed by any per-particle scalars
    (zero for the beams). Momenta are divided by the momentum scale first (the published runs used
    GeV); the beams make the tagger invariant only under rotations about the beam axis.
    The inputs are cast to the net's dtype only after the constituent masses are computed (in
    float64, see :func:`~lorentznets.layers.lorentznet.top_tagging_inputs`): float64 momenta give
    a float32 net accurate masses for massless constituents, float32 momenta only rounding noise.

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

    head_prefixes = ("net.decoder.",)

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = build_net(LorentzNet, net, in_scalar_channels=2 + num_scalars, out_channels=out_channels)

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``edges`` for :meth:`forward`: the :meth:`pair_list` of ``mask``, built with the batch."""
        return {"edges": self.pair_list(mask)}

    def pair_list(self, mask: torch.Tensor) -> torch.Tensor:
        """Edge list (2, E) of the net's real pairs (beams first, then the constituents) for ``mask`` (B, N).

        Reads the mask on the host: build it with the batch and pass it to :meth:`forward` as
        ``edges``, so that messages run over real pairs only (see ``LorentzNet.forward``).
        """
        return real_pairs(torch.cat((mask.new_ones(mask.shape[0], 2), mask), dim=1))

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        edges: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N).

        ``edges``: optional :meth:`pair_list` of ``mask``; the same logits, faster on padded jets.
        """
        dtype = self.net.embedding.weight.dtype
        labels, p, mask_beams = top_tagging_inputs(momenta / self.momentum_scale, mask, trim=False, dtype=dtype)
        if scalars is not None:
            padding = labels.new_zeros(scalars.shape[0], 2, scalars.shape[-1])
            labels = torch.cat((labels, torch.cat((padding, scalars.to(dtype)), dim=1)), dim=-1)
        return self.net(labels, p, mask_beams, edges)
