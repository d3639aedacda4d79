"""Jet assignment under DDP: the training loss of every step is that of one process on the whole
batch, with event targets (the divisors of the assignment, regression and classification terms are
the ranks' mean counts, reduced in one all-reduce)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from experiment_test_utils import REPO, subprocess_env
from test_assignment_experiment import overrides

from experiments.common.checkpoint import load_checkpoint

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
    runs = {}
    for name, launcher in (("one", []), ("two", ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"])):
        values = overrides(tmp_path, event_target_file, **{**settings, "run_name": name})
        result = subprocess.run(
            [sys.executable, *launcher, str(REPO / "run.py"), "-cn", "ttbar_assignment", *values],
            cwd=REPO,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        runs[name] = load_checkpoint(tmp_path / "runs" / "ttbar_assignment" / name / "checkpoints" / "last.pt")
    assert runs["two"]["world_size"] == 2 and len(runs["one"]["history"]["train_loss"]) == 4
    torch.testing.assert_close(
        torch.tensor(runs["two"]["history"]["train_loss"]),
        torch.tensor(runs["one"]["history"]["train_loss"]),
        rtol=1e-4,
        atol=0,
    )
