"""A tiny regression experiment for framework tests: y = x @ w + noise, linear or MLP model.

Selected with ``experiment=toy_experiment:ToyExperiment`` (this folder on ``PYTHONPATH``) and
``+model.name=linear`` plus ``+toy.num_samples=...`` overrides.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import TensorDataset

from experiments.base_experiment import BaseExperiment
from experiments.common.config_schema import FREE


class ToyExperiment(BaseExperiment):
    """Linear regression with known weights; used only by the framework tests."""

    config_schema = {"toy": FREE}

    def init_data(self) -> dict[str, TensorDataset]:
        num = self.cfg.toy.num_samples
        if num <= 0:
            raise ValueError(f"toy.num_samples must be positive, got {num}")
        generator = torch.Generator().manual_seed(1234)
        x = torch.randn(num, 4, generator=generator)
        y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1 * torch.randn(num, generator=generator)
        train, val = int(0.6 * num), int(0.8 * num)
        return {
            "train": TensorDataset(x[:train], y[:train]),
            "val": TensorDataset(x[train:val], y[train:val]),
            "test": TensorDataset(x[val:], y[val:]),
        }

    def init_model(self) -> nn.Module:
        return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))

    def batch_loss(self, batch):
        # Slows steps down so that tests can kill a run between checkpoints.
        time.sleep(self.cfg.toy.get("sleep_per_step", 0.0))
        x, y = batch
        # toy.loss_noise: random target noise in training, drawn from the global generator like
        # dropout masks or flow-matching noise (resume and DDP tests see the generator states)
        noise = self.cfg.toy.get("loss_noise", 0.0)
        if noise and self.raw_model.training:
            y = y + noise * torch.randn_like(y)
        loss = nn.functional.mse_loss(self.model(x).squeeze(-1), y)
        return loss, {"rmse": loss.detach().sqrt().item()}

    def _long_phase(self, phase: str) -> None:
        """``toy.<phase>_seconds`` of work, announced on stdout; with ``toy.swallow_exceptions`` it
        behaves like library code whose broad ``except`` hides a stop request."""
        seconds = self.cfg.toy.get(f"{phase}_seconds", 0.0)
        if not seconds:
            return
        end = time.monotonic() + seconds
        announce = True
        while True:
            try:
                if announce:
                    announce = False
                    print(f"toy: {phase} started", flush=True)
                while time.monotonic() < end:
                    time.sleep(0.01)
                return
            except BaseException:
                if not self.cfg.toy.get("swallow_exceptions", False):
                    raise

    def evaluate(self, split: str) -> dict[str, float]:
        self._long_phase("evaluate")
        errors = []
        for x, y in self.loader(split):
            errors.append(self.raw_model(x.to(self.device)).squeeze(-1).cpu() - y)
        error = torch.cat(errors)
        self.test_error = error
        return {"mse": error.pow(2).mean().item(), "count": float(len(error))}

    def plot(self) -> list[Path]:
        self._long_phase("plot")
        path = self.plot_dir / "errors.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.test_error.tolist()))
        return [path]
