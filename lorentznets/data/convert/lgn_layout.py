"""The converted top-tagging HDF5 layout of LGN/LorentzNet/PELICAN, read and written in chunks.

Keys (N jets, P constituent slots):

=============  ===========  ===============================================================
key            shape        meaning
=============  ===========  ===============================================================
``Nobj``       (N,)         number of real constituents
``Pmu``        (N, P, 4)    constituent (E, px, py, pz) in GeV, hardest first, zero-padded
``label``      (N, P)       True for real constituents
``is_signal``  (N,)         class label (top tagging: 1 = top; quark-gluon: 1 = quark)
``truth_Pmu``  (N, 4)       optional: truth top 4-momentum in GeV
``jet_pt``     (N,)         transverse momentum of the summed constituents, GeV
``mass``       (N,)         invariant mass of the summed constituents, GeV
``scalars``    (N, P, S)    optional, our extension: per-constituent particle-ID features
``weight``     (N,)         optional, our generators': per-jet event weight (float64)
``pthat``      (N,)         optional, our generators': hard-process pTHat in GeV (float32)
=============  ===========  ===============================================================
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lorentznets.data.physics_checks import check_four_momenta

from .checks import (
    NonFiniteTally,
    check_binary_labels,
    require_file,
    require_keys,
    require_shape,
)
from .h5_files import h5py_module, open_h5, partial_path
from .jet_arrays import JetChunk, chunk_bounds, jet_pt_and_mass, order_and_pad, summed_jets

if TYPE_CHECKING:
    import h5py

NOBJ_KEY = "Nobj"
PMU_KEY = "Pmu"
MASK_KEY = "label"
LABEL_KEY = "is_signal"
TRUTH_KEY = "truth_Pmu"
JET_PT_KEY = "jet_pt"
MASS_KEY = "mass"
SCALARS_KEY = "scalars"
REQUIRED_KEYS = (NOBJ_KEY, PMU_KEY, LABEL_KEY, MASK_KEY)


def write_lgn_h5(
    path: str | os.PathLike,
    chunks: Iterable[JetChunk],
    num_jets: int,
    max_particles: int,
    per_jet: Mapping[str, np.ndarray] | None = None,
) -> int:
    """Write jet chunks to ``path`` in the LGN layout, atomically.

    ``Pmu`` and ``truth_Pmu`` keep the chunks' floating dtype; ``truth_Pmu`` and ``scalars`` are
    written when the chunks carry them. The file is first written next to ``path`` and renamed at
    the end, so a failure (e.g. a bad jet found in the last chunk) leaves no half-written output.

    Parameters
    ----------
    path : str or os.PathLike
        Output file.
    chunks : iterable of JetChunk
        Consecutive chunks covering jets 0..num_jets-1, particle axis of length ``max_particles``.
    num_jets : int
        Number of jets the chunks hold.
    max_particles : int
    per_jet : mapping of str to np.ndarray with shape (num_jets,), or None
        Further per-jet datasets written as they are (the ``weight`` and ``pthat`` of our
        generators' files, already checked).

    Returns
    -------
    int
        Number of jets written.
    """
    path = Path(path)
    partial = partial_path(path)
    written = 0
    try:
        with h5py_module().File(partial, "w") as file:
            datasets: dict[str, h5py.Dataset] = {}
            for chunk in chunks:
                if not datasets:
                    datasets = _create_datasets(file, chunk, num_jets, max_particles)
                rows = slice(chunk.offset, chunk.offset + len(chunk.labels))
                datasets[PMU_KEY][rows] = chunk.momenta
                datasets[MASK_KEY][rows] = chunk.mask
                datasets[NOBJ_KEY][rows] = chunk.mask.sum(axis=1)
                datasets[LABEL_KEY][rows] = chunk.labels
                datasets[JET_PT_KEY][rows], datasets[MASS_KEY][rows] = jet_pt_and_mass(chunk.momenta)
                if TRUTH_KEY in datasets:
                    datasets[TRUTH_KEY][rows] = chunk.truth
                if SCALARS_KEY in datasets:
                    datasets[SCALARS_KEY][rows] = chunk.scalars
                written = rows.stop
            if written != num_jets:
                raise ValueError(f"{path}: expected {num_jets} jets, got {written}")
            for key, values in (per_jet or {}).items():
                file.create_dataset(key, data=values)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _create_datasets(file: h5py.File, first: JetChunk, num_jets: int, max_particles: int) -> dict[str, h5py.Dataset]:
    block = min(num_jets, 1024)
    shapes = {
        PMU_KEY: ((num_jets, max_particles, 4), first.momenta.dtype),
        MASK_KEY: ((num_jets, max_particles), bool),
        NOBJ_KEY: ((num_jets,), np.int64),
        LABEL_KEY: ((num_jets,), np.int64),
        JET_PT_KEY: ((num_jets,), np.float64),
        MASS_KEY: ((num_jets,), np.float64),
    }
    if first.truth is not None:
        shapes[TRUTH_KEY] = ((num_jets, 4), first.truth.dtype)
    if first.scalars is not None:
        shapes[SCALARS_KEY] = ((num_jets, max_particles, first.scalars.shape[-1]), np.float32)
    # Chunking by blocks of whole jets keeps later row-range reads to few HDF5 chunks.
    return {
        key: file.create_dataset(key, shape, dtype=dtype, chunks=(block,) + shape[1:])
        for key, (shape, dtype) in shapes.items()
    }


def iter_lgn_chunks(
    path: str | os.PathLike,
    max_particles: int = 200,
    max_jets: int | None = None,
    chunk_size: int = 8192,
    first_jet: int = 0,
    require_labels: bool = True,
) -> Iterator[JetChunk]:
    """Stream an LGN-layout file as canonical jet chunks.

    Parameters
    ----------
    path : str or os.PathLike
    max_particles : int
        Length P of the particle axis of every chunk (longer jets keep their hardest constituents).
    max_jets : int or None
        Read only the first ``max_jets`` jets.
    chunk_size : int
    first_jet : int
        Start reading at this jet (a row range ``[first_jet, max_jets)`` of the file).
    require_labels : bool
        Refuse a file without ``is_signal``; False reads it with ``labels`` None (predictions).

    Yields
    ------
    JetChunk
        ``labels`` from ``is_signal`` (None without it), ``truth`` from ``truth_Pmu`` and ``scalars`` from ``scalars``
        where present; ``jets`` (n, 4) the sum of all constituents of each jet in ``Pmu``.

    Raises
    ------
    FileNotFoundError, KeyError, ValueError
        Missing file or key; wrong shapes; ``Nobj`` disagreeing with ``label``; labels other than
        0/1; NaN/inf in ``Pmu`` (raised after the last chunk); unphysical constituents
        (:func:`lorentznets.data.physics_checks.check_four_momenta`).
    """
    path = require_file(path)
    with open_h5(path) as file:
        labelled = require_labels or LABEL_KEY in file
        require_keys(path, file.keys(), [key for key in REQUIRED_KEYS if labelled or key != LABEL_KEY])
        pmu, mask, nobj = (file[k] for k in (PMU_KEY, MASK_KEY, NOBJ_KEY))
        require_shape(path, PMU_KEY, pmu.shape, (None, None, 4))
        n, n_slots = pmu.shape[:2]
        require_shape(path, MASK_KEY, mask.shape, (n, n_slots))
        require_shape(path, NOBJ_KEY, nobj.shape, (n,))
        is_signal = file[LABEL_KEY] if labelled else None
        if is_signal is not None:
            require_shape(path, LABEL_KEY, is_signal.shape, (n,))
        truth = file.get(TRUTH_KEY)
        if truth is not None:
            require_shape(path, TRUTH_KEY, truth.shape, (n, 4))
        scalars = file.get(SCALARS_KEY)
        if scalars is not None:
            require_shape(path, SCALARS_KEY, scalars.shape, (n, n_slots, None))
        tally = NonFiniteTally(path, PMU_KEY)
        for start, stop in chunk_bounds(n, chunk_size, max_jets, first_jet):
            momenta = pmu[start:stop]
            finite = tally.update(momenta, start)
            momenta = np.where(finite[:, None, None], momenta, 0)
            real = mask[start:stop].astype(bool)
            check_four_momenta(momenta, real & finite[:, None], str(path), PMU_KEY, start)
            counts = nobj[start:stop]
            mismatch = real.sum(axis=1) != counts
            if mismatch.any():
                first = int(np.argmax(mismatch))
                raise ValueError(
                    f"{path}: key 'Nobj' says jet {start + first} has {counts[first]} constituents "
                    f"but key 'label' marks {int(real[first].sum())}"
                )
            extras = () if scalars is None else (scalars[start:stop],)
            jets = summed_jets(momenta, real)
            momenta, real, extras = order_and_pad(momenta, real, max_particles, extras)
            labels = None
            if is_signal is not None:
                labels = check_binary_labels(is_signal[start:stop], f"{path}: key 'is_signal'", start)
            yield JetChunk(
                start,
                momenta,
                real,
                labels,
                extras[0] if extras else None,
                None if truth is None else truth[start:stop],
                jets,
            )
        tally.check()
