"""Physics checks on four-momenta at the data boundary, where files become arrays.

Nets do not check their inputs (that would sync the device), so every reader checks the
constituents it returns, vectorised over a whole chunk. A check raises ``ValueError`` naming the
file, the key, how many constituents are bad and the first one (jet and particle index in the
file, and its values).

Accepted: m^2 < 0 from rounding. A massless particle stored in float32 has
|m^2| / E^2 up to a few 1e-7 (each component carries a relative error of 6e-8, and m^2 is a
difference of squares); :data:`SPACELIKE_TOLERANCE` = 1e-3 leaves a margin of over 1000.

Rejected, in this order:

1. non-finite components (NaN/inf);
2. negative energy (E < 0) of a real constituent;
3. all-zero four-momenta that the mask marks as real;
4. absurd magnitudes: any component above :data:`MAX_MOMENTUM` = 1e6 GeV, 70 times the LHC's
   14 TeV: no collider jet constituent comes close, so such a value is a unit or parsing error;
5. spacelike four-momenta beyond rounding: m^2 < -:data:`SPACELIKE_TOLERANCE` E^2.

:func:`check_derived_momenta` checks a conversion such as (pt, eta, phi, m) -> (E, px, py, pz),
where huge eta or pt give inf momenta, and reports the input values that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SPACELIKE_TOLERANCE = 1e-3
MAX_MOMENTUM = 1e6


def _first(bad: np.ndarray) -> tuple[int, int]:
    jet, particle = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return int(jet), int(particle)


def _values(row: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.6g}" for v in row) + ")"


def _raise(problem: str, bad: np.ndarray, p: np.ndarray, source: str, key: str, offset: int, detail: str = "") -> None:
    jet, particle = _first(bad)
    raise ValueError(
        f"{source}: key '{key}' has {problem} in {int(bad.sum())} constituent(s); first at jet "
        f"{offset + jet}, particle {particle}: (E, px, py, pz) = {_values(p[jet, particle])} GeV{detail}"
    )


def check_four_momenta(p: np.ndarray, mask: np.ndarray, source: str, key: str, offset: int = 0) -> None:
    """Raise ``ValueError`` if a real constituent is not a physical four-momentum (see the module docstring).

    Parameters
    ----------
    p : np.ndarray with shape (N, P, 4)
        Constituent (E, px, py, pz) in GeV; entries where ``mask`` is False are not checked.
    mask : np.ndarray with shape (N, P), bool
        True for real constituents.
    source : str
        The file, for the message.
    key : str
        The key (dataset, column group or branches) the momenta come from.
    offset : int
        Index in the file of the first jet of ``p``.

    Raises
    ------
    ValueError
        The first failing check, e.g. ``"f.h5: key 'Pmu' has negative energy in 1 constituent(s);
        first at jet 7, particle 2: (E, px, py, pz) = (-3, 1, 0, 0) GeV"``.

    Examples
    --------
    >>> p = np.array([[[10.0, 0.0, 0.0, 10.0], [0.0, 0.0, 0.0, 0.0]]])
    >>> check_four_momenta(p, np.array([[True, False]]), "jets.h5", "Pmu")
    """
    mask = np.asarray(mask, dtype=bool)
    p = np.asarray(p)
    # One vectorised pass decides; the per-problem messages are built only for a bad chunk.
    with np.errstate(invalid="ignore", over="ignore"):
        energy = p[..., 0]
        m2 = energy * energy - np.einsum("...i,...i->...", p[..., 1:], p[..., 1:])
        good = np.isfinite(p).all(axis=-1) & (energy >= 0) & (np.abs(p) <= MAX_MOMENTUM).all(axis=-1)
        good &= (p != 0).any(axis=-1) & (m2 >= -SPACELIKE_TOLERANCE * energy * energy)
    if (good | ~mask).all():
        return
    _raise_first_problem(p, mask, source, key, offset)


def _raise_first_problem(p: np.ndarray, mask: np.ndarray, source: str, key: str, offset: int) -> None:
    finite = np.isfinite(p).all(axis=-1)
    if (mask & ~finite).any():
        _raise("non-finite (NaN/inf) components", mask & ~finite, p, source, key, offset)
    p = np.where(mask[..., None], p, 0).astype(np.float64)
    energy = p[..., 0]
    if (mask & (energy < 0)).any():
        _raise("negative energy", mask & (energy < 0), p, source, key, offset)
    zero = mask & (p == 0).all(axis=-1)
    if zero.any():
        _raise("all-zero four-momenta marked as real by the mask", zero, p, source, key, offset)
    huge = mask & (np.abs(p) > MAX_MOMENTUM).any(axis=-1)
    if huge.any():
        _raise(f"components above {MAX_MOMENTUM:g} GeV", huge, p, source, key, offset)
    m2 = energy**2 - (p[..., 1:] ** 2).sum(axis=-1)
    spacelike = mask & (m2 < -SPACELIKE_TOLERANCE * energy**2)
    # A constituent at the tolerance in the input precision may pass in float64: it is accepted.
    if spacelike.any():
        jet, particle = _first(spacelike)
        ratio = m2[jet, particle] / max(energy[jet, particle] ** 2, np.finfo(np.float64).tiny)
        detail = f", m^2/E^2 = {ratio:.3g}"
        problem = f"spacelike four-momenta beyond rounding (m^2 < -{SPACELIKE_TOLERANCE:g} E^2)"
        _raise(problem, spacelike, p, source, key, offset, detail)


def check_derived_momenta(
    inputs: np.ndarray,
    p: np.ndarray,
    mask: np.ndarray,
    source: str,
    key: str,
    names: Sequence[str],
    offset: int = 0,
) -> None:
    """Raise ``ValueError`` if converting finite stored kinematics gave non-finite four-momenta.

    Parameters
    ----------
    inputs : np.ndarray with shape (N, P, K)
        The stored per-constituent values, e.g. (pt, eta, phi, m).
    p : np.ndarray with shape (N, P, 4)
        The (E, px, py, pz) computed from them, GeV.
    mask : np.ndarray with shape (N, P), bool
        True for real constituents.
    source, key : str
        The file and the key of ``inputs``, for the message.
    names : sequence of str
        Names of the K input columns, e.g. ``("pt", "eta", "phi", "mass")``.
    offset : int
        Index in the file of the first jet (or event) of ``inputs``.

    Raises
    ------
    ValueError
        Names the file, key, count and the first bad constituent with its stored values.
    """
    bad = np.asarray(mask, dtype=bool) & ~np.isfinite(p).all(axis=-1)
    if bad.any():
        jet, particle = _first(bad)
        columns = ", ".join(names)
        raise ValueError(
            f"{source}: key '{key}': converting ({columns}) to (E, px, py, pz) gives non-finite values "
            f"for {int(bad.sum())} constituent(s); first at jet {offset + jet}, particle {particle}: "
            f"({columns}) = {_values(inputs[jet, particle])}"
        )
