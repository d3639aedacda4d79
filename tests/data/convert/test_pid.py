import numpy as np
import pytest

from lorentznets.data.convert import PID_CLASSES, momenta_from_pt_y_phi_pid


@pytest.mark.parametrize(
    "pid, mass, charge",
    [
        (22, 0.0, 0),
        (211, 0.13957, 1),
        (-211, 0.13957, -1),
        (321, 0.493677, 1),
        (-321, 0.493677, -1),
        (130, 0.497611, 0),
        (2212, 0.938272, 1),
        (-2212, 0.938272, -1),
        (2112, 0.939565, 0),
        (-2112, 0.939565, 0),
        (11, 0.000511, -1),
        (-11, 0.000511, 1),
        (13, 0.105658, -1),
        (-13, 0.105658, 1),
    ],
)
def test_mass_charge_and_one_hot(pid, mass, charge):
    particles = np.array([[[1.5, 0.7, -2.0, float(pid)], [0.0, 0.0, 0.0, 0.0]]])
    mask = np.array([[True, False]])
    momenta, features = momenta_from_pt_y_phi_pid(particles, mask, "f")
    e, px, py, pz = momenta[0, 0]
    np.testing.assert_allclose(np.sqrt(max(e**2 - px**2 - py**2 - pz**2, 0.0)), mass, atol=2e-6)
    np.testing.assert_allclose(np.hypot(px, py), 1.5)
    np.testing.assert_allclose(0.5 * np.log((e + pz) / (e - pz)), 0.7)
    np.testing.assert_allclose(np.arctan2(py, px), -2.0)
    assert features[0, 0, 0] == charge
    one_hot = np.zeros(len(PID_CLASSES))
    one_hot[list(PID_CLASSES).index(abs(pid))] = 1
    np.testing.assert_array_equal(features[0, 0, 1:], one_hot)
    np.testing.assert_array_equal(momenta[0, 1], 0.0)
    np.testing.assert_array_equal(features[0, 1], 0.0)


def test_unknown_pid_names_source_value_and_jet():
    particles = np.zeros((3, 2, 4))
    particles[:, 0] = [10.0, 0.0, 0.0, 22]
    particles[2, 1] = [5.0, 0.0, 0.0, 310]
    with pytest.raises(
        ValueError, match=r"f\.npz: key 'X': 1 constituent\(s\) with unknown particle id, first 310\.0 in jet 2"
    ):
        momenta_from_pt_y_phi_pid(particles, (particles != 0).any(-1), "f.npz: key 'X'")
