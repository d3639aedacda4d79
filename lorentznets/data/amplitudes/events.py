"""Generate amplitude events: phase-space points, cuts, a longitudinal boost and squared amplitudes.

Procedure (vectorised over events, no per-event Python loop):

1. RAMBO in the partonic centre-of-mass frame at fixed ``sqrt_s`` (GeV), incoming partons along +-z;
   with a massive particle among three or more, RAMBO's events carry weights (the mass correction,
   at most 1): each is kept with that probability, so the kept events are unweighted (for two
   final-state particles the correction is a constant and every event is kept);
2. cuts that keep the amplitudes away from their soft and collinear poles: every final-state gluon has
   ``pT > pt_min`` and every pair of final-state gluons ``Delta R = sqrt(dy^2 + dphi^2) > delta_r_min``
   (both invariant under the boost of step 4). Points are drawn in batches until ``n_events`` pass;
   the events are therefore distributed as flat phase space restricted to the cuts;
3. the squared amplitude, in the normalisation of :mod:`lorentznets.data.amplitudes.processes`;
4. a longitudinal boost of all momenta with rapidity uniform in ``[-max_boost_rapidity,
   max_boost_rapidity]``, as for partons with unequal momentum fractions at a hadron collider, so the
   data are not all in the CM frame (amplitudes are Lorentz invariant, so step 3 is unaffected).

Output layout (that of the L-GATr amplitude data): an array (N, 4 n + 1) with (E, px, py, pz) in GeV for
each particle in process order, then the squared amplitude.
"""

from __future__ import annotations

import numpy as np

from .couplings import Couplings
from .phase_space import boost_along_z, incoming_momenta, rambo, rambo_flat_weight
from .processes import Process

__all__ = ["generate_events", "needs_unweighting", "passes_cuts"]


def needs_unweighting(masses: list[float]) -> bool:
    """Whether RAMBO weights the events of these final-state masses (GeV): a massive particle
    among three or more; for two the mass correction is a constant."""
    return len(masses) >= 3 and max(masses) > 0


def passes_cuts(final: np.ndarray, is_gluon: np.ndarray, pt_min: float, delta_r_min: float) -> np.ndarray:
    """Boolean mask of events passing the generation cuts.

    Parameters
    ----------
    final : np.ndarray with shape (N, n_final, 4)
        Final-state momenta in GeV.
    is_gluon : np.ndarray with shape (n_final,), bool
        Which final-state particles the cuts apply to.
    pt_min : float
        Minimal transverse momentum of each gluon in GeV.
    delta_r_min : float
        Minimal (rapidity, azimuth) distance between any two gluons.

    Returns
    -------
    np.ndarray with shape (N,), bool
    """
    gluons = final[:, is_gluon]
    pt = np.hypot(gluons[..., 1], gluons[..., 2])
    keep = np.all(pt > pt_min, axis=1)
    if gluons.shape[1] >= 2 and delta_r_min > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            y = 0.5 * np.log((gluons[..., 0] + gluons[..., 3]) / (gluons[..., 0] - gluons[..., 3]))
        phi = np.arctan2(gluons[..., 2], gluons[..., 1])
        i, j = np.triu_indices(gluons.shape[1], k=1)
        dphi = np.mod(phi[:, i] - phi[:, j] + np.pi, 2 * np.pi) - np.pi
        dr2 = (y[:, i] - y[:, j]) ** 2 + dphi**2
        keep &= np.all(dr2 > delta_r_min**2, axis=1)
    return keep


def generate_events(
    process: Process,
    n_events: int,
    rng: np.random.Generator,
    couplings: Couplings | None = None,
    sqrt_s: float = 1000.0,
    pt_min: float = 20.0,
    delta_r_min: float = 0.4,
    max_boost_rapidity: float = 2.0,
    backend: str | None = None,
    batch_size: int = 10000,
) -> np.ndarray:
    """Events of one process in the L-GATr amplitude layout.

    Parameters
    ----------
    process : Process
    n_events : int
        Number of events to return.
    rng : numpy.random.Generator
    couplings : Couplings or None
        Defaults to ``Couplings()``.
    sqrt_s : float
        Partonic CM energy in GeV.
    pt_min, delta_r_min : float
        Generation cuts on the final-state gluons (see module docstring).
    max_boost_rapidity : float
        Half-width of the uniform longitudinal-boost rapidity distribution; 0 keeps the CM frame.
    backend : str or None
        Amplitude backend (see ``Process.backends``); None picks the default.
    batch_size : int
        Phase-space points drawn per batch.

    Returns
    -------
    np.ndarray with shape (n_events, 4 n + 1), float64
    """
    if n_events <= 0:
        raise ValueError(f"generate_events: n_events must be positive, got {n_events}")
    couplings = couplings or Couplings()
    masses = process.final_masses(couplings)
    if sum(masses) >= sqrt_s:
        raise ValueError(f"generate_events: sqrt_s={sqrt_s} GeV is below the final-state masses {masses}")
    is_gluon = np.array([name == "g" for name in process.particles[2:]])
    accepted: list[np.ndarray] = []
    n_accepted = 0
    n_tried = 0
    unweight = needs_unweighting(masses)
    while n_accepted < n_events:
        final, weights = rambo(rng, batch_size, sqrt_s, masses)
        n_tried += batch_size
        keep = passes_cuts(final, is_gluon, pt_min, delta_r_min)
        if unweight:  # the mass correction of RAMBO's flat massless weight lies in (0, 1]
            keep &= rng.random(batch_size) < weights / rambo_flat_weight(len(masses), sqrt_s)
        final = final[keep]
        accepted.append(final[: n_events - n_accepted])
        n_accepted += accepted[-1].shape[0]
        if n_accepted == 0 and n_tried >= 100 * batch_size:
            raise ValueError(
                f"generate_events: no event of {process.name} passed the cuts"
                f"{' and the unweighting of the massive phase space' if unweight else ''} in {n_tried} tries "
                f"(sqrt_s={sqrt_s}, pt_min={pt_min}, delta_r_min={delta_r_min}); loosen the cuts"
                f"{' or raise sqrt_s above the final-state masses' if unweight else ''}"
            )
    final = np.concatenate(accepted)
    momenta = np.concatenate([incoming_momenta(n_events, sqrt_s), final], axis=1)
    amplitude = process.squared_amplitude(momenta, couplings, backend)
    if not np.all(np.isfinite(amplitude) & (amplitude > 0)):
        raise RuntimeError(f"generate_events: non-finite or non-positive amplitude for {process.name}")
    rapidity = rng.uniform(-max_boost_rapidity, max_boost_rapidity, size=n_events)
    momenta = boost_along_z(momenta, rapidity)
    return np.concatenate([momenta.reshape(n_events, -1), amplitude[:, None]], axis=1)
