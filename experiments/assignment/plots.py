"""Assignment plots: purity per jet multiplicity and masses of the assigned jets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from experiments.assignment.evaluation import DECODERS  # noqa: E402

MULTIPLICITIES = (("6", "_njets6"), ("7", "_njets7"), (">= 8", "_njets8plus"), ("all", ""))


def plot_purity_vs_multiplicity(metrics: Mapping[str, float], path: Path, title: str = "") -> Path:
    """Bar chart of the event purity per jet multiplicity for each decoder (all events with a
    reconstructable top, and fully reconstructable events)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    positions = np.arange(len(MULTIPLICITIES))
    decoders = [d for d in DECODERS if f"{d}.event_purity" in metrics]
    width = 0.8 / max(len(decoders), 1)
    for ax, (events, extra) in zip(axes, (("any top reconstructable", ""), ("both tops reconstructable", "_full"))):
        for k, decoder in enumerate(decoders):
            values = []
            for _, suffix in MULTIPLICITIES:
                values.append(metrics.get(f"{decoder}.event_purity{extra}{suffix}", np.nan))
            ax.bar(positions + (k - (len(decoders) - 1) / 2) * width, values, width, label=decoder)
        ax.set_xticks(positions, [label for label, _ in MULTIPLICITIES])
        ax.set_xlabel("jets per event")
        ax.set_title(events, fontsize=10)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("event purity")
    axes[0].legend(title="decoder")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_mass(
    predicted: np.ndarray, truth: np.ndarray, path: Path, xlabel: str, bins: np.ndarray, reference: float
) -> Path:
    """Histogram of an invariant mass (GeV) of the assigned jets against that of the true jets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ax.hist(truth, bins=bins, histtype="step", color="black", label="true jets")
    ax.hist(predicted, bins=bins, histtype="step", color="tab:blue", label="assigned jets")
    ax.axvline(reference, color="gray", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("entries")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def tuple_masses(momenta: np.ndarray, tuples: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Invariant masses (GeV) of the jets in ``tuples``.

    Parameters
    ----------
    momenta : np.ndarray with shape (E, N, 4)
    tuples : np.ndarray with shape (E, k), jet indices
    keep : np.ndarray with shape (E,), bool
        Events to use.
    """
    rows = np.flatnonzero(keep)
    total = momenta[rows[:, None], tuples[rows]].sum(axis=1)
    squared = total[:, 0] ** 2 - (total[:, 1:] ** 2).sum(axis=1)
    return np.sqrt(np.clip(squared, 0.0, None))
