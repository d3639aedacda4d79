"""Berends-Giele recursion for tree-level multi-gluon and q qbar -> Z + gluons amplitudes (numpy).

Colour-ordered amplitudes are built from off-shell currents (Berends & Giele, Nucl. Phys. B306 (1988)
759) with the colour-ordered Feynman rules of Dixon (hep-ph/9601359), generators ``Tr(T^a T^b) = delta``:

* gluon current of the consecutive gluons ``a..b-1`` with momentum ``P = k_a + ... + k_{b-1}``:
  ``J = (1 / P^2) [ 1/sqrt(2) sum_c V3(J_ac, J_cb) + 1/2 sum_{c<d} V4(J_ac, J_cd, J_db) ]`` with
  ``V3(J1, J2) = (J1.J2)(P1 - P2) + 2 (J1.P2) J2 - 2 (J2.P1) J1`` and
  ``V4(J1, J2, J3) = 2 (J1.J3) J2 - (J1.J2) J3 - (J2.J3) J1`` (the factors i of vertices and propagators
  cancel pairwise in a pure-gluon current);
* quark line: quark-gluon vertex ``(i / sqrt(2)) gamma^mu``, quark propagator ``i qslash / q^2``,
  Z vertex ``-i gamma^mu (c_V - c_A gamma_5)``; the off-shell spinor absorbs gluon blocks in colour
  order, and the colourless Z anywhere.

Full colour: ``sum |M|^2 = g^(2m) sum_{hel} sum_{s,t} C[s, t] A_s conj(A_t)`` with the colour matrices
of :mod:`lorentznets.data.amplitudes.colour` (trace basis for gluons, ``(T^a1 ... T^am)_ij`` for a
quark line). Helicities are summed with the real polarisation bases of
:mod:`lorentznets.data.amplitudes.external_states`. The results are summed over all helicities and
colours, without averaging or symmetry factors, like :mod:`lorentznets.data.amplitudes.closed_forms`.
"""

from __future__ import annotations

import math

import numpy as np

from .colour import (
    gluon_colour_matrix,
    gluon_orderings,
    quark_line_colour_matrix,
    quark_line_orderings,
)
from .couplings import Couplings
from .external_states import (
    dirac_bar,
    gamma5,
    massive_polarizations,
    slash,
    transverse_polarizations,
    u_spinors,
    v_spinors,
)
from .invariants import all_outgoing, mdot

__all__ = [
    "gluon_partial_amplitude",
    "quark_line_partial_amplitude",
    "gluons_berends_giele",
    "qqbar_z_gluons_berends_giele",
]

_SQRT_HALF = 1.0 / math.sqrt(2.0)


