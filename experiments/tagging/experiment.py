"""The jet-tagging experiment: top tagging, quark-gluon tagging and JetClass."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf
from torch import nn
from torch.nn import functional as F

from experiments.base_experiment import BaseExperiment
from experiments.registry import register_experiment
from experiments.tagging.dataset import (
    JetDataset,
    TaggingBatch,
    collate_batch,
    load_tagging_splits,
)
from experiments.tagging.metrics import binary_metrics, multiclass_metrics
from experiments.tagging.plots import plot_roc, plot_scores

LOGGER = logging.getLogger("lorentznets")


@register_experiment("toptagging")
@register_experiment("qgtagging")
@register_experiment("jetclass")
class TaggingExperiment(BaseExperiment):
    """Jet classification with any tagger registered for the ``"tagging"`` family.

    Binary tasks (``data.class_names`` of length 2: top vs QCD, quark vs gluon) train one
    logit with binary cross-entropy and report accuracy, AUC and 1/eB at eS = 0.3, 0.5, 0.8;
    multi-class tasks (JetClass, 10 classes) train with cross-entropy and report accuracy and
    one-vs-rest AUCs. The config picks the task; one class serves all three names.
    """

    @property
    def class_names(self) -> list[str]:
        """Class names indexed by label."""
        return list(self.cfg.data.class_names)

    @property
    def is_binary(self) -> bool:
        """True for two classes (one logit)."""
        return len(self.class_names) == 2

    def init_data(self) -> dict[str, JetDataset]:
        data_cfg = OmegaConf.to_container(self.cfg.data, resolve=True)
        if self.is_main:
            splits = load_tagging_splits(data_cfg)
        self.dist.barrier()
        if not self.is_main:
            splits = load_tagging_splits(data_cfg)
        datasets = {name: JetDataset(jets, use_scalars=self.cfg.data.use_scalars) for name, jets in splits.items()}
        num_classes = len(self.class_names)
        for name, dataset in datasets.items():
            bad = (dataset.labels < 0) | (dataset.labels >= num_classes)
            if bad.any():
                raise ValueError(
                    f"{dataset.source}: {name} split has labels outside 0..{num_classes - 1} "
                    f"(data.class_names has {num_classes} classes), first at jet "
                    f"{int(bad.nonzero()[0])}"
                )
            if self.cfg.data.use_scalars and dataset.scalars is None:
                raise ValueError(
                    f"{dataset.source}: data.use_scalars=true but the file has no per-particle scalars (particle IDs)"
                )
        for name, dataset in datasets.items():
            LOGGER.info("%s: %d jets from %s", name, len(dataset), dataset.source)
        return datasets

    def init_model(self) -> nn.Module:
        train = self.datasets["train"]
        options = self.cfg.model.get("wrapper")
        model = self.build_wrapper(
            "tagging",
            out_channels=1 if self.is_binary else len(self.class_names),
            num_scalars=train.num_scalars,
            **(OmegaConf.to_container(options, resolve=True) if options is not None else {}),
        )
        # The unit of the momenta: the spread of real constituent components in the training
        # set. A global constant, so it commutes with Lorentz transformations.
        model.set_momentum_scale(float(train.momenta[train.mask].std()))
        return model

    def collate(self, items: TaggingBatch) -> TaggingBatch:
        return collate_batch(items)

    def _logits(self, model: nn.Module, batch: TaggingBatch) -> torch.Tensor:
        logits = model(batch["momenta"], batch["mask"], batch.get("scalars"))
        return logits.float()

    def _loss(self, logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, float]:
        if self.is_binary:
            logits = logits[:, 0]
            loss = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
            accuracy = ((logits > 0).long() == labels).float().mean().item()
        else:
            loss = F.cross_entropy(logits, labels)
            accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
        return loss, accuracy

    def batch_loss(self, batch: TaggingBatch) -> tuple[torch.Tensor, dict[str, float]]:
        loss, accuracy = self._loss(self._logits(self.model, batch), batch["labels"])
        return loss, {"accuracy": accuracy}

    @torch.no_grad()
    def predict(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """Labels (N,) and class probabilities (N, C) of ``self.raw_model`` on ``split``."""
        labels, probabilities = [], []
        for batch in self.loader(split):
            batch = self.to_device(batch)
            with self.autocast():
                logits = self._logits(self.raw_model, batch)
            if self.is_binary:
                signal = torch.sigmoid(logits[:, 0])
                probs = torch.stack([1 - signal, signal], dim=1)
            else:
                probs = torch.softmax(logits, dim=1)
            labels.append(batch["labels"].cpu())
            probabilities.append(probs.double().cpu())
        return torch.cat(labels).numpy(), torch.cat(probabilities).numpy()

    def evaluate(self, split: str) -> dict[str, float]:
        labels, probabilities = self.predict(split)
        self.predictions = (split, labels, probabilities)
        if self.is_binary:
            return binary_metrics(labels, probabilities[:, 1], efficiencies=(0.3, 0.5, 0.8))
        return multiclass_metrics(labels, probabilities, self.class_names)

    def plot(self) -> list[Path]:
        if not hasattr(self, "predictions"):
            return []
        split, labels, probabilities = self.predictions
        name = self.class_names
        paths = []
        if self.is_binary:
            paths.append(
                plot_roc(
                    labels,
                    probabilities[:, 1],
                    self.plot_dir / f"roc_{split}.pdf",
                    title=f"{self.cfg.exp_name}, {self.cfg.model.name}",
                )
            )
            paths.append(
                plot_scores(
                    labels,
                    probabilities[:, 1],
                    name,
                    self.plot_dir / f"scores_{split}.pdf",
                    xlabel=f"{name[1]} score",
                )
            )
        else:
            for index, class_name in enumerate(name[1:], start=1):
                # One-vs-background (class 0) curves, as in the JetClass paper.
                if not ((labels == index).any() and (labels == 0).any()):
                    continue
                selected = (labels == 0) | (labels == index)
                score = probabilities[selected, index] / (
                    probabilities[selected, index] + probabilities[selected, 0] + 1e-12
                )
                paths.append(
                    plot_roc(
                        (labels[selected] == index).astype(int),
                        score,
                        self.plot_dir / f"roc_{split}_{class_name}.pdf",
                        title=f"{class_name} vs {name[0]}",
                    )
                )
            paths.append(
                plot_scores(
                    labels,
                    probabilities.max(axis=1),
                    name,
                    self.plot_dir / f"scores_{split}.pdf",
                    xlabel="max class probability",
                )
            )
        return paths
