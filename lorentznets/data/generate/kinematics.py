"""Numpy kinematics on (E, px, py, pz) arrays in GeV, used when assembling the output rows."""

from __future__ import annotations

import awkward as ak
import numpy as np


def four_momenta(records: ak.Array) -> np.ndarray:
    """Stack ``Momentum4D`` records into (E, px, py, pz).

    Parameters
    ----------
    records : ak.Array
        Records with fields ``px, py, pz`` and ``E`` or ``e``, any regular shape; missing entries
        (``None``) become zeros.

    Returns
    -------
    np.ndarray
        Shape (*records.shape, 4), float64, GeV.
    """
    energy = records.E if "E" in records.fields else records.e
    columns = [energy, records.px, records.py, records.pz]
    return np.stack([ak.to_numpy(ak.fill_none(column, 0.0)).astype(np.float64) for column in columns], axis=-1)


def pt_eta_phi_m(p: np.ndarray) -> np.ndarray:
    """Convert (E, px, py, pz) to (pT, eta, phi, m).

    Parameters
    ----------
    p : np.ndarray
        Shape (..., 4), GeV.

    Returns
    -------
    np.ndarray
        Shape (..., 4): pT in GeV, pseudorapidity (0 where pT = 0), azimuth in (-pi, pi], mass in
        GeV (0 where rounding makes m^2 negative).
    """
    energy, px, py, pz = np.moveaxis(p, -1, 0)
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where(pt > 0, np.arcsinh(np.divide(pz, pt, where=pt > 0, out=np.zeros_like(pt))), 0)
    phi = np.arctan2(py, px)
    mass = np.sqrt(np.clip(energy**2 - px**2 - py**2 - pz**2, 0.0, None))
    return np.stack([pt, eta, phi, mass], axis=-1)


def from_pt_eta_phi_m(x: np.ndarray) -> np.ndarray:
    """Convert (pT, eta, phi, m) to (E, px, py, pz), shape (..., 4), GeV."""
    pt, eta, phi, mass = np.moveaxis(x, -1, 0)
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    energy = np.sqrt(px**2 + py**2 + pz**2 + mass**2)
    return np.stack([energy, px, py, pz], axis=-1)


def rapidity(p: np.ndarray) -> np.ndarray:
    """Rapidity 0.5 log((E + pz) / (E - pz)) = sign(pz) log((E + |pz|) / mT), shape (...), for p
    of shape (..., 4), with mT^2 = max(m^2, 0) + pT^2: finite where rounding leaves E <= |pz| off
    the beam axis (the mass clipped at zero, as in :func:`to_pt_eta_phi_m`); a massless particle
    on the beam axis gets +-log(1e15) = +-34.5 (mT floored at 1e-15 (E + |pz|)).

    Examples
    --------
    >>> rapidity(np.array([[5.0, 0.0, 3.0, 4.0], [10.0, 1e-4, 0.0, 10.0000001]])).round(4)
    array([ 1.0986, 12.2061])
    """
    energy, pz = p[..., 0], p[..., 3]
    pt2 = p[..., 1] ** 2 + p[..., 2] ** 2
    transverse_mass = np.sqrt(np.clip(energy**2 - pt2 - pz**2, 0.0, None) + pt2)
    tiny = np.finfo(np.float64).tiny
    numerator = np.maximum(energy + np.abs(pz), tiny)
    return np.sign(pz) * np.log(numerator / np.maximum(transverse_mass, 1e-15 * numerator))


def delta_r(eta1: np.ndarray, phi1: np.ndarray, eta2: np.ndarray, phi2: np.ndarray) -> np.ndarray:
    """Angular distance sqrt(d_eta^2 + d_phi^2) with d_phi wrapped into [-pi, pi] (broadcasts)."""
    dphi = np.mod(phi1 - phi2 + np.pi, 2 * np.pi) - np.pi
    return np.hypot(eta1 - eta2, dphi)
