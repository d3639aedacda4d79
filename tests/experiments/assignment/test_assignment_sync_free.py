"""The assignment training loss has no host-device synchronisation (see ``tests/experiments/sync_free.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiment_test_utils import compose_config  # noqa: E402
from sync_free import assert_batch_loss_sync_free, build_experiment, first_batch  # noqa: E402
from test_assignment_experiment import overrides  # noqa: E402


@pytest.mark.parametrize("model", ["transformer", "lorentznet"])
def test_assignment_batch_loss_traces_as_one_graph(tmp_path, spanet_file, model):
    extra = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1}
    experiment = build_experiment(compose_config("ttbar_assignment", overrides(tmp_path, spanet_file, model, **extra)))
    assert_batch_loss_sync_free(experiment, first_batch(experiment))


def test_assignment_with_event_targets_traces_as_one_graph(tmp_path, event_target_file):
    extra = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1}
    extra["data.event_file"] = str(event_target_file.with_suffix(".yaml"))
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, event_target_file, **extra))
    experiment = build_experiment(cfg)
    batch = first_batch(experiment)
    _, extra_metrics = experiment.batch_loss(batch)
    assert {"regression_loss", "classification_loss"} <= set(extra_metrics)
    assert_batch_loss_sync_free(experiment, batch)
