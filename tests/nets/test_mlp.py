"""The MLP baseline."""

from __future__ import annotations

import pytest
import torch

from lorentznets.nets.mlp import MLP


def test_shapes_and_depth():
    net = MLP(in_channels=4, out_channels=2, hidden_channels=8, num_layers=3)
    assert net(torch.randn(5, 7, 4)).shape == (5, 7, 2)
    assert sum(isinstance(m, torch.nn.Linear) for m in net.modules()) == 4
    linear = MLP(in_channels=4, out_channels=2, hidden_channels=8, num_layers=0)
    assert sum(isinstance(m, torch.nn.Linear) for m in linear.modules()) == 1


def test_fits_a_simple_function():
    torch.manual_seed(0)
    net = MLP(in_channels=1, out_channels=1, hidden_channels=32, num_layers=2, activation="tanh")
    x = torch.linspace(-2, 2, 64)[:, None]
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(300):
        optimizer.zero_grad()
        loss = (net(x) - x**2).pow(2).mean()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.01


def test_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of .* got 'swish'"):
        MLP(1, 1, 4, 1, activation="swish")
    with pytest.raises(ValueError, match="num_layers"):
        MLP(1, 1, 4, -1)
