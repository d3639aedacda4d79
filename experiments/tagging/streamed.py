"""Tagging splits streamed from their files instead of held in memory (``data.streaming``).

``data.streaming: true`` streams every split, ``false`` reads them into memory
(:class:`~experiments.tagging.dataset.JetDataset`), ``auto`` streams when the splits would take
more than ``data.memory_cap_gb`` in memory. The training split is a
:class:`~lorentznets.data.readers.stream.JetStream` (shuffled, class-mixing, resumable, sharded
over ranks and workers, within ``data.memory_cap_gb`` per process); validation and test read
every jet once in file order, and a validation capped by ``training.max_val_batches`` a fixed
subset spread over every file (:meth:`StreamedJetDataset.capped`).

What the in-memory path computes over a whole split comes here from the first
``data.stream.sample_jets`` jets of every file: the classes present (a split of one class is
refused), the momentum unit and the mean weight of each class (weights are divided by it, as
:func:`~experiments.tagging.dataset.class_normalised_weights` does).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import IterableDataset

from experiments.common.jet_splits import jet_split_ranges
from experiments.tagging.dataset import TaggingBatch, check_split_classes, trimmed_batch
from experiments.tagging.split_weights import splits_are_weighted
from lorentznets.data.readers import JetData, ReadingOptions
from lorentznets.data.readers.file_ranges import FileRange
from lorentznets.data.readers.stream import JetStream, SequentialJetStream, bytes_per_jet
from lorentznets.data.readers.stream_sample import StreamSample, can_stream, read_piece

LOGGER = logging.getLogger("lorentznets")

GB = 1e9


class StreamedJetDataset(IterableDataset):
    """A streamed split whose batches are the dicts of :class:`~experiments.tagging.dataset.JetDataset`.

    Parameters
    ----------
    files : SequentialJetStream
        Every jet of the split once (iterated when ``training`` is None, and by :meth:`sequential`).
    use_scalars : bool
        Include the per-particle scalars.
    weight_means : torch.Tensor with shape (C,) or None
        Mean weight of each class; batches carry ``weights`` divided by it. None: no weights.
    training : JetStream or None
        The endless shuffled stream of the training split.
    """

    def __init__(
        self,
        files: SequentialJetStream,
        use_scalars: bool,
        weight_means: torch.Tensor | None,
        training: JetStream | None = None,
    ) -> None:
        self.files = files
        self.use_scalars = use_scalars
        self.weight_means = weight_means
        self.training = training
        self.source = files.source

    @property
    def sample(self) -> StreamSample:
        """Statistics of the first jets of every file."""
        return self.files.sample

    @property
    def num_scalars(self) -> int:
        """Per-particle scalar features S (0 without scalars)."""
        return self.sample.num_scalars if self.use_scalars else 0

    def momentum_spread(self) -> float:
        """Standard deviation (GeV) of the sampled real constituents' four-momentum components."""
        return self.sample.momentum_spread

    def head(self, n: int) -> TaggingBatch:
        """The first ``n`` jets of the first file (fewer if it is shorter) as one batch."""
        first = self.files.ranges[0]
        piece = FileRange(first.path, first.format, first.split, first.start, min(first.stop, first.start + n))
        return self._batch(read_piece(piece, self.files.max_particles, self.files.reading))

    def _batch(self, jets: JetData) -> TaggingBatch:
        weights = None if self.weight_means is None else jets.weights / self.weight_means[jets.labels]
        scalars = jets.scalars if self.use_scalars else None
        return trimmed_batch(jets.momenta, jets.mask, jets.labels, scalars, weights, jets.jets)

    def __iter__(self) -> Iterator[TaggingBatch]:
        for jets in self.training if self.training is not None else self.files:
            yield self._batch(jets)

    def sequential(
        self, batch_size: int, rank: int = 0, world_size: int = 1, max_batches: int | None = None
    ) -> StreamedJetDataset:
        """Every jet once, in batches of ``batch_size``, rank ``rank``'s share of ``world_size``;
        with ``max_batches``, that many batches over all ranks: a fixed subset of jets spread over
        every file, the same for any number of ranks (see
        :class:`~lorentznets.data.readers.stream.SequentialJetStream`)."""
        files = self.files.with_batches(batch_size, rank, world_size, max_batches)
        return StreamedJetDataset(files, self.use_scalars, self.weight_means)

    def state_dict(self, batches: int) -> dict[str, Any]:
        """The training stream's position after ``batches`` batches (see :meth:`JetStream.state_dict`)."""
        return self.training.state_dict(batches)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue the training stream from :meth:`state_dict`'s position."""
        self.training.load_state_dict(state)


def _estimated_gb(ranges: Mapping[str, Sequence[FileRange]], data_cfg: Mapping, reading: ReadingOptions) -> float:
    first = ranges["train"][0]
    probe = read_piece(
        FileRange(first.path, first.format, first.split, first.start, first.start + 1),
        data_cfg["max_particles"],
        reading,
    )
    jet_bytes = bytes_per_jet(data_cfg["max_particles"], probe.num_scalars, probe.weights is not None)
    return sum(len(part) for parts in ranges.values() for part in parts) * jet_bytes / GB


