"""The base experiment's lifecycle on the toy regression experiment (real Hydra, real files)."""

from __future__ import annotations

import errno
import fcntl
import json
import math
import re
import subprocess
import sys

import pytest
import torch
from experiment_test_utils import REPO, compose_config, run_cli, subprocess_env, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.base_experiment import ExperimentInputError
from experiments.common.checkpoint import load_checkpoint
from experiments.common.mlflow_logger import default_tracking_uri
from experiments.common.training_lock import TrainingLock
from experiments.registry import get_experiment


def _run(tmp_path, **extra):
    cfg = compose_config("default", toy_overrides(tmp_path, **extra))
    experiment = get_experiment(cfg.experiment)(cfg)
    return experiment, experiment.run()


def test_training_writes_run_directory(tmp_path):
    experiment, metrics = _run(tmp_path, run_name="r")
    run_dir = tmp_path / "runs" / "toy" / "r"
    assert (run_dir / "config.yaml").is_file()
    assert (run_dir / "checkpoints" / "last.pt").is_file()
    assert (run_dir / "models" / "model_run0.pt").is_file()
    assert (run_dir / "plots" / "training.pdf").is_file()
    assert metrics["test.count"] == 80
    state = load_checkpoint(run_dir / "checkpoints" / "last.pt")
    assert state["step"] == 40
    # the saved model holds the best validation weights (restore_best) and names their step
    model, best = (
        load_checkpoint(run_dir / "models" / "model_run0.pt"),
        load_checkpoint(run_dir / "checkpoints" / "best.pt"),
    )
    assert model["step"] == 40 and model["weights_step"] == best["step"]
    assert all(torch.equal(model["model"][k], best["model"][k]) for k in best["model"])
    assert state["history"]["val_step"] == [10, 20, 30, 40]
    # The model learns: the loss drops from its first validation.
    assert state["history"]["val_loss"][-1] < state["history"]["val_loss"][0]
    # The logged learning rate is the one each step used (step s: the cosine schedule after s - 1
    # scheduler steps), not the next step's (0 at the end)
    history, lr = state["history"], experiment.cfg.training.optimizer.lr
    for step, value in zip(history["train_step"], history["lr"]):
        assert value == pytest.approx(lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / 40)), rel=1e-9, abs=1e-15)


def test_seeded_runs_are_identical(tmp_path):
    _, first = _run(tmp_path, run_name="a")
    _, second = _run(tmp_path, run_name="b")
    assert first == second


def test_early_stopping_stops_and_restores_best(tmp_path):
    # A learning rate of zero never improves after the first validation.
    experiment, _ = _run(
        tmp_path,
        run_name="es",
        **{"training.optimizer.lr": 0.0, "training.early_stopping_patience": 2},
    )
    assert experiment.step == 30
    assert experiment.history["val_step"] == [10, 20, 30]


def test_lion_onecycle_with_clipping_trains(tmp_path):
    _, metrics = _run(
        tmp_path,
        run_name="lion",
        **{
            "training.optimizer.name": "lion",
            "training.optimizer.lr": 1e-3,
            "training.scheduler.name": "onecycle",
            "training.clip_grad_norm": 1.0,
        },
    )
    assert torch.isfinite(torch.tensor(metrics["test.mse"]))


def test_ema_evaluates_averaged_weights(tmp_path):
    experiment, _ = _run(tmp_path, run_name="ema", **{"training.ema_decay": 0.9, "training.restore_best": False})
    saved = load_checkpoint(tmp_path / "runs" / "toy" / "ema" / "models" / "model_run0.pt")
    # The raw model holds the last training weights, the saved model the averaged ones.
    raw = experiment.raw_model.state_dict()
    assert any(not torch.equal(saved["model"][k], raw[k]) for k in raw)
    for name, value in experiment.trainer.ema.shadow.items():
        torch.testing.assert_close(saved["model"][name], value, rtol=0, atol=0)


