"""PELICAN in the experiment registries: tagging classifier and ptopreco regressor wrappers."""

import math

import torch

from experiments.registry import wrappers_for
from lorentznets.lorentz import boost_matrix, parity_matrix, rotation_matrix
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


def _x_rotation(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return rotation_matrix(torch.tensor([[1, 0, 0], [0, c, -s], [0, s, c]], dtype=torch.float64))


def test_ptopreco_wrapper_with_beams_is_covariant_only_under_what_keeps_the_beam_pair():
    # What config/tasks/ptopreco.yaml says of the default model (beams=true).
    torch.manual_seed(1)
    wrapper = wrappers_for("ptopreco")["pelican"](net=NET).double().eval()
    wrapper.set_momentum_scale(40.0)
    torch.nn.init.normal_(wrapper.net.head[-1].weight)
    p, mask = jets()
    out = wrapper(p, mask)
    c, s = math.cos(1.1), math.sin(1.1)
    z_rotation = rotation_matrix(torch.tensor([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=torch.float64))
    mirror = torch.diag(torch.tensor([1.0, -1.0, 1.0, 1.0], dtype=torch.float64))  # x -> -x: the beams stay
    # parity and a half turn about x swap the two beams, which the network cannot tell apart
    x_half_turn = torch.diag(torch.tensor([1.0, 1.0, -1.0, -1.0], dtype=torch.float64))
    for matrix in (z_rotation, mirror, parity_matrix(), x_half_turn):
        torch.testing.assert_close(wrapper(p @ matrix.mT, mask), out @ matrix.mT, rtol=1e-10, atol=1e-9)
    # a boost along the beam rescales the beam vectors: not a symmetry, nor is any other rotation
    z_boost = boost_matrix(torch.tensor(math.atanh(0.6), dtype=torch.float64), torch.tensor([0.0, 0.0, 1.0]).double())
    for matrix in (z_boost, _x_rotation(0.7)):
        assert (wrapper(p @ matrix.mT, mask) - out @ matrix.mT).abs().max() > 1e-6 * out.abs().max()
