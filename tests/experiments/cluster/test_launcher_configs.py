"""The Slurm launcher and the Optuna sweeper configs of config/hydra compose with the real Hydra
plugins, and say what they promise (Slurm resources, search space, objective), without Slurm."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from experiment_test_utils import REPO, compose_config
from hydra.core.plugins import Plugins
from hydra_plugins.hydra_optuna_sweeper._impl import create_params_from_overrides
from optuna.distributions import CategoricalDistribution, LogUniformDistribution

from experiments.registry import get_experiment

OPTUNA_STUDY = "hydra_plugins.lorentznets_sweepers.optuna_study.OptunaStudySweeper"


def _compose_with_hydra(overrides: list[str]):
    return compose_config("toptagging", overrides, return_hydra_config=True)


def test_slurm_launcher_composes_with_the_documented_keys():
    # The plugin's structured config refuses keys it does not know: a misspelt key in
    # config/hydra/launcher/slurm.yaml fails here.
    cfg = _compose_with_hydra(["hydra/launcher=slurm", "hydra.launcher.partition=gpu", "hydra.launcher.mem_gb=64"])
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.gpus_per_node, launcher.mem_gb) == ("gpu", 1, 64)
    assert (launcher.cpus_per_task, launcher.timeout_min, launcher.tasks_per_node) == (8, 720, 1)


def test_submitit_local_launcher_composes():
    cfg = _compose_with_hydra(["hydra/launcher=submitit_local"])
    assert cfg.hydra.launcher._target_.endswith("submitit_launcher.LocalLauncher")


def test_optuna_study_is_the_plugins_sweeper_run_by_ours():
    # The plugin's structured config (its defaults, and its refusal of unknown keys) with the
    # target of hydra_plugins/lorentznets_sweepers, which Hydra's plugin scan finds beside run.py.
    sweeper = _compose_with_hydra(["hydra/sweeper=optuna_study"]).hydra.sweeper
    assert sweeper._target_ == OPTUNA_STUDY
    assert (sweeper.n_trials, sweeper.max_failure_rate) == (20, 0.0)
    assert sweeper.sampler._target_ == "optuna.samplers.TPESampler"
    assert OPTUNA_STUDY in Plugins.instance().class_name_to_class  # what instantiating a sweeper looks up


def test_run_py_from_another_folder_finds_our_sweeper_once(tmp_path):
    # Hydra scans hydra_plugins on sys.path, which holds run.py's folder: no PYTHONPATH needed
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    command = [sys.executable, str(REPO / "run.py"), "--info", "plugins"]
    listing = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True)
    # the names follow "Sweeper:" and its underline, one per line, up to a blank line or the next plugin type
    sweepers = []
    for line in listing.stdout.split("Sweeper:")[1].splitlines()[2:]:
        if not line.strip() or line.strip().endswith(":"):
            break
        sweepers.append(line.strip())
    assert sorted(sweepers) == ["BasicSweeper", "OptunaStudySweeper", "OptunaSweeper"]


def test_tagger_optuna_sweeper_searches_learning_rate_and_width():
    sweeper = _compose_with_hydra(["hydra/sweeper=tagger_optuna"]).hydra.sweeper
    assert sweeper._target_ == OPTUNA_STUDY
    assert (sweeper.study_name, sweeper.direction, sweeper.max_failure_rate) == ("tagger_lr_width", "maximize", 1.0)
    distributions, fixed = create_params_from_overrides([f"{k}={v}" for k, v in sweeper.params.items()])
    assert distributions == {
        "training.optimizer.lr": LogUniformDistribution(1e-4, 1e-2),
        "model.net.hidden_channels": CategoricalDistribution([32, 64, 128]),
    }
    assert fixed == {"objective": "val.auc", "evaluation.splits": "[val,test]"}


@pytest.mark.parametrize("model", ["transformer", "pelican", "lorentznet"])
def test_a_trial_config_passes_the_schema(model):
    # What one trial of hydra/sweeper=tagger_optuna runs: the fixed and the sampled values.
    trial = ["objective=val.auc", "evaluation.splits=[val,test]", "training.optimizer.lr=0.0003"]
    trial.append("model.net.hidden_channels=64")
    cfg = compose_config("toptagging", [f"model={model}", *trial])
    get_experiment(cfg.experiment).check_config(cfg)
