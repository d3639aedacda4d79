"""Which jets each split of a jet-file config reads (real files, no mocks)."""

import numpy as np
import pytest
import torch

from experiments.common.jet_splits import jet_split_ranges, load_jet_splits
from lorentznets.data.readers import ReadingOptions
from tests.data.readers.jet_files import random_jets, write_jetclass, write_lgn


def config(**overrides):
    cfg = {
        "path": None,
        "files": None,
        "format": "auto",
        "max_particles": 8,
        "max_jets": None,
        "split_fractions": [0.5, 0.25, 0.25],
        "split_seed": 0,
        "generate": None,
    }
    return {**cfg, **overrides}


@pytest.mark.parametrize("fmt", ["auto", "lgatr_npz"])
def test_file_with_its_own_splits_is_read_split_by_split(tmp_path, fmt):
    arrays, sizes = {}, {"train": 20, "val": 6, "test": 9}
    for k, (split, n) in enumerate(sizes.items()):
        momenta, _ = random_jets(n, 8, seed=k)
        arrays[f"kinematics_{split}"] = momenta
        arrays[f"labels_{split}"] = (np.arange(n) + k) % 2
    path = tmp_path / "toptagging_full.npz"
    np.savez(path, **arrays)
    splits = load_jet_splits(config(path=str(path), format=fmt))
    for split, n in sizes.items():
        assert len(splits[split]) == n, split
        assert f"split {split}" in splits[split].source
        np.testing.assert_array_equal(splits[split].labels.numpy(), arrays[f"labels_{split}"])
    capped = load_jet_splits(config(path=str(path), format=fmt, max_jets=5))
    assert {split: len(jets) for split, jets in capped.items()} == {"train": 5, "val": 5, "test": 5}


def test_capped_one_class_per_file_glob_keeps_all_classes(tmp_path):
    for label in range(3):
        momenta, counts = random_jets(40, 6, seed=label)
        write_jetclass(tmp_path / f"C{label}_000.root", momenta, counts, np.full(40, label))
    splits = load_jet_splits(config(path=str(tmp_path / "*.root"), max_jets=60), ReadingOptions(impact_parameters=True))
    for jets in splits.values():
        assert set(jets.labels.tolist()) == {0, 1, 2}
        assert jets.scalars.shape[-1] == 10
    assert torch.bincount(torch.cat([jets.labels for jets in splits.values()])).tolist() == [20, 20, 20]


def test_a_training_file_read_by_another_split_is_refused(tmp_path, caplog):
    for k, name in enumerate(("a", "b", "c")):
        momenta, counts = random_jets(12, 8, seed=k)
        write_jetclass(tmp_path / f"{name}_000.root", momenta, counts, np.arange(12) % 10)
    shared = {
        "train": str(tmp_path / "a_000.root"),
        "val": str(tmp_path / "*_000.root"),
        "test": str(tmp_path / "c_000.root"),
    }
    with pytest.raises(ValueError, match=r"the train and val splits both read .*a_000\.root: give each split its own"):
        load_jet_splits(config(files=shared))
    with caplog.at_level("WARNING", logger="lorentznets"):
        splits = load_jet_splits(config(files={**shared, "val": str(tmp_path / "c_000.root")}))
    assert "the val and test splits both read" in caplog.text
    assert len(splits["train"]) == 12


def test_streamed_ranges_use_every_jet_of_every_file(tmp_path):
    # 30 jets: 15 + round(7.5) = 8 reach 23, the test range takes the last 7; 10 jets: 5 + 2, and
    # the test range takes the last 3 (rounding 0.25 * 10 down left jet 9 unused before).
    for name, n in (("a", 30), ("b", 10)):
        momenta, _ = random_jets(n, 6, seed=n)
        write_lgn(tmp_path / f"{name}.h5", momenta, np.arange(n) % 2)
    ranges = jet_split_ranges(config(path=str(tmp_path / "*.h5"), format="lgn_h5"))
    bounds = {split: [(part.path.name, part.start, part.stop) for part in parts] for split, parts in ranges.items()}
    assert bounds == {
        "train": [("a.h5", 0, 15), ("b.h5", 0, 5)],
        "val": [("a.h5", 15, 23), ("b.h5", 5, 7)],
        "test": [("a.h5", 23, 30), ("b.h5", 7, 10)],
    }
