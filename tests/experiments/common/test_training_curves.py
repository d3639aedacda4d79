"""The training-history plot: a log loss axis only where it has labelled decades."""

from __future__ import annotations

import math

import pytest

from experiments.common.training_curves import loss_scale, plot_training_curves


@pytest.mark.parametrize(
    ("losses", "scale"),
    [
        ([0.31, 0.45, 0.6], "linear"),  # less than a decade: a log axis would have no tick labels
        ([0.01, 0.2, 1.5], "log"),
        ([-0.5, 0.2, 3.0], "linear"),  # a flow-matching or likelihood loss may be negative
        ([0.05, math.nan, 0.9], "log"),
        ([], "linear"),
    ],
)
def test_loss_scale(losses, scale):
    assert loss_scale(losses) == scale


def test_plot_writes_pdf_and_png(tmp_path):
    history = {"train_step": [1, 2, 3], "train_loss": [0.6, 0.5, 0.4], "lr": [1e-3] * 3}
    paths = plot_training_curves({**history, "val_step": [3], "val_loss": [0.45]}, tmp_path / "curves.pdf")
    assert {p.suffix for p in paths} == {".pdf", ".png"} and all(p.stat().st_size > 0 for p in paths)
