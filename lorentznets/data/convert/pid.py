"""Particle-ID tables for the EnergyFlow quark-gluon jets and the 4-momenta and features built from them.

The jets store each constituent as (pt, y, phi, pid). Their particle masses follow the PDG values
that EnergyFlow itself uses, so that (pt, y, phi, m) -> (E, px, py, pz) reproduces its 4-momenta:

=========  =================  ================  ======
abs(pid)   particle           mass (GeV)        charge of the positive pid
=========  =================  ================  ======
11         electron           0.000510999       -1
13         muon               0.105658          -1
22         photon             0                 0
130        K0_L               0.497611          0
211        charged pion       0.139570          +1
321        charged kaon       0.493677          +1
2112       neutron            0.939565          0
2212       proton             0.938272          +1
=========  =================  ================  ======

With ``constituent_mass="massless"`` the masses are zero instead: E = pt cosh(y), pz = pt sinh(y),
so y is also the pseudorapidity. This is the convention of the Particle Transformer repository's
converter of these files (``utils/convert_qg_datasets.py``: ``from_ptetaphim(pt, y, phi, 0)``, the
file's rapidity taken as eta), with which weaver's quark-gluon models were trained.

Features (``pid_features="lorentznets"``, the default): column 0 is the electric charge, columns 1-8
the one-hot of abs(pid) in the order of the table. The one-hot alone is LorentzNet's particle scalar
for these jets (``scalars[..., 1:]``); ParticleNet-style taggers also use the charge. With
``pid_features="weaver"`` they are instead the six flags of weaver's ``qg_kinpid`` models, as the
Particle Transformer repository's converter writes them (:mod:`.weaver_pid`).
"""

from __future__ import annotations

import numpy as np

from .weaver_pid import weaver_pid_flags

