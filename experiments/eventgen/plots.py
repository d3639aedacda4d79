"""Histograms of generated versus true events with ratio panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from experiments.common.plot_style import (
    Histogram,
    draw_histograms_with_ratio,
    hep_style,
    save_figure,
    weighted_histogram,
)

__all__ = ["AXIS_LABELS", "plot_observables"]

AXIS_LABELS = {
    "pt": r"$p_T$ [GeV]",
    "eta": r"$\eta$",
    "phi": r"$\phi$",
    "m": r"$m$ [GeV]",
    "dR": r"$\Delta R$",
}

_COLUMNS = 4


def _label(name: str) -> str:
    quantity, _, rest = name.partition("_")
    rest = rest.replace("_", ", ")
    return f"{AXIS_LABELS.get(quantity, quantity)}  ({rest})"


def _bins(true: np.ndarray, name: str, n_bins: int) -> np.ndarray:
    if name.startswith("phi"):
        return np.linspace(-np.pi, np.pi, n_bins + 1)
    low, high = np.quantile(true, [0.001, 0.995])
    if high <= low:
        high = low + 1.0
    return np.linspace(low, high, n_bins + 1)


def observable_histograms(true: np.ndarray, generated: np.ndarray, bins: np.ndarray) -> dict[str, Histogram]:
    """Truth and generated histograms of one observable, each per event of its whole sample.

    Generated values outside the plotted range (a peak generated in the wrong place) and
    non-finite values in ``generated`` show as a deficit instead of being renormalised away.
    Events with non-finite generated momenta never reach here: the experiment leaves them out
    before computing observables (``TTbarExperiment.evaluate``; their fraction is the metric
    ``cuts.frac_nonfinite``), so the generated histograms are per finite generated event.

    Parameters
    ----------
    true, generated : np.ndarray with shape (N,) and (M,)
    bins : np.ndarray with shape (B + 1,)

    Returns
    -------
    dict
        ``{"truth": Histogram, "generated": Histogram}``, densities per event.
    """
    finite = generated[np.isfinite(generated)]
    return {
        "truth": weighted_histogram(true, bins).density(total=len(true)),
        "generated": weighted_histogram(finite, bins).density(total=len(generated)),
    }


def plot_observables(
    true: dict[str, np.ndarray],
    generated: dict[str, np.ndarray],
    path: str | Path,
    names: list[str] | None = None,
    n_bins: int = 50,
) -> list[Path]:
    """One figure with a panel per observable: normalised true and generated histograms with
    statistical errors, and generated / true below; written as PDF and PNG.

    Parameters
    ----------
    true, generated : dict name -> numpy.ndarray with shape (N,)
        Observables of true and generated events (see ``event_observables``); non-finite
        generated values fall outside every bin but count in the normalisation.
    path : str or Path
        Output file.
    names : list of str, optional
        Observables to draw, in order, four per row (default: all keys of ``true``).
    n_bins : int

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    names = names or list(true)
    rows = -(-len(names) // _COLUMNS)
    columns = min(len(names), _COLUMNS)
    with hep_style(font_scale=0.6):
        fig = Figure(figsize=(6.5 * columns, 6.5 * rows))
        grid = fig.add_gridspec(rows, columns, hspace=0.3, wspace=0.35)
        for index, name in enumerate(names):
            ax_main, ax_ratio = (
                grid[divmod(index, _COLUMNS)].subgridspec(2, 1, height_ratios=[3, 1], hspace=0.05).subplots(sharex=True)
            )
            histograms = observable_histograms(true[name], generated[name], _bins(true[name], name, n_bins))
            draw_histograms_with_ratio(ax_main, ax_ratio, histograms, "truth", _label(name))
        return save_figure(fig, path)
