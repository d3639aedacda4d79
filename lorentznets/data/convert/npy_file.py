"""Read ``.npy`` files with errors that name the file (empty, truncated or not ``.npy``).

Our amplitude (``<process>.npy``) and event-generation (``ttbar_<n>j.npy``) files use this
format; ``np.load`` reports a 0-byte or truncated file without naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .checks import require_file


def npy_header(path: str | os.PathLike) -> tuple[tuple[int, ...], np.dtype, int]:
    """Shape, dtype and data offset of a ``.npy`` file, checked against the file size.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file is empty, not ``.npy``, or shorter than its header says (truncated); the message
        names the file and its size.
    """
    path = require_file(path)
    size = path.stat().st_size
    try:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
            offset = handle.tell()
    except (ValueError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npy file ({size} bytes): {error}") from error
    needed = offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if size < needed:
        raise ValueError(f"{path}: truncated .npy file: {size} bytes, but its header ({shape}, {dtype}) needs {needed}")
    return tuple(shape), dtype, offset


def load_npy(path: str | os.PathLike, mmap_mode: str | None = None) -> np.ndarray:
    """``np.load`` of a numeric ``.npy`` file, after :func:`npy_header`'s checks (no pickles).

    Parameters
    ----------
    path : str or os.PathLike
    mmap_mode : str or None
        As for ``np.load``.

    Returns
    -------
    np.ndarray with the shape of the file's header
    """
    npy_header(path)
    return np.load(Path(path), mmap_mode=mmap_mode, allow_pickle=False)
