"""Residual histograms of reconstructed top momenta."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from experiments.common.plot_style import hep_style, save_figure, weighted_histogram

_AXES = {
    "pt": (r"$(p_T^{pred} - p_T^{true}) / p_T^{true}$", (-0.5, 0.5)),
    "mass": (r"$(m^{pred} - m^{true}) / m^{true}$", (-1.0, 1.0)),
    "angle": (r"$\angle(\vec p^{\,pred}, \vec p^{\,true})$ [rad]", (0.0, 0.3)),
}


def plot_residuals(residuals: Mapping[str, Mapping[str, np.ndarray]], path: Path) -> list[Path]:
    """One panel per quantity, one histogram per method, values outside the range in the edge bins.

    Parameters
    ----------
    residuals : mapping of method name to the output of :func:`metrics.residuals`
        Each an array with shape (N,) per quantity (``pt``, ``mass``, ``angle``).
    path : Path
        Output file; written as PDF and PNG.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import mplhep
    from matplotlib.figure import Figure

    with hep_style(font_scale=0.7):
        fig = Figure(figsize=(24, 7))
        axes = fig.subplots(1, 3)
        for ax, (key, (label, limits)) in zip(axes, _AXES.items(), strict=True):
            bins = np.linspace(*limits, 61)
            for name, values in residuals.items():
                histogram = weighted_histogram(np.clip(values[key], *limits), bins)
                mplhep.histplot(histogram.values, bins, yerr=histogram.errors, ax=ax, label=name, flow=None)
            ax.set_xlabel(label)
        axes[0].set_ylabel("top jets")
        axes[0].legend()
        return save_figure(fig, path)
