"""Optimizers (including our Lion) and schedulers."""

from __future__ import annotations

import pytest
import torch

from experiments.common.optimizers import Lion, build_optimizer
from experiments.common.schedulers import build_scheduler


def test_lion_step_matches_its_definition():
    param = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    optimizer = Lion([param], lr=0.1, betas=(0.9, 0.99), weight_decay=0.5)
    momentum = torch.tensor([0.0, 0.0, 0.0])
    expected = param.detach().clone()
    for grad in (torch.tensor([0.5, -1.0, 0.0]), torch.tensor([-2.0, 1.0, 1.0])):
        param.grad = grad.clone()
        optimizer.step()
        expected = expected * (1 - 0.1 * 0.5)
        expected = expected - 0.1 * torch.sign(0.9 * momentum + 0.1 * grad)
        momentum = 0.99 * momentum + 0.01 * grad
        torch.testing.assert_close(param.detach(), expected, rtol=0, atol=1e-7)


def test_lion_minimises_a_quadratic():
    param = torch.nn.Parameter(torch.tensor([3.0, -4.0]))
    optimizer = Lion([param], lr=0.01)
    for _ in range(1000):
        optimizer.zero_grad()
        (param**2).sum().backward()
        optimizer.step()
    assert param.abs().max() < 0.05


@pytest.mark.parametrize("name", ["adam", "adamw", "lion"])
def test_build_optimizer(name):
    optimizer = build_optimizer([torch.nn.Parameter(torch.ones(2))], name, 1e-3, 0.1, (0.8, 0.9))
    assert optimizer.param_groups[0]["betas"] == (0.8, 0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'sgdx'.*adam"):
        build_optimizer([torch.nn.Parameter(torch.ones(2))], "sgdx", 1e-3)


def _lrs(name, steps=10, **kwargs):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    scheduler = build_scheduler(optimizer, name, total_steps=steps, lr=1.0, **kwargs)
    lrs = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step() if name != "plateau" else scheduler.step(1.0)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_schedulers():
    assert _lrs("constant") == [1.0] * 10
    cosine = _lrs("cosine", min_lr_factor=0.1)
    assert cosine[-1] == pytest.approx(0.1) and all(a >= b for a, b in zip(cosine, cosine[1:]))
    onecycle = _lrs("onecycle", steps=20, warmup_fraction=0.3)
    peak = max(range(20), key=onecycle.__getitem__)
    assert 3 <= peak <= 7 and onecycle[-1] < 0.02
    plateau = _lrs("plateau", plateau_factor=0.5, plateau_patience=2)
    assert plateau[0] == 1.0 and plateau[-1] < 0.2
    with pytest.raises(ValueError, match="unknown scheduler"):
        _lrs("linear")
