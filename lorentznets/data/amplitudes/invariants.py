"""Mandelstam-type invariants of momenta in the all-outgoing convention (numpy, float64)."""

from __future__ import annotations

import numpy as np

__all__ = ["mdot", "all_outgoing", "pair_invariants"]

_METRIC = np.array([1.0, -1.0, -1.0, -1.0])


def mdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product of (..., 4) arrays (real or complex, no conjugation); returns (...)."""
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


def all_outgoing(p: np.ndarray, n_incoming: int = 2) -> np.ndarray:
    """Flip the sign of the incoming momenta so that all momenta sum to zero.

    Parameters
    ----------
    p : np.ndarray with shape (..., n, 4)
        Physical momenta in GeV, the first ``n_incoming`` incoming.

    Returns
    -------
    np.ndarray with shape (..., n, 4)
    """
    k = p.copy()
    k[..., :n_incoming, :] *= -1.0
    return k


def pair_invariants(k: np.ndarray) -> np.ndarray:
    """All two-particle invariants ``s_ij = (k_i + k_j)^2 = 2 k_i.k_j`` of massless momenta.

    Parameters
    ----------
    k : np.ndarray with shape (..., n, 4)
        All-outgoing massless momenta in GeV.

    Returns
    -------
    np.ndarray with shape (..., n, n)
        s_ij in GeV^2 (zero on the diagonal).
    """
    return 2.0 * np.einsum("...ia,...ja,a->...ij", k, k, _METRIC)
