"""Residual histograms of reconstructed top momenta."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

_AXES = {
    "pt": ("(pT_pred - pT_true) / pT_true", (-0.5, 0.5)),
    "mass": ("(m_pred - m_true) / m_true", (-1.0, 1.0)),
    "angle": ("angle(pred, true) [rad]", (0.0, 0.3)),
}


def plot_residuals(residuals: Mapping[str, Mapping[str, np.ndarray]], path: Path) -> Path:
    """One panel per quantity, one histogram per method.

    Parameters
    ----------
    residuals : mapping of method name to the output of :func:`metrics.residuals`
    path : Path
        Output file.
    """
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    for ax, (key, (label, limits)) in zip(axes, _AXES.items(), strict=True):
        bins = np.linspace(*limits, 61)
        for name, values in residuals.items():
            ax.hist(np.clip(values[key], *limits), bins=bins, histtype="step", label=name)
        ax.set_xlabel(label)
    axes[0].set_ylabel("top jets")
    axes[0].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
