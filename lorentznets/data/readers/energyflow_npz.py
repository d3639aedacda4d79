"""Format "energyflow_npz": the EnergyFlow quark-gluon jets (zenodo 3164691) and our generator's
quark-gluon HDF5 with the same keys.

``X`` (N, M, 4) per constituent (pt [GeV], y, phi, pid), zero-padded; ``y`` (N,) 1 = quark; in
our generator's files (``.h5``) also ``weight`` (N,) per-jet event weights.
4-momenta use the PDG masses of :mod:`lorentznets.data.convert.pid`, or zero masses with
``constituent_mass="massless"`` (E = pt cosh(y): weaver's convention for these jets); ``scalars`` (N, P, 9) are the
charge followed by LorentzNet's 8-way one-hot of abs(pid) in the order 11, 13, 22, 130, 211, 321,
2112, 2212 (``scalars[..., 1:]`` is exactly LorentzNet's particle input), or with
``pid_features="weaver"`` (N, P, 6) the flags of weaver's ``qg_kinpid`` models (part_charge,
part_isChargedHadron, part_isNeutralHadron, part_isPhoton, part_isElectron, part_isMuon; see
:mod:`lorentznets.data.convert.weaver_pid`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lorentznets.data.convert import (
    JetChunk,
    NpzArray,
    chunk_bounds,
    energyflow_chunks,
    iter_energyflow_chunks,
    npz_keys,
)
from lorentznets.data.convert.energyflow import LABELS_KEY, PARTICLES_KEY
from lorentznets.data.convert.h5_files import h5py_module, open_h5

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import check_no_split, require_complete_generation, require_file, require_keys, require_shape
from .weights import read_h5_weights, read_npz_weights

if TYPE_CHECKING:
    import h5py

FORMAT = "energyflow_npz"
SUFFIXES = (".npz", ".h5", ".hdf5", ".hdf")
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


def _is_hdf5(path: Path) -> bool:
    return path.suffix.lower() in HDF5_SUFFIXES


def detect(path: Path) -> bool:
    """Whether the archive or HDF5 file has an ``X`` array (``y`` is checked on reading)."""
    if _is_hdf5(path):
        with open_h5(path) as file:
            return isinstance(file.get(PARTICLES_KEY), h5py_module().Dataset)
    return PARTICLES_KEY in npz_keys(path)


def _h5_chunks(
    file: h5py.File,
    path: Path,
    max_particles: int,
    max_jets: int | None,
    constituent_mass: str,
    pid_features: str,
    chunk_size: int = 8192,
    first_jet: int = 0,
) -> Iterator[JetChunk]:
    """Stream ``X`` and ``y`` (where the file has it) of jets ``first_jet .. max_jets - 1`` of an
    open HDF5 file as canonical jet chunks (as the npz parser)."""
    particles, labels = file[PARTICLES_KEY], file.get(LABELS_KEY)
    bounds = chunk_bounds(particles.shape[0], chunk_size, max_jets, first_jet)
    blocks = ((start, particles[start:stop], None if labels is None else labels[start:stop]) for start, stop in bounds)
    return energyflow_chunks(path, blocks, max_particles, constituent_mass, pid_features)


def _h5_num_jets(file: h5py.File, path: Path, require_labels: bool = True) -> int:
    """Number of jets of an open HDF5 file, after checking its keys and shapes (``y`` only where
    the file has it, unless ``require_labels``)."""
    labelled = require_labels or LABELS_KEY in file
    require_keys(path, file.keys(), [PARTICLES_KEY, LABELS_KEY] if labelled else [PARTICLES_KEY])
    require_shape(path, PARTICLES_KEY, file[PARTICLES_KEY].shape, (None, None, 4))
    total = file[PARTICLES_KEY].shape[0]
    if labelled:
        require_shape(path, LABELS_KEY, file[LABELS_KEY].shape, (total,))
    return total


def _read_hdf5(
    path: Path,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool,
    constituent_mass: str,
    pid_features: str,
    first_jet: int = 0,
    require_labels: bool = True,
) -> JetData:
    require_complete_generation(require_file(path))
    with open_h5(require_file(path)) as file:
        total = _h5_num_jets(file, path, require_labels)
        stop = total if max_jets is None else min(total, max_jets)
        weights = read_h5_weights(file, path, total, stop, first_jet)
        chunks = _h5_chunks(file, path, max_particles, stop, constituent_mass, pid_features, first_jet=first_jet)
        source = f"{path} ({FORMAT})" if first_jet == 0 else f"{path} ({FORMAT}, jets {first_jet}-{stop})"
        return collect_chunks(chunks, stop - first_jet, max_particles, source, drop_empty, weights, first_jet)


def count(path: Path, split: str | None) -> int:
    """Number of jets in the file (one split per file: ``split`` must be None); the labels ``y``
    are checked on reading."""
    check_no_split(FORMAT, split)
    if _is_hdf5(path):
        require_complete_generation(require_file(path))
        with open_h5(path) as file:
            return _h5_num_jets(file, path, require_labels=False)
    return len(NpzArray(path, PARTICLES_KEY))


def reads_ranges(path: Path) -> bool:
    """Whether :func:`read_range` reads the file: HDF5 yes, an ``.npz`` archive no (read whole)."""
    return _is_hdf5(path)


def read_range(
    path: Path,
    start: int,
    stop: int,
    max_particles: int,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
    require_labels: bool = True,
) -> JetData:
    """Read jets ``start .. stop - 1`` of our HDF5 files (as :func:`read`; empty jets raise).

    Raises
    ------
    ValueError
        ``path`` is an ``.npz`` archive, which is read whole (convert it to HDF5 to stream it).
    """
    if not reads_ranges(path):
        raise ValueError(
            f"{path}: .npz archives cannot be read by jet ranges; read it in memory (data.streaming=false) "
            "or convert it: python -m lorentznets.data.convert energyflow <in>.npz <out>.h5"
        )
    return _read_hdf5(path, max_particles, stop, False, constituent_mass, pid_features, start, require_labels)


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
    require_labels: bool = True,
) -> JetData:
    """Read jets; ``labels`` 1 = quark, ``scalars`` the particle-ID features (weaver's six flags
    with ``pid_features="weaver"``), no ``truth``; ``weights`` from ``weight`` where present;
    constituents of PDG mass, or massless with ``constituent_mass="massless"``. A file without
    ``y`` is refused, or read with ``labels`` None when not ``require_labels`` (predictions)."""
    check_no_split(FORMAT, split)
    if _is_hdf5(path):
        return _read_hdf5(
            path, max_particles, max_jets, drop_empty, constituent_mass, pid_features, require_labels=require_labels
        )
    require_keys(path, npz_keys(path), [PARTICLES_KEY, LABELS_KEY] if require_labels else [PARTICLES_KEY])
    total = len(NpzArray(path, PARTICLES_KEY))
    num_jets = total if max_jets is None else min(total, max_jets)
    weights = read_npz_weights(path, total, num_jets)
    chunks = iter_energyflow_chunks(
        path,
        max_particles,
        max_jets,
        constituent_mass=constituent_mass,
        pid_features=pid_features,
        require_labels=require_labels,
    )
    return collect_chunks(chunks, num_jets, max_particles, f"{path} ({FORMAT})", drop_empty, weights)
