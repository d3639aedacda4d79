"""Random and elementary Lorentz transformations as (..., 4, 4) matrices acting on (E, px, py, pz).

A transformation L acts on a four-vector p as ``p' = L @ p`` (for batches: ``p @ L.mT``) and
satisfies ``L.mT @ g @ L = g``. All samplers accept a ``torch.Generator`` for reproducibility
and default to float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

Shape = Sequence[int] | torch.Size


def boost_matrix(rapidity: torch.Tensor, axis: torch.Tensor) -> torch.Tensor:
    """Pure boost with the given rapidity along a unit 3-vector.

    Parameters
    ----------
    rapidity : torch.Tensor with shape (...)
    axis : torch.Tensor with shape (..., 3)
        Direction of the boost; normalised internally.

    Returns
    -------
    torch.Tensor with shape (..., 4, 4)
    """
    n = axis / axis.norm(dim=-1, keepdim=True)
    ch, sh = torch.cosh(rapidity), torch.sinh(rapidity)
    shape = torch.broadcast_shapes(rapidity.shape, n.shape[:-1])
    out = torch.empty(*shape, 4, 4, dtype=n.dtype, device=n.device)
    out[..., 0, 0] = ch
    out[..., 0, 1:] = sh[..., None] * n
    out[..., 1:, 0] = sh[..., None] * n
    eye = torch.eye(3, dtype=n.dtype, device=n.device)
    out[..., 1:, 1:] = eye + (ch - 1)[..., None, None] * n[..., :, None] * n[..., None, :]
    return out


def rotation_matrix(rotation: torch.Tensor) -> torch.Tensor:
    """Embed 3x3 rotations into (..., 4, 4) Lorentz matrices."""
    out = torch.zeros(*rotation.shape[:-2], 4, 4, dtype=rotation.dtype, device=rotation.device)
    out[..., 0, 0] = 1.0
    out[..., 1:, 1:] = rotation
    return out


def parity_matrix(dtype: torch.dtype = torch.float64, device=None) -> torch.Tensor:
    """Space inversion P = diag(1, -1, -1, -1) with shape (4, 4)."""
    return torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0], dtype=dtype, device=device))


def time_reversal_matrix(dtype: torch.dtype = torch.float64, device=None) -> torch.Tensor:
    """Time reversal T = diag(-1, 1, 1, 1) with shape (4, 4)."""
    return torch.diag(torch.tensor([-1.0, 1.0, 1.0, 1.0], dtype=dtype, device=device))


def random_rotation(
    shape: Shape = (),
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
    device=None,
) -> torch.Tensor:
    """Rotations drawn uniformly (Haar measure) from SO(3), as (*shape, 4, 4) Lorentz matrices."""
    q = torch.randn(*shape, 4, generator=generator, dtype=dtype, device=device)
    q = q / q.norm(dim=-1, keepdim=True)
    w, x, y, z = q.unbind(-1)
    rot = torch.stack(
        [
            1 - 2 * (y * y + z * z),
            2 * (x * y - z * w),
            2 * (x * z + y * w),
            2 * (x * y + z * w),
            1 - 2 * (x * x + z * z),
            2 * (y * z - x * w),
            2 * (x * z - y * w),
            2 * (y * z + x * w),
            1 - 2 * (x * x + y * y),
        ],
        dim=-1,
    ).reshape(*q.shape[:-1], 3, 3)
    return rotation_matrix(rot)


def random_boost(
    shape: Shape = (),
    rapidity: float | None = None,
    max_rapidity: float = 6.0,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
    device=None,
) -> torch.Tensor:
    """Boosts along isotropic random axes, as (*shape, 4, 4) matrices.

    Parameters
    ----------
    rapidity : float, optional
        Fixed rapidity of every boost. If None, rapidities are uniform in [0, max_rapidity].
    """
    axis = torch.randn(*shape, 3, generator=generator, dtype=dtype, device=device)
    if rapidity is None:
        eta = max_rapidity * torch.rand(tuple(shape), generator=generator, dtype=dtype, device=device)
    else:
        eta = torch.full(tuple(shape), float(rapidity), dtype=dtype, device=device)
    return boost_matrix(eta, axis)


def random_lorentz_transform(
    shape: Shape = (),
    max_rapidity: float = 6.0,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
    device=None,
    parity: bool = False,
    time_reversal: bool = False,
    rapidity: float | None = None,
) -> torch.Tensor:
    """Random Lorentz transformations: rotation * boost * rotation.

    Parameters
    ----------
    shape : sequence of int
        Batch shape of the result.
    max_rapidity : float
        Boost rapidities are uniform in [0, max_rapidity] unless ``rapidity`` fixes them.
    parity, time_reversal : bool
        If True, each sample includes P (resp. T) with probability 1/2, leaving the proper
        orthochronous component.

    Returns
    -------
    torch.Tensor with shape (*shape, 4, 4)
    """
    shape = tuple(shape)
    kw = dict(generator=generator, dtype=dtype, device=device)
    out = (
        random_rotation(shape, **kw)
        @ random_boost(shape, rapidity=rapidity, max_rapidity=max_rapidity, **kw)
        @ random_rotation(shape, **kw)
    )
    for wanted, elem in ((parity, parity_matrix), (time_reversal, time_reversal_matrix)):
        if wanted:
            flip = torch.rand(shape, generator=generator, dtype=dtype, device=device) < 0.5
            identity = torch.eye(4, dtype=dtype, device=device)
            discrete = torch.where(flip[..., None, None], elem(dtype, device), identity)
            out = out @ discrete
    return out


def lorentz_violation(matrix: torch.Tensor) -> torch.Tensor:
    """max |L^T g L - g| per matrix, shape (...), a check that ``matrix`` is a Lorentz transformation."""
    g = parity_matrix(matrix.dtype, matrix.device)
    return (matrix.mT @ g @ matrix - g).abs().amax(dim=(-1, -2))


__all__ = [
    "boost_matrix",
    "rotation_matrix",
    "parity_matrix",
    "time_reversal_matrix",
    "random_rotation",
    "random_boost",
    "random_lorentz_transform",
    "lorentz_violation",
]