PID_CLASSES = np.array([11, 13, 22, 130, 211, 321, 2112, 2212])
PID_MASSES = np.array([0.000510999, 0.105658, 0.0, 0.497611, 0.139570, 0.493677, 0.939565, 0.938272])
# Charge of the particle with positive PDG code; antiparticles flip the sign.
PID_CHARGES = np.array([-1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
NUM_PID_FEATURES = 1 + len(PID_CLASSES)
CONSTITUENT_MASSES = ("pdg", "massless")
"""The masses given to the constituents: the PDG mass of their particle ID, or zero (weaver's
convention); the first is the default."""
PID_FEATURES = ("lorentznets", "weaver")
"""The per-particle features built from the PDG codes: charge and one-hot of abs(pid), or weaver's
six ``qg_kinpid`` flags; the first is the default. The names are those of the tagging experiment's
``data.features``, which picks them."""


def check_constituent_mass(constituent_mass: str) -> None:
    """Raise ValueError naming the choices unless ``constituent_mass`` is one of :data:`CONSTITUENT_MASSES`."""
    if constituent_mass not in CONSTITUENT_MASSES:
        raise ValueError(f"constituent_mass={constituent_mass!r}: expected one of {list(CONSTITUENT_MASSES)}")


def check_pid_features(pid_features: str) -> None:
    """Raise ValueError naming the choices unless ``pid_features`` is one of :data:`PID_FEATURES`."""
    if pid_features not in PID_FEATURES:
        raise ValueError(f"pid_features={pid_features!r}: expected one of {list(PID_FEATURES)}")


def pid_class_index(pid: np.ndarray, mask: np.ndarray, source: str, offset: int = 0) -> np.ndarray:
    """Index of each constituent's abs(pid) in ``PID_CLASSES`` (0 for padding).

    Parameters
    ----------
    pid : np.ndarray with shape (n_jets, n)
        PDG codes (any numeric dtype; the files store them as floats).
    mask : np.ndarray with shape (n_jets, n), bool
        Real constituents; padding is not looked up.
    source : str
        File and key for the error message.
    offset : int
        Index of the first jet in the file, for the message.

    Returns
    -------
    np.ndarray with shape (n_jets, n), int64
    """
    abs_pid = np.abs(np.rint(pid)).astype(np.int64)
    index = np.searchsorted(PID_CLASSES, abs_pid).clip(max=len(PID_CLASSES) - 1)
    unknown = mask & (PID_CLASSES[index] != abs_pid)
    if unknown.any():
        jet, particle = np.argwhere(unknown)[0]
        raise ValueError(
            f"{source}: {int(unknown.sum())} constituent(s) with unknown particle id, first "
            f"{pid[jet, particle].item()} in jet {offset + jet}, particle {particle}; known abs(pid): "
            f"{PID_CLASSES.tolist()}"
        )
    return np.where(mask, index, 0)


def momenta_from_pt_y_phi_pid(
    particles: np.ndarray,
    mask: np.ndarray,
    source: str,
    offset: int = 0,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
) -> tuple[np.ndarray, np.ndarray]:
    """Constituent 4-momenta and particle features from (pt, y, phi, pid).

    Parameters
    ----------
    particles : np.ndarray with shape (n_jets, n, 4)
        pt (GeV), rapidity y, azimuth phi, PDG code; padding rows are zero.
    mask : np.ndarray with shape (n_jets, n), bool
        Real constituents.
    source : str
        File and key for error messages.
    offset : int
        Index of the first jet in the file, for error messages.
    constituent_mass : str
        "pdg": each constituent has the PDG mass of its particle ID; "massless": zero, y then
        being the pseudorapidity too (weaver's convention, see the module docstring). Taken as
        given (anything but "pdg" is massless): :func:`.energyflow.energyflow_chunks`, where every
        EnergyFlow read passes, checks it once per call, not for every chunk.
    pid_features : str
        "lorentznets": charge and one-hot of abs(pid); "weaver": weaver's six ``qg_kinpid`` flags
        (see the module docstring). Taken as given (anything but "weaver" is "lorentznets"), as
        ``constituent_mass``.

    Returns
    -------
    momenta : np.ndarray with shape (n_jets, n, 4), float64
        (E, px, py, pz) in GeV, zero for padding.
    features : np.ndarray with shape (n_jets, n, S), float32
        S = 9: charge, then the one-hot of abs(pid); S = 6 with ``pid_features="weaver"`` (see
        the module docstring); zero for padding.

    Raises
    ------
    ValueError
        A real constituent with a negative pt (it would be flipped by pi in phi) or an unknown
        PDG id; the message names the count and the first jet (``offset`` added) and particle.
    """
    pt, y, phi, pid = (particles[..., i].astype(np.float64) for i in range(4))
    negative = mask & (pt < 0)
    if negative.any():
        jet, particle = np.argwhere(negative)[0]
        raise ValueError(
            f"{source}: {int(negative.sum())} constituent(s) with negative pt; first at jet {offset + jet}, "
            f"particle {particle}: (pt, y, phi, pid) = {tuple(particles[jet, particle].tolist())}"
        )
    index = pid_class_index(pid, mask, source, offset)
    transverse_mass = np.sqrt(pt**2 + PID_MASSES[index] ** 2) if constituent_mass == "pdg" else pt
    momenta = np.stack(
        [
            transverse_mass * np.cosh(y),
            pt * np.cos(phi),
            pt * np.sin(phi),
            transverse_mass * np.sinh(y),
        ],
        axis=-1,
    )
    momenta = np.where(mask[..., None], momenta, 0.0)
    if pid_features == "weaver":
        return momenta, weaver_pid_flags(pid) * mask[..., None]

    features = np.zeros(mask.shape + (NUM_PID_FEATURES,), dtype=np.float32)
    features[..., 0] = PID_CHARGES[index] * np.sign(pid)
    np.put_along_axis(features, 1 + index[..., None], 1.0, axis=-1)
    features *= mask[..., None]
    return momenta, features
