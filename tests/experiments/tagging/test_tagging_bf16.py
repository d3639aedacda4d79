"""Every tagger trains with ``training.bf16=true`` (autocast on the CPU here, the same dtype rules
as on CUDA) and evaluates in float32: four steps at the model configs' quick sizes. Before 2026-12-07
LorentzNet failed on the dtypes under autocast."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from experiment_test_utils import compose_config  # noqa: E402
from tagging_test_utils import tagging_overrides  # noqa: E402

from experiments.registry import get_experiment  # noqa: E402

TAGGERS = (
    "gatr",
    "lgn",
    "lloca_part",
    "lloca_particlenet",
    "lloca_transformer",
    "lorentznet",
    "part",
    "particlenet",
    "pelican",
    "transformer",
)


@pytest.mark.parametrize("model", TAGGERS)
def test_tagger_trains_under_bf16_autocast(tmp_path, jets_file, model):
    steps = {"training.iterations": 4, "training.validate_every": 4, "training.bf16": "true"}
    # the model config's own (quick) size: drop the tiny-Transformer sizes of the shared overrides
    overrides = [o for o in tagging_overrides(tmp_path, jets_file, **steps) if not o.startswith("model.net.")]
    cfg = compose_config("toptagging", [*overrides, f"model={model}", f"run_name={model}"])
    experiment = get_experiment(cfg.experiment)(cfg)
    metrics = experiment.run()
    assert all(torch.isfinite(param).all() for param in experiment.raw_model.parameters())
    assert math.isfinite(float(metrics["test.accuracy"]))
    assert 0 <= float(metrics["test.auc"]) <= 1
    # evaluation runs in float32, outside autocast (bf16 logits moved test.rej50 by 3%)
    batch = experiment.to_device(next(iter(experiment.loader("test"))))
    with torch.no_grad():
        expected = experiment._probabilities(experiment._logits(experiment.raw_model.eval(), batch))
    _, probabilities, _ = experiment.predict("test")
    np.testing.assert_allclose(probabilities[: len(expected)], expected.numpy(), rtol=1e-5, atol=1e-6)
