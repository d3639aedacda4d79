"""Physics checks on the kinematic features of one SPANet-layout input, where the file becomes arrays.

The tagging readers check constituent four-momenta (:mod:`lorentznets.data.physics_checks`);
an assignment file stores (pt, eta, azimuth, mass or energy) per vector instead, and a bad value
there is hidden by the conversion: a negative pt points the jet the other way, and a negative
mass enters only as m^2. Refused on real vectors, naming the file, the feature, the count and the
first event and vector slot with their stored values:

1. negative pt;
2. a mass below -sqrt(:data:`~lorentznets.data.physics_checks.SPACELIKE_TOLERANCE`) E, i.e. a
   signed mass sign(m^2) sqrt|m^2| spacelike beyond rounding (a slightly negative mass from
   rounding is accepted);
3. an energy below zero or below the momentum beyond the same rounding tolerance;
4. non-finite or absurd (above :data:`~lorentznets.data.physics_checks.MAX_MOMENTUM` GeV)
   four-momenta from finite features (e.g. a huge eta);
5. an azimuth stored as ``sin_phi`` and ``cos_phi`` off the unit circle by more than
   :data:`AZIMUTH_TOLERANCE` (the conversion divides by their length, so sin_phi = cos_phi = 0
   became px = py = 0 with the energy from pt: a 15.8 GeV jet mass read as 158.6 GeV).

A GLOBAL input (e.g. MET) has no four-momentum, but its ``sin_phi`` and ``cos_phi`` reach the
models as they are stored: :func:`check_global_azimuth` refuses them off the unit circle in any
event (its magnitude may be 0; only the direction's length is checked).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lorentznets.assignment.input_layout import KinematicColumns
from lorentznets.data.physics_checks import MAX_MOMENTUM, SPACELIKE_TOLERANCE

# Allowed | |(sin_phi, cos_phi)| - 1 |: far above float32 (and float16) rounding, far below any real inconsistency.
AZIMUTH_TOLERANCE = 0.01
OFF_UNIT_CIRCLE = f"off the unit circle (|(sin_phi, cos_phi)| differs from 1 by more than {AZIMUTH_TOLERANCE:g})"


def off_unit_circle(sin_phi: np.ndarray, cos_phi: np.ndarray) -> np.ndarray:
    """True where ``|(sin_phi, cos_phi)|`` differs from 1 by more than :data:`AZIMUTH_TOLERANCE` (or is NaN);
    same shape as the inputs."""
    return ~(np.abs(np.hypot(sin_phi, cos_phi) - 1) <= AZIMUTH_TOLERANCE)


def check_input_kinematics(
    values: Mapping[str, np.ndarray],
    momenta: np.ndarray,
    mask: np.ndarray,
    columns: KinematicColumns,
    input_name: str,
    source: str,
) -> None:
    """Raise ``ValueError`` if a real vector of one input has unphysical kinematics (module docstring).

    Parameters
    ----------
    values : mapping of str to np.ndarray with shape (E, N)
        The stored features by name (GeV for pt, mass and energy).
    momenta : np.ndarray with shape (E, N, 4)
        (E, px, py, pz) in GeV computed from ``values``.
    mask : np.ndarray with shape (E, N), bool
        True for real vectors.
    columns : KinematicColumns
        Which features gave ``momenta``.
    input_name : str
        The SEQUENTIAL input, e.g. ``"Jets"``.
    source : str
        The file, for the message.

    Raises
    ------
    ValueError
        E.g. ``"f.h5: INPUTS/Jets/mass is below -0.0316 E (spacelike beyond rounding) on 1 real
        vector(s); first at event 3, vector 1: pt=50, eta=0.1, phi=0.2, mass=-20"``.
    """
    energy = momenta[..., 0]
    with np.errstate(invalid="ignore", over="ignore"):
        checks = [(columns.pt, "negative", values[columns.pt] < 0)]
        if columns.mass is not None:
            limit = np.sqrt(SPACELIKE_TOLERANCE)
            problem = f"below -{limit:.3g} E (spacelike beyond rounding)"
            checks.append((columns.mass, problem, values[columns.mass] < -limit * energy))
        if columns.energy is not None:
            m2 = energy**2 - (momenta[..., 1:] ** 2).sum(axis=-1)
            checks.append((columns.energy, "negative", energy < 0))
            problem = f"below the momentum beyond rounding (m^2 < -{SPACELIKE_TOLERANCE:g} E^2)"
            checks.append((columns.energy, problem, m2 < -SPACELIKE_TOLERANCE * energy**2))
        finite = np.isfinite(momenta).all(axis=-1)
        derived = ",".join(columns.used)
        checks.append((derived, "giving non-finite four-momenta", ~finite))
        huge = (np.abs(momenta) > MAX_MOMENTUM).any(axis=-1)
        checks.append((derived, f"giving components above {MAX_MOMENTUM:g} GeV", huge))
        if columns.sin_phi is not None:
            bad = off_unit_circle(values[columns.sin_phi], values[columns.cos_phi])
            checks.append((f"{columns.sin_phi},{columns.cos_phi}", OFF_UNIT_CIRCLE, bad))
    for feature, problem, bad in checks:
        bad = bad & mask
        if bad.any():
            event, slot = (int(i) for i in np.argwhere(bad)[0])
            stored = ", ".join(f"{name}={float(values[name][event, slot]):.6g}" for name in columns.used)
            raise ValueError(
                f"{source}: INPUTS/{input_name}/{feature} is {problem} on {int(bad.sum())} real vector(s); "
                f"first at event {event}, vector {slot}: {stored}"
            )


def check_global_azimuth(values: Mapping[str, np.ndarray], input_name: str, source: str) -> None:
    """Raise ``ValueError`` if a GLOBAL input's ``(sin_phi, cos_phi)`` is off the unit circle in some event.

    Parameters
    ----------
    values : mapping of str to np.ndarray with shape (E,)
        The input's stored features by name; an input without both ``sin_phi`` and ``cos_phi``
        is not checked.
    input_name : str
        The GLOBAL input, e.g. ``"Met"``.
    source : str
        The file, for the message.

    Raises
    ------
    ValueError
        E.g. ``"f.h5: INPUTS/Met/sin_phi,cos_phi is off the unit circle (...) in 1 event(s);
        first at event 3: met=42.1, sin_phi=0, cos_phi=0"``.
    """
    if "sin_phi" not in values or "cos_phi" not in values:
        return
    bad = off_unit_circle(values["sin_phi"], values["cos_phi"])
    if bad.any():
        event = int(np.flatnonzero(bad)[0])
        stored = ", ".join(f"{name}={float(column[event]):.6g}" for name, column in values.items())
        raise ValueError(
            f"{source}: INPUTS/{input_name}/sin_phi,cos_phi is {OFF_UNIT_CIRCLE} in {int(bad.sum())} event(s); "
            f"first at event {event}: {stored}"
        )
