"""Histograms of generated versus true events with ratio panels."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

__all__ = ["AXIS_LABELS", "histogram_with_ratio", "plot_observables"]

AXIS_LABELS = {
    "pt": r"$p_T$ [GeV]",
    "eta": r"$\eta$",
    "phi": r"$\phi$",
    "m": r"$m$ [GeV]",
    "dR": r"$\Delta R$",
}


def _label(name: str) -> str:
    quantity, _, rest = name.partition("_")
    rest = rest.replace("_", ", ")
    return f"{AXIS_LABELS.get(quantity, quantity)}  ({rest})"


def histogram_with_ratio(
    ax_main: plt.Axes,
    ax_ratio: plt.Axes,
    true: np.ndarray,
    generated: np.ndarray,
    bins: np.ndarray,
    label: str,
) -> None:
    """Normalised histograms of true and generated values and their ratio with stat. errors.

    Parameters
    ----------
    ax_main, ax_ratio : matplotlib Axes
        Upper (distributions) and lower (generated / true) panels.
    true, generated : numpy.ndarray with shape (N,)
    bins : numpy.ndarray with shape (n_bins + 1,)
    label : str
        x-axis label.
    """
    h_true, _ = np.histogram(true, bins=bins)
    h_gen, _ = np.histogram(generated, bins=bins)
    width = np.diff(bins)
    norm_true = h_true / max(len(true), 1) / width
    norm_gen = h_gen / max(len(generated), 1) / width
    ax_main.stairs(norm_true, bins, color="black", label="truth")
    ax_main.stairs(norm_gen, bins, color="tab:red", label="generated")
    ax_main.set_ylabel("normalised")
    ax_main.legend(frameon=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = norm_gen / norm_true
        error = ratio * np.sqrt(1 / np.maximum(h_gen, 1) + 1 / np.maximum(h_true, 1))
    centres = 0.5 * (bins[1:] + bins[:-1])
    # Bins without true events have no ratio.
    shown = np.isfinite(ratio) & np.isfinite(error)
    ax_ratio.errorbar(centres[shown], ratio[shown], yerr=error[shown], fmt=".", color="tab:red", markersize=3)
    ax_ratio.axhline(1.0, color="black", linewidth=0.8)
    ax_ratio.set_ylim(0.5, 1.5)
    ax_ratio.set_ylabel("gen / true")
    ax_ratio.set_xlabel(label)


def _bins(true: np.ndarray, name: str, n_bins: int) -> np.ndarray:
    if name.startswith("phi"):
        return np.linspace(-np.pi, np.pi, n_bins + 1)
    low, high = np.quantile(true, [0.001, 0.995])
    if high <= low:
        high = low + 1.0
    return np.linspace(low, high, n_bins + 1)


def plot_observables(
    true: dict[str, np.ndarray],
    generated: dict[str, np.ndarray],
    path: str | Path,
    names: list[str] | None = None,
    n_bins: int = 50,
) -> Path:
    """Write a multi-page PDF with one histogram-with-ratio page per observable.

    Parameters
    ----------
    true, generated : dict name -> numpy.ndarray with shape (N,)
        Observables of true and generated events (see ``event_observables``).
    path : str or Path
        Output PDF.
    names : list of str, optional
        Observables to draw, in order (default: all keys of ``true``).
    n_bins : int

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(path) as pdf:
        for name in names or list(true):
            fig, (ax_main, ax_ratio) = plt.subplots(
                2,
                1,
                figsize=(5, 4.5),
                sharex=True,
                gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05},
            )
            finite = np.isfinite(generated[name])
            bins = _bins(true[name], name, n_bins)
            histogram_with_ratio(ax_main, ax_ratio, true[name], generated[name][finite], bins, _label(name))
            pdf.savefig(fig, bbox_inches="tight")
            plt.close(fig)
    return path
