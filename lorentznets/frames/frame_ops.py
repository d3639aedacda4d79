"""Local frames as Lorentz matrices: inversion, change of frame, vectors in local coordinates.

A frame of particle i is the matrix L_i (shape (..., 4, 4)) that maps global components to the
local ones, ``p_local = L_i p``. Under a global transformation Lambda an equivariant frame
becomes ``L_i Lambda^-1``, so local components and the changes of frame ``L_i L_j^-1`` are
invariant. This is the convention of LLoCa (arXiv 2505.20280) and of the ``lloca`` package.
"""

from __future__ import annotations

import torch

from ..lorentz import metric_signs


def frame_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` outside autocast and in at least float32, returned in the promoted dtype of a and b.

    Frames of boosted particles have entries of order cosh(rapidity) that cancel in products
    (``L_i L_j^-1``, local components). Autocast would round them to bf16's 8 mantissa bits
    first, which turns small local components into noise of their own size. Every product with a
    frame goes through here; under autocast its float32 inputs stay float32.

    Parameters
    ----------
    a, b : torch.Tensor
        Shapes as for ``a @ b``.

    Returns
    -------
    torch.Tensor
        ``a @ b``, dtype ``torch.promote_types(a.dtype, b.dtype)``.
    """
    dtype = torch.promote_types(a.dtype, b.dtype)
    compute = torch.promote_types(dtype, torch.float32)
    with torch.autocast(a.device.type, enabled=False):
        return (a.to(compute) @ b.to(compute)).to(dtype)


def frame_parity(frames: torch.Tensor) -> torch.Tensor:
    """Sign of the determinant of Lorentz matrices: +1 for proper frames, -1 for improper ones.

    For a Lorentz matrix L, ``L^-1 = g L^T g`` gives the cofactor identity
    ``det(L[1:, 1:]) = det(L) L00``, so the sign is that of ``det(L[1:, 1:]) L00``. The 3 x 3
    spatial minor is of order cosh(y) at rapidity y, while the 4 x 4 determinant's terms are of
    order e^(2y) and cancel to +-1: the sign survives float32 rounding of the frames up to y of
    about 12 (the 4 x 4 expansion lost it beyond y of about 8). Computed in float64 and without
    gradient (the sign is piecewise constant): no LU factorisation, so nothing that could wait for
    the device. Only valid for Lorentz matrices (up to rounding).

    Parameters
    ----------
    frames : torch.Tensor with shape (..., 4, 4)

    Returns
    -------
    torch.Tensor with shape (...), dtype of ``frames``
    """
    m = frames.detach().double()
    s = m[..., 1:, 1:]
    minor = (
        s[..., 0, 0] * (s[..., 1, 1] * s[..., 2, 2] - s[..., 1, 2] * s[..., 2, 1])
        - s[..., 0, 1] * (s[..., 1, 0] * s[..., 2, 2] - s[..., 1, 2] * s[..., 2, 0])
        + s[..., 0, 2] * (s[..., 1, 0] * s[..., 2, 1] - s[..., 1, 1] * s[..., 2, 0])
    )
    return (minor.sign() * m[..., 0, 0].sign()).to(frames.dtype)


def inverse_frame(frames: torch.Tensor) -> torch.Tensor:
    """Inverse of Lorentz matrices, ``g L^T g`` (exact, no solve).

    Parameters
    ----------
    frames : torch.Tensor with shape (..., 4, 4)

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    signs = metric_signs(frames.dtype, frames.device)
    return frames.mT * signs[:, None] * signs


def change_of_frame(frames_to: torch.Tensor, frames_from: torch.Tensor) -> torch.Tensor:
    """``L_to L_from^-1``: maps components in frame ``from`` to components in frame ``to``.

    Parameters
    ----------
    frames_to, frames_from : torch.Tensor with broadcastable shapes (..., 4, 4)

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    return frame_matmul(frames_to, inverse_frame(frames_from))


def to_local(frames: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """Components of four-vectors in local frames.

    Parameters
    ----------
    frames : torch.Tensor with shape (..., 4, 4)
    vectors : torch.Tensor with shape (..., 4), broadcastable against the frames' batch shape

    Returns
    -------
    torch.Tensor with shape (..., 4)
    """
    return frame_matmul(frames, vectors.unsqueeze(-1)).squeeze(-1)
