import pytest
import torch

from lorentznets.flows import GaussianUniformBase, flow_log_likelihood


def _data(gaussian_flow, n=64):
    g = torch.Generator().manual_seed(7)
    x = torch.randn(n, 2, 4, generator=g, dtype=torch.float64)
    return x * gaussian_flow.sigma + gaussian_flow.mu


def test_exact_trace_reproduces_analytic_gaussian_density(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    x1 = _data(gaussian_flow)
    log_p = flow_log_likelihood(gaussian_flow, base, x1, {"method": "rk4", "steps": 50}, "exact")
    assert log_p.shape == (64,)
    assert torch.allclose(log_p, gaussian_flow.log_prob(x1), atol=1e-6)


def test_adaptive_solver_agrees(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    x1 = _data(gaussian_flow, 8)
    solver = {"method": "dopri5", "rtol": 1e-9, "atol": 1e-9}
    log_p = flow_log_likelihood(gaussian_flow, base, x1, solver)
    assert torch.allclose(log_p, gaussian_flow.log_prob(x1), atol=1e-6)


def test_hutchinson_trace_is_exact_for_a_diagonal_field(gaussian_flow):
    # Rademacher probes square to one, so eps^T J eps = tr J for a diagonal Jacobian.
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    x1 = _data(gaussian_flow, 16)
    log_p = flow_log_likelihood(
        gaussian_flow,
        base,
        x1,
        {"method": "rk4", "steps": 50},
        "hutchinson",
        generator=torch.Generator().manual_seed(0),
    )
    assert torch.allclose(log_p, gaussian_flow.log_prob(x1), atol=1e-6)


def test_wrong_field_gives_wrong_density(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    x1 = _data(gaussian_flow, 16)
    log_p = flow_log_likelihood(lambda t, x: torch.zeros_like(x), base, x1, {"steps": 10})
    assert not torch.allclose(log_p, gaussian_flow.log_prob(x1), atol=1e-2)
    assert torch.allclose(log_p, base.log_prob(x1))


def test_unknown_trace_raises(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    with pytest.raises(ValueError, match="trace must be"):
        flow_log_likelihood(gaussian_flow, base, _data(gaussian_flow, 2), trace="approximate")
