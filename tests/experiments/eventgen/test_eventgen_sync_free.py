"""The flow-matching loss has no host-device synchronisation (see ``tests/experiments/sync_free.py``)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from .helpers import make_ttbar_events
from .test_experiment import _config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sync_free import assert_batch_loss_sync_free, build_experiment, first_batch  # noqa: E402


@pytest.mark.parametrize("model", ["mlp", pytest.param("transformer", marks=pytest.mark.slow)])
def test_flow_matching_loss_traces_as_one_graph(tmp_path, model):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(200, n_extra_jets=1))
    experiment = build_experiment(_config(tmp_path, model))
    assert_batch_loss_sync_free(experiment, first_batch(experiment))
