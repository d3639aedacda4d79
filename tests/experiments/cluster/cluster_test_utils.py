"""Helpers of the cluster tests: free localhost ports, tiny tagging sweeps, MLflow records."""

from __future__ import annotations

import socket
from pathlib import Path

from mlflow.entities import Run
from mlflow.tracking import MlflowClient
from tagging.tagging_test_utils import tagging_overrides, write_lgn_jets


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tiny_tagging_overrides(tmp_path: Path, **extra: object) -> list[str]:
    """Overrides of a seconds-long top-tagging run of a tiny Transformer on 160 synthetic jets,
    tracked in ``tmp_path``'s MLflow database."""
    jets = tmp_path / "jets.h5"
    if not jets.is_file():
        write_lgn_jets(jets, num_jets=160)
    return tagging_overrides(tmp_path, jets, use_mlflow=True, **extra)


def mlflow_runs(tracking_uri: str, experiment_name: str) -> list[Run]:
    """All runs of one MLflow experiment."""
    client = MlflowClient(tracking_uri=tracking_uri)
    experiment = client.get_experiment_by_name(experiment_name)
    assert experiment is not None, f"no MLflow experiment {experiment_name!r} in {tracking_uri}"
    return client.search_runs([experiment.experiment_id])
