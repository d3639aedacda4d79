"""ParT: permutation invariance, padding invariance, pair features, the real-pair embedding, compilation."""

import math

import pytest
import torch

from lorentznets.layers.part import pairwise_interaction_features, real_pairs, real_particles
from lorentznets.lorentz import random_lorentz_transform
from lorentznets.nets.part import ParticleTransformer
from lorentznets.testing import assert_invariant


def _jets(batch=3, num=9, seed=0, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed)
    pt = 1 + 50 * torch.rand(batch, num, generator=generator, dtype=dtype)
    eta = 0.5 * torch.randn(batch, num, generator=generator, dtype=dtype)
    phi = 6 * torch.rand(batch, num, generator=generator, dtype=dtype)
    px, py, pz = pt * phi.cos(), pt * phi.sin(), pt * torch.sinh(eta)
    energy = (px**2 + py**2 + pz**2 + 0.1).sqrt()
    return torch.stack([energy, px, py, pz], -1)


def _net(**kwargs):
    torch.manual_seed(0)
    config = dict(embed_dims=(16, 16), pair_embed_dims=(8,), num_heads=2, num_layers=2, num_cls_layers=1)
    return ParticleTransformer(5, 2, **{**config, **kwargs}).double().eval()


def test_pair_features_by_hand():
    p = torch.tensor([[10.0, 6.0, 8.0, 0.0], [5.0, 0.0, 3.0, 4.0]], dtype=torch.float64)
    features = pairwise_interaction_features(p[0], p[1])
    y1 = 0.5 * math.log((5 + 4) / (5 - 4))
    delta = math.hypot(y1, math.atan2(8, 6) - math.pi / 2)
    m2 = 15**2 - (6**2 + 11**2 + 4**2)
    expected = [math.log(3 * delta), math.log(3 / 13), math.log(delta), math.log(m2)]
    torch.testing.assert_close(features, torch.tensor(expected, dtype=torch.float64))


def test_only_ln_m2_is_lorentz_invariant():
    p, q = _jets(1, 2, seed=3)[0]
    assert_invariant(lambda a, b: pairwise_interaction_features(a, b, ("ln_m2",)), (p, q), ("vector", "vector"))
    with pytest.raises(AssertionError):
        assert_invariant(lambda a, b: pairwise_interaction_features(a, b, ("ln_kt",)), (p, q), ("vector", "vector"))


def test_permutation_invariant_and_padding_blind():
    net = _net()
    momenta = _jets()
    features = torch.randn(3, 9, 5, dtype=torch.float64)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[1, 6:] = False
    out = net(features, momenta, mask)
    perm = torch.randperm(9)
    torch.testing.assert_close(net(features[:, perm], momenta[:, perm], mask[:, perm]), out)
    garbage = torch.where(mask[..., None], features, 1e3)
    garbage_momenta = torch.where(mask[..., None], momenta, 7.0 * momenta.flip(1))
    torch.testing.assert_close(net(garbage, garbage_momenta, mask), out)


@pytest.mark.parametrize("host", ["pairs", "pack_index", "both"])
def test_host_indices_give_the_padded_result_and_gradients(host):
    # training mode: the pair embedding's batch statistics must also agree
    net = _net(pair_features=("ln_kt", "ln_m2"), dropout=0.0, attn_dropout=0.0, activation_dropout=0.0).train()
    momenta = _jets()
    features = torch.randn(3, 9, 5, dtype=torch.float64)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[0, 4:] = False
    mask[2, 7:] = False
    indices = {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}
    assert indices["pairs"].shape == (3, 10 + 45 + 28)
    assert indices["pack_index"].shape == (4 + 9 + 7,)
    extra = indices if host == "both" else {host: indices[host]}
    outputs, grads = [], []
    for kwargs in ({}, extra):
        net.zero_grad()
        out = net(features, momenta * mask[..., None], mask, **kwargs)
        out.square().sum().backward()
        outputs.append(out)
        grads.append([q.grad.clone() for q in net.parameters()])
    torch.testing.assert_close(outputs[1], outputs[0])
    for padded, packed in zip(*grads):
        torch.testing.assert_close(packed, padded)


@pytest.mark.parametrize("packed", [False, True])
def test_gradients_finite_with_padding_and_dropout(packed):
    net = _net().train()
    momenta = _jets().requires_grad_(True)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[0, 4:] = False
    momenta_padded = momenta * mask[..., None]
    host = {"pairs": real_pairs(mask), "pack_index": real_particles(mask)} if packed else {}
    net(torch.randn(3, 9, 5, dtype=torch.float64), momenta_padded, mask, **host).sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters() if p.grad is not None)


def test_boosted_inputs_change_output():
    # a baseline, not equivariant: this guards the invariance tests above against a constant net
    net = _net()
    momenta = _jets()
    mask = torch.ones(3, 9, dtype=torch.bool)
    boosted = momenta @ random_lorentz_transform((), generator=torch.Generator().manual_seed(1)).mT
    features = torch.randn(3, 9, 5, dtype=torch.float64)
    assert not torch.allclose(net(features, momenta, mask), net(features, boosted, mask))


def test_bad_layouts_are_refused_naming_the_input():
    net = _net()
    momenta, features = _jets(), torch.randn(3, 9, 5, dtype=torch.float64)
    mask = torch.ones(3, 9, dtype=torch.bool)
    with pytest.raises(ValueError, match=r"ParticleTransformer: mask must be a bool tensor .* got torch\.int64"):
        net(features, momenta, mask.long())
    with pytest.raises(ValueError, match=r"momenta must have shape \(3, 9, 4\) for the mask, got \(3, 9, 3\)"):
        net(features, momenta[..., :3], mask)
    with pytest.raises(TypeError, match=r"features are torch\.float32, but .* parameters are torch\.float64"):
        net(features.float(), momenta, mask)


@pytest.mark.slow
def test_compiles_fullgraph():
    net = _net().float()
    momenta = _jets(dtype=torch.float32)
    mask = torch.ones(3, 9, dtype=torch.bool)
    features = torch.randn(3, 9, 5)
    compiled = torch.compile(net, fullgraph=True)
    torch.testing.assert_close(compiled(features, momenta, mask), net(features, momenta, mask), rtol=1e-4, atol=1e-5)
    mask[1, 5:] = False
    host = {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}
    expected = net(features, momenta, mask)
    torch.testing.assert_close(compiled(features, momenta, mask, **host), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_compiles_fullgraph_in_training_with_dropout_and_host_indices():
    net = _net().float().train()
    momenta = _jets(dtype=torch.float32)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[1, 5:] = False
    host = {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}
    out = torch.compile(net, fullgraph=True)(torch.randn(3, 9, 5), momenta * mask[..., None], mask, **host)
    out.square().sum().backward()
    assert torch.isfinite(out).all()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters() if p.grad is not None)
