import numpy as np
import pytest
import torch

from lorentznets.data.readers import load_jets
from lorentznets.data.readers.file_ranges import file_ranges, proportional_counts
from lorentznets.data.readers.formats import READERS

from .jet_files import random_jets, write_jetclass, write_landscape, write_lgn


@pytest.mark.parametrize(
    ("sizes", "total", "expected"),
    [
        ([100, 100, 50], 100, [40, 40, 20]),
        ([5, 5], 7, [4, 3]),
        ([3, 0, 3], 100, [3, 0, 3]),
        ([10, 10, 10], 2, [1, 1, 0]),
        ([7], 4, [4]),
    ],
)
def test_proportional_counts(sizes, total, expected):
    counts = proportional_counts(sizes, total)
    assert counts == expected
    assert sum(counts) == min(total, sum(sizes))


def test_capped_glob_keeps_every_class_in_proportion(tmp_path):
    # One class per file, as JetClass: the first 30 jets in file order would all be class 0.
    for label, n in enumerate([40, 20, 20]):
        momenta, counts = random_jets(n, 5, seed=label)
        write_jetclass(tmp_path / f"C{label}_000.root", momenta, counts, np.full(n, label))
    ranges = file_ranges(tmp_path / "*.root", max_jets=30)
    assert [(r.path.name, r.start, r.stop) for r in ranges] == [
        ("C0_000.root", 0, 15),
        ("C1_000.root", 0, 8),
        ("C2_000.root", 0, 7),
    ]
    data = load_jets(tmp_path / "*.root", max_jets=30)
    assert torch.bincount(data.labels).tolist() == [15, 8, 7]


@pytest.mark.parametrize("fmt", ["lgn_h5", "landscape_h5", "jetclass_root"])
def test_read_range_equals_slice_of_whole_file(tmp_path, fmt):
    momenta, counts = random_jets(30, 9, seed=3)
    momenta = momenta.astype(np.float32).astype(np.float64)
    labels = np.arange(30) % 2
    if fmt == "lgn_h5":
        path = write_lgn(tmp_path / "f.h5", momenta, labels)
    elif fmt == "landscape_h5":
        path = write_landscape(tmp_path / "f.h5", momenta, labels, momenta.sum(axis=1))
    else:
        path, _ = write_jetclass(tmp_path / "f.root", momenta, counts, labels)
    whole = load_jets(path, format=fmt, max_particles=6)
    part = READERS[fmt].read_range(path, 11, 23, 6)
    for field in ("momenta", "mask", "labels", "scalars", "truth"):
        expected = getattr(whole.subset(slice(11, 23)), field)
        if expected is None:
            assert getattr(part, field) is None
        else:
            torch.testing.assert_close(getattr(part, field), expected)
    assert "jets 11-23" in part.source


def test_range_read_names_file_index_of_a_bad_jet(tmp_path):
    momenta, counts = random_jets(20, 4, seed=1)
    momenta[15, 0, 0] = -5.0  # negative energy
    path = write_lgn(tmp_path / "bad.h5", momenta, np.arange(20) % 2)
    READERS["lgn_h5"].read_range(path, 0, 10, 4)
    with pytest.raises(ValueError, match=r"bad\.h5: key 'Pmu' has negative energy .* first at jet 15"):
        READERS["lgn_h5"].read_range(path, 10, 20, 4)


def test_impact_parameters_through_load_jets(tmp_path):
    momenta, counts = random_jets(6, 5, seed=2)
    path, _ = write_jetclass(tmp_path / "a.root", momenta, counts, np.arange(6) % 10)
    assert load_jets(path, impact_parameters=True).scalars.shape[-1] == 10
    assert load_jets(path).scalars.shape[-1] == 6
    other = write_lgn(tmp_path / "b.h5", momenta, np.arange(6) % 2)
    with pytest.raises(ValueError, match=r"b\.h5: impact_parameters=True needs JetClass ROOT files"):
        load_jets(other, impact_parameters=True)
