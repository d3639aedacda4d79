import h5py
import numpy as np

from lorentznets.data.generate.cli import main


def test_quark_gluon_jets(tmp_path):
    path = tmp_path / "qg.h5"
    main(["quarkgluon", "--n", "100", "--chunk-size", "100", "--seed", "3", "--out", str(path)])
    with h5py.File(path) as f:
        x, y, n = f["X"][:], f["y"][:], f["n_particles"][:]
    assert x.shape == (100, 150, 4) and y.sum() == 50
    real = x[..., 0] > 0
    np.testing.assert_array_equal(real.sum(axis=1), np.minimum(n, 150))
    assert np.all(x[~real] == 0)
    assert np.all((x[real][:, 2] >= 0) & (x[real][:, 2] < 2 * np.pi))
    assert np.all(
        np.isin(np.abs(x[real][:, 3]), [11, 13, 22, 211, 321, 130, 2112, 2212, 310, 3122, 3112, 3222, 3312, 3322, 3334])
    )
    jet_pt = np.hypot((x[..., 0] * np.cos(x[..., 2])).sum(axis=1), (x[..., 0] * np.sin(x[..., 2])).sum(axis=1))
    assert np.all((jet_pt > 499) & (jet_pt < 551))
    assert n[y == 0].mean() > n[y == 1].mean()
