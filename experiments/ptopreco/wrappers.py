"""Top-momentum regressors (Lorentz covariant without beams), registered under the family ``"ptopreco"``.

Interface: ``Wrapper(net: dict)``; ``forward(momenta (B, N, 4) GeV, mask (B, N)) -> (B, 4) GeV``;
a ``momentum_scale`` buffer (GeV) set by the experiment through ``set_momentum_scale``.
"""

from __future__ import annotations

import torch

from experiments.common.momentum_scale import MomentumScaled
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper, wrapper_registry
from lorentznets.nets.pelican import PELICANRegressor

WRAPPERS = wrapper_registry("ptopreco")


@register_wrapper("ptopreco", "pelican")
class PELICANMomentumWrapper(MomentumScaled):
    """PELICAN's four-vector head: sum_i (1 + c_i) p_i with weights c_i invariant under the net's
    symmetry (every Lorentz transformation with ``beams=false``; with the beams, rotations about the
    beam axis and the reflections that keep the beam pair).

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.pelican.PELICANRegressor` arguments.
    """

    def __init__(self, net: dict) -> None:
        super().__init__()
        self.net = build_net(PELICANRegressor, net)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Predicted top momenta (B, 4) in GeV."""
        return self.net(momenta / self.momentum_scale, mask) * self.momentum_scale
