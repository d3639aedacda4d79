"""Open HDF5 files with the optional h5py, with errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .optional import import_optional

if TYPE_CHECKING:
    import h5py


def h5py_module() -> ModuleType:
    """The ``h5py`` module, or ``ImportError`` naming ``pip install lorentznets[data]``."""
    return import_optional("h5py", "reading and writing HDF5 files")


def open_h5(path: str | os.PathLike, mode: str = "r") -> h5py.File:
    """Open an HDF5 file, raising ``ValueError`` naming it when it is truncated or not HDF5.

    Parameters
    ----------
    path : str or os.PathLike
    mode : str
        h5py's mode ("r", "a", "w").

    Raises
    ------
    ValueError
        The file exists but h5py cannot open it (0 bytes, truncated by an interrupted download or
        write, or another format); the message names the file and h5py's reason.
    """
    h5py = h5py_module()
    try:
        return h5py.File(path, mode)
    except OSError as error:
        if mode != "r" and not os.path.exists(path):
            raise
        size = os.path.getsize(path) if os.path.exists(path) else None
        raise ValueError(
            f"{os.fspath(path)}: cannot open as HDF5 ({size} bytes): {error}; the file is truncated "
            "(an interrupted download or write?) or not HDF5"
        ) from error


def partial_path(path: str | os.PathLike) -> Path:
    """Where an HDF5 file is written before it is renamed to ``path`` (``<path>.partial``), so that an
    interrupted write leaves no half-written ``path``."""
    path = Path(path)
    return path.with_name(path.name + ".partial")
