"""Decoding a whole split and the purity table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from lorentznets.assignment.count_bins import cluster_labels, count_bin_name, count_bins, purity_by_particle_count
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples
from lorentznets.assignment.metrics import assignment_metrics, multiplicity_bins
from lorentznets.assignment.topology import EventTopology

DECODERS = {"greedy": greedy_decode, "exact": exact_decode}


def table_bins(topology: EventTopology) -> list[tuple[str, str]]:
    """Rows of the purity table, ``(label, metric suffix)``: all events, each jet multiplicity,
    fully reconstructable events (overall and per multiplicity), partially reconstructable."""
    bins = multiplicity_bins(topology.num_products)
    rows = [("all events", "")]
    rows += [(_multiplicity_label(b) + " jets", suffix) for suffix, b in bins.items()]
    rows.append(("all particles reconstructable", "_full"))
    rows += [("  all, " + _multiplicity_label(b) + " jets", "_full" + suffix) for suffix, b in bins.items()]
    rows.append(("some particles reconstructable", "_partial"))
    return rows


def _multiplicity_label(bounds: tuple[int, int | None]) -> str:
    low, high = bounds
    return f"{low}" if high is not None else f">= {low}"


@dataclass
class DecodedSplit:
    """Decoded assignments of one split (numpy, events in dataset order).

    Attributes
    ----------
    predictions : dict
        ``{decoder: (list of (E, k_p) jet indices, (E, P) assigned)}``.
    targets : list of np.ndarray
        Per particle, (E, k_p), -1 unmatched.
    num_jets : np.ndarray with shape (E,)
        Real vectors in the inputs that hold targets (the batches' ``multiplicity``).
    detection_probability : np.ndarray with shape (E, P)
    momenta : list of np.ndarray
        Per event, (num_jets, 4) GeV, for invariant masses of assigned jets.
    """

    predictions: dict[str, tuple[list[np.ndarray], np.ndarray]]
    targets: list[np.ndarray]
    num_jets: np.ndarray
    detection_probability: np.ndarray
    momenta: np.ndarray


def decode_batches(outputs: Iterable[tuple[list[torch.Tensor], torch.Tensor, Mapping]]) -> DecodedSplit:
    """Decode network outputs batch by batch with both decoders.

    Parameters
    ----------
    outputs : iterable of (log_probs, detection_logits, batch)
        Network outputs of each batch with the batch dict (``mask``, ``momenta``, ``targets``,
        ``multiplicity``).
    """
    predictions: dict[str, list] = {name: [] for name in DECODERS}
    targets, num_jets, detection, momenta = [], [], [], []
    max_jets = 0
    for log_probs, detection_logits, batch in outputs:
        mask = batch["mask"]
        valid = [valid_tuples(mask, lp.dim() - 1) for lp in log_probs]
        for name, decode in DECODERS.items():
            tuples, assigned = decode([lp.double() for lp in log_probs], valid)
            predictions[name].append(([t.cpu().numpy() for t in tuples], assigned.cpu().numpy()))
        targets.append([t.cpu().numpy() for t in batch["targets"]])
        num_jets.append(batch["multiplicity"].cpu().numpy())
        detection.append(torch.sigmoid(detection_logits.double()).cpu().numpy())
        momenta.append(batch["momenta"].double().cpu().numpy())
        max_jets = max(max_jets, mask.shape[1])
    padded = [np.pad(m, ((0, 0), (0, max_jets - m.shape[1]), (0, 0))) for m in momenta]
    joined = {
        name: (
            [np.concatenate([b[0][p] for b in batches]) for p in range(len(batches[0][0]))],
            np.concatenate([b[1] for b in batches]),
        )
        for name, batches in predictions.items()
    }
    return DecodedSplit(
        joined,
        [np.concatenate([b[p] for b in targets]) for p in range(len(targets[0]))],
        np.concatenate(num_jets),
        np.concatenate(detection),
        np.concatenate(padded),
    )


def split_metrics(decoded: DecodedSplit, topology: EventTopology) -> dict[str, float]:
    """Purities of both decoders (``<decoder>.<metric>``), the table by number of reconstructable
    particles (``<decoder>.counts/...``, see :mod:`lorentznets.assignment.count_bins`) and the
    detection accuracy."""
    metrics: dict[str, float] = {}
    present = np.stack([(t >= 0).all(1) for t in decoded.targets], 1)
    full = present.all(1)
    bins = multiplicity_bins(topology.num_products)
    for name, (tuples, assigned) in decoded.predictions.items():
        values = assignment_metrics(tuples, assigned, decoded.targets, decoded.num_jets, topology)
        metrics.update({f"{name}.{key}": value for key, value in values.items()})
        # The published headline number: fully reconstructable events, per jet multiplicity.
        values = assignment_metrics(
            [t[full] for t in tuples],
            assigned[full],
            [t[full] for t in decoded.targets],
            decoded.num_jets[full],
            topology,
        )
        for suffix in bins:
            for key in ("event_purity", "particle_purity", "jet_efficiency", "num_events"):
                metrics[f"{name}.{key}_full{suffix}"] = values[f"{key}{suffix}"]
        counts = purity_by_particle_count(tuples, assigned, decoded.targets, topology)
        metrics.update({f"{name}.{key}": value for key, value in counts.items()})
    detected = decoded.detection_probability > 0.5
    if len(topology.event_symmetries) > 1:
        # Interchangeable particles cannot be told apart: compare the counts per cluster.
        right = [detected[:, list(c)].sum(1) == present[:, list(c)].sum(1) for c in topology.clusters]
        metrics["detection_count_accuracy"] = float(np.stack(right, 1).all(1).mean())
    else:
        metrics["detection_accuracy"] = float((detected == present).mean())
    return metrics


def purity_table(metrics: Mapping[str, float], title: str, topology: EventTopology) -> str:
    """A readable table: event / particle purity and jet efficiency per bin, both decoders."""
    decoders = [d for d in DECODERS if f"{d}.event_purity" in metrics]
    header = f"{'':28s}{'events':>8s}" + "".join(
        f"{d + ' event':>14s}{d + ' particle':>16s}{d + ' jet':>12s}" for d in decoders
    )
    lines = [title, header, "-" * len(header)]
    for label, suffix in table_bins(topology):
        count = metrics.get(f"{decoders[0]}.num_events{suffix}", float("nan"))
        row = f"{label:28s}{count:8.0f}"
        for d in decoders:
            row += (
                f"{metrics[f'{d}.event_purity{suffix}']:14.3f}"
                f"{metrics[f'{d}.particle_purity{suffix}']:16.3f}"
                f"{metrics[f'{d}.jet_efficiency{suffix}']:12.3f}"
            )
        lines.append(row)
    no_particle = metrics.get(f"{decoders[0]}.fraction_no_particle", float("nan"))
    lines.append(f"events with no reconstructable particle (not in the purities): {no_particle:.3f}")
    return "\n".join(lines)


def count_table(metrics: Mapping[str, float], title: str, topology: EventTopology, decoder: str = "exact") -> str:
    """SPANet's table by number of reconstructable particles per cluster, for one decoder."""
    labels = cluster_labels(topology)
    header = "".join(f"{label:>10s}" for label in labels) + f"{'fraction':>10s}{'event':>8s}"
    header += "".join(f"{'purity ' + label:>16s}" for label in labels)
    lines = [f"{title}: {decoder} decoder by reconstructable particles per cluster", header, "-" * len(header)]
    for combination in count_bins(topology):
        prefix = f"{decoder}.{count_bin_name(topology, combination)}/"
        row = "".join(f"{str(n):>10s}" for n in combination)
        row += f"{metrics[prefix + 'event_proportion']:10.3f}{metrics[prefix + 'event_purity']:8.3f}"
        row += "".join(f"{metrics[prefix + 'particle_purity.' + label]:16.3f}" for label in labels)
        lines.append(row)
    return "\n".join(lines)
