"""SU(3) colour factors for colour-ordered amplitudes.

Generators are normalised as ``Tr(T^a T^b) = delta^ab`` (``T^a = lambda^a / sqrt(2)``), the normalisation
that goes with the colour-ordered Feynman rules in :mod:`lorentznets.data.amplitudes.berends_giele`.
Colour matrices are computed numerically from explicit Gell-Mann matrices, once per multiplicity.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

__all__ = ["generators", "gluon_colour_matrix", "quark_line_colour_matrix"]


@functools.cache
def generators() -> np.ndarray:
    """SU(3) generators ``T^a = lambda^a / sqrt(2)``.

    Returns
    -------
    np.ndarray with shape (8, 3, 3), complex128
    """
    lam = np.zeros((8, 3, 3), dtype=np.complex128)
    lam[0, 0, 1] = lam[0, 1, 0] = 1
    lam[1, 0, 1], lam[1, 1, 0] = -1j, 1j
    lam[2, 0, 0], lam[2, 1, 1] = 1, -1
    lam[3, 0, 2] = lam[3, 2, 0] = 1
    lam[4, 0, 2], lam[4, 2, 0] = -1j, 1j
    lam[5, 1, 2] = lam[5, 2, 1] = 1
    lam[6, 1, 2], lam[6, 2, 1] = -1j, 1j
    lam[7, 0, 0] = lam[7, 1, 1] = 1 / math.sqrt(3)
    lam[7, 2, 2] = -2 / math.sqrt(3)
    return lam / math.sqrt(2)


def _chain(n: int) -> np.ndarray:
    """``(T^{a_1} ... T^{a_n})_{ij}`` with shape (8,)*n + (3, 3)."""
    t = generators()
    out = t
    for _ in range(n - 1):
        out = np.einsum("...im,bmj->...bij", out, t)
    return out


def _matrix_from_overlaps(tensor: np.ndarray, orderings: list[tuple[int, ...]], n: int) -> np.ndarray:
    """C[s, t] = sum_a tensor[a_s] conj(tensor[a_t]) using C[s, t] = f(s^-1 o t)."""
    overlaps: dict[tuple[int, ...], complex] = {}
    for perm in orderings:
        if perm not in overlaps:
            axes = tuple(np.argsort(perm)) + tuple(range(n, tensor.ndim))
            overlaps[perm] = complex(np.vdot(np.transpose(tensor, axes), tensor))
    size = len(orderings)
    matrix = np.zeros((size, size), dtype=np.complex128)
    for i, sigma in enumerate(orderings):
        inverse = np.argsort(sigma)
        for j, tau in enumerate(orderings):
            matrix[i, j] = overlaps[tuple(int(inverse[k]) for k in tau)]
    return matrix


@functools.cache
def gluon_orderings(n: int) -> list[tuple[int, ...]]:
    """The (n-1)! colour orderings of n gluons with gluon 0 first."""
    return [(0, *rest) for rest in itertools.permutations(range(1, n))]


@functools.cache
def gluon_colour_matrix(n: int) -> np.ndarray:
    """Colour matrix of the trace basis for n gluons.

    ``C[s, t] = sum_{colours} Tr(T^{a_s(1)} ... T^{a_s(n)}) conj(Tr(T^{a_t(1)} ... T^{a_t(n)}))`` for the
    orderings of :func:`gluon_orderings`.

    Returns
    -------
    np.ndarray with shape ((n-1)!, (n-1)!), complex128
    """
    if not 2 <= n <= 7:
        raise ValueError(f"gluon_colour_matrix: n must be in 2..7, got {n}")
    chain = _chain(n)
    trace = np.trace(chain, axis1=-2, axis2=-1)
    return _matrix_from_overlaps(trace, gluon_orderings(n), n)


@functools.cache
def quark_line_orderings(n: int) -> list[tuple[int, ...]]:
    """The n! orderings of n gluons attached to one quark line."""
    return list(itertools.permutations(range(n)))


@functools.cache
def quark_line_colour_matrix(n: int) -> np.ndarray:
    """Colour matrix of ``(T^{a_s(1)} ... T^{a_s(n)})_{i j}`` for a quark pair and n gluons.

    Returns
    -------
    np.ndarray with shape (n!, n!), complex128
    """
    if not 1 <= n <= 6:
        raise ValueError(f"quark_line_colour_matrix: n must be in 1..6, got {n}")
    return _matrix_from_overlaps(_chain(n), quark_line_orderings(n), n)
