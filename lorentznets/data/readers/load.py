"""``load_jets``: pick the reader for a file (or glob of files) and return :class:`JetData`."""

from __future__ import annotations

import glob
import os
import zipfile
from pathlib import Path
from types import ModuleType

from . import energyflow_npz, jetclass_root, landscape_h5, lgatr_npz, lgn_h5
from .jet_data import JetData
from .validation import check_max_particles

# Order matters for "auto": the first reader whose suffix and keys match wins.
READERS: dict[str, ModuleType] = {
    module.FORMAT: module for module in (lgn_h5, landscape_h5, lgatr_npz, energyflow_npz, jetclass_root)
}


def available_formats() -> list[str]:
    """Names accepted by ``load_jets(format=...)`` besides "auto"."""
    return list(READERS)


def detect_format(path: str | os.PathLike) -> str:
    """Format of one file, from its extension and keys.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        No reader recognises it; the message lists the formats and what each expects.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    candidates = [name for name, module in READERS.items() if path.suffix.lower() in module.SUFFIXES]
    for name in candidates:
        try:
            if READERS[name].detect(path):
                return name
        except (OSError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: cannot open as {name}: {error}") from error
    raise ValueError(
        f"{path}: cannot detect the jet format from suffix '{path.suffix}' and keys; "
        f"pass format= one of {available_formats()}"
    )


def expand_paths(path: str | os.PathLike) -> list[Path]:
    """One existing file, or the sorted matches of a glob pattern.

    Raises
    ------
    FileNotFoundError
        Nothing matches; the message names the path or pattern.
    """
    text = os.fspath(path)
    if Path(text).is_file():
        return [Path(text)]
    if Path(text).is_dir():
        raise FileNotFoundError(f"{text}: is a directory; pass a file or a glob such as '{text}/*.root'")
    if glob.has_magic(text):
        matches = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
        if matches:
            return matches
        raise FileNotFoundError(f"{text}: no file matches this pattern")
    raise FileNotFoundError(f"{text}: no such file")


def _read_file(
    name: str, path: Path, split: str | None, max_particles: int, max_jets: int | None, drop_empty: bool
) -> JetData:
    try:
        return READERS[name].read(path, split, max_particles, max_jets, drop_empty)
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
        Read only the first ``max_jets`` jets (in file order, across files).
    drop_empty : bool
        Drop jets without constituents with a warning; by default they raise ``ValueError``.

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
        Unknown format, wrong shapes, NaN/inf momenta, empty jets, bad labels, bad arguments; a
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
    files = expand_paths(path)
    parts: list[JetData] = []
    remaining = max_jets
    for file in files:
        if remaining == 0:
            break
        name = detect_format(file) if format == "auto" else format
        data = _read_file(name, file, split, max_particles, remaining, drop_empty)
        parts.append(data)
        if remaining is not None:
            remaining -= len(data)
    if not parts:
        name = detect_format(files[0]) if format == "auto" else format
        return _read_file(name, files[0], split, max_particles, 0, drop_empty)
    source = parts[0].source if len(files) == 1 else f"{os.fspath(path)} ({len(parts)} files)"
    return JetData.concatenate(parts, source=source)
