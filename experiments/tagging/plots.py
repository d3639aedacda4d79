"""Figures of the tagging experiment: ROC curves and score distributions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from experiments.common.plot_style import draw_roc, hep_style, save_figure, weighted_histogram


def plot_roc(
    labels: np.ndarray,
    scores: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    sample_weight: np.ndarray | None = None,
) -> list[Path]:
    """Background rejection 1/eB (log scale) against signal efficiency eS, AUC in the legend.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), 1 = signal
    scores : np.ndarray with shape (N,)
    path : str or os.PathLike
        Output file; written as PDF and PNG.
    title : str
        Legend entry of the curve (e.g. the model).
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights of the efficiencies.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    with hep_style():
        fig = Figure(figsize=(10, 8))
        draw_roc(fig.subplots(), labels, scores, sample_weight=sample_weight, label=title)
        return save_figure(fig, path)


def plot_scores(
    labels: np.ndarray,
    scores: np.ndarray,
    class_names: Sequence[str],
    path: str | os.PathLike,
    xlabel: str = "score",
    sample_weight: np.ndarray | None = None,
) -> list[Path]:
    """Normalised histograms of ``scores`` for each true class, with sqrt(sum w^2) error bars.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices
    scores : np.ndarray with shape (N,), in [0, 1]
    class_names : sequence of str
        Name of each class index.
    path : str or os.PathLike
        Output file; written as PDF and PNG.
    xlabel : str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights of the histogram entries.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import mplhep
    from matplotlib.figure import Figure

    bins = np.linspace(0, 1, 51)
    with hep_style():
        fig = Figure(figsize=(10, 8))
        ax = fig.subplots()
        for index, name in enumerate(class_names):
            in_class = labels == index
            weights = None if sample_weight is None else sample_weight[in_class]
            histogram = weighted_histogram(scores[in_class], bins, weights)
            if histogram.values.sum() > 0:
                density = histogram.density()
                mplhep.histplot(density.values, bins, yerr=density.errors, ax=ax, label=name, flow=None)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("normalised density")
        ax.set_yscale("log")
        ax.legend()
        return save_figure(fig, path)
