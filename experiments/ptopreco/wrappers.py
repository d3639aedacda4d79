"""Covariant top-momentum regressors, registered under the family ``"ptopreco"``.

Interface: ``Wrapper(net: dict)``; ``forward(momenta (B, N, 4) GeV, mask (B, N)) -> (B, 4) GeV``;
a ``momentum_scale`` buffer (GeV) set by the experiment through ``set_momentum_scale``.
"""

from __future__ import annotations

import torch
from torch import nn

from experiments.registry import register_wrapper, wrapper_registry
from lorentznets.nets.pelican import PELICANRegressor

WRAPPERS = wrapper_registry("ptopreco")


@register_wrapper("ptopreco", "pelican")
class PELICANMomentumWrapper(nn.Module):
    """PELICAN's covariant head: sum_i (1 + c_i) p_i with invariant weights c_i.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.pelican.PELICANRegressor` arguments.
    """

    def __init__(self, net: dict) -> None:
        super().__init__()
        self.register_buffer("momentum_scale", torch.tensor(1.0))
        self.net = PELICANRegressor(**net)

    def set_momentum_scale(self, scale: float) -> None:
        """Set the unit (GeV) momenta are divided by inside the net."""
        if not scale > 0:
            raise ValueError(f"momentum scale must be positive, got {scale}")
        self.momentum_scale.fill_(scale)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Predicted top momenta (B, 4) in GeV."""
        return self.net(momenta / self.momentum_scale, mask) * self.momentum_scale
