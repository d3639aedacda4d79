"""Weighted jets under DDP: the training loss is the weighted mean over the whole batch, whatever
the number of processes (each rank divided by its own summed weight before, and DDP averaged the
ratios: the first step's loss was 0.5800 with two processes against 0.5695 with one)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch
from experiment_test_utils import checkpoints_of_one_and_two_processes
from tagging_test_utils import tagging_overrides, write_lgn_jets

pytestmark = pytest.mark.slow


def test_weighted_training_does_not_depend_on_the_number_of_processes(tmp_path):
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=160)
    with h5py.File(data, "r+") as file:
        file["weight"] = np.random.default_rng(0).lognormal(0.0, 1.5, size=160)
    settings = {
        "device": "cpu",
        "evaluate": False,
        "plot": False,
        "training.iterations": 4,
        "training.validate_every": 4,
        "training.batchsize": 16,
        "training.log_every": 1,  # the loss of every step in the checkpoint's history
    }
    runs = checkpoints_of_one_and_two_processes(
        tmp_path, "toptagging", lambda name: tagging_overrides(tmp_path, data, run_name=name, **settings)
    )
    assert runs["two"]["world_size"] == 2 and len(runs["one"]["history"]["train_loss"]) == 4
    losses = {name: torch.tensor(run["history"]["train_loss"]) for name, run in runs.items()}
    torch.testing.assert_close(losses["two"], losses["one"], rtol=1e-4, atol=0)
