"""Reconstruction purities and efficiencies for jet-parton assignment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .topology import EventTopology


def _particle_matches(pred: np.ndarray, target: np.ndarray, symmetries) -> tuple[np.ndarray, np.ndarray]:
    """Whole-tuple match and number of correctly placed products, best over the product group.

    pred, target: (B, k). Returns (B,) bool and (B,) int. The whole-tuple match needs every
    product matched, so it is False for a partially matched particle.
    """
    whole = np.zeros(len(pred), dtype=bool)
    jets = np.zeros(len(pred), dtype=np.int64)
    for perm in symmetries:
        permuted = pred[:, list(perm)]
        hits = (permuted == target) & (target >= 0)
        whole |= hits.sum(1) == target.shape[1]
        jets = np.maximum(jets, hits.sum(1))
    return whole, jets


def multiplicity_bins(minimum: int) -> dict[str, tuple[int, int | None]]:
    """Jet-multiplicity bins ``{suffix: (low, high)}`` (inclusive, high None: open) starting at the
    fewest vectors a full event has, e.g. ``_njets6``, ``_njets7``, ``_njets8plus`` for 6 products."""
    return {
        f"_njets{minimum}": (minimum, minimum),
        f"_njets{minimum + 1}": (minimum + 1, minimum + 1),
        f"_njets{minimum + 2}plus": (minimum + 2, None),
    }


def in_bin(num_jets: np.ndarray, bounds: tuple[int, int | None]) -> np.ndarray:
    """(E,) bool: events whose multiplicity lies in ``bounds`` (see :func:`multiplicity_bins`)."""
    low, high = bounds
    return (num_jets >= low) & (num_jets <= high if high is not None else True)


def best_matches(
    predictions: Sequence[np.ndarray], assigned: np.ndarray, targets: Sequence[np.ndarray], topology: EventTopology
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per true particle, whether it is reconstructable and right, under the best event permutation.

    The event permutation maximises the number of right reconstructable particles, then the
    number of right jets.

    Returns
    -------
    present : np.ndarray with shape (B, P), bool
        All products of the true particle are matched to jets.
    whole : np.ndarray with shape (B, P), bool
        Its predicted tuple is right up to the product symmetries (whether present or not).
    jets : np.ndarray with shape (B, P), int
        Its matched products whose predicted jet is right.
    """
    present, whole, jets, _ = _best_event_permutation(predictions, assigned, targets, topology)
    return present, whole, jets


def aligned_predictions(
    predictions: Sequence[np.ndarray], assigned: np.ndarray, targets: Sequence[np.ndarray], topology: EventTopology
) -> tuple[list[np.ndarray], np.ndarray]:
    """The predicted tuples in the order of the true particles, under the best event permutation
    of :func:`best_matches` (a prediction of t1's jets in the slot of t2 is t2's prediction).

    Parameters
    ----------
    predictions : sequence of np.ndarray
        Per particle, (B, k_p) predicted jet indices.
    assigned : np.ndarray with shape (B, P), bool
    targets : sequence of np.ndarray
        Per particle, (B, k_p) true jet indices, -1 for unmatched products.
    topology : EventTopology

    Returns
    -------
    predictions : list of np.ndarray
        Per true particle q, (B, k_q) the tuple predicted for it.
    assigned : np.ndarray with shape (B, P), bool
        Whether the decoder assigned a tuple to true particle q.
    """
    *_, choice = _best_event_permutation(predictions, assigned, targets, topology)
    aligned = [np.array(p, copy=True) for p in predictions]
    aligned_assigned = np.array(assigned, copy=True)
    for index, perm in enumerate(topology.event_symmetries):
        rows = choice == index
        for p, q in enumerate(perm):
            aligned[q][rows] = predictions[p][rows]
            aligned_assigned[rows, q] = assigned[rows, p]
    return aligned, aligned_assigned


