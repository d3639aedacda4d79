"""Gather canonical jet chunks from a format parser into one :class:`JetData`."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from lorentznets.data.convert import JetChunk

from .jet_data import JetData
from .validation import empty_jet_rows


def collect_chunks(
    chunks: Iterable[JetChunk],
    num_jets: int,
    max_particles: int,
    source: str,
    drop_empty: bool = False,
    weights: np.ndarray | None = None,
    first_jet: int = 0,
) -> JetData:
    """Copy chunks into preallocated float32 arrays and check for empty jets and non-finite scalars.

    ``truth``, ``scalars`` and ``jets`` (each jet's momentum from all its constituents) are kept
    when the chunks carry them; ``labels`` are None when the chunks have none (a file without
    labels, read for predictions).

    Parameters
    ----------
    chunks : iterable of JetChunk
        Consecutive chunks covering jets ``first_jet .. first_jet + num_jets - 1`` of a file
        (``offset`` is the index in the file).
    num_jets : int
        Total number of jets in the chunks.
    max_particles : int
        Length P of the chunks' particle axis.
    source : str
        Description for messages and :attr:`JetData.source`.
    drop_empty : bool
        Drop jets without constituents (with a warning) instead of raising.
    weights : np.ndarray with shape (num_jets,), float64, or None
        Per-jet weights read separately (already checked), kept for the same jets.
    first_jet : int
        File index of the first jet.

    Returns
    -------
    JetData
    """
    momenta = np.zeros((num_jets, max_particles, 4), dtype=np.float32)
    mask = np.zeros((num_jets, max_particles), dtype=bool)
    labels = np.zeros(num_jets, dtype=np.int64)
    scalars = truth = jets = None
    labelled = True
    filled = 0
    for chunk in chunks:
        rows = slice(chunk.offset - first_jet, chunk.offset - first_jet + len(chunk.mask))
        if chunk.scalars is not None and scalars is None:
            scalars = np.zeros((num_jets, max_particles, chunk.scalars.shape[-1]), np.float32)
        if chunk.truth is not None and truth is None:
            truth = np.zeros((num_jets, 4), dtype=np.float32)
        if chunk.jets is not None and jets is None:
            jets = np.zeros((num_jets, 4), dtype=np.float32)
        momenta[rows] = chunk.momenta
        mask[rows] = chunk.mask
        labelled = chunk.labels is not None  # a file's chunks all have labels or none
        if labelled:
            labels[rows] = chunk.labels
        if scalars is not None:
            scalars[rows] = chunk.scalars
        if truth is not None:
            truth[rows] = chunk.truth
        if jets is not None:
            jets[rows] = chunk.jets
        filled = rows.stop
    if filled != num_jets:
        raise ValueError(f"{source}: expected {num_jets} jets, read {filled}")
    if scalars is not None:
        bad = ~np.isfinite(scalars).all(axis=(1, 2))
        if bad.any():
            raise ValueError(
                f"{source}: the per-particle scalars have NaN/inf values in {int(bad.sum())} jet(s); "
                f"first bad jet index {first_jet + int(np.argmax(bad))}"
            )
    keep = empty_jet_rows(mask, source, drop_empty, first_jet)
    if keep is not None:
        momenta, mask, labels = momenta[keep], mask[keep], labels[keep]
        scalars = None if scalars is None else scalars[keep]
        truth = None if truth is None else truth[keep]
        jets = None if jets is None else jets[keep]
        weights = None if weights is None else weights[keep]
    return JetData(
        momenta=torch.from_numpy(momenta),
        mask=torch.from_numpy(mask),
        labels=torch.from_numpy(labels) if labelled else None,
        scalars=None if scalars is None else torch.from_numpy(scalars),
        truth=None if truth is None else torch.from_numpy(truth),
        jets=None if jets is None else torch.from_numpy(jets),
        weights=None if weights is None else torch.from_numpy(weights),
        source=source,
    )
