"""Plot of the training history every experiment gets: losses and learning rate vs. step."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from experiments.common.plot_style import hep_style, save_figure


def plot_training_curves(history: Mapping[str, Sequence[float]], path: str | os.PathLike) -> list[Path]:
    """Plot train/validation loss (log scale if positive) and learning rate.

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
        losses = list(history["train_loss"]) + list(history["val_loss"])
        if losses and min(losses) > 0:
            ax_loss.set_yscale("log")
        ax_loss.set_ylabel("loss")
        ax_loss.legend()
        ax_lr.plot(history["train_step"], history["lr"], color="gray")
        ax_lr.set_xlabel("step")
        ax_lr.set_ylabel("learning rate")
        return save_figure(fig, path)
