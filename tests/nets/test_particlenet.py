"""ParticleNet: neighbours, permutation invariance, padding invariance, compilation."""

import pytest
import torch

from lorentznets.layers.particlenet import knn_indices
from lorentznets.nets.particlenet import ParticleNet


def _net():
    torch.manual_seed(0)
    return ParticleNet(4, 2, conv_params=[(3, (8, 8)), (3, (16,))], fc_params=[(8, 0.0)]).double().eval()


def test_knn_matches_brute_force():
    points = torch.randn(2, 10, 3, dtype=torch.float64)
    distance = torch.cdist(points, points)
    distance.diagonal(dim1=1, dim2=2).fill_(float("inf"))
    expected = distance.argsort(dim=-1)[..., :4]
    torch.testing.assert_close(knn_indices(points, 4), expected)


def test_permutation_invariant_and_padding_blind():
    net = _net()
    points = torch.randn(3, 9, 2, dtype=torch.float64)
    features = torch.randn(3, 9, 4, dtype=torch.float64)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[2, 5:] = False
    out = net(points, features, mask)
    perm = torch.randperm(9)
    torch.testing.assert_close(net(points[:, perm], features[:, perm], mask[:, perm]), out)
    garbage_points = torch.where(mask[..., None], points, 0.0)
    garbage_features = torch.where(mask[..., None], features, -50.0)
    torch.testing.assert_close(net(garbage_points, garbage_features, mask), out)
    assert not torch.allclose(net(points, features.flip(1), mask), out)


def test_a_batch_shorter_than_k_plus_one_slots_equals_it_padded_further():
    net = _net()  # k = 3 neighbours need four slots
    points = torch.randn(2, 6, 2, dtype=torch.float64)
    features = torch.randn(2, 6, 4, dtype=torch.float64)
    mask = torch.zeros(2, 6, dtype=torch.bool)
    mask[0, :3], mask[1, :2] = True, True
    points, features = points * mask[..., None], features * mask[..., None]
    padded = net(points, features, mask)
    # trimmed to the longest jet (3 slots), and a one-particle jet alone (1 slot)
    torch.testing.assert_close(net(points[:, :3], features[:, :3], mask[:, :3]), padded)
    first_only = torch.arange(6) < 1
    single = net(points[:1, :1], features[:1, :1], mask[:1, :1])
    torch.testing.assert_close(single, net(points[:1], features[:1], first_only[None]))


@pytest.mark.slow
def test_compiles_fullgraph():
    net = _net().float()
    points, features = torch.randn(3, 9, 2), torch.randn(3, 9, 4)
    mask = torch.ones(3, 9, dtype=torch.bool)
    compiled = torch.compile(net, fullgraph=True)
    torch.testing.assert_close(compiled(points, features, mask), net(points, features, mask), rtol=1e-4, atol=1e-5)


def test_bad_layouts_are_refused_naming_the_input():
    net = _net()
    points, features = torch.randn(2, 6, 2, dtype=torch.float64), torch.randn(2, 6, 4, dtype=torch.float64)
    mask = torch.ones(2, 6, dtype=torch.bool)
    with pytest.raises(ValueError, match=r"ParticleNet: mask must be a bool tensor .* got torch\.int64"):
        net(points, features, mask.long())
    with pytest.raises(ValueError, match=r"features must have shape \(2, 6, 4\) for the mask, got \(2, 6, 3\)"):
        net(points, features[..., :3], mask)
    with pytest.raises(ValueError, match=r"points must have shape \(2, 6, 'C'\) for the mask, got \(2, 5, 2\)"):
        net(points[:, :5], features, mask)
    with pytest.raises(TypeError, match=r"features are torch\.float32, but .* parameters are torch\.float64"):
        net(points, features.float(), mask)
