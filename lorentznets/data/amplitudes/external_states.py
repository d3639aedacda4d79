"""External-state wave functions: real polarisation vectors and massless Dirac spinors (numpy).

Helicity sums of squared amplitudes do not depend on the basis of states used, so we use bases that are
simple and free of coordinate singularities:

* gluons: two real, purely spatial unit vectors orthogonal to the momentum (radiation gauge). Their
  completeness sum differs from ``-g`` only by gauge terms, which drop out of gauge-invariant amplitudes;
* massive vector bosons: those two plus the longitudinal vector ``(|k|, E k_hat) / m``;
* massless quarks: Dirac spinors in the chiral basis of Peskin & Schroeder,
  ``u = (sqrt(p.sigma) xi, sqrt(p.sigmabar) xi)``, ``v = (sqrt(p.sigma) eta, -sqrt(p.sigmabar) eta)``, with
  ``xi, eta`` the two unit spinors; for massless ``p`` the matrix square roots are
  ``(E -/+ p.sigma) / sqrt(2 E)``.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "transverse_polarizations",
    "massive_polarizations",
    "gamma_matrices",
    "gamma5",
    "slash",
    "u_spinors",
    "v_spinors",
    "dirac_bar",
]


def transverse_polarizations(k: np.ndarray) -> np.ndarray:
    """Two real transverse polarisation vectors.

    Parameters
    ----------
    k : np.ndarray with shape (N, 4)
        Momentum (E, px, py, pz) in GeV with non-zero spatial part.

    Returns
    -------
    np.ndarray with shape (N, 2, 4)
        ``(0, e1)`` and ``(0, e2)`` with ``e1, e2, k_hat`` orthonormal.
    """
    direction = k[:, 1:] / np.linalg.norm(k[:, 1:], axis=-1, keepdims=True)
    # Cross with z, or with x when the momentum is close to the z axis.
    near_z = np.abs(direction[:, 2]) > 0.9
    axis = np.where(near_z[:, None], np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]))
    e1 = np.cross(axis, direction)
    e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = np.cross(direction, e1)
    out = np.zeros((k.shape[0], 2, 4))
    out[:, 0, 1:] = e1
    out[:, 1, 1:] = e2
    return out


def massive_polarizations(k: np.ndarray, mass: float) -> np.ndarray:
    """Three real polarisation vectors of a massive vector boson.

    Parameters
    ----------
    k : np.ndarray with shape (N, 4)
        On-shell momentum in GeV with non-zero spatial part.
    mass : float
        Mass in GeV.

    Returns
    -------
    np.ndarray with shape (N, 3, 4)
        Two transverse and one longitudinal vector, each with ``eps.k = 0`` and ``eps.eps = -1``.
    """
    modulus = np.linalg.norm(k[:, 1:], axis=-1)
    longitudinal = np.concatenate([modulus[:, None], k[:, :1] * k[:, 1:] / modulus[:, None]], axis=-1) / mass
    return np.concatenate([transverse_polarizations(k), longitudinal[:, None, :]], axis=1)


@functools.cache
def _pauli() -> np.ndarray:
    return np.array(
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]],
        dtype=np.complex128,
    )


@functools.cache
def gamma_matrices() -> np.ndarray:
    """Dirac matrices gamma^mu in the chiral basis, shape (4, 4, 4) complex128, index mu first."""
    sigma = _pauli()
    zero = np.zeros((2, 2), dtype=np.complex128)
    gammas = [np.block([[zero, sigma[0]], [sigma[0], zero]])]
    for i in range(1, 4):
        gammas.append(np.block([[zero, sigma[i]], [-sigma[i], zero]]))
    return np.stack(gammas)


@functools.cache
def gamma5() -> np.ndarray:
    """gamma_5 = i gamma^0 gamma^1 gamma^2 gamma^3 = diag(-1, -1, 1, 1) in the chiral basis."""
    g = gamma_matrices()
    return 1j * g[0] @ g[1] @ g[2] @ g[3]


def slash(v: np.ndarray) -> np.ndarray:
    """Feynman slash ``v_mu gamma^mu``.

    Parameters
    ----------
    v : np.ndarray with shape (..., 4)
        Real or complex contravariant vector.

    Returns
    -------
    np.ndarray with shape (..., 4, 4), complex128
    """
    lowered = v * np.array([1.0, -1.0, -1.0, -1.0])
    return np.einsum("...m,mab->...ab", lowered, gamma_matrices())


def _sqrt_sigma(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sqrt(p.sigma) and sqrt(p.sigmabar) of massless momenta p (N, 4): (N, 2, 2) each."""
    sigma = _pauli()
    p_dot_sigma_vec = np.einsum("ni,iab->nab", p[:, 1:], sigma[1:])
    energy = p[:, 0, None, None]
    identity = sigma[0]
    norm = np.sqrt(2.0 * energy)
    return (energy * identity - p_dot_sigma_vec) / norm, (energy * identity + p_dot_sigma_vec) / norm


def u_spinors(p: np.ndarray) -> np.ndarray:
    """Massless u spinors for both spin states.

    Parameters
    ----------
    p : np.ndarray with shape (N, 4)
        Massless momentum with positive energy, GeV.

    Returns
    -------
    np.ndarray with shape (N, 2, 4), complex128
        ``u`` for spin basis states 0 and 1; ``sum_s u ubar = pslash``.
    """
    root, root_bar = _sqrt_sigma(p)
    # Column s of the 2x2 roots is the root applied to unit spinor s.
    return np.concatenate([root, root_bar], axis=1).transpose(0, 2, 1)


def v_spinors(p: np.ndarray) -> np.ndarray:
    """Massless v spinors for both spin states, shape (N, 2, 4); ``sum_s v vbar = pslash``."""
    root, root_bar = _sqrt_sigma(p)
    return np.concatenate([root, -root_bar], axis=1).transpose(0, 2, 1)


def dirac_bar(spinor: np.ndarray) -> np.ndarray:
    """Dirac adjoint ``psi^dagger gamma^0`` of spinors (..., 4) as row vectors (..., 4)."""
    return np.einsum("...a,ab->...b", spinor.conj(), gamma_matrices()[0])
