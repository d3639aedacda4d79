"""A warm start on an event file that lists the same features in another order is refused."""

from __future__ import annotations

import re

import pytest
import torch
from experiment_test_utils import compose_config
from test_assignment_experiment import overrides

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment
from lorentznets.data.generate.spanet_event_file import TTBAR_EVENT_FILE

TRAINED = "mass: log_normalize, pt: log_normalize,"
SWAPPED = "pt: log_normalize, mass: log_normalize,"


def test_reload_on_reordered_features_names_file_and_both_orders(tmp_path, spanet_file):
    assert TRAINED in TTBAR_EVENT_FILE
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, spanet_file, **{"model.net.hidden_channels": 8}))
    get_experiment(cfg.experiment)(cfg).run()
    model_path = tmp_path / "runs" / "ttbar_assignment" / "test" / "models" / "model_run0.pt"
    swapped = tmp_path / "swapped.yaml"
    swapped.write_text(TTBAR_EVENT_FILE.replace(TRAINED, SWAPPED))
    reload = overrides(
        tmp_path, spanet_file, train=False, warm_start_idx=0, plot=False, **{"model.net.hidden_channels": 8}
    )
    cfg = compose_config("ttbar_assignment", [*reload, f"data.event_file={swapped}"])
    message = (
        f"{swapped}: SEQUENTIAL features [pt:log_normalize, mass:log_normalize, eta:normalize, phi:normalize, "
        f"btag:none] differ from [mass:log_normalize, pt:log_normalize, eta:normalize, phi:normalize, btag:none] "
        f"that {model_path} was trained on"
    )
    with pytest.raises(ExperimentInputError, match=re.escape(message)):
        get_experiment(cfg.experiment)(cfg).run()
    # the training's own order reloads
    metrics = get_experiment(cfg.experiment)(compose_config("ttbar_assignment", reload)).run()
    assert 0.0 <= metrics["test.greedy.event_purity"] <= 1.0
    # a model saved before the features were recorded: nothing to compare, as before
    checkpoint = torch.load(model_path, weights_only=True)
    del checkpoint["event_features"]
    torch.save(checkpoint, model_path)
    metrics = get_experiment(cfg.experiment)(cfg).run()
    assert 0.0 <= metrics["test.greedy.event_purity"] <= 1.0
