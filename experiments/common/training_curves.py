"""Plot of the training history every experiment gets: losses and learning rate vs. step."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_training_curves(history: Mapping[str, Sequence[float]], path: str | os.PathLike) -> Path:
    """Plot train/validation loss (log scale if positive) and learning rate.

    Parameters
    ----------
    history : mapping
        ``train_step``, ``train_loss``, ``lr`` (per logged step) and ``val_step``, ``val_loss``
        (per validation).
    path : str or os.PathLike
        Output file (format from the suffix).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (ax_loss, ax_lr) = plt.subplots(2, 1, figsize=(6, 6), sharex=True, height_ratios=(3, 1))
    ax_loss.plot(history["train_step"], history["train_loss"], label="train", lw=0.8, alpha=0.8)
    ax_loss.plot(history["val_step"], history["val_loss"], "o-", label="validation", ms=3)
    losses = list(history["train_loss"]) + list(history["val_loss"])
    if losses and min(losses) > 0:
        ax_loss.set_yscale("log")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_lr.plot(history["train_step"], history["lr"], color="gray")
    ax_lr.set_xlabel("step")
    ax_lr.set_ylabel("learning rate")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
