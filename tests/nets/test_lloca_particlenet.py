"""LLoCa-ParticleNet: exact Lorentz invariance with learned frames (float64, rapidity 6) and its
negative control, neighbour tensors carried into the centre's frame, identity frames give
ParticleNet, configuration errors."""

import pytest
import torch

from lorentznets.frames import LearnedFrames, TensorReps, identity_frames, local_jet_features, to_local
from lorentznets.layers.lloca import NeighbourFrames, to_centre_frames
from lorentznets.layers.particlenet import gather_neighbours
from lorentznets.lorentz import random_lorentz_transform
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet
from lorentznets.testing import assert_invariant

CONV = ((3, (8, 8)), (3, (16,)), (2, (12,)))
REPS = ("4x0n+1x1n", "4x0n+1x1n+2x1p")


def _momenta(seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    # momenta of a few GeV: boosted float64 components keep the invariants to 1e-9 (see test_lloca_part)
    spatial = 5 * torch.randn(2, 7, 3, generator=generator, dtype=torch.float64)
    mass = 1 + 4 * torch.rand(2, 7, 1, generator=generator, dtype=torch.float64)
    return torch.cat(((spatial.square().sum(-1, keepdim=True) + mass**2).sqrt(), spatial), -1)


def _mask() -> torch.Tensor:
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[0, 5:] = False
    return mask


def _net() -> LLoCaParticleNet:
    torch.manual_seed(0)
    return LLoCaParticleNet(8, 2, CONV, REPS, fc_params=((8, 0.0),)).double().eval()


def _model(net: LLoCaParticleNet, frames_net):
    def model(momenta, mask):
        frames = frames_net(momenta, mask)
        features = local_jet_features(momenta, frames, mask, scale=10.0)
        return net(features[..., 4:6], features, frames, mask)

    return model


def _learned_frames():
    torch.manual_seed(1)
    return LearnedFrames("polar", {"hidden_channels": 16, "scale": 10.0}).double()


def test_invariant_at_rapidity_6():
    mask = _mask()
    momenta = _momenta(0) * mask[..., None]
    model = _model(_net(), _learned_frames())
    error = assert_invariant(model, (momenta, mask), ("vector", "none"), particle_dims=(1, 1), rtol=1e-9)
    assert error < 1e-9


def test_non_equivariant_frames_break_invariance():
    # negative control of the test above: identity frames make the "local" features global ones
    model = _model(_net(), lambda momenta, mask: identity_frames(momenta))
    with pytest.raises(AssertionError):
        assert_invariant(model, (_momenta(1), _mask()), ("vector", "none"))


def test_neighbour_tensors_arrive_in_the_centre_frame():
    # neighbour j's (scalar, L_j p_j, parity-odd L_j p_j) become (scalar, L_i p_j, det(L_i L_j^-1) L_i p_j)
    generator = torch.Generator().manual_seed(4)
    frames = random_lorentz_transform((2, 5), max_rapidity=2.0, generator=generator)
    frames[1, 2] = frames[1, 2] @ torch.diag(torch.tensor([1.0, -1.0, 1.0, 1.0], dtype=torch.float64))
    momenta = torch.randn(2, 5, 4, generator=generator, dtype=torch.float64)
    local = to_local(frames, momenta)
    scalar = torch.randn(2, 5, 1, generator=generator, dtype=torch.float64)
    indices = torch.randint(0, 5, (2, 5, 3), generator=generator)
    neighbours = gather_neighbours(torch.cat((scalar, local, local), dim=-1), indices)
    reps = TensorReps.cast("1x0n+1x1n+1x1p")
    out = to_centre_frames(neighbours, indices, reps, NeighbourFrames.from_frames(frames))
    expected = to_local(frames.unsqueeze(2), gather_neighbours(momenta, indices))
    det = torch.linalg.det(frames).sign()
    sign = det.unsqueeze(-1) * gather_neighbours(det.unsqueeze(-1), indices).squeeze(-1)
    assert (sign < 0).any()
    torch.testing.assert_close(out[..., 0], neighbours[..., 0])
    torch.testing.assert_close(out[..., 1:5], expected)
    torch.testing.assert_close(out[..., 5:], sign.unsqueeze(-1) * expected)


def test_identity_frames_give_particlenet():
    net = _net()
    generator = torch.Generator().manual_seed(2)
    features = torch.randn(2, 7, 8, generator=generator, dtype=torch.float64)
    mask = _mask()
    frames = identity_frames(features[..., :4])
    expected = net.backbone(features[..., :2], features, mask)
    torch.testing.assert_close(net(features[..., :2], features, frames, mask), expected)


def test_a_batch_shorter_than_k_plus_one_slots_equals_it_padded_further():
    mask = torch.zeros(2, 7, dtype=torch.bool)
    mask[0, :3], mask[1, :2] = True, True  # k = 3 neighbours need four slots
    momenta = _momenta(2) * mask[..., None]
    model = _model(_net(), _learned_frames())
    torch.testing.assert_close(model(momenta[:, :3], mask[:, :3]), model(momenta, mask))


def test_hidden_reps_must_match_widths():
    with pytest.raises(ValueError, match="one representation per EdgeConv block"):
        LLoCaParticleNet(8, 2, CONV, REPS[:1])
    with pytest.raises(ValueError, match=r"hidden_reps\[1\] = '2x0n\+1x1n' has dimension 6"):
        LLoCaParticleNet(8, 2, CONV, ("4x0n+1x1n", "2x0n+1x1n"))


@pytest.mark.slow
def test_compiles_fullgraph():
    torch.manual_seed(0)
    net = LLoCaParticleNet(8, 2, CONV, REPS, fc_params=((8, 0.0),)).eval()
    model = _model(net, LearnedFrames("polar", {"hidden_channels": 8, "scale": 10.0}))
    momenta, mask = _momenta(3).float(), _mask()
    compiled = torch.compile(model, fullgraph=True)
    torch.testing.assert_close(compiled(momenta, mask), model(momenta, mask), rtol=1e-4, atol=1e-4)
