"""Figures of the amplitude experiment: amplitude histograms, relative errors, scaling with data."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_amplitude_histogram", "plot_relative_error", "plot_error_vs_variable", "plot_scaling"]


def _save(fig, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_amplitude_histogram(
    truth: np.ndarray, prediction: np.ndarray, path: str | os.PathLike, title: str = ""
) -> Path:
    """Histograms of true and predicted squared amplitudes (N,), log-spaced bins."""
    values = np.concatenate([truth, prediction])
    bins = np.geomspace(values.min(), values.max(), 60)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.hist(truth, bins=bins, histtype="step", label="truth", color="black")
    ax.hist(prediction, bins=bins, histtype="step", label="prediction", color="tab:red")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$|\mathcal{M}|^2$")
    ax.set_ylabel("events")
    ax.legend()
    ax.set_title(title)
    return _save(fig, path)


def plot_relative_error(errors: np.ndarray, path: str | os.PathLike, title: str = "") -> Path:
    """Histogram of relative errors (N,) on a log axis."""
    errors = np.clip(errors, 1e-8, None)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.hist(errors, bins=np.geomspace(1e-6, max(10.0, errors.max()), 60), histtype="step")
    ax.set_xscale("log")
    ax.set_xlabel(r"relative error $|\Delta \mathcal{M}^2| / \mathcal{M}^2$")
    ax.set_ylabel("events")
    ax.set_title(title)
    return _save(fig, path)


def plot_error_vs_variable(
    variable: np.ndarray, errors: np.ndarray, path: str | os.PathLike, xlabel: str, title: str = ""
) -> Path:
    """Median and 90% quantile of the relative error (N,) in bins of a kinematic variable (N,)."""
    edges = np.quantile(variable, np.linspace(0, 1, 16))
    centres, median, upper = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        selected = (variable >= lo) & (variable <= hi)
        if selected.sum() < 2:
            continue
        centres.append(0.5 * (lo + hi))
        median.append(np.median(errors[selected]))
        upper.append(np.quantile(errors[selected], 0.9))
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(centres, median, marker="o", label="median")
    ax.plot(centres, upper, marker="s", label="90% quantile")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("relative error")
    ax.legend()
    ax.set_title(title)
    return _save(fig, path)


def plot_scaling(
    train_sizes: Sequence[int], mse: Mapping[str, Sequence[float]], path: str | os.PathLike, title: str = ""
) -> Path:
    """Test MSE against training-set size, one line per model (log-log)."""
    fig, ax = plt.subplots(figsize=(5, 4))
    for name, values in mse.items():
        ax.plot(train_sizes, values, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training events per process")
    ax.set_ylabel("test MSE (standardised log amplitude)")
    ax.legend()
    ax.set_title(title)
    return _save(fig, path)
