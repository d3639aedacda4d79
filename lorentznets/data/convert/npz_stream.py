"""Read arrays from an ``.npz`` archive row block by row block.

``np.load`` cannot memory-map arrays inside an ``.npz`` (compressed or not) and loads a member
whole on first access. Streaming the member's ``.npy`` bytes through ``zipfile`` keeps memory at
one block whatever the file size.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator

import numpy as np

from .checks import require_file, require_keys


def npz_keys(path: str | os.PathLike) -> list[str]:
    """Array names stored in the archive."""
    with zipfile.ZipFile(require_file(path)) as archive:
        return [name[: -len(".npy")] for name in archive.namelist() if name.endswith(".npy")]


def _read_header(member, path: os.PathLike, key: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(member)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(member)
    raise ValueError(f"{path}: key '{key}' uses .npy format version {version}, expected 1.0 or 2.0")


class NpzArray:
    """One array of an ``.npz`` archive, read lazily in row blocks.

    Parameters
    ----------
    path : str or os.PathLike
    key : str
        Array name (``np.savez(path, key=array)``).

    Attributes
    ----------
    shape : tuple of int
    dtype : np.dtype
    """

    def __init__(self, path: str | os.PathLike, key: str) -> None:
        self.path = require_file(path)
        self.key = key
        require_keys(self.path, npz_keys(self.path), [key])
        with zipfile.ZipFile(self.path) as archive, archive.open(f"{key}.npy") as member:
            header = _read_header(member, self.path, key)
        self.shape, self._fortran, self.dtype = header
        if self.dtype.hasobject:
            raise ValueError(f"{self.path}: key '{key}' holds Python objects, expected numbers")

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def iter_blocks(self, chunk_size: int, max_rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(start, rows)`` with ``rows`` of shape (n, *shape[1:]) for consecutive row blocks."""
        total = len(self) if max_rows is None else min(len(self), max_rows)
        if self._fortran or not self.shape:
            # Column-major data cannot be cut into row blocks from the byte stream.
            whole = np.load(self.path)[self.key][:total]
            for start in range(0, total, chunk_size):
                yield start, whole[start : start + chunk_size]
            return
        row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        with zipfile.ZipFile(self.path) as archive, archive.open(f"{self.key}.npy") as member:
            _read_header(member, self.path, self.key)
            for start in range(0, total, chunk_size):
                n = min(chunk_size, total - start)
                buffer = member.read(n * row_bytes)
                if len(buffer) != n * row_bytes:
                    raise ValueError(
                        f"{self.path}: key '{self.key}' is truncated: header says shape "
                        f"{self.shape} but the data ends before row {start + n}"
                    )
                yield start, np.frombuffer(buffer, dtype=self.dtype).reshape((n,) + self.shape[1:])

    def read(self, max_rows: int | None = None) -> np.ndarray:
        """The first ``max_rows`` rows (all by default) as one array."""
        blocks = [rows for _, rows in self.iter_blocks(max(len(self), 1), max_rows)]
        if not blocks:
            return np.zeros((0,) + tuple(self.shape[1:]), dtype=self.dtype)
        return blocks[0]
