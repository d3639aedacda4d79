"""LLoCa-ParT: exact Lorentz invariance with learned frames and invariant pair features (float64,
rapidity 6); a non-invariant pair feature breaks it."""

import pytest
import torch

from lorentznets.frames import LearnedFrames, local_jet_features
from lorentznets.layers.part import real_pairs, real_particles
from lorentznets.nets.lloca_part import LLoCaParticleTransformer
from lorentznets.testing import assert_invariant


def _momenta(seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    # momenta of a few GeV: pair masses from boosted float64 components lose about
    # e^12 |p|^2 / m^2 ulps, which at 20 GeV momenta alone reaches the 1e-9 tolerance
    spatial = 5 * torch.randn(2, 6, 3, generator=generator, dtype=torch.float64)
    mass = 1 + 4 * torch.rand(2, 6, 1, generator=generator, dtype=torch.float64)
    return torch.cat(((spatial.square().sum(-1, keepdim=True) + mass**2).sqrt(), spatial), -1)


def _model(pair_features=("ln_m2",)):
    torch.manual_seed(0)
    frames_net = LearnedFrames("polar", {"hidden_channels": 16, "scale": 10.0}).double()
    net = LLoCaParticleTransformer(
        8, 2, "4x0n+2x1n", num_heads=2, pair_features=pair_features, pair_embed_dims=(8,), num_layers=2
    )
    net = net.double().eval()

    def model(momenta, mask):
        frames = frames_net(momenta, mask)
        features = local_jet_features(momenta, frames, mask, scale=10.0)
        return net(features, momenta, frames, mask, (momenta * mask[..., None]).sum(1))

    return model


def test_invariant_at_rapidity_6():
    mask = torch.ones(2, 6, dtype=torch.bool)
    mask[0, 3:] = False
    momenta = _momenta(0) * mask[..., None]
    # measured 1.8e-6 at a boost of rapidity 6 exactly: the frames' Lorentz factors (~e^6) amplify
    # float64 rounding
    error = assert_invariant(_model(), (momenta, mask), ("vector", "none"), particle_dims=(1, 1), rtol=1e-5)
    assert error < 1e-5


def test_host_indices_give_the_padded_result_and_gradients():
    torch.manual_seed(0)
    config = dict(pair_embed_dims=(8,), num_layers=2, dropout=0.0, attn_dropout=0.0, activation_dropout=0.0)
    net = LLoCaParticleTransformer(8, 2, "4x0n+2x1n", num_heads=2, **config).double().train()
    frames_net = LearnedFrames("polar", {"hidden_channels": 16, "scale": 10.0}).double()
    mask = torch.ones(2, 6, dtype=torch.bool)
    mask[0, 3:] = False
    momenta = _momenta(2) * mask[..., None]
    with torch.no_grad():
        frames = frames_net(momenta, mask)
    features = local_jet_features(momenta, frames, mask, scale=10.0)
    outputs, grads = [], []
    for host in ({}, {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}):
        net.zero_grad()
        out = net(features, momenta, frames, mask, momenta.sum(1), **host)
        out.square().sum().backward()
        outputs.append(out)
        grads.append([q.grad.clone() for q in net.parameters()])
    torch.testing.assert_close(outputs[1], outputs[0])
    for padded, packed in zip(*grads):
        torch.testing.assert_close(packed, padded)


def test_non_invariant_pair_feature_breaks_invariance():
    mask = torch.ones(2, 6, dtype=torch.bool)
    with pytest.raises(AssertionError):
        assert_invariant(_model(("ln_m2", "ln_kt")), (_momenta(1), mask), ("vector", "none"))


@pytest.mark.slow
def test_compiles_fullgraph():
    torch.manual_seed(0)
    net = LLoCaParticleTransformer(8, 2, "4x0n+2x1n", num_heads=2, pair_embed_dims=(8,), num_layers=1).eval()
    frames_net = LearnedFrames("polar", {"hidden_channels": 8})
    momenta = _momenta(2).float()
    mask = torch.ones(2, 6, dtype=torch.bool)

    def model(momenta, mask):
        frames = frames_net(momenta, mask)
        features = local_jet_features(momenta, frames, mask, 10.0)
        return net(features, momenta, frames, mask, momenta.sum(1))

    compiled = torch.compile(model, fullgraph=True)
    torch.testing.assert_close(compiled(momenta, mask), model(momenta, mask), rtol=1e-4, atol=1e-4)
