"""Format "lgn_h5": the converted top-tagging HDF5 of LGN/LorentzNet/PELICAN.

Keys ``Nobj`` (N,), ``Pmu`` (N, P, 4) (E, px, py, pz) GeV, ``is_signal`` (N,), ``label`` (N, P)
real-constituent mask, optional ``truth_Pmu`` (N, 4), ``scalars`` (N, P, S) and ``weight`` (N,)
per-jet event weights (our generator's files have them). Written by
``python -m lorentznets.data.convert`` and by our top-tagging generator. One split per file.
"""

from __future__ import annotations

from pathlib import Path

from lorentznets.data.convert import iter_lgn_chunks
from lorentznets.data.convert.h5_files import h5py_module, open_h5
from lorentznets.data.convert.lgn_layout import LABEL_KEY, PMU_KEY, REQUIRED_KEYS

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import check_no_split, require_complete_generation, require_file, require_keys
from .weights import read_h5_weights

FORMAT = "lgn_h5"
SUFFIXES = (".h5", ".hdf5", ".hdf")
# A file to predict may lack the labels ``is_signal``; counting its jets needs the rest.
COUNT_KEYS = tuple(key for key in REQUIRED_KEYS if key != LABEL_KEY)


def detect(path: Path) -> bool:
    """Whether ``path`` is an HDF5 file with a ``Pmu`` dataset (other keys are checked on reading)."""
    with open_h5(path) as file:
        return isinstance(file.get(PMU_KEY), h5py_module().Dataset)


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
) -> JetData:
    """Read jets; ``labels`` from ``is_signal`` (1 = top), ``truth`` from ``truth_Pmu``, ``weights``
    from ``weight`` where present."""
    check_no_split(FORMAT, split)
    require_complete_generation(require_file(path))
    with open_h5(path) as file:
        require_keys(path, file.keys(), REQUIRED_KEYS)
        total = file[LABEL_KEY].shape[0]
        num_jets = total if max_jets is None else min(total, max_jets)
        weights = read_h5_weights(file, path, total, num_jets)
    chunks = iter_lgn_chunks(path, max_particles, max_jets)
    return collect_chunks(chunks, num_jets, max_particles, f"{path} ({FORMAT})", drop_empty, weights)


def count(path: Path, split: str | None) -> int:
    """Number of jets in a complete file (one split per file: ``split`` must be None); the labels
    are checked on reading."""
    check_no_split(FORMAT, split)
    require_complete_generation(require_file(path))
    with open_h5(path) as file:
        require_keys(path, file.keys(), COUNT_KEYS)
        return int(file[PMU_KEY].shape[0])


def read_range(path: Path, start: int, stop: int, max_particles: int, require_labels: bool = True) -> JetData:
    """Read jets ``start .. stop - 1`` (as :func:`read`; empty jets raise); a file without
    ``is_signal`` is refused, or read with ``labels`` None when not ``require_labels``."""
    with open_h5(require_file(path)) as file:
        require_keys(path, file.keys(), COUNT_KEYS)
        weights = read_h5_weights(file, path, file[PMU_KEY].shape[0], stop, start)
    chunks = iter_lgn_chunks(path, max_particles, stop, first_jet=start, require_labels=require_labels)
    source = f"{path} ({FORMAT}, jets {start}-{stop})"
    return collect_chunks(chunks, stop - start, max_particles, source, weights=weights, first_jet=start)
