"""Closed-form tree-level squared amplitudes, summed over all helicities and colours.

All functions return ``sum_{helicities, colours} |M|^2`` with no averaging over initial states and no
symmetry factor for identical final-state particles; :mod:`lorentznets.data.amplitudes.processes`
applies those. Inputs are physical momenta (E, px, py, pz) in GeV with the two incoming partons first.

Formulas
--------
* ``gg -> gg`` (textbook, e.g. Ellis-Stirling-Webber table 7.1):
  ``sum |M|^2 = 4 * 64 * (9/2) g_s^4 (3 - t u / s^2 - s u / t^2 - s t / u^2)``.
* ``n`` gluons, ``n = 4, 5`` (Parke-Taylor / Berends-Giele-Kuijf): every non-vanishing helicity amplitude
  is MHV or anti-MHV, ``|A(sigma)|^2 = s_ij^4 / (s_{s1 s2} s_{s2 s3} ... s_{sn s1})``, and the colour sum
  is exact at leading colour for n <= 5:
  ``sum |M|^2 = g_s^(2n-4) N^(n-2) (N^2 - 1) h_n sum_{i<j} s_ij^4 sum_{sigma in S_(n-1)} 1 / prod``
  with ``h_4 = 1`` (MHV = anti-MHV for four gluons), ``h_5 = 2``, the outer sum over the (n-1)!
  orderings with gluon 1 fixed and ``s_ij`` in the all-outgoing convention.
* ``q qbar -> Z g`` (textbook, as q qbar -> gamma* g with the Z couplings):
  ``sum |M|^2 = 32 g_s^2 (c_V^2 + c_A^2) (t^2 + u^2 + 2 s m_Z^2) / (t u)``.
"""

from __future__ import annotations

import itertools

import numpy as np

from .couplings import Couplings
from .invariants import all_outgoing, mdot, pair_invariants

__all__ = ["gg_to_gg_textbook", "gluons_parke_taylor", "qqbar_to_zg_textbook"]

N_COLOURS = 3


def _check_momenta(p: np.ndarray, n: int, name: str) -> None:
    if p.ndim != 3 or p.shape[1:] != (n, 4):
        raise ValueError(f"{name}: momenta must have shape (N, {n}, 4), got {tuple(p.shape)}")


def gg_to_gg_textbook(p: np.ndarray, couplings: Couplings) -> np.ndarray:
    """Textbook ``g g -> g g``, summed over helicities and colours.

    Parameters
    ----------
    p : np.ndarray with shape (N, 4, 4)
        Momenta of g(p1) g(p2) -> g(p3) g(p4) in GeV.
    couplings : Couplings

    Returns
    -------
    np.ndarray with shape (N,)
        ``sum |M|^2`` (dimensionless).
    """
    _check_momenta(p, 4, "gg_to_gg_textbook")
    s = mdot(p[:, 0] + p[:, 1], p[:, 0] + p[:, 1])
    t = mdot(p[:, 0] - p[:, 2], p[:, 0] - p[:, 2])
    u = mdot(p[:, 0] - p[:, 3], p[:, 0] - p[:, 3])
    averaged = 4.5 * couplings.g_s**4 * (3.0 - t * u / s**2 - s * u / t**2 - s * t / u**2)
    return 4.0 * 64.0 * averaged


def gluons_parke_taylor(p: np.ndarray, couplings: Couplings) -> np.ndarray:
    """Exact ``g g -> (n-2) g`` for n = 4 or 5 gluons, summed over helicities and colours.

    Parameters
    ----------
    p : np.ndarray with shape (N, n, 4)
        Gluon momenta in GeV, two incoming first; n = 4 or 5.
    couplings : Couplings

    Returns
    -------
    np.ndarray with shape (N,)
    """
    if p.ndim != 3 or p.shape[-1] != 4 or p.shape[1] not in (4, 5):
        raise ValueError(
            "gluons_parke_taylor: momenta must have shape (N, n, 4) with n = 4 or 5 (the closed form "
            f"is exact only there; use the Berends-Giele backend beyond), got {tuple(p.shape)}"
        )
    n = p.shape[1]
    s = pair_invariants(all_outgoing(p))
    iu, ju = np.triu_indices(n, k=1)
    numerator = np.sum(s[:, iu, ju] ** 4, axis=1)
    denominator_sum = np.zeros(p.shape[0])
    for rest in itertools.permutations(range(1, n)):
        order = (0, *rest)
        prod = np.ones(p.shape[0])
        for a, b in zip(order, order[1:] + order[:1], strict=True):
            prod = prod * s[:, a, b]
        denominator_sum += 1.0 / prod
    helicity_factor = 1.0 if n == 4 else 2.0
    colour = N_COLOURS ** (n - 2) * (N_COLOURS**2 - 1)
    return couplings.g_s ** (2 * n - 4) * colour * helicity_factor * numerator * denominator_sum


def qqbar_to_zg_textbook(p: np.ndarray, couplings: Couplings) -> np.ndarray:
    """Textbook ``q qbar -> Z g`` for massless quarks and an on-shell Z, summed over spins and colours.

    Parameters
    ----------
    p : np.ndarray with shape (N, 4, 4)
        Momenta of q(p1) qbar(p2) -> Z(p3) g(p4) in GeV.
    couplings : Couplings

    Returns
    -------
    np.ndarray with shape (N,)
    """
    _check_momenta(p, 4, "qqbar_to_zg_textbook")
    s = mdot(p[:, 0] + p[:, 1], p[:, 0] + p[:, 1])
    t = mdot(p[:, 0] - p[:, 2], p[:, 0] - p[:, 2])
    u = mdot(p[:, 0] - p[:, 3], p[:, 0] - p[:, 3])
    c_v, c_a = couplings.z_vector_axial
    mz2 = couplings.mass_z**2
    return 32.0 * couplings.g_s**2 * (c_v**2 + c_a**2) * (t**2 + u**2 + 2.0 * s * mz2) / (t * u)
