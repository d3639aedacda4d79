"""LorentzNet assignment backbone (registered as model name ``lorentznet``)."""

from __future__ import annotations

import torch

from experiments.assignment.wrappers import AssignmentWrapper
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets.lorentznet import LorentzNet


@register_wrapper("assignment", "lorentznet")
class LorentzNetAssignmentWrapper(AssignmentWrapper):
    """LorentzNet with the per-particle readout on the jets' four-momenta, with the invariant
    jet features (and a constant 1, so the node embedding never starts empty) as node scalars.
    No beam particles: the assignment is invariant under a common Lorentz transformation.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lorentznet.LorentzNet` arguments without channel counts.
    **kwargs
        :class:`~experiments.assignment.wrappers.AssignmentWrapper` arguments.
    """

    def __init__(self, net: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.net = build_net(
            LorentzNet, net, in_scalar_channels=self.num_invariants + 1, out_channels=self.features, readout="particle"
        )

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``edges`` (2, E): the real pairs of ``mask`` (B, N), built with the batch."""
        return {"edges": real_pairs(mask)}

    def encode(self, jets, invariants, momenta, mask, edges: torch.Tensor | None = None):
        scalars = torch.cat([invariants, mask[..., None].to(invariants.dtype)], dim=-1)
        return self.net(scalars, momenta, mask, edges)