def test_bf16_autocast_trains(tmp_path):
    _, metrics = _run(tmp_path, run_name="bf16", **{"training.bf16": True})
    assert torch.isfinite(torch.tensor(metrics["test.mse"]))


def test_warm_start_reproduces_evaluation_and_trains_further(tmp_path):
    _, metrics = _run(tmp_path, run_name="w")
    run_dir = tmp_path / "runs" / "toy" / "w"
    _, again = _run(tmp_path, run_name="w", train=False, warm_start_idx=0)
    assert again == metrics
    curves = (run_dir / "plots" / "training.pdf").read_bytes()
    experiment, _ = _run(tmp_path, run_name="w", warm_start_idx=0)
    assert (run_dir / "models" / "model_run1.pt").is_file()
    # the further training's plots go to plots/model_run1/, the run's own stay
    assert (run_dir / "plots" / "model_run1" / "training.pdf").is_file()
    assert (run_dir / "plots" / "training.pdf").read_bytes() == curves
    assert len(list((run_dir / "evaluation").glob("model_run0_*.json"))) == 2
    assert len(list((run_dir / "evaluation").glob("model_run0_*.config.yaml"))) == 2  # each with its settings


def test_missing_saved_model_is_a_clear_error(tmp_path):
    _run(tmp_path, run_name="m")
    with pytest.raises(ExperimentInputError, match=r"model_run3\.pt.*saved models.*\[0\]"):
        _run(tmp_path, run_name="m", train=False, warm_start_idx=3)


def test_saved_weights_of_another_shape_are_one_clear_error(tmp_path):
    _run(tmp_path, run_name="s")
    run_dir = tmp_path / "runs" / "toy" / "s"
    for path in (run_dir / "models" / "model_run0.pt", run_dir / "checkpoints" / "last.pt"):
        checkpoint = torch.load(path, weights_only=True)
        checkpoint["model"]["0.weight"] = torch.zeros(16, 5)  # as if trained on 5 inputs
        torch.save(checkpoint, path)
    shapes = r"entry '0\.weight' has shape \(16, 5\) there and \(16, 4\) in this run's model"
    with pytest.raises(ExperimentInputError, match=r"model_run0\.pt: " + shapes):
        _run(tmp_path, run_name="s", train=False, warm_start_idx=0)
    with pytest.raises(ExperimentInputError, match=r"^resume=true: .*last\.pt: " + shapes):
        _run(tmp_path, run_name="s", resume=True, **{"training.iterations": 40})


def test_a_batch_larger_than_the_training_set_is_one_clear_error(tmp_path):
    message = r"^training\.batchsize=4096 is larger than the \d+ training samples"
    with pytest.raises(ExperimentInputError, match=message):
        _run(tmp_path, run_name="b", **{"training.batchsize": 4096})
    assert not (tmp_path / "runs" / "toy" / "b" / "checkpoints").exists()


def test_a_diverging_run_stops_in_one_line(tmp_path):
    with pytest.raises(ExperimentInputError, match=r"^toy: non-finite training loss .*lower training\.optimizer\.lr"):
        _run(tmp_path, run_name="d", **{"training.optimizer.lr": 1e30, "training.clip_grad_norm": "null"})


def test_train_false_needs_warm_start_idx(tmp_path):
    with pytest.raises(ExperimentInputError, match="warm_start_idx"):
        _run(tmp_path, run_name="n", train=False)


def test_existing_run_is_not_overwritten(tmp_path):
    _run(tmp_path, run_name="x")
    with pytest.raises(ExperimentInputError, match="already holds trained models"):
        _run(tmp_path, run_name="x")


def test_a_fresh_training_does_not_take_over_an_unfinished_ones_checkpoint(tmp_path):
    """Resuming later would have continued the old training under the new run's config."""
    _run(tmp_path, run_name="x")
    run_dir = tmp_path / "runs" / "toy" / "x"
    for model in (run_dir / "models").iterdir():
        model.unlink()  # as if killed before its final model
    with pytest.raises(
        ExperimentInputError, match=r"holds the checkpoint .*last\.pt of a training that saved no final"
    ):
        _run(tmp_path, run_name="x", **{"training.optimizer.lr": 5e-3})
    assert "lr: 0.005" not in (run_dir / "config.yaml").read_text()


