"""``load_jets``: pick the reader for a file (or glob of files) and return :class:`JetData`."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .file_ranges import capped_counts
from .formats import READERS, available_formats, detect_format, expand_paths
from .jet_data import JetData
from .reading_options import ReadingOptions
from .validation import check_max_particles

__all__ = ["available_formats", "detect_format", "expand_paths", "load_jets"]


def _read_file(
    name: str,
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool,
    reading: ReadingOptions,
) -> JetData:
    """Read one file with the reading options ``reading``."""
    keywords = reading.reader_keywords(name, path)
    try:
        return READERS[name].read(path, split, max_particles, max_jets, drop_empty, **keywords)
    except FileNotFoundError:
        raise
    except (OSError, zipfile.BadZipFile) as error:
        # h5py and zipfile name the problem but not the file.
        raise ValueError(f"{path}: cannot read as {name}: {error}") from error


def load_jets(
    path: str | os.PathLike,
    format: str = "auto",
    split: str | None = None,
    max_particles: int = 200,
    max_jets: int | None = None,
    *,
    drop_empty: bool = False,
    impact_parameters: bool | None = None,
    constituent_mass: str | None = None,
    pid_features: str | None = None,
    reading: ReadingOptions | None = None,
) -> JetData:
    """Read jets from a file or glob of files in any supported format.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a glob pattern (files are read in sorted order and concatenated).
    format : str
        One of :func:`available_formats`, or "auto" to detect it from the suffix and keys.
    split : str or None
        For "lgatr_npz" (all splits in one file): "train", "val" or "test". The other formats
        store one split per file and need ``split=None``.
    max_particles : int
        Length P of the particle axis: constituents are sorted by decreasing pT, the hardest
        ``max_particles`` kept and shorter jets zero-padded up to exactly P.
    max_jets : int or None
        Read at most ``max_jets`` jets: the first ones of every file, shared among the files in
        proportion to their sizes (so a glob of one-class-per-file files keeps every class; see
        :func:`~lorentznets.data.readers.file_ranges.capped_counts`).
    drop_empty : bool
        Drop jets without constituents with a warning; by default they raise ``ValueError``.
    impact_parameters : bool or None
        "jetclass_root" only: append the four track impact-parameter features to the particle-ID
        ``scalars`` (Particle Transformer's full input, S = 10). None: False (or ``reading``'s).
    constituent_mass : str or None
        "energyflow_npz" only: "pdg" (the default, None) gives each constituent the PDG mass of its
        particle ID, "massless" none (E = pt cosh(y), the convention of weaver's quark-gluon
        models; see :mod:`lorentznets.data.convert.pid`).
    pid_features : str or None
        "energyflow_npz" only: the scalars built from the PDG codes, "lorentznets" (the default,
        None: charge and one-hot of abs(pid), S = 9) or "weaver" (the six flags of weaver's
        ``qg_kinpid`` models, S = 6; see :mod:`lorentznets.data.convert.weaver_pid`). Other
        formats' scalars are the file's.
    reading : ReadingOptions or None
        The three options above as one object, built once by a caller that reads many times;
        not together with them.

    Returns
    -------
    JetData
        momenta (N, P, 4) float32 GeV, mask (N, P), labels (N,), scalars (N, P, S) or None,
        truth (N, 4) or None.

    Raises
    ------
    FileNotFoundError
        Missing file or no glob match.
    KeyError
        Missing key/branch/column; names the file, key and the keys present.
    ValueError
        Unknown format, wrong shapes, NaN/inf momenta, empty jets, bad labels, bad arguments (a
        ``constituent_mass`` other than "pdg" for files that store four-momenta, ``reading``
        together with the keywords it replaces); a
        truncated or unreadable file; a partly generated file (see
        :func:`lorentznets.data.generate.status.generation_status`); unphysical constituents
        (see :func:`lorentznets.data.physics_checks.check_four_momenta`). Messages name the file.
    ImportError
        The format needs an optional package (h5py, uproot, awkward): ``pip install lorentznets[data]``.

    Examples
    --------
    >>> data = load_jets("data/toptagging/test.h5", max_jets=1000)  # doctest: +SKIP
    >>> data.momenta.shape  # doctest: +SKIP
    torch.Size([1000, 200, 4])
    """
    if format != "auto" and format not in READERS:
        raise ValueError(f"unknown jet format {format!r}; available: {['auto', *available_formats()]}")
    check_max_particles(max_particles, max_jets)
    reading = ReadingOptions.resolve(
        reading, impact_parameters=impact_parameters, constituent_mass=constituent_mass, pid_features=pid_features
    )
    files = expand_paths(path)
    formats = [detect_format(file) if format == "auto" else format for file in files]
    if reading.impact_parameters and set(formats) != {"jetclass_root"}:
        raise ValueError(
            f"{os.fspath(path)}: impact_parameters=True needs JetClass ROOT files (format 'jetclass_root'), "
            f"got formats {sorted(set(formats))}"
        )
    # The reader caps a lone file itself, so files are counted only to share a cap among several.
    if max_jets is None or len(files) == 1:
        caps = [max_jets] * len(files)
    else:
        caps = capped_counts(files, formats, split, max_jets)
    parts = [
        _read_file(name, file, split, max_particles, cap, drop_empty, reading)
        for file, name, cap in zip(files, formats, caps, strict=True)
        if cap != 0 or len(files) == 1
    ]
    if not parts:
        return _read_file(formats[0], files[0], split, max_particles, 0, drop_empty, reading)
    source = parts[0].source if len(files) == 1 else f"{os.fspath(path)} ({len(parts)} files)"
    return JetData.concatenate(parts, source=source)
