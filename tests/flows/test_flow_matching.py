import math

import torch

from lorentznets.flows import GaussianUniformBase, conditional_path, flow_matching_loss, wrap_angle

PERIODIC = torch.tensor([False, False, True, False])


def test_path_endpoints_and_short_arc():
    g = torch.Generator().manual_seed(1)
    x0 = torch.randn(10, 2, 4, generator=g, dtype=torch.float64)
    x1 = torch.randn(10, 2, 4, generator=g, dtype=torch.float64)
    x0[..., 2], x1[..., 2] = 3.0, -3.0
    start, v = conditional_path(x0, x1, torch.zeros(10, dtype=torch.float64), PERIODIC)
    end, _ = conditional_path(x0, x1, torch.ones(10, dtype=torch.float64), PERIODIC)
    assert torch.allclose(start, x0)
    assert torch.allclose(end[..., [0, 1, 3]], x1[..., [0, 1, 3]])
    assert torch.allclose(wrap_angle(end[..., 2] - x1[..., 2]), torch.zeros(10, 2, dtype=x0.dtype))
    # From 3 to -3 the short way crosses pi: displacement 2 pi - 6 > 0, not -6.
    assert torch.allclose(v[..., 2], torch.full((10, 2), 2 * math.pi - 6, dtype=x0.dtype))
    assert torch.allclose(v[..., 0], x1[..., 0] - x0[..., 0])


def test_loss_vanishes_for_the_exact_field_of_a_point_mass():
    # For a single data point x1 the conditional field (x1 - x) / (1 - t) is the exact marginal one.
    base = GaussianUniformBase(PERIODIC, (3, 4))
    x1_single = torch.tensor([0.3, -1.2, 2.9, 0.5], dtype=torch.float64).expand(3, 4)

    def exact(t, x):
        delta = x1_single - x
        delta = torch.where(PERIODIC, wrap_angle(delta), delta)
        return delta / (1 - t)[:, None, None]

    x1 = x1_single.expand(256, 3, 4)
    g = torch.Generator().manual_seed(0)
    assert flow_matching_loss(exact, x1, base, generator=g).item() < 1e-20

    def wrong(t, x):
        return exact(t, x) + 0.1

    assert flow_matching_loss(wrong, x1, base, generator=g).item() > 1e-3


def test_loss_is_differentiable_and_seeded():
    base = GaussianUniformBase(PERIODIC, (2, 4))
    weight = torch.tensor(0.5, requires_grad=True)
    x1 = torch.randn(32, 2, 4)
    loss_a = flow_matching_loss(lambda t, x: weight * x, x1, base, torch.Generator().manual_seed(4))
    loss_b = flow_matching_loss(lambda t, x: weight * x, x1, base, torch.Generator().manual_seed(4))
    assert loss_a.item() == loss_b.item()
    loss_a.backward()
    assert torch.isfinite(weight.grad) and weight.grad != 0
