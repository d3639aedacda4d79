"""Purities by the number of reconstructable particles of each kind (SPANet's evaluation table).

The particles of an event file fall into clusters, the orbits of the event symmetry group
(``t1, t2`` form one cluster in ttbar, a Higgs is a cluster of its own). SPANet's evaluator
reports, for every combination of "this many reconstructable particles in each cluster" (a
count from 0 to the cluster size, or any count), the fraction of events in the bin, the event
purity and the particle purity of each cluster. This module computes the same table from
:func:`~lorentznets.assignment.metrics.best_matches`, with SPANet's conventions: an event with
no reconstructable particle counts as right, and "any" bins keep only events with at least one
reconstructable particle.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np

from .metrics import _ratio, best_matches
from .topology import EventTopology

ANY = "any"


def cluster_labels(topology: EventTopology) -> tuple[str, ...]:
    """One label per cluster (:attr:`EventTopology.clusters`): its particle names joined by ``-``."""
    return tuple("-".join(topology.particle_names[p] for p in cluster) for cluster in topology.clusters)


def count_bins(topology: EventTopology) -> list[tuple[int | str, ...]]:
    """Every combination of per-cluster counts, each 0..cluster size or ``"any"``."""
    return list(product(*[(ANY, *range(len(c) + 1)) for c in topology.clusters]))


def count_bin_name(topology: EventTopology, counts: Sequence[int | str]) -> str:
    """``counts/<cluster>_<count>/...``, e.g. ``counts/t1-t2_2/h_any``."""
    return "counts/" + "/".join(f"{label}_{n}" for label, n in zip(cluster_labels(topology), counts))


def purity_by_particle_count(
    predictions: Sequence[np.ndarray],
    assigned: np.ndarray,
    targets: Sequence[np.ndarray],
    topology: EventTopology,
    selected: np.ndarray | None = None,
) -> dict[str, float]:
    """SPANet's purity table by number of reconstructable particles per cluster.

    Parameters
    ----------
    predictions : sequence of np.ndarray
        Per particle, (B, k_p) predicted jet indices.
    assigned : np.ndarray with shape (B, P), bool
        Whether the decoder assigned each particle (an unassigned particle is wrong).
    targets : sequence of np.ndarray
        Per particle, (B, k_p) true jet indices, -1 for unmatched products.
    topology : EventTopology
    selected : np.ndarray with shape (B,), bool, optional
        Events to use (e.g. one jet multiplicity); all when None.

    Returns
    -------
    dict
        For each bin of :func:`count_bins`, ``<bin>/event_proportion`` (fraction of the selected
        events in the bin), ``<bin>/event_purity`` and ``<bin>/particle_purity.<cluster>``
        (:func:`count_bin_name` gives ``<bin>``); NaN where a bin has no event or no particle.
    """
    present, whole, _ = best_matches(predictions, assigned, targets, topology)
    if selected is not None:
        present, whole = present[selected], whole[selected]
    right = whole & present
    event_right = (right == present).all(1)
    clusters = [list(c) for c in topology.clusters]
    counts = np.stack([present[:, c].sum(1) for c in clusters], 1)
    total = present.sum(1)
    out: dict[str, float] = {}
    for combination in count_bins(topology):
        in_bin = np.ones(len(present), dtype=bool)
        for k, n in enumerate(combination):
            in_bin &= total > 0 if n == ANY else counts[:, k] == n
        name = count_bin_name(topology, combination)
        out[f"{name}/event_proportion"] = float(in_bin.mean()) if len(in_bin) else float("nan")
        out[f"{name}/event_purity"] = _ratio(event_right[in_bin].sum(), in_bin.sum())
        for label, cluster in zip(cluster_labels(topology), clusters):
            out[f"{name}/particle_purity.{label}"] = _ratio(
                right[in_bin][:, cluster].sum(), present[in_bin][:, cluster].sum()
            )
    return out
