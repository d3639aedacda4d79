"""PELICAN assignment backbone (registered as model name ``pelican``)."""

from __future__ import annotations

from experiments.assignment.wrappers import AssignmentWrapper
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from lorentznets.nets.pelican import PELICAN


@register_wrapper("assignment", "pelican")
class PELICANAssignmentWrapper(AssignmentWrapper):
    """PELICAN with the per-particle (2->1) readout on the jets' pairwise Minkowski products, with
    the invariant jet features lifted to pairs.

    The net config's ``beams`` is replaced by the wrapper's ``beams``, off by default, so the
    assignment is invariant under any common Lorentz transformation of the event; with the beam
    vectors (1, 0, 0, +-1) only under rotations about the beam axis.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.pelican.PELICAN` arguments without channel counts.
    beams : bool
        Append the beam vectors.
    **kwargs
        :class:`~experiments.assignment.wrappers.AssignmentWrapper` arguments.
    """

    def __init__(self, net: dict, beams: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.net = build_net(
            PELICAN,
            {**net, "beams": beams},
            out_channels=self.features,
            readout="particle",
            in_scalar_channels=self.num_invariants,
        )

    def encode(self, jets, invariants, momenta, mask):
        return self.net(momenta, mask, invariants if self.num_invariants else None)
