"""LLoCa experiment wrappers: exact invariance (float64, rapidity 6) of the tagging and amplitude
wrappers, symmetry breaking by the beam and time references, the real-pair inputs of the ParT
wrappers."""

import pytest
import torch

from experiments.amplitudes.wrappers_lloca import LLoCaTransformerAmplitudeWrapper
from experiments.tagging.wrappers_lloca import (
    LLoCaParticleNetTaggingWrapper,
    LLoCaParTTaggingWrapper,
    LLoCaTransformerTaggingWrapper,
)
from experiments.tagging.wrappers_part import ParTTaggingWrapper
from lorentznets.lorentz import boost_matrix, rotation_matrix
from lorentznets.testing import assert_invariant

FRAMES = {"kind": "learned", "method": "polar", "vector_net": {"hidden_channels": 16}}
TRANSFORMER = {"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1}


def _momenta(seed: int, batch: int = 2, num: int = 5) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    spatial = 5 * torch.randn(batch, num, 3, generator=generator, dtype=torch.float64)
    mass = 1 + torch.rand(batch, num, 1, generator=generator, dtype=torch.float64)
    return torch.cat(((spatial.square().sum(-1, keepdim=True) + mass**2).sqrt(), spatial), -1)


def _mask():
    mask = torch.ones(2, 5, dtype=torch.bool)
    mask[1, 3:] = False
    return mask


@pytest.mark.parametrize("kind", ["transformer", "part", "particlenet"])
def test_tagging_wrappers_invariant(kind):
    torch.manual_seed(0)
    if kind == "transformer":
        wrapper = LLoCaTransformerTaggingWrapper(TRANSFORMER, 1, 1, frames=FRAMES)
    elif kind == "part":
        net = {"attn_reps": "4x0n+1x1n", "num_heads": 2, "pair_embed_dims": [4], "num_layers": 1}
        wrapper = LLoCaParTTaggingWrapper(net, 1, 1, frames=FRAMES)
    else:
        net = {"conv_params": [[3, [8]], [3, [8]]], "hidden_reps": ["4x0n+1x1n"], "fc_params": [[4, 0.0]]}
        wrapper = LLoCaParticleNetTaggingWrapper(net, 1, 1, frames=FRAMES)
    wrapper = wrapper.double().eval()
    wrapper.set_momentum_scale(5.0)
    mask = _mask()
    if kind == "particlenet":
        # three real constituents span a 3D subspace: in their polar frames every momentum lies in the
        # xy plane, and here the local delta phi to the jet sits on its wrap at pi (a discontinuity)
        mask[1, 3] = True
    scalars = torch.randn(2, 5, 1, dtype=torch.float64)
    momenta = _momenta(0) * mask[..., None]
    inputs, reps = (momenta, mask, scalars), ("vector", "none", "scalar")
    # measured up to 1.3e-5 (transformer), 2.2e-7 (part), 3.8e-9 (particlenet), the first at a boost
    # of rapidity 6 exactly: the frames' Lorentz factors (~e^6) amplify float64 rounding
    assert_invariant(wrapper, inputs, reps, particle_dims=(1, 1, 1), rtol=5e-5)


def test_beam_and_time_references_keep_only_rotations_about_the_beam():
    torch.manual_seed(0)
    frames = {**FRAMES, "vector_net": {"hidden_channels": 8, "references": ["beam", "time"]}}
    wrapper = LLoCaTransformerTaggingWrapper(TRANSFORMER, 1, 0, frames=frames).double().eval()
    momenta, mask = _momenta(1), torch.ones(2, 5, dtype=torch.bool)
    angle = torch.tensor(1.1, dtype=torch.float64)
    c, s = angle.cos(), angle.sin()
    z_rotation = rotation_matrix(torch.stack([c, -s, 0 * c, s, c, 0 * c, 0 * c, 0 * c, 1 + 0 * c]).reshape(3, 3))
    z_boost = boost_matrix(torch.tensor(1.5, dtype=torch.float64), torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
    logits = wrapper(momenta, mask)
    torch.testing.assert_close(wrapper(momenta @ z_rotation.mT, mask), logits, rtol=1e-9, atol=1e-12)
    assert (wrapper(momenta @ z_boost.mT, mask) - logits).abs().max() > 1e-6


def test_amplitude_wrapper_invariant():
    torch.manual_seed(0)
    wrapper = LLoCaTransformerAmplitudeWrapper(TRANSFORMER, n_max=5, num_tokens=2, frames=FRAMES).double()
    wrapper.set_momentum_scale(5.0)
    mask = _mask()
    tokens = torch.nn.functional.one_hot(torch.tensor([0, 1, 1, 0, 1]), 2).double().expand(2, 5, 2)
    inputs, reps = (_momenta(2) * mask[..., None], mask, tokens), ("vector", "none", "scalar")
    assert_invariant(wrapper, inputs, reps, particle_dims=(1, 1, 1), rtol=5e-6)  # measured 5.0e-7 at rapidity 6


@pytest.mark.parametrize("kind", ["part", "lloca_part"])
def test_part_wrappers_real_pairs_give_the_padded_logits(kind):
    torch.manual_seed(0)
    net = {"num_heads": 2, "pair_embed_dims": [4], "num_layers": 1}
    net.update(dropout=0.0, attn_dropout=0.0, activation_dropout=0.0)
    if kind == "part":
        wrapper = ParTTaggingWrapper({**net, "embed_dims": [8]}, 2, 1)
    else:
        wrapper = LLoCaParTTaggingWrapper({**net, "attn_reps": "4x0n+1x1n"}, 2, 1, frames=FRAMES)
    wrapper = wrapper.double().train()
    wrapper.set_momentum_scale(5.0)
    mask = _mask()
    momenta, scalars = _momenta(3), torch.randn(2, 5, 1, dtype=torch.float64)
    padded = wrapper(momenta, mask, scalars)
    torch.testing.assert_close(wrapper(momenta, mask, scalars, **wrapper.host_inputs(mask)), padded)


def test_constituent_features_have_finite_gradients_on_the_axes():
    # learned frames can put a local momentum exactly on the z axis or on the local jet's axis
    from experiments.tagging.features import jet_constituent_features
    from lorentznets.lorentz import azimuth, pseudorapidity

    momenta = torch.tensor([[[5.0, 0.0, 0.0, 3.0], [4.0, 1.0, 2.0, 0.5], [7.0, 2.0, 4.0, 1.0]]], dtype=torch.float64)
    jets = torch.tensor([[[9.0, 2.0, 4.0, 1.0]]], dtype=torch.float64).expand(1, 3, 4)  # along constituent 2
    momenta.requires_grad_(True)
    mask = torch.ones(1, 3, dtype=torch.bool)
    features = jet_constituent_features(momenta, mask, jets)
    features.sum().backward()
    assert torch.isfinite(momenta.grad).all()
    torch.testing.assert_close(features[0, 1:, 4], (pseudorapidity(momenta) - pseudorapidity(jets))[0, 1:])
    torch.testing.assert_close(features[0, 1:, 5], (azimuth(momenta) - azimuth(jets))[0, 1:])
    assert features[0, 2, 6] == -0.8  # delta R = 0
