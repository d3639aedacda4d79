"""The top-momentum regression loss has no host-device synchronisation (see ``tests/experiments/sync_free.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiment_test_utils import compose_config  # noqa: E402
from sync_free import assert_batch_loss_sync_free, build_experiment, first_batch  # noqa: E402
from test_ptopreco_experiment import overrides, write_top_jets  # noqa: E402


def test_ptopreco_batch_loss_traces_as_one_graph(tmp_path):
    data = write_top_jets(tmp_path / "jets.h5", num_jets=40)
    experiment = build_experiment(compose_config("ptopreco", overrides(tmp_path, data, use_mlflow=False)))
    assert_batch_loss_sync_free(experiment, first_batch(experiment))
