"""Atomic checkpoint files that load without running code.

A checkpoint is written to a temporary file ``.<name>.<random>.tmp`` in the same directory and
moved into place with :func:`os.replace`, so a run killed while saving leaves the previous
checkpoint intact; :func:`remove_stale_temporaries` deletes what such a kill left behind.

Checkpoints hold only tensors and plain data (dicts, lists, numbers, strings) and are read with
``torch.load(weights_only=True)``: a file that asks the unpickler for anything else (a class, a
function such as ``os.system``) is refused before any of it runs.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

TEMPORARY_SUFFIX = ".tmp"
_UNSAFE_GLOBAL = re.compile(r"(?:unsupported|Unsupported global:) GLOBAL ([\w.]+)")


class CheckpointError(ValueError):
    """A checkpoint file that is unsafe, truncated or not a checkpoint; the message names it."""


def save_atomic(obj: Any, path: str | os.PathLike) -> Path:
    """Save ``obj`` with :func:`torch.save` atomically.

    Parameters
    ----------
    obj : Any
        Tensors and plain data, usually a dict of state dicts.
    path : str or os.PathLike
        Destination; parent directories are created.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        # mkstemp makes the file private (0600); a checkpoint gets the mode of any other file of
        # the run folder (0644 under umask 022), so that colleagues sharing the folder can load it
        os.chmod(tmp_name, 0o666 & ~_umask())
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


def _umask() -> int:
    """The process's file-creation mask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete temporary files that a kill during :func:`save_atomic` left in ``folder``.

    Call it only when no other process writes checkpoints into ``folder`` (at the start of a
    run, on the main rank).

    Returns
    -------
    list of pathlib.Path
        The deleted files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stale = [p for p in folder.glob(f".*{TEMPORARY_SUFFIX}") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> Any:
    """Load a checkpoint written by :func:`save_atomic`, refusing anything that could run code.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CheckpointError
        If the file asks for objects other than tensors and plain data (a crafted or foreign
        pickle: nothing of it is executed), or is truncated, empty or not a torch file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if path.stat().st_size == 0:
        raise CheckpointError(f"checkpoint {path} is empty (0 bytes): delete it or rerun without resume")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        found = _UNSAFE_GLOBAL.search(str(error))
        if found is None:
            raise CheckpointError(
                f"checkpoint {path} is truncated or not a torch checkpoint (the weights-only unpickler refused it)"
            ) from None
        raise CheckpointError(
            f"refused to load {path}: it asks for the global {found.group(1)}, which could run code; only "
            "tensors and plain data load (nothing from the file was executed)"
        ) from None
    except Exception as error:  # noqa: BLE001 - any other failure of the unpickler means a broken file
        raise CheckpointError(
            f"checkpoint {path} is truncated or not a torch checkpoint ({error.__class__.__name__})"
        ) from None


def check_weights_fit(weights: Mapping[str, torch.Tensor], model: nn.Module, origin: str, shapes: bool = True) -> None:
    """Refuse weights that ``model.load_state_dict`` would reject, in one line.

    Parameters
    ----------
    weights : mapping of str to torch.Tensor
        A saved state dict.
    model : torch.nn.Module
        The model of this run.
    origin : str
        The checkpoint file, named in the message.
    shapes : bool
        Also compare the shapes (False: the keys only, for callers that handle other shapes).

    Raises
    ------
    ValueError
        Naming the file, the keys missing on either side or the first entry of another shape,
        and what must match.
    """
    target = model.state_dict()
    missing = sorted(set(target) - set(weights))
    unexpected = sorted(set(weights) - set(target))
    if missing or unexpected:
        raise ValueError(
            f"{origin}: its model does not match this run's (same model, model.net and inputs needed, e.g. "
            "data.use_scalars): "
            f"keys missing there {missing[:5]}, keys this model lacks {unexpected[:5]}"
        )
    for key, tensor in target.items():
        if shapes and weights[key].shape != tensor.shape:
            raise ValueError(
                f"{origin}: entry {key!r} has shape {tuple(weights[key].shape)} there and "
                f"{tuple(tensor.shape)} in this run's model (same model, model.net and inputs needed, "
                "e.g. the number of per-particle scalars of the data)"
            )
