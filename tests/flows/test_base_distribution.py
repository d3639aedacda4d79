import math

import pytest
import torch

from lorentznets.flows import GaussianUniformBase


def test_density_integrates_to_one_on_a_grid():
    # One jet, all four components: 3 Gaussian directions and the periodic phi.
    base = GaussianUniformBase(torch.tensor([False, False, True, False]), (1, 4))
    n = 36
    gauss = torch.linspace(-7, 7, n, dtype=torch.float64)
    phi = torch.linspace(-math.pi, math.pi, n, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(gauss, gauss, phi, gauss, indexing="ij"), -1)
    grid = grid.reshape(-1, 1, 4)
    density = torch.exp(base.log_prob(grid)).reshape(n, n, n, n)
    integral = density
    for axis_points in (gauss, gauss, phi, gauss):
        integral = torch.trapezoid(integral, axis_points, dim=0)
    assert integral.item() == pytest.approx(1.0, abs=1e-6)


def test_log_prob_matches_closed_form():
    periodic = torch.tensor([False, True])
    base = GaussianUniformBase(periodic, (3, 2))
    x = torch.randn(5, 3, 2, dtype=torch.float64)
    expected = torch.distributions.Normal(0.0, 1.0).log_prob(x[..., 0]).sum(-1) - 3 * math.log(2 * math.pi)
    assert torch.allclose(base.log_prob(x), expected, atol=1e-12)
    # The periodic components are read modulo 2 pi.
    shifted = x.clone()
    shifted[..., 1] += 2 * math.pi
    assert torch.allclose(base.log_prob(shifted), base.log_prob(x))


def test_samples_follow_the_marginals():
    base = GaussianUniformBase(torch.tensor([False, False, True, False]), (2, 4))
    g = torch.Generator().manual_seed(0)
    x = base.sample(40000, generator=g, dtype=torch.float64)
    assert x.shape == (40000, 2, 4)
    phi = x[..., 2]
    assert phi.min() >= -math.pi and phi.max() < math.pi
    assert phi.var().item() == pytest.approx(math.pi**2 / 3, rel=0.03)
    gauss = x[..., [0, 1, 3]]
    assert gauss.mean().abs().item() < 0.02
    assert gauss.std().item() == pytest.approx(1.0, rel=0.02)


def test_wrong_event_shape_raises():
    base = GaussianUniformBase(torch.tensor([False, False, True, False]), (6, 4))
    with pytest.raises(ValueError, match=r"expected events of shape \(6, 4\)"):
        base.log_prob(torch.zeros(2, 7, 4))
