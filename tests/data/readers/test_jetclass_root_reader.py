import awkward as ak
import numpy as np
import pytest
import torch
import uproot

from lorentznets.data.readers import load_jets
from lorentznets.data.readers.jetclass_root import LABELS, PID_BRANCHES, iter_jetclass_chunks
from lorentznets.data.readers.jetclass_root import read as read_jetclass

from .jet_files import random_jets, write_jetclass


def reference(momenta, features, names, max_particles):
    """Jet-by-jet sort by decreasing pT of the real constituents, features alongside."""
    n = len(momenta)
    out = np.zeros((n, max_particles, 4))
    feats = np.zeros((n, max_particles, len(names)))
    for j in range(n):
        real = [i for i in range(momenta.shape[1]) if np.any(momenta[j, i] != 0)]
        real.sort(key=lambda i: -np.hypot(momenta[j, i, 1], momenta[j, i, 2]))
        for slot, i in enumerate(real[:max_particles]):
            out[j, slot] = momenta[j, i]
            feats[j, slot] = [features[name][j, i] for name in names]
    return out, feats


@pytest.fixture
def jetclass(tmp_path):
    momenta, counts = random_jets(24, 14, seed=7)
    momenta = momenta.astype(np.float32).astype(np.float64)
    classes = np.arange(24) % 10
    path, features = write_jetclass(tmp_path / "HToBB_000.root", momenta, counts, classes)
    return path, momenta, counts, classes, features


@pytest.mark.parametrize("max_particles", [14, 5])
def test_values_order_scalars_labels(jetclass, max_particles):
    path, momenta, counts, classes, features = jetclass
    data = load_jets(path, max_particles=max_particles)
    expected, feats = reference(momenta, features, PID_BRANCHES, max_particles)
    np.testing.assert_array_equal(data.momenta.numpy(), expected.astype(np.float32))
    np.testing.assert_array_equal(data.mask.sum(1).numpy(), np.minimum(counts, max_particles))
    np.testing.assert_array_equal(data.scalars.numpy(), feats.astype(np.float32))
    np.testing.assert_array_equal(data.labels.numpy(), classes)
    assert data.scalars.shape[-1] == 6
    assert data.truth is None


def test_impact_parameters(jetclass):
    path, momenta, _, _, features = jetclass
    data = read_jetclass(path, None, 14, None, impact_parameters=True)
    extra = dict(features)
    extra["t_d0"] = np.tanh(features["part_d0val"])
    extra["t_dz"] = np.tanh(features["part_dzval"])
    names = list(PID_BRANCHES) + ["t_d0", "part_d0err", "t_dz", "part_dzerr"]
    _, feats = reference(momenta, extra, names, 14)
    assert data.scalars.shape[-1] == 10
    torch.testing.assert_close(data.scalars, torch.from_numpy(feats.astype(np.float32)))


def test_glob_of_files_is_concatenated_in_sorted_order(tmp_path):
    parts = []
    for k, name in enumerate(["ZToQQ_001.root", "HToBB_000.root"]):
        momenta, counts = random_jets(5, 6, seed=20 + k)
        path, _ = write_jetclass(tmp_path / name, momenta, counts, np.full(5, 6 - k * 5))
        parts.append((name, momenta))
    data = load_jets(tmp_path / "*.root", max_particles=6)
    assert len(data) == 10
    # Sorted file order: HToBB (class 1) first, then ZToQQ (class 6).
    np.testing.assert_array_equal(data.labels.numpy(), [1] * 5 + [6] * 5)
    assert "2 files" in data.source
    # A cap is shared in proportion (4 + 3), not taken from the first file: both classes stay.
    limited = load_jets(str(tmp_path / "*.root"), max_jets=7)
    np.testing.assert_array_equal(limited.labels.numpy(), [1] * 4 + [6] * 3)


def test_missing_branch(tmp_path):
    with uproot.recreate(tmp_path / "m.root") as file:
        file["tree"] = {"part_energy": ak.Array([[1.0], [2.0]])}
    with pytest.raises(KeyError, match=r"m\.root:tree: missing key 'part_px'; keys present: \['part_energy'\]"):
        load_jets(tmp_path / "m.root", format="jetclass_root")


def test_missing_tree(tmp_path):
    with uproot.recreate(tmp_path / "t.root") as file:
        file["events"] = {"x": np.zeros(3)}
    with pytest.raises(KeyError, match=r"t\.root: missing key 'tree'; keys present: \['events'\]"):
        load_jets(tmp_path / "t.root", format="jetclass_root")


def test_labels_must_be_one_hot(tmp_path):
    momenta, counts = random_jets(4, 5)
    path, _ = write_jetclass(tmp_path / "l.root", momenta, counts, np.array([0, 1, 2, 11]))
    with pytest.raises(ValueError, match=r"l\.root: branches label_\* must flag exactly one class per jet; jet 3"):
        load_jets(path)


def test_label_flags_must_be_0_or_1(tmp_path):
    # Two half flags sum to 1 as well; jet 5 of 6, read in chunks of 2, is named by its index in the file.
    momenta, counts = random_jets(6, 5)
    classes = np.zeros(6, dtype=int)
    half = np.array([0, 0, 0, 0, 0, 0.5], np.float32)
    replace = {"label_QCD": (classes == 0) * (1 - half), "label_Tbl": half}
    path, _ = write_jetclass(tmp_path / "h.root", momenta, counts, classes, replace=replace)
    with pytest.raises(
        ValueError, match=r"h\.root: branch 'label_QCD' is 0\.5 in jet 5; label_\* flags must be 0 or 1"
    ):
        list(iter_jetclass_chunks(path, 5, None, chunk_size=2))


def test_branches_of_another_length_name_both_branches_and_the_jet(tmp_path):
    momenta, counts = random_jets(6, 5)
    charge = [np.zeros(n + (j == 4), np.float32).tolist() for j, n in enumerate(counts)]
    path, _ = write_jetclass(
        tmp_path / "c.root", momenta, counts, np.zeros(6, dtype=int), replace={"part_charge": ak.Array(charge)}
    )
    message = (
        rf"c\.root: branch 'part_charge' has {counts[4] + 1} entries in jet 4 but branch 'part_energy' has "
        rf"{counts[4]}; every part_\* branch needs one entry per constituent"
    )
    with pytest.raises(ValueError, match=message):
        list(iter_jetclass_chunks(path, 5, None, chunk_size=3))


def test_nan(tmp_path):
    momenta, counts = random_jets(4, 5)
    momenta[1, 0, 2] = np.nan
    path, _ = write_jetclass(tmp_path / "n.root", momenta, counts, np.zeros(4, dtype=int))
    with pytest.raises(
        ValueError,
        match=r"n\.root: key 'part_energy/part_px/part_py/part_pz' has NaN/inf values in 1 jet\(s\); "
        r"first bad jet index 1",
    ):
        load_jets(path)


def test_empty_jet(tmp_path):
    momenta, counts = random_jets(4, 5)
    counts[2] = 0
    path, _ = write_jetclass(tmp_path / "e.root", momenta, counts, np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="1 jet.*first empty jet index 2"):
        load_jets(path)
    with pytest.warns(UserWarning):
        assert len(load_jets(path, drop_empty=True)) == 3


def test_class_order():
    assert LABELS[0] == "label_QCD" and LABELS[8] == "label_Tbqq" and LABELS[9] == "label_Tbl"
