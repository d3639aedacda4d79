"""Exact values of the top-momentum resolution metrics for predictions off by known amounts."""

import numpy as np
import pytest

from experiments.ptopreco.metrics import residuals, resolution_metrics

N = 101


def _momenta(pt: np.ndarray, phi: np.ndarray, mass: np.ndarray, pz: np.ndarray) -> np.ndarray:
    """(N, 4) (E, px, py, pz) in GeV of the given pT, azimuth, mass and longitudinal momentum."""
    energy = np.sqrt(mass**2 + pt**2 + pz**2)
    return np.stack([energy, pt * np.cos(phi), pt * np.sin(phi), pz], axis=1)


def test_residuals_are_relative_to_the_truth():
    truth = _momenta(np.array([400.0]), np.array([0.3]), np.array([173.0]), np.array([250.0]))
    # 10 % too high in pT (same pz / pT, so the same direction), 5 % too low in mass.
    predicted = _momenta(np.array([440.0]), np.array([0.3]), np.array([0.95 * 173.0]), np.array([275.0]))
    res = residuals(predicted, truth)
    assert res["pt"] == pytest.approx([0.1], rel=1e-12)
    assert res["mass"] == pytest.approx([-0.05], rel=1e-12)
    assert res["angle"] == pytest.approx([0.0], abs=1e-7)


def test_resolution_metrics_of_known_shifts():
    rng = np.random.default_rng(0)
    pt = rng.uniform(300.0, 900.0, N)
    phi = rng.uniform(-np.pi, np.pi, N)
    mass = rng.uniform(160.0, 185.0, N)
    truth = _momenta(pt, phi, mass, np.zeros(N))
    # Relative shifts spread evenly around a bias (linear quantiles of equally spaced values are
    # exact: the 16-84 % half-range of b + linspace(-a, a) is 0.68 a), in unrelated orders, with
    # tails beyond the 16-84 % range that move the mean but neither the median nor the width.
    pt_shift = 0.02 + np.linspace(-0.1, 0.1, N)
    pt_shift[:3] = -0.6
    mass_shift = -0.03 + np.linspace(-0.05, 0.05, N)
    mass_shift[-5:] = 0.5
    mass_shift = mass_shift[rng.permutation(N)]
    angle = np.linspace(0.0, 0.2, N)[rng.permutation(N)]  # a turn in azimuth of a pz = 0 top
    predicted = _momenta(pt * (1 + pt_shift), phi + angle, mass * (1 + mass_shift), np.zeros(N))
    metrics = resolution_metrics(predicted, truth)
    expected = {
        "pt_bias": 0.02,
        "pt_resolution": 0.68 * 0.1,
        "mass_bias": -0.03,
        "mass_resolution": 0.68 * 0.05,
        "angle_median": 0.1,
        "angle_68": 0.68 * 0.2,
    }
    assert metrics.keys() == expected.keys()
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value, rel=1e-9), key
