"""Embedding physical objects into multivectors of Cl(1,3) and extracting them again.

Component order ``[1, e0, e1, e2, e3, e01, e02, e03, e12, e13, e23, e012, e013, e023, e123,
e0123]``, as in :mod:`lorentznets.algebra` and the official ``lgatr`` package.
"""

from __future__ import annotations

import torch


def _check(x: torch.Tensor, size: int, name: str) -> None:
    if x.shape[-1] != size:
        raise ValueError(f"{name} must have last dimension {size}, got shape {tuple(x.shape)}")


def embed_vector(vectors: torch.Tensor) -> torch.Tensor:
    """Four-vectors (E, px, py, pz) in GeV, shape (..., 4), as grade-1 multivectors (..., 16)."""
    _check(vectors, 4, "vectors")
    return torch.nn.functional.pad(vectors, (1, 11))


def extract_vector(multivectors: torch.Tensor) -> torch.Tensor:
    """The grade-1 part of multivectors (..., 16) as four-vectors (..., 4)."""
    _check(multivectors, 16, "multivectors")
    return multivectors[..., 1:5]


def embed_scalar(scalars: torch.Tensor) -> torch.Tensor:
    """Scalars of shape (..., 1) as multivectors (..., 16)."""
    _check(scalars, 1, "scalars")
    return torch.nn.functional.pad(scalars, (0, 15))


def extract_scalar(multivectors: torch.Tensor) -> torch.Tensor:
    """The scalar component of multivectors (..., 16), shape (..., 1)."""
    _check(multivectors, 16, "multivectors")
    return multivectors[..., 0:1]


def embed_pseudoscalar(pseudoscalars: torch.Tensor) -> torch.Tensor:
    """Pseudoscalars of shape (..., 1) as multivectors (..., 16) (the e0123 component)."""
    _check(pseudoscalars, 1, "pseudoscalars")
    return torch.nn.functional.pad(pseudoscalars, (15, 0))


def extract_pseudoscalar(multivectors: torch.Tensor) -> torch.Tensor:
    """The e0123 component of multivectors (..., 16), shape (..., 1)."""
    _check(multivectors, 16, "multivectors")
    return multivectors[..., 15:16]


def embed_bivector(bivectors: torch.Tensor) -> torch.Tensor:
    """Bivectors (e01, e02, e03, e12, e13, e23), shape (..., 6), as multivectors (..., 16)."""
    _check(bivectors, 6, "bivectors")
    return torch.nn.functional.pad(bivectors, (5, 5))


def extract_bivector(multivectors: torch.Tensor) -> torch.Tensor:
    """The grade-2 part of multivectors (..., 16), shape (..., 6)."""
    _check(multivectors, 16, "multivectors")
    return multivectors[..., 5:11]
