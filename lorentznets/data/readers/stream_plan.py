"""The order in which a training stream visits the jets: a pure function of (seed, epoch).

An epoch cuts every file range into blocks (consecutive jets, read in one go) and orders them
in two interleaved levels, each a *stratified merge*: a part with ``n`` blocks places its
``j``-th block at key ``(j + u) / n`` with ``u`` uniform in [0, 1), and the blocks of all parts
are sorted by key. Over every stretch of the merged order each part thus appears in proportion
to its size, within one block. Files are merged within their group (files whose sampled jets
have the same dominant label: JetClass's classes), then the groups are merged. With groups of
equal size the merged order is a run of cycles holding one block of every group each, so any
``2 G - 1`` consecutive blocks of ``G`` groups contain a whole cycle: a window of at least that
many blocks holds every class. Within a file the blocks keep file order from a random starting
block (reads stay sequential).

The flat jet sequence of the ordered blocks is cut into windows of ``window_jets`` (the
shuffle buffer); each window is dealt to one DDP rank and one DataLoader worker, and its jets
are permuted before they are cut into batches.

A capped validation reads a fixed subset instead (:func:`spread_subset`): pieces of every file,
merged in the same way, so that it holds every group and every file in proportion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .file_ranges import FileRange


def _merge_keys(sizes: Sequence[int], rng: np.random.Generator) -> list[np.ndarray]:
    """Stratified-merge keys in [0, 1) of parts with the given numbers of blocks."""
    return [(np.arange(n) + rng.random(n)) / max(n, 1) for n in sizes]


def cut_blocks(ranges: Sequence[FileRange], block_jets: int) -> list[list[FileRange]]:
    """Each file range cut into blocks of at most ``block_jets`` consecutive jets."""
    return [
        [
            FileRange(part.path, part.format, part.split, start, min(start + block_jets, part.stop))
            for start in range(part.start, part.stop, block_jets)
        ]
        for part in ranges
    ]


def epoch_blocks(
    blocks: Sequence[Sequence[FileRange]], groups: Sequence[int], seed: int, epoch: int
) -> list[FileRange]:
    """All blocks of one epoch in their interleaved order (see the module docstring).

    Parameters
    ----------
    blocks : sequence of sequences of FileRange
        The blocks of every file, in file order (from :func:`cut_blocks`).
    groups : sequence of int
        Group of every file (its sampled dominant label).
    seed, epoch : int
        The order is a pure function of both.

    Returns
    -------
    list of FileRange
    """
    rng = np.random.default_rng([seed, epoch])
    rotated = []
    for file_blocks in blocks:
        shift = int(rng.integers(len(file_blocks))) if file_blocks else 0
        rotated.append(list(file_blocks[shift:]) + list(file_blocks[:shift]))
    merged_groups = []
    for group in sorted(set(groups)):
        members = [i for i, g in enumerate(groups) if g == group]
        keys = _merge_keys([len(rotated[i]) for i in members], rng)
        entries = [(key, i, j) for i, file_keys in zip(members, keys, strict=True) for j, key in enumerate(file_keys)]
        merged_groups.append([rotated[i][j] for _, i, j in sorted(entries)])
    keys = _merge_keys([len(group) for group in merged_groups], rng)
    entries = [(key, g, j) for g, group_keys in enumerate(keys) for j, key in enumerate(group_keys)]
    return [merged_groups[g][j] for _, g, j in sorted(entries)]


def window_pieces(order: Sequence[FileRange], window_jets: int) -> list[list[FileRange]]:
    """The flat jet sequence of ``order`` cut into full windows of ``window_jets`` jets.

    A block that straddles two windows is split between them; the jets after the last full
    window are left out of this epoch.

    Returns
    -------
    list of list of FileRange
        The pieces of every window, in order.
    """
    windows: list[list[FileRange]] = []
    current: list[FileRange] = []
    filled = 0
    for block in order:
        start = block.start
        while start < block.stop:
            take = min(block.stop - start, window_jets - filled)
            current.append(FileRange(block.path, block.format, block.split, start, start + take))
            start += take
            filled += take
            if filled == window_jets:
                windows.append(current)
                current, filled = [], 0
    return windows


def spread_subset(ranges: Sequence[FileRange], groups: Sequence[int], num_jets: int, seed: int = 0) -> list[FileRange]:
    """A fixed subset of ``num_jets`` jets spread over all file ranges, as pieces of consecutive jets.

    The ranges are cut into pieces of ``ceil(num_jets / len(ranges))`` jets, the pieces of every
    range shuffled and all merged as the blocks of an epoch (:func:`epoch_blocks`); the first
    ``num_jets`` jets of that order are kept. Every group and every range thus contributes in
    proportion to its size, within one piece (ranges of equal size: one piece each), from seeded
    places within the range, and consecutive jets of the subset come from different groups.

    Parameters
    ----------
    ranges : sequence of FileRange
        The jets of the split.
    groups : sequence of int
        Group of every range (its sampled dominant label).
    num_jets : int
        Jets to keep, at most those of ``ranges``.
    seed : int
        The subset is a pure function of the ranges, the groups, ``num_jets`` and the seed.

    Returns
    -------
    list of FileRange
        The pieces of the subset in their merged order.
    """
    rng = np.random.default_rng(seed)
    piece_jets = -(-num_jets // len(ranges))
    shuffled = [[pieces[i] for i in rng.permutation(len(pieces))] for pieces in cut_blocks(ranges, piece_jets)]
    return window_pieces(epoch_blocks(shuffled, groups, seed, 0), num_jets)[0]


def batch_position(
    batch: int, windows_per_epoch: int, interleave: int, batches_per_window: int
) -> tuple[int, int, int]:
    """Where the ``batch``-th batch of one rank's stream comes from.

    A rank's windows come in groups of ``interleave``; the batches of a group alternate between
    its windows (batch ``i`` of the group from window ``i % interleave``), so consecutive batches
    come from different shuffle buffers.

    Parameters
    ----------
    batch : int
        Index of the batch in the rank's endless stream.
    windows_per_epoch : int
        Windows of this rank per epoch (a multiple of ``interleave``).
    interleave : int
        Windows whose batches alternate.
    batches_per_window : int

    Returns
    -------
    epoch, window, batch_in_window : int
        ``window`` counts this rank's windows within the epoch.
    """
    per_group = interleave * batches_per_window
    per_epoch = windows_per_epoch * batches_per_window
    epoch, within = divmod(batch, per_epoch)
    group, index = divmod(within, per_group)
    batch_in_window, slot = divmod(index, interleave)
    return epoch, group * interleave + slot, batch_in_window
