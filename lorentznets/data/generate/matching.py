"""Unique angular matching of partons to jets, vectorised over events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import awkward as ak
import numpy as np

from lorentznets.data.generate.kinematics import delta_r, four_momenta, pt_eta_phi_m


def unique_delta_r_matching(delta_r: np.ndarray, max_delta_r: float) -> np.ndarray:
    """Match partons to jets one-to-one, globally closest pair first.

    Parameters
    ----------
    delta_r : np.ndarray
        Shape (events, partons, jets); NaN or inf where a jet does not exist.
    max_delta_r : float
        Pairs at or beyond this distance are never matched.

    Returns
    -------
    np.ndarray
        Shape (events, partons), int64: the matched jet index or -1. No jet is used twice.
    """
    if delta_r.ndim != 3:
        raise ValueError(f"delta_r must have shape (events, partons, jets), got {delta_r.shape}")
    distance = np.where(np.isfinite(delta_r), delta_r, np.inf)
    n_events, n_partons, n_jets = distance.shape
    matched = np.full((n_events, n_partons), -1, dtype=np.int64)
    events = np.arange(n_events)
    for _ in range(min(n_partons, n_jets)):
        parton, jet = np.divmod(distance.reshape(n_events, -1).argmin(axis=1), n_jets)
        ok = distance[events, parton, jet] < max_delta_r
        if not ok.any():
            break
        hit, parton, jet = events[ok], parton[ok], jet[ok]
        matched[hit, parton] = jet
        distance[hit, parton, :] = np.inf
        distance[hit, :, jet] = np.inf
    return matched


def padded_matched_jets(
    jets: Any, n_jets: np.ndarray, partons: Sequence[np.ndarray], max_jets: int, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pad events' jets to ``max_jets`` and match each parton to a distinct jet within ``radius``.

    Parameters
    ----------
    jets : awkward.Array
        Jets per event (events, var) with four-momentum fields, pT-ordered.
    n_jets : np.ndarray with shape (events,)
        Jets per event before padding.
    partons : sequence of np.ndarray with shape (events, 4)
        Parton four-momenta (E, px, py, pz) in GeV, one array per parton.
    max_jets : int
        Jet slots kept (the hardest).
    radius : float
        Largest Delta R of a match.

    Returns
    -------
    p : np.ndarray with shape (events, max_jets, 4)
        Jet four-momenta, padded.
    mask : np.ndarray with shape (events, max_jets), bool
        Real jets.
    x : np.ndarray with shape (events, max_jets, 4)
        (pt, eta, phi, mass) of the jets, zero where padded.
    matched : np.ndarray with shape (events, partons), int
        Index of each parton's jet, -1 where none (see :func:`unique_delta_r_matching`).
    """
    p = four_momenta(ak.pad_none(jets, max_jets, axis=1, clip=True))
    mask = np.arange(max_jets)[None, :] < np.minimum(n_jets, max_jets)[:, None]
    x = pt_eta_phi_m(p)
    x[~mask] = 0.0
    parton_x = np.stack([pt_eta_phi_m(parton) for parton in partons], axis=1)
    distance = delta_r(parton_x[:, :, None, 1], parton_x[:, :, None, 2], x[:, None, :, 1], x[:, None, :, 2])
    distance[~np.broadcast_to(mask[:, None, :], distance.shape)] = np.inf
    return p, mask, x, unique_delta_r_matching(distance, radius)
