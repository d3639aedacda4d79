"""The top-tagging landscape files (arXiv:1902.09914): one pandas row per jet.

Columns ``E_i, PX_i, PY_i, PZ_i`` for constituents i = 0..199 (GeV, zero-padded, hardest first),
``truthE, truthPX, truthPY, truthPZ`` (the top quark; zero for QCD jets), ``ttv`` (which split the
row came from) and ``is_signal_new`` (1 = top).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from lorentznets.data.physics_checks import check_four_momenta

from .checks import NonFiniteTally, check_binary_labels
from .jet_arrays import JetChunk, chunk_bounds, nonzero_mask, order_and_pad, summed_jets
from .lgn_layout import write_lgn_h5
from .pandas_hdf import PandasHDFFrame

LANDSCAPE_KEY = "table"
LABEL_COLUMN = "is_signal_new"
TRUTH_COLUMNS = ["truthE", "truthPX", "truthPY", "truthPZ"]
_COMPONENTS = ["E", "PX", "PY", "PZ"]
MOMENTUM_KEYS = "E_*/PX_*/PY_*/PZ_* columns"


def landscape_num_constituents(columns: list[str]) -> int:
    """Number of constituent slots, i.e. of consecutive ``E_i`` columns starting at ``E_0``."""
    present = set(columns)
    n = 0
    while f"E_{n}" in present:
        n += 1
    return n


def iter_landscape_chunks(
    path: str | os.PathLike,
    max_particles: int = 200,
    max_jets: int | None = None,
    chunk_size: int = 8192,
    first_jet: int = 0,
    require_labels: bool = True,
) -> Iterator[JetChunk]:
    """Stream a landscape file as canonical jet chunks.

    Parameters
    ----------
    path : str or os.PathLike
        Landscape HDF5 file (pandas fixed or table format, key ``table``).
    max_particles : int
        Length P of the particle axis of every chunk.
    max_jets : int or None
        Read only the first ``max_jets`` rows.
    chunk_size : int
        Rows per chunk; one chunk of 8192 rows of float32 is about 26 MB.
    first_jet : int
        Start reading at this row (a row range ``[first_jet, max_jets)`` of the file).
    require_labels : bool
        Refuse a file without the column ``is_signal_new``; False reads it with ``labels`` None
        (predictions).

    Yields
    ------
    JetChunk
        ``labels`` from ``is_signal_new`` (None without it), ``truth`` from ``truthE..truthPZ`` (n, 4), ``jets``
        (n, 4) the sum of all constituent slots of each row.

    Raises
    ------
    FileNotFoundError, KeyError, ValueError
        Missing file, key or column; no constituent columns; non-binary labels; NaN/inf momenta
        (raised after the last chunk, naming how many jets and the first one); unphysical
        constituents (:func:`lorentznets.data.physics_checks.check_four_momenta`).
    """
    with PandasHDFFrame(path, LANDSCAPE_KEY) as frame:
        n_const = landscape_num_constituents(frame.columns)
        if n_const == 0:
            frame.require_columns(["E_0"])
        momentum_columns = [f"{c}_{i}" for c in _COMPONENTS for i in range(n_const)]
        labelled = require_labels or LABEL_COLUMN in frame.columns
        frame.require_columns(momentum_columns + TRUTH_COLUMNS + ([LABEL_COLUMN] if labelled else []))
        tally = NonFiniteTally(path, MOMENTUM_KEYS)
        for start, stop in chunk_bounds(frame.num_rows, chunk_size, max_jets, first_jet):
            raw = frame.read(momentum_columns, start, stop)
            # Columns come component-major (all E, then all PX, ...); regroup to (jet, particle, 4).
            momenta = raw.reshape(len(raw), 4, n_const).transpose(0, 2, 1)
            finite = tally.update(momenta, start)
            labels = None
            if labelled:
                labels = check_binary_labels(
                    frame.read([LABEL_COLUMN], start, stop)[:, 0], f"{path}: column '{LABEL_COLUMN}'", start
                )
            truth = frame.read(TRUTH_COLUMNS, start, stop)
            momenta = np.where(finite[:, None, None], momenta, 0)
            mask = nonzero_mask(momenta)
            check_four_momenta(momenta, mask, str(path), MOMENTUM_KEYS, start)
            jets = summed_jets(momenta, mask)
            momenta, mask, _ = order_and_pad(momenta, mask, max_particles)
            yield JetChunk(start, momenta, mask, labels, None, truth, jets)
        tally.check()


def convert_landscape(
    source: str | os.PathLike,
    target: str | os.PathLike,
    max_particles: int = 200,
    max_jets: int | None = None,
    chunk_size: int = 8192,
) -> int:
    """Convert a landscape file to the LGN layout (see :mod:`.lgn_layout`), streaming in chunks.

    Parameters
    ----------
    source : str or os.PathLike
        Landscape HDF5 file (``train.h5``, ``val.h5`` or ``test.h5``).
    target : str or os.PathLike
        Output HDF5 file; written atomically.
    max_particles : int
        Constituent slots P in the output.
    max_jets : int or None
        Convert only the first ``max_jets`` jets.
    chunk_size : int
        Jets per chunk.

    Returns
    -------
    int
        Number of jets written.
    """
    with PandasHDFFrame(source, LANDSCAPE_KEY) as frame:
        num_rows = frame.num_rows
    num_jets = num_rows if max_jets is None else min(num_rows, max_jets)
    chunks = iter_landscape_chunks(source, max_particles, max_jets, chunk_size)
    return write_lgn_h5(target, chunks, num_jets, max_particles)
