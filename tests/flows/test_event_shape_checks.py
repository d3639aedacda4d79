"""Data whose events do not have the base distribution's event_shape are refused by name, before
any noise is drawn (broadcasting paired one noise jet with all jets of an event)."""

import re

import pytest
import torch

from lorentznets.flows import GaussianUniformBase, flow_log_likelihood, flow_matching_loss

PERIODIC = torch.tensor([False, False, True, False])


def _zero_velocity(t, x):
    return torch.zeros_like(x)


@pytest.mark.parametrize("shape", [(32, 6, 4), (32, 4), (32, 1, 5)])
def test_flow_matching_loss_refuses_other_event_shapes(shape):
    base = GaussianUniformBase(PERIODIC, (1, 4))
    message = r"flow_matching_loss: expected x1 of shape \(1, 4\) .* got a tensor of shape " + re.escape(str(shape))
    with pytest.raises(ValueError, match=message):
        flow_matching_loss(_zero_velocity, torch.randn(shape), base)


def test_flow_log_likelihood_refuses_other_event_shapes():
    base = GaussianUniformBase(PERIODIC, (1, 4))
    with pytest.raises(ValueError, match=r"flow_log_likelihood: expected x1 of shape \(1, 4\) .* \(8, 6, 4\)"):
        flow_log_likelihood(_zero_velocity, base, torch.randn(8, 6, 4), {"method": "euler", "steps": 1})


def test_matching_event_shape_passes():
    base = GaussianUniformBase(PERIODIC, (6, 4))
    assert flow_matching_loss(_zero_velocity, torch.randn(32, 6, 4), base).shape == ()
