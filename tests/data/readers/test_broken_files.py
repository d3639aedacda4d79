"""Files that cannot be read give errors naming the file: truncated HDF5, empty or cut archives,
a file that is not ROOT passed as ROOT."""

import numpy as np
import pytest

from lorentznets.data.readers import load_jets

from .jet_files import random_jets, write_lgn


def test_truncated_hdf5(tmp_path):
    momenta, _ = random_jets(200, 8)
    whole = write_lgn(tmp_path / "whole.h5", momenta, np.zeros(200, dtype=np.int64)).read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError) as error:
        load_jets(cut, format="lgn_h5")
    assert str(error.value).startswith(f"{cut}: cannot open as HDF5 ({len(whole) // 2} bytes): ")
    assert str(error.value).endswith("the file is truncated (an interrupted download or write?) or not HDF5")


def test_empty_hdf5_with_auto_detection(tmp_path):
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.h5: cannot open as HDF5 \(0 bytes\)"):
        load_jets(tmp_path / "empty.h5")


def test_empty_and_cut_npz(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz: cannot open as lgatr_npz: File is not a zip file"):
        load_jets(tmp_path / "empty.npz", split="test")
    momenta, _ = random_jets(100, 8)
    np.savez(tmp_path / "whole.npz", kinematics_test=momenta, labels_test=np.zeros(100))
    data = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz: cannot open as lgatr_npz"):
        load_jets(tmp_path / "cut.npz", split="test")


def test_not_root_passed_as_root(tmp_path):
    path = tmp_path / "QCD_000.root"
    path.write_text("this is a text file, not ROOT\n" * 20)
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value).startswith(f"{path}: cannot open as a ROOT file (600 bytes): ")
    assert str(error.value).endswith("; it is truncated or not ROOT")
