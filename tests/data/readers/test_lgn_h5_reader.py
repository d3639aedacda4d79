import h5py
import numpy as np
import pytest
import torch

from lorentznets.data.readers import load_jets
from lorentznets.data.readers.formats import READERS

from .jet_files import random_jets, reference_order, write_lgn


@pytest.fixture
def jets():
    momenta, counts = random_jets(40, 12, seed=1)
    labels = np.arange(40) % 2
    truth = np.random.default_rng(2).normal(size=(40, 4))
    return momenta, counts, labels, truth


@pytest.mark.parametrize("max_particles", [12, 5, 20])
def test_values_order_mask_labels(tmp_path, jets, max_particles):
    momenta, counts, labels, truth = jets
    path = write_lgn(tmp_path / "test.h5", momenta, labels, truth)
    data = load_jets(path, max_particles=max_particles)
    expected, mask = reference_order(momenta, max_particles)
    assert data.momenta.shape == (40, max_particles, 4)
    assert data.momenta.dtype == torch.float32
    np.testing.assert_allclose(data.momenta.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(data.mask.numpy(), mask)
    np.testing.assert_array_equal(data.mask.sum(1).numpy(), np.minimum(counts, max_particles))
    assert data.labels.dtype == torch.int64
    np.testing.assert_array_equal(data.labels.numpy(), labels)
    np.testing.assert_allclose(data.truth.numpy(), truth, rtol=1e-6)
    assert data.scalars is None
    assert "test.h5" in data.source and "lgn_h5" in data.source


def test_scalars_follow_their_constituents(tmp_path, jets):
    momenta, _, labels, _ = jets
    # Tag each constituent with its own pT so that reordering can be checked after the sort.
    pt = np.hypot(momenta[..., 1], momenta[..., 2])
    scalars = np.stack([pt, -pt], axis=-1)
    path = write_lgn(tmp_path / "s.h5", momenta, labels, scalars=scalars)
    data = load_jets(path, format="lgn_h5", max_particles=8)
    pt_read = torch.hypot(data.momenta[..., 1], data.momenta[..., 2])
    torch.testing.assert_close(data.scalars[..., 0], pt_read, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(data.scalars[..., 1], -pt_read, rtol=1e-5, atol=1e-4)


def test_nan_scalars_name_the_file_count_and_first_jet(tmp_path, jets):
    momenta, _, labels, _ = jets
    scalars = np.zeros(momenta.shape[:2] + (2,))
    scalars[[11, 25], 0, 1] = np.nan
    scalars[30, 1, 0] = np.inf
    path = write_lgn(tmp_path / "s.h5", momenta, labels, scalars=scalars)
    with pytest.raises(ValueError, match=r"s\.h5.*scalars have NaN/inf values in 3 jet\(s\); first bad jet index 11"):
        load_jets(path)
    # a range read names the file's own index
    reader = READERS["lgn_h5"]
    with pytest.raises(ValueError, match="in 2 jet\\(s\\); first bad jet index 25"):
        reader.read_range(path, 20, 40, 8)


def test_max_jets(tmp_path, jets):
    momenta, _, labels, truth = jets
    data = load_jets(write_lgn(tmp_path / "t.h5", momenta, labels, truth), max_jets=7)
    assert len(data) == 7
    np.testing.assert_array_equal(data.labels.numpy(), labels[:7])


def test_nan_momenta_name_file_key_count_and_first_jet(tmp_path, jets):
    momenta, _, labels, _ = jets
    momenta[5, 0, 0] = np.nan
    momenta[9, 0, 2] = np.inf
    path = write_lgn(tmp_path / "bad.h5", momenta, labels)
    with pytest.raises(ValueError, match=r"bad\.h5: key 'Pmu' has NaN/inf values in 2 jet\(s\); first bad jet index 5"):
        load_jets(path)


def test_missing_key_names_file_key_and_keys_present(tmp_path, jets):
    momenta, _, labels, _ = jets
    path = write_lgn(tmp_path / "m.h5", momenta, labels)
    with h5py.File(path, "a") as file:
        del file["is_signal"]
    with pytest.raises(KeyError, match=r"m\.h5: missing key 'is_signal'; keys present: \['Nobj', 'Pmu', 'label'\]"):
        load_jets(path, format="lgn_h5")


def test_wrong_shape_names_file_key_shape_and_expected(tmp_path, jets):
    momenta, _, labels, _ = jets
    path = write_lgn(tmp_path / "w.h5", momenta[..., :3], labels)
    with pytest.raises(ValueError, match=r"w\.h5: key 'Pmu' has shape \(40, 12, 3\), expected \(\*, \*, 4\)"):
        load_jets(path, format="lgn_h5")


def test_nobj_disagreeing_with_mask(tmp_path, jets):
    momenta, counts, labels, _ = jets
    path = write_lgn(tmp_path / "n.h5", momenta, labels)
    with h5py.File(path, "a") as file:
        file["Nobj"][3] = counts[3] + 1
    with pytest.raises(ValueError, match=r"n\.h5: key 'Nobj' says jet 3 has"):
        load_jets(path)


def test_labels_must_be_binary(tmp_path, jets):
    momenta, _, labels, _ = jets
    labels = labels.copy()
    labels[4] = 2
    path = write_lgn(tmp_path / "l.h5", momenta, labels)
    with pytest.raises(ValueError, match=r"l\.h5: key 'is_signal' must be 0 or 1; jet 4 has"):
        load_jets(path)


def test_empty_jets_raise_or_are_dropped(tmp_path, jets):
    momenta, _, labels, _ = jets
    momenta[[6, 30]] = 0.0
    path = write_lgn(tmp_path / "e.h5", momenta, labels)
    with pytest.raises(ValueError, match=r"e\.h5.*: 2 jet\(s\) have no constituents.*first empty jet index 6"):
        load_jets(path)
    with pytest.warns(UserWarning, match="2 jet"):
        data = load_jets(path, drop_empty=True)
    assert len(data) == 38
    keep = np.setdiff1d(np.arange(40), [6, 30])
    np.testing.assert_array_equal(data.labels.numpy(), labels[keep])
    assert data.mask.any(dim=1).all()
    # a range read names the file's own index
    with pytest.raises(ValueError, match="1 jet\\(s\\) have no constituents.*first empty jet index 30; remove them"):
        READERS["lgn_h5"].read_range(path, 10, 40, 8)


def test_split_is_rejected_for_one_split_per_file(tmp_path, jets):
    momenta, _, labels, _ = jets
    path = write_lgn(tmp_path / "s.h5", momenta, labels)
    with pytest.raises(ValueError, match="format 'lgn_h5' stores one split per file; got split='test'"):
        load_jets(path, split="test")
