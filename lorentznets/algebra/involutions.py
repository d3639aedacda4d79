"""Linear involutions, grade projections and the dual of multivectors with shape (..., 16)."""

from __future__ import annotations

import torch

from .blades import GRADE_SLICES, GRADES
from .tables import product_table

_REVERSE = tuple(1.0 if g % 4 in (0, 1) else -1.0 for g in GRADES)
_INVOLUTE = tuple(-1.0 if g % 2 else 1.0 for g in GRADES)


def reverse_signs(dtype: torch.dtype = torch.float32, device=None) -> torch.Tensor:
    """Signs (-1)^(k(k-1)/2) of the reversal per component, shape (16,)."""
    return torch.tensor(_REVERSE, dtype=dtype, device=device)


def reverse(x: torch.Tensor) -> torch.Tensor:
    """Reversal: reverses the order of vectors in each blade, shape (..., 16) -> (..., 16)."""
    return x * reverse_signs(x.dtype, x.device)


def grade_involute(x: torch.Tensor) -> torch.Tensor:
    """Grade involution: flips the sign of odd grades, shape (..., 16) -> (..., 16)."""
    return x * torch.tensor(_INVOLUTE, dtype=x.dtype, device=x.device)


def clifford_conjugate(x: torch.Tensor) -> torch.Tensor:
    """Clifford conjugation (reversal composed with grade involution), shape (..., 16)."""
    return grade_involute(reverse(x))


def grade_project(x: torch.Tensor, grade: int) -> torch.Tensor:
    """Projection onto one grade, shape (..., 16) -> (..., 16) with other grades zeroed.

    Parameters
    ----------
    grade : int
        0 (scalar), 1 (vector), 2 (bivector), 3 (trivector) or 4 (pseudoscalar).
    """
    if grade not in range(5):
        raise ValueError(f"grade must be 0..4, got {grade}")
    out = torch.zeros_like(x)
    out[..., GRADE_SLICES[grade]] = x[..., GRADE_SLICES[grade]]
    return out


def grades(x: torch.Tensor) -> torch.Tensor:
    """All five grade projections at once, shape (..., 16) -> (..., 5, 16)."""
    return torch.stack([grade_project(x, k) for k in range(5)], dim=-2)


def dual(x: torch.Tensor) -> torch.Tensor:
    """Clifford dual x I^{-1} with the pseudoscalar I = e0123 (I^{-1} = -I), shape (..., 16)."""
    table = product_table("geometric", x.dtype, x.device)
    # Right multiplication by I^{-1} = -e0123 is column 15 of the table, negated.
    return -torch.einsum("ij,...j->...i", table[:, :, 15], x)
