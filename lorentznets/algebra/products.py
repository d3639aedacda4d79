"""Bilinear products of multivectors with shape (..., 16)."""

from __future__ import annotations

import math

import torch

from .blades import BLADES, METRIC_SIGNATURE
from .tables import product_table


def _bilinear(kind: str, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    _check_multivector(x, "x")
    _check_multivector(y, "y")
    table = product_table(kind, x.dtype, x.device)
    return torch.einsum("ijk,...j,...k->...i", table, x, y)


def geometric_product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Geometric product xy.

    Parameters
    ----------
    x, y : torch.Tensor with shape (..., 16)
        Multivectors, broadcastable against each other.

    Returns
    -------
    torch.Tensor with shape (..., 16)
    """
    return _bilinear("geometric", x, y)


def outer_product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Outer (wedge) product x ^ y, shapes (..., 16) -> (..., 16)."""
    return _bilinear("outer", x, y)


def hestenes_inner_product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Hestenes inner product <x_r y_s>_{|r-s|} (zero with scalars), shapes (..., 16) -> (..., 16)."""
    return _bilinear("inner", x, y)


def inner_product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Lorentz-invariant scalar product <reverse(x) y>_0 (as in L-GATr's attention).

    Diagonal in the blade basis: each component pair contributes with the sign of
    <reverse(e_A) e_A>_0, so the time-like vector e0 counts +1 and e1 counts -1.

    Parameters
    ----------
    x, y : torch.Tensor with shape (..., 16)

    Returns
    -------
    torch.Tensor with shape (..., 1)
    """
    _check_multivector(x, "x")
    _check_multivector(y, "y")
    return (x * y * inner_product_signs(x.dtype, x.device)).sum(dim=-1, keepdim=True)


def inner_product_signs(dtype: torch.dtype = torch.float32, device=None) -> torch.Tensor:
    """Signs s_A = <reverse(e_A) e_A>_0 with shape (16,): ``inner_product(x, y) = sum_A s_A x_A y_A``.

    reverse(e_A) e_A is the product of the squares of the basis vectors in the blade.
    """
    signs = [math.prod(METRIC_SIGNATURE[i] for i in blade) for blade in BLADES]
    return torch.tensor(signs, dtype=dtype, device=device)


def _check_multivector(x: torch.Tensor, name: str) -> None:
    if x.shape[-1] != 16:
        raise ValueError(f"{name} must be a multivector with last dimension 16, got shape {tuple(x.shape)}")
