"""The figure style of every experiment: mplhep's HEP look, PDF + PNG files, and weighted
histograms with statistical errors and ratio panels (ROC curves: :mod:`experiments.tagging.plots`).

Figures are :class:`matplotlib.figure.Figure` objects created inside :func:`hep_style` (no
pyplot state, no backend switch), and matplotlib and mplhep are imported on first use so that
importing an experiment stays fast. A plot function reads::

    with hep_style():
        fig = Figure(figsize=(10, 8))
        ax_main, ax_ratio = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        draw_histograms_with_ratio(ax_main, ax_ratio, histograms, "truth", "m [GeV]")
        return save_figure(fig, path)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "Histogram",
    "draw_histograms_with_ratio",
    "hep_style",
    "ratio",
    "save_figure",
    "weighted_histogram",
]

FORMATS = ("pdf", "png")
"""File formats :func:`save_figure` writes: PDF for papers, PNG for the MLflow UI's preview."""

_PNG_DPI = 100


@contextmanager
def hep_style(font_scale: float = 1.0) -> Iterator[None]:
    """Apply mplhep's ROOT style to the figures created and saved inside the block.

    Parameters
    ----------
    font_scale : float
        Factor on the style's font size (26 pt, made for 10-inch figures); grids of small panels
        use less than 1.
    """
    import matplotlib
    import mplhep

    params = dict(mplhep.style.ROOT)
    params["font.size"] = params["font.size"] * font_scale
    with matplotlib.rc_context(params):
        yield


def save_figure(fig: Figure, path: str | os.PathLike) -> list[Path]:
    """Write ``fig`` as PDF and PNG next to each other.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        Output file; its suffix is replaced by each of :data:`FORMATS`. Parent folders are
        created.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`FORMATS`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in FORMATS:
        target = path.with_suffix(f".{suffix}")
        fig.savefig(target, dpi=_PNG_DPI, bbox_inches="tight")
        written.append(target)
    return written


@dataclass(frozen=True)
class Histogram:
    """A binned distribution with its statistical errors.

    Attributes
    ----------
    edges : np.ndarray with shape (n_bins + 1,)
    values : np.ndarray with shape (n_bins,)
        Sum of the weights in each bin.
    errors : np.ndarray with shape (n_bins,)
        sqrt of the sum of the squared weights in each bin (sqrt(N) without weights).
    """

    edges: np.ndarray
    values: np.ndarray
    errors: np.ndarray

    def density(self, total: float | None = None) -> Histogram:
        """Divided by ``total`` times the bin widths: unit area for the default total, the sum in
        the bins; with the number (or weight) of all events, the events outside the bins show as
        a deficit. The total is treated as exact (its own error is neglected)."""
        scale = (self.values.sum() if total is None else total) * np.diff(self.edges)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Histogram(self.edges, self.values / scale, self.errors / scale)


def weighted_histogram(values: np.ndarray, bins: np.ndarray, weights: np.ndarray | None = None) -> Histogram:
    """Histogram of ``values`` with sqrt(sum w^2) errors.

    Parameters
    ----------
    values : np.ndarray with shape (N,)
    bins : np.ndarray with shape (n_bins + 1,)
        Bin edges; entries outside are dropped.
    weights : np.ndarray with shape (N,) or None
        Per-entry weights (1 when None).
    """
    counts, edges = np.histogram(values, bins=bins, weights=weights)
    squares, _ = np.histogram(values, bins=bins, weights=None if weights is None else weights**2)
    return Histogram(edges, counts.astype(float), np.sqrt(squares))


def ratio(numerator: Histogram, denominator: Histogram) -> tuple[np.ndarray, np.ndarray]:
    """Bin-wise ratio of two histograms with the numerator's statistical error.

    The denominator's own relative error is drawn separately (the band of
    :func:`draw_histograms_with_ratio`), so it is not propagated here.

    Returns
    -------
    ratio, error : np.ndarray with shape (n_bins,)
        n / d and sn / d; NaN in bins where ``denominator`` is empty.
    """
    d = denominator.values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d != 0, numerator.values / d, np.nan), np.where(d != 0, numerator.errors / d, np.nan)


def draw_histograms_with_ratio(
    ax_main: Axes,
    ax_ratio: Axes,
    histograms: Mapping[str, Histogram],
    reference: str,
    xlabel: str,
    ylabel: str = "normalised",
    ratio_limits: tuple[float, float] = (0.5, 1.5),
) -> None:
    """Histograms with error bars in an upper panel and their ratio to one of them below.

    Parameters
    ----------
    ax_main, ax_ratio : matplotlib.axes.Axes
        Upper (distributions) and lower (ratio) panels, sharing the x axis.
    histograms : mapping of legend label to :class:`Histogram`
        All with the same edges; drawn in order.
    reference : str
        Key of ``histograms`` that the ratios divide by. The ratio points carry the other
        histograms' errors; the reference's own relative error is the grey band around 1.
    xlabel, ylabel : str
    ratio_limits : (float, float)
        y range of the ratio panel.
    """
    import mplhep

    colors = iter(["black", "#e42536", "#5790fc", "#f89c20", "#964a8b", "#7a21dd"])
    base = histograms[reference]
    with np.errstate(divide="ignore", invalid="ignore"):
        band = np.where(base.values != 0, base.errors / base.values, np.nan)
    ax_ratio.stairs(1 + band, base.edges, baseline=1 - band, fill=True, color="gray", alpha=0.3, label=reference)
    centres = 0.5 * (base.edges[1:] + base.edges[:-1])
    for name, histogram in histograms.items():
        color = next(colors)
        mplhep.histplot(
            histogram.values, histogram.edges, yerr=histogram.errors, ax=ax_main, label=name, color=color, flow=None
        )
        if name != reference:
            value, error = ratio(histogram, base)
            ax_ratio.errorbar(centres, value, yerr=error, fmt="o", color=color, markersize=3)
    ax_ratio.axhline(1.0, color="black", linewidth=1)
    ax_ratio.set_ylim(*ratio_limits)
    ax_ratio.set_ylabel(f"/ {reference}")
    ax_ratio.set_xlabel(xlabel)
    ax_main.set_ylabel(ylabel)
    ax_main.legend()
