"""pandas/PyTables unpickle HDF5 attributes: a file whose pickles would import anything (and so
could run code) is refused before pandas opens it; pandas' own attributes pass."""

from pathlib import Path

import h5py
import numpy as np
import pytest

from lorentznets.data.convert import PandasHDFFrame
from lorentznets.data.readers import load_jets

tables = pytest.importorskip("tables", reason="pandas needs 'tables' to write HDF5 frames")


def _landscape_table(path: Path) -> Path:
    from tests.data.readers.jet_files import write_landscape

    rng = np.random.default_rng(0)
    momenta = rng.normal(size=(6, 3, 4))
    momenta[..., 0] = np.linalg.norm(momenta[..., 1:], axis=-1) + 1.0
    return write_landscape(path, momenta, np.arange(6) % 2, np.zeros((6, 4)), fmt="table")


def _plant(path: Path, marker: Path, variable_length: bool) -> None:
    """Replace the frame's index_cols attribute by a protocol-0 pickle that calls eval, keeping its
    value; as a fixed-length byte string, or a variable-length ASCII string (h5py reads those as str,
    PyTables as bytes, and unpickles them)."""
    with tables.open_file(path, "a") as file:
        source = f"(open({str(marker)!r}, 'w').close() and 0) or {file.root.table._v_attrs['index_cols']!r}"
    payload = b"c__builtin__\neval\n(V" + source.encode() + b"\ntR."
    with h5py.File(path, "a") as file:
        del file["table"].attrs["index_cols"]
        if variable_length:
            file["table"].attrs.create("index_cols", payload, dtype=h5py.string_dtype("ascii"))
        else:
            file["table"].attrs["index_cols"] = np.bytes_(payload)


@pytest.mark.parametrize("variable_length", [False, True])
def test_a_pickle_that_imports_is_refused_before_pandas_runs_it(tmp_path, variable_length):
    path, marker = _landscape_table(tmp_path / "evil.h5"), tmp_path / "ran"
    assert len(load_jets(path).labels) == 6  # the untouched table-format file reads
    _plant(path, marker, variable_length)
    with pytest.raises(ValueError, match=r"evil\.h5: attribute 'index_cols' of 'table' is a pickle that imports "):
        load_jets(path)
    with pytest.raises(ValueError, match="would run it, so it is refused"):
        PandasHDFFrame(path)
    assert not marker.exists()
