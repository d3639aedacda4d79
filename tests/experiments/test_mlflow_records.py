"""MLflow records of a run, read back through the MLflow client from the real SQLite store."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time

import pytest
from experiment_test_utils import REPO, compose_config, subprocess_env, toy_overrides
from mlflow.tracking import MlflowClient
from tagging.tagging_test_utils import tagging_overrides, write_lgn_jets

from experiments.common.config_schema import ConfigError
from experiments.common.mlflow_logger import MlflowLogger, default_tracking_uri, with_retries
from experiments.common.trainer import TRAINING_SERIES
from experiments.registry import get_experiment


def test_run_records_params_metrics_and_artifacts(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="ml", use_mlflow=True))
    metrics = get_experiment(cfg.experiment)(cfg).run()

    client = MlflowClient(default_tracking_uri(tmp_path))
    assert (tmp_path / "runs" / "tracking" / "mlflow.db").is_file()
    experiment = client.get_experiment_by_name("toy")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "ml" and run.info.status == "FINISHED"
    assert run.data.params["training.optimizer.name"] == "adam"
    assert run.data.params["training.iterations"] == "40"
    assert int(run.data.params["num_parameters"]) == 97
    train_loss = client.get_metric_history(run.info.run_id, "training.loss")
    assert [m.step for m in train_loss] == [10, 20, 30, 40]
    assert [m.step for m in client.get_metric_history(run.info.run_id, "validation.loss")] == [10, 20, 30, 40]
    for key in ("training.lr", "training.grad_norm", "training.time_per_step", "validation.rmse"):
        assert key in run.data.metrics
    assert run.data.metrics["test.mse"] == metrics["test.mse"]
    artifacts = {
        item.path
        for folder in ("plots", "config", "models", "evaluation")
        for item in client.list_artifacts(run.info.run_id, folder)
    }
    assert {"plots/training.pdf", "plots/errors.json", "config/config.yaml", "models/model_run0.pt"} <= artifacts


def test_no_key_holds_both_training_curves_and_final_evaluation(tmp_path):
    """The tagger's validation accuracy during training (weights of that step, one batch) and its
    final evaluation (restored best weights, whole split) are different numbers under different
    keys; every split's final metric is one value, at the last step, in a real SQLite store."""
    jets = write_lgn_jets(tmp_path / "jets.h5")
    settings = {
        "run_name": "keys",
        "use_mlflow": True,
        "evaluation.splits": "[train,val,test]",
        "training.log_every": 5,
        "training.max_val_batches": 1,
    }
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, jets, **settings))
    metrics = get_experiment(cfg.experiment)(cfg).run()
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toptagging").experiment_id])
    assert {"train.accuracy", "val.accuracy", "test.auc"} <= set(metrics)
    for key in run.data.metrics:
        history = [(point.step, point.value) for point in client.get_metric_history(run.info.run_id, key)]
        if key.partition(".")[0] in TRAINING_SERIES:
            assert key not in metrics and len(history) > 1, (key, history)
        else:
            assert history == [(cfg.training.iterations, metrics[key])], (key, history)
    curves = {"training.loss", "training.accuracy", "training.lr", "validation.loss", "validation.accuracy"}
    assert curves <= set(run.data.metrics)


@pytest.mark.parametrize("objective", ["validation.accuracy", "training.loss"])
def test_an_objective_naming_a_training_curve_is_refused(objective):
    cfg = compose_config("toptagging", [f"objective={objective}", "evaluation.splits=[val,test]"])
    with pytest.raises(ConfigError) as info:
        get_experiment(cfg.experiment).check_config(cfg)
    message, series = str(info.value), objective.partition(".")[0]
    assert f"objective='{objective}' is not allowed: {series}.* are curves logged during training" in message
    assert "with <split> one of ['val', 'test']" in message and "\n" not in message


def test_the_config_is_logged_without_plots_too(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="np", use_mlflow=True, plot=False))
    get_experiment(cfg.experiment)(cfg).run()
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    folders = {item.path for item in client.list_artifacts(run.info.run_id)}
    assert "plots" not in folders
    assert [item.path for item in client.list_artifacts(run.info.run_id, "config")] == ["config/config.yaml"]


def test_infinite_metrics_are_tags_not_clamped_numbers(tmp_path):
    """MLflow's SQL store clamps inf to 1.8e308, which averages and sweepers take for a number."""
    logger = MlflowLogger(True, default_tracking_uri(tmp_path), "toy", "inf")
    logger.log_metrics({"test.rej30": float("inf"), "test.auc": 0.9, "val.loss": float("nan")}, step=7)
    tags = MlflowClient(default_tracking_uri(tmp_path)).get_run(logger.run_id).data.tags
    assert "nonfinite.test.rej30" not in tags  # buffered with the metrics, sent by flush
    logger.finish()
    run = MlflowClient(default_tracking_uri(tmp_path)).get_run(logger.run_id)
    assert run.data.metrics["test.auc"] == 0.9 and math.isnan(run.data.metrics["val.loss"])
    assert "test.rej30" not in run.data.metrics
    assert run.data.tags["nonfinite.test.rej30"] == "inf at step 7"


@pytest.mark.slow
def test_concurrent_runs_share_one_database(tmp_path):
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "run.py",
                "-cn",
                "default",
                *toy_overrides(tmp_path, run_name=f"c{i}", use_mlflow=True, **{"training.iterations": 10}),
            ],
            cwd=REPO,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    client = MlflowClient(default_tracking_uri(tmp_path))
    runs = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    assert sorted(run.info.run_name for run in runs) == ["c0", "c1"]
    assert all(run.info.status == "FINISHED" for run in runs)


def test_retries_on_locked_database_then_gives_up():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("(sqlite3.OperationalError) database is locked")
        return "ok"

    assert with_retries(flaky, base_delay=0.001) == "ok"
    assert len(calls) == 3

    def broken():
        raise ValueError("bad value")

    calls.clear()
    try:
        with_retries(broken, base_delay=0.001)
    except ValueError as error:
        assert "bad value" in str(error)
    else:
        raise AssertionError("a non-retryable error must propagate")


@pytest.mark.slow
def test_sigterm_closes_the_run_as_killed(tmp_path):
    overrides = toy_overrides(
        tmp_path, run_name="term", use_mlflow=True, **{"training.iterations": 400, "+toy.sleep_per_step": 0.05}
    )
    process = subprocess.Popen(
        [sys.executable, "run.py", "-cn", "default", *overrides],
        cwd=REPO,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checkpoint = tmp_path / "runs" / "toy" / "term" / "checkpoints" / "last.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    assert run.info.status == "KILLED"
