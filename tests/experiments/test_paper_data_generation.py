"""The paper configs never start an hours-long generation: with their data missing, a run stops in
one line that gives the generator command (as config_paper/amplitudes.yaml always did)."""

from __future__ import annotations

from pathlib import Path

import pytest
from experiment_test_utils import compose_config

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment

GENERATED = {"ttbar": "data/cache/ttbar_large", "ttbar_assignment": "data/cache/assignment/ttbar_allhad_large.h5"}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_missing_paper_data_stop_with_the_generator_command(tmp_path, name):
    cfg = compose_config(name, [f"base_dir={tmp_path}", "use_mlflow=false", "device=cpu"], folder="config_paper")
    assert cfg.data.generate is None
    cfg.data.path = str(tmp_path / Path(GENERATED[name]).name)
    with pytest.raises(ExperimentInputError, match=r"create it with: python -m lorentznets.data.generate ttbar --out"):
        get_experiment(cfg.experiment)(cfg).run()
    assert not Path(cfg.data.path).exists()  # neither the file nor (ttbar) the folder the generator writes into
