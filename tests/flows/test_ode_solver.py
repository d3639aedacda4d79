import math

import pytest
import torch

from lorentznets.flows import SolverConfig, odeint


def decay(t, state):
    (y,) = state
    return (-y,)


@pytest.mark.parametrize(
    ("method", "steps", "tolerance"),
    [
        ("euler", 2000, 5e-4),
        ("midpoint", 100, 5e-5),
        ("rk4", 20, 1e-6),
        ("dopri5", 1, 1e-6),
        ("fixed_adams", 200, 1e-5),  # it took one step of size 1 (2% off) without a step size
        ("heun3", 100, 1e-5),
    ],
)
def test_exponential_decay_forward_and_backward(method, steps, tolerance):
    config = SolverConfig(method=method, steps=steps, rtol=1e-8, atol=1e-8)
    y0 = torch.tensor([1.0, 2.0], dtype=torch.float64)
    (y1,) = odeint(decay, (y0,), 0.0, 1.0, config)
    assert torch.allclose(y1, y0 * math.exp(-1), rtol=tolerance)
    (back,) = odeint(decay, (y1,), 1.0, 0.0, config)
    assert torch.allclose(back, y0, rtol=tolerance)


def test_rk4_has_fourth_order_convergence():
    y0 = (torch.tensor([1.0], dtype=torch.float64),)
    errors = [abs(odeint(decay, y0, 0.0, 1.0, {"method": "rk4", "steps": n})[0].item() - math.exp(-1)) for n in (8, 16)]
    assert errors[0] / errors[1] == pytest.approx(16, rel=0.15)


def test_time_dependent_tuple_state():
    # dy/dt = t, dz/dt = 2 y: y = t^2 / 2, z = t^3 / 3 at t = 1.
    def dynamics(t, state):
        y, _ = state
        return t.expand_as(y), 2 * y

    zero = torch.zeros(3, dtype=torch.float64)
    y, z = odeint(dynamics, (zero, zero), 0.0, 1.0, {"method": "rk4", "steps": 4})
    assert torch.allclose(y, torch.full_like(y, 0.5))
    assert torch.allclose(z, torch.full_like(z, 1 / 3))


def test_bad_configs_raise():
    with pytest.raises(KeyError, match="unknown keys"):
        SolverConfig.cast({"method": "rk4", "nsteps": 3})
    with pytest.raises(ValueError, match="steps must be >= 1"):
        SolverConfig(steps=0)
    with pytest.raises(ValueError, match="method must be one of euler, midpoint, rk4, dopri5.*got 'not_a_method'"):
        odeint(decay, (torch.ones(1),), 0.0, 1.0, {"method": "not_a_method"})


def test_midpoint_evaluates_the_rate_at_the_half_step_time():
    # dy/dt = t, dz/dt = 2 y with h = 1/4: the midpoint rate of y is t_i + h/2, so y(1) = 1/2 exactly;
    # z gains h * 2 (y_i + h t_i / 2) = h (t_i^2 + h t_i) per step, in all 1/4 (14/16 + 6/16) = 5/16.
    def dynamics(t, state):
        y, _ = state
        return t.expand_as(y), 2 * y

    zero = torch.zeros(2, dtype=torch.float64)
    y, z = odeint(dynamics, (zero, zero), 0.0, 1.0, {"method": "midpoint", "steps": 4})
    torch.testing.assert_close(y, torch.full_like(y, 0.5), rtol=0, atol=1e-15)
    torch.testing.assert_close(z, torch.full_like(z, 5 / 16), rtol=0, atol=1e-15)
