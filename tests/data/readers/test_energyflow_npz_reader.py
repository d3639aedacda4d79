import numpy as np
import pytest

from lorentznets.data.convert import PID_CLASSES, iter_energyflow_chunks
from lorentznets.data.readers import load_jets

from .jet_files import write_energyflow

MASSES = {
    11: 0.000510999,
    13: 0.105658,
    22: 0.0,
    130: 0.497611,
    211: 0.139570,
    321: 0.493677,
    2112: 0.939565,
    2212: 0.938272,
}
CHARGES = {11: -1, 13: -1, 22: 0, 130: 0, 211: 1, 321: 1, 2112: 0, 2212: 1}


def quark_gluon_jets(n_jets=25, n_slots=18, seed=5):
    """(pt, y, phi, pid) rows in random order, zero-padded, pids with both signs."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, n_slots + 1, size=n_jets)
    pt = rng.exponential(20.0, size=(n_jets, n_slots)) + 0.5
    y = rng.normal(0.0, 0.3, size=(n_jets, n_slots))
    phi = rng.uniform(0, 2 * np.pi, size=(n_jets, n_slots))
    pid = rng.choice(PID_CLASSES, size=(n_jets, n_slots)) * rng.choice([-1, 1], size=(n_jets, n_slots))
    pid = np.where(np.isin(np.abs(pid), [22, 130]), np.abs(pid), pid)
    X = np.stack([pt, y, phi, pid.astype(float)], axis=-1)
    X[np.arange(n_slots) >= counts[:, None]] = 0.0
    return X, rng.integers(0, 2, size=n_jets).astype(float)


def reference(X, max_particles):
    """Jet-by-jet 4-momenta and features from the tables above, ordered by decreasing pT."""
    momenta = np.zeros((len(X), max_particles, 4))
    scalars = np.zeros((len(X), max_particles, 9))
    for j, jet in enumerate(X):
        real = sorted((row for row in jet if row[0] > 0), key=lambda row: -row[0])[:max_particles]
        for i, (pt, y, phi, pid) in enumerate(real):
            a = int(abs(pid))
            mt = np.sqrt(pt**2 + MASSES[a] ** 2)
            momenta[j, i] = [mt * np.cosh(y), pt * np.cos(phi), pt * np.sin(phi), mt * np.sinh(y)]
            scalars[j, i, 0] = CHARGES[a] * np.sign(pid)
            scalars[j, i, 1 + list(PID_CLASSES).index(a)] = 1.0
    return momenta, scalars


@pytest.mark.parametrize("max_particles", [18, 6])
def test_momenta_scalars_labels(tmp_path, max_particles):
    X, y = quark_gluon_jets()
    path = write_energyflow(tmp_path / "QG_jets.npz", X, y)
    data = load_jets(path, max_particles=max_particles)
    momenta, scalars = reference(X, max_particles)
    np.testing.assert_allclose(data.momenta.numpy(), momenta, rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(data.scalars.numpy(), scalars)
    np.testing.assert_array_equal(data.mask.numpy(), scalars[..., 1:].sum(-1) == 1)
    np.testing.assert_array_equal(data.labels.numpy(), y.astype(int))
    assert data.truth is None
    # Masses come back from the 4-momenta: a check of E^2 - p^2 independent of the formula above.
    m2 = data.momenta[..., 0].double() ** 2 - (data.momenta[..., 1:].double() ** 2).sum(-1)
    assert (m2[data.mask] > -1e-2).all()


def test_unknown_pid(tmp_path):
    X, y = quark_gluon_jets()
    X[3, 0, 3] = 999
    path = write_energyflow(tmp_path / "pid.npz", X, y)
    with pytest.raises(
        ValueError,
        match=r"pid\.npz: key 'X': 1 constituent\(s\) with unknown particle id, first 999\.0 in jet 3",
    ):
        load_jets(path)


def test_unknown_pid_names_the_jet_in_the_file_not_in_the_chunk(tmp_path):
    X, y = quark_gluon_jets()
    X[23, 0, 3] = 310
    path = write_energyflow(tmp_path / "pid.npz", X, y)
    with pytest.raises(
        ValueError,
        match=r"pid\.npz: key 'X': 1 constituent\(s\) with unknown particle id, first 310\.0 in jet 23, particle 0",
    ):
        list(iter_energyflow_chunks(path, chunk_size=10))


def test_negative_pt_is_refused_naming_file_key_jet_and_particle(tmp_path):
    # A negative pt would turn the particle around by pi in phi.
    X, y = quark_gluon_jets()
    X[17, 0] = [-50.0, 0.25, 1.5, 22.0]
    path = write_energyflow(tmp_path / "neg.npz", X, y)
    message = (
        r"neg\.npz: key 'X': 1 constituent\(s\) with negative pt; first at jet 17, particle 0: "
        r"\(pt, y, phi, pid\) = \(-50\.0, 0\.25, 1\.5, 22\.0\)"
    )
    with pytest.raises(ValueError, match=message):
        load_jets(path)
    with pytest.raises(ValueError, match=message):
        list(iter_energyflow_chunks(path, chunk_size=10))


def test_wrong_shape(tmp_path):
    X, y = quark_gluon_jets()
    path = write_energyflow(tmp_path / "w.npz", X[..., :3], y)
    with pytest.raises(ValueError, match=r"w\.npz: key 'X' has shape \(25, 18, 3\), expected \(\*, \*, 4\)"):
        load_jets(path, format="energyflow_npz")


def test_missing_labels(tmp_path):
    X, _ = quark_gluon_jets()
    np.savez(tmp_path / "noy.npz", X=X)
    with pytest.raises(KeyError, match=r"noy\.npz: missing key 'y'; keys present: \['X'\]"):
        load_jets(tmp_path / "noy.npz", format="energyflow_npz")


def test_nan(tmp_path):
    X, y = quark_gluon_jets()
    X[7, 1, 1] = np.nan
    path = write_energyflow(tmp_path / "nan.npz", X, y)
    with pytest.raises(ValueError, match=r"nan\.npz: key 'X' has NaN/inf values in 1 jet\(s\); first bad jet index 7"):
        load_jets(path)


def test_empty_jet(tmp_path):
    X, y = quark_gluon_jets()
    X[0] = 0
    path = write_energyflow(tmp_path / "e.npz", X, y)
    with pytest.raises(ValueError, match="first empty jet index 0"):
        load_jets(path)
