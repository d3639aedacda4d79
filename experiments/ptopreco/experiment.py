"""Top momentum reconstruction with a Lorentz-covariant regressor (PELICAN's 4-vector head)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn

from experiments.base_experiment import BaseExperiment
from experiments.ptopreco.dataset import RegressionBatch, TopMomentumDataset, load_top_momentum_splits
from experiments.ptopreco.metrics import RESOLUTION_METRIC_NAMES, residuals, resolution_metrics
from experiments.ptopreco.plots import plot_residuals
from experiments.ptopreco.schema import PTOPRECO_SCHEMA
from experiments.registry import register_experiment
from lorentznets.lorentz import squared_mass

LOGGER = logging.getLogger("lorentznets")


def _mass(p: torch.Tensor) -> torch.Tensor:
    # 1 GeV^2 floor: the square root's slope stays finite for (near-)massless predictions
    return squared_mass(p).clamp(min=1.0).sqrt()


@register_experiment("ptopreco")
class TopMomentumExperiment(BaseExperiment):
    """Regress the truth top four-momentum of top jets from their constituents.

    The loss is the squared error of the four components plus ``loss.mass_weight`` times the
    squared mass error, all in units of the momentum scale. Metrics: relative pT and mass
    resolution and bias, and the angle between predicted and true top directions; the same
    metrics for the plain constituent sum (``baseline_*``) put them in context.
    """

    config_schema = PTOPRECO_SCHEMA
    model_family = "ptopreco"

    def init_data(self) -> dict[str, TopMomentumDataset]:
        data_cfg = OmegaConf.to_container(self.cfg.data, resolve=True)
        splits = load_top_momentum_splits(data_cfg)
        for name, dataset in splits.items():
            LOGGER.info("%s: %d top jets from %s", name, len(dataset), dataset.source)
        return splits

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...]:
        """:func:`resolution_metrics` of the net, and of the constituent sum as ``baseline_<name>``."""
        return (*RESOLUTION_METRIC_NAMES, *(f"baseline_{name}" for name in RESOLUTION_METRIC_NAMES))

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any]:
        """None needed: the regressor's arguments are all in ``model.net``."""
        return {}

    def init_model(self) -> nn.Module:
        model = self.build_wrapper("ptopreco")
        train = self.datasets["train"]
        # a global constant (spread of constituent components), so it commutes with boosts
        model.set_momentum_scale(float(train.momenta[train.mask].std()))
        return model

    def collate(self, items: RegressionBatch) -> RegressionBatch:
        return items

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        """``(momenta (4, N, 4) GeV, mask (4, N))`` of the first four validation jets."""
        dataset = self.datasets["val"]
        batch = dataset.__getitems__(list(range(min(4, len(dataset)))))
        return self.to_device((batch["momenta"], batch["mask"]))

    def batch_loss(self, batch: RegressionBatch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        predicted = self.model(batch["momenta"], batch["mask"]).float()
        truth = batch["truth"]
        scale = self.raw_model.momentum_scale
        component = ((predicted - truth) / scale).square().sum(dim=-1).mean()
        mass = ((_mass(predicted) - _mass(truth)) / scale).square().mean()
        loss = component + self.cfg.loss.mass_weight * mass
        return loss, {"component_loss": component.detach(), "mass_loss": mass.detach()}

    @torch.no_grad()
    def predict(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predicted and true top momenta and constituent sums, each (N, 4) in GeV."""
        predicted, truth, summed = [], [], []
        for batch in self.loader(split):
            batch = self.to_device(batch)
            out = self.raw_model(batch["momenta"], batch["mask"])
            predicted.append(out.double().cpu())
            truth.append(batch["truth"].double().cpu())
            summed.append(batch["momenta"].double().sum(dim=1).cpu())
        return tuple(torch.cat(x).numpy() for x in (predicted, truth, summed))

    def evaluate(self, split: str) -> dict[str, float]:
        predicted, truth, summed = self.predict(split)
        self.predictions = {**getattr(self, "predictions", {}), split: (predicted, truth, summed)}
        metrics = resolution_metrics(predicted, truth)
        metrics.update({f"baseline_{k}": v for k, v in resolution_metrics(summed, truth).items()})
        return metrics

    def plot(self) -> list[Path]:
        """Residuals of every evaluated split."""
        paths = []
        for split, (predicted, truth, summed) in getattr(self, "predictions", {}).items():
            data = {self.cfg.model.name: residuals(predicted, truth), "constituent sum": residuals(summed, truth)}
            paths.extend(plot_residuals(data, self.plot_dir / f"residuals_{split}.pdf"))
        return paths
