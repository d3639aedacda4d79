"""Beam reference particles that taggers prepend to every jet (LorentzNet, LGN, PELICAN).

Each paper uses the pair (E, 0, 0, +1) and (E, 0, 0, -1) along the beam axis, with its own E:
sqrt(2) (unit mass) for LorentzNet and LGN, 1 (light-like) for PELICAN. With them a net is
invariant only under the rotations about the beam axis.
"""

from __future__ import annotations

import torch

from ..utils import device_constant


@device_constant
def beam_pair(energy: float, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The two beams (energy, 0, 0, +1) and (energy, 0, 0, -1), shape (2, 4); cached per device."""
    return torch.tensor([[energy, 0.0, 0.0, 1.0], [energy, 0.0, 0.0, -1.0]], dtype=dtype, device=device)


def prepend_beams(
    p: torch.Tensor, mask: torch.Tensor, energy: float, scalars: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Put the two beam particles in front of every jet.

    Parameters
    ----------
    p : torch.Tensor with shape (B, N, 4)
        Momenta (E, px, py, pz), in the network's units.
    mask : torch.Tensor with shape (B, N), bool
    energy : float
        Energy of each beam particle (its momentum is 1 along +-z).
    scalars : torch.Tensor with shape (B, N, S), optional
        Per-particle features; the beams get zeros.

    Returns
    -------
    p : torch.Tensor with shape (B, N + 2, 4)
    mask : torch.Tensor with shape (B, N + 2), bool
    is_beam : torch.Tensor with shape (B, N + 2), dtype of ``p``
        1 for the two beams, 0 for the constituents.
    scalars : torch.Tensor with shape (B, N + 2, S) or None
    """
    batch = p.shape[0]
    beams = beam_pair(float(energy), p.dtype, p.device).expand(batch, 2, 4)
    p = torch.cat((beams, p), dim=1)
    mask = torch.cat((mask.new_ones(batch, 2), mask), dim=1)
    is_beam = torch.zeros(p.shape[:2], dtype=p.dtype, device=p.device)
    is_beam[:, :2] = 1.0
    if scalars is not None:
        scalars = torch.cat((scalars.new_zeros(batch, 2, scalars.shape[-1]), scalars), dim=1)
    return p, mask, is_beam, scalars
