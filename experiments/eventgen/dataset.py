"""Reader for ttbar event files ``ttbar_<n>j.npy`` (L-GATr event-generation format).

Each row holds 6 + n jets, ordered b1, q1, q2, b2, q3, q4, j1..jn, as (E, px, py, pz) in GeV:
shape (N, 4 (6 + n)).
"""

from pathlib import Path

import numpy as np

from lorentznets.data.convert.npy_file import load_npy

__all__ = ["DECAY_JETS", "event_file", "jet_names", "load_ttbar_events"]

DECAY_JETS = ("b1", "q1", "q2", "b2", "q3", "q4")
"""Names of the six top-decay jets in file order: t -> b1 (W -> q1 q2), tbar -> b2 (W -> q3 q4)."""


def jet_names(n_extra_jets: int) -> list[str]:
    """Jet names in file order, e.g. ``[b1, q1, q2, b2, q3, q4, j1]`` for one extra jet."""
    return [*DECAY_JETS, *(f"j{i + 1}" for i in range(n_extra_jets))]


def event_file(directory: str | Path, n_extra_jets: int) -> Path:
    """Path ``<directory>/ttbar_<n>j.npy`` of the events with ``n_extra_jets`` extra jets."""
    return Path(directory) / f"ttbar_{n_extra_jets}j.npy"


def load_ttbar_events(path: str | Path, n_extra_jets: int) -> np.ndarray:
    """Load and check one event file.

    Parameters
    ----------
    path : str or Path
        ``ttbar_<n>j.npy`` file.
    n_extra_jets : int
        Extra jets beyond the six decay jets (n).

    Returns
    -------
    numpy.ndarray with shape (N, 6 + n, 4), float64
        Jet 4-momenta (E, px, py, pz) in GeV.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the array is not (N, 4 (6 + n)) with N > 0, or holds NaN/inf, or has jets with
        negative energy or m^2 < -1e-3 E^2 (not physical 4-momenta).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ttbar event file {path} does not exist")
    n_jets = 6 + n_extra_jets
    array = load_npy(path)
    if array.ndim != 2 or array.shape[1] != 4 * n_jets or array.shape[0] == 0:
        raise ValueError(
            f"{path}: expected shape (N > 0, {4 * n_jets}) = 4 x (6 + {n_extra_jets}) jets "
            f"(E, px, py, pz), got {array.shape}"
        )
    events = array.astype(np.float64).reshape(-1, n_jets, 4)
    finite = np.isfinite(events).all(axis=(1, 2))
    if not finite.all():
        rows = np.flatnonzero(~finite)
        raise ValueError(f"{path}: {rows.size} events contain NaN or inf, first rows {rows[:5].tolist()}")
    energy = events[..., 0]
    m2 = energy**2 - (events[..., 1:] ** 2).sum(-1)
    unphysical = (energy <= 0) | (m2 < -1e-3 * energy**2)
    if unphysical.any():
        rows = np.flatnonzero(unphysical.any(axis=1))
        raise ValueError(
            f"{path}: {rows.size} events have jets with E <= 0 or m^2 < 0 beyond rounding "
            f"(not (E, px, py, pz) 4-momenta?), first rows {rows[:5].tolist()}"
        )
    return events
