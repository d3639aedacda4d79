"""Generated quark-gluon files follow the EnergyFlow conventions that docs/data.md claims."""

import h5py
import numpy as np
import pytest

from lorentznets.data.convert.pid import PID_CLASSES
from lorentznets.data.generate.cli import main
from lorentznets.data.readers import load_jets


@pytest.fixture(scope="module")
def quarkgluon_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("quarkgluon") / "qg.h5"
    main(["quarkgluon", "--n", "100", "--chunk-size", "100", "--seed", "3", "--out", str(path)])
    return path


def test_quark_gluon_jets(quarkgluon_file):
    with h5py.File(quarkgluon_file) as f:
        x, y, n = f["X"][:], f["y"][:], f["n_particles"][:]
    assert x.shape == (100, 150, 4) and y.sum() == 50
    real = x[..., 0] > 0
    np.testing.assert_array_equal(real.sum(axis=1), np.minimum(n, 150))
    np.testing.assert_array_equal(real, np.arange(150)[None, :] < real.sum(axis=1)[:, None])
    assert np.all(x[~real] == 0)
    assert np.all(np.diff(x[..., 0], axis=1)[real[:, 1:]] <= 0)
    jet_pt = np.hypot((x[..., 0] * np.cos(x[..., 2])).sum(axis=1), (x[..., 0] * np.sin(x[..., 2])).sum(axis=1))
    assert np.all((jet_pt > 499) & (jet_pt < 551))
    assert n[y == 0].mean() > n[y == 1].mean()


def test_energyflow_conventions(quarkgluon_file):
    with h5py.File(quarkgluon_file) as f:
        assert (f.attrs["quark_flavours"], f.attrs["particle_phi"]) == ("uds", "within_pi_of_jet")
        x, y, parton = f["X"][:], f["y"][:], f["parton_id"][:]
    real = x[..., 0] > 0
    # Quark jets from u, d, s only (EnergyFlow's default Pythia sample), gluon jets from a gluon.
    assert np.all(np.isin(np.abs(parton[y == 1]), [1, 2, 3])) and np.all(parton[y == 0] == 21)
    # Only the particle ids the EnergyFlow files hold (and our readers rebuild masses for).
    assert np.all(np.isin(np.abs(x[real][:, 3]), PID_CLASSES))
    # phi of every particle within pi of the jet's phi in [0, 2 pi): no periodicity to undo.
    pt, phi = x[..., 0], x[..., 2]
    jet_phi = np.mod(np.arctan2((pt * np.sin(phi)).sum(axis=1), (pt * np.cos(phi)).sum(axis=1)), 2 * np.pi)
    assert np.all(np.abs(phi - jet_phi[:, None])[real] <= np.pi)


def test_reader_rebuilds_massive_jets_in_the_window(quarkgluon_file):
    jets = load_jets(quarkgluon_file, max_particles=150)
    p = jets.momenta.double().sum(dim=1).numpy()
    pt = np.hypot(p[:, 1], p[:, 2])
    rapidity = 0.5 * np.log((p[:, 0] + p[:, 3]) / (p[:, 0] - p[:, 3]))
    assert np.all((pt > 499) & (pt < 551)) and np.all(np.abs(rapidity) < 1.71)
    # Hadrons keep their masses: charged pions are not massless.
    q = jets.momenta.double().numpy()[jets.mask.numpy()]
    mass = np.sqrt(np.clip(q[:, 0] ** 2 - (q[:, 1:] ** 2).sum(axis=1), 0, None))
    assert np.mean(np.abs(mass - 0.13957) < 2e-3) > 0.3
