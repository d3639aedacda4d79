"""Which jets of which files a read covers: one row range per file, a cap shared in proportion.

Public datasets often hold one class per file (JetClass: ``HToBB_000.root``, ...). Taking "the
first N jets in file order" from such a glob reads the first class only; a cap is therefore
shared among the files in proportion to their sizes, so every file, and with it every class,
contributes its share.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .formats import READERS, available_formats, detect_format, expand_paths


@dataclass(frozen=True)
class FileRange:
    """Jets ``start .. stop - 1`` of one file.

    Attributes
    ----------
    path : Path
    format : str
        One of :func:`~lorentznets.data.readers.available_formats`.
    split : str or None
        The split inside the file for formats that store several ("lgatr_npz"), else None.
    start, stop : int
        Row range in the file.
    """

    path: Path
    format: str
    split: str | None
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start


def proportional_counts(sizes: Sequence[int], total: int) -> list[int]:
    """Split ``total`` among parts of the given ``sizes`` in proportion (largest remainders).

    Parameters
    ----------
    sizes : sequence of int
        Available items per part (>= 0).
    total : int
        Items wanted; at most ``sum(sizes)`` are given.

    Returns
    -------
    list of int
        Items per part, each at most its size, summing to ``min(total, sum(sizes))``.

    Examples
    --------
    >>> proportional_counts([100, 100, 50], 100)
    [40, 40, 20]
    """
    available = sum(sizes)
    if total >= available:
        return list(sizes)
    exact = [size * total / available for size in sizes]
    counts = [int(value) for value in exact]
    # Earlier parts win ties, so the result is deterministic.
    order = sorted(range(len(sizes)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def count_jets(path: Path, format: str, split: str | None) -> int:
    """Number of jets of ``split`` in one file.

    Raises
    ------
    ValueError
        Unreadable file; the message names it and the format.
    """
    try:
        return READERS[format].count(path, split)
    except FileNotFoundError:
        raise
    except (OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: cannot read as {format}: {error}") from error


def capped_counts(files: Sequence[Path], formats: Sequence[str], split: str | None, max_jets: int | None) -> list[int]:
    """Jets to take from each file: all of them, or ``max_jets`` shared in proportion to their sizes.

    Parameters
    ----------
    files : sequence of Path
    formats : sequence of str
        The format of every file.
    split : str or None
        Split inside the files ("lgatr_npz" only).
    max_jets : int or None
        At most this many jets in all (see :func:`proportional_counts`); None takes every jet.

    Returns
    -------
    list of int
        Jets per file (the first ones of the file), each at most the file's size; files are
        counted with :func:`count_jets`.
    """
    sizes = [count_jets(file, name, split) for file, name in zip(files, formats, strict=True)]
    return sizes if max_jets is None else proportional_counts(sizes, max_jets)


def file_ranges(
    path: str | os.PathLike, format: str = "auto", split: str | None = None, max_jets: int | None = None
) -> list[FileRange]:
    """The row range of every file a path or glob names, with ``max_jets`` shared in proportion.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a glob pattern (files in sorted order).
    format : str
        One of :func:`available_formats` or "auto".
    split : str or None
        Split inside the file ("lgatr_npz" only).
    max_jets : int or None
        At most this many jets in all, the first ones of every file, in proportion to the files'
        sizes (see :func:`capped_counts`).

    Returns
    -------
    list of FileRange
        One per file, in sorted file order (files given no jets by the cap are left out).
    """
    if format != "auto" and format not in READERS:
        raise ValueError(f"unknown jet format {format!r}; available: {['auto', *available_formats()]}")
    files = expand_paths(path)
    formats = [detect_format(file) if format == "auto" else format for file in files]
    counts = capped_counts(files, formats, split, max_jets)
    return [
        FileRange(file, name, split, 0, n)
        for file, name, n in zip(files, formats, counts, strict=True)
        if n > 0 or max_jets is None
    ]
