"""The amplitude regression loss has no host-device synchronisation (see ``tests/experiments/sync_free.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiment_test_utils import compose_config  # noqa: E402
from sync_free import assert_batch_loss_sync_free, build_experiment, first_batch  # noqa: E402
from test_amplitude_experiment import _model_overrides  # noqa: E402

NETS = {"lorentznet": "{hidden_channels: 8, num_blocks: 1}", "mlp": "{hidden_channels: 8, num_layers: 1}"}


@pytest.mark.parametrize("model", sorted(NETS))
def test_amplitude_batch_loss_traces_as_one_graph(tmp_path, monkeypatch, model):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    cfg = compose_config("amplitudes", _model_overrides(tmp_path, model, NETS[model], **{"data.generate.n": 40}))
    experiment = build_experiment(cfg)
    assert_batch_loss_sync_free(experiment, first_batch(experiment))
