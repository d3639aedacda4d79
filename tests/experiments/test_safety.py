"""Safe by default, end to end through run.py: bad configs stop at once, crafted checkpoints and
run-folder code are refused without running anything, a stopped and resumed run logs every step
to MLflow once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import torch
from experiment_test_utils import REPO, compose_config, run_cli, subprocess_env, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.common.mlflow_logger import default_tracking_uri
from experiments.registry import get_experiment


def _error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if " ERROR " in line]


def test_negative_batch_size_exits_2_at_once_naming_the_key(tmp_path):
    result = run_cli(["-cn", "toptagging", "training.batchsize=-4", f"base_dir={tmp_path}", "data.path=absent.h5"])
    assert result.returncode == 2, result.stderr[-2000:]
    (line,) = _error_lines(result)
    assert line.endswith("config key training.batchsize=-4 (int) is not allowed: expected an integer >= 1")
    assert "Traceback" not in result.stderr
    # Nothing was started: no run folder, no data generation.
    assert not (tmp_path / "runs").exists() and not (REPO / "absent.h5").exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("+model.net.hidden_chanels=8", "unknown config key model.net.hidden_chanels (misspelt?): LorentzNet takes"),
        ("model.net.dropout=1.5", "model.net.dropout is not accepted by LorentzNet: dropout must be in"),
    ],
)
def test_bad_net_settings_exit_2_before_any_data(tmp_path, override, message):
    data = tmp_path / "jets.h5"  # absent, and generated if the run got as far as its data
    result = run_cli(["-cn", "toptagging", "model=lorentznet", override, f"base_dir={tmp_path}", f"data.path={data}"])
    assert result.returncode == 2, result.stderr[-2000:]
    (line,) = _error_lines(result)
    assert message in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists() and not data.exists()


def test_model_not_offered_by_the_experiment_exits_2(tmp_path):
    result = run_cli(["-cn", "toptagging", "model=mlp", f"base_dir={tmp_path}"])
    assert result.returncode == 2
    (line,) = _error_lines(result)
    assert "model='mlp' is not offered for the experiment 'toptagging': expected one of" in line


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_crafted_checkpoint_is_refused_on_resume_and_warm_start(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="shared"))
    get_experiment(cfg.experiment)(cfg).run()
    run_dir = tmp_path / "runs" / "toy" / "shared"
    marker = tmp_path / "executed"
    for path in (run_dir / "checkpoints" / "last.pt", run_dir / "models" / "model_run0.pt"):
        torch.save({"model": {}, "payload": _RunsCode(marker)}, path)
    resume = run_cli(["-cn", "default", *toy_overrides(tmp_path, run_name="shared", resume=True)])
    evaluate = run_cli(["-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0"])
    for result, name in ((resume, "last.pt"), (evaluate, "model_run0.pt")):
        assert result.returncode == 2, result.stderr[-2000:]
        (line,) = _error_lines(result)
        assert f"refused to load {run_dir}" in line and name in line and "posix.system" in line
        assert "Traceback" not in result.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_experiment_code_inside_a_run_folder_is_never_imported(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="shared"))
    get_experiment(cfg.experiment)(cfg).run()
    run_dir = tmp_path / "runs" / "toy" / "shared"
    marker = tmp_path / "executed"
    (run_dir / "evil_module.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    config = (run_dir / "config.yaml").read_text()
    (run_dir / "config.yaml").write_text(config.replace("toy_experiment:ToyExperiment", "evil_module:Evil"))
    env = subprocess_env()
    env["PYTHONPATH"] = f"{run_dir}:{env['PYTHONPATH']}"
    result = subprocess.run(
        [sys.executable, "run.py", "-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    (line,) = _error_lines(result)
    assert "refused to import experiment 'evil_module:Evil'" in line and "inside a run folder" in line
    assert not marker.exists()


def test_stale_temporary_checkpoint_is_removed_at_start(tmp_path):
    overrides = toy_overrides(tmp_path, run_name="stale", **{"training.iterations": 20})
    cfg = compose_config("default", overrides)
    get_experiment(cfg.experiment)(cfg).run()
    stale = tmp_path / "runs" / "toy" / "stale" / "checkpoints" / ".last.pt.x1y2.tmp"
    stale.write_bytes(b"half")
    cfg = compose_config("default", [*overrides, "resume=true"])
    get_experiment(cfg.experiment)(cfg).run()
    assert not stale.exists()


@pytest.mark.slow
def test_sigterm_then_resume_logs_every_step_once(tmp_path):
    settings = {"training.iterations": 60, "training.validate_every": 20, "training.log_every": 1}
    overrides = toy_overrides(tmp_path, run_name="term", use_mlflow=True, **settings)
    process = subprocess.Popen(
        [sys.executable, "run.py", "-cn", "default", *overrides, "+toy.sleep_per_step=0.05"],
        cwd=REPO,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checkpoint = tmp_path / "runs" / "toy" / "term" / "checkpoints" / "last.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a few steps past the checkpoint, whose metrics are buffered
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    result = run_cli(["-cn", "default", *overrides, "resume=true"])
    assert result.returncode == 0, result.stderr[-2000:]
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    steps = [metric.step for metric in client.get_metric_history(run.info.run_id, "training.loss")]
    assert sorted(steps) == list(range(1, 61))


def test_checkpoint_is_loadable_weights_only(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="w", **{"training.ema_decay": 0.9}))
    get_experiment(cfg.experiment)(cfg).run()
    folder = tmp_path / "runs" / "toy" / "w"
    for path in (
        folder / "checkpoints" / "last.pt",
        folder / "checkpoints" / "best.pt",
        folder / "models" / "model_run0.pt",
    ):
        assert torch.load(path, weights_only=True)["model"]