def _hold_lock(folder):
    """A process holding the training lock of ``folder`` until killed."""
    code = (
        "import time; from experiments.common.training_lock import TrainingLock; "
        f"lock = TrainingLock({str(folder)!r}); assert lock.acquire(); print('held', flush=True); time.sleep(120)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE)
    assert process.stdout.readline().strip() == b"held"
    return process


def test_a_run_directory_trains_one_process_at_a_time(tmp_path):
    run_dir = tmp_path / "runs" / "toy" / "busy"
    holder = _hold_lock(run_dir)  # another training
    try:
        with pytest.raises(ExperimentInputError, match=r"runs/toy/busy is in use by another training"):
            _run(tmp_path, run_name="busy")
        assert not (run_dir / "config.yaml").exists()
    finally:
        holder.kill()  # the operating system releases the lock of a killed process
        holder.wait()
    _run(tmp_path, run_name="busy")
    assert (run_dir / "models" / "model_run0.pt").is_file()


def _taken_elsewhere(folder) -> bool:
    """Whether another process can take the training lock of ``folder``."""
    code = f"from experiments.common.training_lock import TrainingLock; print(TrainingLock({str(folder)!r}).acquire())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip() == "True"


def test_a_second_holder_in_the_process_does_not_drop_the_lock(tmp_path):
    """Closing any file of a POSIX lock releases the process's lock: holders share one file."""
    first, second = TrainingLock(tmp_path), TrainingLock(tmp_path)
    assert first.acquire() and second.acquire()
    del second
    assert not _taken_elsewhere(tmp_path)
    first.release()
    assert _taken_elsewhere(tmp_path)


def test_a_file_system_without_locks_trains_without_the_lock(tmp_path, monkeypatch, caplog):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "lockf", no_locks)
    _run(tmp_path, run_name="nolock")
    assert "training without the run-directory lock" in caplog.text


def test_bad_data_is_an_input_error(tmp_path):
    with pytest.raises(ExperimentInputError, match="toy.num_samples must be positive"):
        _run(tmp_path, run_name="bad", **{"+toy.num_samples": -1})


def test_cli_reload_from_saved_config(tmp_path):
    result = run_cli(["-cn", "default", *toy_overrides(tmp_path, run_name="cli")])
    assert result.returncode == 0, result.stderr
    assert "step 40/40" in result.stdout and "test.mse" in result.stdout
    run_dir = tmp_path / "runs" / "toy" / "cli"
    reload = run_cli(["-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0"])
    assert reload.returncode == 0, reload.stderr
    first, second = sorted((run_dir / "evaluation").glob("*.json"))
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    # Hydra must not create output folders or change the working directory.
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_multirun_sweep_runs_every_job(tmp_path):
    overrides = toy_overrides(tmp_path, **{"training.iterations": 10, "training.validate_every": 5})
    result = run_cli(["-m", "-cn", "default", *overrides, "training.optimizer.name=adam,lion"])
    assert result.returncode == 0, result.stderr
    runs = sorted((tmp_path / "runs" / "toy").iterdir())
    assert len(runs) == 2
    assert {(run / "config.yaml").read_text().count("name: lion") for run in runs} == {0, 1}
    assert len(list((tmp_path / "runs" / "multirun").glob("*/multirun.yaml"))) == 1


