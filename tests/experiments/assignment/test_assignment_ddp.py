"""Jet assignment under DDP: the training loss of every step is that of one process on the whole
batch, with event targets (the divisors of the assignment, regression and classification terms are
the ranks' mean counts, reduced in one all-reduce)."""

from __future__ import annotations

import pytest
import torch
from experiment_test_utils import checkpoints_of_one_and_two_processes
from test_assignment_experiment import overrides

pytestmark = pytest.mark.slow


def test_assignment_training_does_not_depend_on_the_number_of_processes(tmp_path, event_target_file):
    settings = {
        "model.net.hidden_channels": 8,
        "model.net.num_blocks": 1,
        "data.event_file": str(event_target_file.with_suffix(".yaml")),
        "training.iterations": 4,
        "training.validate_every": 4,
        "training.log_every": 1,  # the loss of every step in the checkpoint's history
        "training.regression_loss_weight": 0.7,
        "training.classification_loss_weight": 0.3,
        "evaluate": False,
        "plot": False,
        "device": "cpu",
    }
    runs = checkpoints_of_one_and_two_processes(
        tmp_path,
        "ttbar_assignment",
        lambda name: overrides(tmp_path, event_target_file, **{**settings, "run_name": name}),
    )
    assert runs["two"]["world_size"] == 2 and len(runs["one"]["history"]["train_loss"]) == 4
    losses = {name: torch.tensor(run["history"]["train_loss"]) for name, run in runs.items()}
    torch.testing.assert_close(losses["two"], losses["one"], rtol=1e-4, atol=0)
