"""Coupling constants and masses used by the amplitude formulas.

Defaults follow the MadGraph5_aMC@NLO ``sm`` model (the tool the published L-GATr amplitude data were
made with): alpha_s = 0.118 (fixed, no running), alpha_EW = 1/132.507, m_Z = 91.188 GeV,
m_W = 80.419 GeV, sin^2(theta_W) = 1 - m_W^2 / m_Z^2. The Z couples to a quark through the vertex
``-i gamma^mu (c_V - c_A gamma_5)`` with ``c_V = e (T3 - 2 Q sw^2) / (2 sw cw)`` and
``c_A = e T3 / (2 sw cw)``. The overall normalisation of the squared amplitudes depends on these values;
the regression target (a standardised log amplitude) does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Couplings", "QUARK_CHARGES"]

# (electric charge Q in units of e, weak isospin T3) of the light quarks.
QUARK_CHARGES: dict[str, tuple[float, float]] = {
    "u": (2.0 / 3.0, 0.5),
    "d": (-1.0 / 3.0, -0.5),
    "s": (-1.0 / 3.0, -0.5),
    "c": (2.0 / 3.0, 0.5),
    "b": (-1.0 / 3.0, -0.5),
}


@dataclass(frozen=True)
class Couplings:
    """Couplings and masses.

    Parameters
    ----------
    alpha_s : float
        Strong coupling g_s^2 / (4 pi).
    alpha_ew : float
        Electromagnetic coupling e^2 / (4 pi).
    mass_z : float
        Z mass in GeV (the Z is produced on shell; its width plays no role).
    mass_w : float
        W mass in GeV; fixes sin^2(theta_W) = 1 - m_W^2 / m_Z^2.
    quark : str
        Flavour of the incoming quark pair in q qbar -> Z + gluons, one of ``QUARK_CHARGES``.
    """

    alpha_s: float = 0.118
    alpha_ew: float = 1.0 / 132.507
    mass_z: float = 91.188
    mass_w: float = 80.419
    quark: str = "u"

    def __post_init__(self) -> None:
        if self.quark not in QUARK_CHARGES:
            raise ValueError(f"Couplings: unknown quark {self.quark!r}; known: {sorted(QUARK_CHARGES)}")
        if not 0 < self.mass_w < self.mass_z:
            raise ValueError(f"Couplings: need 0 < mass_w < mass_z, got {self.mass_w}, {self.mass_z}")

    @property
    def g_s(self) -> float:
        """Strong coupling constant g_s."""
        return math.sqrt(4.0 * math.pi * self.alpha_s)

    @property
    def sin2_w(self) -> float:
        """sin^2 of the weak mixing angle."""
        return 1.0 - (self.mass_w / self.mass_z) ** 2

    @property
    def z_vector_axial(self) -> tuple[float, float]:
        """(c_V, c_A) of the Z-quark vertex ``-i gamma^mu (c_V - c_A gamma_5)``."""
        charge, t3 = QUARK_CHARGES[self.quark]
        e = math.sqrt(4.0 * math.pi * self.alpha_ew)
        sw = math.sqrt(self.sin2_w)
        cw = math.sqrt(1.0 - self.sin2_w)
        norm = e / (2.0 * sw * cw)
        return norm * (t3 - 2.0 * charge * self.sin2_w), norm * t3