def _best_event_permutation(
    predictions: Sequence[np.ndarray], assigned: np.ndarray, targets: Sequence[np.ndarray], topology: EventTopology
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`best_matches` and, per event, the index of the best permutation in
    ``topology.event_symmetries`` (B,)."""
    present = np.stack([(t >= 0).all(1) for t in targets], 1)
    best_event = np.full(len(present), -1.0)
    choice = np.zeros(len(present), dtype=np.int64)
    best = None
    for index, perm in enumerate(topology.event_symmetries):
        whole = np.zeros_like(present)
        jets = np.zeros(present.shape, dtype=np.int64)
        for p, q in enumerate(perm):
            w, j = _particle_matches(predictions[p], targets[q], topology.particles[p].symmetries)
            whole[:, q] = w & assigned[:, p]
            jets[:, q] = np.where(assigned[:, p], j, 0)
        score = (whole & present).sum(1) + 1e-3 * jets.sum(1) / max(1, topology.num_products)
        better = score > best_event
        best_event = np.where(better, score, best_event)
        choice[better] = index
        if best is None:
            best = (whole.copy(), jets.copy())
        else:
            best[0][better], best[1][better] = whole[better], jets[better]
    return present, best[0], best[1], choice


def assignment_metrics(
    predictions: Sequence[np.ndarray],
    assigned: np.ndarray,
    targets: Sequence[np.ndarray],
    num_jets: np.ndarray,
    topology: EventTopology,
) -> dict[str, float]:
    """Event purity, particle purity and jet efficiency, overall and in bins.

    Parameters
    ----------
    predictions : sequence of np.ndarray
        Per particle, (B, k_p) predicted jet indices.
    assigned : np.ndarray with shape (B, P), bool
        Whether the decoder assigned each particle at all.
    targets : sequence of np.ndarray
        Per particle, (B, k_p) true jet indices, -1 for unmatched products.
    num_jets : np.ndarray with shape (B,)
        Number of real jets (vectors) per event, for the multiplicity bins
        (:func:`multiplicity_bins` of the topology's total number of products).
    topology : EventTopology

    Returns
    -------
    dict
        ``event_purity`` (events with every reconstructable particle right, best event
        permutation, among events with at least one reconstructable particle),
        ``particle_purity`` (reconstructable particles right), ``jet_efficiency`` (matched
        partons whose jet is right), each also with the multiplicity suffixes (``_njets6``,
        ``_njets7``, ``_njets8plus`` for six products), ``_full`` (all particles
        reconstructable), ``_partial``; ``particle_purity.<particle>`` per true particle (among
        events where the target particle of that name is reconstructable, the fraction whose tuple
        is right under the best event permutation, whichever head predicted it; interchangeable
        particles have their own values, e.g. when one top is reconstructable more often); plus
        ``fraction_no_particle`` (events with no reconstructable particle, reported apart).
    """
    present, whole, jets = best_matches(predictions, assigned, targets, topology)
    matched_partons = np.stack([(t >= 0).sum(1) for t in targets], 1).sum(1)
    any_present = present.any(1)
    event_right = ((whole | ~present).all(1)) & any_present
    bins = {"": np.ones(len(num_jets), dtype=bool)}
    bins.update({suffix: in_bin(num_jets, b) for suffix, b in multiplicity_bins(topology.num_products).items()})
    bins.update({"_full": present.all(1), "_partial": any_present & ~present.all(1)})
    out: dict[str, float] = {"fraction_no_particle": float((~any_present).mean()) if len(num_jets) else 0.0}
    for suffix, selected in bins.items():
        events = selected & any_present
        out[f"event_purity{suffix}"] = _ratio(event_right[events].sum(), events.sum())
        out[f"particle_purity{suffix}"] = _ratio((whole & present)[events].sum(), present[events].sum())
        out[f"jet_efficiency{suffix}"] = _ratio(jets[selected].sum(), matched_partons[selected].sum())
        out[f"num_events{suffix}"] = float(events.sum())
    for p, name in enumerate(topology.particle_names):
        out[f"particle_purity.{name}"] = _ratio((whole & present)[:, p].sum(), present[:, p].sum())
    return out


def _ratio(numerator, denominator) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")
