"""Run a tiny LorentzNet top tagging under torchrun and save each rank's buffers (used by
``test_distributed.py``): ``torchrun --nproc_per_node=2 ddp_lorentznet_run.py <out dir> <overrides>``."""

import sys
from pathlib import Path

import torch
from experiment_test_utils import compose_config

from experiments.registry import get_experiment

if __name__ == "__main__":
    out = Path(sys.argv[1])
    cfg = compose_config("toptagging", sys.argv[2:])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    rank = experiment.dist.rank
    buffers = {name: value.clone() for name, value in experiment.raw_model.named_buffers()}
    torch.save(buffers, out / f"buffers_rank{rank}.pt")
