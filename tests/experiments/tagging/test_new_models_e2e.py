"""End-to-end top tagging with ParT, ParticleNet, LLoCa-Transformer, LLoCa-ParT and LLoCa-ParticleNet on
synthetic jets."""

from __future__ import annotations

import pytest
from experiment_test_utils import compose_config
from tagging_test_utils import tagging_overrides

from experiments.registry import get_experiment

TINY = {
    "part": {"model.net.embed_dims": "[16,16]", "model.net.pair_embed_dims": "[8]", "model.net.num_heads": 2},
    "particlenet": {"model.net.conv_params": "[[4,[16,16]]]", "model.net.fc_params": "[[16,0.0]]"},
    "lloca_transformer": {
        "model.net.num_heads": 2,
        "model.net.num_blocks": 1,
        "model.wrapper.frames.vector_net.hidden_channels": 8,
    },
    "lloca_part": {"model.net.num_heads": 2, "model.net.embed_dims": "[32]", "model.net.num_layers": 1},
    "lloca_particlenet": {
        "model.net.conv_params": "[[4,[16,16]],[4,[16]]]",
        "model.net.hidden_reps": "[8x0n+2x1n]",
        "model.net.fc_params": "[[16,0.0]]",
        "model.wrapper.frames.vector_net.hidden_channels": 8,
    },
}


def _run(tmp_path, jets_file, model: str, **extra):
    base = [o for o in tagging_overrides(tmp_path, jets_file, run_name=model, **extra) if not o.startswith("model.")]
    overrides = [f"model={model}", *base, *(f"{k}={v}" for k, v in TINY[model].items())]
    cfg = compose_config("toptagging", overrides)
    return get_experiment(cfg.experiment)(cfg).run()


def test_lloca_transformer_learns(tmp_path, jets_file):
    metrics = _run(tmp_path, jets_file, "lloca_transformer")
    assert metrics["test.auc"] > 0.75  # three prongs against one


@pytest.mark.slow
@pytest.mark.parametrize("model", ["part", "particlenet", "lloca_part", "lloca_particlenet"])
def test_other_models_learn(tmp_path, jets_file, model):
    metrics = _run(tmp_path, jets_file, model, **{"training.iterations": 60})
    assert metrics["test.auc"] > 0.75