def test_resume_with_other_settings_than_the_runs_is_refused(tmp_path):
    _run(tmp_path, run_name="c", **{"training.iterations": 20})
    message = r"resume=true with other settings than the run's .*training\.iterations: 20 -> 40; training\.optimizer"
    with pytest.raises(ExperimentInputError, match=message):
        _run(tmp_path, run_name="c", resume=True, **{"training.iterations": 40, "training.optimizer.lr": 0.01})
    saved = (tmp_path / "runs" / "toy" / "c" / "config.yaml").read_text()
    assert f"base_dir: {tmp_path.resolve()}" in saved  # absolute: the run folder reloads from anywhere


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("training:\n  lr: 'cut\n", "cannot read the run's settings .*ScannerError"),
        ("seed: 0\ntraining:\n  lr: 0.1\n", "hold no model section"),
        ("", "hold no training, model, seed"),
    ],
)
def test_resume_with_a_damaged_run_config_is_refused(tmp_path, text, message):
    # checkpoints written before 2026-12-07 hold no settings: the run's config.yaml is compared
    _run(tmp_path, run_name="d", **{"training.iterations": 20})
    run_dir = tmp_path / "runs" / "toy" / "d"
    last = load_checkpoint(run_dir / "checkpoints" / "last.pt")
    del last["settings"]
    torch.save(last, run_dir / "checkpoints" / "last.pt")
    (run_dir / "config.yaml").write_text(text)
    with pytest.raises(ExperimentInputError, match=message):
        _run(tmp_path, run_name="d", resume=True, **{"training.iterations": 20})


def test_a_warm_start_training_resumes_with_its_own_settings(tmp_path):
    # config.yaml keeps the first training's settings (20 steps); the warm-start training's (30
    # steps) are in its checkpoint, which a resume must match
    _run(tmp_path, run_name="w", **{"training.iterations": 20})
    warm = {"warm_start_idx": 0, "training.iterations": 30}
    _run(tmp_path, run_name="w", **warm)
    resumed, _ = _run(tmp_path, run_name="w", resume=True, **warm)
    assert resumed.trainer.finished_before and resumed.model_index == 1
    last = tmp_path / "runs" / "toy" / "w" / "checkpoints" / "last.pt"
    with pytest.raises(
        ExperimentInputError, match=rf"training \({re.escape(str(last))}\): training\.iterations: 30 -> 20"
    ):
        _run(tmp_path, run_name="w", resume=True, **{"warm_start_idx": 0, "training.iterations": 20})


def test_resume_of_a_finished_run_trains_and_saves_nothing_again(tmp_path):
    settings = {"training.iterations": 20, "use_mlflow": True}
    _, first = _run(tmp_path, run_name="f", **settings)
    experiment, again = _run(tmp_path, run_name="f", resume=True, **settings)
    assert experiment.trainer.finished_before and experiment.model_index == 0
    assert [p.name for p in (tmp_path / "runs" / "toy" / "f" / "models").glob("*.pt")] == ["model_run0.pt"]
    assert again == first
    # the repeated evaluation logs no second point of the same values
    history = MlflowClient(default_tracking_uri(tmp_path)).get_metric_history(experiment.logger.run_id, "test.mse")
    assert [(m.step, m.value) for m in history] == [(20, first["test.mse"])]


def test_resume_of_an_early_stopped_run_does_not_train_on(tmp_path):
    settings = {"training.iterations": 200, "training.optimizer.lr": 1.0, "training.early_stopping_patience": 1}
    experiment, _ = _run(tmp_path, run_name="e", **settings)
    stopped_at = experiment.trainer.step
    assert stopped_at < 200
    resumed, _ = _run(tmp_path, run_name="e", resume=True, **settings)
    assert resumed.trainer.step == stopped_at and resumed.model_index == 0


def test_an_evaluation_with_resume_true_reads_the_saved_model_not_the_checkpoint(tmp_path):
    _run(tmp_path, run_name="v", **{"training.iterations": 20})
    run_dir = tmp_path / "runs" / "toy" / "v"
    last = torch.load(run_dir / "checkpoints" / "last.pt", weights_only=True)
    last["model"] = {key: torch.zeros_like(value) for key, value in last["model"].items()}
    torch.save(last, run_dir / "checkpoints" / "last.pt")
    _, plain = _run(tmp_path, run_name="v", train=False, warm_start_idx=0)
    _, with_resume = _run(tmp_path, run_name="v", train=False, warm_start_idx=0, resume=True)
    assert with_resume == plain
