"""L-GATr assignment backbone (registered as model name ``gatr``)."""

from __future__ import annotations

import torch

from experiments.assignment.wrappers import AssignmentWrapper
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from lorentznets.interface import embed_vector, extract_scalar
from lorentznets.nets.lgatr import LGATr


@register_wrapper("assignment", "gatr")
class LGATrAssignmentWrapper(AssignmentWrapper):
    """L-GATr on the jets' four-momenta (one vector channel each) and invariant scalars.

    The per-jet features for the heads are the output scalar channels and the scalar
    component of one output multivector channel, all Lorentz invariant: the assignment is
    invariant under a common Lorentz transformation of the event (no reference multivectors).

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lgatr.LGATr` arguments without channel counts.
    **kwargs
        :class:`~experiments.assignment.wrappers.AssignmentWrapper` arguments.
    """

    def __init__(self, net: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.net = build_net(
            LGATr,
            net,
            in_mv_channels=1,
            out_mv_channels=1,
            in_s_channels=self.num_invariants,
            out_s_channels=self.features - 1,
        )

    def encode(self, jets, invariants, momenta, mask):
        multivectors = embed_vector(momenta)[..., None, :]
        scalars = invariants if self.num_invariants else None
        out_mv, out_s = self.net(multivectors, scalars=scalars, mask=mask)
        parts = [extract_scalar(out_mv)[..., 0]]
        if out_s is not None:
            parts.insert(0, out_s)
        return torch.cat(parts, dim=-1)
