"""Figures of the tagging experiment: ROC curves (binary, and per class against the background)
and score distributions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import colormaps

from experiments.common.plot_style import hep_style, save_figure, weighted_histogram
from experiments.tagging.metrics import rejection_at_efficiency, signal_versus_background_score

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def draw_roc(
    ax: Axes,
    labels: np.ndarray,
    scores: np.ndarray,
    sample_weight: np.ndarray | None = None,
    label: str = "",
    reference: bool = True,
    color: Any = None,
) -> float:
    """Draw background rejection 1/eB (log scale) against signal efficiency eS, with the AUC in
    the legend and the random classifier (1/eB = 1/eS) as the reference line.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    labels : np.ndarray with shape (N,)
        1 = signal, 0 = background.
    scores : np.ndarray with shape (N,)
        Larger = more signal-like.
    sample_weight : np.ndarray with shape (N,) or None
        Per-event weights of the efficiencies.
    label : str
        Legend entry of the curve; ``"AUC = ..."`` is appended.
    reference : bool
        Draw the random classifier's line (once per axes, when several curves share them).
    color : matplotlib color, optional
        The curve's colour (default: the style's next one).

    Returns
    -------
    float
        The area under the ROC curve (eB against eS), with the weights.
    """
    from sklearn.metrics import auc, roc_curve

    background_eff, signal_eff, _ = roc_curve(labels, scores, sample_weight=sample_weight)
    area = float(auc(background_eff, signal_eff))
    # the curve as the logged rejections take it (linear in eB between cuts, the smallest eB of
    # cuts reaching an eS exactly), on a fine grid of eS: straight lines between sparse ROC points
    # on the log axis disagreed with the logged rej30 where scores tie
    efficiencies = np.linspace(0.0, 1.0, 1001)[1:]
    rejection = np.array(list(rejection_at_efficiency(labels, scores, efficiencies, sample_weight).values()))
    keep = np.isfinite(rejection)
    auc_text = f"AUC = {area:.4f}"
    ax.plot(efficiencies[keep], rejection[keep], color=color, label=f"{label}, {auc_text}" if label else auc_text)
    if reference:
        efficiencies = np.linspace(1e-3, 1.0, 200)
        ax.plot(efficiencies, 1.0 / efficiencies, color="gray", linestyle="--", label="random, AUC = 0.5")
    ax.set_yscale("log")
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=1.0)
    ax.set_xlabel(r"signal efficiency $\epsilon_S$")
    ax.set_ylabel(r"background rejection $1/\epsilon_B$")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return area


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


def draw_roc_per_class(
    ax: Axes,
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Draw the rejection of the background class (index 0) against each signal class with jets.

    Each curve scores the jets of one signal class and of the background with S / (S + B)
    (:func:`~experiments.tagging.metrics.signal_versus_background_score`), as the JetClass paper
    does; the legend gives each curve's AUC, the dashed line is the random classifier.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    labels : np.ndarray with shape (N,), class indices (0 = background)
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights of the efficiencies.

    Returns
    -------
    dict
        The AUC of each drawn signal class, by name; empty (nothing drawn) when the background
        or every signal class has no jets.
    """
    background = labels == 0
    signals = [index for index in range(1, len(class_names)) if (labels == index).any()]
    if not background.any():
        return {}
    areas = {}
    # a colour per signal class: the style's cycle has 6, JetClass 9 signal classes
    count = len(class_names) - 1
    colors = colormaps["tab10"].colors if count <= 10 else colormaps["turbo"](np.linspace(0, 1, count))
    for index in signals:
        selected = background | (labels == index)
        areas[class_names[index]] = draw_roc(
            ax,
            (labels[selected] == index).astype(np.int64),
            signal_versus_background_score(probabilities[selected], index),
            sample_weight=None if sample_weight is None else sample_weight[selected],
            label=f"{class_names[index]} vs {class_names[0]}",
            reference=index == signals[-1],
            color=colors[index - 1],
        )
    if areas:
        ax.legend(fontsize="x-small", ncol=2 if len(areas) > 4 else 1)
    return areas


def plot_roc_per_class(
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    path: str | os.PathLike,
    sample_weight: np.ndarray | None = None,
) -> list[Path]:
    """One figure of :func:`draw_roc_per_class`, written as PDF and PNG.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices (0 = background)
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str
    path : str or os.PathLike
        Output file; its suffix is replaced by ``.pdf`` and ``.png``.
    sample_weight : np.ndarray with shape (N,) or None

    Returns
    -------
    list of pathlib.Path
        The files written; none when there is no curve to draw.
    """
    from matplotlib.figure import Figure

    with hep_style():
        fig = Figure(figsize=(10, 8))
        if not draw_roc_per_class(fig.subplots(), labels, probabilities, class_names, sample_weight):
            return []
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
