"""Tensor representations of the Lorentz group and their action: scalars, vectors, rank-n tensors.

A representation is written as in LLoCa, e.g. ``"8x0n+4x1n+2x2n+1x0p"``: multiplicity, rank,
and ``n``/``p`` for parity-even/odd (odd ones pick up det(Lambda)). Channels are ordered by rank;
a rank-n tensor occupies 4**n consecutive channels with its indices flattened row-major.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from .frame_ops import frame_matmul

_TERM = re.compile(r"^(\d+)x(\d+)([np])$")


@dataclass(frozen=True)
class TensorReps:
    """Direct sum of tensor representations, sorted by rank (parity-even before odd), merged.

    Parameters
    ----------
    terms : tuple of (int, int, int)
        (multiplicity, rank, parity +1/-1).
    """

    terms: tuple[tuple[int, int, int], ...]

    @classmethod
    def cast(cls, reps: TensorReps | str) -> TensorReps:
        """Parse a string such as ``"8x0n+4x1n"`` (or pass a ``TensorReps`` through)."""
        if isinstance(reps, TensorReps):
            return reps
        counts: dict[tuple[int, int], int] = {}
        for term in reps.replace(" ", "").split("+"):
            match = _TERM.match(term)
            if match is None:
                raise ValueError(f"invalid tensor representation term {term!r} in {reps!r} (expected e.g. '4x1n')")
            key = (int(match.group(2)), -1 if match.group(3) == "p" else 1)
            counts[key] = counts.get(key, 0) + int(match.group(1))
        ordered = sorted(counts, key=lambda k: (k[0], -k[1]))
        return cls(tuple((counts[k], k[0], k[1]) for k in ordered if counts[k] > 0))

    @property
    def dim(self) -> int:
        """Number of channels."""
        return sum(mul * 4**rank for mul, rank, _ in self.terms)

    @property
    def max_rank(self) -> int:
        return max((rank for _, rank, _ in self.terms), default=0)

    def __str__(self) -> str:
        return "+".join(f"{mul}x{rank}{'n' if parity == 1 else 'p'}" for mul, rank, parity in self.terms)


def transform_tensor_reps(
    x: torch.Tensor, reps: TensorReps, matrices: torch.Tensor, parity: torch.Tensor | None = None
) -> torch.Tensor:
    """Apply one 4x4 matrix per item to every tensor index: ``T'_{a..} = M_{ab} ... T_{b..}``.

    Parameters
    ----------
    x : torch.Tensor with shape (..., reps.dim)
    reps : TensorReps
    matrices : torch.Tensor with shape (..., 4, 4), batch shape broadcastable against x's
    parity : torch.Tensor with shape (...), optional
        Sign for the parity-odd channels (det of the transformation); None: +1.

    Returns
    -------
    torch.Tensor with shape (..., reps.dim)
    """
    pieces, start = [], 0
    for mul, rank, sign in reps.terms:
        size = mul * 4**rank
        block = x[..., start : start + size]
        start += size
        if rank > 0:
            block = _apply_to_indices(block.unflatten(-1, (mul,) + (4,) * rank), matrices, rank).flatten(-rank - 1)
        if sign == -1 and parity is not None:
            block = block * parity.unsqueeze(-1).to(block.dtype)
        pieces.append(block)
    return torch.cat(pieces, dim=-1) if len(pieces) > 1 else pieces[0]


def _apply_to_indices(tensor: torch.Tensor, matrices: torch.Tensor, rank: int) -> torch.Tensor:
    # tensor (..., mul, 4, ..., 4); per index, moved last: one (mul 4^(rank-1), 4) @ (4, 4)^T
    # product per item, a single batched matmul
    for axis in range(rank):
        dim = tensor.dim() - rank + axis
        moved = tensor.movedim(dim, -1)
        shape = moved.shape
        moved = frame_matmul(moved.flatten(-rank - 1, -2), matrices.mT).reshape(shape)
        tensor = moved.movedim(-1, dim)
    return tensor


def representation_matrix(reps: TensorReps, matrices: torch.Tensor, parity: torch.Tensor | None = None) -> torch.Tensor:
    """The action of :func:`transform_tensor_reps` as one dense matrix per item.

    ``x @ representation_matrix(reps, M, parity).mT`` equals ``transform_tensor_reps(x, reps, M,
    parity)``: block diagonal, with the identity on scalars and the rank-fold Kronecker product of
    M on each rank-n tensor. Worth it where the same matrices act on many rows (attention heads).

    Parameters
    ----------
    reps : TensorReps
    matrices : torch.Tensor with shape (..., 4, 4)
    parity : torch.Tensor with shape (...), optional
        Sign for the parity-odd channels; None: +1.

    Returns
    -------
    torch.Tensor with shape (..., reps.dim, reps.dim)
    """
    batch = matrices.shape[:-2]
    out = matrices.new_zeros(*batch, reps.dim, reps.dim)
    start = 0
    for mul, rank, sign in reps.terms:
        rho = matrices.new_ones(*batch, 1, 1)
        for _ in range(rank):
            size = rho.shape[-1] * 4
            rho = (rho[..., :, None, :, None] * matrices[..., None, :, None, :]).reshape(*batch, size, size)
        if sign == -1 and parity is not None:
            rho = rho * parity[..., None, None].to(rho.dtype)
        size = rho.shape[-1]
        eye = torch.eye(mul, dtype=matrices.dtype, device=matrices.device)
        block = (eye[:, None, :, None] * rho[..., None, :, None, :]).reshape(*batch, mul * size, mul * size)
        out[..., start : start + mul * size, start : start + mul * size] = block
        start += mul * size
    return out
