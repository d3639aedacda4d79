"""Every tagging config composes with every model, quick and paper variants alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from experiments.registry import get_experiment

REPO = Path(__file__).resolve().parents[2]
MODELS = sorted(p.stem for p in (REPO / "config" / "model").glob("*.yaml"))


@pytest.mark.parametrize("folder", ["config", "config_paper"])
@pytest.mark.parametrize("name", ["toptagging", "qgtagging", "jetclass"])
def test_config_composes_with_every_model(folder, name):
    for model in MODELS:
        with initialize_config_dir(str(REPO / folder), version_base=None):
            cfg = compose(name, overrides=[f"model={model}"])
        assert cfg.model.name == model
        assert cfg.experiment == name
        assert cfg.training.iterations > 0
    assert get_experiment(name).__name__ == "TaggingExperiment"
