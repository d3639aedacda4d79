import numpy as np
import pytest

from lorentznets.data.readers import load_jets

from .jet_files import random_jets, reference_order


@pytest.fixture
def archive(tmp_path):
    splits = {}
    arrays = {}
    for k, (split, n) in enumerate([("train", 20), ("val", 6), ("test", 9)]):
        momenta, _ = random_jets(n, 15, seed=10 + k)
        labels = (np.arange(n) + k) % 2
        splits[split] = (momenta, labels)
        arrays[f"kinematics_{split}"] = momenta
        arrays[f"labels_{split}"] = labels
    path = tmp_path / "toptagging_full.npz"
    np.savez(path, **arrays)
    return path, splits


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_each_split(archive, split):
    path, splits = archive
    momenta, labels = splits[split]
    data = load_jets(path, split=split, max_particles=10)
    expected, mask = reference_order(momenta, 10)
    np.testing.assert_allclose(data.momenta.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(data.mask.numpy(), mask)
    np.testing.assert_array_equal(data.labels.numpy(), labels)
    assert data.scalars is None and data.truth is None
    assert f"split {split}" in data.source


def test_split_required_and_listed(archive):
    path, _ = archive
    with pytest.raises(ValueError, match=r"split None not available; choose split from \['train', 'val', 'test'\]"):
        load_jets(path)
    with pytest.raises(ValueError, match=r"split 'valid' not available"):
        load_jets(path, format="lgatr_npz", split="valid")


def test_missing_labels_key(tmp_path):
    momenta, _ = random_jets(4, 5)
    np.savez(tmp_path / "a.npz", kinematics_test=momenta)
    with pytest.raises(KeyError, match=r"a\.npz: missing key 'labels_test'; keys present: \['kinematics_test'\]"):
        load_jets(tmp_path / "a.npz", split="test")


def test_label_length_mismatch(tmp_path):
    momenta, _ = random_jets(4, 5)
    np.savez(tmp_path / "b.npz", kinematics_test=momenta, labels_test=np.zeros(3))
    with pytest.raises(ValueError, match=r"b\.npz: key 'labels_test' has shape \(3,\), expected \(4\)"):
        load_jets(tmp_path / "b.npz", split="test")


def test_nan(tmp_path):
    momenta, _ = random_jets(4, 5)
    momenta[2, 0, 3] = np.inf
    np.savez(tmp_path / "c.npz", kinematics_test=momenta, labels_test=np.zeros(4))
    with pytest.raises(
        ValueError,
        match=r"c\.npz: key 'kinematics_test' has NaN/inf values in 1 jet\(s\); first bad jet index 2",
    ):
        load_jets(tmp_path / "c.npz", split="test")
