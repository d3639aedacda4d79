"""LLoCa-Transformer: exact Lorentz invariance with learned frames (float64, rapidity 6), and the
frames are what makes it so."""

import pytest
import torch

from lorentznets.frames import LearnedFrames, RandomGlobalFrames, identity_frames, local_jet_features
from lorentznets.nets.lloca_transformer import LLoCaTransformer
from lorentznets.testing import assert_invariant


def _momenta(seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    spatial = 20 * torch.randn(2, 6, 3, generator=generator, dtype=torch.float64)
    mass = 1 + 4 * torch.rand(2, 6, 1, generator=generator, dtype=torch.float64)
    return torch.cat(((spatial.square().sum(-1, keepdim=True) + mass**2).sqrt(), spatial), -1)


def _model(method: str):
    torch.manual_seed(0)
    frames_net = LearnedFrames(method, {"hidden_channels": 16, "scale": 10.0}).double()
    net = LLoCaTransformer(8, 3, "4x0n+2x1n+1x2n", num_heads=2, num_blocks=2).double()

    def model(momenta, mask, frames_fn=None):
        frames = frames_net(momenta, mask) if frames_fn is None else frames_fn(momenta)
        features = local_jet_features(momenta, frames, mask, scale=10.0)
        jet = (momenta * mask[..., None]).sum(1)
        return net(features, frames, mask, jet) * mask[..., None]

    return model


@pytest.mark.parametrize("method", ["polar", "gram_schmidt"])
def test_invariant_at_rapidity_6(method):
    model = _model(method)
    mask = torch.ones(2, 6, dtype=torch.bool)
    mask[1, 4:] = False
    momenta = _momenta(0) * mask[..., None]
    # measured 1.2e-7 (polar) and 2.0e-7 (Gram-Schmidt) at a boost of rapidity 6 exactly: the
    # frames' Lorentz factors (~e^6) amplify float64 rounding
    error = assert_invariant(
        model, (momenta, mask), ("vector", "none"), particle_dims=(1, 1), out_particle_dims=(1,), rtol=1e-6
    )
    assert error < 1e-6


def test_not_invariant_without_equivariant_frames():
    model = _model("polar")
    mask = torch.ones(2, 6, dtype=torch.bool)
    with pytest.raises(AssertionError):
        assert_invariant(lambda p, m: model(p, m, identity_frames), (_momenta(1), mask), ("vector", "none"))
    augment = RandomGlobalFrames().eval()
    with pytest.raises(AssertionError):
        assert_invariant(lambda p, m: model(p, m, augment), (_momenta(1), mask), ("vector", "none"))


def test_reference_required_with_variance_preservation():
    net = LLoCaTransformer(8, 1, "2x0n+1x1n", num_heads=1, num_blocks=1)
    with pytest.raises(ValueError, match="reference"):
        net(torch.randn(1, 3, 8), torch.eye(4).expand(1, 3, 4, 4))


@pytest.mark.slow
def test_compiles_fullgraph():
    net = LLoCaTransformer(8, 3, "4x0n+2x1n", num_heads=2, num_blocks=2)
    frames_net = LearnedFrames("polar", {"hidden_channels": 8})
    momenta = _momenta(2).float()
    mask = torch.ones(2, 6, dtype=torch.bool)

    def model(momenta, mask):
        frames = frames_net(momenta, mask)
        return net(local_jet_features(momenta, frames, mask, 10.0), frames, mask, momenta.sum(1))

    compiled = torch.compile(model, fullgraph=True)
    torch.testing.assert_close(compiled(momenta, mask), model(momenta, mask), rtol=1e-4, atol=1e-4)
