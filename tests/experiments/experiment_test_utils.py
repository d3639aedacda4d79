"""Helpers of the experiment tests: compose real Hydra configs and run ``run.py`` for real."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from experiments.base_experiment import BaseExperiment
from experiments.common.checkpoint import load_checkpoint

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def compose_config(
    config_name: str, overrides: list[str], folder: str = "config", return_hydra_config: bool = False
) -> DictConfig:
    """Compose ``<folder>/<config_name>.yaml`` of the repository (``config`` or ``config_paper``) with
    overrides, as ``run.py`` would; with ``return_hydra_config``, also its ``hydra`` node."""
    with initialize_config_dir(str(REPO / folder), version_base=None):
        return compose(config_name, overrides=overrides, return_hydra_config=return_hydra_config)


def toy_overrides(base_dir: Path, **extra: object) -> list[str]:
    """Overrides selecting the toy regression experiment with a fast training setup."""
    values = {
        "experiment": "toy_experiment:ToyExperiment",
        "exp_name": "toy",
        "+model.name": "toy",
        "+toy.num_samples": 400,
        "base_dir": str(base_dir),
        "training.iterations": 40,
        "training.validate_every": 10,
        "training.batchsize": 16,
        "evaluation.batchsize": 32,
        "progress": False,
        "use_mlflow": False,
        "num_threads": 1,
    }
    values.update(extra)
    return [f"{key}={value}" for key, value in values.items()]


def subprocess_env() -> dict[str, str]:
    """Environment for ``run.py`` subprocesses: the toy experiment importable, one thread."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(REPO), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


def torchrun_command(args: list[str]) -> list[str]:
    """The command ``torchrun --standalone --nproc_per_node=2 <args>``, to run in the repository root
    with :func:`subprocess_env`."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *args]


def run_torchrun(args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    """Run :func:`torchrun_command` of ``args`` in the repository root."""
    return subprocess.run(
        torchrun_command(args), cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=timeout
    )


def run_cli(args: list[str], timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python run.py <args>`` in the repository root."""
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def checkpoints_of_one_and_two_processes(
    base_dir: Path, config_name: str, overrides_of: Callable[[str], list[str]]
) -> dict[str, dict]:
    """Train ``run.py -cn <config_name>`` with ``overrides_of(name)`` as run ``one`` in one process
    and as run ``two`` under :func:`run_torchrun`; the last checkpoint of each, by run name. The runs
    lie in ``<base_dir>/runs/<config_name>`` (the config's ``exp_name`` is its name)."""
    checkpoints = {}
    for name in ("one", "two"):
        args = ["-cn", config_name, *overrides_of(name)]
        result = run_torchrun(["run.py", *args]) if name == "two" else run_cli(args, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        checkpoints[name] = load_checkpoint(base_dir / "runs" / config_name / name / "checkpoints" / "last.pt")
    return checkpoints


def two_rank_validation_sums(experiment: BaseExperiment) -> dict[str, torch.Tensor]:
    """What the all-reduce of two torchrun processes gives the trainer: per value of ``batch_loss``,
    the sum over ranks 0 and 1 of its (weighted sum, sum of weights) over each rank's shard, shape (2,),
    float64. ``experiment.dist`` is set to each rank in turn and restored."""
    one_process = experiment.dist
    sums: dict[str, torch.Tensor] = {}
    try:
        for rank in (0, 1):
            experiment.dist = dataclasses.replace(one_process, rank=rank, world_size=2)
            for key, pair in experiment.trainer._validation_sums().items():
                sums[key] = sums[key] + pair if key in sums else pair
    finally:
        experiment.dist = one_process
    return sums


def logged_model_inputs(base_dir: Path, exp_name: str) -> list[str]:
    """Input names of the one model logged (``mlflow.log_model=true``) by the one run of ``exp_name``
    in ``<base_dir>/runs/tracking/mlflow.db``, read back through the MLflow client."""
    import mlflow
    import mlflow.models
    from mlflow.tracking import MlflowClient

    from experiments.common.mlflow_logger import default_tracking_uri

    uri = default_tracking_uri(base_dir)
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name(exp_name).experiment_id])
    (output,) = run.outputs.model_outputs
    assert client.get_logged_model(output.model_id).name == "model"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        info = mlflow.models.get_model_info(f"models:/{output.model_id}")
    finally:
        mlflow.set_tracking_uri(previous)
    return [spec.name for spec in info.signature.inputs.inputs]
