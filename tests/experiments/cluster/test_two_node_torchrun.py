"""Multi-node DDP as on a cluster: two torchrun launches ("nodes", one process each) meet at a
c10d rendezvous on localhost and train one model with gloo."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import torch
from cluster.cluster_test_utils import free_port
from experiment_test_utils import HERE, REPO, compose_config, subprocess_env, toy_overrides

from experiments.common.checkpoint import load_checkpoint
from experiments.registry import get_experiment

pytestmark = pytest.mark.slow


def _torchrun_node(endpoint: str, run_id: str, *args: str) -> subprocess.Popen:
    """One node of a two-node torchrun job (what docs/running.md's Slurm script runs on each node)."""
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc_per_node=1"]
    command += ["--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", f"--rdzv-id={run_id}", "--max-restarts=0"]
    return subprocess.Popen(
        [*command, *args], cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_two_torchrun_nodes_train_the_same_model_as_one_process(tmp_path):
    single_cfg = compose_config("default", toy_overrides(tmp_path, run_name="single"))
    get_experiment(single_cfg.experiment)(single_cfg).run()

    endpoint, run_id = f"127.0.0.1:{free_port()}", uuid.uuid4().hex[:8]
    script = str(HERE / "cluster" / "ddp_parameters_run.py")
    overrides = toy_overrides(tmp_path, run_name="two_nodes", device="cpu")
    nodes = [_torchrun_node(endpoint, run_id, script, str(tmp_path), *overrides) for _ in range(2)]
    for node in nodes:
        output, _ = node.communicate(timeout=600)
        assert node.returncode == 0, output[-3000:]

    # Both ranks hold the same trained weights ...
    rank0 = torch.load(tmp_path / "parameters_rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "parameters_rank1.pt", weights_only=True)
    for name in rank0:
        torch.testing.assert_close(rank0[name], rank1[name], rtol=0, atol=0)
    # ... trained on batches split over the two nodes: the same losses as one process.
    runs = tmp_path / "runs" / "toy"
    single = load_checkpoint(runs / "single" / "checkpoints" / "last.pt")
    two_nodes = load_checkpoint(runs / "two_nodes" / "checkpoints" / "last.pt")
    assert two_nodes["world_size"] == 2 and two_nodes["step"] == single["step"] == 40
    for key in ("train_loss", "val_loss"):
        torch.testing.assert_close(
            torch.tensor(two_nodes["history"][key]), torch.tensor(single["history"][key]), rtol=1e-4, atol=0
        )
