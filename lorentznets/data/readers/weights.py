"""Per-jet event weights, read from the ``weight`` key where a file has one.

Our Pythia generator samples pTHat with a bias and stores the compensating weight of every jet
under ``weight`` (see docs/data.md); public files have no weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lorentznets.data.convert.event_weights import WEIGHT_KEY, read_npz_per_jet

from .validation import check_weights, require_shape

if TYPE_CHECKING:
    import h5py


def read_h5_weights(file: h5py.File, path: Path, num_rows: int, num_jets: int, first_jet: int = 0) -> np.ndarray | None:
    """The weights of jets ``first_jet .. num_jets - 1`` of an open HDF5 file, or None without a
    ``weight`` key.

    Parameters
    ----------
    file : h5py.File
        Open file.
    path : Path
        Its path, for messages.
    num_rows : int
        Number of jets in the file; ``weight`` must have shape (num_rows,).
    num_jets : int
        End (exclusive) of the jets read.
    first_jet : int
        First jet read.

    Returns
    -------
    np.ndarray with shape (num_jets - first_jet,), float64, or None

    Raises
    ------
    ValueError
        Wrong shape, NaN/inf or negative weights; the message names the file and key.
    """
    if WEIGHT_KEY not in file:
        return None
    dataset = file[WEIGHT_KEY]
    require_shape(path, WEIGHT_KEY, dataset.shape, (num_rows,))
    return check_weights(dataset[first_jet:num_jets], str(path), WEIGHT_KEY, first_jet)


def read_npz_weights(path: Path, num_rows: int, num_jets: int) -> np.ndarray | None:
    """The first ``num_jets`` weights of an ``.npz`` archive (a writable copy), or None without a
    ``weight`` key.

    Same checks as :func:`read_h5_weights`.
    """
    return read_npz_per_jet(path, WEIGHT_KEY, num_rows, num_jets)
