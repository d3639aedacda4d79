import math

import pytest
import torch

from lorentznets.flows import GaussianUniformBase, sample_flow, transport


def test_samples_follow_the_target_distribution(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    g = torch.Generator().manual_seed(0)
    x = sample_flow(gaussian_flow, base, 20000, {"method": "rk4", "steps": 20}, g, torch.float64)
    assert x.shape == (20000, 2, 4)
    assert torch.isfinite(x).all()
    gauss = [0, 1, 3]
    mu, sigma = gaussian_flow.mu[:, gauss], gaussian_flow.sigma[:, gauss]
    assert torch.allclose(x[..., gauss].mean(0), mu, atol=5 * sigma.max().item() / 20000**0.5)
    assert torch.allclose(x[..., gauss].std(0), sigma, rtol=0.03)
    phi = x[..., 2]
    assert phi.min() >= -math.pi and phi.max() < math.pi
    assert phi.mean().abs().item() < 0.05


def test_transport_is_invertible_and_rotates_angles(gaussian_flow):
    base = GaussianUniformBase(gaussian_flow.periodic, (2, 4))
    x0 = base.sample(100, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    solver = {"method": "rk4", "steps": 40}
    x1 = transport(gaussian_flow, x0, base.periodic, 0.0, 1.0, solver)
    # Constant angular velocity 0.7 over unit time.
    delta = torch.remainder(x1[..., 2] - x0[..., 2] - 0.7 + math.pi, 2 * math.pi) - math.pi
    assert delta.abs().max().item() < 1e-10
    back = transport(gaussian_flow, x1, base.periodic, 1.0, 0.0, solver)
    assert back[..., [0, 1, 3]] == pytest.approx(x0[..., [0, 1, 3]], abs=1e-8)
