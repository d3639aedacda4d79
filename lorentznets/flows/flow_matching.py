"""Conditional flow matching with straight (rectified) paths, periodic components included."""

from collections.abc import Callable

import torch

from .angles import wrap_angle, wrap_periodic
from .base_distribution import GaussianUniformBase

__all__ = ["conditional_path", "flow_matching_loss", "VelocityField"]

VelocityField = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""Signature of a velocity field: ``v(t, x)`` with t of shape (B,) and x of shape (B, *event_shape),
returning a tensor shaped like x. Time runs from 0 (base distribution) to 1 (data)."""


def conditional_path(
    x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, periodic: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Point and velocity on the straight path from a noise point to a data point.

    Periodic components travel along the shorter arc: their displacement is wrapped into
    [-pi, pi) before interpolating, and the interpolated angle is wrapped back.

    Parameters
    ----------
    x0 : torch.Tensor with shape (B, *event_shape)
        Base-distribution samples (t = 0).
    x1 : torch.Tensor with shape (B, *event_shape)
        Data points (t = 1).
    t : torch.Tensor with shape (B,)
        Times in [0, 1].
    periodic : torch.Tensor of bool broadcastable to event_shape, or None

    Returns
    -------
    xt : torch.Tensor with shape (B, *event_shape)
        Point on the path at time t.
    vt : torch.Tensor with shape (B, *event_shape)
        Constant velocity of the path (the regression target).
    """
    delta = x1 - x0
    if periodic is not None:
        delta = torch.where(periodic, wrap_angle(delta), delta)
    t = t.reshape(-1, *([1] * (x0.dim() - 1)))
    xt = wrap_periodic(x0 + t * delta, periodic)
    return xt, delta


def flow_matching_loss(
    velocity: VelocityField,
    x1: torch.Tensor,
    base: GaussianUniformBase,
    generator: torch.Generator | None = None,
    noise: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """Conditional flow-matching loss: mean squared error between predicted and path velocity.

    Parameters
    ----------
    velocity : callable ``v(t, x)``
        Velocity network, see :data:`VelocityField`.
    x1 : torch.Tensor with shape (B, *event_shape)
        Data events in flow coordinates.
    base : GaussianUniformBase
        Noise distribution; its ``periodic`` mask says which components are angles.
    generator : torch.Generator, optional
        Source of randomness for the noise and the times.
    noise : (x0, t), optional
        The base samples (B, *event_shape) and times (B,) to use instead of drawing them (e.g.
        :func:`~lorentznets.flows.keyed_noise.keyed_flow_matching_noise`, fixed per event).

    Returns
    -------
    torch.Tensor with shape ()
        Loss averaged over events and components.

    Raises
    ------
    ValueError
        An ``x1`` whose events do not have ``base.event_shape``, or both ``generator`` and ``noise``.
    """
    base.check_events(x1, "flow_matching_loss", "x1")
    if noise is None:
        x0 = base.sample(x1.shape[0], generator=generator, dtype=x1.dtype, device=x1.device)
        t = torch.rand(x1.shape[0], generator=generator, dtype=x1.dtype, device=x1.device)
    elif generator is not None:
        raise ValueError("flow_matching_loss: pass a generator or the noise, not both")
    else:
        x0, t = noise
    xt, target = conditional_path(x0, x1, t, base.periodic.to(x1.device))
    return torch.mean((velocity(t, xt) - target) ** 2)
