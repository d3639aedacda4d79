"""Assignment plots: purity per jet multiplicity and masses of the assigned jets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from experiments.assignment.evaluation import DECODERS
from experiments.common.plot_style import draw_histograms_with_ratio, hep_style, save_figure, weighted_histogram
from lorentznets.assignment.metrics import multiplicity_bins


def plot_purity_vs_multiplicity(metrics: Mapping[str, float], path: Path, min_jets: int, title: str = "") -> list[Path]:
    """Bar chart of the event purity per jet multiplicity for each decoder (all events with a
    reconstructable particle, and fully reconstructable events); written as PDF and PNG.

    Parameters
    ----------
    metrics : mapping
        ``<decoder>.event_purity[_full][<multiplicity suffix>]`` values of one split (e.g.
        ``_njets6``, ``_njets7``, ``_njets8plus`` for six products).
    path : Path
        Output file.
    min_jets : int
        Fewest jets of a full event (the topology's number of products); the bins are those of
        :func:`lorentznets.assignment.metrics.multiplicity_bins`.
    title : str

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    multiplicities = [(_bin_label(bounds), suffix) for suffix, bounds in multiplicity_bins(min_jets).items()]
    multiplicities.append(("all", ""))
    positions = np.arange(len(multiplicities))
    decoders = [d for d in DECODERS if f"{d}.event_purity" in metrics]
    width = 0.8 / max(len(decoders), 1)
    with hep_style(font_scale=0.7):
        fig = Figure(figsize=(18, 7))
        axes = fig.subplots(1, 2, sharey=True)
        panels = (("any particle reconstructable", ""), ("all particles reconstructable", "_full"))
        for ax, (events, extra) in zip(axes, panels):
            for k, decoder in enumerate(decoders):
                values = [metrics.get(f"{decoder}.event_purity{extra}{suffix}", np.nan) for _, suffix in multiplicities]
                ax.bar(positions + (k - (len(decoders) - 1) / 2) * width, values, width, label=decoder)
            ax.set_xticks(positions, [label for label, _ in multiplicities])
            ax.minorticks_off()
            ax.set_xlabel("jets per event")
            ax.set_title(events)
            ax.set_ylim(0, 1)
        axes[0].set_ylabel("event purity")
        axes[0].legend(title="decoder")
        if title:
            fig.suptitle(title)
        return save_figure(fig, path)


def _bin_label(bounds: tuple[int, int | None]) -> str:
    low, high = bounds
    return str(low) if high == low else f">= {low}" if high is None else f"{low}-{high}"


def plot_mass(predicted: np.ndarray, truth: np.ndarray, path: Path, xlabel: str, bins: np.ndarray) -> list[Path]:
    """Histogram of an invariant mass of the assigned jets against that of the true jets, with
    their ratio; written as PDF and PNG.

    Parameters
    ----------
    predicted, truth : np.ndarray with shape (N,)
        Masses in GeV.
    path : Path
        Output file.
    xlabel : str
    bins : np.ndarray with shape (n_bins + 1,)

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    histograms = {"true jets": weighted_histogram(truth, bins), "assigned jets": weighted_histogram(predicted, bins)}
    with hep_style():
        fig = Figure(figsize=(10, 10))
        ax_main, ax_ratio = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1), gridspec_kw={"hspace": 0.05})
        draw_histograms_with_ratio(ax_main, ax_ratio, histograms, "true jets", xlabel, ylabel="entries")
        return save_figure(fig, path)


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
