"""A run killed with SIGKILL after its first checkpoint resumes and ends exactly like an
uninterrupted run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from experiment_test_utils import REPO, compose_config, run_cli, subprocess_env, toy_overrides

from experiments.common.checkpoint import load_checkpoint
from experiments.registry import get_experiment


def _final_metrics(run_dir):
    (path,) = (run_dir / "evaluation").glob("*.json")
    return json.loads(path.read_text())


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path):
    # target noise from the global generator, as dropout: the loader's base seed drawn from it on
    # resume shifted every later draw (the loader now has its own generator)
    settings = {
        "training.iterations": 60,
        "training.validate_every": 10,
        "training.batchsize": 8,
        "+toy.loss_noise": 0.3,
    }
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="ref", **settings))
    get_experiment(cfg.experiment)(cfg).run()

    overrides = toy_overrides(tmp_path, run_name="killed", **settings, **{"+toy.sleep_per_step": 0.05})
    process = subprocess.Popen(
        [sys.executable, "run.py", "-cn", "default", *overrides],
        cwd=REPO,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_dir = tmp_path / "runs" / "toy" / "killed"
    checkpoint = run_dir / "checkpoints" / "last.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    step_at_kill = load_checkpoint(checkpoint)["step"]
    assert 10 <= step_at_kill < 60
    assert not (run_dir / "models").exists()

    resumed = run_cli(["-cn", "default", *overrides, "resume=true", "++toy.sleep_per_step=0"])
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed {run_dir} at step {step_at_kill}" in resumed.stdout
    state = load_checkpoint(checkpoint)
    assert state["step"] == 60
    assert state["history"]["val_step"] == [10, 20, 30, 40, 50, 60]
    # Same batches, RNG states and optimizer state: the result equals the uninterrupted run's.
    assert _final_metrics(run_dir) == _final_metrics(tmp_path / "runs" / "toy" / "ref")
