import math

import pytest
import torch

from lorentznets.flows import JetCoordinates
from lorentznets.lorentz import to_pt_eta_phi_m

from .helpers import make_jets


def test_fourmomenta_round_trip_is_exact():
    p = make_jets(500, 6)
    coords = JetCoordinates(6, pt_min=20.0).fit(p)
    x = coords.fourmomenta_to_x(p)
    assert x.shape == p.shape
    back = coords.x_to_fourmomenta(x)
    assert torch.allclose(back, p, rtol=1e-11, atol=1e-9)


def test_flow_coordinate_round_trip_is_exact():
    p = make_jets(200, 3)
    coords = JetCoordinates(3, pt_min=20.0).fit(p)
    x = torch.randn(100, 3, 4, dtype=torch.float64)
    x[..., 2] = (2 * torch.rand(100, 3, dtype=torch.float64) - 1) * math.pi
    # Stay where m^2 > 0 so the mass is not clamped.
    z = coords.unstandardize(x)
    z[..., 3] = z[..., 3].clamp_min(math.log(coords.mass_eps) + 0.5)
    x = coords.standardize(z)
    assert torch.allclose(coords.fourmomenta_to_x(coords.x_to_fourmomenta(x)), x, atol=1e-9)


def test_physical_coordinates_have_their_meaning():
    p = make_jets(50, 2)
    coords = JetCoordinates(2, pt_min=20.0, mass_eps=0.01)
    z = coords.fourmomenta_to_physical(p)
    pt, eta, phi, m = to_pt_eta_phi_m(p).unbind(-1)
    assert torch.allclose(z[..., 0], torch.log(pt - 20.0))
    assert torch.allclose(z[..., 1], eta)
    assert torch.allclose(torch.cos(z[..., 2]), torch.cos(phi))
    assert torch.allclose(z[..., 3], torch.log(m**2 + 0.01), atol=1e-9)


def test_fit_standardizes_all_but_phi():
    p = make_jets(2000, 4)
    coords = JetCoordinates(4, pt_min=20.0).fit(p)
    x = coords.fourmomenta_to_x(p)
    nonperiodic = [0, 1, 3]
    assert torch.allclose(x[..., nonperiodic].mean(0), torch.zeros(4, 3, dtype=x.dtype), atol=1e-9)
    assert torch.allclose(x[..., nonperiodic].std(0), torch.ones(4, 3, dtype=x.dtype), atol=1e-9)
    assert torch.equal(coords.mean[:, 2], torch.zeros(4, dtype=torch.float64))
    assert torch.equal(coords.std[:, 2], torch.ones(4, dtype=torch.float64))
    assert x[..., 2].abs().max() <= math.pi
    assert coords.momentum_scale.item() == pytest.approx(p.pow(2).mean().sqrt().item())


def test_log_abs_det_jacobian_matches_autograd():
    p = make_jets(4, 2, seed=5)
    coords = JetCoordinates(2, pt_min=20.0).fit(make_jets(100, 2, seed=6))
    x = coords.fourmomenta_to_x(p)
    for i in range(x.shape[0]):
        jac = torch.autograd.functional.jacobian(lambda xi: coords.x_to_fourmomenta(xi).flatten(), x[i]).reshape(8, 8)
        expected = torch.linalg.slogdet(jac).logabsdet
        assert torch.allclose(coords.log_abs_det_jacobian(x[i : i + 1])[0], expected, atol=1e-9)


def test_sampled_points_respect_pt_min():
    coords = JetCoordinates(3, pt_min=25.0)
    p = coords.x_to_fourmomenta(5 * torch.randn(1000, 3, 4, dtype=torch.float64))
    pt = torch.sqrt(p[..., 1] ** 2 + p[..., 2] ** 2)
    assert (pt >= 25.0 * (1 - 1e-12)).all()
    assert torch.isfinite(p).all()


def test_bad_inputs_raise_clear_errors():
    coords = JetCoordinates(2, pt_min=30.0)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2, 4\)"):
        coords.fourmomenta_to_x(make_jets(5, 3))
    p = make_jets(5, 2)
    p[1, 0, 1] = float("nan")
    with pytest.raises(ValueError, match="NaN or inf entries in 1 events"):
        coords.fourmomenta_to_x(p, validate=True)
    with pytest.raises(ValueError, match="NaN or inf entries in 1 events"):
        coords.fit(p)
    low = make_jets(5, 2)
    low[0, 0, 1:3] = torch.tensor([10.0, 0.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="1 jets have pt <= pt_min"):
        coords.check_fourmomenta(low)
    with pytest.raises(ValueError, match="N >= 2"):
        coords.fit(make_jets(1, 2))
    x = torch.zeros(3, 2, 4, dtype=torch.float64)
    x[2, 1, 0] = float("inf")
    with pytest.raises(ValueError, match="flow coordinates has NaN or inf entries in 1 events"):
        coords.x_to_fourmomenta(x, validate=True)
    # Without validate nothing reads values: non-finite inputs give non-finite outputs.
    assert not torch.isfinite(coords.x_to_fourmomenta(x)[2, 1]).all()
