"""The Transformer baseline: shapes, permutation equivariance, padding independence."""

from __future__ import annotations

import pytest
import torch

from lorentznets.nets.transformer import Transformer


def _net(**kwargs):
    torch.manual_seed(0)
    settings = dict(in_channels=5, out_channels=3, hidden_channels=16, num_blocks=2, num_heads=4)
    settings.update(kwargs)
    return Transformer(**settings).double().eval()


def test_permutation_equivariance():
    net = _net()
    x = torch.randn(2, 7, 5, dtype=torch.float64)
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[1, 5:] = False
    perm = torch.randperm(7)
    out = net(x, mask)
    torch.testing.assert_close(net(x[:, perm], mask[:, perm]), out[:, perm], rtol=1e-12, atol=1e-12)


def test_padding_does_not_change_real_outputs():
    net = _net()
    x = torch.randn(1, 4, 5, dtype=torch.float64)
    padded = torch.cat([x, 100 * torch.randn(1, 3, 5, dtype=torch.float64)], dim=1)
    mask = torch.tensor([[True] * 4 + [False] * 3])
    out = net(padded, mask)
    torch.testing.assert_close(out[:, :4], net(x), rtol=1e-12, atol=1e-12)
    assert torch.all(out[:, 4:] == 0)


def test_gradients_flow_and_shape_errors():
    net = _net()
    x = torch.randn(2, 3, 5, dtype=torch.float64, requires_grad=True)
    net(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    with pytest.raises(ValueError, match="divisible"):
        _net(hidden_channels=10, num_heads=4)
    with pytest.raises(ValueError, match=r"x must have shape \(2, 4, 5\) for the mask, got \(2, 3, 5\)"):
        net(x, torch.ones(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"\(B, N, 5\)"):
        net(x[0])
