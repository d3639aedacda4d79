import numpy as np
import pytest

from lorentznets.data.convert import NpzArray, npz_keys


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_blocks_reassemble_the_array(tmp_path, save):
    a = np.random.default_rng(0).normal(size=(23, 3, 4)).astype(np.float32)
    save(tmp_path / "a.npz", X=a, y=np.arange(23))
    assert npz_keys(tmp_path / "a.npz") == ["X", "y"]
    array = NpzArray(tmp_path / "a.npz", "X")
    assert array.shape == (23, 3, 4) and array.dtype == np.float32 and len(array) == 23
    blocks = list(array.iter_blocks(5))
    assert [start for start, _ in blocks] == [0, 5, 10, 15, 20]
    np.testing.assert_array_equal(np.concatenate([b for _, b in blocks]), a)
    np.testing.assert_array_equal(np.concatenate([b for _, b in array.iter_blocks(5, 7)]), a[:7])
    np.testing.assert_array_equal(array.read(), a)


def test_fortran_order(tmp_path):
    a = np.asfortranarray(np.arange(24.0).reshape(6, 4))
    np.savez(tmp_path / "f.npz", X=a)
    np.testing.assert_array_equal(np.concatenate([b for _, b in NpzArray(tmp_path / "f.npz", "X").iter_blocks(4)]), a)


def test_missing_key_and_file(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.zeros(3))
    with pytest.raises(KeyError, match=r"a\.npz: missing key 'y'; keys present: \['X'\]"):
        NpzArray(tmp_path / "a.npz", "y")
    with pytest.raises(FileNotFoundError, match=r"b\.npz: no such file"):
        NpzArray(tmp_path / "b.npz", "X")


def test_object_arrays_are_rejected(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([[1.0], None], dtype=object))
    with pytest.raises(ValueError, match=r"o\.npz: key 'X' holds Python objects"):
        NpzArray(tmp_path / "o.npz", "X")
