"""PELICAN in the experiment registries: tagging classifier and ptopreco regressor wrappers."""

import math

import torch

from experiments.registry import wrappers_for
from lorentznets.lorentz import rotation_matrix
from lorentznets.testing import assert_equivariant

NET = dict(hidden_channels=6, message_channels=6, num_blocks=2, encoder_channels=3, readout_channels=4, beams=True)


def jets():
    g = torch.Generator().manual_seed(0)
    p3 = 50 * torch.randn(3, 8, 3, generator=g, dtype=torch.float64)
    p = torch.cat((p3.norm(dim=-1, keepdim=True) + 0.5, p3), -1)
    mask = torch.ones(3, 8, dtype=torch.bool)
    mask[1, 5:] = False
    return p * mask[..., None], mask


def test_tagging_wrapper_registered_and_invariant_under_beam_rotations():
    wrapper = wrappers_for("tagging")["pelican"](net=NET, out_channels=1, num_scalars=2).double().eval()
    wrapper.set_momentum_scale(40.0)
    p, mask = jets()
    scalars = torch.randn(3, 8, 2, dtype=torch.float64) * mask[..., None]
    out = wrapper(p, mask, scalars)
    assert out.shape == (3, 1)
    c, s = math.cos(1.1), math.sin(1.1)
    rotation = rotation_matrix(torch.tensor([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=torch.float64))
    torch.testing.assert_close(wrapper(p @ rotation.mT, mask, scalars), out, rtol=1e-10, atol=1e-12)


def test_ptopreco_wrapper_is_covariant_and_in_gev():
    wrapper = wrappers_for("ptopreco")["pelican"](net={**NET, "beams": False}).double().eval()
    wrapper.set_momentum_scale(40.0)
    p, mask = jets()
    with torch.no_grad():
        wrapper.net.head[-1].weight.zero_()
        wrapper.net.head[-1].bias.zero_()
    torch.testing.assert_close(wrapper(p, mask), p.sum(1))  # untrained: the constituent sum
    torch.nn.init.normal_(wrapper.net.head[-1].weight)
    assert_equivariant(wrapper, (p, mask), ("vector", "none"), ("vector",), particle_dims=(1, 1), max_rapidity=6.0)
