"""Put per-jet constituent arrays into the canonical layout: hardest first, zero-padded, fixed length."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def order_and_pad(
    momenta: np.ndarray,
    mask: np.ndarray,
    max_particles: int,
    extras: tuple[np.ndarray, ...] = (),
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Sort constituents by decreasing pT, keep at most ``max_particles`` and zero-pad to that length.

    Real constituents always precede padding, whatever their position in the input. Jets with more
    than ``max_particles`` constituents lose the softest ones.

    Parameters
    ----------
    momenta : np.ndarray with shape (n_jets, n_in, 4)
        Constituent 4-momenta (E, px, py, pz) in GeV.
    mask : np.ndarray with shape (n_jets, n_in), bool
        True for real constituents.
    max_particles : int
        Length P of the particle axis of the output.
    extras : tuple of np.ndarray with shapes (n_jets, n_in, ...)
        Per-constituent features reordered the same way (padding set to zero).

    Returns
    -------
    momenta : np.ndarray with shape (n_jets, P, 4), same dtype as the input
    mask : np.ndarray with shape (n_jets, P), bool
    extras : tuple of np.ndarray with shapes (n_jets, P, ...)
    """
    if max_particles < 1:
        raise ValueError(f"max_particles must be positive, got {max_particles}")
    n_jets, n_in = mask.shape
    mask = mask.astype(bool, copy=False)
    # Padding gets key -1 so that a stable descending sort moves it behind every real constituent.
    key = np.where(mask, np.hypot(momenta[..., 1], momenta[..., 2]), -1.0)
    if n_in > 1 and not (np.diff(key, axis=1) <= 0).all():
        order = np.argsort(-key, axis=1, kind="stable")
        momenta = np.take_along_axis(momenta, order[..., None], axis=1)
        mask = np.take_along_axis(mask, order, axis=1)
        extras = tuple(np.take_along_axis(x, order.reshape(order.shape + (1,) * (x.ndim - 2)), axis=1) for x in extras)
    keep = min(n_in, max_particles)
    out_momenta = np.zeros((n_jets, max_particles, 4), dtype=momenta.dtype)
    out_mask = np.zeros((n_jets, max_particles), dtype=bool)
    out_mask[:, :keep] = mask[:, :keep]
    out_momenta[:, :keep] = np.where(out_mask[:, :keep, None], momenta[:, :keep], 0)
    out_extras = []
    for x in extras:
        out = np.zeros((n_jets, max_particles) + x.shape[2:], dtype=x.dtype)
        fill = out_mask[:, :keep].reshape(out_mask[:, :keep].shape + (1,) * (x.ndim - 2))
        out[:, :keep] = np.where(fill, x[:, :keep], 0)
        out_extras.append(out)
    return out_momenta, out_mask, tuple(out_extras)


def nonzero_mask(momenta: np.ndarray) -> np.ndarray:
    """Mark constituents with any non-zero component, the padding convention of zero-padded files.

    Parameters
    ----------
    momenta : np.ndarray with shape (n_jets, n, 4)

    Returns
    -------
    np.ndarray with shape (n_jets, n), bool
    """
    return (momenta != 0).any(axis=-1)


def jet_pt_and_mass(momenta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transverse momentum and invariant mass of the summed constituents (padding must be zero).

    Parameters
    ----------
    momenta : np.ndarray with shape (n_jets, n, 4), GeV

    Returns
    -------
    pt, mass : np.ndarray with shape (n_jets,), GeV; a rounding-negative m^2 gives mass 0
    """
    jet = momenta.sum(axis=1, dtype=np.float64)
    pt = np.hypot(jet[:, 1], jet[:, 2])
    m2 = jet[:, 0] ** 2 - jet[:, 1] ** 2 - jet[:, 2] ** 2 - jet[:, 3] ** 2
    return pt, np.sqrt(np.clip(m2, 0.0, None))


def summed_jets(momenta: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Four-momentum of each jet as the sum of all its real constituents, before any are dropped.

    Parameters
    ----------
    momenta : np.ndarray with shape (n_jets, n, 4)
        Constituent (E, px, py, pz) in GeV.
    mask : np.ndarray with shape (n_jets, n), bool
        True for real constituents (the others are not summed, whatever they hold).

    Returns
    -------
    np.ndarray with shape (n_jets, 4), float64, GeV
    """
    return np.where(mask[..., None], momenta, 0).sum(axis=1, dtype=np.float64)


class JetChunk(NamedTuple):
    """A block of consecutive jets in the canonical layout.

    Attributes
    ----------
    offset : int
        Index of the first jet of the block in its file.
    momenta : np.ndarray with shape (n, P, 4)
        (E, px, py, pz) in GeV, hardest constituent first, zero-padded.
    mask : np.ndarray with shape (n, P), bool
    labels : np.ndarray with shape (n,), int64, or None
        None for a file without labels, read for predictions (``require_labels=False``).
    scalars : np.ndarray with shape (n, P, S) or None
    truth : np.ndarray with shape (n, 4) or None
        Truth-level 4-momentum (E, px, py, pz) in GeV, e.g. of the top quark.
    jets : np.ndarray with shape (n, 4) or None
        Each jet's (E, px, py, pz) in GeV from all its constituents in the file, also those
        beyond ``P`` (:func:`summed_jets` before :func:`order_and_pad`; JetClass: its jet branches).
    """

    offset: int
    momenta: np.ndarray
    mask: np.ndarray
    labels: np.ndarray | None
    scalars: np.ndarray | None = None
    truth: np.ndarray | None = None
    jets: np.ndarray | None = None


def chunk_bounds(
    num_rows: int, chunk_size: int, max_rows: int | None = None, first_row: int = 0
) -> list[tuple[int, int]]:
    """Row ranges [start, stop) covering rows ``first_row`` to ``min(num_rows, max_rows)``."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    total = num_rows if max_rows is None else min(num_rows, max_rows)
    return [(start, min(start + chunk_size, total)) for start in range(first_row, total, chunk_size)]
