"""Labels of the finite-dimensional irreducible representations of SL(2, C).

Every finite-dimensional irrep of SL(2, C) (the double cover of the proper orthochronous Lorentz
group) is ``(k, n) = Sym^k(C^2) (x) conj(Sym^n(C^2))`` for integers ``k, n >= 0``, of complex
dimension ``(k + 1)(n + 1)``. Both labels are twice the spins of the two sl(2) factors of the
complexified Lorentz algebra: ``(0, 0)`` is a scalar, ``(1, 1)`` a four-vector, ``(2, 0)`` and
``(0, 2)`` the self-dual and anti-self-dual antisymmetric tensors, ``(2, 2)`` a symmetric traceless
rank-2 tensor. Irreps with ``k + n`` odd are spinorial (not representations of SO+(1, 3)).

Throughout ``lorentznets.irreps`` an irrep's components are indexed by ``(i, i')`` flattened as
``i * (n + 1) + i'``, where ``i = k/2 - m`` and ``i' = n/2 - m'`` count down the magnetic
quantum numbers of the two factors (index 0 is the highest weight).
"""

from __future__ import annotations

from collections.abc import Iterable

Irrep = tuple[int, int]


def check_irrep(irrep: Irrep) -> Irrep:
    """Validate an irrep label and return it as a tuple of two ints.

    Raises
    ------
    ValueError
        If the label is not a pair of non-negative integers.
    """
    try:
        k, n = irrep
    except (TypeError, ValueError):
        raise ValueError(f"an irrep label must be a pair (k, n) of integers, got {irrep!r}") from None
    if int(k) != k or int(n) != n or k < 0 or n < 0:
        raise ValueError(f"an irrep label (k, n) needs integers k, n >= 0, got {irrep!r}")
    return int(k), int(n)


def irrep_dim(irrep: Irrep) -> int:
    """Complex dimension ``(k + 1)(n + 1)`` of the irrep ``(k, n)``."""
    k, n = check_irrep(irrep)
    return (k + 1) * (n + 1)


def product_irreps(irrep1: Irrep, irrep2: Irrep, maxdim: int | None = None) -> list[Irrep]:
    """Irreps in the Clebsch-Gordan decomposition of ``irrep1 (x) irrep2``.

    ``(k1, n1) (x) (k2, n2) = sum over (k, n)`` with ``k = |k1 - k2|, |k1 - k2| + 2, ..., k1 + k2``
    and likewise for ``n``, each with multiplicity one.

    Parameters
    ----------
    irrep1, irrep2 : (int, int)
    maxdim : int, optional
        Keep only irreps with ``k <= maxdim`` and ``n <= maxdim``.

    Returns
    -------
    list of (int, int)
        Sorted by ``(k + n, k)``.
    """
    k1, n1 = check_irrep(irrep1)
    k2, n2 = check_irrep(irrep2)
    out = [
        (k, n)
        for k in range(abs(k1 - k2), k1 + k2 + 1, 2)
        for n in range(abs(n1 - n2), n1 + n2 + 1, 2)
        if maxdim is None or (k <= maxdim and n <= maxdim)
    ]
    return sort_irreps(out)


def sort_irreps(irreps: Iterable[Irrep]) -> list[Irrep]:
    """Deduplicate and sort irrep labels by ``(k + n, k)``: scalars first, then vectors, ..."""
    return sorted({check_irrep(r) for r in irreps}, key=lambda r: (r[0] + r[1], r[0]))
