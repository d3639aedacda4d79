"""RAMBO phase-space points for 2 -> n scattering, in numpy (float64).

The generator works in the partonic centre-of-mass (CM) frame: incoming partons along +z and -z with
energy sqrt(s)/2 each, outgoing momenta from RAMBO (Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40
(1986) 359). Massless final states get the flat RAMBO weight; massive ones (the Z) the mass-corrected
weight of the same paper. A random longitudinal boost is applied afterwards (see
:func:`boost_along_z`) so that the data are not all in the CM frame, like partonic events at a
hadron collider with unequal momentum fractions.

Momenta are (E, px, py, pz) in GeV, metric diag(+1, -1, -1, -1).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["rambo", "rambo_flat_weight", "incoming_momenta", "boost_along_z"]


def rambo_flat_weight(n: int, sqrt_s: float) -> float:
    """Phase-space volume of ``n`` massless particles at CM energy ``sqrt_s`` (GeV).

    Equals the RAMBO weight of every massless event,
    ``(pi/2)^(n-1) s^(n-2) / ((n-1)! (n-2)!) * (2 pi)^(4 - 3 n)``, i.e. the integral of
    ``prod_i d^3p_i / ((2 pi)^3 2 E_i) (2 pi)^4 delta^4(P - sum p_i)``.

    Parameters
    ----------
    n : int
        Number of final-state particles, at least 2.
    sqrt_s : float
        Total CM energy in GeV.

    Returns
    -------
    float
        Phase-space volume in GeV^(2n - 4).
    """
    if n < 2:
        raise ValueError(f"rambo_flat_weight: need at least 2 final-state particles, got n={n}")
    s = sqrt_s**2
    volume = (math.pi / 2) ** (n - 1) * s ** (n - 2) / (math.factorial(n - 1) * math.factorial(n - 2))
    return volume * (2 * math.pi) ** (4 - 3 * n)


def _massless_rambo(rng: np.random.Generator, n_events: int, n: int, sqrt_s: float) -> np.ndarray:
    """Isotropic massless momenta (n_events, n, 4) summing to (sqrt_s, 0, 0, 0)."""
    r = rng.random((n_events, n, 4))
    cos_theta = 2.0 * r[..., 0] - 1.0
    sin_theta = np.sqrt(1.0 - cos_theta**2)
    phi = 2.0 * math.pi * r[..., 1]
    # 1 - r keeps the argument of the log in (0, 1]; rng.random can return exactly 0.
    energy = -np.log((1.0 - r[..., 2]) * (1.0 - r[..., 3]))
    q = np.stack(
        [energy, energy * sin_theta * np.cos(phi), energy * sin_theta * np.sin(phi), energy * cos_theta],
        axis=-1,
    )
    total = q.sum(axis=1)
    mass = np.sqrt(total[:, 0] ** 2 - np.sum(total[:, 1:] ** 2, axis=-1))
    b = -total[:, 1:] / mass[:, None]
    x = sqrt_s / mass
    gamma = total[:, 0] / mass
    a = 1.0 / (1.0 + gamma)
    bq = np.einsum("ek,enk->en", b, q[..., 1:])
    p0 = x[:, None] * (gamma[:, None] * q[..., 0] + bq)
    p3 = x[:, None, None] * (q[..., 1:] + b[:, None, :] * (q[..., 0] + a[:, None] * bq)[..., None])
    return np.concatenate([p0[..., None], p3], axis=-1)


def _massive_correction(
    p: np.ndarray, masses: np.ndarray, sqrt_s: float, tol: float = 1e-14, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Rescale massless RAMBO momenta to the given masses; return momenta and weight factors."""
    if np.sum(masses) >= sqrt_s:
        raise ValueError(
            f"rambo: sum of final-state masses {np.sum(masses):.6g} GeV is not below sqrt_s={sqrt_s:.6g} GeV"
        )
    energy = p[..., 0]
    m2 = masses**2
    xi = np.full(p.shape[0], math.sqrt(1.0 - (np.sum(masses) / sqrt_s) ** 2))
    for _ in range(max_iter):
        e_new = np.sqrt(m2 + (xi[:, None] * energy) ** 2)
        f = e_new.sum(axis=1) - sqrt_s
        df = np.sum(xi[:, None] * energy**2 / e_new, axis=1)
        step = f / df
        xi = xi - step
        if np.max(np.abs(step)) < tol:
            break
    k = xi[:, None, None] * p[..., 1:]
    e_new = np.sqrt(m2 + np.sum(k**2, axis=-1))
    k_abs = np.sqrt(np.sum(k**2, axis=-1))
    n = p.shape[1]
    factor = (
        (k_abs.sum(axis=1) / sqrt_s) ** (2 * n - 3)
        * np.prod(k_abs / e_new, axis=1)
        * sqrt_s
        / np.sum(k_abs**2 / e_new, axis=1)
    )
    return np.concatenate([e_new[..., None], k], axis=-1), factor


def rambo(
    rng: np.random.Generator, n_events: int, sqrt_s: float, masses: list[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Final-state momenta in the CM frame and their phase-space weights.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_events : int
        Number of events.
    sqrt_s : float
        CM energy in GeV.
    masses : sequence of float, length n
        Final-state masses in GeV (zeros for massless partons).

    Returns
    -------
    momenta : np.ndarray with shape (n_events, n, 4)
        Outgoing (E, px, py, pz) in GeV, summing to (sqrt_s, 0, 0, 0).
    weights : np.ndarray with shape (n_events,)
        Phase-space weight of each event (flat :func:`rambo_flat_weight` for massless particles).
    """
    masses = np.asarray(masses, dtype=np.float64)
    n = masses.shape[0]
    if n < 2:
        raise ValueError(f"rambo: need at least 2 final-state particles, got {n}")
    p = _massless_rambo(rng, n_events, n, sqrt_s)
    weights = np.full(n_events, rambo_flat_weight(n, sqrt_s))
    if np.any(masses > 0):
        p, factor = _massive_correction(p, masses, sqrt_s)
        weights = weights * factor
    return p, weights


def incoming_momenta(n_events: int, sqrt_s: float) -> np.ndarray:
    """Massless incoming partons along +z and -z in the CM frame.

    Returns
    -------
    np.ndarray with shape (n_events, 2, 4)
        (E, px, py, pz) in GeV of the two incoming partons.
    """
    half = 0.5 * sqrt_s
    p = np.zeros((n_events, 2, 4))
    p[:, :, 0] = half
    p[:, 0, 3] = half
    p[:, 1, 3] = -half
    return p


def boost_along_z(p: np.ndarray, rapidity: np.ndarray) -> np.ndarray:
    """Boost momenta along the z axis.

    Parameters
    ----------
    p : np.ndarray with shape (n_events, ..., 4)
        Momenta (E, px, py, pz) in GeV.
    rapidity : np.ndarray with shape (n_events,)
        Boost rapidity; positive values boost towards +z.

    Returns
    -------
    np.ndarray with the shape of ``p``
    """
    extra = (1,) * (p.ndim - 2)
    ch = np.cosh(rapidity).reshape(-1, *extra)
    sh = np.sinh(rapidity).reshape(-1, *extra)
    out = p.copy()
    out[..., 0] = ch * p[..., 0] + sh * p[..., 3]
    out[..., 3] = sh * p[..., 0] + ch * p[..., 3]
    return out
