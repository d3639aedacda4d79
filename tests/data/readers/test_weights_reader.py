"""Per-jet ``weight`` in our generator's files: read, checked, kept through subsets and joins."""

import warnings

import h5py
import numpy as np
import pytest
import torch

from lorentznets.data.readers import JetData, load_jets

from .jet_files import random_jets, write_energyflow, write_energyflow_h5, write_lgn


def _add_weight(path, weight):
    with h5py.File(path, "r+") as file:
        file["weight"] = weight
    return path


def _generated_top_file(path, n=20, weight=None):
    """The generator's top-tagging layout: LGN keys plus jet_pt, mass, weight, pthat."""
    momenta, _ = random_jets(n, 6, seed=3)
    write_lgn(path, momenta, np.arange(n) % 2, truth=np.zeros((n, 4), np.float32))
    pthat = np.linspace(210.0, 790.0, n)
    with h5py.File(path, "r+") as file:
        file["jet_pt"] = np.full(n, 600.0, np.float32)
        file["mass"] = np.full(n, 100.0, np.float32)
        file["weight"] = (200.0 / pthat) ** 4 if weight is None else weight
        file["pthat"] = pthat.astype(np.float32)
    return path, (200.0 / pthat) ** 4


def _generated_quarkgluon_file(path, n=10, weight=None):
    """The generator's quark-gluon HDF5: EnergyFlow keys X, y plus n_particles, weight, pthat."""
    x = np.zeros((n, 5, 4))
    x[:, 0] = [300.0, 0.1, 1.0, 211]
    x[:, 1] = [200.0, 0.2, 1.1, 22]
    x[:, 2] = [100.0, 0.0, 0.9, -11]
    pthat = np.linspace(300.0, 900.0, n)
    weights = (200.0 / pthat) ** 4 if weight is None else weight
    write_energyflow_h5(
        path,
        x,
        (np.arange(n) % 2).astype(np.int64),
        n_particles=np.full(n, 3, np.int64),
        weight=weights,
        pthat=pthat.astype(np.float32),
    )
    return path, (200.0 / pthat) ** 4


def test_generated_top_file_gives_weights(tmp_path):
    path, expected = _generated_top_file(tmp_path / "toptagging.h5")
    data = load_jets(path, max_particles=6)
    assert data.weights.dtype == torch.float64 and data.weights.shape == (20,)
    np.testing.assert_array_equal(data.weights.numpy(), expected)
    assert len(load_jets(path, max_particles=6, max_jets=7).weights) == 7


def test_generated_quarkgluon_file_is_read_with_weights(tmp_path):
    path, expected = _generated_quarkgluon_file(tmp_path / "quarkgluon.h5")
    data = load_jets(path, max_particles=4)
    assert "energyflow_npz" in data.source
    np.testing.assert_array_equal(data.weights.numpy(), expected)
    np.testing.assert_array_equal(data.labels.numpy(), np.arange(10) % 2)
    np.testing.assert_array_equal(data.mask.sum(dim=1).numpy(), np.full(10, 3))
    assert data.scalars.shape == (10, 4, 9)
    # Same jets as the EnergyFlow npz with the same X and y.
    with h5py.File(path) as file:
        npz = write_energyflow(tmp_path / "same.npz", file["X"][...], file["y"][...])
    reference = load_jets(npz, max_particles=4)
    assert torch.equal(data.momenta, reference.momenta) and torch.equal(data.scalars, reference.scalars)


def test_public_layouts_have_no_weights(tmp_path):
    momenta, _ = random_jets(6, 4)
    assert load_jets(write_lgn(tmp_path / "a.h5", momenta, np.arange(6) % 2)).weights is None
    particles = np.zeros((6, 5, 4))
    particles[:, 0] = [100.0, 0.1, 0.2, 22]
    assert load_jets(write_energyflow(tmp_path / "qg.npz", particles, np.arange(6) % 2)).weights is None


