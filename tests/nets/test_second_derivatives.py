"""Training through an input gradient (a loss on ``torch.autograd.grad(..., create_graph=True)``,
as a flow's divergence penalty or force matching of amplitudes) for the nets with custom autograd
Functions: L-GATr (chunked geometric product, paired linear maps) and LorentzNet over edge lists
(edge_sum). The parameter gradients must equal those of pure-torch routes through the same net.
"""

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

from lorentznets.layers.lorentznet import real_pairs

from .test_lgatr_net import _jets, _net
from .test_lorentznet import build, jets


def _penalty(output: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(output, inputs, create_graph=True)
    return grad.square().sum()


def _lgatr_setup():
    net = _net().double()
    mv, s = _jets()
    mask = torch.ones(mv.shape[:2], dtype=torch.bool)
    mask[0, 6:] = False
    names = [name for name, _ in net.named_parameters()]
    params = tuple(p.detach() for p in net.parameters())

    def field(params, mv):  # one number per batch, smooth in the inputs
        # torch's fused attention kernels have no double backward; its math kernel has
        with sdpa_kernel(SDPBackend.MATH):
            out_mv, out_s = torch.func.functional_call(net, dict(zip(names, params)), (mv, s, mask))
        return out_mv.square().sum() + out_s.tanh().sum()

    return field, params, mv


def test_lgatr_input_gradient_penalty_trains_like_torch_func():
    field, params, mv = _lgatr_setup()
    leaves = tuple(p.clone().requires_grad_() for p in params)
    got = torch.autograd.grad(_penalty(field(leaves, mv.requires_grad_()), mv), leaves)

    # torch.func runs the Functions' pure-torch paths (no out= writes, autograd's own rules)
    def penalty(params):
        return torch.func.grad(field, argnums=1)(params, mv.detach()).square().sum()

    expected = torch.func.grad(penalty)(params)
    assert sum(e.abs().sum() for e in expected) > 1e-3
    for g, e in zip(got, expected, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-10, atol=1e-12)


def test_lgatr_input_gradient_penalty_matches_finite_difference():
    field, params, mv = _lgatr_setup()
    mv = mv.requires_grad_()

    def penalty(params):
        return _penalty(field(params, mv), mv)

    leaves = tuple(p.clone().requires_grad_() for p in params)
    grads = torch.autograd.grad(penalty(leaves), leaves)
    g = torch.Generator().manual_seed(5)
    direction = tuple(torch.randn(p.shape, dtype=p.dtype, generator=g) for p in params)
    h = 1e-6
    shifted = [penalty(tuple(p + sign * h * d for p, d in zip(params, direction))).detach() for sign in (1, -1)]
    numerical = (shifted[0] - shifted[1]) / (2 * h)
    analytic = sum((gr * d).sum() for gr, d in zip(grads, direction))
    torch.testing.assert_close(analytic, numerical, rtol=1e-6, atol=0)


@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
def test_lorentznet_edge_list_input_gradient_penalty_equals_padded_grid(train):
    # the padded grid is pure torch; the edge list runs edge_sum's autograd Function
    scalars, p, mask = jets()
    grads = []
    for edges in (None, real_pairs(mask)):
        net = build().train(train)
        momenta = p.clone().requires_grad_()
        out = net(scalars, momenta, mask, edges)
        penalty = _penalty(out.tanh().sum(), momenta)
        grads.append(torch.autograd.grad(penalty, tuple(net.parameters()), allow_unused=True))
    assert sum(g.abs().sum() for g in grads[0] if g is not None) > 1e-6
    for got, expected in zip(grads[1], grads[0], strict=True):
        assert (got is None) == (expected is None)
        if got is not None:
            torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)
