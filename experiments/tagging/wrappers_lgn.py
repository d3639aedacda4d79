"""LGN tagging wrapper (registered as model name ``lgn``)."""

from __future__ import annotations

import math

import torch

from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.interface import prepend_beams
from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets.lgn import LGN


@register_wrapper("tagging", "lgn")
class LGNTaggingWrapper(TaggingWrapper):
    """Lorentz Group Network on the jet constituents, optionally with two beam particles.

    Momenta are divided by the experiment's momentum scale (GeV) and then multiplied by the net's
    own ``momentum_scale``. With ``beams`` (as the original LGN top tagger), two particles
    ``(sqrt(2), 0, 0, +-1)`` (in units of the experiment's scale) are appended and a scalar
    flags them; they single out the beam axis and frame, so the tagger is then invariant only
    under rotations about the beam, not under the full Lorentz group.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lgn.LGN` arguments without ``out_channels`` and ``in_scalars``
        (``channels``, ``maxdim``, ``mlp_depth``, ...).
    out_channels : int
        Logits per jet.
    num_scalars : int
        Per-particle scalar features.
    beams : bool
        Append the two beam particles.
    """

    head_prefixes = ("net.readout.",)
    onnx_unsupported = "ONNX has no complex numbers, and LGN's Clebsch-Gordan products are complex"

    def __init__(self, net: dict, out_channels: int, num_scalars: int, beams: bool = True) -> None:
        super().__init__()
        self.beams = bool(beams)
        self.net = build_net(LGN, net, out_channels=out_channels, in_scalars=num_scalars + int(self.beams))

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``edges`` for :meth:`forward`: the :meth:`pair_list` of ``mask``, built with the batch."""
        return {"edges": self.pair_list(mask)}

    def pair_list(self, mask: torch.Tensor) -> torch.Tensor:
        """Edge list (2, E) of the net's real pairs (beams first, if any) for ``mask`` (B, N).

        Reads the mask on the host: build it with the batch and pass it to :meth:`forward` as
        ``edges``, so that the pair weights are computed for real pairs only (see ``LGN.forward``).
        """
        if self.beams:
            mask = torch.cat((mask.new_ones(mask.shape[0], 2), mask), dim=1)
        return real_pairs(mask)

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        edges: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N) bool.

        ``edges``: optional :meth:`pair_list` of ``mask``; the same logits, faster on padded jets.
        """
        p = momenta / self.momentum_scale
        if not self.beams:
            return self.net(p, mask, scalars, edges)
        p, mask, is_beam, scalars = prepend_beams(p, mask, math.sqrt(2.0), scalars)
        flags = is_beam[..., None]
        if scalars is not None:
            flags = torch.cat([flags, scalars.to(p.dtype)], dim=-1)
        return self.net(p, mask, flags, edges)
