"""Local frames as a boost to a predicted rest frame followed by a rotation (polar decomposition)."""

from __future__ import annotations

import torch


def boost_to_rest(gamma: torch.Tensor, gamma_beta: torch.Tensor) -> torch.Tensor:
    """The pure boost that takes a four-vector of velocity beta to rest, from gamma and gamma beta.

    Parameters
    ----------
    gamma : torch.Tensor with shape (...)
        Lorentz factor, consistent with ``gamma_beta``: ``gamma^2 = 1 + |gamma beta|^2``.
    gamma_beta : torch.Tensor with shape (..., 3)
        gamma times the velocity.

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
        ``[[gamma, -u^T], [-u, 1 + u u^T / (gamma + 1)]]`` with ``u = gamma beta``: a Lorentz
        transformation up to rounding whenever gamma and u are, with no cancellation at large or
        small boosts (``(gamma - 1) / beta^2 = gamma^2 / (gamma + 1)``).
    """
    eye = torch.eye(3, dtype=gamma_beta.dtype, device=gamma_beta.device)
    spatial = eye + gamma_beta.unsqueeze(-1) * gamma_beta.unsqueeze(-2) / (gamma + 1)[..., None, None]
    top = torch.cat((gamma.unsqueeze(-1), -gamma_beta), dim=-1)
    bottom = torch.cat((-gamma_beta.unsqueeze(-1), spatial), dim=-1)
    return torch.cat((top.unsqueeze(-2), bottom), dim=-2)


def rest_frame_boost(vector: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """The pure boost that takes a timelike four-vector to rest.

    Parameters
    ----------
    vector : torch.Tensor with shape (..., 4)
        Timelike, positive energy.
    eps : float
        Lower clamp of the energy and of 1 - beta^2.

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
        B with ``B v = (m, 0, 0, 0)``.
    """
    beta = vector[..., 1:] / vector[..., :1].clamp(min=eps)
    beta2 = beta.square().sum(dim=-1, keepdim=True)
    gamma = (1 - beta2).clamp(min=eps).rsqrt()
    return boost_to_rest(gamma.squeeze(-1), gamma * beta)


def orthonormal_rotation(references: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Rotation whose rows are the 3D Gram-Schmidt basis of two reference three-vectors.

    Parameters
    ----------
    references : torch.Tensor with shape (..., 2, 3)
        Two linearly independent three-vectors a, b.
    eps : float
        Lower clamp of the squared norms.

    Returns
    -------
    torch.Tensor with shape (..., 3, 3)
        R with rows ``a / |a|``, the normalised part of b orthogonal to a, and their cross product
        (det R = +1).
    """
    a, b = references.unbind(-2)
    x = a / a.square().sum(-1, keepdim=True).clamp(min=eps).sqrt()
    b = b - (b * x).sum(-1, keepdim=True) * x
    y = b / b.square().sum(-1, keepdim=True).clamp(min=eps).sqrt()
    return torch.stack((x, y, torch.linalg.cross(x, y)), dim=-2)


def polar_decomposition_frames(boost: torch.Tensor, references: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Frame ``L = R B``: the rest-frame boost of ``boost``, then the rotation that aligns the
    references seen in that rest frame with the x axis and the xy plane.

    Equivariant: for ``Lambda boost`` and ``Lambda references`` the frame is ``L Lambda^-1`` (the
    Wigner rotation of the boost is undone by the rotation, which sees rotated references).

    Parameters
    ----------
    boost : torch.Tensor with shape (..., 4)
        Timelike, positive energy.
    references : torch.Tensor with shape (..., 2, 4)
    eps : float
        Lower clamp inside the square roots.

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    rest = rest_frame_boost(boost, eps)
    rotated = references @ rest.mT
    rotation = orthonormal_rotation(rotated[..., 1:], eps)
    frame = torch.zeros_like(rest)
    frame[..., 0, 0] = 1.0
    frame[..., 1:, 1:] = rotation
    return frame @ rest
