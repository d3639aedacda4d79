"""Boosting whole events to the rest frame of their total momentum before a Lorentz-invariant net.

LLoCa frames of a jet at rapidity y have entries of order cosh(y) times the constituents' boosts
relative to the jet, and every product with them (local components, changes of frame, the
attention's Minkowski products in the global frame) cancels terms of order cosh(y)^2: float32
loses them from a rapidity of about 5 (jets boosted along z to rapidity 6: logits wrong by up to
0.1 against float64, and NaN at rapidity 7 where an invariant energy rounds to zero). A net that
is exactly invariant gives the same output on the event seen from any frame; seen from the rest
frame of its total momentum, the large factors are gone. The boost is computed and applied in
float64, then the momenta return to their dtype.
"""

from __future__ import annotations

import torch

from ..lorentz import minkowski_dot
from .frame_ops import to_local
from .polar_decomposition import boost_to_rest


def total_rest_boost(momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The pure boost to the rest frame of each event's total momentum, float64 and detached.

    Built from ``gamma beta = |P| / m`` and ``gamma = sqrt(1 + (gamma beta)^2)``, so it is a Lorentz
    transformation up to float64 rounding for any input. ``m = sqrt(P^2)`` is floored at 1e-6 of the
    energy: an event whose total momentum is lightlike or spacelike (one massless particle, or
    rounding) is boosted by a Lorentz factor of at most about 1e6 instead of an infinite one; an
    empty event gets the identity. No gradient flows through it: the net is invariant under it.

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
        (E, px, py, pz); padded entries may hold anything (NaN included).
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, 4, 4), float64
        B with ``B P = (m, 0, 0, 0)`` for a timelike total momentum P.
    """
    total = torch.where(mask[..., None], momenta.detach().double(), 0.0).sum(dim=1)
    energy, spatial = total[..., 0], total[..., 1:]
    size = spatial.square().sum(-1).sqrt()
    floor = (1e-6 * energy).square().clamp(min=torch.finfo(torch.float64).tiny)
    gamma_beta = size / minkowski_dot(total, total).clamp(min=floor).sqrt()
    gamma = (1 + gamma_beta.square()).sqrt()
    axis = spatial / size.clamp(min=torch.finfo(torch.float64).tiny).unsqueeze(-1)
    return boost_to_rest(gamma, gamma_beta.unsqueeze(-1) * axis)


def boost_events(boost: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """Apply one Lorentz matrix per event to four-vectors, in float64, returned in their dtype.

    Parameters
    ----------
    boost : torch.Tensor with shape (B, 4, 4)
        E.g. :func:`total_rest_boost`.
    vectors : torch.Tensor with shape (B, ..., 4)

    Returns
    -------
    torch.Tensor with shape of ``vectors``
    """
    matrices = boost.double().reshape(boost.shape[0], *(1,) * (vectors.dim() - 2), 4, 4)
    return to_local(matrices, vectors.double()).to(vectors.dtype)


def to_total_rest_frame(momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Each event's momenta seen from the rest frame of its total momentum (:func:`total_rest_boost`).

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, N, 4), dtype of ``momenta``
    """
    return boost_events(total_rest_boost(momenta, mask), momenta)
