"""The scattering processes we can generate, with their averaging and symmetry factors.

Normalisation of the stored squared amplitude (the MadGraph standalone convention, which the published
L-GATr amplitude data follow): summed over final-state and averaged over initial-state helicities and
colours (1/(4*64) for g g, 1/(4*9) for q qbar), and divided by k! for k identical final-state gluons, so
that ``dsigma = |M|^2 dPhi / (2 s)`` with the phase space ``dPhi`` integrated without further factors.
Couplings: see :class:`lorentznets.data.amplitudes.couplings.Couplings`.

Particle order in every event: the two incoming partons (q, qbar or g, g), then the Z if present, then
the final-state gluons.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .berends_giele import gluons_berends_giele, qqbar_z_gluons_berends_giele
from .closed_forms import gg_to_gg_textbook, gluons_parke_taylor, qqbar_to_zg_textbook
from .couplings import Couplings

__all__ = ["Process", "PROCESSES", "get_process"]

SquaredAmplitude = Callable[[np.ndarray, Couplings], np.ndarray]


@dataclass(frozen=True)
class Process:
    """A 2 -> n process.

    Parameters
    ----------
    name : str
        File stem of the process, e.g. ``"zgg"``.
    particles : tuple of str
        Particle names in event order (``"q"``, ``"qbar"``, ``"g"``, ``"Z"``).
    initial_average : float
        Number of initial helicity and colour states averaged over.
    backends : dict of str to callable
        Implementations of ``sum |M|^2`` (N, n, 4) -> (N,), by name; the first is the default.
    """

    name: str
    particles: tuple[str, ...]
    initial_average: float
    backends: dict[str, SquaredAmplitude]

    @property
    def n_particles(self) -> int:
        """Number of particles, incoming included."""
        return len(self.particles)

    @property
    def identical_final_gluons(self) -> int:
        """Number of gluons in the final state."""
        return self.particles[2:].count("g")

    @property
    def symmetry_factor(self) -> float:
        """1/k! for k identical final-state gluons."""
        return 1.0 / math.factorial(self.identical_final_gluons)

    def final_masses(self, couplings: Couplings) -> list[float]:
        """Final-state masses in GeV, in event order."""
        return [couplings.mass_z if name == "Z" else 0.0 for name in self.particles[2:]]

    def squared_amplitude(self, p: np.ndarray, couplings: Couplings, backend: str | None = None) -> np.ndarray:
        """Averaged, symmetry-factored squared amplitude.

        Parameters
        ----------
        p : np.ndarray with shape (N, n_particles, 4)
            Physical momenta in GeV in event order.
        couplings : Couplings
        backend : str or None
            Name in ``backends``; None takes the default (first) one.

        Returns
        -------
        np.ndarray with shape (N,)
        """
        if p.ndim != 3 or p.shape[1:] != (self.n_particles, 4):
            raise ValueError(
                f"process {self.name}: momenta must have shape (N, {self.n_particles}, 4), got {tuple(p.shape)}"
            )
        name = backend or next(iter(self.backends))
        if name not in self.backends:
            raise ValueError(f"process {self.name}: unknown backend {name!r}; available: {list(self.backends)}")
        summed = self.backends[name](p, couplings)
        return summed * self.symmetry_factor / self.initial_average


_GLUON_AVERAGE = 4.0 * 64.0
_QUARK_AVERAGE = 4.0 * 9.0

PROCESSES: dict[str, Process] = {
    "gg_gg": Process(
        "gg_gg",
        ("g",) * 4,
        _GLUON_AVERAGE,
        {
            "textbook": gg_to_gg_textbook,
            "parke_taylor": gluons_parke_taylor,
            "berends_giele": gluons_berends_giele,
        },
    ),
    "gg_ggg": Process(
        "gg_ggg",
        ("g",) * 5,
        _GLUON_AVERAGE,
        {"parke_taylor": gluons_parke_taylor, "berends_giele": gluons_berends_giele},
    ),
    "gg_gggg": Process("gg_gggg", ("g",) * 6, _GLUON_AVERAGE, {"berends_giele": gluons_berends_giele}),
    "zg": Process(
        "zg",
        ("q", "qbar", "Z", "g"),
        _QUARK_AVERAGE,
        {"textbook": qqbar_to_zg_textbook, "berends_giele": qqbar_z_gluons_berends_giele},
    ),
    "zgg": Process(
        "zgg", ("q", "qbar", "Z", "g", "g"), _QUARK_AVERAGE, {"berends_giele": qqbar_z_gluons_berends_giele}
    ),
    "zggg": Process(
        "zggg",
        ("q", "qbar", "Z", "g", "g", "g"),
        _QUARK_AVERAGE,
        {"berends_giele": qqbar_z_gluons_berends_giele},
    ),
    "zgggg": Process(
        "zgggg",
        ("q", "qbar", "Z", "g", "g", "g", "g"),
        _QUARK_AVERAGE,
        {"berends_giele": qqbar_z_gluons_berends_giele},
    ),
}


def get_process(name: str) -> Process:
    """Look up a process by name, with a clear error for unknown names."""
    if name not in PROCESSES:
        raise KeyError(f"unknown amplitude process {name!r}; available: {sorted(PROCESSES)}")
    return PROCESSES[name]
