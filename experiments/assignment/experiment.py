"""The jet-parton assignment experiment on all-hadronic ttbar events (SPANet's task)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf
from torch import nn

from experiments.assignment.dataset import AssignmentBatch, AssignmentDataset, load_assignment_splits
from experiments.assignment.evaluation import decode_batches, purity_table, split_metrics
from experiments.assignment.plots import plot_mass, plot_purity_vs_multiplicity, tuple_masses
from experiments.base_experiment import BaseExperiment
from experiments.registry import register_experiment
from lorentznets.assignment.loss import assignment_loss

LOGGER = logging.getLogger("lorentznets")


@register_experiment("ttbar_assignment")
class AssignmentExperiment(BaseExperiment):
    """Assign jets to the decay products of the particles in a SPANet event file.

    Any backbone registered for the ``"assignment"`` family encodes the jets; SPANet-style
    symmetric tensor-attention heads give per-particle log-probabilities, trained with the
    symmetric assignment loss plus the detection loss. Evaluation decodes with the greedy and
    the exact decoder and reports purities per jet multiplicity and number of reconstructable
    particles (``<decoder>.<metric>``).
    """

    def init_data(self) -> dict[str, AssignmentDataset]:
        data_cfg = OmegaConf.to_container(self.cfg.data, resolve=True)
        if self.is_main:
            topology, splits = load_assignment_splits(data_cfg)
        self.dist.barrier()
        if not self.is_main:
            topology, splits = load_assignment_splits(data_cfg)
        self.topology = topology
        if topology.regressions or topology.classifications:
            LOGGER.warning(
                "the event file declares REGRESSIONS/CLASSIFICATIONS; event-level regression and "
                "classification heads are not implemented, these targets are ignored"
            )
        momentum_features = list(self.cfg.data.momentum_features)
        datasets = {name: AssignmentDataset(events, momentum_features) for name, events in splits.items()}
        for name, dataset in datasets.items():
            LOGGER.info("%s: %d events from %s", name, len(dataset), dataset.source)
        return datasets

    def init_model(self) -> nn.Module:
        options = self.cfg.model.get("wrapper")
        model = self.build_wrapper(
            "assignment",
            topology=self.topology,
            invariant_features=list(self.cfg.data.invariant_features),
            features=self.cfg.heads.features,
            rank=self.cfg.heads.rank,
            **(OmegaConf.to_container(options, resolve=True) if options is not None else {}),
        )
        train = self.datasets["train"]
        model.fit_normalization(train.events.features, train.events.mask, train.events.global_features)
        # A global constant commutes with Lorentz transformations.
        model.set_momentum_scale(float(train.momenta[train.events.mask].std()))
        return model

    def collate(self, items: AssignmentBatch) -> AssignmentBatch:
        return items

    def _forward(self, model: nn.Module, batch: AssignmentBatch) -> tuple[list[torch.Tensor], torch.Tensor]:
        log_probs, detection = model(batch["features"], batch["momenta"], batch["mask"], batch["global_features"])
        return [lp.float() for lp in log_probs], detection.float()

    def batch_loss(self, batch: AssignmentBatch) -> tuple[torch.Tensor, dict[str, float]]:
        log_probs, detection = self._forward(self.model, batch)
        loss, parts = assignment_loss(
            log_probs, detection, batch["targets"], self.topology, self.cfg.heads.detection_weight
        )
        return loss, {key: float(value) for key, value in parts.items()}

    def _outputs(self, split: str):
        for batch in self.loader(split):
            batch = self.to_device(batch)
            with self.autocast():
                log_probs, detection = self._forward(self.raw_model, batch)
            yield log_probs, detection, batch

    def evaluate(self, split: str) -> dict[str, float]:
        decoded = decode_batches(self._outputs(split))
        metrics = split_metrics(decoded, self.topology)
        self.decoded = (split, decoded)
        LOGGER.info("\n%s", purity_table(metrics, f"{self.cfg.exp_name}, {self.cfg.model.name}, {split} split"))
        return metrics

    def plot(self) -> list[Path]:
        if not hasattr(self, "decoded"):
            return []
        split, decoded = self.decoded
        prefix = {key: value for key, value in self.metrics.items() if key.startswith(f"{split}.")}
        metrics = {key[len(split) + 1 :]: value for key, value in prefix.items()}
        paths = [
            plot_purity_vs_multiplicity(
                metrics, self.plot_dir / f"purity_{split}.pdf", f"{self.cfg.exp_name}, {self.cfg.model.name}"
            )
        ]
        paths += self._mass_plots(split, decoded)
        return paths

    def _mass_plots(self, split: str, decoded) -> list[Path]:
        """Masses of the exactly decoded particles and of their W candidates (the two products
        that the product symmetry exchanges) against the true jets'."""
        tuples, assigned = decoded.predictions["exact"]
        paths = []
        for p, particle in enumerate(self.topology.particles):
            target = decoded.targets[p]
            keep = assigned[:, p] & (target >= 0).all(1)
            if not keep.any():
                continue
            name = particle.name
            paths.append(
                plot_mass(
                    tuple_masses(decoded.momenta, tuples[p], keep),
                    tuple_masses(decoded.momenta, target, keep),
                    self.plot_dir / f"mass_{name}_{split}.pdf",
                    f"m({name} jets) [GeV]",
                    np.linspace(0, 400, 61),
                    173.0,
                )
            )
            swapped = [i for i in range(particle.num_products) if any(s[i] != i for s in particle.symmetries)]
            if len(swapped) == 2:
                paths.append(
                    plot_mass(
                        tuple_masses(decoded.momenta, tuples[p][:, swapped], keep),
                        tuple_masses(decoded.momenta, target[:, swapped], keep),
                        self.plot_dir / f"mass_{name}_W_{split}.pdf",
                        f"m({name}: {' + '.join(particle.products[i] for i in swapped)}) [GeV]",
                        np.linspace(0, 250, 51),
                        80.4,
                    )
                )
        return paths
