"""Top momentum reconstruction with PELICAN's four-vector head: Lorentz covariant with
``model.net.beams=false``; with the beams only under rotations about the beam axis and the
reflections that keep the beam pair (parity among them), not under boosts."""

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

JET_MOMENTUM_LABEL = "jet momentum (all constituents)"
"""The baseline's name in the plots' legends."""


def _mass(p: torch.Tensor) -> torch.Tensor:
    # 1 GeV^2 floor: the square root's slope stays finite for (near-)massless predictions
    return squared_mass(p).clamp(min=1.0).sqrt()


@register_experiment("ptopreco")
class TopMomentumExperiment(BaseExperiment):
    """Regress the truth top four-momentum of top jets from their constituents.

    The loss is the squared error of the four components plus ``loss.mass_weight`` times the
    squared mass error, all in units of the momentum scale. Metrics: relative pT and mass
    resolution and bias, and the angle between predicted and true top directions; the same
    metrics for the jet's momentum from all its constituents (``baseline_*``; the net sees only the
    ``data.max_particles`` hardest) put them in context.
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
        """:func:`resolution_metrics` of the net, and as ``baseline_<name>`` of the jet momenta: the sum
        of all the jet's constituents, also those beyond ``data.max_particles`` (the file's jet
        momentum, :attr:`~lorentznets.data.readers.JetData.jets`)."""
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

    def onnx_description(self) -> dict[str, Any]:
        """Inputs, output and preprocessing of the exported regressor (see
        :mod:`experiments.common.onnx_export`); any number of particles."""
        return {
            "inputs": {
                "momenta": {
                    "shape": ["batch", "particles", 4],
                    "description": "constituent four-momenta (E, px, py, pz) in GeV, real constituents first by "
                    "decreasing pT, zeros for padding",
                },
                "mask": {"shape": ["batch", "particles"], "description": "true for the real constituents"},
            },
            "outputs": {
                "top_momentum": {
                    "shape": ["batch", 4],
                    "description": "the predicted top-quark four-momentum (E, px, py, pz) in GeV: a weighted sum "
                    "of the input constituents' momenta",
                }
            },
            "preprocessing": {
                "max_particles": self.cfg.data.max_particles,
                "particle_selection": "the max_particles constituents of highest pT (as trained)",
                "momentum_scale_gev": float(self.raw_model.momentum_scale),
                "momentum_scale_use": "inside the graph: the net sees momenta / momentum_scale_gev and its output "
                "is multiplied back; feed GeV",
            },
        }

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
        """Predicted and true top momenta and the jet momenta (the baseline), each (N, 4) in GeV."""
        predicted, truth, jets = [], [], []
        for batch in self.loader(split):
            batch = self.to_device(batch)
            out = self.raw_model(batch["momenta"], batch["mask"])
            predicted.append(out.double().cpu())
            truth.append(batch["truth"].double().cpu())
            jets.append(batch["jets"].double().cpu())
        return tuple(torch.cat(x).numpy() for x in (predicted, truth, jets))

    def evaluate(self, split: str) -> dict[str, float]:
        predicted, truth, jets = self.predict(split)
        self.predictions = {**getattr(self, "predictions", {}), split: (predicted, truth, jets)}
        metrics = resolution_metrics(predicted, truth)
        metrics.update({f"baseline_{k}": v for k, v in resolution_metrics(jets, truth).items()})
        return metrics

    def plot(self) -> list[Path]:
        """Residuals of every evaluated split."""
        paths = []
        for split, (predicted, truth, jets) in getattr(self, "predictions", {}).items():
            data = {self.cfg.model.name: residuals(predicted, truth), JET_MOMENTUM_LABEL: residuals(jets, truth)}
            paths.extend(plot_residuals(data, self.plot_dir / f"residuals_{split}.pdf"))
        return paths
