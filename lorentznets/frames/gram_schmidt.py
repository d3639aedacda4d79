"""Local frames from three predicted vectors by Gram-Schmidt orthonormalisation in Minkowski space."""

from __future__ import annotations

import torch

from ..lorentz import metric_signs, minkowski_dot


def gram_schmidt_frames(vectors: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Orthonormal Lorentz frame (e0 timelike, e1..e3 spacelike, proper orthochronous) per particle.

    ``e0 = v0 / |v0|``; ``e1``, ``e2`` are ``v1``, ``v2`` with the components along the earlier
    basis vectors removed and normalised to -1; ``e3`` completes the basis through the
    four-dimensional Levi-Civita symbol with the orientation that makes det = +1. The frame is
    ``L = g E g`` with the rows of E the basis vectors, so ``L e_a`` is the a-th unit vector and
    ``L`` is equivariant: vectors ``Lambda v`` give ``L Lambda^-1``.

    Parameters
    ----------
    vectors : torch.Tensor with shape (..., 3, 4)
        v0 must be timelike with positive energy; v0, v1, v2 linearly independent.
    eps : float
        Lower clamp of the squared norms before the square roots (keeps degenerate inputs such
        as padded particles finite).

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    v0, v1, v2 = vectors.unbind(-2)
    e0 = v0 / minkowski_dot(v0, v0).clamp(min=eps).sqrt().unsqueeze(-1)
    # every projection is applied twice ("twice is enough", Giraud et al. 2005): nearly parallel
    # inputs (strongly boosted frames) otherwise lose orthogonality to cancellation
    u1 = v1 - minkowski_dot(v1, e0).unsqueeze(-1) * e0
    u1 = u1 - minkowski_dot(u1, e0).unsqueeze(-1) * e0
    e1 = u1 / (-minkowski_dot(u1, u1)).clamp(min=eps).sqrt().unsqueeze(-1)
    u2 = v2
    for _ in range(2):
        u2 = u2 - minkowski_dot(u2, e0).unsqueeze(-1) * e0
        u2 = u2 + minkowski_dot(u2, e1).unsqueeze(-1) * e1
    e2 = u2 / (-minkowski_dot(u2, u2)).clamp(min=eps).sqrt().unsqueeze(-1)
    e3 = _completion(e0, e1, e2)
    signs = metric_signs(vectors.dtype, vectors.device)
    basis = torch.stack((e0, e1, e2, e3), dim=-2)
    return basis * signs[:, None] * signs


def _completion(e0: torch.Tensor, e1: torch.Tensor, e2: torch.Tensor) -> torch.Tensor:
    # c_mu = det[e0; e1; e2; unit_mu] (the cofactors), raised with the metric; the sign makes
    # det[e0; e1; e2; e3] = -<e3, e3> = +1 for the unit spacelike e3
    rows = torch.stack((e0, e1, e2), dim=-2)
    cofactors = []
    for mu in range(4):
        minor = torch.cat((rows[..., :mu], rows[..., mu + 1 :]), dim=-1)
        cofactors.append((-1) ** (mu + 3) * torch.linalg.det(minor))
    covector = torch.stack(cofactors, dim=-1)
    return -covector * metric_signs(e0.dtype, e0.device)
