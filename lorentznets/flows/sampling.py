"""Sampling from a continuous normalising flow by integrating its velocity field."""

import torch

from .angles import wrap_periodic
from .base_distribution import GaussianUniformBase
from .flow_matching import VelocityField
from .ode_solver import SolverConfig, odeint

__all__ = ["sample_flow", "transport"]


def transport(
    velocity: VelocityField,
    x: torch.Tensor,
    periodic: torch.Tensor | None,
    t0: float,
    t1: float,
    solver: SolverConfig | dict | None = None,
) -> torch.Tensor:
    """Move points along the flow from time ``t0`` to ``t1``.

    The network always sees wrapped angles, so the field is periodic in them and the angles may
    run freely during integration; they are wrapped once at the end.

    Parameters
    ----------
    velocity : callable ``v(t, x)``
        Velocity field, see :data:`lorentznets.flows.VelocityField`.
    x : torch.Tensor with shape (B, *event_shape)
        Points at ``t0``.
    periodic : torch.Tensor of bool broadcastable to event_shape, or None
    t0, t1 : float
    solver : SolverConfig or dict, optional

    Returns
    -------
    torch.Tensor with shape (B, *event_shape)
        Points at ``t1``.
    """

    def dynamics(t, state):
        (y,) = state
        return (velocity(t.expand(y.shape[0]), wrap_periodic(y, periodic)),)

    (x_end,) = odeint(dynamics, (x,), t0, t1, solver)
    return wrap_periodic(x_end, periodic)


@torch.no_grad()
def sample_flow(
    velocity: VelocityField,
    base: GaussianUniformBase,
    n: int,
    solver: SolverConfig | dict | None = None,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Draw ``n`` events: base samples at t = 0 transported to t = 1.

    Returns
    -------
    torch.Tensor with shape (n, *base.event_shape)
        Events in flow coordinates, angles in [-pi, pi).
    """
    x0 = base.sample(n, generator=generator, dtype=dtype, device=device)
    return transport(velocity, x0, base.periodic.to(x0.device), 0.0, 1.0, solver)
