"""The numpy kinematics of the generators at the edges of phase space."""

import numpy as np

from lorentznets.data.generate.kinematics import rapidity


def test_rapidity_matches_the_definition_and_stays_finite_on_and_near_the_beam_axis():
    rng = np.random.default_rng(0)
    p3 = rng.normal(0.0, 30.0, (100, 3))
    energy = np.sqrt((p3**2).sum(-1) + rng.uniform(0.1, 5.0, 100) ** 2)
    p = np.column_stack([energy, p3])
    expected = 0.5 * np.log((p[:, 0] + p[:, 3]) / (p[:, 0] - p[:, 3]))
    np.testing.assert_allclose(rapidity(p), expected, rtol=1e-12, atol=1e-14)
    # on the beam axis (massless), slightly spacelike from rounding, and the zero vector: finite,
    # with the sign of pz (before: 1.8e308, 1.8e308 and 0 for the first three)
    edges = np.array([[10, 0, 0, 10.0], [10, 1e-3, 0, 10], [10, 1e-4, 0, 10.0000001], [10, 0, 0, -10], [0, 0, 0, 0.0]])
    y = rapidity(edges)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[:4], [34.538776, np.log(20 / 1e-3), np.log(20.0000001 / 1e-4), -34.538776], rtol=1e-6)
    assert y[4] == 0.0
