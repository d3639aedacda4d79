"""Representation matrices of SL(2, C) on its irreps ``(k, n)``.

``Sym^k(C^2)`` is realised on homogeneous polynomials of degree k in two variables (x, y) with
the orthonormal basis ``f_i = sqrt(binom(k, i)) x^(k - i) y^i`` (``i = 0..k``, weight
``m = k/2 - i``). A matrix A acts by substituting ``x -> A00 x + A10 y``, ``y -> A01 x + A11 y``,
so the matrices are exact polynomials in the entries of A: no matrix exponentials, and
``rho(A B) = rho(A) rho(B)`` holds for every 2x2 matrix, up to rounding. In this basis the sl(2)
generators are the standard Condon-Shortley spin matrices, so the SU(2) Clebsch-Gordan
coefficients of ``su2_clebsch_gordan`` intertwine these matrices.
"""

from __future__ import annotations

import math

import torch

from .irreps import Irrep, check_irrep


def spin_representation(matrix: torch.Tensor, k: int) -> torch.Tensor:
    """The holomorphic irrep ``Sym^k`` (spin k/2) of 2x2 complex matrices.

    Parameters
    ----------
    matrix : torch.Tensor with shape (..., 2, 2), complex
        SL(2, C) elements (any 2x2 matrices are accepted; the map is multiplicative).
    k : int
        Twice the spin.

    Returns
    -------
    torch.Tensor with shape (..., k + 1, k + 1), complex
        For ``k = 1`` this is ``matrix`` itself; for ``A`` in SU(2) it is unitary.
    """
    _check_matrix(matrix)
    if int(k) != k or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    a00, a01 = matrix[..., 0, 0], matrix[..., 0, 1]
    a10, a11 = matrix[..., 1, 0], matrix[..., 1, 1]
    powers = [_powers(z, k) for z in (a00, a01, a10, a11)]
    p00, p01, p10, p11 = powers
    rows = []
    for i in range(k + 1):
        row = []
        for j in range(k + 1):
            # Coefficient of x^(k-i) y^i in (a00 x + a10 y)^(k-j) (a01 x + a11 y)^j.
            entry = torch.zeros_like(a00)
            for s in range(max(0, i - j), min(k - j, i) + 1):
                weight = math.comb(k - j, s) * math.comb(j, i - s)
                entry = entry + weight * p00[k - j - s] * p10[s] * p01[j - i + s] * p11[i - s]
            row.append(entry * math.sqrt(math.comb(k, j) / math.comb(k, i)))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


def irrep_representation(matrix: torch.Tensor, irrep: Irrep) -> torch.Tensor:
    """The Lorentz-group irrep ``(k, n)``: ``Sym^k(A) (x) Sym^n(conj A)``.

    Parameters
    ----------
    matrix : torch.Tensor with shape (..., 2, 2), complex
        SL(2, C) elements.
    irrep : (int, int)

    Returns
    -------
    torch.Tensor with shape (..., (k + 1)(n + 1), (k + 1)(n + 1)), complex
        Acting on components flattened as ``i * (n + 1) + i'`` (see ``lorentznets.irreps.irreps``).
    """
    k, n = check_irrep(irrep)
    left = spin_representation(matrix, k)
    right = spin_representation(matrix.conj(), n)
    out = left[..., :, None, :, None] * right[..., None, :, None, :]
    dim = (k + 1) * (n + 1)
    return out.reshape(*matrix.shape[:-2], dim, dim)


def _powers(z: torch.Tensor, k: int) -> list[torch.Tensor]:
    out = [torch.ones_like(z)]
    for _ in range(k):
        out.append(out[-1] * z)
    return out


def _check_matrix(matrix: torch.Tensor) -> None:
    if not isinstance(matrix, torch.Tensor) or matrix.shape[-2:] != (2, 2):
        shape = tuple(matrix.shape) if isinstance(matrix, torch.Tensor) else type(matrix).__name__
        raise ValueError(f"expected SL(2, C) matrices with shape (..., 2, 2), got {shape}")
    if not matrix.is_complex():
        raise ValueError(f"SL(2, C) matrices must be complex, got dtype {matrix.dtype}")
