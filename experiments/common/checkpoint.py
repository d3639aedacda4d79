"""Atomic checkpoint files.

A checkpoint is written to a temporary file in the same directory and moved into place with
:func:`os.replace`, so a run killed while saving leaves the previous checkpoint intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch


def save_atomic(obj: Any, path: str | os.PathLike) -> Path:
    """Save ``obj`` with :func:`torch.save` atomically.

    Parameters
    ----------
    obj : Any
        Picklable object, usually a dict of state dicts.
    path : str or os.PathLike
        Destination; parent directories are created.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(obj, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise
    return path


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> Any:
    """Load a checkpoint written by :func:`save_atomic`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    # Our checkpoints hold RNG states (numpy arrays, tuples), which the weights-only unpickler
    # rejects; they are files this framework wrote itself.
    return torch.load(path, map_location=map_location, weights_only=False)
