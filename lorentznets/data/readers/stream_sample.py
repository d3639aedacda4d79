"""What a stream learns before it starts: the first jets of every file, read once.

A stream never holds its files, so the facts a run needs before training (the classes present,
the group of each file for interleaving, the momentum unit, the per-particle scalars, the mean
weight of each class) come from the first ``sample_jets`` jets of every file range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .file_ranges import FileRange
from .formats import READERS, reads_ranges
from .jet_data import JetData
from .reading_options import ReadingOptions


def can_stream(piece: FileRange) -> bool:
    """Whether the file can be read by row ranges, so that ``data.streaming: auto`` may stream it
    (:func:`~lorentznets.data.readers.formats.reads_ranges`). :func:`read_piece` leaves the
    refusal of a file its reader cannot read by ranges to the reader's ``read_range``."""
    return reads_ranges(piece.format, piece.path)


def read_piece(piece: FileRange, max_particles: int, reading: ReadingOptions) -> JetData:
    """Jets ``piece.start .. piece.stop - 1`` of one file (physics-checked by its reader), with the
    reading options ``reading``.

    Raises
    ------
    ValueError
        The file cannot be read by ranges: the format has no range reader (npz archives of all
        splits), or its reader refuses the file with its own message (an EnergyFlow ``.npz``:
        read it in memory or convert it with the command the message names); a
        ``constituent_mass`` the format does not take.
    """
    reader = READERS[piece.format]
    if not hasattr(reader, "read_range"):
        raise ValueError(
            f"{piece.path}: format '{piece.format}' stores all jets in one archive and cannot be streamed; "
            "read it in memory (data.streaming=false)"
        )
    keywords = reading.reader_keywords(piece.format, piece.path)
    return reader.read_range(piece.path, piece.start, piece.stop, max_particles, **keywords)


@dataclass
class StreamSample:
    """Statistics of the first jets of every file of a stream.

    Attributes
    ----------
    groups : list of int
        Dominant label of each file's sampled jets (JetClass: the file's class).
    class_counts : dict of int to int
        Sampled jets per label.
    momentum_spread : float
        Standard deviation (GeV) of the real constituents' four-momentum components.
    num_scalars : int
        Per-particle scalar features S (0 without).
    weight_means : dict of int to float, or None
        Mean per-jet weight of each sampled label; None when the files have no weights.
    num_jets : int
        Jets sampled.
    """

    groups: list[int]
    class_counts: dict[int, int]
    momentum_spread: float
    num_scalars: int
    weight_means: dict[int, float] | None
    num_jets: int


def sample_files(
    ranges: Sequence[FileRange],
    max_particles: int,
    sample_jets: int,
    reading: ReadingOptions,
) -> StreamSample:
    """Read the first ``sample_jets`` jets of every range, one file at a time, keeping only sums
    (reading options as :func:`read_piece`).

    Raises
    ------
    ValueError
        Files with and without per-jet weights, or with different scalar features, are mixed.
    """
    groups, counts, weight_sums = [], {}, {}
    moments = np.zeros(3)  # count, sum, sum of squares of the real momentum components
    scalars, weighted = set(), set()
    for part in ranges:
        piece = FileRange(part.path, part.format, part.split, part.start, min(part.stop, part.start + sample_jets))
        jets = read_piece(piece, max_particles, reading)
        labels = jets.labels.numpy()
        values, label_counts = np.unique(labels, return_counts=True)
        groups.append(int(values[np.argmax(label_counts)]))
        for value, n in zip(values.tolist(), label_counts.tolist(), strict=True):
            counts[value] = counts.get(value, 0) + n
        components = jets.momenta[jets.mask].double().numpy()
        moments += [components.size, components.sum(), np.square(components).sum()]
        scalars.add(jets.num_scalars)
        weighted.add(jets.weights is not None)
        if jets.weights is not None:
            sums = torch.zeros(int(labels.max()) + 1, dtype=torch.float64).index_add_(0, jets.labels, jets.weights)
            for value in values.tolist():
                weight_sums[value] = weight_sums.get(value, 0.0) + float(sums[value])
    source = f"{ranges[0].path.parent} ({len(ranges)} files)"
    if len(scalars) > 1 or len(weighted) > 1:
        raise ValueError(
            f"{source}: the files differ in their per-particle scalars {sorted(scalars)} or in having per-jet "
            "weights; a stream needs files of one layout"
        )
    count, total, squares = moments
    spread = float(np.sqrt(max(squares - total**2 / count, 0.0) / max(count - 1, 1)))
    means = {value: weight_sums[value] / counts[value] for value in counts} if weighted == {True} else None
    return StreamSample(groups, counts, spread, scalars.pop(), means, sum(counts.values()))