def _weight_means(
    samples: Mapping[str, StreamSample], sources: Mapping[str, str], use_weights: bool, num_classes: int
) -> dict[str, torch.Tensor | None]:
    """Sampled mean weight of each class (C,) float64 per split (the weights are divided by it), or
    None everywhere when the jets are not weighted (:func:`splits_are_weighted`)."""
    has_weights = {split: sample.weight_means is not None for split, sample in samples.items()}
    if not splits_are_weighted(has_weights, sources, use_weights):
        return dict.fromkeys(samples)
    means = {}
    for split, sample in samples.items():
        counts = sample.class_counts
        overall = sum(sample.weight_means[c] * n for c, n in counts.items()) / sum(counts.values())
        table = torch.full((num_classes,), overall, dtype=torch.float64)
        for label, mean in sample.weight_means.items():
            table[label] = mean
        if not bool((table > 0).all()):
            zero = torch.nonzero(table <= 0).flatten().tolist()
            raise ValueError(
                f"{split} split: the per-jet weights sampled for the class labels {zero} sum to zero, so they cannot "
                "be normalised to mean 1 per class: check the files' 'weight' key or set data.use_weights=false"
            )
        means[split] = table
    return means


def streamed_splits(
    data_cfg: Mapping,
    reading: ReadingOptions,
    class_names: Sequence[str],
    batch_size: int,
    seed: int,
    rank: int,
    world_size: int,
    num_workers: int,
) -> dict[str, StreamedJetDataset] | None:
    """The streamed train/val/test splits, or None when ``data.streaming`` reads them in memory.

    Parameters
    ----------
    data_cfg : mapping
        The ``data`` block of the config.
    reading : ReadingOptions
        How the readers build the jets: the run's (``TaggingExperiment.reading``), built once from
        ``data_cfg``.
    class_names : sequence of str
    batch_size : int
        Training jets per batch on this rank.
    seed : int
        Seed of the training stream's order.
    rank, world_size : int
        DDP position.
    num_workers : int
        DataLoader workers per rank.
    """
    setting = data_cfg["streaming"]
    if setting is False:
        return None
    ranges = jet_split_ranges(data_cfg)
    if setting == "auto":
        if not all(can_stream(part) for parts in ranges.values() for part in parts):
            return None
        estimate = _estimated_gb(ranges, data_cfg, reading)
        if estimate <= data_cfg["memory_cap_gb"]:
            return None
        LOGGER.info(
            "the splits would take about %.3g GB in memory, more than data.memory_cap_gb=%s: streaming them",
            estimate,
            data_cfg["memory_cap_gb"],
        )
    layout, max_particles = data_cfg["stream"], data_cfg["max_particles"]
    training = JetStream(
        ranges["train"],
        max_particles,
        batch_size,
        seed,
        rank,
        world_size,
        block_jets=layout["block_jets"],
        window_jets=layout["window_jets"],
        interleave=layout["interleave"],
        sample_jets=layout["sample_jets"],
        reading=reading,
        num_workers=num_workers,
        memory_cap_bytes=int(data_cfg["memory_cap_gb"] * GB),
    )
    files = {
        split: SequentialJetStream(
            ranges[split],
            max_particles,
            batch_size,
            block_jets=layout["block_jets"],
            sample=training.sample if split == "train" else None,
            sample_jets=layout["sample_jets"],
            reading=reading,
        )
        for split in ("train", "val", "test")
    }
    samples = {split: stream.sample for split, stream in files.items()}
    for split, stream in files.items():
        sample = stream.sample
        scope = f" in the first {sample.num_jets} jets sampled from its files"
        check_split_classes(sorted(sample.class_counts), class_names, split, stream.source, scope)
        if data_cfg["use_scalars"] and sample.num_scalars == 0:
            raise ValueError(f"{stream.source}: data.use_scalars=true but the files have no per-particle scalars")
    sources = {split: stream.source for split, stream in files.items()}
    means = _weight_means(samples, sources, data_cfg["use_weights"], len(class_names))
    datasets = {
        split: StreamedJetDataset(
            files[split], data_cfg["use_scalars"], means[split], training if split == "train" else None
        )
        for split in files
    }
    LOGGER.info(
        "streaming train (%d jets, up to %.3g GB per process), val (%d jets) and test (%d jets) from %s",
        training.num_jets,
        training.memory_bound_bytes / GB,
        files["val"].num_jets,
        files["test"].num_jets,
        _where(files.values()),
    )
    return datasets


def _where(streams: Iterable[JetStream | SequentialJetStream]) -> str:
    """The file, or the number of files and their first folder, that the splits stream from."""
    paths = sorted({str(part.path) for stream in streams for part in stream.ranges})
    return paths[0] if len(paths) == 1 else f"{len(paths)} files in {Path(paths[0]).parent}"
