import h5py
import numpy as np
import pandas as pd
import pytest

from lorentznets.data.convert import PandasHDFFrame, is_pandas_frame

pytest.importorskip("tables", reason="pandas needs 'tables' to write HDF5 frames")


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=50).astype(np.float32),
            "n": np.arange(50),
            "b": rng.normal(size=50),
            "c": rng.normal(size=50).astype(np.float32),
        }
    )


@pytest.mark.parametrize("fmt", ["fixed", "table"])
def test_columns_rows_and_mixed_dtype_blocks(tmp_path, frame, fmt):
    frame.to_hdf(tmp_path / "f.h5", key="table", format=fmt)
    assert is_pandas_frame(tmp_path / "f.h5")
    with PandasHDFFrame(tmp_path / "f.h5") as stored:
        assert stored.format == fmt
        assert stored.columns == ["a", "n", "b", "c"]
        assert stored.num_rows == 50
        np.testing.assert_array_equal(stored.read(["c", "a"], 10, 20), frame[["c", "a"]].to_numpy()[10:20])
        np.testing.assert_array_equal(stored.read(["n", "b"], 45, 50), frame[["n", "b"]].to_numpy()[45:])


def test_missing_column_and_key(tmp_path, frame):
    frame.to_hdf(tmp_path / "f.h5", key="table")
    with PandasHDFFrame(tmp_path / "f.h5") as stored:
        with pytest.raises(KeyError, match=r"f\.h5: frame 'table' has no column 'zz'; columns present: \[a, n, b, c\]"):
            stored.read(["a", "zz"], 0, 1)
    with pytest.raises(KeyError, match=r"f\.h5: missing key 'jets'; keys present: \['table'\]"):
        PandasHDFFrame(tmp_path / "f.h5", "jets")


def test_not_a_frame(tmp_path):
    with h5py.File(tmp_path / "g.h5", "w") as file:
        file.create_group("table")["x"] = np.zeros(2)
    assert not is_pandas_frame(tmp_path / "g.h5")
    with pytest.raises(ValueError, match=r"g\.h5: key 'table' is not a pandas frame"):
        PandasHDFFrame(tmp_path / "g.h5")
