"""Figures of the amplitude experiment: amplitude histograms, relative errors, scaling with data."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from experiments.common.plot_style import (
    Histogram,
    draw_histograms_with_ratio,
    hep_style,
    save_figure,
    weighted_histogram,
)

__all__ = [
    "RELATIVE_ERROR_FLOOR",
    "plot_amplitude_histogram",
    "plot_relative_error",
    "relative_error_histogram",
    "plot_error_vs_variable",
    "plot_scaling",
]


def plot_amplitude_histogram(
    truth: np.ndarray, prediction: np.ndarray, path: str | os.PathLike, title: str = ""
) -> list[Path]:
    """Histograms of true and predicted squared amplitudes with their ratio, log-spaced bins.

    Parameters
    ----------
    truth, prediction : np.ndarray with shape (N,)
        Squared amplitudes of the same events.
    path : str or os.PathLike
        Output file; written as PDF and PNG.
    title : str
        Shown above the figure (process and model).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    values = np.concatenate([truth, prediction])
    bins = np.geomspace(values.min(), values.max(), 60)
    with hep_style():
        fig = Figure(figsize=(10, 10))
        ax_main, ax_ratio = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1), gridspec_kw={"hspace": 0.05})
        histograms = {"truth": weighted_histogram(truth, bins), "prediction": weighted_histogram(prediction, bins)}
        draw_histograms_with_ratio(ax_main, ax_ratio, histograms, "truth", r"$|\mathcal{M}|^2$", ylabel="events")
        ax_main.set_xscale("log")
        ax_main.set_yscale("log")
        ax_main.set_title(title)
        return save_figure(fig, path)


RELATIVE_ERROR_FLOOR = 1e-6
"""Lower edge of the relative-error histogram; smaller errors (exact zeros too) count in its first bin."""


def relative_error_histogram(errors: np.ndarray) -> Histogram:
    """Histogram of relative errors (N,) in 59 log-spaced bins from :data:`RELATIVE_ERROR_FLOOR` to
    the largest error (at least 10) holding every event: those below the floor go to the first bin."""
    edges = np.geomspace(RELATIVE_ERROR_FLOOR, max(10.0, errors.max()), 60)
    return weighted_histogram(np.clip(errors, RELATIVE_ERROR_FLOOR, None), edges)


def plot_relative_error(errors: np.ndarray, path: str | os.PathLike, title: str = "") -> list[Path]:
    """Histogram of relative errors (N,) on a log axis (:func:`relative_error_histogram`), written as
    PDF and PNG; returns the files."""
    import mplhep
    from matplotlib.figure import Figure

    histogram = relative_error_histogram(errors)
    with hep_style():
        fig = Figure(figsize=(10, 8))
        ax = fig.subplots()
        mplhep.histplot(histogram.values, histogram.edges, yerr=histogram.errors, ax=ax, flow=None)
        ax.set_xscale("log")
        ax.set_xlabel(r"relative error $|\Delta \mathcal{M}^2| / \mathcal{M}^2$ (below $10^{-6}$: first bin)")
        ax.set_ylabel("events")
        ax.set_title(title)
        return save_figure(fig, path)


def plot_error_vs_variable(
    variable: np.ndarray, errors: np.ndarray, path: str | os.PathLike, xlabel: str, title: str = ""
) -> list[Path]:
    """Median and 90% quantile of the relative error (N,) in up to 15 bins of a kinematic variable
    (N,) with equal numbers of events, at least 10 each, written as PDF and PNG; returns the files,
    none for fewer than 20 events (an empty figure before)."""
    from matplotlib.figure import Figure

    bins = min(15, len(variable) // 10)
    if bins < 2:
        return []
    edges = np.quantile(variable, np.linspace(0, 1, bins + 1))
    centres, median, upper = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        selected = (variable >= lo) & (variable <= hi)
        if selected.sum() < 2:
            continue
        centres.append(0.5 * (lo + hi))
        median.append(np.median(errors[selected]))
        upper.append(np.quantile(errors[selected], 0.9))
    with hep_style():
        fig = Figure(figsize=(10, 8))
        ax = fig.subplots()
        ax.plot(centres, median, marker="o", label="median")
        ax.plot(centres, upper, marker="s", label="90% quantile")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("relative error")
        ax.legend()
        ax.set_title(title)
        return save_figure(fig, path)


def plot_scaling(
    train_sizes: Sequence[int], mse: Mapping[str, Sequence[float]], path: str | os.PathLike, title: str = ""
) -> list[Path]:
    """Test MSE against training-set size, one line per model (log-log), written as PDF and PNG;
    returns the files."""
    from matplotlib.figure import Figure

    with hep_style():
        fig = Figure(figsize=(10, 8))
        ax = fig.subplots()
        for name, values in mse.items():
            ax.plot(train_sizes, values, marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training events per process")
        ax.set_ylabel("test MSE (standardised log amplitude)")
        ax.legend()
        ax.set_title(title)
        return save_figure(fig, path)
