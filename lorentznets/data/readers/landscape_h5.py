"""Format "landscape_h5": the top-tagging landscape HDF5 written by pandas (zenodo 2603256).

One row per jet with columns ``E_i, PX_i, PY_i, PZ_i`` (i = 0..199), ``truthE..truthPZ``, ``ttv``,
``is_signal_new``, under key ``table``. pandas' default fixed format is read with h5py; the table
format needs the ``tables`` package. One split per file (train.h5, val.h5, test.h5).
"""

from __future__ import annotations

from pathlib import Path

from lorentznets.data.convert import PandasHDFFrame, is_pandas_frame, iter_landscape_chunks
from lorentznets.data.convert.landscape import LANDSCAPE_KEY

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import check_no_split

FORMAT = "landscape_h5"
SUFFIXES = (".h5", ".hdf5", ".hdf")


def detect(path: Path) -> bool:
    """Whether ``path`` holds a pandas frame under ``table``."""
    return is_pandas_frame(path, LANDSCAPE_KEY)


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
) -> JetData:
    """Read jets; ``labels`` from ``is_signal_new`` (1 = top), ``truth`` the truth top momentum."""
    check_no_split(FORMAT, split)
    with PandasHDFFrame(path, LANDSCAPE_KEY) as frame:
        total = frame.num_rows
    num_jets = total if max_jets is None else min(total, max_jets)
    chunks = iter_landscape_chunks(path, max_particles, max_jets)
    return collect_chunks(chunks, num_jets, max_particles, f"{path} ({FORMAT})", drop_empty)


def count(path: Path, split: str | None) -> int:
    """Number of jets (rows) in the file (one split per file: ``split`` must be None)."""
    check_no_split(FORMAT, split)
    with PandasHDFFrame(path, LANDSCAPE_KEY) as frame:
        return int(frame.num_rows)


def read_range(path: Path, start: int, stop: int, max_particles: int, require_labels: bool = True) -> JetData:
    """Read jets ``start .. stop - 1`` (as :func:`read`; empty jets raise); a file without the
    column ``is_signal_new`` is refused, or read with ``labels`` None when not ``require_labels``."""
    chunks = iter_landscape_chunks(path, max_particles, stop, first_jet=start, require_labels=require_labels)
    source = f"{path} ({FORMAT}, jets {start}-{stop})"
    return collect_chunks(chunks, stop - start, max_particles, source, first_jet=start)
