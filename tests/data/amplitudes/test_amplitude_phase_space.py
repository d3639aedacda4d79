"""RAMBO: momentum conservation, on-shellness, flat weight, flat distribution; longitudinal boosts."""

import math

import numpy as np
import pytest

from lorentznets.data.amplitudes import boost_along_z, incoming_momenta, rambo, rambo_flat_weight
from lorentznets.data.amplitudes.invariants import mdot


@pytest.mark.parametrize("masses", [[0.0, 0.0], [0.0] * 5, [91.188, 0.0, 0.0], [91.188, 0.0, 0.0, 0.0]])
def test_rambo_conserves_momentum_and_is_on_shell(masses):
    rng = np.random.default_rng(1)
    p, weights = rambo(rng, 2000, 1000.0, masses)
    assert p.shape == (2000, len(masses), 4)
    total = p.sum(axis=1)
    np.testing.assert_allclose(total, np.tile([1000.0, 0, 0, 0], (2000, 1)), atol=1e-9)
    m2 = mdot(p, p)
    # Rounding of E^2 - |p|^2 at E ~ 500 GeV: compare relative to E^2.
    assert np.all(np.abs(m2 - np.square(masses)) < 1e-10 * p[..., 0] ** 2)
    assert np.all(p[..., 0] > 0)
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)


def test_rambo_flat_weight_matches_known_volumes():
    s = 1000.0**2
    assert rambo_flat_weight(2, 1000.0) == pytest.approx(1.0 / (8 * math.pi), rel=1e-14)
    assert rambo_flat_weight(3, 1000.0) == pytest.approx(s / (256 * math.pi**3), rel=1e-14)
    _, weights = rambo(np.random.default_rng(0), 100, 1000.0, [0.0] * 4)
    np.testing.assert_allclose(weights, rambo_flat_weight(4, 1000.0), rtol=1e-15)


def test_rambo_massive_two_body_weight_is_exact():
    mass, sqrt_s = 91.188, 300.0
    _, weights = rambo(np.random.default_rng(0), 50, sqrt_s, [mass, 0.0])
    beta = 1.0 - mass**2 / sqrt_s**2
    np.testing.assert_allclose(weights, beta / (8 * math.pi), rtol=1e-12)


def test_rambo_three_body_dalitz_is_flat():
    # Flat 3-body phase space is uniform on the simplex s12 + s13 + s23 = s: each s_ij / s ~ Beta(1, 2).
    p, _ = rambo(np.random.default_rng(3), 200000, 1.0, [0.0] * 3)
    x = mdot(p[:, 0] + p[:, 1], p[:, 0] + p[:, 1])
    assert abs(x.mean() - 1 / 3) < 3e-3
    assert abs(x.var() - 1 / 18) < 2e-3
    cos_theta = p[:, 0, 3] / np.linalg.norm(p[:, 0, 1:], axis=-1)
    assert abs(cos_theta.mean()) < 1e-2
    assert abs((cos_theta**2).mean() - 1 / 3) < 1e-2


def test_rambo_rejects_too_heavy_final_state():
    with pytest.raises(ValueError, match="masses"):
        rambo(np.random.default_rng(0), 10, 100.0, [91.188, 20.0])
    with pytest.raises(ValueError, match="at least 2"):
        rambo(np.random.default_rng(0), 10, 100.0, [0.0])


def test_boost_along_z_keeps_invariants_and_inverts():
    rng = np.random.default_rng(2)
    final, _ = rambo(rng, 100, 500.0, [91.188, 0.0, 0.0])
    p = np.concatenate([incoming_momenta(100, 500.0), final], axis=1)
    y = rng.uniform(-3, 3, size=100)
    boosted = boost_along_z(p, y)
    np.testing.assert_allclose(mdot(boosted, boosted), mdot(p, p), atol=1e-8)
    np.testing.assert_allclose(boosted[:, :, 1:3], p[:, :, 1:3])
    np.testing.assert_allclose(boost_along_z(boosted, -y), p, atol=1e-9)
    incoming = boosted[:, :2].sum(axis=1)
    np.testing.assert_allclose(incoming, boosted[:, 2:].sum(axis=1), atol=1e-9)
