"""Log-likelihood under a continuous normalising flow (instantaneous change of variables)."""

from typing import Literal

import torch

from .angles import wrap_periodic
from .base_distribution import GaussianUniformBase
from .divergence import exact_divergence, hutchinson_divergence
from .flow_matching import VelocityField
from .ode_solver import SolverConfig, odeint

__all__ = ["flow_log_likelihood"]


def flow_log_likelihood(
    velocity: VelocityField,
    base: GaussianUniformBase,
    x1: torch.Tensor,
    solver: SolverConfig | dict | None = None,
    trace: Literal["exact", "hutchinson"] = "exact",
    generator: torch.Generator | None = None,
    probes: torch.Tensor | None = None,
) -> torch.Tensor:
    """Log density of data events under the flow.

    Integrates ``dx/dt = v(t, x)`` and ``d log p/dt = -div v`` backwards from the data (t = 1) to
    the base distribution (t = 0):
    ``log p_1(x1) = log p_0(x0) - int_0^1 div v(t, x_t) dt``.

    Parameters
    ----------
    velocity : callable ``v(t, x)``
    base : GaussianUniformBase
    x1 : torch.Tensor with shape (B, *event_shape)
        Events in flow coordinates.
    solver : SolverConfig or dict, optional
    trace : {"exact", "hutchinson"}
        Exact divergence (one backward pass per dimension) or Hutchinson's stochastic estimate
        with one Rademacher probe per event, fixed along the trajectory.
    generator : torch.Generator, optional
        Randomness for the Hutchinson probes.
    probes : torch.Tensor with shape (B, *event_shape), optional
        The Hutchinson probes themselves (zero mean, unit covariance, e.g. +-1), instead of
        drawing them: e.g. keyed by event (:func:`~lorentznets.flows.keyed_rademacher`), so
        that an event's estimate does not depend on the batch it is in.

    Returns
    -------
    torch.Tensor with shape (B,)
        Log density in the flow coordinates (the NLL is its negative).

    Raises
    ------
    ValueError
        An unknown ``trace``, an ``x1`` whose events do not have ``base.event_shape``, or
        ``probes`` of another shape than ``x1`` or with the exact trace.
    """
    if trace not in ("exact", "hutchinson"):
        raise ValueError(f"flow_log_likelihood: trace must be 'exact' or 'hutchinson', got {trace!r}")
    base.check_events(x1, "flow_log_likelihood", "x1")
    periodic = base.periodic.to(x1.device)
    if probes is not None and (trace != "hutchinson" or probes.shape != x1.shape):
        raise ValueError(
            f"flow_log_likelihood: probes of shape {tuple(probes.shape)} need trace='hutchinson' and the shape of x1 "
            f"{tuple(x1.shape)}"
        )
    noise = probes.to(x1.dtype) if probes is not None else None
    if trace == "hutchinson" and noise is None:
        noise = torch.randint(0, 2, x1.shape, generator=generator, device=x1.device)
        noise = (2 * noise - 1).to(x1.dtype)

    def dynamics(t, state):
        y, _ = state
        with torch.enable_grad():
            y = y.detach().requires_grad_(True)
            v = velocity(t.expand(y.shape[0]), wrap_periodic(y, periodic))
            if noise is None:
                div = exact_divergence(v, y)
            else:
                div = hutchinson_divergence(v, y, noise)
        return v.detach(), -div.detach()

    logdet0 = torch.zeros(x1.shape[0], dtype=x1.dtype, device=x1.device)
    x0, delta = odeint(dynamics, (x1, logdet0), 1.0, 0.0, solver)
    # delta = int_1^0 (-div) dt = int_0^1 div dt
    return base.log_prob(wrap_periodic(x0, periodic)) - delta
