"""What every experiment wrapper shares: the momentum unit as a saved buffer."""

from __future__ import annotations

import torch
from torch import nn


class MomentumScaled(nn.Module):
    """Base of the wrappers: momenta (GeV) are divided by ``momentum_scale``, a buffer set from the
    training data by the experiment and saved with the model, so a reloaded model needs no data file.
    A constant scale commutes with Lorentz transformations.
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("momentum_scale", torch.tensor(1.0))

    def set_momentum_scale(self, scale: float) -> None:
        """Set the unit (GeV) momenta are divided by before entering the net."""
        if not scale > 0:
            raise ValueError(f"momentum scale must be positive, got {scale}")
        self.momentum_scale.fill_(scale)
