"""DistributedDataParallel on two CPU processes (gloo) through torchrun."""

from __future__ import annotations

import json

import torch
from experiment_test_utils import HERE, compose_config, run_torchrun, toy_overrides
from tagging.tagging_test_utils import tagging_overrides, write_lgn_jets

from experiments.common.checkpoint import load_checkpoint
from experiments.registry import get_experiment


def test_torchrun_two_processes_matches_single_process(tmp_path):
    # one validation batch of one process (32 of 80 samples, a fixed subset), whatever the number of processes
    cap = {"training.max_val_batches": 1}
    cfg = compose_config("default", toy_overrides(tmp_path, run_name="single", **cap))
    get_experiment(cfg.experiment)(cfg).run()
    ddp = run_torchrun(
        ["run.py", "-cn", "default", *toy_overrides(tmp_path, run_name="ddp", use_mlflow=True, device="cpu", **cap)]
    )
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    # Rank 0 alone logs: each validation summary appears once.
    assert ddp.stdout.count("step 40/40 |") == 1, ddp.stdout
    assert ddp.stdout.count("test.mse") == 1
    single_state = load_checkpoint(tmp_path / "runs" / "toy" / "single" / "checkpoints" / "last.pt")
    ddp_state = load_checkpoint(tmp_path / "runs" / "toy" / "ddp" / "checkpoints" / "last.pt")
    assert ddp_state["world_size"] == 2
    # each rank draws its own random numbers, and the checkpoint holds both ranks' generators
    first, second = (state["torch"] for state in ddp_state["rng_ranks"])
    assert not torch.equal(first, second)
    assert single_state["rng_ranks"] == []
    assert ddp_state["step"] == single_state["step"] == 40
    assert ddp_state["history"]["val_step"] == single_state["history"]["val_step"]
    torch.testing.assert_close(ddp_state["history"]["val_loss"], single_state["history"]["val_loss"], rtol=1e-4, atol=0)
    # Rank 0 evaluates the whole test split once.
    (evaluation,) = (tmp_path / "runs" / "toy" / "ddp" / "evaluation").glob("*.json")
    assert json.loads(evaluation.read_text())["test.count"] == 80


def test_lorentznet_batch_norm_agrees_across_ranks_and_with_one_process(tmp_path):
    jets = write_lgn_jets(tmp_path / "jets.h5", num_jets=160)
    transformer_only = ("model.net.hidden_channels", "model.net.num_blocks", "model.net.num_heads")
    settings = {
        "data.max_particles": 12,
        "training.iterations": 8,
        "training.validate_every": 4,
        "training.log_every": 1,
        "training.batchsize": 16,
        "device": "cpu",
    }
    overrides = ["model=lorentznet", "model.net.hidden_channels=8", "model.net.num_blocks=2"] + [
        o for o in tagging_overrides(tmp_path, jets, **settings) if not o.startswith(transformer_only)
    ]
    single_cfg = compose_config("toptagging", [*overrides, "run_name=single"])
    get_experiment(single_cfg.experiment)(single_cfg).run()
    ddp = run_torchrun([str(HERE / "ddp_lorentznet_run.py"), str(tmp_path), *overrides, "run_name=ddp"])
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    rank0 = torch.load(tmp_path / "buffers_rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "buffers_rank1.pt", weights_only=True)
    assert [name for name in rank0 if name.endswith(("running_mean", "running_var"))]
    for name in rank0:
        torch.testing.assert_close(rank0[name], rank1[name], rtol=0, atol=0)
    runs = tmp_path / "runs" / "toptagging"
    single_history = load_checkpoint(runs / "single" / "checkpoints" / "last.pt")["history"]
    ddp_history = load_checkpoint(runs / "ddp" / "checkpoints" / "last.pt")["history"]
    # The loss of the global batch at every step, and the validation losses, are those of one
    # process, to float32 tolerance: the ranks sum their statistics and messages in another order.
    for key, tolerance in (("train_loss", 1e-3), ("val_loss", 1e-3)):
        torch.testing.assert_close(
            torch.tensor(ddp_history[key]), torch.tensor(single_history[key]), rtol=tolerance, atol=0
        )
