"""``run.py -cp <run folder> -cn config`` runs in that folder, also when it was copied, renamed or moved
(its saved config names the original folder)."""

from __future__ import annotations

import os
import shutil

import pytest
from experiment_test_utils import REPO, compose_config, run_cli, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.common.config_schema import ConfigError
from experiments.common.mlflow_logger import default_tracking_uri
from experiments.common.reloaded_run import adopt_run_folder
from experiments.registry import get_experiment

EVALUATE = ["-cn", "config", "train=false", "warm_start_idx=0"]


@pytest.fixture
def trained_run(tmp_path):
    """A finished toy run ``<tmp>/orig/runs/toy/A`` (without MLflow: its database takes seconds to make)."""
    overrides = toy_overrides(tmp_path / "orig", run_name="A", **{"training.iterations": 10})
    get_experiment("toy_experiment:ToyExperiment")(compose_config("default", overrides)).run()
    return tmp_path / "orig" / "runs" / "toy" / "A"


def _runs(base_dir) -> dict[str, str]:
    client = MlflowClient(default_tracking_uri(base_dir))
    runs = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    return {run.info.run_name: run.info.status for run in runs}


def test_a_copied_run_folder_evaluates_in_the_copy(trained_run, tmp_path):
    copy = tmp_path / "copy" / "runs" / "toy" / "B"
    shutil.copytree(trained_run, copy)
    result = run_cli(["-cp", str(copy), *EVALUATE, "use_mlflow=true"])
    assert result.returncode == 0, result.stderr[-3000:]
    note = f"was saved in the run folder {trained_run}: using {copy} (base_dir={tmp_path / 'copy'}, exp_name=toy"
    assert result.stdout.count(note) == 1, result.stdout
    assert f"loaded weights from {copy / 'models' / 'model_run0.pt'}" in result.stdout
    assert len(list((copy / "evaluation").glob("*.json"))) == 2
    assert len(list((copy / "plots").glob("model_run0_*"))) == 1
    # nothing of the evaluation in the original folder or its MLflow database
    assert len(list((trained_run / "evaluation").glob("*.json"))) == 1
    assert not list((trained_run / "plots").glob("model_run0_*"))
    assert not (tmp_path / "orig" / "runs" / "tracking").exists()
    ((name, status),) = _runs(tmp_path / "copy").items()
    assert name.startswith("B_eval0_") and status == "FINISHED"


def test_a_relative_cp_to_the_original_folder_changes_nothing(trained_run):
    # Hydra reads a relative -cp from run.py's folder
    result = run_cli(["-cp", os.path.relpath(trained_run, REPO), *EVALUATE])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "was saved in the run folder" not in result.stdout
    assert len(list((trained_run / "plots").glob("model_run0_*"))) == 1


def test_a_run_folder_outside_a_runs_folder_is_refused_in_one_line(trained_run, tmp_path):
    moved = shutil.copytree(trained_run, tmp_path / "backup" / "A")
    result = run_cli(["-cp", str(moved), *EVALUATE])
    assert result.returncode == 2
    (line,) = [line for line in result.stdout.splitlines() if "ERROR" in line]
    assert f"-cp {moved}: a run folder must lie at <base_dir>/runs/<exp_name>/<run_name>" in line
    assert "Traceback" not in result.stderr


def test_command_line_keys_and_a_set_apart_mlflow_experiment_are_kept(trained_run, tmp_path):
    moved = tmp_path / "elsewhere" / "runs" / "other" / "A"
    shutil.copytree(trained_run, moved)
    cfg = compose_config("default", toy_overrides(tmp_path / "orig", run_name="new"))
    adopt_run_folder(cfg, moved, kept={"run_name"})
    assert (cfg.base_dir, cfg.exp_name, cfg.run_name) == (str(tmp_path / "elsewhere"), "other", "new")
    assert cfg.mlflow.experiment_name == "other"  # it followed exp_name
    cfg = compose_config(
        "default", toy_overrides(tmp_path / "orig", run_name="A", **{"mlflow.experiment_name": "mine"})
    )
    adopt_run_folder(cfg, moved, kept={"run_name"})
    assert (cfg.exp_name, cfg.mlflow.experiment_name) == ("other", "mine")
    # a config kept outside any run folder (a template) is left alone
    template = tmp_path / "templates"
    template.mkdir()
    shutil.copy(trained_run / "config.yaml", template)
    assert adopt_run_folder(cfg, template) is None
    with pytest.raises(ConfigError, match="a run folder must lie at"):
        adopt_run_folder(cfg, shutil.copytree(trained_run, tmp_path / "loose"))


@pytest.mark.slow
def test_resuming_a_moved_run_folder_continues_in_a_new_mlflow_run(tmp_path):
    """The interrupted training's MLflow run is in the database it was moved away from: the resumed
    training logs to a new run of the new base_dir's database (it failed with 'Run ... not found')."""
    overrides = toy_overrides(tmp_path / "orig", run_name="A", use_mlflow=True, **{"training.iterations": 10})
    get_experiment("toy_experiment:ToyExperiment")(compose_config("default", overrides)).run()
    run = tmp_path / "orig" / "runs" / "toy" / "A"
    shutil.rmtree(run / "models")  # as if killed before its final model
    moved = tmp_path / "moved" / "runs" / "toy" / "A"
    shutil.move(run, moved)
    result = run_cli(["-cp", str(moved), "-cn", "config", "resume=true"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "of this training is not in sqlite:" in result.stdout + result.stderr
    assert _runs(tmp_path / "moved") == {"A": "FINISHED"}
    client = MlflowClient(default_tracking_uri(tmp_path / "moved"))
    (logged,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    assert logged.data.params["run_name"] == "A"  # the new run has the run's parameters
