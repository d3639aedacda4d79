"""Containers and helpers for LGN activations: one complex tensor per irrep.

LGN activations are dicts ``{(k, n): tensor}`` with tensors of shape (B, N, C, (k + 1)(n + 1)),
complex: B jets, N particles, C channels of the irrep ``(k, n)``. Each particle carries its own
activations; all dicts in one network share B and N.
"""

from __future__ import annotations

import torch

from ...irreps import Irrep, irrep_dim

IrrepFeatures = dict[Irrep, torch.Tensor]

SCALAR: Irrep = (0, 0)
VECTOR: Irrep = (1, 1)


def as_complex(pairs: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Complex view of a real parameter with trailing (real, imaginary) axis, cast to ``dtype``.

    Parameters
    ----------
    pairs : torch.Tensor with shape (..., 2), real
    dtype : torch.dtype
        complex64 or complex128.

    Returns
    -------
    torch.Tensor with shape (...), complex ``dtype``
    """
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    return torch.view_as_complex(pairs.to(real).contiguous())


def check_features(features: IrrepFeatures, name: str = "features") -> tuple[int, int]:
    """Validate an activation dict and return its (B, N).

    Raises
    ------
    ValueError
        If a tensor is not complex, has the wrong last dimension, or B/N differ between irreps.
    """
    if not features:
        raise ValueError(f"{name} is empty: LGN activations need at least one irrep")
    batch = None
    for irrep, x in features.items():
        if x.dim() != 4 or x.shape[-1] != irrep_dim(irrep) or not x.is_complex():
            raise ValueError(
                f"{name}[{irrep}] must be a complex tensor of shape (B, N, C, {irrep_dim(irrep)}), "
                f"got {tuple(x.shape)} {x.dtype}"
            )
        if batch is None:
            batch = tuple(x.shape[:2])
        elif tuple(x.shape[:2]) != batch:
            raise ValueError(f"{name}[{irrep}] has (B, N) = {tuple(x.shape[:2])}, expected {batch}")
    return batch


def apply_mask(features: IrrepFeatures, mask: torch.Tensor | None) -> IrrepFeatures:
    """Zero the activations of padded particles.

    Parameters
    ----------
    features : dict of (B, N, C, d) complex tensors
    mask : torch.Tensor with shape (B, N), bool, or None (no padding)
    """
    if mask is None:
        return features
    weight = mask[:, :, None, None].to(next(iter(features.values())).real.dtype)
    return {irrep: x * weight for irrep, x in features.items()}
