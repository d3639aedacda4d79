"""Chunked column access to a DataFrame stored in HDF5 by ``pandas.DataFrame.to_hdf``.

The top-tagging landscape files use pandas' default ``fixed`` format: a group ``<key>`` with
``axis0`` (column names), ``axis1`` (row index) and, per dtype block ``i``, ``block<i>_items``
(its column names) and ``block<i>_values`` (rows x items). That layout is plain HDF5, so it is
read here with h5py, row range by row range, without PyTables. The ``table`` format
(``format="table"``) keeps its column names in pickled attributes and is read through pandas,
which needs the ``tables`` package; so is a fixed frame compressed with a filter that h5py lacks
(``complib="blosc"`` or ``"bzip2"``; PyTables brings its own). PyTables unpickles attributes, so a
file whose pickles would import anything is refused before pandas opens it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .checks import require_file
from .h5_files import h5py_module, open_h5
from .safe_pickles import refuse_pickled_code

if TYPE_CHECKING:
    import h5py


def _describe_columns(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:8])
    more = f", ... ({len(columns)} in all)" if len(columns) > 8 else ""
    return f"[{shown}{more}]"


class PandasHDFFrame:
    """Read selected columns of a pandas HDF5 frame over row ranges.

    Parameters
    ----------
    path : str or os.PathLike
        The HDF5 file.
    key : str
        The frame's key in the file (``df.to_hdf(path, key=...)``).

    Examples
    --------
    >>> with PandasHDFFrame("train.h5", "table") as frame:  # doctest: +SKIP
    ...     first = frame.read(["E_0", "PX_0"], 0, 1000)   # (1000, 2)
    """

    def __init__(self, path: str | os.PathLike, key: str = "table") -> None:
        self.path = require_file(path)
        self.key = key
        self._file = open_h5(self.path)
        self._store = None
        try:
            self._open(key)
        except BaseException:
            self.close()
            raise

    def _open(self, key: str) -> None:
        h5py = h5py_module()
        if key not in self._file:
            raise KeyError(f"{self.path}: missing key '{key}'; keys present: {sorted(self._file.keys())}")
        group = self._file[key]
        if isinstance(group, h5py.Group) and "block0_values" in group:
            self.format = "fixed"
            # pandas stores an empty array as a placeholder of shape (1,) * ndim with its true
            # shape, pickled, in the attribute 'shape'; its presence alone says 0 rows.
            self.num_rows = 0 if "shape" in group["axis1"].attrs else int(group["axis1"].shape[0])
            missing = _unavailable_filters(group)
            if missing:
                self._open_store(key, f"compressed with the HDF5 filter {missing}, which h5py cannot read here")
                return
            self._blocks: list[h5py.Dataset] = []
            self._where: dict[str, tuple[int, int]] = {}
            for i in range(int(group.attrs.get("nblocks", 0))):
                self._blocks.append(group[f"block{i}_values"])
                for j, name in enumerate(group[f"block{i}_items"][()]):
                    self._where[name.decode() if isinstance(name, bytes) else str(name)] = (i, j)
            self.columns = [n.decode() if isinstance(n, bytes) else str(n) for n in group["axis0"]]
        elif isinstance(group, h5py.Group) and "table" in group:
            self.format = "table"
            self._open_store(key, "in pandas 'table' format")
            self.num_rows = int(self._store.get_storer(key).nrows)
        else:
            raise ValueError(
                f"{self.path}: key '{key}' is not a pandas frame (expected 'block0_values' of the "
                f"fixed format or 'table' of the table format; found {sorted(group)})"
            )

    def _open_store(self, key: str, why: str) -> None:
        """Read the frame through pandas instead of h5py (``why`` says why, for the message), after
        checking that no pickled attribute would run code (:func:`.safe_pickles.refuse_pickled_code`)."""
        refuse_pickled_code(self._file, self.path)
        self._file.close()
        try:
            import pandas as pd
            import tables  # noqa: F401  (pandas needs it to read HDF5)
        except ImportError as error:
            raise ImportError(
                f"{self.path}: frame '{key}' is {why}; reading it needs the 'tables' package (pip install "
                "tables), or re-save it with pandas' default compression: df.to_hdf(..., complib='zlib')"
            ) from error
        self._store = pd.HDFStore(self.path, mode="r")
        self.columns = [str(c) for c in self._store.select(key, start=0, stop=0).columns]

    def require_columns(self, columns: Sequence[str]) -> None:
        """Raise ``KeyError`` naming the file, key and first missing column."""
        present = set(self.columns)
        for column in columns:
            if column not in present:
                raise KeyError(
                    f"{self.path}: frame '{self.key}' has no column '{column}'; columns present: "
                    f"{_describe_columns(self.columns)}"
                )

    def read(self, columns: Sequence[str], start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of ``columns``.

        Returns
        -------
        np.ndarray with shape (stop - start, len(columns)), the common dtype of the columns
        """
        self.require_columns(columns)
        if self._store is not None:
            # The table format decodes only the columns asked for; the fixed format takes no selection.
            selection = {"columns": list(columns)} if self.format == "table" else {}
            return self._store.select(self.key, start=start, stop=stop, **selection)[list(columns)].to_numpy()
        wanted_blocks = sorted({self._where[c][0] for c in columns})
        rows = {i: self._blocks[i][start:stop] for i in wanted_blocks}
        dtype = np.result_type(*(rows[i].dtype for i in wanted_blocks))
        out = np.empty((len(rows[wanted_blocks[0]]), len(columns)), dtype=dtype)
        for i in wanted_blocks:
            positions = [k for k, c in enumerate(columns) if self._where[c][0] == i]
            items = [self._where[columns[k]][1] for k in positions]
            out[:, positions] = rows[i][:, items]
        return out

    def close(self) -> None:
        """Close the underlying file."""
        if self._store is not None:
            self._store.close()
        if self._file:
            self._file.close()

    def __enter__(self) -> PandasHDFFrame:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _unavailable_filters(group: h5py.Group) -> str:
    """The names of the HDF5 filters (e.g. 'blosc', 'bzip2') of the datasets in ``group`` that this
    h5py cannot decode, comma-separated; empty when it reads them all."""
    h5py = h5py_module()
    names = set()
    for dataset in group.values():
        if not isinstance(dataset, h5py.Dataset):
            continue
        plist = dataset.id.get_create_plist()
        for i in range(plist.get_nfilters()):
            code, _, _, name = plist.get_filter(i)
            if not h5py.h5z.filter_avail(code):
                names.add(name.decode(errors="replace") or str(code))
    return ", ".join(sorted(names))


def is_pandas_frame(path: str | os.PathLike, key: str = "table") -> bool:
    """Whether ``path`` holds a pandas frame (fixed or table format) under ``key``."""
    h5py = h5py_module()
    with open_h5(Path(path)) as file:
        if key not in file or not isinstance(file[key], h5py.Group):
            return False
        group = file[key]
        return "block0_values" in group or "table" in group
