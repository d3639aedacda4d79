"""The EnergyFlow quark-gluon jets (Komiske et al., zenodo 3164691).

Each ``QG_jets*.npz`` holds ``X`` (N, M, 4): per constituent (pt [GeV], rapidity y, azimuth phi,
PDG id), zero-padded, and ``y`` (N,): 1 = quark jet, 0 = gluon jet. Jets have R = 0.4,
pT 500-550 GeV and |y| < 1.7. 4-momenta use the particle masses in :mod:`.pid`, or zero masses
(``constituent_mass="massless"``, the convention of weaver's quark-gluon models); the particle-ID
scalars are the charge and a one-hot of abs(pid), or weaver's six flags (``pid_features="weaver"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import numpy as np

from lorentznets.data.physics_checks import check_derived_momenta, check_four_momenta

from .checks import NonFiniteTally, check_binary_labels, require_shape
from .event_weights import read_npz_event_weights
from .jet_arrays import JetChunk, nonzero_mask, order_and_pad, summed_jets
from .lgn_layout import write_lgn_h5
from .npz_stream import NpzArray, npz_keys
from .pid import check_constituent_mass, check_pid_features, momenta_from_pt_y_phi_pid

# Keys of the EnergyFlow layout, also written by our quark-gluon generator.
PARTICLES_KEY = "X"
LABELS_KEY = "y"
PARTICLE_COLUMNS = ("pt", "y", "phi", "pid")
# Our generator's extra key: the number of constituents before truncation (the readers ignore it).
N_PARTICLES_KEY = "n_particles"


def iter_energyflow_chunks(
    path: str | os.PathLike,
    max_particles: int | None = None,
    max_jets: int | None = None,
    chunk_size: int = 8192,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
    require_labels: bool = True,
) -> Iterator[JetChunk]:
    """Stream a quark-gluon ``.npz`` as canonical jet chunks.

    Parameters
    ----------
    path : str or os.PathLike
    max_particles : int or None
        Length P of the particle axis; None keeps the file's M.
    max_jets : int or None
        Read only the first ``max_jets`` jets.
    chunk_size : int
        Jets per chunk.
    constituent_mass : str
        "pdg" or "massless" (see :func:`.pid.momenta_from_pt_y_phi_pid`).
    pid_features : str
        "lorentznets" or "weaver" (see :func:`.pid.momenta_from_pt_y_phi_pid`).
    require_labels : bool
        Refuse an archive without ``y``; False reads it with ``labels`` None (predictions).

    Yields
    ------
    JetChunk
        ``momenta`` (n, P, 4) float64 (E, px, py, pz) GeV; ``scalars`` (n, P, 9) float32 with the
        charge and the 8-way one-hot of abs(pid), or (n, P, 6) weaver's flags (see :mod:`.pid`);
        ``labels`` 1 = quark (None without ``y``);
        ``jets`` (n, 4) the sum of all constituents of each jet.

    Raises
    ------
    FileNotFoundError, KeyError, ValueError
        Missing file or key, wrong shapes, an unknown ``constituent_mass`` or ``pid_features``
        (on the call), unknown PDG ids, labels other than 0/1, NaN/inf entries (raised after the
        last chunk, naming how many jets and the first one).
    """
    particles = NpzArray(path, PARTICLES_KEY)
    require_shape(path, PARTICLES_KEY, particles.shape, (None, None, 4))
    length = particles.shape[1] if max_particles is None else max_particles
    particle_blocks = particles.iter_blocks(chunk_size, max_jets)
    if not require_labels and LABELS_KEY not in npz_keys(path):
        row_blocks = ((start, rows, None) for start, rows in particle_blocks)
        return energyflow_chunks(path, row_blocks, length, constituent_mass, pid_features)
    labels = NpzArray(path, LABELS_KEY)
    require_shape(path, LABELS_KEY, labels.shape, (particles.shape[0],))
    blocks = zip(particle_blocks, labels.iter_blocks(chunk_size, max_jets), strict=True)
    row_blocks = ((start, rows, y) for (start, rows), (_, y) in blocks)
    return energyflow_chunks(path, row_blocks, length, constituent_mass, pid_features)


def energyflow_chunks(
    path: str | os.PathLike,
    blocks: Iterable[tuple[int, np.ndarray, np.ndarray]],
    max_particles: int,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
) -> Iterator[JetChunk]:
    """Canonical jet chunks from row blocks of an EnergyFlow-layout file (npz or our HDF5).

    Parameters
    ----------
    path : str or os.PathLike
        The file, for messages.
    blocks : iterable of (int, np.ndarray, np.ndarray or None)
        ``(start, X rows (n, M, 4), y rows (n,))`` for consecutive row blocks; ``y`` None for a
        file without labels.
    max_particles : int
        Length P of the particle axis.
    constituent_mass : str
        "pdg" or "massless" (see :func:`.pid.momenta_from_pt_y_phi_pid`).
    pid_features : str
        "lorentznets" or "weaver" (see :func:`.pid.momenta_from_pt_y_phi_pid`).

    Returns
    -------
    iterator of JetChunk
        As :func:`iter_energyflow_chunks`; NaN/inf rows are zeroed and reported after the last
        block.

    Raises
    ------
    ValueError
        An unknown ``constituent_mass`` or ``pid_features``, on the call, before any block is read:
        every EnergyFlow read passes here, and the chunks take both as given.
    """
    check_constituent_mass(constituent_mass)
    check_pid_features(pid_features)
    return _checked_chunks(path, blocks, max_particles, constituent_mass, pid_features)


def _checked_chunks(
    path: str | os.PathLike,
    blocks: Iterable[tuple[int, np.ndarray, np.ndarray]],
    max_particles: int,
    constituent_mass: str,
    pid_features: str,
) -> Iterator[JetChunk]:
    """:func:`energyflow_chunks` once its options are checked."""
    tally = NonFiniteTally(path, PARTICLES_KEY)
    for start, rows, y in blocks:
        finite = tally.update(rows, start)
        rows = np.where(finite[:, None, None], rows, 0)
        mask = nonzero_mask(rows)
        # Overflow is reported, with the stored values, by check_derived_momenta.
        with np.errstate(over="ignore", invalid="ignore"):
            momenta, features = momenta_from_pt_y_phi_pid(
                rows, mask, f"{path}: key '{PARTICLES_KEY}'", start, constituent_mass, pid_features
            )
        check_derived_momenta(rows, momenta, mask, str(path), PARTICLES_KEY, PARTICLE_COLUMNS, start)
        check_four_momenta(momenta, mask, str(path), PARTICLES_KEY, start)
        jets = summed_jets(momenta, mask)
        momenta, mask, (features,) = order_and_pad(momenta, mask, max_particles, (features,))
        labels = None if y is None else check_binary_labels(y, f"{path}: key '{LABELS_KEY}'", start)
        yield JetChunk(start, momenta, mask, labels, features, None, jets)
    tally.check()


def convert_energyflow(
    source: str | os.PathLike,
    target: str | os.PathLike,
    max_particles: int | None = None,
    max_jets: int | None = None,
    chunk_size: int = 8192,
) -> int:
    """Convert a quark-gluon ``.npz`` to the LGN layout with 4-momenta and ``scalars``.

    ``is_signal`` is 1 for quark jets; ``scalars`` (N, P, 9) holds the charge and the one-hot of
    abs(pid) (see :mod:`.pid`); ``Pmu`` is float64. The per-jet ``weight`` and ``pthat`` of an
    archive that has them are checked like the readers check weights and written alongside.

    Parameters
    ----------
    source : str or os.PathLike
        ``QG_jets*.npz`` file.
    target : str or os.PathLike
        Output HDF5 file; written atomically.
    max_particles : int or None
        Constituent slots P in the output; None keeps the file's M.
    max_jets : int or None
        Convert only the first ``max_jets`` jets.
    chunk_size : int

    Returns
    -------
    int
        Number of jets written.
    """
    particles = NpzArray(source, PARTICLES_KEY)
    require_shape(source, PARTICLES_KEY, particles.shape, (None, None, 4))
    num_jets = len(particles) if max_jets is None else min(len(particles), max_jets)
    length = particles.shape[1] if max_particles is None else max_particles
    per_jet = read_npz_event_weights(source, len(particles), num_jets)
    chunks = iter_energyflow_chunks(source, length, max_jets, chunk_size)
    return write_lgn_h5(target, chunks, num_jets, length, per_jet)
