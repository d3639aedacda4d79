"""Progress counts of the flow's ODE integrations against the real solvers."""

import io

import pytest
import torch
from tqdm import tqdm

from experiments.eventgen.ode_progress import CountingVelocity, network_evaluations
from lorentznets.flows import PERIODIC_COMPONENTS, GaussianUniformBase, SolverConfig, flow_log_likelihood, sample_flow


def _velocity(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return -x * t[:, None, None]


@pytest.mark.parametrize("method", ["euler", "midpoint", "rk4"])
def test_counts_equal_the_solvers_calls(method):
    solver = SolverConfig(method=method, steps=3)
    base = GaussianUniformBase(PERIODIC_COMPONENTS, (2, 4))
    with tqdm(file=io.StringIO()) as bar:
        velocity = CountingVelocity(_velocity, bar)
        for size in (4, 4, 2):
            sample_flow(velocity, base, size, solver)
        assert bar.n == network_evaluations(solver, 10, 4)
    with tqdm(file=io.StringIO()) as bar:
        flow_log_likelihood(CountingVelocity(_velocity, bar), base, torch.randn(5, 2, 4), solver, "hutchinson")
        assert bar.n == network_evaluations(solver, 5, 5)


def test_adaptive_solvers_have_no_known_total():
    assert network_evaluations(SolverConfig(method="dopri5"), 100, 10) is None
    assert network_evaluations(SolverConfig(method="rk4", steps=10), 2500, 1000) == 120
