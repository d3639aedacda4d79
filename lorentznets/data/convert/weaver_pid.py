"""weaver's six particle-ID flags of the EnergyFlow quark-gluon jets, from their PDG codes.

The Particle Transformer repository's converter of these files (``utils/convert_qg_datasets.py``)
writes, from each constituent's signed PDG code, the columns its ``qg_kinpid`` data config feeds
to weaver's models unstandardised (``[part_charge, null]``, ...), in this order:

=========================  =====================================================
column                     value
=========================  =====================================================
``part_charge``            +1 for 211, 321, 2212, -11, -13; -1 for their antiparticles; else 0
``part_isChargedHadron``   1 for +-211, +-321, +-2212
``part_isNeutralHadron``   1 for 130, +-2112
``part_isPhoton``          1 for 22
``part_isElectron``        1 for +-11
``part_isMuon``            1 for +-13
=========================  =====================================================

The codes are compared signed, as the converter does: -22 and -130, which no generator writes
(photon and K0_L are their own antiparticles), get no flag.
"""

from __future__ import annotations

import numpy as np

WEAVER_PID_FLAGS = (
    "part_charge",
    "part_isChargedHadron",
    "part_isNeutralHadron",
    "part_isPhoton",
    "part_isElectron",
    "part_isMuon",
)
"""The columns of :func:`weaver_pid_flags`, named as in weaver's ``qg_kinpid.yaml`` (and as
JetClass's branches of the same flags)."""
_POSITIVE = (211, 321, 2212, -11, -13)
_CHARGED_HADRONS = (211, 321, 2212)
_NEUTRAL_HADRONS = (130, 2112, -2112)


def weaver_pid_flags(pid: np.ndarray) -> np.ndarray:
    """The flags of :data:`WEAVER_PID_FLAGS` of each constituent, as the ParT converter writes them.

    Parameters
    ----------
    pid : np.ndarray with shape (...)
        Signed PDG codes (any numeric dtype; the files store them as floats, rounded here).

    Returns
    -------
    np.ndarray with shape (..., 6), float32
        Charge, then the five 0/1 flags (see the module docstring); all zero for codes outside
        the table (padding's 0 among them).
    """
    pid = np.rint(pid).astype(np.int64)
    positive = np.isin(pid, _POSITIVE)
    negative = np.isin(-pid, _POSITIVE)
    flags = (
        positive.astype(np.int64) - negative,
        np.isin(np.abs(pid), _CHARGED_HADRONS),
        np.isin(pid, _NEUTRAL_HADRONS),
        pid == 22,
        np.abs(pid) == 11,
        np.abs(pid) == 13,
    )
    return np.stack(flags, axis=-1).astype(np.float32)
