"""Jets streamed from files that do not fit in memory, in batches that mix the files.

:class:`JetStream` is an endless, shuffled, resumable training stream (a torch
``IterableDataset`` of :class:`JetData` batches): the order of its jets (see
:mod:`.stream_plan`) is a pure function of the seed, so batch ``g`` of rank ``r`` is the same
in every run, whatever the number of DataLoader workers; ``state_dict()`` records the position
and ``load_state_dict()`` continues from it. :class:`SequentialJetStream` reads the jets once,
in file order, for validation and evaluation.

Memory: a rank holds ``interleave`` windows of ``window_jets`` jets (split among its DataLoader
workers), plus the block each worker is reading and converting, plus the DataLoader's prefetched
batches; :attr:`JetStream.memory_bound_bytes` adds these up and the constructor refuses a layout
above ``memory_cap_bytes``. Not counted: what the file library holds while reading, i.e. the
ROOT baskets covering a block (their size is fixed when the file is written) and the parsed
metadata of up to 32 open trees per process (measured: 7 MB above a 49 MB bound for 64-particle
jets in baskets of 1024, ``benchmarks/bench_input.py --stream``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from .errors import StreamedDataError, error_message
from .file_ranges import FileRange
from .jet_data import JetData
from .reading_options import ReadingOptions
from .stream_plan import batch_position, cut_blocks, epoch_blocks, spread_subset, window_pieces
from .stream_sample import StreamSample, read_piece, sample_files

# Converting a block holds its raw and padded arrays in float64 next to the float32 result.
BLOCK_READ_FACTOR = 4


def bytes_per_jet(max_particles: int, num_scalars: int, weighted: bool) -> int:
    """Bytes of one padded jet in memory: float32 momenta and scalars, bool mask, int64 label,
    float32 jet momentum, float64 weight."""
    return max_particles * (4 * 4 + 1 + 4 * num_scalars) + 8 + 4 * 4 + (8 if weighted else 0)


def describe_files(ranges: Sequence[FileRange]) -> str:
    """The files of a stream for messages: the file itself, or the folder of several, with the jets."""
    paths = sorted({str(part.path) for part in ranges})
    jets = sum(len(part) for part in ranges)
    if len(paths) == 1:
        return f"{paths[0]} ({jets} jets)"
    return f"{ranges[0].path.parent} ({len(paths)} files, {jets} jets)"


def _workers() -> tuple[int, int]:
    info = get_worker_info()
    return (0, 1) if info is None else (info.id, info.num_workers)


def _read_streamed(piece: FileRange, max_particles: int, reading: ReadingOptions) -> JetData:
    """:func:`read_piece` with the reading options ``reading``, the reader's errors raised as
    :class:`StreamedDataError`."""
    try:
        return read_piece(piece, max_particles, reading)
    except (ValueError, KeyError, OSError) as error:
        message = error_message(error)
        raise StreamedDataError(str(message)) from error


class _WindowReader:
    """Reads pieces of files into one preallocated window (no second copy while joining)."""

    def __init__(self, max_particles: int, num_scalars: int, weighted: bool, reading: ReadingOptions) -> None:
        self.max_particles = max_particles
        self.num_scalars = num_scalars
        self.weighted = weighted
        self.reading = reading

    def read(self, pieces: Sequence[FileRange], source: str) -> JetData:
        n, p = sum(len(piece) for piece in pieces), self.max_particles
        momenta = np.zeros((n, p, 4), np.float32)
        mask = np.zeros((n, p), bool)
        labels = np.zeros(n, np.int64)
        jet_momenta = np.zeros((n, 4), np.float32)
        scalars = np.zeros((n, p, self.num_scalars), np.float32) if self.num_scalars else None
        weights = np.zeros(n, np.float64) if self.weighted else None
        row = 0
        for piece in pieces:
            jets = _read_streamed(piece, p, self.reading)
            rows = slice(row, row + len(jets))
            momenta[rows], mask[rows], labels[rows] = jets.momenta.numpy(), jets.mask.numpy(), jets.labels.numpy()
            jet_momenta[rows] = jets.jets.numpy()
            if scalars is not None:
                scalars[rows] = jets.scalars.numpy()
            if weights is not None:
                weights[rows] = jets.weights.numpy()
            row = rows.stop
        return JetData(
            momenta=torch.from_numpy(momenta),
            mask=torch.from_numpy(mask),
            labels=torch.from_numpy(labels),
            scalars=None if scalars is None else torch.from_numpy(scalars),
            weights=None if weights is None else torch.from_numpy(weights),
            jets=torch.from_numpy(jet_momenta),
            source=source,
        )


class JetStream(IterableDataset):
    """Endless shuffled training batches streamed from file ranges, sharded over ranks and workers.

    Parameters
    ----------
    ranges : sequence of FileRange
        The jets of the split (from :func:`~lorentznets.data.readers.file_ranges.file_ranges`).
    max_particles : int
        Length P of the particle axis.
    batch_size : int
        Jets per batch on this rank.
    seed : int
        Seed of the order; the stream depends on nothing else besides the layout arguments.
    rank, world_size : int
        DDP position: rank ``r`` takes windows ``r, r + world_size, ...`` (disjoint shards).
    block_jets : int
        Consecutive jets read from a file in one go.
    window_jets : int
        Jets of one shuffle buffer (a multiple of ``batch_size`` is used; the rest is dropped).
    interleave : int
        Windows a rank holds at once, whose batches alternate; the number of DataLoader workers
        must divide it.
    sample_jets : int
        Jets read from the start of every file before streaming (see :mod:`.stream_sample`).
    impact_parameters : bool or None
        JetClass: add the four track impact-parameter features to the scalars (None: False).
    constituent_mass : str or None
        EnergyFlow files: "pdg" (None) or "massless" constituents (see :func:`~.load.load_jets`).
    pid_features : str or None
        EnergyFlow files: "lorentznets" (None) or "weaver" particle-ID scalars (see :func:`~.load.load_jets`).
    reading : ReadingOptions or None
        The three options above as one object, built once by the caller; not together with them.
    num_workers : int
        DataLoader workers per rank (0: the main process), for the memory bound.
    prefetch_batches : int
        Batches the DataLoader keeps ready per worker, for the memory bound.
    memory_cap_bytes : int or None
        Refuse a layout whose :attr:`memory_bound_bytes` exceeds this.

    Raises
    ------
    ValueError
        Too few jets for one group of windows per rank, a window smaller than a batch, a layout
        above the memory cap, or files that cannot be read by ranges.
    """

    def __init__(
        self,
        ranges: Sequence[FileRange],
        max_particles: int,
        batch_size: int,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
        *,
        block_jets: int = 2048,
        window_jets: int = 32768,
        interleave: int = 2,
        sample_jets: int = 256,
        impact_parameters: bool | None = None,
        constituent_mass: str | None = None,
        pid_features: str | None = None,
        reading: ReadingOptions | None = None,
        num_workers: int = 0,
        prefetch_batches: int = 2,
        memory_cap_bytes: int | None = None,
    ) -> None:
        if not ranges:
            raise ValueError("a jet stream needs at least one file range")
        if min(max_particles, batch_size, block_jets, window_jets, interleave, sample_jets) < 1:
            raise ValueError("max_particles, batch_size, block_jets, window_jets, interleave, sample_jets must be >= 1")
        self.ranges = list(ranges)
        self.max_particles = max_particles
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.block_jets = block_jets
        self.interleave = interleave
        reading = ReadingOptions.resolve(
            reading, impact_parameters=impact_parameters, constituent_mass=constituent_mass, pid_features=pid_features
        )
        self.num_jets = sum(len(part) for part in self.ranges)
        self.source = describe_files(self.ranges)
        self.batches_per_window = window_jets // batch_size
        if self.batches_per_window == 0:
            raise ValueError(f"{self.source}: a window of {window_jets} jets is smaller than a batch of {batch_size}")
        self.window_jets = self.batches_per_window * batch_size
        windows = self.num_jets // self.window_jets // world_size
        self.windows_per_epoch = windows // interleave * interleave
        if self.windows_per_epoch == 0:
            raise ValueError(
                f"{self.source}: too few jets to stream {interleave} window(s) of {self.window_jets} jets to each of "
                f"{world_size} process(es); lower data.stream.window_jets (and block_jets) or read the split in "
                "memory (data.streaming=false)"
            )
        workers = max(num_workers, 1)
        if interleave % workers:
            raise ValueError(
                f"{self.source}: {workers} DataLoader workers do not divide interleave={interleave} (the windows held "
                "at once): make it a multiple of the number of workers"
            )
        self.sample = sample_files(self.ranges, max_particles, sample_jets, reading)
        jet_bytes = bytes_per_jet(max_particles, self.sample.num_scalars, self.sample.weight_means is not None)
        self.memory_bound_bytes = jet_bytes * (
            interleave * self.window_jets
            + workers * BLOCK_READ_FACTOR * block_jets
            + workers * prefetch_batches * batch_size
        )
        if memory_cap_bytes is not None and self.memory_bound_bytes > memory_cap_bytes:
            raise ValueError(
                f"{self.source}: streaming needs up to {self.memory_bound_bytes / 1e9:.3g} GB per process "
                f"(interleave={interleave} windows of {self.window_jets} jets, {workers} worker(s) reading blocks "
                f"of {block_jets} jets, {jet_bytes} bytes per jet), more than the cap of "
                f"{memory_cap_bytes / 1e9:.3g} GB: lower the window or block size"
            )
        groups = len(set(self.sample.groups))
        if self.window_jets < (2 * groups - 1) * block_jets:
            warnings.warn(
                f"{self.source}: windows of {self.window_jets} jets hold fewer than 2 x {groups} - 1 blocks of "
                f"{block_jets} jets, so some may miss one of the {groups} file groups (classes); raise the window "
                "size or lower the block size",
                stacklevel=2,
            )
        self._blocks = cut_blocks(self.ranges, block_jets)
        self._reader = _WindowReader(
            max_particles, self.sample.num_scalars, self.sample.weight_means is not None, reading
        )
        self._epoch_windows: tuple[int, list[list[FileRange]]] = (-1, [])
        self.start_batch = 0

    # ------------------------------------------------------------------ position
    def layout(self) -> dict[str, Any]:
        """What fixes the stream's order, as plain data (stored with the position)."""
        return {
            "files": [str(part.path) for part in self.ranges],
            "ranges": [[part.start, part.stop] for part in self.ranges],
            "batch_size": self.batch_size,
            "seed": self.seed,
            "world_size": self.world_size,
            "block_jets": self.block_jets,
            "window_jets": self.window_jets,
            "interleave": self.interleave,
        }

    def state_dict(self, batches: int) -> dict[str, Any]:
        """The position after this rank has consumed ``batches`` batches, with the layout.

        Plain data only, so it can go into a checkpoint loaded with ``weights_only=True``.
        """
        return {"batch": int(batches), "layout": self.layout()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a position of :meth:`state_dict`: the next iteration yields its batch.

        Raises
        ------
        ValueError
            The state was written for another layout (files, ranges, sizes, seed, processes);
            the message names the entries that differ.
        """
        layout = self.layout()
        differ = sorted(key for key in layout if state["layout"].get(key) != layout[key])
        if differ:
            raise ValueError(
                f"{self.source}: the saved stream position belongs to another data layout (differs in {differ}); "
                "resume with the same data files and settings"
            )
        self.start_batch = int(state["batch"])

    # ------------------------------------------------------------------ iteration
    def _pieces(self, epoch: int, global_window: int) -> list[FileRange]:
        if self._epoch_windows[0] != epoch:
            order = epoch_blocks(self._blocks, self.sample.groups, self.seed, epoch)
            self._epoch_windows = (epoch, window_pieces(order, self.window_jets))
        return self._epoch_windows[1][global_window]

    def window(self, epoch: int, window: int) -> tuple[JetData, torch.Tensor]:
        """This rank's ``window``-th window of ``epoch`` in read order, and the seeded permutation
        (N,) in which its jets are batched."""
        global_window = self.rank + self.world_size * window
        pieces = self._pieces(epoch, global_window)
        jets = self._reader.read(pieces, f"{self.source} epoch {epoch} window {global_window}")
        permutation = np.random.default_rng([self.seed, epoch, global_window]).permutation(len(jets))
        return jets, torch.from_numpy(permutation)

    def __iter__(self) -> Iterator[JetData]:
        worker, workers = _workers()
        if self.interleave % workers:
            raise ValueError(
                f"{self.source}: {workers} DataLoader workers do not divide interleave={self.interleave} (the windows "
                "held at once): make it a multiple of the number of workers"
            )
        held: dict[int, tuple[JetData, torch.Tensor]] = {}
        held_group = None
        batch = self.start_batch + worker
        while True:
            epoch, window, index = batch_position(
                batch, self.windows_per_epoch, self.interleave, self.batches_per_window
            )
            group = (epoch, window // self.interleave)
            if group != held_group:
                held.clear()
                held_group = group
            if window not in held:
                held[window] = self.window(epoch, window)
            jets, permutation = held[window]
            yield jets.subset(permutation[index * self.batch_size : (index + 1) * self.batch_size])
            batch += workers


class SequentialJetStream(IterableDataset):
    """Every jet once, in batches cut from blocks read in file order, sharded without overlap.

    Rank ``r`` of ``world_size`` takes blocks ``r, r + world_size, ...``, and DataLoader worker
    ``k`` of ``W`` every ``W``-th block of those; batches do not straddle blocks (the last one of a
    block may be smaller). Memory: one block per worker.

    With ``max_batches``, only that many batches are read, over all ranks together: a fixed subset
    of the jets spread over every file (:func:`~.stream_plan.spread_subset`), the same whatever the
    number of ranks, cut into batches that rank ``r`` takes as ``r, r + world_size, ...`` (a rank
    may get none). A batch may join pieces of several files.

    Parameters
    ----------
    ranges : sequence of FileRange
    max_particles, batch_size : int
    rank, world_size : int
    block_jets : int
        Consecutive jets read from a file in one go.
    sample : StreamSample or None
        The files' sample (see :mod:`.stream_sample`); read here when None.
    sample_jets : int
        Jets sampled from the start of every file when ``sample`` is None.
    impact_parameters : bool or None
        JetClass: add the four track impact-parameter features to the scalars (None: False).
    constituent_mass : str or None
        EnergyFlow files: "pdg" (None) or "massless" constituents (see :func:`~.load.load_jets`).
    pid_features : str or None
        EnergyFlow files: "lorentznets" (None) or "weaver" particle-ID scalars (see :func:`~.load.load_jets`).
    reading : ReadingOptions or None
        The three options above as one object, built once by the caller; not together with them.
    max_batches : int or None
        Read this many batches of a fixed subset, over all ranks; None, or at least as many jets
        as the split holds (``max_batches * batch_size``): the whole split, in the batches above.
    """

    def __init__(
        self,
        ranges: Sequence[FileRange],
        max_particles: int,
        batch_size: int,
        rank: int = 0,
        world_size: int = 1,
        *,
        block_jets: int = 2048,
        sample: StreamSample | None = None,
        sample_jets: int = 256,
        impact_parameters: bool | None = None,
        constituent_mass: str | None = None,
        pid_features: str | None = None,
        reading: ReadingOptions | None = None,
        max_batches: int | None = None,
    ) -> None:
        if not ranges:
            raise ValueError("a jet stream needs at least one file range")
        if max_batches is not None and max_batches < 1:
            raise ValueError(f"max_batches must be >= 1 or None, got {max_batches}")
        self.ranges = list(ranges)
        self.max_particles = max_particles
        self.batch_size = batch_size
        self.rank = rank
        self.world_size = world_size
        self.block_jets = block_jets
        self.reading = ReadingOptions.resolve(
            reading, impact_parameters=impact_parameters, constituent_mass=constituent_mass, pid_features=pid_features
        )
        """The reading options of every read (:func:`~.stream_sample.read_piece`)."""
        self.num_jets = sum(len(part) for part in self.ranges)
        self.source = describe_files(self.ranges)
        self.sample = sample if sample is not None else sample_files(ranges, max_particles, sample_jets, self.reading)
        self._blocks = [block for blocks in cut_blocks(self.ranges, block_jets) for block in blocks]
        kept = None if max_batches is None else max_batches * batch_size
        self._subset_batches = (
            window_pieces(spread_subset(self.ranges, self.sample.groups, kept), batch_size)
            if kept is not None and kept < self.num_jets
            else None
        )

    def with_batches(
        self, batch_size: int, rank: int = 0, world_size: int = 1, max_batches: int | None = None
    ) -> SequentialJetStream:
        """The same files in batches of ``batch_size`` for rank ``rank`` of ``world_size``, capped at
        ``max_batches`` over all ranks as the class describes (no new sample)."""
        return SequentialJetStream(
            self.ranges,
            self.max_particles,
            batch_size,
            rank,
            world_size,
            block_jets=self.block_jets,
            sample=self.sample,
            reading=self.reading,
            max_batches=max_batches,
        )

    def __iter__(self) -> Iterator[JetData]:
        worker, workers = _workers()
        if self._subset_batches is not None:
            sample = self.sample
            reader = _WindowReader(
                self.max_particles, sample.num_scalars, sample.weight_means is not None, self.reading
            )
            for pieces in self._subset_batches[self.rank :: self.world_size][worker::workers]:
                yield reader.read(pieces, self.source)
            return
        for block in self._blocks[self.rank :: self.world_size][worker::workers]:
            jets = _read_streamed(block, self.max_particles, self.reading)
            # Batches are views of the arrays the reader filled (no copy); as JetStream's windows, no truth.
            jets = replace(jets, truth=None, source=self.source)
            for start in range(0, len(jets), self.batch_size):
                yield jets.subset(slice(start, start + self.batch_size))
