import re

import h5py
import numpy as np
import pytest

from lorentznets.data.readers import available_formats, detect_format, load_jets

from .jet_files import random_jets, write_energyflow, write_jetclass, write_landscape, write_lgn


def test_available_formats():
    assert available_formats() == [
        "lgn_h5",
        "landscape_h5",
        "lgatr_npz",
        "energyflow_npz",
        "jetclass_root",
    ]


def test_auto_detection_of_every_format(tmp_path):
    pytest.importorskip("tables")
    momenta, counts = random_jets(6, 5)
    labels = np.arange(6) % 2
    write_lgn(tmp_path / "a.h5", momenta, labels)
    write_landscape(tmp_path / "b.h5", momenta, labels, np.zeros((6, 4)))
    np.savez(tmp_path / "c.npz", kinematics_test=momenta, labels_test=labels)
    particles = np.zeros((6, 5, 4))
    particles[:, 0] = [100.0, 0.1, 0.2, 22]
    write_energyflow(tmp_path / "d.npz", particles, labels)
    write_jetclass(tmp_path / "e.root", momenta, counts, labels)
    expected = ["lgn_h5", "landscape_h5", "lgatr_npz", "energyflow_npz", "jetclass_root"]
    for name, fmt in zip("abcde", expected, strict=True):
        path = next(tmp_path.glob(f"{name}.*"))
        assert detect_format(path) == fmt
        split = "test" if fmt == "lgatr_npz" else None
        assert len(load_jets(path, split=split, max_particles=5)) == 6


def test_unknown_format_lists_formats(tmp_path):
    with pytest.raises(
        ValueError, match=r"unknown jet format 'csv'; available: \['auto', 'lgn_h5', .*'jetclass_root'\]"
    ):
        load_jets(tmp_path / "x.csv", format="csv")


def test_undetectable_file(tmp_path):
    with h5py.File(tmp_path / "other.h5", "w") as file:
        file["foo"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"other\.h5: cannot detect the jet format .* pass format= one of"):
        load_jets(tmp_path / "other.h5")
    (tmp_path / "notes.txt").write_text("jets")
    with pytest.raises(ValueError, match=r"notes\.txt: cannot detect the jet format from suffix '\.txt'"):
        load_jets(tmp_path / "notes.txt")


def test_corrupt_file_names_path(tmp_path):
    (tmp_path / "broken.h5").write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match=r"broken\.h5: cannot open as HDF5 \(8 bytes\).* truncated .* or not HDF5"):
        load_jets(tmp_path / "broken.h5")


def test_missing_file_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothere\.h5: no such file"):
        load_jets(tmp_path / "nothere.h5")
    with pytest.raises(FileNotFoundError, match=r"nothere\.h5: no such file"):
        load_jets(tmp_path / "nothere.h5", format="lgn_h5")
    with pytest.raises(FileNotFoundError, match=r"\*\.root: no file matches this pattern"):
        load_jets(tmp_path / "*.root")
    with pytest.raises(FileNotFoundError, match="is a directory; pass a file or a glob"):
        load_jets(tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_particles": 0}, "max_particles must be a positive integer, got 0"),
        ({"max_jets": -1}, "max_jets must be a non-negative integer or None, got -1"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    momenta, _ = random_jets(3, 4)
    path = write_lgn(tmp_path / "a.h5", momenta, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match=message):
        load_jets(path, **kwargs)


def test_max_jets_zero_gives_empty_data(tmp_path):
    momenta, _ = random_jets(3, 4)
    path = write_lgn(tmp_path / "a.h5", momenta, np.zeros(3, dtype=int))
    data = load_jets(path, max_jets=0, max_particles=4)
    assert len(data) == 0 and data.momenta.shape == (0, 4, 4)


def test_auto_detected_file_with_missing_key_names_the_key(tmp_path):
    momenta, _ = random_jets(3, 4)
    with h5py.File(tmp_path / "partial.h5", "w") as file:
        file["Pmu"] = momenta
    with pytest.raises(KeyError, match=r"partial\.h5: missing key 'Nobj'; keys present: \['Pmu'\]"):
        load_jets(tmp_path / "partial.h5")
    np.savez(tmp_path / "qg.npz", X=np.zeros((2, 3, 4)))
    with pytest.raises(KeyError, match=r"qg\.npz: missing key 'y'; keys present: \['X'\]"):
        load_jets(tmp_path / "qg.npz")


@pytest.mark.parametrize(
    "name, fmt, message", [("c.h5", "lgn_h5", "cannot open as HDF5"), ("c.npz", "energyflow_npz", "cannot read as")]
)
def test_corrupt_file_with_explicit_format_names_path(tmp_path, name, fmt, message):
    (tmp_path / name).write_bytes(b"garbage")
    with pytest.raises(ValueError, match=rf"{re.escape(name)}: {message}"):
        load_jets(tmp_path / name, format=fmt)