def _v3(j1: np.ndarray, j2: np.ndarray, p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    return mdot(j1, j2)[..., None] * (p1 - p2) + 2.0 * mdot(j1, p2)[..., None] * j2 - 2.0 * mdot(j2, p1)[..., None] * j1


def _v4(j1: np.ndarray, j2: np.ndarray, j3: np.ndarray) -> np.ndarray:
    return 2.0 * mdot(j1, j3)[..., None] * j2 - mdot(j1, j2)[..., None] * j3 - mdot(j2, j3)[..., None] * j1


def _gluon_currents(
    k: list[np.ndarray], eps: list[np.ndarray], on_shell_total: bool = False
) -> tuple[dict[tuple[int, int], np.ndarray], dict[tuple[int, int], np.ndarray]]:
    """Currents J[(a, b)] (N, H, 4) of consecutive gluons a..b-1 and their momenta P[(a, b)] (N, 1, 4).

    With ``on_shell_total`` the current of all gluons (on shell, P^2 = 0) is left out.
    """
    m = len(k)
    currents: dict[tuple[int, int], np.ndarray] = {}
    momenta: dict[tuple[int, int], np.ndarray] = {}
    for a in range(m):
        currents[(a, a + 1)] = eps[a]
        momenta[(a, a + 1)] = k[a][:, None, :]
    for length in range(2, m + 1):
        for a in range(m - length + 1):
            b = a + length
            momenta[(a, b)] = momenta[(a, a + 1)] + momenta[(a + 1, b)]
            if on_shell_total and length == m:
                continue
            bracket = _current_bracket(currents, momenta, a, b)
            currents[(a, b)] = bracket / mdot(momenta[(a, b)], momenta[(a, b)])[..., None]
    return currents, momenta


def _current_bracket(
    currents: dict[tuple[int, int], np.ndarray],
    momenta: dict[tuple[int, int], np.ndarray],
    a: int,
    b: int,
) -> np.ndarray:
    """The vertex sum of the current (a, b) before the propagator 1/P^2."""
    total = 0.0
    for c in range(a + 1, b):
        total = total + _SQRT_HALF * _v3(currents[(a, c)], currents[(c, b)], momenta[(a, c)], momenta[(c, b)])
    for c in range(a + 1, b - 1):
        for d in range(c + 1, b):
            total = total + 0.5 * _v4(currents[(a, c)], currents[(c, d)], currents[(d, b)])
    return total


def gluon_partial_amplitude(k: list[np.ndarray], eps: list[np.ndarray]) -> np.ndarray:
    """Colour-ordered amplitude A(1, ..., n) of n gluons, all momenta outgoing.

    Parameters
    ----------
    k : list of n np.ndarray with shape (N, 4)
        Outgoing momenta in GeV, summing to zero, in colour order.
    eps : list of n np.ndarray with shape (N, H, 4)
        Polarisation vectors of each gluon for H helicity configurations.

    Returns
    -------
    np.ndarray with shape (N, H), complex128
        The amplitude, up to a global phase, in GeV^(4 - n).
    """
    n = len(k)
    if n < 3:
        raise ValueError(f"gluon_partial_amplitude: need at least 3 gluons, got {n}")
    currents, momenta = _gluon_currents(k[:-1], eps[:-1], on_shell_total=True)
    bracket = _current_bracket(currents, momenta, 0, n - 1)
    return mdot(bracket, eps[-1])


def _matvec(matrix: np.ndarray, spinor: np.ndarray) -> np.ndarray:
    return np.einsum("...ab,...b->...a", matrix, spinor)


def quark_line_partial_amplitude(
    p_quark: np.ndarray,
    u: np.ndarray,
    vbar: np.ndarray,
    k_z: np.ndarray,
    eps_z: np.ndarray,
    k: list[np.ndarray],
    eps: list[np.ndarray],
    couplings: Couplings,
) -> np.ndarray:
    """Colour-ordered amplitude of q(p_quark) qbar -> Z + gluons, coefficient of (T^a1 ... T^am)_ij.

    Parameters
    ----------
    p_quark : np.ndarray with shape (N, 4)
        Incoming quark momentum in GeV.
    u, vbar : np.ndarray with shape (N, H, 4)
        Incoming quark spinor and adjoint incoming-antiquark spinor (row vector).
    k_z, eps_z : np.ndarray with shapes (N, 4) and (N, H, 4)
        Outgoing Z momentum (GeV) and polarisation.
    k : list of m np.ndarray with shape (N, 4)
        Outgoing gluon momenta in colour order (gluon 1 next to the incoming quark).
    eps : list of m np.ndarray with shape (N, H, 4)
        Gluon polarisations.
    couplings : Couplings
        Provides the Z couplings c_V, c_A.

    Returns
    -------
    np.ndarray with shape (N, H), complex128
    """
    m = len(k)
    c_v, c_a = couplings.z_vector_axial
    z_vertex = -1j * np.einsum("...ab,bc->...ac", slash(eps_z), c_v * np.eye(4) - c_a * gamma5())
    currents, momenta = _gluon_currents(k, eps) if m else ({}, {})
    emitted = {0: np.zeros_like(p_quark)[:, None, :]}
    for j in range(1, m + 1):
        emitted[j] = momenta[(0, j)]
    spinors: dict[tuple[int, int], np.ndarray] = {(0, 0): u}

    def absorb(j: int, z: int) -> np.ndarray:
        total = 0.0
        for i in range(j):
            vertex = (-1j * _SQRT_HALF) * slash(currents[(i, j)])
            total = total + _matvec(vertex, spinors[(i, z)])
        if z:
            total = total + _matvec(z_vertex, spinors[(j, 0)])
        return total

    for j in range(m + 1):
        for z in (0, 1):
            if (j, z) in spinors or (j, z) == (m, 1):
                continue
            q = p_quark[:, None, :] - emitted[j] - z * k_z[:, None, :]
            propagator = 1j * slash(q) / mdot(q, q)[..., None, None]
            spinors[(j, z)] = _matvec(propagator, absorb(j, z))
    return np.einsum("...a,...a->...", vbar, absorb(m, 1))


def _helicity_product(states: list[np.ndarray]) -> list[np.ndarray]:
    """Outer product of per-particle state lists (N, s_i, D) -> per-particle (N, prod s_i, D)."""
    counts = [s.shape[1] for s in states]
    grids = np.meshgrid(*[np.arange(c) for c in counts], indexing="ij")
    return [s[:, g.ravel()] for s, g in zip(states, grids, strict=True)]


def _colour_sum(amplitudes: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """sum_h sum_st C[s, t] A[n, h, s] conj(A[n, h, t]) for amplitudes (N, H, O); returns (N,)."""
    return np.einsum("nhs,st,nht->n", amplitudes, colour, amplitudes.conj()).real


def _chunks(n_events: int, chunk_size: int) -> list[slice]:
    return [slice(i, min(i + chunk_size, n_events)) for i in range(0, n_events, chunk_size)]


def gluons_berends_giele(p: np.ndarray, couplings: Couplings, chunk_size: int = 256) -> np.ndarray:
    """``g g -> (n-2) g`` summed over helicities and colours, exact at full colour, n >= 4.

    Parameters
    ----------
    p : np.ndarray with shape (N, n, 4)
        Physical gluon momenta in GeV, the two incoming first.
    couplings : Couplings
    chunk_size : int
        Events per vectorised block (memory grows as chunk_size * 2^n * (n-1)!).

    Returns
    -------
    np.ndarray with shape (N,)
    """
    if p.ndim != 3 or p.shape[-1] != 4 or not 4 <= p.shape[1] <= 7:
        raise ValueError(f"gluons_berends_giele: momenta must be (N, n, 4), 4 <= n <= 7; got {p.shape}")
    n = p.shape[1]
    colour = gluon_colour_matrix(n)
    out = np.empty(p.shape[0])
    for chunk in _chunks(p.shape[0], chunk_size):
        k = all_outgoing(p[chunk])
        eps = _helicity_product([transverse_polarizations(k[:, i]) for i in range(n)])
        amplitudes = np.stack(
            [
                gluon_partial_amplitude([k[:, i] for i in order], [eps[i] for i in order])
                for order in gluon_orderings(n)
            ],
            axis=-1,
        )
        out[chunk] = _colour_sum(amplitudes, colour)
    return couplings.g_s ** (2 * n - 4) * out


def qqbar_z_gluons_berends_giele(p: np.ndarray, couplings: Couplings, chunk_size: int = 512) -> np.ndarray:
    """``q qbar -> Z + m g`` summed over helicities, spins and colours, exact at full colour.

    Parameters
    ----------
    p : np.ndarray with shape (N, 3 + m, 4)
        Physical momenta in GeV in the order q, qbar (incoming), Z, g1 ... gm (outgoing); m >= 1.
    couplings : Couplings
    chunk_size : int
        Events per vectorised block.

    Returns
    -------
    np.ndarray with shape (N,)
    """
    if p.ndim != 3 or p.shape[-1] != 4 or not 4 <= p.shape[1] <= 8:
        raise ValueError(f"qqbar_z_gluons_berends_giele: momenta must be (N, 3 + m, 4), 1 <= m <= 5; got {p.shape}")
    m = p.shape[1] - 3
    colour = quark_line_colour_matrix(m)
    out = np.empty(p.shape[0])
    for chunk in _chunks(p.shape[0], chunk_size):
        pc = p[chunk]
        states = [
            u_spinors(pc[:, 0]),
            dirac_bar(v_spinors(pc[:, 1])),
            massive_polarizations(pc[:, 2], couplings.mass_z),
        ] + [transverse_polarizations(pc[:, 3 + i]) for i in range(m)]
        u, vbar, eps_z, *eps = _helicity_product(states)
        amplitudes = np.stack(
            [
                quark_line_partial_amplitude(
                    pc[:, 0],
                    u,
                    vbar,
                    pc[:, 2],
                    eps_z,
                    [pc[:, 3 + i] for i in order],
                    [eps[i] for i in order],
                    couplings,
                )
                for order in quark_line_orderings(m)
            ],
            axis=-1,
        )
        out[chunk] = _colour_sum(amplitudes, colour)
    return couplings.g_s ** (2 * m) * out