@pytest.mark.parametrize(
    ("make", "name"),
    [(_generated_top_file, "top.h5"), (_generated_quarkgluon_file, "qg.h5")],
)
@pytest.mark.parametrize(
    ("bad", "problem"),
    [(np.nan, "NaN/inf weights"), (np.inf, "NaN/inf weights"), (-0.5, "negative weights")],
)
def test_bad_weight_is_a_clear_error(tmp_path, make, name, bad, problem):
    weight = np.ones(10)
    weight[4] = bad
    path, _ = make(tmp_path / name, n=10, weight=weight)
    message = rf"{name}: key 'weight' has {problem} in 1 jet\(s\); first bad jet index 4 \(weight {bad}\)"
    with pytest.raises(ValueError, match=message):
        load_jets(path, max_particles=4)


def test_npz_weights_are_writable(tmp_path):
    # np.frombuffer over the archive's bytes is read-only, which torch.from_numpy warns about.
    particles = np.zeros((6, 5, 4))
    particles[:, 0] = [100.0, 0.1, 0.2, 22]
    path = tmp_path / "qg.npz"
    np.savez(path, X=particles, y=np.arange(6) % 2, weight=np.arange(1.0, 7.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_jets(path, max_particles=4)
    data.weights.mul_(2.0)
    np.testing.assert_array_equal(data.weights.numpy(), 2 * np.arange(1.0, 7.0))


def test_weight_of_wrong_length_names_file_and_key(tmp_path):
    path, _ = _generated_top_file(tmp_path / "short.h5", n=10, weight=np.ones(9))
    with pytest.raises(ValueError, match=r"short\.h5: key 'weight' has shape \(9,\), expected \(10\)"):
        load_jets(path)


def test_dropped_empty_jets_drop_their_weights(tmp_path):
    momenta, _ = random_jets(5, 4)
    momenta[2] = 0.0
    path = _add_weight(write_lgn(tmp_path / "e.h5", momenta, np.arange(5) % 2), np.arange(1.0, 6.0))
    with pytest.warns(UserWarning, match="dropping"):
        data = load_jets(path, max_particles=4, drop_empty=True)
    np.testing.assert_array_equal(data.weights.numpy(), [1.0, 2.0, 4.0, 5.0])


def test_glob_concatenates_weights_and_subset_keeps_them(tmp_path):
    for index in range(2):
        _generated_top_file(tmp_path / f"part{index}.h5", n=6, weight=np.arange(6.0) + 10 * index)
    data = load_jets(tmp_path / "part*.h5", max_particles=6)
    np.testing.assert_array_equal(data.weights.numpy(), [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15])
    np.testing.assert_array_equal(data.subset([11, 0, 7]).weights.numpy(), [15, 0, 11])
    np.testing.assert_array_equal(data.subset(slice(2, 4)).weights.numpy(), [2, 3])
    np.testing.assert_array_equal(data.subset(3).weights.numpy(), [3])


def test_mixing_files_with_and_without_weights_is_an_error(tmp_path):
    momenta, _ = random_jets(4, 4)
    _generated_top_file(tmp_path / "a.h5", n=4)
    write_lgn(tmp_path / "b.h5", momenta, np.arange(4) % 2, truth=np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match=r"'weights' missing in \[.*b\.h5"):
        load_jets(tmp_path / "*.h5", max_particles=6)


def test_jet_data_checks_weights():
    momenta = torch.zeros(3, 2, 4)
    mask = torch.ones(3, 2, dtype=torch.bool)
    labels = torch.zeros(3, dtype=torch.int64)
    with pytest.raises(ValueError, match=r"'weights' has shape \(3,\) and dtype torch.float32, expected \(3,\)"):
        JetData(momenta, mask, labels, weights=torch.ones(3), source="x")
    with pytest.raises(ValueError, match=r"'weights' has shape \(2,\)"):
        JetData(momenta, mask, labels, weights=torch.ones(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="'weights' must be finite and >= 0"):
        JetData(momenta, mask, labels, weights=torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64))
