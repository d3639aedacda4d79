"""Keys of the per-jet event weights that our Pythia generators write and every jet reader reads.

The generators sample pTHat with a bias and store, per jet, the compensating event weight under
``weight`` and the hard-process pTHat (GeV) under ``pthat`` (see docs/data.md); public files have
neither. The converters carry both into their output, with the dtypes the generators write.
"""

from __future__ import annotations

import os

import numpy as np

from .checks import require_shape
from .npz_stream import NpzArray, npz_keys

WEIGHT_KEY = "weight"
PTHAT_KEY = "pthat"
PER_JET_DTYPES = {WEIGHT_KEY: np.float64, PTHAT_KEY: np.float32}


def check_weights(weights: np.ndarray, source: str, key: str, offset: int = 0, quantity: str = "weights") -> np.ndarray:
    """Return per-jet weights as float64, raising ``ValueError`` unless all are finite and >= 0.

    Parameters
    ----------
    weights : np.ndarray with shape (n,)
    source : str
        File name for the message.
    key : str
        Key (dataset) the weights come from.
    offset : int
        Index of the first jet of ``weights`` in the file.
    quantity : str
        What the values are, for the message (``pthat`` is checked alike as "pTHat values").

    Returns
    -------
    np.ndarray with shape (n,), float64

    Raises
    ------
    ValueError
        The message names the file, the key, how many jets are bad and the first one.
    """
    weights = np.asarray(weights, dtype=np.float64)
    for problem, bad in (("NaN/inf", ~np.isfinite(weights)), ("negative", weights < 0)):
        if bad.any():
            first = int(np.argmax(bad))
            raise ValueError(
                f"{source}: key '{key}' has {problem} {quantity} in {int(bad.sum())} jet(s); first bad jet "
                f"index {offset + first} ({quantity[:-1]} {float(weights[first])}); {quantity} must be "
                "finite and >= 0"
            )
    return weights


def read_npz_per_jet(path: str | os.PathLike, key: str, num_rows: int, num_jets: int) -> np.ndarray | None:
    """The first ``num_jets`` values of the per-jet ``key`` of an ``.npz`` archive, or None without it.

    Parameters
    ----------
    path : str or os.PathLike
    key : str
        ``weight`` or ``pthat``.
    num_rows : int
        Number of jets in the file; the array must have shape (num_rows,).
    num_jets : int
        Number of leading jets read.

    Returns
    -------
    np.ndarray with shape (num_jets,) and the dtype of :data:`PER_JET_DTYPES`, writable, or None

    Raises
    ------
    ValueError
        Wrong shape, NaN/inf or negative values; the message names the file, key and first bad jet.
    """
    if key not in npz_keys(path):
        return None
    array = NpzArray(path, key)
    require_shape(path, key, array.shape, (num_rows,))
    quantity = "weights" if key == WEIGHT_KEY else "pTHat values"
    values = check_weights(array.read(num_jets), str(path), key, quantity=quantity)
    # A copy: the archive's rows are a read-only buffer, which torch.from_numpy warns about.
    return np.array(values, dtype=PER_JET_DTYPES[key])


def read_npz_event_weights(path: str | os.PathLike, num_rows: int, num_jets: int) -> dict[str, np.ndarray]:
    """The ``weight`` and ``pthat`` arrays an ``.npz`` archive has (as :func:`read_npz_per_jet`), by key."""
    arrays = {key: read_npz_per_jet(path, key, num_rows, num_jets) for key in PER_JET_DTYPES}
    return {key: values for key, values in arrays.items() if values is not None}
