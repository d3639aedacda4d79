"""Heavy-flavour hadrons in the event record, for the b-tagging stand-in."""

from __future__ import annotations

import awkward as ak
import numpy as np


def heavy_hadrons(prt: ak.Array, quark: int, min_pt: float) -> ak.Array:
    """Hadrons that contain a quark of flavour ``quark`` (5: b, 4: c).

    Any hadron in the record counts (primary or from decays), identified from its PDG id digits
    n_q1 n_q2 n_q3 n_J; diquarks (n_q3 = 0) and partons are excluded.

    Parameters
    ----------
    prt : ak.Array
        Pythia event records, shape (events, var).
    quark : int
        Quark flavour, 4 or 5.
    min_pt : float
        Minimum hadron pT in GeV.

    Returns
    -------
    ak.Array
        ``Momentum4D`` momenta, shape (events, var).
    """
    absid = np.abs(prt.id)
    hadron = (absid > 100) & (absid < 1_000_000) & ((absid // 10) % 10 != 0)
    hadron = hadron & (np.abs(prt.status) >= 81) & (np.abs(prt.status) <= 99)
    contains = ((absid // 10) % 10 == quark) | ((absid // 100) % 10 == quark)
    contains = contains | ((absid // 1000) % 10 == quark)
    selected = prt.p[hadron & contains]
    return selected[selected.pt > min_pt]


def any_within(jet_eta: np.ndarray, jet_phi: np.ndarray, objects: ak.Array, max_delta_r: float) -> np.ndarray:
    """Whether any of ``objects`` (events, var) lies within ``max_delta_r`` of each jet.

    Parameters
    ----------
    jet_eta, jet_phi : np.ndarray
        Shape (events, jets).
    objects : ak.Array
        ``Momentum4D`` records, shape (events, var).
    max_delta_r : float
        Cone radius.

    Returns
    -------
    np.ndarray
        Shape (events, jets), bool.
    """
    width = max(1, int(ak.max(ak.num(objects, axis=1), initial=0)))
    eta = ak.to_numpy(ak.fill_none(ak.pad_none(objects.eta, width, axis=1), np.nan))
    phi = ak.to_numpy(ak.fill_none(ak.pad_none(objects.phi, width, axis=1), np.nan))
    dphi = np.mod(jet_phi[:, :, None] - phi[:, None, :] + np.pi, 2 * np.pi) - np.pi
    distance = np.hypot(jet_eta[:, :, None] - eta[:, None, :], dphi)
    with np.errstate(invalid="ignore"):
        return np.any(distance < max_delta_r, axis=2)
