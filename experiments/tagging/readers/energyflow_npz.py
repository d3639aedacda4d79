"""Format "energyflow_npz": the EnergyFlow quark-gluon jets (zenodo 3164691).

``X`` (N, M, 4) per constituent (pt [GeV], y, phi, pid), zero-padded; ``y`` (N,) 1 = quark.
4-momenta use the PDG masses of :mod:`lorentznets.data.convert.pid`; ``scalars`` (N, P, 9) are the
charge followed by LorentzNet's 8-way one-hot of abs(pid) in the order 11, 13, 22, 130, 211, 321,
2112, 2212 (``scalars[..., 1:]`` is exactly LorentzNet's particle input).
"""

from __future__ import annotations

from pathlib import Path

from lorentznets.data.convert import NpzArray, iter_energyflow_chunks, npz_keys

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import check_no_split, require_keys

FORMAT = "energyflow_npz"
SUFFIXES = (".npz",)


def detect(path: Path) -> bool:
    """Whether the archive has an ``X`` array (``y`` is checked on reading)."""
    return "X" in npz_keys(path)


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
) -> JetData:
    """Read jets; ``labels`` 1 = quark, ``scalars`` the particle-ID features, no ``truth``."""
    check_no_split(FORMAT, split)
    require_keys(path, npz_keys(path), ["X", "y"])
    total = len(NpzArray(path, "X"))
    num_jets = total if max_jets is None else min(total, max_jets)
    chunks = iter_energyflow_chunks(path, max_particles, max_jets)
    return collect_chunks(chunks, num_jets, max_particles, f"{path} ({FORMAT})", drop_empty)
