"""Logged PyTorch models in a real SQLite MLflow store, read back through the client."""

import os

import mlflow
import numpy as np
import torch
from mlflow.tracking import MlflowClient
from torch import nn

from experiments.common.mlflow_logger import default_tracking_uri
from experiments.common.mlflow_model import MULTI_INPUT_EXAMPLE, log_pytorch_model


class MaskedSum(nn.Module):
    """forward(momenta, mask) -> (B,), like the tagging wrappers."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 1)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return (self.linear(momenta).squeeze(-1) * mask).sum(-1)


def _shapes(schema) -> list:
    return [(spec.get("name"), spec["tensor-spec"]["shape"]) for spec in schema.to_dict()]


def test_logged_models_have_signature_example_and_load_back(tmp_path, monkeypatch):
    # The process environment is left as it was: the next job of a sweep in this process picks its
    # database from MLFLOW_TRACKING_URI (set to MLflow's default ./mlflow.db, it left base_dir's).
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", "outer")
    uri = default_tracking_uri(tmp_path)
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("models", artifact_location=(tmp_path / "artifacts").as_uri())
    run_id = client.create_run(experiment_id).info.run_id
    torch.manual_seed(0)
    model = MaskedSum().eval()
    example = (torch.randn(3, 5, 4), (torch.rand(3, 5) > 0.3).float())

    several = log_pytorch_model(model, example, "tagger", run_id, uri)
    single = log_pytorch_model(nn.Linear(4, 2).eval(), torch.randn(3, 4), "linear", run_id, uri)
    assert "MLFLOW_TRACKING_URI" not in os.environ and os.environ["MLFLOW_EXPERIMENT_ID"] == "outer"

    run = client.get_run(run_id)
    assert run.info.status == "RUNNING"
    assert {output.model_id for output in run.outputs.model_outputs} == {several.model_id, single.model_id}
    assert client.get_logged_model(several.model_id).name == "tagger"
    # filed under the run's experiment and stored in its artifact location (not Default, ./mlruns)
    assert client.get_logged_model(several.model_id).experiment_id == experiment_id
    assert (tmp_path / "artifacts").is_dir() and any((tmp_path / "artifacts").rglob("MLmodel"))
    assert _shapes(several.signature.inputs) == [("momenta", (-1, 5, 4)), ("mask", (-1, 5))]
    assert _shapes(several.signature.outputs) == [(None, (-1,))]
    assert _shapes(single.signature.inputs) == [(None, (-1, 4))]
    assert _shapes(single.signature.outputs) == [(None, (-1, 2))]
    assert single.saved_input_example_info["type"] == "ndarray"

    mlflow.set_tracking_uri(uri)
    try:
        mlflow.artifacts.download_artifacts(several.model_uri, dst_path=str(tmp_path / "download"))
        loaded = mlflow.pytorch.load_model(several.model_uri)
    finally:
        mlflow.set_tracking_uri(None)
    (stored,) = (tmp_path / "download").rglob(MULTI_INPUT_EXAMPLE)
    with np.load(stored) as arrays:
        np.testing.assert_array_equal(arrays["momenta"], example[0].numpy())
        np.testing.assert_array_equal(arrays["mask"], example[1].numpy())
    np.testing.assert_allclose(loaded(*example).detach().numpy(), model(*example).detach().numpy(), rtol=1e-6)
