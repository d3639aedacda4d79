"""Non-equivariant frames: the identity, and random global transformations for data augmentation."""

from __future__ import annotations

import torch
from torch import nn

from ..lorentz import boost_matrix, random_rotation, rotation_matrix

TRANSFORMS = ("lorentz", "rotation", "z_rotation", "z_boost_rotation")


def identity_frames(momenta: torch.Tensor) -> torch.Tensor:
    """Identity frames, for a backbone that is not made equivariant.

    Parameters
    ----------
    momenta : torch.Tensor with shape (..., 4)

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    eye = torch.eye(4, dtype=momenta.dtype, device=momenta.device)
    return eye.expand(*momenta.shape[:-1], 4, 4)


class RandomGlobalFrames(nn.Module):
    """One random transformation per event in training (data augmentation), the identity otherwise.

    Parameters
    ----------
    transform : str
        "lorentz" (rotation * boost along z * rotation, Haar rotations), "rotation" (SO(3)),
        "z_rotation" (rotations about the beam), or "z_boost_rotation" (boost along the beam and
        rotation about it, which keeps transverse momenta).
    std_rapidity : float
        Boost rapidities are normal with this width, truncated at ``max_std`` widths.
    max_std : float
    """

    def __init__(self, transform: str = "lorentz", std_rapidity: float = 0.1, max_std: float = 3.0) -> None:
        super().__init__()
        if transform not in TRANSFORMS:
            raise ValueError(f"unknown transform {transform!r}; choose from {TRANSFORMS}")
        self.transform = transform
        self.std_rapidity = std_rapidity
        self.max_std = max_std

    def forward(self, momenta: torch.Tensor) -> torch.Tensor:
        """Frames.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 4)

        Returns
        -------
        torch.Tensor with shape (B, N, 4, 4), the same matrix for every particle of an event
        """
        if not self.training:
            return identity_frames(momenta)
        batch, num = momenta.shape[:2]
        kw = dict(dtype=momenta.dtype, device=momenta.device)
        if self.transform == "rotation":
            matrix = random_rotation((batch,), **kw)
        elif self.transform == "z_rotation":
            matrix = _z_rotation(2 * torch.pi * torch.rand(batch, **kw))
        else:
            rapidity = (self.std_rapidity * torch.randn(batch, **kw)).clamp(
                -self.max_std * self.std_rapidity, self.max_std * self.std_rapidity
            )
            z_axis = torch.tensor([0.0, 0.0, 1.0], **kw).expand(batch, 3)
            z_boost = boost_matrix(rapidity, z_axis)
            if self.transform == "z_boost_rotation":
                matrix = _z_rotation(2 * torch.pi * torch.rand(batch, **kw)) @ z_boost
            else:
                matrix = random_rotation((batch,), **kw) @ z_boost @ random_rotation((batch,), **kw)
        return matrix.unsqueeze(1).expand(batch, num, 4, 4)


def _z_rotation(angle: torch.Tensor) -> torch.Tensor:
    cos, sin = angle.cos(), angle.sin()
    zero, one = torch.zeros_like(angle), torch.ones_like(angle)
    rows = torch.stack((cos, -sin, zero, sin, cos, zero, zero, zero, one), dim=-1)
    return rotation_matrix(rows.reshape(*angle.shape, 3, 3))
