"""Lorentz-equivariant regularisation of learned frames against ill-conditioned inputs and vectors.

Three degeneracies make learned frames jump under float32 rounding of the inputs, each handled by
an exactly equivariant, smooth modification that is negligible away from the degeneracy:

- (nearly) massless inputs: the mass of a pair of collinear massless momenta, which normalises the
  Frames-Net's pair vectors, is known only to ~1e-7 of the energy squared; :func:`regularize_masses`
  gives every momentum a small mass by mixing in the event's total momentum;
- strongly boosted frames: rounding errors grow with the square of the Lorentz factor of the boost;
  :func:`cap_boost` softly caps the rapidity of the boost vector relative to the total momentum;
- coinciding vectors: when the two rotation references are (nearly) at rest in the rest frame of
  the boost vector, or parallel there, the rotation is undefined; :func:`separate_references` adds
  a small part of two fallback directions (the particle's momentum and the total momentum).

The total momentum is the only frame-independent reference scale, so "small" and "strongly
boosted" are measured in its rest frame. All functions work on any float dtype; ``LearnedFrames``
calls the last two in float64.
"""

from __future__ import annotations

import math

import torch

from ..lorentz import minkowski_dot
from ..lorentz.coordinates import safe_sqrt


def total_momentum(momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Sum of the real momenta of each event, broadcast to its particles.

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, 1, 4)
    """
    return (momenta * mask[..., None]).sum(dim=1, keepdim=True)


def regularize_masses(momenta: torch.Tensor, total: torch.Tensor, eps: float) -> torch.Tensor:
    """``p + a P`` with ``a = eps <p, P> / P^2 + d / max(<p, P>, sqrt(d P^2))`` and
    ``d = max(-p^2, 0)``: a massless p gets ``m^2 = eps (2 + eps) E*^2``, with E* its energy in the
    rest frame of the total momentum P; massive momenta change by a relative ~eps. A p made
    spacelike by rounding (p^2 < 0, e.g. a float32-stored massless constituent boosted far) gets
    ``m^2 >= -p^2 + eps (2 + eps) E*^2`` when ``<p, P>^2 >= -p^2 P^2`` (rounding far below the
    rest-frame energy): timelike, and so is every sum of such momenta. The second term is linear
    in the rounding there, so it does not amplify it; where the inputs are too rounded for that
    (``<p, P>`` itself rounding noise) it stays finite.

    Parameters
    ----------
    momenta : torch.Tensor with shape (..., 4)
        Future timelike or lightlike up to rounding (zero for padding, which stays zero).
    total : torch.Tensor with shape (..., 4), broadcastable to ``momenta``
        Future timelike total momentum P; P^2 is clamped below at the dtype's machine epsilon,
        which keeps a lightlike P (one constituent, or collinear ones) finite, with finite gradients.
    eps : float
        Strength; 0 returns ``momenta``.

    Returns
    -------
    torch.Tensor with shape (..., 4)
    """
    total_mass2 = minkowski_dot(total, total).clamp(min=torch.finfo(total.dtype).eps)
    overlap = minkowski_dot(momenta, total)
    deficit = (-minkowski_dot(momenta, momenta)).clamp(min=0.0)
    # d / max(<p, P>, sqrt(d P^2)): zero (with zero gradient) for timelike and lightlike p
    floor = safe_sqrt(deficit * total_mass2)
    spacelike = torch.where(deficit > 0, deficit / torch.maximum(overlap, floor).where(deficit > 0, 1.0), 0.0)
    return momenta + (eps * overlap / total_mass2 + spacelike).unsqueeze(-1) * total


def _unit(vector: torch.Tensor, eps: float) -> torch.Tensor:
    # normalised by sqrt(|v^2|), for timelike and spacelike vectors alike
    return vector / minkowski_dot(vector, vector).abs().clamp(min=eps).sqrt().unsqueeze(-1)


def _orthogonal_unit(vector: torch.Tensor, time: torch.Tensor, eps: float) -> torch.Tensor:
    # spacelike unit vector along the part of ``vector`` orthogonal to the unit timelike ``time``:
    # the direction of ``vector`` in the rest frame of ``time``
    return _unit(vector - minkowski_dot(vector, time).unsqueeze(-1) * time, eps)


def cap_boost(vector: torch.Tensor, total: torch.Tensor, gamma_max: float, eps: float = 1e-30) -> torch.Tensor:
    """Softly cap the Lorentz factor of ``vector`` in the rest frame of ``total``.

    With rapidity ``y`` of ``vector`` in that rest frame (``cosh y = <v, P> / (|v| |P|)``), the
    result has the same mass and direction there and rapidity ``y_max tanh(y / y_max)``, where
    ``cosh y_max = gamma_max``: unchanged to relative ``(y / y_max)^2 / 3`` for small boosts, never
    above ``gamma_max``.

    Parameters
    ----------
    vector : torch.Tensor with shape (..., 4)
        Future timelike.
    total : torch.Tensor with shape (..., 4), broadcastable to ``vector``
        Future timelike.
    gamma_max : float
        Greater than 1.
    eps : float
        Lower clamp of squared norms.

    Returns
    -------
    torch.Tensor with shape (..., 4)
    """
    time = _unit(total, eps)
    energy = minkowski_dot(vector, time).unsqueeze(-1)
    spatial = vector - energy * time
    # clamped before the square roots: a vector at rest (or zero, for padding) keeps finite gradients
    momentum = (-minkowski_dot(spatial, spatial)).clamp(min=eps).sqrt().unsqueeze(-1)
    mass = minkowski_dot(vector, vector).clamp(min=eps).sqrt().unsqueeze(-1)
    rapidity_max = math.acosh(gamma_max)
    rapidity = rapidity_max * torch.tanh(torch.asinh(momentum / mass) / rapidity_max)
    return mass * (torch.cosh(rapidity) * time + torch.sinh(rapidity) / momentum * spatial)


def separate_references(
    boost: torch.Tensor, references: torch.Tensor, fallbacks: torch.Tensor, eps: float, clamp: float = 1e-30
) -> torch.Tensor:
    """Add ``eps`` times each reference's rest energy along a fallback direction, in the rest frame of
    ``boost``: ``r_k + eps <r_k, u> f_k`` with ``u = boost / |boost|`` and ``f_k`` the unit spacelike
    direction of ``fallbacks[k]`` orthogonal to u.

    A reference at rest in that frame (coinciding with the boost vector), or both references along
    one axis there, then still fix a rotation; the frame moves by O(eps) elsewhere.

    Parameters
    ----------
    boost : torch.Tensor with shape (..., 4)
        Future timelike.
    references : torch.Tensor with shape (..., 2, 4)
        Future timelike or lightlike.
    fallbacks : torch.Tensor with shape (..., 2, 4)
        Two equivariant vectors whose directions in the rest frame of ``boost`` are distinct (the
        particle's momentum, the total momentum).
    eps : float
        Strength; 0 returns ``references``.
    clamp : float
        Lower clamp of squared norms.

    Returns
    -------
    torch.Tensor with shape (..., 2, 4)
    """
    time = _unit(boost, clamp).unsqueeze(-2)
    rest_energy = minkowski_dot(references, time).unsqueeze(-1)
    return references + eps * rest_energy * _orthogonal_unit(fallbacks, time, clamp)
