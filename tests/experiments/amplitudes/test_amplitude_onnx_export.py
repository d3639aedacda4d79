"""The amplitude regressor exported to ONNX: the description of its inputs and onnxruntime
against torch on events it was not traced on."""

import json

import numpy as np
import onnxruntime
import pytest
import torch
from experiment_test_utils import compose_config

from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL
from experiments.registry import get_experiment


@pytest.mark.slow
def test_mlp_regressor_exports_with_its_standardisation(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    overrides = {
        "model": "mlp",
        "model.net.hidden_channels": 16,
        "model.net.num_layers": 1,
        "base_dir": str(tmp_path),
        "run_name": "r",
        "data.dir": str(tmp_path / "data"),
        "data.generate.n": 100,
        "training.iterations": 2,
        "training.validate_every": 2,
        "training.batchsize": 16,
        "evaluate": False,
        "plot": False,
        "use_mlflow": False,
        "progress": False,
        "num_threads": 1,
        "export.onnx": True,
    }
    cfg = compose_config("amplitudes", [f"{key}={value}" for key, value in overrides.items()])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    models = tmp_path / "runs" / cfg.exp_name / "r" / "models"
    description = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert [entry["name"] for entry in description["inputs"]] == ["momenta", "mask", "tokens"]
    assert description["inputs"][0]["shape"] == ["batch", 5, 4] and description["outputs"][0]["shape"] == ["batch"]
    assert description["particles"] == {"zg": ["q", "qbar", "Z", "g"], "zgg": ["q", "qbar", "Z", "g", "g"]}
    assert description["standardisation"]["log_std"] == experiment.log_std
    tokens = description["inputs"][2]
    assert tokens["columns"] == ["q", "qbar", "g", "Z", "incoming"] and tokens["incoming_particles"] == 2
    test = experiment.datasets["test"]
    inputs = (test.momenta[:37].float(), test.mask[:37], test.tokens[:37].float())
    session = onnxruntime.InferenceSession(str(models / "model_run0.onnx"))
    (output,) = session.run(None, {name: x.numpy() for name, x in zip(("momenta", "mask", "tokens"), inputs)})
    with torch.no_grad():
        expected = experiment.raw_model.float()(*inputs).numpy()
    np.testing.assert_allclose(output, expected, rtol=PARITY_RTOL, atol=PARITY_ATOL)


def test_tokens_built_from_the_description_alone_are_the_experiments(tmp_path):
    """An outside user builds the tokens from the description: before, it named only the one-hot
    columns, not that the incoming flag is set for the first two particles (median relative error
    0.49 instead of 0.24 for a trained LorentzNet fed such tokens)."""
    overrides = {
        "model": "mlp",
        "model.net.hidden_channels": 8,
        "model.net.num_layers": 1,
        "data.dir": str(tmp_path / "data"),
        "data.generate.n": 60,
        "progress": False,
    }
    cfg = compose_config("amplitudes", [f"{key}={value}" for key, value in overrides.items()])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model()
    description = experiment.onnx_description()
    entry = description["inputs"]["tokens"]
    assert "columns" in entry["description"] and "first 2 particles" in entry["description"]
    _, n_max, width = entry["shape"]
    test = experiment.datasets["test"]
    for index, name in enumerate(test.process_names):
        tokens = np.zeros((n_max, width), dtype=np.float32)
        for i, particle in enumerate(description["particles"][name]):
            tokens[i, entry["columns"].index(particle)] = 1
            tokens[i, entry["columns"].index("incoming")] = i < entry["incoming_particles"]
        events = test.tokens[test.process == index]
        assert len(events) > 0
        np.testing.assert_array_equal(events.numpy(), np.broadcast_to(tokens, events.shape))
