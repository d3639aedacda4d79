"""DistributedDataParallel on two CPU processes (gloo) through torchrun."""

from __future__ import annotations

import json
import subprocess
import sys

from experiment_test_utils import REPO, compose_config, subprocess_env, toy_overrides

from experiments.common.checkpoint import load_checkpoint
from experiments.registry import get_experiment


def test_torchrun_two_processes_matches_single_process(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="single"))
    get_experiment(cfg.experiment)(cfg).run()
    ddp = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "run.py",
            "-cn",
            "default",
            *toy_overrides(tmp_path, run_name="ddp", use_mlflow=True, device="cpu"),
        ],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    # Rank 0 alone logs: each validation summary appears once.
    assert ddp.stdout.count("step 40/40 |") == 1, ddp.stdout
    assert ddp.stdout.count("test.mse") == 1
    single_state = load_checkpoint(tmp_path / "runs" / "toy" / "single" / "checkpoints" / "last.pt")
    ddp_state = load_checkpoint(tmp_path / "runs" / "toy" / "ddp" / "checkpoints" / "last.pt")
    assert ddp_state["world_size"] == 2
    assert ddp_state["step"] == single_state["step"] == 40
    assert ddp_state["history"]["val_step"] == single_state["history"]["val_step"]
    # Rank 0 evaluates the whole test split once.
    (evaluation,) = (tmp_path / "runs" / "toy" / "ddp" / "evaluation").glob("*.json")
    assert json.loads(evaluation.read_text())["test.count"] == 80
