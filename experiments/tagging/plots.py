"""Figures of the tagging experiment: ROC curves and score distributions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from sklearn.metrics import roc_curve

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_roc(
    labels: np.ndarray,
    scores: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    sample_weight: np.ndarray | None = None,
) -> Path:
    """Background rejection 1/eB (log scale) against signal efficiency eS.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), 1 = signal
    scores : np.ndarray with shape (N,)
    path : str or os.PathLike
        Output file.
    title : str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights of the efficiencies.
    """
    background_eff, signal_eff, _ = roc_curve(labels, scores, sample_weight=sample_weight)
    keep = background_eff > 0
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(signal_eff[keep], 1.0 / background_eff[keep])
    ax.set_yscale("log")
    ax.set_xlim(0, 1)
    ax.set_xlabel(r"signal efficiency $\epsilon_S$")
    ax.set_ylabel(r"background rejection $1/\epsilon_B$")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(title)
    return _save(fig, path)


def plot_scores(
    labels: np.ndarray,
    scores: np.ndarray,
    class_names: Sequence[str],
    path: str | os.PathLike,
    xlabel: str = "score",
    sample_weight: np.ndarray | None = None,
) -> Path:
    """Normalised histograms of ``scores`` for each true class.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices
    scores : np.ndarray with shape (N,)
    class_names : sequence of str
        Name of each class index.
    path : str or os.PathLike
        Output file.
    xlabel : str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights of the histogram entries.
    """
    fig, ax = plt.subplots(figsize=(5, 4))
    bins = np.linspace(0, 1, 51)
    for index, name in enumerate(class_names):
        in_class = labels == index
        weights = None if sample_weight is None else sample_weight[in_class]
        if in_class.any() and (weights is None or weights.sum() > 0):
            ax.hist(scores[in_class], bins=bins, weights=weights, histtype="step", density=True, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("normalised density")
    ax.set_yscale("log")
    ax.legend()
    return _save(fig, path)


def _save(fig: plt.Figure, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
