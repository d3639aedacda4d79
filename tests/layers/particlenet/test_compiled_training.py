"""ParticleNet and LLoCa-ParticleNet train under torch.compile(fullgraph=True) with AOT autograd:
BatchNorm's output in the backward graph may come in other strides (no ``view_as``)."""

import pytest
import torch

from lorentznets.nets import LLoCaParticleNet, ParticleNet

CONV = ((2, (6, 6)), (2, (6, 6)))


@pytest.mark.parametrize("lloca", [False, True], ids=["ParticleNet", "LLoCaParticleNet"])
def test_training_backward_compiles_with_aot_eager(lloca):
    torch.manual_seed(0)
    if lloca:
        net = LLoCaParticleNet(4, 1, CONV, ("2x0n+1x1n",), fc_params=((4, 0.0),)).train()
    else:
        net = ParticleNet(4, 1, CONV, fc_params=((4, 0.0),)).train()
    x, points = torch.randn(2, 5, 4), torch.randn(2, 5, 2)
    mask = torch.ones(2, 5, dtype=torch.bool)
    mask[0, 3:] = False
    args = (points, x, torch.eye(4).expand(2, 5, 4, 4), mask) if lloca else (points, x, mask)
    compiled = torch.compile(net, fullgraph=True, backend="aot_eager")
    compiled(*args).sum().backward()
    grads = {name: p.grad.clone() for name, p in net.named_parameters()}
    net.zero_grad()
    net(*args).sum().backward()
    for name, p in net.named_parameters():
        torch.testing.assert_close(grads[name], p.grad, msg=name)
