"""Tagging wrappers: permutation invariance, padding, and Lorentz symmetry of the L-GATr tagger."""

from __future__ import annotations

import math

import pytest
import torch

from experiments.registry import wrappers_for
from experiments.tagging.features import jet_constituent_features
from experiments.tagging.wrappers import LGATrTaggingWrapper, TransformerTaggingWrapper
from lorentznets.lorentz import from_pt_eta_phi_m, random_lorentz_transform
from lorentznets.testing import assert_invariant

GATR_NET = {
    "num_blocks": 1,
    "hidden_mv_channels": 4,
    "hidden_s_channels": 4,
    "attention": {"num_heads": 2},
    "mlp": {},
}


def _jets(batch=3, particles=6):
    torch.manual_seed(0)
    x = torch.stack(
        [
            50 * torch.rand(batch, particles) + 1,
            0.5 * torch.randn(batch, particles),
            0.5 * torch.randn(batch, particles),
            torch.rand(batch, particles),
        ],
        dim=-1,
    )
    mask = torch.ones(batch, particles, dtype=torch.bool)
    mask[0, 4:] = False
    momenta = from_pt_eta_phi_m(x.double()) * mask[..., None]
    return momenta, mask


def _z_rotation(angle):
    matrix = torch.eye(4, dtype=torch.float64)
    matrix[1:3, 1:3] = torch.tensor(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], dtype=torch.float64
    )
    return matrix


def test_registry_holds_both_wrappers():
    registry = wrappers_for("tagging")
    assert registry["transformer"] is TransformerTaggingWrapper
    assert registry["gatr"] is LGATrTaggingWrapper


def test_features_are_invariant_under_rotations_about_the_beam():
    momenta, mask = _jets()
    features = jet_constituent_features(momenta, mask)
    rotated = jet_constituent_features(momenta @ _z_rotation(1.1).T, mask)
    torch.testing.assert_close(rotated, features, rtol=1e-9, atol=1e-9)
    assert torch.all(features[0, 4:] == 0)


def test_transformer_wrapper_is_permutation_invariant_and_ignores_padding():
    momenta, mask = _jets()
    torch.manual_seed(1)
    wrapper = TransformerTaggingWrapper(
        {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2}, out_channels=1, num_scalars=0
    ).double()
    logits = wrapper(momenta, mask)
    assert logits.shape == (3, 1)
    perm = torch.randperm(6)
    torch.testing.assert_close(wrapper(momenta[:, perm], mask[:, perm]), logits)
    noisy = momenta.clone()
    noisy[0, 4:] = 1e3
    torch.testing.assert_close(wrapper(noisy, mask), logits)


@pytest.mark.parametrize("jet_channel", [False, True])
def test_gatr_wrapper_without_spurions_is_lorentz_invariant(jet_channel):
    momenta, mask = _jets()
    torch.manual_seed(2)
    wrapper = LGATrTaggingWrapper(
        GATR_NET, out_channels=2, num_scalars=0, beam=None, time=False, jet_channel=jet_channel
    )
    wrapper = wrapper.double().eval()
    wrapper.set_momentum_scale(20.0)
    with torch.no_grad():
        assert_invariant(wrapper, (momenta, mask), ("vector", "none"), particle_dims=(1, 1))


def test_gatr_wrapper_with_spurions_keeps_only_the_beam_symmetries():
    momenta, mask = _jets()
    scalars = torch.randn(3, 6, 2, dtype=torch.float64)
    torch.manual_seed(3)
    wrapper = LGATrTaggingWrapper(GATR_NET, out_channels=1, num_scalars=2).double().eval()
    with torch.no_grad():
        logits = wrapper(momenta, mask, scalars)
        rotated = wrapper(momenta @ _z_rotation(0.7).T, mask, scalars)
        torch.testing.assert_close(rotated, logits, rtol=1e-9, atol=1e-12)
        boost = random_lorentz_transform((), max_rapidity=2.0, generator=torch.Generator().manual_seed(0))
        boosted = wrapper(momenta @ boost.T, mask, scalars)
    assert not torch.allclose(boosted, logits, rtol=1e-3)


def test_gatr_wrapper_rejects_bad_spurion():
    with pytest.raises(ValueError, match="unknown beam spurion"):
        LGATrTaggingWrapper(GATR_NET, out_channels=1, num_scalars=0, beam="sideways")


@pytest.mark.parametrize("options", [{"jet_channel": True}, {"kinematic_scalars": True}])
def test_gatr_wrapper_options_keep_permutation_and_beam_symmetry_and_ignore_padding(options):
    momenta, mask = _jets()
    torch.manual_seed(4)
    wrapper = LGATrTaggingWrapper(GATR_NET, out_channels=1, num_scalars=0, **options).double().eval()
    with torch.no_grad():
        logits = wrapper(momenta, mask)
        perm = torch.randperm(6)
        torch.testing.assert_close(wrapper(momenta[:, perm], mask[:, perm]), logits, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(wrapper(momenta @ _z_rotation(0.4).T, mask), logits, rtol=1e-9, atol=1e-12)
        noisy = momenta.clone()
        noisy[0, 4:] = 1e3
        torch.testing.assert_close(wrapper(noisy, mask), logits, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("options", [{}, {"kinematic_scalars": True}])
def test_gatr_wrapper_packed_batch_gives_the_padded_logits_and_gradients(options):
    """``host_inputs`` (packed indices built on the host) give the padded path's logits and
    gradients, with padding that is not at the end of each jet and extra padding columns."""
    momenta, mask = _jets()
    mask = torch.cat([mask, torch.zeros(3, 2, dtype=torch.bool)], dim=1)[:, [0, 6, 1, 2, 3, 7, 4, 5]]
    momenta = torch.cat([momenta, torch.full((3, 2, 4), 7.0, dtype=momenta.dtype)], dim=1)[:, [0, 6, 1, 2, 3, 7, 4, 5]]
    scalars = torch.randn(3, 8, 2, dtype=torch.float64)
    torch.manual_seed(5)
    wrapper = LGATrTaggingWrapper(GATR_NET, out_channels=2, num_scalars=2, **options).double()
    packed = wrapper(momenta, mask, scalars, **wrapper.host_inputs(mask))
    padded = wrapper(momenta, mask, scalars)
    torch.testing.assert_close(packed, padded, rtol=1e-10, atol=1e-12)
    grads = [torch.autograd.grad(out.square().sum(), list(wrapper.parameters())) for out in (packed, padded)]
    for g_packed, g_padded in zip(*grads, strict=True):
        torch.testing.assert_close(g_packed, g_padded, rtol=1e-9, atol=1e-12)
