"""Periodic coordinates: wrapping angles onto a fundamental interval."""

import math

import torch

__all__ = ["wrap_angle", "wrap_periodic"]


def wrap_angle(phi: torch.Tensor) -> torch.Tensor:
    """Map angles onto [-pi, pi).

    Parameters
    ----------
    phi : torch.Tensor with shape (...)
        Angles in radians.

    Returns
    -------
    torch.Tensor with shape (...)
        ``phi`` shifted by a multiple of 2 pi into [-pi, pi).
    """
    return torch.remainder(phi + math.pi, 2 * math.pi) - math.pi


def wrap_periodic(x: torch.Tensor, periodic: torch.Tensor | None) -> torch.Tensor:
    """Wrap the periodic components of ``x`` onto [-pi, pi), leave the others alone.

    Parameters
    ----------
    x : torch.Tensor with shape (..., *event_shape)
        Points in flow coordinates.
    periodic : torch.Tensor of bool, broadcastable to ``x``, or None
        True where a component is an angle with period 2 pi. None means no periodic component.

    Returns
    -------
    torch.Tensor with the shape of ``x``
    """
    if periodic is None:
        return x
    return torch.where(periodic, wrap_angle(x), x)
