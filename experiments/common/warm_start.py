"""What a warm start (``warm_start_idx=k``) may change of the saved model's data settings.

A model is evaluated (or trained further) on the splits that ``data`` makes. On the data it was
trained on, those splits must be the ones of its training: another ``data.split_seed``,
``data.split_fractions``, cap of the file (``data.max_jets``, ``data.max_events``) or
``data.streaming`` (random rows in memory, consecutive ranges streamed) puts training jets into
the test split, and every test metric comes out too good. Other data (another ``data.path``,
``data.dir`` or ``data.files``) are fine, and so are explicit per-split files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SOURCE_KEYS = ("path", "dir", "files")
"""``data`` keys naming the data; a warm start on other data may split them as it likes."""

SPLIT_KEYS = ("split_fractions", "split_seed", "max_jets", "max_events")
"""``data`` keys that decide which rows of one file land in which split; whether the splits were
streamed (``data.streaming``, whose ``auto`` depends on the file size and the memory cap) is
compared once the data know it (:func:`same_data`, ``saved_model_extras``)."""


def split_changes(
    saved: Mapping[str, Any], current: Mapping[str, Any], base: str | os.PathLike | None = None
) -> list[str]:
    """The split settings that differ between a saved model's ``data`` section and the current one.

    Parameters
    ----------
    saved, current : mapping
        The ``data`` sections (resolved containers) of the model's training and of this run.
    base : str or os.PathLike, optional
        The working directory of the model's training, against which its relative paths are
        resolved (this run's own relative paths are resolved against the current one).

    Returns
    -------
    list of str
        ``"data.<key>: <saved> -> <current>"`` per changed key of :data:`SPLIT_KEYS` (keys that
        either section lacks are not compared); empty when none changed, when the data differ
        (:data:`SOURCE_KEYS`), or when ``data.files`` names each split's files.

    Examples
    --------
    >>> saved = {"path": "jets.h5", "files": None, "split_seed": 0}
    >>> split_changes(saved, {**saved, "split_seed": 7})
    ['data.split_seed: 0 -> 7']
    >>> split_changes(saved, {**saved, "path": "other.h5", "split_seed": 7})
    []
    """
    if not same_data(saved, current, base):
        return []
    return [
        f"data.{key}: {saved.get(key)!r} -> {current.get(key)!r}"
        for key in SPLIT_KEYS
        if key in saved and key in current and saved[key] != current[key]
    ]


def same_data(saved: Mapping[str, Any], current: Mapping[str, Any], base: str | os.PathLike | None = None) -> bool:
    """Whether two ``data`` sections split the same data themselves: the same
    :data:`SOURCE_KEYS` (paths compared resolved, relative ones against ``base``, the saved run's
    working directory where known), and no ``data.files`` naming each split's files."""
    if current.get("files"):
        return False
    return all(_resolved(saved.get(key), base) == _resolved(current.get(key), None) for key in SOURCE_KEYS)


def _resolved(value: Any, base: str | os.PathLike | None) -> Any:
    """An absolute, resolved path for a path string (``base`` / it when relative and ``base`` is
    given); other values as they are."""
    if not isinstance(value, str):
        return value
    path = Path(value)
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    return str(path.resolve())
