"""Minkowski metric diag(+1, -1, -1, -1) and the inner products built on it."""

from __future__ import annotations

import torch

from ..utils import device_constant

_SIGNS = (1.0, -1.0, -1.0, -1.0)


def minkowski_metric(dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> torch.Tensor:
    """The metric tensor g = diag(+1, -1, -1, -1).

    Returns
    -------
    torch.Tensor with shape (4, 4)
    """
    return torch.diag(metric_signs(dtype, device))


def metric_signs(dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> torch.Tensor:
    """The diagonal of the metric, (+1, -1, -1, -1), with shape (4,); cached per device (do not modify it)."""
    return _signs(
        dtype or torch.get_default_dtype(), torch.device(device) if device is not None else torch.device("cpu")
    )


@device_constant
def _signs(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return torch.tensor(_SIGNS, dtype=dtype, device=device)


def minkowski_dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Minkowski inner product a.b = a0 b0 - a1 b1 - a2 b2 - a3 b3.

    Parameters
    ----------
    a, b : torch.Tensor with shape (..., 4)
        Four-vectors (E, px, py, pz), broadcastable against each other.

    Returns
    -------
    torch.Tensor with shape (...)
    """
    _check_four_vector(a, "a")
    _check_four_vector(b, "b")
    return a[..., 0] * b[..., 0] - (a[..., 1:] * b[..., 1:]).sum(dim=-1)


def squared_mass(p: torch.Tensor) -> torch.Tensor:
    """Squared invariant mass m^2 = E^2 - |p|^2 (can be slightly negative from rounding).

    Parameters
    ----------
    p : torch.Tensor with shape (..., 4)

    Returns
    -------
    torch.Tensor with shape (...), in GeV^2 for momenta in GeV.
    """
    return minkowski_dot(p, p)


def pairwise_dots(p: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Matrix of all pairwise Minkowski products p_i . p_j within each set of particles.

    Parameters
    ----------
    p : torch.Tensor with shape (..., N, 4)
    mask : torch.Tensor with shape (..., N), bool, optional
        True for real particles. Entries involving a padded particle are set to zero.

    Returns
    -------
    torch.Tensor with shape (..., N, N)
    """
    _check_four_vector(p, "p")
    signed = p * metric_signs(p.dtype, p.device)
    dots = signed @ p.transpose(-1, -2)
    if mask is not None:
        if mask.shape != p.shape[:-1]:
            raise ValueError(f"mask has shape {tuple(mask.shape)}, expected {tuple(p.shape[:-1])}")
        pair = mask.unsqueeze(-1) & mask.unsqueeze(-2)
        dots = dots.masked_fill(~pair, 0.0)
    return dots


def _check_four_vector(p: torch.Tensor, name: str) -> None:
    if p.shape[-1] != 4:
        raise ValueError(f"{name} must have a last dimension of 4 (E, px, py, pz), got shape {tuple(p.shape)}")
