"""Unique angular matching of partons to jets, vectorised over events."""

from __future__ import annotations

import numpy as np


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
