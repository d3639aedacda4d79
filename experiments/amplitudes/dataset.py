"""Amplitude data: reading ``<process>.npy`` files, splits, preprocessing and the torch dataset.

File layout (L-GATr amplitude data, and what :mod:`lorentznets.data.amplitudes` writes): an array of
shape (N, 4 n + 1), (E, px, py, pz) in GeV for each of the n particles, then the squared amplitude.

Preprocessing
-------------
* target: ``(log |M|^2 - mean) / std`` with mean and std of the training split of each process;
* momenta: divided by one global scale, the standard deviation of all momentum components of the
  training data (a constant, so it commutes with Lorentz transformations; the wrappers store it);
* particle tokens (optional): per particle a one-hot of its type (q, qbar, g, Z) plus a flag for
  incoming particles, so the nets know which particle is which while identical particles share a token.

Several processes are trained together: particles are zero-padded to the largest multiplicity and a
mask marks the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from lorentznets.data.physics_checks import check_four_momenta

__all__ = [
    "N_INCOMING",
    "TOKEN_NAMES",
    "ProcessData",
    "AmplitudeDataset",
    "load_amplitude_file",
    "particle_tokens",
]

TOKEN_NAMES = ("q", "qbar", "g", "Z", "incoming")
"""Columns of a particle token: one-hot particle type, then the incoming flag."""

N_INCOMING = 2
"""The first particles of every process are its incoming ones."""


def load_amplitude_file(
    path: str | Path, n_particles: int, max_events: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read and validate one amplitude file.

    Parameters
    ----------
    path : path
        ``<process>.npy`` of shape (N, 4 n_particles + 1).
    n_particles : int
        Expected number of particles n.
    max_events : int or None
        Read only the first events.

    Returns
    -------
    momenta : np.ndarray with shape (N, n_particles, 4), float64, GeV
    amplitudes : np.ndarray with shape (N,), float64

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file; wrong shape or dtype; NaN/inf entries; non-positive amplitudes; momenta that
        are not physical four-momenta (negative energy, spacelike beyond rounding).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"amplitude file {path} does not exist")
    try:
        data = np.load(path, mmap_mode="r")
    except ValueError as error:
        raise ValueError(f"{path}: not a readable .npy array ({error})") from error
    expected = 4 * n_particles + 1
    if data.ndim != 2 or data.shape[1] != expected:
        raise ValueError(
            f"{path}: expected shape (N, {expected}) = (N, 4 * {n_particles} particles + 1), got {tuple(data.shape)}"
        )
    if data.shape[0] == 0:
        raise ValueError(f"{path}: file holds no events")
    if not (np.issubdtype(data.dtype, np.floating) or np.issubdtype(data.dtype, np.integer)):
        raise ValueError(f"{path}: expected real numbers, got dtype {data.dtype}")
    data = np.asarray(data[:max_events], dtype=np.float64)
    bad = ~np.isfinite(data).all(axis=1)
    if bad.any():
        raise ValueError(f"{path}: {int(bad.sum())} events with NaN/inf entries, first at row {int(np.argmax(bad))}")
    amplitudes = data[:, -1]
    if np.any(amplitudes <= 0):
        raise ValueError(
            f"{path}: squared amplitudes must be positive; row {int(np.argmax(amplitudes <= 0))} "
            f"has {amplitudes[amplitudes <= 0][0]}"
        )
    momenta = data[:, :-1].reshape(-1, n_particles, 4)
    check_four_momenta(momenta, np.ones(momenta.shape[:2], dtype=bool), str(path), "momenta (columns 0..4n-1)")
    return momenta, amplitudes


def particle_tokens(particles: list[str] | tuple[str, ...], n_incoming: int = N_INCOMING) -> np.ndarray:
    """One-hot particle tokens.

    Parameters
    ----------
    particles : sequence of str
        Particle names among ``q``, ``qbar``, ``g``, ``Z``, in event order.
    n_incoming : int
        The first particles are incoming.

    Returns
    -------
    np.ndarray with shape (n, len(TOKEN_NAMES)), float32
    """
    tokens = np.zeros((len(particles), len(TOKEN_NAMES)), dtype=np.float32)
    for i, name in enumerate(particles):
        if name not in TOKEN_NAMES[:-1]:
            raise ValueError(f"unknown particle {name!r}; known: {TOKEN_NAMES[:-1]}")
        tokens[i, TOKEN_NAMES.index(name)] = 1.0
    tokens[:n_incoming, -1] = 1.0
    return tokens


@dataclass
class ProcessData:
    """One process's events of one split.

    Attributes
    ----------
    name : str
    particles : tuple of str
    momenta : np.ndarray with shape (N, n, 4), GeV
    amplitudes : np.ndarray with shape (N,)
    """

    name: str
    particles: tuple[str, ...]
    momenta: np.ndarray
    amplitudes: np.ndarray


class AmplitudeDataset(Dataset):
    """Padded events of one or several processes with standardised log-amplitude targets.

    Parameters
    ----------
    processes : list of ProcessData
        The events of each process (one split).
    log_mean, log_std : dict of str to float
        Standardisation of log |M|^2 per process (from the training split).
    n_max : int
        Particles per event after padding.
    dtype : torch.dtype
        Floating-point type of momenta and targets.

    Items are dicts with ``momenta`` (n_max, 4) GeV, ``mask`` (n_max,) bool, ``tokens``
    (n_max, len(TOKEN_NAMES)), ``target`` () and ``process`` () (index into ``process_names``).
    """

    def __init__(
        self,
        processes: list[ProcessData],
        log_mean: dict[str, float],
        log_std: dict[str, float],
        n_max: int,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        self.process_names = [p.name for p in processes]
        momenta, masks, tokens, targets, index = [], [], [], [], []
        for i, process in enumerate(processes):
            n_events, n = process.momenta.shape[:2]
            padded = np.zeros((n_events, n_max, 4))
            padded[:, :n] = process.momenta
            mask = np.zeros((n_events, n_max), dtype=bool)
            mask[:, :n] = True
            token = np.zeros((n_max, len(TOKEN_NAMES)), dtype=np.float32)
            token[:n] = particle_tokens(process.particles)
            momenta.append(padded)
            masks.append(mask)
            tokens.append(np.broadcast_to(token, (n_events, *token.shape)))
            targets.append((np.log(process.amplitudes) - log_mean[process.name]) / log_std[process.name])
            index.append(np.full(n_events, i))
        self.momenta = torch.as_tensor(np.concatenate(momenta), dtype=dtype)
        self.mask = torch.as_tensor(np.concatenate(masks))
        self.tokens = torch.as_tensor(np.concatenate(tokens), dtype=dtype)
        self.target = torch.as_tensor(np.concatenate(targets), dtype=dtype)
        self.process = torch.as_tensor(np.concatenate(index), dtype=torch.long)

    def __len__(self) -> int:
        return self.target.shape[0]

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {
            "momenta": self.momenta[i],
            "mask": self.mask[i],
            "tokens": self.tokens[i],
            "target": self.target[i],
            "process": self.process[i],
        }
