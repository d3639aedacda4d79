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

    Expanded in the 2 x 2 minors of the first two and the last two rows, in float64 and without
    gradient (the sign is piecewise constant): no LU factorisation, so nothing that could wait for
    the device, and no factorisation in the backward pass. For a Lorentz matrix of rapidity y the
    terms are of order e^(2y) and cancel to +-1; float64 keeps the sign up to y of about 15.

    Parameters
    ----------
    frames : torch.Tensor with shape (..., 4, 4)

    Returns
    -------
    torch.Tensor with shape (...), dtype of ``frames``
    """
    m = frames.detach().double()
    pairs = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))

    def minors(rows: tuple[int, int]) -> list[torch.Tensor]:
        top, bottom = m[..., rows[0], :], m[..., rows[1], :]
        return [top[..., i] * bottom[..., j] - top[..., j] * bottom[..., i] for i, j in pairs]

    upper, lower = minors((0, 1)), minors((2, 3))
    # det = sum over complementary column pairs of +-upper * lower (Laplace expansion in rows 0, 1)
    det = sum(sign * upper[k] * lower[5 - k] for k, sign in enumerate((1, -1, 1, 1, -1, 1)))
    return det.sign().to(frames.dtype)


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
