"""Plot of the training history every experiment gets: losses and learning rate vs. step."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from experiments.common.plot_style import hep_style, save_figure


def plot_training_curves(history: Mapping[str, Sequence[float]], path: str | os.PathLike) -> list[Path]:
    """Plot train/validation loss (log scale over a decade or more, see :func:`loss_scale`) and
    learning rate.

    Parameters
    ----------
    history : mapping
        ``train_step``, ``train_loss``, ``lr`` (per logged step) and ``val_step``, ``val_loss``
        (per validation).
    path : str or os.PathLike
        Output file; written as PDF and PNG.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from matplotlib.figure import Figure

    with hep_style():
        fig = Figure(figsize=(10, 10))
        ax_loss, ax_lr = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1), gridspec_kw={"hspace": 0.05})
        ax_loss.plot(history["train_step"], history["train_loss"], label="train", lw=1, alpha=0.8)
        ax_loss.plot(history["val_step"], history["val_loss"], "o-", label="validation", ms=5)
        ax_loss.set_yscale(loss_scale(list(history["train_loss"]) + list(history["val_loss"])))
        ax_loss.set_ylabel("loss")
        ax_loss.legend()
        ax_lr.plot(history["train_step"], history["lr"], color="gray")
        ax_lr.set_xlabel("step")
        ax_lr.set_ylabel("learning rate")
        return save_figure(fig, path)


def loss_scale(losses: Sequence[float]) -> str:
    """``"log"`` for positive losses spanning a decade or more, else ``"linear"`` (a log axis over
    less than a decade has no labelled ticks)."""
    finite = [value for value in losses if math.isfinite(value)]
    if finite and min(finite) > 0 and max(finite) >= 10 * min(finite):
        return "log"
    return "linear"
