"""Batches of the jets of one file, read chunk by chunk: what the tagging experiment predicts
new files with, without holding a whole file in memory (except EnergyFlow ``.npz`` archives,
which cannot be read in parts). Files without labels are read too (real collision data, a
simulation without truth): their batches have no ``labels``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from experiments.tagging.dataset import JetDataset, TaggingBatch
from lorentznets.data.readers import JetData
from lorentznets.data.readers.file_ranges import count_jets
from lorentznets.data.readers.formats import READERS, detect_format, reads_ranges
from lorentznets.data.readers.reading_options import DEFAULT_READING, ReadingOptions

CHUNK_JETS = 8192
"""Jets read from disk at a time: with P = 128 constituents and 10 features per constituent,
8192 jets take 42 MB in float32, the memory bound of a prediction (plus one batch on the device)."""


def jet_file_batches(
    path: str | Path,
    format: str,
    max_particles: int,
    use_scalars: bool,
    batch_size: int,
    reading: ReadingOptions = DEFAULT_READING,
    chunk_jets: int = CHUNK_JETS,
    max_jets: int | None = None,
) -> Iterator[TaggingBatch]:
    """Consecutive batches (in file order) of all jets of one file.

    Parameters
    ----------
    path : str or pathlib.Path
    format : str
        A format of :mod:`lorentznets.data.readers` with row-range reads, or "auto".
    max_particles : int
        Constituents kept per jet (the hardest), as in training.
    use_scalars : bool
        Give the batches ``scalars`` (the file must have them).
    batch_size : int
    reading : ReadingOptions
        As in training: JetClass's track impact parameters (``data.impact_parameters``), the
        EnergyFlow constituents' masses (``data.constituent_mass``) and particle-ID scalars
        (``data.features``).
    chunk_jets : int
        Jets read from disk at a time (:data:`CHUNK_JETS`); 1 reads no more than the first batch
        of one jet needs. EnergyFlow ``.npz`` archives cannot be read by ranges and are read whole.
    max_jets : int or None
        Stop after the file's first ``max_jets`` jets (None: all). An ``.npz`` archive is then
        decompressed only as far as those jets.

    Yields
    ------
    TaggingBatch
        ``momenta`` (B, N, 4) GeV, ``mask`` (B, N), ``labels`` (B,) where the file has labels
        (``is_signal``, ``is_signal_new``, ``y``, JetClass's ``label_*`` branches), ``jets``
        (B, 4) GeV (each jet from all its constituents) and ``scalars`` (B, N, S) when ``use_scalars``, trimmed to
        the longest jet of the batch (see :class:`JetDataset`).

    Raises
    ------
    ValueError
        A format without row-range reads, impact parameters from another format than
        JetClass ROOT, massless constituents from another format than EnergyFlow, a file
        without scalars when ``use_scalars``, and
        whatever the reader finds (NaN momenta, empty jets, ...), naming the file.
    """
    path = Path(path)
    name = detect_format(path) if format == "auto" else format
    reader = READERS[name]
    if not hasattr(reader, "read_range"):
        raise ValueError(f"{path}: format {name!r} holds several splits per file; predict files of another format")
    if reading.impact_parameters and name != "jetclass_root":
        raise ValueError(f"{path}: data.impact_parameters=true needs JetClass ROOT files, not format {name!r}")
    keywords = reading.reader_keywords(name, path)
    for jets in _chunks(path, name, max_particles, chunk_jets, max_jets, keywords):
        if use_scalars and jets.scalars is None:
            raise ValueError(f"{path}: the model takes per-particle scalars (data.use_scalars=true); the file has none")
        dataset = JetDataset(jets, use_scalars=use_scalars)
        for first in range(0, len(dataset), batch_size):
            yield dataset.__getitems__(range(first, min(first + batch_size, len(dataset))))


def _chunks(
    path: Path, format: str, max_particles: int, chunk_jets: int, max_jets: int | None, keywords: dict
) -> Iterator[JetData]:
    """The file's first ``max_jets`` jets (None: all) ``chunk_jets`` at a time, or all at once where
    its reader cannot read ranges (EnergyFlow ``.npz`` archives, which are decompressed whole anyway)."""
    reader = READERS[format]
    if not reads_ranges(format, path):
        yield reader.read(path, None, max_particles, max_jets, False, **keywords, require_labels=False)
        return
    total = count_jets(path, format, None)
    if max_jets is not None:
        total = min(total, max_jets)
    for start in range(0, total, chunk_jets):
        stop = min(start + chunk_jets, total)
        yield reader.read_range(path, start, stop, max_particles, **keywords, require_labels=False)
