import math

import torch

from lorentznets.flows import wrap_angle, wrap_periodic


def test_wrap_angle_range_and_equivalence():
    phi = torch.linspace(-20, 20, 1001, dtype=torch.float64)
    wrapped = wrap_angle(phi)
    assert wrapped.min() >= -math.pi and wrapped.max() < math.pi
    # Same point on the circle.
    assert torch.allclose(torch.cos(wrapped), torch.cos(phi), atol=1e-12)
    assert torch.allclose(torch.sin(wrapped), torch.sin(phi), atol=1e-12)
    inside = torch.tensor([-math.pi, -1.0, 0.0, 3.0], dtype=torch.float64)
    assert torch.equal(wrap_angle(inside), inside)


def test_wrap_periodic_touches_only_masked_components():
    x = torch.full((3, 2, 4), 5.0, dtype=torch.float64)
    periodic = torch.tensor([False, False, True, False])
    out = wrap_periodic(x, periodic)
    assert torch.allclose(out[..., 2], torch.full((3, 2), 5.0 - 2 * math.pi, dtype=torch.float64))
    assert torch.equal(out[..., [0, 1, 3]], x[..., [0, 1, 3]])
    assert wrap_periodic(x, None) is x
