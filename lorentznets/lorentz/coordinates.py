"""Conversions between (E, px, py, pz) and collider coordinates (pt, eta or y, phi, m).

All functions are safe at pt = 0 (no NaN, also in their gradients: momenta that carry gradients,
such as LLoCa's local momenta, can sit exactly on the z axis; eta saturates at a large finite
value) and treat a slightly negative m^2 from rounding as m = 0.
"""

from __future__ import annotations

import torch

from .metric import _check_four_vector

_TINY = 1e-12


def safe_sqrt(x: torch.Tensor) -> torch.Tensor:
    """sqrt(x) for x >= 0, with gradient zero instead of 0 * inf = NaN at x = 0; shape of ``x``."""
    positive = x > 0
    return torch.where(positive, x.where(positive, 1.0).sqrt(), 0.0)


def transverse_momentum(p: torch.Tensor) -> torch.Tensor:
    """pt = sqrt(px^2 + py^2) with shape (...) for p with shape (..., 4)."""
    _check_four_vector(p, "p")
    return safe_sqrt(p[..., 1] ** 2 + p[..., 2] ** 2)


def azimuth(p: torch.Tensor) -> torch.Tensor:
    """phi = atan2(py, px) in (-pi, pi] with shape (...); 0 on the z axis."""
    _check_four_vector(p, "p")
    px, py = p[..., 1], p[..., 2]
    return torch.atan2(py, px.where(px.square() + py.square() > 0, 1.0))


def pseudorapidity(p: torch.Tensor) -> torch.Tensor:
    """eta = asinh(pz / pt) with shape (...); finite (large) along the beam axis."""
    pt = transverse_momentum(p)
    return torch.asinh(p[..., 3] / pt.clamp_min(_TINY))


def rapidity(p: torch.Tensor) -> torch.Tensor:
    """y = 0.5 log((E + pz) / (E - pz)) with shape (...); finite for E = |pz|."""
    _check_four_vector(p, "p")
    num = (p[..., 0] + p[..., 3]).clamp_min(_TINY)
    den = (p[..., 0] - p[..., 3]).clamp_min(_TINY)
    return 0.5 * torch.log(num / den)


def invariant_mass(p: torch.Tensor) -> torch.Tensor:
    """m = sqrt(max(m^2, 0)) with shape (...)."""
    _check_four_vector(p, "p")
    m2 = p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(dim=-1)
    return safe_sqrt(m2)


def to_pt_eta_phi_m(p: torch.Tensor) -> torch.Tensor:
    """(E, px, py, pz) -> (pt, eta, phi, m), shapes (..., 4) -> (..., 4)."""
    return torch.stack([transverse_momentum(p), pseudorapidity(p), azimuth(p), invariant_mass(p)], -1)


def to_pt_y_phi_m(p: torch.Tensor) -> torch.Tensor:
    """(E, px, py, pz) -> (pt, y, phi, m), shapes (..., 4) -> (..., 4)."""
    return torch.stack([transverse_momentum(p), rapidity(p), azimuth(p), invariant_mass(p)], -1)


def from_pt_eta_phi_m(x: torch.Tensor) -> torch.Tensor:
    """(pt, eta, phi, m) -> (E, px, py, pz), shapes (..., 4) -> (..., 4)."""
    _check_four_vector(x, "x")
    pt, eta, phi, m = x.unbind(-1)
    px, py, pz = pt * torch.cos(phi), pt * torch.sin(phi), pt * torch.sinh(eta)
    energy = safe_sqrt(m**2 + px**2 + py**2 + pz**2)
    return torch.stack([energy, px, py, pz], -1)


def from_pt_y_phi_m(x: torch.Tensor) -> torch.Tensor:
    """(pt, y, phi, m) -> (E, px, py, pz), shapes (..., 4) -> (..., 4)."""
    _check_four_vector(x, "x")
    pt, y, phi, m = x.unbind(-1)
    mt = safe_sqrt(pt**2 + m**2)
    return torch.stack([mt * torch.cosh(y), pt * torch.cos(phi), pt * torch.sin(phi), mt * torch.sinh(y)], -1)
