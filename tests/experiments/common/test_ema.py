"""Exponential moving average of weights."""

from __future__ import annotations

import pytest
import torch

from experiments.common.ema import ExponentialMovingAverage


def test_average_swap_and_state_round_trip():
    model = torch.nn.Linear(2, 1)
    start = model.weight.detach().clone()
    ema = ExponentialMovingAverage(model, decay=0.75)
    with torch.no_grad():
        model.weight.add_(4.0)
    ema.update()
    trained = model.weight.detach().clone()
    with ema.average_parameters():
        torch.testing.assert_close(model.weight, 0.75 * start + 0.25 * trained)
    torch.testing.assert_close(model.weight, trained)

    other = ExponentialMovingAverage(torch.nn.Linear(2, 1), decay=0.1)
    other.load_state_dict(ema.state_dict())
    assert other.decay == 0.75
    torch.testing.assert_close(other.shadow["weight"], ema.shadow["weight"])


def test_bad_decay():
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage(torch.nn.Linear(1, 1), decay=1.0)
