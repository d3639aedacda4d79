"""The action of Lorentz transformations on multivectors (the outermorphism of a 4x4 matrix).

A Lorentz transformation L maps basis vectors as e_j -> sum_i L_ij e_i and extends to blades by
linearity of the wedge product: the grade-k block of the 16x16 representation is the k-th compound
matrix of L (its k x k minors). For L in O(1,3) this is an automorphism of the geometric product;
for proper orthochronous L it equals the sandwich R x reverse(R) with the corresponding rotor R.
The pseudoscalar picks up det(L), so parity and time reversal flip its sign.
"""

from __future__ import annotations

from functools import cache

import torch

from .blades import BLADES, GRADE_SLICES


@cache
def _grade_indices(grade: int, device: torch.device) -> torch.Tensor:
    blades = [b for b in BLADES if len(b) == grade]
    return torch.tensor(blades, dtype=torch.long, device=device)


def multivector_representation(matrix: torch.Tensor) -> torch.Tensor:
    """16x16 matrix of the outermorphism of Lorentz transformations.

    Parameters
    ----------
    matrix : torch.Tensor with shape (..., 4, 4)
        Lorentz transformations acting on (E, px, py, pz).

    Returns
    -------
    torch.Tensor with shape (..., 16, 16)
        ``rho`` such that a multivector x (..., 16) transforms as ``rho @ x``.
    """
    if matrix.shape[-2:] != (4, 4):
        raise ValueError(f"expected Lorentz matrices with shape (..., 4, 4), got {tuple(matrix.shape)}")
    batch = matrix.shape[:-2]
    out = torch.zeros(*batch, 16, 16, dtype=matrix.dtype, device=matrix.device)
    out[..., 0, 0] = 1.0
    out[..., 1:5, 1:5] = matrix
    for grade in (2, 3):
        idx = _grade_indices(grade, matrix.device)
        rows = idx[:, None, :, None]
        cols = idx[None, :, None, :]
        minors = matrix[..., rows, cols]
        out[..., GRADE_SLICES[grade], GRADE_SLICES[grade]] = torch.linalg.det(minors)
    out[..., 15, 15] = torch.linalg.det(matrix)
    return out


def transform_multivector(matrix: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Apply Lorentz transformations to multivectors.

    Parameters
    ----------
    matrix : torch.Tensor with shape (..., 4, 4) or (4, 4)
    x : torch.Tensor with shape (..., 16)
        Broadcast against the batch shape of ``matrix`` (e.g. one transformation for a whole jet:
        pass ``matrix`` with shape (B, 1, 4, 4) for x with shape (B, N, 16)).

    Returns
    -------
    torch.Tensor with shape (..., 16)
    """
    rho = multivector_representation(matrix)
    return (rho @ x.unsqueeze(-1)).squeeze(-1)
