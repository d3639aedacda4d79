"""Checks every tagging reader applies, with messages naming the file, key and problem.

File, key, shape, NaN/inf and label checks on raw arrays live with the format parsers in
:mod:`lorentznets.data.convert.checks` (the converters need them too), the weight check in
:mod:`lorentznets.data.convert.event_weights`; both are re-exported here;
this module adds the checks on assembled jets and on the reader arguments.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lorentznets.data.convert.checks import (
    NonFiniteTally,
    check_binary_labels,
    empty_jet_message,
    require_file,
    require_keys,
    require_shape,
)
from lorentznets.data.convert.event_weights import check_weights
from lorentznets.data.generate.status import generation_status

__all__ = [
    "NonFiniteTally",
    "check_binary_labels",
    "check_max_particles",
    "check_no_split",
    "check_split",
    "check_weights",
    "require_complete_generation",
    "empty_jet_rows",
    "require_file",
    "require_keys",
    "require_shape",
]


def empty_jet_rows(mask: np.ndarray, source: str, drop_empty: bool, first_jet: int = 0) -> np.ndarray | None:
    """Handle jets without real constituents.

    Parameters
    ----------
    mask : np.ndarray with shape (N, P), bool
    source : str
        File name for the message.
    drop_empty : bool
        False: raise. True: warn and return the rows to keep.
    first_jet : int
        File index of the first row (a range read), for the message.

    Returns
    -------
    np.ndarray with shape (N_kept,), int64, or None when every jet has constituents.

    Raises
    ------
    ValueError
        Some jet is empty and ``drop_empty`` is False; the message gives the count and first index.
    """
    empty = ~mask.any(axis=1)
    if not empty.any():
        return None
    message = empty_jet_message(source, int(empty.sum()), first_jet + int(np.argmax(empty)))
    if not drop_empty:
        raise ValueError(message + "; remove them from the file (in Python: load_jets(..., drop_empty=True))")
    warnings.warn(message + "; dropping them", stacklevel=3)
    return np.flatnonzero(~empty)


def require_complete_generation(path: Path) -> None:
    """Refuse a file that our generator has not finished (an interrupted generation).

    Raises
    ------
    ValueError
        The message names the file, the rows it holds of those requested and how to resume.
    """
    status = generation_status(path)
    if status.state == "partial":
        raise ValueError(f"refusing to read a partly generated file: {status.message}")


def check_no_split(fmt: str, split: str | None) -> None:
    """Formats that store one split per file take no ``split``: pass that split's file instead."""
    if split is not None:
        raise ValueError(
            f"format '{fmt}' stores one split per file; got split={split!r}: pass the file of that "
            "split (e.g. .../test.h5) and split=None"
        )


def check_max_particles(max_particles: int, max_jets: int | None) -> None:
    """Raise ``ValueError`` for a non-positive ``max_particles`` or negative ``max_jets``."""
    if not isinstance(max_particles, int | np.integer) or max_particles < 1:
        raise ValueError(f"max_particles must be a positive integer, got {max_particles!r}")
    if max_jets is not None and (not isinstance(max_jets, int | np.integer) or max_jets < 0):
        raise ValueError(f"max_jets must be a non-negative integer or None, got {max_jets!r}")


def check_split(path: object, split: str | None, available: Sequence[str]) -> str:
    """Return ``split`` if the file has it, else raise ``ValueError`` listing what it has."""
    if split is None or split not in available:
        raise ValueError(f"{path}: split {split!r} not available; choose split from {list(available)}")
    return split
