"""Check that an experiment's training loss runs without a host-device synchronisation.

``torch.compile(fullgraph=True)`` refuses to trace ``.item()``, ``float(tensor)``, ``bool(tensor)``
and Python branches on tensor values: each of these is a graph break, and on a GPU a stall of the
device on every training step. Tracing ``batch_loss`` with the ``eager`` backend finds them
without compiling kernels, so the check is fast on CPU.
"""

from __future__ import annotations

from typing import Any

import torch
from omegaconf import DictConfig

from experiments.registry import get_experiment


def build_experiment(cfg: DictConfig) -> Any:
    """The experiment of ``cfg`` with its data and model, as ``run.py`` would build them, without
    a run folder, MLflow run or trainer."""
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model().to(experiment.device)
    experiment.model = experiment.raw_model
    return experiment


def first_batch(experiment: Any, size: int = 8) -> Any:
    """The first ``size`` training items, assembled by the experiment's own loader and collate."""
    loader = experiment.loader("train", batch_size=size)
    return experiment.to_device(next(iter(loader)))


def assert_batch_loss_sync_free(experiment: Any, batch: Any) -> None:
    """``experiment.batch_loss(batch)`` traces as one graph and gives the eager loss and metrics."""
    torch._dynamo.reset()
    experiment.model.train()
    torch.manual_seed(0)
    loss, extra = experiment.batch_loss(batch)
    torch.manual_seed(0)
    traced = torch.compile(experiment.batch_loss, fullgraph=True, dynamic=False, backend="eager")
    traced_loss, traced_extra = traced(batch)
    torch.testing.assert_close(traced_loss, loss)
    assert set(traced_extra) == set(extra)
    for key, value in extra.items():
        assert isinstance(value, torch.Tensor), f"metric {key!r} left the device: {type(value).__name__}"
        torch.testing.assert_close(traced_extra[key], value)
