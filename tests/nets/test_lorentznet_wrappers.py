"""LorentzNet in the tagging registry."""

import math

import torch

from experiments.registry import wrappers_for
from lorentznets.lorentz import rotation_matrix


def test_tagging_wrapper_builds_published_inputs_and_is_padding_independent():
    net = dict(hidden_channels=8, num_blocks=2, c_weight=0.01)
    wrapper = wrappers_for("tagging")["lorentznet"](net=net, out_channels=1, num_scalars=1)
    wrapper = wrapper.double().eval()
    wrapper.set_momentum_scale(30.0)
    assert wrapper.net.in_scalar_channels == 3  # (constituent, beam) x mass, plus one scalar
    g = torch.Generator().manual_seed(0)
    p3 = 50 * torch.randn(2, 6, 3, generator=g, dtype=torch.float64)
    p = torch.cat((p3.norm(dim=-1, keepdim=True) + 1, p3), -1)
    mask = torch.tensor([[True] * 6, [True] * 3 + [False] * 3])
    scalars = torch.randn(2, 6, 1, generator=g, dtype=torch.float64) * mask[..., None]
    out = wrapper(p * mask[..., None], mask, scalars)
    assert out.shape == (2, 1)
    torch.testing.assert_close(wrapper(p[1:, :3], mask[1:, :3], scalars[1:, :3]), out[1:], rtol=1e-12, atol=1e-12)
    edges = wrapper.pair_list(mask)
    assert edges.shape[1] == 8 * 7 + 5 * 4  # beams included
    torch.testing.assert_close(wrapper(p * mask[..., None], mask, scalars, edges), out, rtol=1e-12, atol=1e-12)
    c, s = math.cos(0.4), math.sin(0.4)
    rotation = rotation_matrix(torch.tensor([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=torch.float64))
    torch.testing.assert_close(wrapper((p * mask[..., None]) @ rotation.mT, mask, scalars), out, rtol=1e-10, atol=1e-12)
