"""Input checks shared by the jet readers and converters.

Every check raises early with a message that names the file, the key and the problem, so that a
user looking at a broken download knows which file to replace and why.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np


def require_file(path: str | os.PathLike) -> Path:
    """Return ``path`` as a ``Path``, raising ``FileNotFoundError`` if it is not an existing file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: is not a regular file (a directory?)")
    return path


def require_keys(path: str | os.PathLike, present: Iterable[str], required: Sequence[str]) -> None:
    """Raise ``KeyError`` naming the file, the first missing key and the keys present."""
    present = sorted(present)
    for key in required:
        if key not in present:
            raise KeyError(f"{path}: missing key '{key}'; keys present: {present}")


def require_shape(path: str | os.PathLike, key: str, shape: tuple[int, ...], expected: Sequence[int | None]) -> None:
    """Raise ``ValueError`` unless ``shape`` matches ``expected`` (``None`` entries match any size).

    Parameters
    ----------
    path, key
        Where the array lives, for the message.
    shape
        The array's shape.
    expected
        Expected shape; ``None`` marks a free dimension.
    """
    ok = len(shape) == len(expected) and all(e is None or s == e for s, e in zip(shape, expected, strict=True))
    if not ok:
        readable = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{path}: key '{key}' has shape {tuple(shape)}, expected {readable}")


def check_binary_labels(labels: np.ndarray, source: str, offset: int) -> np.ndarray:
    """Return ``labels`` as int64, raising ``ValueError`` unless every entry is 0 or 1."""
    bad = (labels != 0) & (labels != 1)
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(
            f"{source} must be 0 or 1; jet {offset + first} has {labels[first].item()} "
            f"({int(bad.sum())} bad label(s) in rows {offset}..{offset + len(labels) - 1})"
        )
    return labels.astype(np.int64)


class NonFiniteTally:
    """Count jets with NaN/inf entries over a file read in chunks, then raise once for all of them.

    Parameters
    ----------
    path, key
        File and key (or column group) being read, for the message.
    """

    def __init__(self, path: str | os.PathLike, key: str) -> None:
        self.path = path
        self.key = key
        self.count = 0
        self.first: int | None = None

    def update(self, values: np.ndarray, offset: int) -> np.ndarray:
        """Record bad jets in ``values`` with shape (n_jets, ...), whose first jet has index ``offset``.

        Returns
        -------
        np.ndarray with shape (n_jets,), bool
            True for the jets without NaN/inf.
        """
        bad = ~np.isfinite(values.reshape(len(values), -1)).all(axis=1)
        n_bad = int(bad.sum())
        if n_bad and self.first is None:
            self.first = offset + int(np.argmax(bad))
        self.count += n_bad
        return ~bad

    def check(self) -> None:
        """Raise ``ValueError`` if any bad jet was recorded."""
        if self.count:
            raise ValueError(
                f"{self.path}: key '{self.key}' has NaN/inf values in {self.count} jet(s); "
                f"first bad jet index {self.first}"
            )


def empty_jet_message(path: str | os.PathLike, count: int, first: int) -> str:
    """Describe ``count`` jets without constituents, the first at index ``first``."""
    return f"{path}: {count} jet(s) have no constituents (all momenta zero or masked); first empty jet index {first}"
