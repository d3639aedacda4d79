"""Per-jet weights in the tagging experiment: class normalisation, weighted losses and metrics."""

from __future__ import annotations

import logging
import shutil

import h5py
import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config
from tagging_test_utils import tagging_overrides
from torch.nn import functional as F

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment
from experiments.tagging.dataset import class_normalised_weights, effective_sample_sizes
from experiments.tagging.metrics import binary_metrics
from lorentznets.data.readers import JetData


def _jets(labels: list[int], weights: list[float]) -> JetData:
    n = len(labels)
    return JetData(
        momenta=torch.ones(n, 1, 4),
        mask=torch.ones(n, 1, dtype=torch.bool),
        labels=torch.tensor(labels),
        weights=torch.tensor(weights, dtype=torch.float64),
        source="hand.h5",
    )


def test_class_normalised_weights_average_to_one_per_class():
    jets = _jets([0, 0, 1, 1, 1, 2], [1.0, 3.0, 10.0, 20.0, 30.0, 0.5])
    weights = class_normalised_weights(jets, num_classes=4, split="train")
    np.testing.assert_allclose(weights.numpy(), [0.5, 1.5, 0.5, 1.0, 1.5, 1.0])
    with pytest.raises(ValueError, match=r"hand\.h5: the weights of class 1 in the val split sum to zero"):
        class_normalised_weights(_jets([0, 1, 1], [1.0, 0.0, 0.0]), num_classes=2, split="val")


def test_effective_sample_sizes():
    sizes = effective_sample_sizes(torch.tensor([1.0, 1.0, 1.0, 2.0, 0.0]), torch.tensor([0, 0, 0, 1, 1]), 3)
    assert sizes == pytest.approx([3.0, 1.0, 0.0])


@pytest.fixture(scope="module")
def weighted_file(tmp_path_factory, jets_file):
    """The shared synthetic jets with strongly varying weights, ten times larger for signal."""
    path = tmp_path_factory.mktemp("weighted") / "weighted.h5"
    shutil.copy(jets_file, path)
    with h5py.File(path, "r+") as file:
        labels = file["is_signal"][...]
        rng = np.random.default_rng(5)
        file["weight"] = rng.lognormal(0.0, 1.5, size=len(labels)) * np.where(labels == 1, 10.0, 1.0)
    return path


def _experiment(overrides: list[str]):
    cfg = compose_config("toptagging", overrides)
    return get_experiment(cfg.experiment)(cfg)


def test_weighted_training_logs_and_reports_weighted_metrics(tmp_path, weighted_file, caplog):
    # A short training leaves an imperfect tagger, whose weighted and unweighted AUCs differ.
    overrides = {"training.iterations": 4, "training.validate_every": 2}
    experiment = _experiment(tagging_overrides(tmp_path, weighted_file, run_name="w", **overrides))
    with caplog.at_level(logging.INFO, logger="lorentznets"):
        metrics = experiment.run()
    lines = [r.getMessage() for r in caplog.records if "using per-jet weights" in r.getMessage()]
    assert len(lines) == 1 and "train: QCD" in lines[0] and "top" in lines[0], lines

    for name, dataset in experiment.datasets.items():
        for label in (0, 1):
            mean = dataset.weights[dataset.labels == label].double().mean()
            assert mean == pytest.approx(1.0, rel=1e-6), (name, label)

    (split,) = experiment.predictions
    assert split == "test"
    labels, probabilities, weights = experiment.predictions[split]
    np.testing.assert_allclose(weights, experiment.datasets["test"].weights.numpy())
    expected = binary_metrics(labels, probabilities[:, 1], sample_weight=weights)
    assert metrics == pytest.approx({f"test.{k}": v for k, v in expected.items()})
    assert metrics["test.auc"] != pytest.approx(binary_metrics(labels, probabilities[:, 1])["auc"], rel=1e-6)

    # The validation loss is the weighted mean over the whole split, whatever the batching.
    val = experiment.datasets["val"]
    batch = val.__getitems__(list(range(len(val))))
    with torch.no_grad():
        logits = experiment.raw_model(batch["momenta"], batch["mask"], None)[:, 0].float()
    per_jet = F.binary_cross_entropy_with_logits(logits, batch["labels"].float(), reduction="none")
    expected_loss = float((batch["weights"] * per_jet).sum() / batch["weights"].sum())
    assert experiment.trainer.validate()[0] == pytest.approx(expected_loss, rel=1e-5)


def test_use_weights_false_ignores_the_weights(tmp_path, weighted_file, caplog):
    overrides = tagging_overrides(
        tmp_path,
        weighted_file,
        run_name="u",
        **{"data.use_weights": False, "training.iterations": 2, "training.validate_every": 2},
    )
    experiment = _experiment(overrides)
    with caplog.at_level(logging.INFO, logger="lorentznets"):
        experiment.run()
    assert any("data.use_weights=false" in r.getMessage() for r in caplog.records)
    assert all(dataset.weights is None for dataset in experiment.datasets.values())
    assert experiment.predictions["test"][2] is None
    assert "weights" not in experiment.datasets["train"].__getitems__([0, 1])


def test_weights_in_only_some_split_files_is_a_clear_error(tmp_path, weighted_file, jets_file):
    files = f"{{train:{weighted_file},val:{jets_file},test:{jets_file}}}"
    overrides = tagging_overrides(tmp_path, weighted_file, run_name="m", **{"data.files": files})
    with pytest.raises(ExperimentInputError, match=r"only some splits have per-jet weights.*'val'.*jets\.h5"):
        _experiment(overrides).run()
