"""Basis blades of the spacetime algebra Cl(1,3) and the product of two blades.

Multivectors have 16 components in the order
``[1, e0, e1, e2, e3, e01, e02, e03, e12, e13, e23, e012, e013, e023, e123, e0123]``
(the order used by the official L-GATr package), with e0^2 = +1 and ei^2 = -1.
"""

from __future__ import annotations

from itertools import combinations

NUM_COMPONENTS = 16
METRIC_SIGNATURE = (1, -1, -1, -1)
BLADES: tuple[tuple[int, ...], ...] = tuple(blade for grade in range(5) for blade in combinations(range(4), grade))
GRADES: tuple[int, ...] = tuple(len(blade) for blade in BLADES)
BLADE_INDEX = {blade: i for i, blade in enumerate(BLADES)}
GRADE_SLICES: tuple[slice, ...] = (slice(0, 1), slice(1, 5), slice(5, 11), slice(11, 15), slice(15, 16))
BLADE_NAMES = tuple("1" if not b else "e" + "".join(map(str, b)) for b in BLADES)


def blade_product(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    """Geometric product of two basis blades.

    Parameters
    ----------
    a, b : tuple of int
        Sorted basis-vector indices (0 = time, 1-3 = space).

    Returns
    -------
    sign : int
        +1 or -1 (never 0 in a non-degenerate algebra).
    blade : tuple of int
        The sorted indices of the resulting blade (the symmetric difference of a and b).
    """
    factors = list(a) + list(b)
    sign = 1
    # Bubble sort: every swap of two distinct anticommuting vectors flips the sign.
    for end in range(len(factors) - 1, 0, -1):
        for i in range(end):
            if factors[i] > factors[i + 1]:
                factors[i], factors[i + 1] = factors[i + 1], factors[i]
                sign = -sign
    result: list[int] = []
    for index in factors:
        if result and result[-1] == index:
            result.pop()
            sign *= METRIC_SIGNATURE[index]
        else:
            result.append(index)
    return sign, tuple(result)
