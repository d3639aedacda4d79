"""Progress of the flow's ODE integrations (sampling, likelihoods), counted in network evaluations."""

import math
from collections.abc import Callable

import torch
from tqdm import tqdm

from lorentznets.flows import SolverConfig

__all__ = ["CountingVelocity", "network_evaluations"]

_EVALUATIONS_PER_STEP = {"euler": 1, "midpoint": 2, "rk4": 4}
"""Velocity evaluations per step of the library's own fixed-step schemes (lorentznets.flows.ode_solver)."""


def network_evaluations(solver: SolverConfig, n_events: int, batchsize: int) -> int | None:
    """Velocity-network calls needed to integrate ``n_events`` in batches of ``batchsize``; None
    for torchdiffeq's methods, whose number of steps is not known in advance."""
    per_step = _EVALUATIONS_PER_STEP.get(solver.method)
    if per_step is None:
        return None
    return per_step * solver.steps * math.ceil(n_events / batchsize)


class CountingVelocity:
    """A velocity field ``v(t, x)`` that advances ``bar`` by one per call; the host only counts,
    so nothing waits for the device.

    Parameters
    ----------
    velocity : callable ``v(t (B,), x (B, n_jets, 4)) -> (B, n_jets, 4)``
    bar : tqdm.tqdm
    """

    def __init__(self, velocity: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], bar: tqdm) -> None:
        self.velocity = velocity
        self.bar = bar

    def __call__(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        self.bar.update(1)
        return self.velocity(t, x)
