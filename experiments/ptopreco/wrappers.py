"""Covariant top-momentum regressors, registered under the family ``"ptopreco"``.

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
    """PELICAN's covariant head: sum_i (1 + c_i) p_i with invariant weights c_i.

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
