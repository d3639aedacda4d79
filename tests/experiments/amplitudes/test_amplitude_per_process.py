"""Per-process metrics and the training-size cap of the amplitude experiment, on small hand-made files."""

from pathlib import Path

import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config

from experiments.amplitudes.dataset import AmplitudeDataset
from experiments.amplitudes.metrics import amplitude_metrics
from experiments.registry import get_experiment

PARTICLES = {"short": ("q", "qbar", "Z"), "long": ("q", "qbar", "Z", "g")}
NUM_EVENTS = 50
TRAIN_SIZE = 17


def _write_process(path: Path, n_particles: int, seed: int) -> None:
    """``(N, 4 n + 1)``: timelike momenta (E = |p| + 10 GeV) and positive amplitudes, per event."""
    rng = np.random.default_rng(seed)
    p3 = rng.normal(0.0, 100.0, size=(NUM_EVENTS, n_particles, 3))
    energy = np.linalg.norm(p3, axis=-1, keepdims=True) + 10.0
    momenta = np.concatenate([energy, p3], axis=-1).reshape(NUM_EVENTS, -1)
    amplitudes = np.exp(rng.normal(-3.0 * seed, 1.0 + seed, size=(NUM_EVENTS, 1)))
    np.save(path, np.concatenate([momenta, amplitudes], axis=1))


@pytest.fixture
def experiment(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    for seed, (name, particles) in enumerate(PARTICLES.items()):
        _write_process(data / f"{name}.npy", len(particles), seed)
    overrides = {
        "model": "mlp",
        "model.net": "{hidden_channels: 8, num_layers: 1}",
        "base_dir": str(tmp_path),
        "run_name": "r",
        "data.dir": str(data),
        "data.processes": "[short,long]",
        "data.generate": "null",
        "data.train_size": TRAIN_SIZE,
        "training.iterations": 1,
        "training.batchsize": 8,
        "evaluation.batchsize": 7,
        "progress": False,
        "use_mlflow": False,
        "num_threads": 1,
    }
    overrides.update({f"+data.particles.{name}": f"[{','.join(p)}]" for name, p in PARTICLES.items()})
    cfg = compose_config("amplitudes", [f"{key}={value}" for key, value in overrides.items()])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.setup()
    return experiment


def test_train_size_caps_training_events_of_every_process(experiment):
    assert len(experiment.datasets["train"]) == TRAIN_SIZE * len(PARTICLES)
    assert [len(p.amplitudes) for p in experiment.split_processes["train"]] == [TRAIN_SIZE] * len(PARTICLES)
    # 0.6 of 50 events per process are training events before the cap; val and test are not capped.
    assert [len(p.amplitudes) for p in experiment.split_processes["test"]] == [10, 10]


def test_per_process_metrics_use_only_that_process(experiment):
    model = experiment.raw_model.eval()
    metrics = experiment.evaluate("test")
    per_event = []
    for process in experiment.split_processes["test"]:
        # The process's events alone, predicted without the other process in the batch.
        alone = AmplitudeDataset([process], experiment.log_mean, experiment.log_std, experiment.n_max)
        with torch.no_grad():
            prediction = model(alone.momenta, alone.mask, alone.tokens).double().numpy()
        target = alone.target.double().numpy()
        per_event.append((prediction - target) ** 2)
        expected = amplitude_metrics(
            prediction, target, experiment.log_mean[process.name], experiment.log_std[process.name]
        )
        assert len(expected) == 7
        for key, value in expected.items():
            assert metrics[f"{process.name}.{key}"] == pytest.approx(value, rel=1e-5, abs=1e-12), key
    assert metrics["mse"] == pytest.approx(np.concatenate(per_event).mean(), rel=1e-5)
    # The two processes' metrics differ, so a metric taken over all events cannot pass for both.
    assert metrics["short.mse"] != pytest.approx(metrics["long.mse"], rel=1e-3)
