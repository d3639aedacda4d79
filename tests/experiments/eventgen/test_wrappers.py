import math

import pytest
import torch

from experiments.registry import wrappers_for
from lorentznets.flows import PERIODIC_COMPONENTS, GaussianUniformBase, JetCoordinates, flow_matching_loss

from .helpers import make_ttbar_events

NETS = {
    "mlp": {"hidden_channels": 16, "num_layers": 2},
    "transformer": {"hidden_channels": 16, "num_blocks": 1, "num_heads": 2},
    "gatr": {
        "num_blocks": 1,
        "hidden_mv_channels": 4,
        "hidden_s_channels": 8,
        "attention": {"num_heads": 2},
        "mlp": {},
    },
}


def _coordinates(n_extra=1):
    p = torch.from_numpy(make_ttbar_events(200, n_extra)).reshape(200, 6 + n_extra, 4)
    return JetCoordinates(6 + n_extra, pt_min=20.0).fit(p), p


def test_registry_offers_all_models():
    assert {"mlp", "transformer", "gatr"} <= set(wrappers_for("eventgen"))


@pytest.mark.parametrize("name", sorted(NETS))
def test_velocity_shape_finiteness_and_gradients(name):
    torch.manual_seed(0)
    coordinates, p = _coordinates()
    model = wrappers_for("eventgen")[name](net=NETS[name], coordinates=coordinates, time_channels=8)
    x = coordinates.fourmomenta_to_x(p[:16]).float()
    v = model(torch.rand(16), x)
    assert v.shape == (16, 7, 4)
    assert torch.isfinite(v).all()
    base = GaussianUniformBase(PERIODIC_COMPONENTS, (7, 4))
    flow_matching_loss(model, x, base).backward()
    # L-GATr's multivector output channel is unused (see LGATrVelocity), so its weights get none.
    grads = [q.grad for q in model.parameters() if q.grad is not None]
    assert len(grads) >= 0.8 * len(list(model.parameters()))
    assert all(torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


def test_gatr_velocity_is_invariant_under_rotations_about_the_beam():
    torch.manual_seed(1)
    coordinates, p = _coordinates()
    model = wrappers_for("eventgen")["gatr"](net=NETS["gatr"], coordinates=coordinates, time_channels=8).double()
    x = coordinates.fourmomenta_to_x(p[:8])
    t = torch.rand(8, dtype=torch.float64)
    v = model(t, x)
    for angle in (0.3, -2.0, math.pi / 2):
        rotated = x.clone()
        rotated[..., 2] = torch.remainder(rotated[..., 2] + angle + math.pi, 2 * math.pi) - math.pi
        assert torch.allclose(model(t, rotated), v, rtol=1e-9, atol=1e-9 * v.abs().max().item())
    # The references break boosts: a boost along the beam changes the velocity.
    boosted = coordinates.fourmomenta_to_x(
        torch.stack(
            [
                p[:8, ..., 0] * math.cosh(0.5) + p[:8, ..., 3] * math.sinh(0.5),
                p[:8, ..., 1],
                p[:8, ..., 2],
                p[:8, ..., 3] * math.cosh(0.5) + p[:8, ..., 0] * math.sinh(0.5),
            ],
            dim=-1,
        )
    )
    assert not torch.allclose(model(t, boosted), v, atol=1e-6)
