"""ParT pair features have finite gradients at self-pairs (Delta = 0) and zero particles (pT = 0),
with unchanged values."""

import math

import pytest
import torch

from lorentznets.layers.part import pairwise_interaction_features
from lorentznets.nets import ParticleTransformer


def _momenta() -> torch.Tensor:
    return torch.tensor([[[50.0, 10.0, 20.0, 40.0], [30.0, -5.0, 25.0, 10.0], [20.0, 15.0, -10.0, 5.0]]])


def test_self_pairs_and_zero_particles_have_finite_gradients():
    p = torch.cat((_momenta()[0], torch.zeros(1, 4)), dim=0).requires_grad_(True)  # a zero (padded) one
    features = pairwise_interaction_features(p[:, None], p[None, :])
    assert torch.isfinite(features).all()
    (grad,) = torch.autograd.grad(features.sum(), p)
    assert torch.isfinite(grad).all()
    assert grad[:3].abs().sum() > 0


def test_self_pair_values_unchanged():
    p = _momenta()[0]
    features = pairwise_interaction_features(p[:, None], p[None, :])
    eps_log = torch.tensor(1e-8).log()
    # Delta = 0 and kT = 0 on the diagonal: clamped to eps before the logarithm, as before
    assert torch.equal(features[range(3), range(3), 0], eps_log.expand(3))
    assert torch.equal(features[range(3), range(3), 2], eps_log.expand(3))


def test_part_input_gradient_is_finite():
    torch.manual_seed(0)
    net = ParticleTransformer(4, 1, embed_dims=(8,), pair_embed_dims=(4,), num_heads=2, num_layers=1).eval()
    p = torch.cat((_momenta(), torch.zeros(1, 1, 4)), dim=1).requires_grad_(True)
    mask = torch.tensor([[True, True, True, False]])
    net(p.detach() / 50, p, mask).sum().backward()
    assert torch.isfinite(p.grad).all()
    assert p.grad[0, :3].abs().sum() > 0


def test_a_zero_particle_keeps_the_azimuth_of_its_signed_zero():
    # atan2(0, -0.0) = pi as in the published code: Delta to a particle at phi = 3 is |pi - 3|
    zero = torch.tensor([10.0, -0.0, 0.0, 9.0], dtype=torch.float64)
    other = torch.tensor([20.0, 10 * math.cos(3.0), 10 * math.sin(3.0), 5.0], dtype=torch.float64)
    p = torch.stack([zero, other])
    features = pairwise_interaction_features(p[:, None], p[None, :], ("ln_delta",))
    rapidity = [0.5 * math.log((e + pz) / (e - pz)) for e, pz in ((10.0, 9.0), (20.0, 5.0))]
    expected = math.log(math.hypot(rapidity[0] - rapidity[1], math.pi - 3.0))
    assert features[0, 1, 0].item() == pytest.approx(expected, rel=1e-12)
