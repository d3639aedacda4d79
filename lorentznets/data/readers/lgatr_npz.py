"""Format "lgatr_npz": the top-tagging archive of the L-GATr data script.

``kinematics_{train,val,test}`` (N, P, 4) (E, px, py, pz) GeV zero-padded, and
``labels_{train,val,test}`` (N,) with 1 = top; all splits in one file, chosen by ``split``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lorentznets.data.convert import JetChunk, NpzArray, nonzero_mask, npz_keys, order_and_pad, summed_jets
from lorentznets.data.physics_checks import check_four_momenta

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import (
    NonFiniteTally,
    check_binary_labels,
    check_split,
    require_keys,
    require_shape,
)

FORMAT = "lgatr_npz"
SUFFIXES = (".npz",)
# Keys: kinematics_<split> (N, P, 4) and labels_<split> (N,).
_PREFIX = "kinematics_"
LABELS_PREFIX = "labels_"


def available_splits(path: Path) -> list[str]:
    """Splits with a ``kinematics_<split>`` array in the archive."""
    return [key[len(_PREFIX) :] for key in npz_keys(path) if key.startswith(_PREFIX)]


def detect(path: Path) -> bool:
    """Whether the archive has some ``kinematics_<split>`` array."""
    return bool(available_splits(path))


def _chunks(kinematics: NpzArray, labels: NpzArray, max_particles: int, max_jets: int | None) -> Iterator[JetChunk]:
    chunk_size = 8192
    tally = NonFiniteTally(kinematics.path, kinematics.key)
    for (start, rows), (_, y) in zip(
        kinematics.iter_blocks(chunk_size, max_jets),
        labels.iter_blocks(chunk_size, max_jets),
        strict=True,
    ):
        finite = tally.update(rows, start)
        rows = np.where(finite[:, None, None], rows, 0)
        mask = nonzero_mask(rows)
        check_four_momenta(rows, mask, str(kinematics.path), kinematics.key, start)
        jets = summed_jets(rows, mask)
        momenta, mask, _ = order_and_pad(rows, mask, max_particles)
        y = check_binary_labels(y, f"{labels.path}: key '{labels.key}'", start)
        yield JetChunk(start, momenta, mask, y, jets=jets)
    tally.check()


def count(path: Path, split: str | None) -> int:
    """Number of jets of ``split`` (required) in the archive."""
    split = check_split(path, split, available_splits(path))
    return len(NpzArray(path, f"{_PREFIX}{split}"))


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
) -> JetData:
    """Read the jets of ``split`` (required); ``labels`` 1 = top, no scalars or truth."""
    split = check_split(path, split, available_splits(path))
    require_keys(path, npz_keys(path), [f"{LABELS_PREFIX}{split}"])
    kinematics = NpzArray(path, f"{_PREFIX}{split}")
    labels = NpzArray(path, f"{LABELS_PREFIX}{split}")
    require_shape(path, kinematics.key, kinematics.shape, (None, None, 4))
    require_shape(path, labels.key, labels.shape, (kinematics.shape[0],))
    total = len(kinematics)
    num_jets = total if max_jets is None else min(total, max_jets)
    return collect_chunks(
        _chunks(kinematics, labels, max_particles, max_jets),
        num_jets,
        max_particles,
        f"{path} ({FORMAT}, split {split})",
        drop_empty,
    )
