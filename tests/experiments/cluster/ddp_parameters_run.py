"""Run the toy experiment under torchrun and save this rank's final parameters (used by
``test_two_node_torchrun.py``): ``torchrun ... ddp_parameters_run.py <out dir> <overrides>``."""

import sys
from pathlib import Path

import torch
from experiment_test_utils import compose_config

from experiments.registry import get_experiment

if __name__ == "__main__":
    out = Path(sys.argv[1])
    cfg = compose_config("default", sys.argv[2:])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    torch.save(experiment.raw_model.state_dict(), out / f"parameters_rank{experiment.dist.rank}.pt")
