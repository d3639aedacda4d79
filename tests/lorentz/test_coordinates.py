import math

import torch

from lorentznets.lorentz import (
    azimuth,
    from_pt_eta_phi_m,
    from_pt_y_phi_m,
    invariant_mass,
    pseudorapidity,
    to_pt_eta_phi_m,
    to_pt_y_phi_m,
    transverse_momentum,
)


def _momenta(n=100, seed=0):
    gen = torch.Generator().manual_seed(seed)
    pt = 20 + 500 * torch.rand(n, generator=gen, dtype=torch.float64)
    eta = 5 * (torch.rand(n, generator=gen, dtype=torch.float64) - 0.5)
    phi = math.pi * (2 * torch.rand(n, generator=gen, dtype=torch.float64) - 1)
    m = 30 * torch.rand(n, generator=gen, dtype=torch.float64)
    return torch.stack([pt, eta, phi, m], -1)


def test_round_trip_eta():
    x = _momenta()
    back = to_pt_eta_phi_m(from_pt_eta_phi_m(x))
    assert torch.allclose(back, x, rtol=1e-9, atol=1e-7)


def test_round_trip_rapidity():
    x = _momenta(seed=1)
    back = to_pt_y_phi_m(from_pt_y_phi_m(x))
    assert torch.allclose(back, x, rtol=1e-9, atol=1e-7)


def test_safe_at_zero_pt_and_negative_mass_squared():
    p = torch.tensor([[5.0, 0.0, 0.0, 5.0], [0.0, 0.0, 0.0, 0.0], [1.0, 0.6, 0.8, 1e-9]], dtype=torch.float64)
    coords = to_pt_eta_phi_m(p)
    assert torch.isfinite(coords).all()
    assert pseudorapidity(p)[0] > 10
    # E slightly below |p| by rounding gives m = 0, not NaN.
    assert invariant_mass(p)[2] == 0.0


def test_gradients_are_finite_on_the_z_axis():
    p = torch.tensor([[5.0, 0.0, 0.0, 3.0], [4.0, 1.0, 2.0, 0.5]], dtype=torch.float64, requires_grad=True)
    for function in (transverse_momentum, azimuth, pseudorapidity):
        (grad,) = torch.autograd.grad(function(p).sum(), p)
        assert torch.isfinite(grad).all(), function.__name__
    torch.testing.assert_close(azimuth(p.detach())[0], torch.tensor(0.0, dtype=torch.float64))


def test_gradients_are_finite_for_massless_and_zero_momenta():
    # a massless particle on the z axis, one off it, one with m^2 < 0 by rounding, and padding
    p = torch.tensor(
        [[5.0, 0.0, 0.0, 5.0], [5.0, 3.0, 4.0, 0.0], [1.0, 0.6, 0.8, 1e-9], [0.0, 0.0, 0.0, 0.0]],
        dtype=torch.float64,
        requires_grad=True,
    )
    for function in (invariant_mass, to_pt_eta_phi_m, to_pt_y_phi_m):
        (grad,) = torch.autograd.grad(function(p).sum(), p)
        assert torch.isfinite(grad).all(), function.__name__
    x = torch.zeros(2, 4, dtype=torch.float64, requires_grad=True)  # pt = m = 0
    for function in (from_pt_eta_phi_m, from_pt_y_phi_m):
        (grad,) = torch.autograd.grad(function(x).sum(), x)
        assert torch.isfinite(grad).all(), function.__name__


def test_massive_gradients_are_unchanged():
    x = _momenta(n=5, seed=3).requires_grad_(True)
    p = from_pt_eta_phi_m(x)
    (grad,) = torch.autograd.grad(invariant_mass(p).sum(), x)
    # dm/dm = 1, and m does not depend on pt, eta or phi
    torch.testing.assert_close(
        grad, torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64).expand(5, 4), atol=1e-7, rtol=0
    )
