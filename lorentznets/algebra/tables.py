"""Multiplication tables of Cl(1,3), generated from the blade rules and cached per dtype/device.

A table ``T`` of shape (16, 16, 16) defines the bilinear map ``out_i = sum_jk T[i, j, k] x_j y_k``.
About 1/16 of the geometric-product table is nonzero (256 entries), so the tables also come in
sparse form as index lists for gathered implementations.
"""

from __future__ import annotations

from functools import cache

import torch

from .blades import BLADE_INDEX, BLADES, GRADES, NUM_COMPONENTS, blade_product


def _keep_geometric(grade_out: int, grade_a: int, grade_b: int) -> bool:
    return True


def _keep_outer(grade_out: int, grade_a: int, grade_b: int) -> bool:
    return grade_out == grade_a + grade_b


def _keep_inner(grade_out: int, grade_a: int, grade_b: int) -> bool:
    # Hestenes inner product: <A_r B_s>_{|r-s|}, zero if either factor is a scalar.
    return grade_out == abs(grade_a - grade_b) and grade_a != 0 and grade_b != 0


_RULES = {"geometric": _keep_geometric, "outer": _keep_outer, "inner": _keep_inner}


@cache
def product_entries(kind: str) -> tuple[tuple[int, int, int, int], ...]:
    """Nonzero entries ``(out, a, b, sign)`` of a product table.

    Parameters
    ----------
    kind : {"geometric", "outer", "inner"}
    """
    keep = _RULES[kind]
    entries = []
    for a, blade_a in enumerate(BLADES):
        for b, blade_b in enumerate(BLADES):
            sign, blade = blade_product(blade_a, blade_b)
            out = BLADE_INDEX[blade]
            if keep(GRADES[out], GRADES[a], GRADES[b]):
                entries.append((out, a, b, sign))
    return tuple(entries)


@cache
def _dense_table(kind: str, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    table = torch.zeros(NUM_COMPONENTS, NUM_COMPONENTS, NUM_COMPONENTS, dtype=dtype)
    for out, a, b, sign in product_entries(kind):
        table[out, a, b] = sign
    return table.to(device)


def product_table(kind: str, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Dense multiplication table of shape (16, 16, 16) for ``kind`` in {"geometric", "outer", "inner"}."""
    if kind not in _RULES:
        raise ValueError(f"unknown product {kind!r}; choose from {sorted(_RULES)}")
    return _dense_table(kind, dtype, torch.device(device))


def geometric_product_table(dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Geometric product table with shape (16, 16, 16): ``(xy)_i = sum_jk T[i,j,k] x_j y_k``."""
    return product_table("geometric", dtype, device)


def outer_product_table(dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Outer (wedge) product table with shape (16, 16, 16)."""
    return product_table("outer", dtype, device)


def inner_product_table(dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu") -> torch.Tensor:
    """Hestenes inner product table with shape (16, 16, 16) (the ``|`` of the clifford package)."""
    return product_table("inner", dtype, device)
