"""Clebsch-Gordan coefficients of SU(2), computed exactly in rational arithmetic.

The coefficients follow the Condon-Shortley phase convention and are evaluated with Racah's
closed formula. Every intermediate quantity is an exact ``fractions.Fraction``; the only rounding
is the final square root, so each coefficient is correct to one unit in the last place of float64.
Spins are passed doubled (``two_j = 2 j``) so that half-integer spins stay integers.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np


def su2_clebsch_gordan_coefficient(two_j1: int, two_m1: int, two_j2: int, two_m2: int, two_j: int, two_m: int) -> float:
    """The coefficient ``<j1 m1; j2 m2 | j m>`` (all arguments doubled).

    Returns 0 when the selection rules (``m = m1 + m2``, triangle inequality, matching parities,
    ``|m| <= j``) are violated.
    """
    if two_m != two_m1 + two_m2 or not _triangle(two_j1, two_j2, two_j):
        return 0.0
    for two_s, two_ms in ((two_j1, two_m1), (two_j2, two_m2), (two_j, two_m)):
        if abs(two_ms) > two_s or (two_s + two_ms) % 2:
            return 0.0
    j1_p_m1, j1_m_m1 = (two_j1 + two_m1) // 2, (two_j1 - two_m1) // 2
    j2_p_m2, j2_m_m2 = (two_j2 + two_m2) // 2, (two_j2 - two_m2) // 2
    j_p_m, j_m_m = (two_j + two_m) // 2, (two_j - two_m) // 2
    a = (two_j1 + two_j2 - two_j) // 2
    b = (two_j1 - two_j2 + two_j) // 2
    c = (-two_j1 + two_j2 + two_j) // 2
    big = (two_j1 + two_j2 + two_j) // 2 + 1
    f = math.factorial
    prefactor = Fraction((two_j + 1) * f(a) * f(b) * f(c), f(big))
    prefactor *= f(j_p_m) * f(j_m_m) * f(j1_p_m1) * f(j1_m_m1) * f(j2_p_m2) * f(j2_m_m2)
    # Racah's sum runs over every t keeping all factorial arguments non-negative.
    t_min = max(0, (two_j2 - two_j - two_m1) // 2, (two_j1 - two_j + two_m2) // 2)
    t_max = min(a, j1_m_m1, j2_p_m2)
    total = Fraction(0)
    for t in range(t_min, t_max + 1):
        denominator = (
            f(t)
            * f(a - t)
            * f(j1_m_m1 - t)
            * f(j2_p_m2 - t)
            * f((two_j - two_j2 + two_m1) // 2 + t)
            * f((two_j - two_j1 - two_m2) // 2 + t)
        )
        total += Fraction((-1) ** t, denominator)
    if total == 0:
        return 0.0
    return math.copysign(math.sqrt(total * total * prefactor), total)


@cache
def _su2_clebsch_gordan_matrix(two_j1: int, two_j2: int, two_j: int) -> np.ndarray:
    out = np.zeros((two_j + 1, two_j1 + 1, two_j2 + 1))
    for a in range(two_j1 + 1):
        for b in range(two_j2 + 1):
            two_m1, two_m2 = two_j1 - 2 * a, two_j2 - 2 * b
            two_m = two_m1 + two_m2
            if abs(two_m) <= two_j:
                i = (two_j - two_m) // 2
                out[i, a, b] = su2_clebsch_gordan_coefficient(two_j1, two_m1, two_j2, two_m2, two_j, two_m)
    out.setflags(write=False)
    return out


def su2_clebsch_gordan(two_j1: int, two_j2: int, two_j: int) -> np.ndarray:
    """All coefficients coupling spins ``j1 (x) j2 -> j`` as one array.

    Parameters
    ----------
    two_j1, two_j2, two_j : int
        Doubled spins; ``two_j`` must satisfy the triangle rule with matching parity.

    Returns
    -------
    np.ndarray with shape (two_j + 1, two_j1 + 1, two_j2 + 1), float64, read-only
        ``C[i, a, b] = <j1 m1; j2 m2 | j m>`` with ``m = j - i``, ``m1 = j1 - a``, ``m2 = j2 - b``
        (index 0 is the highest weight). As a map ``V1 (x) V2 -> V`` it intertwines the
        (holomorphic) SL(2, C) action.

    Raises
    ------
    ValueError
        If ``j`` does not occur in ``j1 (x) j2``.
    """
    for name, value in (("two_j1", two_j1), ("two_j2", two_j2), ("two_j", two_j)):
        if int(value) != value or value < 0:
            raise ValueError(f"{name} must be a non-negative integer (twice a spin), got {value!r}")
    if not _triangle(two_j1, two_j2, two_j):
        raise ValueError(
            f"spin {two_j}/2 does not occur in {two_j1}/2 (x) {two_j2}/2: allowed doubled spins are "
            f"{list(range(abs(two_j1 - two_j2), two_j1 + two_j2 + 1, 2))}"
        )
    return _su2_clebsch_gordan_matrix(int(two_j1), int(two_j2), int(two_j))


def _triangle(two_j1: int, two_j2: int, two_j: int) -> bool:
    return abs(two_j1 - two_j2) <= two_j <= two_j1 + two_j2 and (two_j1 + two_j2 + two_j) % 2 == 0
