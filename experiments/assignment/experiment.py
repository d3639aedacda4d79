"""The jet-parton assignment experiment on all-hadronic ttbar events (SPANet's task)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from omegaconf import DictConfig, OmegaConf
from torch import nn

from experiments.assignment.dataset import (
    AssignmentBatch,
    AssignmentDataset,
    event_file_path,
    load_assignment_splits,
)
from experiments.assignment.evaluation import DECODERS, count_table, decode_batches, purity_table, split_metrics
from experiments.assignment.event_features import event_features, refuse_other_features
from experiments.assignment.event_metrics import classification_metrics, event_target_table, regression_metrics
from experiments.assignment.onnx_export import INPUT_NAMES, FlatOutputs, export_onnx, io_description
from experiments.assignment.plots import plot_mass, plot_purity_vs_multiplicity, tuple_masses
from experiments.assignment.schema import ASSIGNMENT_SCHEMA
from experiments.base_experiment import BaseExperiment
from experiments.common.host_inputs import host_inputs
from experiments.common.onnx_export import OnnxExportError, float32_cpu
from experiments.registry import register_experiment
from lorentznets.assignment.event_heads import saved_num_classes
from lorentznets.assignment.event_loss import (
    classification_counts,
    classification_losses,
    regression_counts,
    regression_losses,
)
from lorentznets.assignment.event_targets import classification_targets
from lorentznets.assignment.loss import assignment_loss, particle_present
from lorentznets.assignment.metrics import aligned_predictions
from lorentznets.assignment.topology import EventTopology
from lorentznets.data.generate.spanet_event_file import TTBAR_EVENT_FILE

LOGGER = logging.getLogger("lorentznets")


@register_experiment("ttbar_assignment")
class AssignmentExperiment(BaseExperiment):
    """Assign jets to the decay products of the particles in a SPANet event file.

    Any backbone registered for the ``"assignment"`` family encodes the jets; SPANet-style
    symmetric tensor-attention heads give per-particle log-probabilities, trained with the
    symmetric assignment loss plus the detection loss. Evaluation decodes with the greedy and
    the exact decoder and reports purities per jet multiplicity and number of reconstructable
    particles (``<decoder>.<metric>``).

    When the event file declares REGRESSIONS or CLASSIFICATIONS (SPANet's layout, see
    :mod:`lorentznets.assignment.event_targets`), small MLP heads on the mean of the per-jet
    features over real jets (joined with the global inputs) predict them. Regression targets are
    standardised with training statistics kept in the model; each classification target has
    max label + 1 classes on the training split (saved with the model, reused on warm start).
    Their masked losses (squared error on standardised values, absolute for ``laplacian``
    targets, ignoring NaN; cross-entropy ignoring -1) are added with weights
    ``training.regression_loss_weight`` and
    ``training.classification_loss_weight``; evaluation adds ``regression.<key>.rmse``,
    ``.residual_std`` (original units), ``.rmse_mean_prediction`` (predicting the training mean
    of the space the target is fitted in) and ``classification.<key>.accuracy`` (``.auc`` for
    two classes).
    """

    config_schema = ASSIGNMENT_SCHEMA
    model_family = "assignment"
    # the order of the invariant features is the order of the backbone's scalar inputs
    function_settings = ("data.invariant_features", "heads.features", "heads.rank")

    def init_data(self) -> dict[str, AssignmentDataset]:
        data_cfg = OmegaConf.to_container(self.cfg.data, resolve=True)
        topology, splits = load_assignment_splits(data_cfg)
        self.topology = topology
        if self.cfg.warm_start_idx is not None:
            path, checkpoint = self.warm_start_checkpoint()
            saved = checkpoint.get("event_features")
            if saved is not None:  # a model saved before 2026-12-07 recorded none: nothing to compare
                refuse_other_features(saved, topology, path)
        datasets = {name: AssignmentDataset(events) for name, events in splits.items()}
        for name, dataset in datasets.items():
            LOGGER.info("%s: %d events from %s", name, len(dataset), dataset.source)
        return datasets

    def saved_model_extras(self) -> dict[str, Any]:
        """The event file's input columns in order with their transforms
        (:func:`~experiments.assignment.event_features.event_features`), which a reload must list alike."""
        return {"event_features": event_features(self.topology)}

    def _num_classes(self) -> list[int] | None:
        """Classes per classification target: from the saved model on warm start, else max label
        + 1 on the training split; every split's labels must fit."""
        train = self.datasets["train"].events
        if not train.classification_names:
            return None
        counts = None
        if self.cfg.warm_start_idx is not None:
            counts = saved_num_classes(self.warm_start_checkpoint()[1]["model"])
        if counts is None:
            labels = train.classifications
            if (labels < 0).all(dim=0).any():
                empty = train.classification_names[int((labels < 0).all(dim=0).nonzero()[0])]
                raise ValueError(f"{train.source}: classification target {empty!r} has no label in the training split")
            counts = [int(c) + 1 for c in labels.max(dim=0).values]
        for split, dataset in self.datasets.items():
            events = dataset.events
            for k, name in enumerate(events.classification_names):
                largest = int(events.classifications[:, k].max()) if len(events) else -1
                if largest >= counts[k]:
                    raise ValueError(
                        f"{events.source}: CLASSIFICATIONS/{name} in the {split} split has class {largest}, "
                        f"but the model has {counts[k]} classes (from the training split)"
                    )
        return counts

    @classmethod
    def check_config(cls, cfg: DictConfig) -> None:
        """The base checks; says when ``evaluation.export_onnx`` will not be written."""
        super().check_config(cfg)
        if cfg.evaluation.export_onnx and not (cfg.plot and cfg.evaluate):
            LOGGER.warning(
                "evaluation.export_onnx=true but plot=%s, evaluate=%s: models/model_run<k>_assignment.onnx is "
                "written with the plots of an evaluation, so not in this run (export.onnx=true exports the network "
                "alone)",
                cfg.plot,
                cfg.evaluate,
            )

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...]:
        """Each decoder's purities (``<decoder>.*``), the detection accuracy, and the event-level
        targets' metrics (``regression.*``, ``classification.*``)."""
        return (
            *(f"{decoder}.*" for decoder in DECODERS),
            "detection_accuracy",
            "detection_count_accuracy",
            "regression.*",
            "classification.*",
        )

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any] | None:
        """The topology of the event file, or of the one the default ttbar generation will write,
        and two classes per classification target. None, and the model checked only once the
        data are read, for an unreadable event file (:meth:`init_data` says what is wrong) or
        one that a generation with further options will write."""
        data = OmegaConf.to_container(cfg.data, resolve=True)
        path = event_file_path(data)
        generate = data["generate"]
        if path.is_file():
            try:
                topology = EventTopology.from_yaml(path)
            except (OSError, KeyError, ValueError, yaml.YAMLError):
                return None
        elif generate is not None and generate["dataset"] == "ttbar" and not generate["args"]:
            topology = EventTopology.from_dict(yaml.safe_load(TTBAR_EVENT_FILE), "the ttbar generator's event file")
        else:
            return None
        targets = classification_targets(topology)
        return {
            "topology": topology,
            "invariant_features": list(cfg.data.invariant_features),
            "features": cfg.heads.features,
            "rank": cfg.heads.rank,
            **({"num_classes": [2] * len(targets)} if targets else {}),
        }

    def init_model(self) -> nn.Module:
        num_classes = self._num_classes()
        model = self.build_wrapper(
            "assignment",
            topology=self.topology,
            invariant_features=list(self.cfg.data.invariant_features),
            features=self.cfg.heads.features,
            rank=self.cfg.heads.rank,
            **({"num_classes": num_classes} if num_classes is not None else {}),
        )
        train = self.datasets["train"]
        model.fit_normalization(train.events.features, train.events.mask, train.events.global_features)
        model.fit_regression_statistics(train.events.regressions)
        # A global constant commutes with Lorentz transformations.
        model.set_momentum_scale(float(train.momenta[train.events.mask].std()))
        return model

    def collate(self, items: AssignmentBatch) -> AssignmentBatch:
        """The dataset's stacked batch, with the backbone's mask-derived indices (LorentzNet's
        edges of real pairs) built here on the host (:mod:`experiments.common.host_inputs`)."""
        return {**items, "host_inputs": host_inputs(getattr(self, "raw_model", None), items["mask"])}

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        """``(features (4, N, F), momenta (4, N, 4) GeV, mask (4, N), global_features (4, G))`` of the
        first four validation events, the inputs of :mod:`experiments.assignment.onnx_export`."""
        dataset = self.datasets["val"]
        batch = dataset.__getitems__(list(range(min(4, len(dataset)))))
        return self.to_device(tuple(batch[key] for key in INPUT_NAMES))

    def exported_model(self, model: nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[nn.Module, tuple]:
        """The wrapper with one output per particle and event target (:class:`FlatOutputs`), as
        ``evaluation.export_onnx`` traces it, on ``inputs``."""
        return FlatOutputs(model), inputs

    def onnx_description(self) -> dict[str, Any]:
        """Inputs, outputs and preprocessing of ``export.onnx``'s graph (see
        :mod:`experiments.common.onnx_export`): those of ``evaluation.export_onnx``
        (:func:`~experiments.assignment.onnx_export.io_description`), any number of events and jets."""
        model = self.raw_model
        return {
            **io_description(model),
            "preprocessing": {
                "sequential_inputs": list(self.topology.sequential_inputs),
                "feature_transforms": dict(zip(model.feature_names, model.feature_transform.transforms)),
                "feature_transform_use": "inside the graph (SPANet's transforms with the training statistics): "
                "feed the raw features",
                "momentum_scale_gev": float(model.momentum_scale),
                "momentum_scale_use": "inside the graph: the backbone sees momenta / momentum_scale_gev; feed GeV",
            },
        }

    def _forward(self, model: nn.Module, batch: AssignmentBatch):
        """``(log_probs, detection_logits, event_outputs or None)``, float32."""
        outputs = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"], **batch.get("host_inputs", {})
        )
        log_probs, detection = [lp.float() for lp in outputs[0]], outputs[1].float()
        if len(outputs) == 2:
            return log_probs, detection, None
        regressions, logits = outputs[2]
        return log_probs, detection, (regressions.float(), [c.float() for c in logits])

    def batch_loss(self, batch: AssignmentBatch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The assignment, detection and event-target losses of ``batch`` and their weighted sum.

        In validation (the unwrapped model in eval mode) the metrics also hold each event
        target's loss (``regression_loss.<r>``, ``classification_loss.<k>``), which
        :meth:`batch_weight` and :meth:`validation_metrics` average over the split.
        """
        log_probs, detection, event_outputs = self._forward(self.model, batch)
        validating = not self.raw_model.training
        counts = self._counts(batch)
        divisor, regression_divisors, classification_divisors = self._loss_divisors(counts, detection.dtype)
        loss, parts = assignment_loss(
            log_probs,
            detection,
            batch["targets"],
            self.topology,
            self.cfg.heads.detection_weight,
            divisor=divisor,
            present=counts[0],
        )
        parts = {key: value.detach() for key, value in parts.items()}
        if event_outputs is not None:
            regressions, logits = event_outputs
            training = self.cfg.training
            if regressions.shape[-1]:
                per_target = regression_losses(
                    self.raw_model.event_heads, regressions, batch["regressions"], regression_divisors
                )
                loss = loss + training.regression_loss_weight * per_target.sum()
                parts["regression_loss"] = per_target.sum().detach()
                if validating:
                    parts.update({f"regression_loss.{r}": value for r, value in enumerate(per_target.detach())})
            if logits:
                per_target = classification_losses(logits, batch["classifications"], classification_divisors)
                loss = loss + training.classification_loss_weight * per_target.sum()
                parts["classification_loss"] = per_target.sum().detach()
                if validating:
                    parts.update({f"classification_loss.{k}": value for k, value in enumerate(per_target.detach())})
        return loss, parts

    @staticmethod
    def _counts(batch: AssignmentBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """What the losses of ``batch`` are averaged over: which particles are present (B, P) bool
        (:func:`particle_present` per target), the known values per regression target (R,) and the
        labelled events per classification target (T,)."""
        present = torch.stack([particle_present(t) for t in batch["targets"]], dim=-1)
        return present, regression_counts(batch["regressions"]), classification_counts(batch["classifications"])

    def _loss_divisors(
        self, counts: tuple[torch.Tensor, torch.Tensor, torch.Tensor], dtype: torch.dtype
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The divisors of the assignment loss and of the event targets' losses from :meth:`_counts`:
        the batch's present particles (0-d), known values per regression target (R,) and labelled
        events per classification target (T,), stacked into one tensor so that
        :meth:`shard_normaliser` reduces them over the ranks in one all-reduce per training step
        (one per loss term before)."""
        present, regressions, classifications = counts
        stacked = torch.cat([present.sum()[None], regressions, classifications]).to(dtype)
        divisor, regression_divisors, classification_divisors = self.shard_normaliser(stacked).split(
            [1, len(regressions), len(classifications)]
        )
        return divisor[0], regression_divisors, classification_divisors

    def batch_weight(self, batch: AssignmentBatch) -> dict[str, torch.Tensor | float]:
        """The denominator of each validation term in ``batch`` (0-d tensors on the device), so that
        the trainer averages each over the split as training averages it over a batch: the
        assignment loss per present particle, the detection loss per event, each event target's
        loss per event where it is known. Weighted per event, the assignment loss of a validation
        split was the mean of batch means, which moved with ``evaluation.batchsize`` and the number
        of processes."""
        present, regressions, classifications = self._counts(batch)
        weights = {"assignment_loss": present.sum(), "detection_loss": float(len(present))}
        for r, count in enumerate(regressions):
            weights[f"regression_loss.{r}"] = count
        for k, count in enumerate(classifications):
            weights[f"classification_loss.{k}"] = count
        return weights

    def validation_metrics(self, means: dict[str, float]) -> tuple[float, dict[str, float]]:
        """The validation loss and its parts from the split's means of the terms of
        :meth:`batch_weight`, combined as :meth:`batch_loss` combines them in a batch."""
        training = self.cfg.training
        metrics = {key: means[key] for key in ("assignment_loss", "detection_loss")}
        loss = metrics["assignment_loss"] + self.cfg.heads.detection_weight * metrics["detection_loss"]
        for name, weight in (
            ("regression_loss", training.regression_loss_weight),
            ("classification_loss", training.classification_loss_weight),
        ):
            terms = [value for key, value in means.items() if key.startswith(f"{name}.")]
            if terms:
                metrics[name] = sum(terms)
                loss += weight * metrics[name]
        return loss, metrics

    def _outputs(self, split: str, event_outputs: list):
        for batch in self.loader(split):
            batch = self.to_device(batch)
            log_probs, detection, event = self._forward(self.raw_model, batch)
            if event is not None:
                event_outputs.append((event, batch["regressions"], batch["classifications"]))
            yield log_probs, detection, batch

    def evaluate(self, split: str) -> dict[str, float]:
        event_outputs: list = []
        decoded = decode_batches(self._outputs(split, event_outputs))
        metrics = split_metrics(decoded, self.topology)
        self.decoded = {**getattr(self, "decoded", {}), split: decoded}
        title = f"{self.cfg.exp_name}, {self.cfg.model.name}, {split} split"
        LOGGER.info("\n%s", purity_table(metrics, title, self.topology))
        LOGGER.info("\n%s", count_table(metrics, title, self.topology))
        if event_outputs:
            event_metrics = self._event_metrics(event_outputs)
            LOGGER.info("\n%s", event_target_table(event_metrics, f"{title}: event-level targets"))
            metrics.update(event_metrics)
        return metrics

    def _event_metrics(self, event_outputs: list) -> dict[str, float]:
        heads = self.raw_model.event_heads
        metrics = {}
        if heads.regressions:
            metrics.update(
                regression_metrics(
                    torch.cat([e[0][0] for e in event_outputs]).cpu().numpy(),
                    torch.cat([e[1] for e in event_outputs]).cpu().numpy(),
                    [t.key for t in heads.regressions],
                    heads.mean_prediction().cpu().numpy(),
                )
            )
        if heads.classifications:
            metrics.update(
                classification_metrics(
                    [
                        torch.cat([e[0][1][k] for e in event_outputs]).cpu().numpy()
                        for k in range(len(heads.classifications))
                    ],
                    torch.cat([e[2] for e in event_outputs]).cpu().numpy(),
                    heads.classifications,
                )
            )
        return metrics

    def plot(self) -> list[Path]:
        """Purity and mass plots of every evaluated split, and the ONNX export when asked for."""
        paths = []
        for split, decoded in getattr(self, "decoded", {}).items():
            prefix = {key: value for key, value in self.metrics.items() if key.startswith(f"{split}.")}
            metrics = {key[len(split) + 1 :]: value for key, value in prefix.items()}
            paths += plot_purity_vs_multiplicity(
                metrics,
                self.plot_dir / f"purity_{split}.pdf",
                self.topology.num_products,
                f"{self.cfg.exp_name}, {self.cfg.model.name}",
            )
            paths += self._mass_plots(split, decoded)
        if not getattr(self, "decoded", None):
            return paths
        if self.cfg.evaluation.export_onnx:
            paths += self._export_onnx()
        return paths

    def _export_onnx(self) -> list[Path]:
        """The trained network as ONNX next to the saved models (``models/model_run<k>_assignment.onnx``
        for model k: a re-evaluation of another model does not replace it), traced on
        a few test events; inputs and outputs are those of
        :mod:`experiments.assignment.onnx_export`, with the evaluation weights (the EMA average when
        ``training.ema_decay`` is set). It is written here, with the plots, and logged with
        them; ``export.onnx`` is the base experiment's export of the network alone. A backbone
        with an operator ONNX lacks is reported in the log and skipped, so the finished run is kept."""
        index = getattr(self, "model_index", self.cfg.warm_start_idx)
        path = self.run_dir.path / "models" / f"model_run{index}_assignment.onnx"
        path.parent.mkdir(parents=True, exist_ok=True)
        batch = self.datasets["test"].__getitems__(list(range(min(4, len(self.datasets["test"])))))
        example = {key: float32_cpu(batch[key]) for key in INPUT_NAMES}
        with self.trainer.evaluation_weights():  # the averaged weights when EMA is on, as evaluated
            model = copy.deepcopy(self.raw_model).float().cpu()
        try:
            export_onnx(model, path, example)
        except OnnxExportError as error:
            LOGGER.warning("no ONNX export for model %s: %s", self.cfg.model.name, error)
            return []
        LOGGER.info("ONNX model in %s", path)
        return [path]

    def _mass_plots(self, split: str, decoded) -> list[Path]:
        """Masses of the exactly decoded particles with two or more products, and of the pair of
        products that the product symmetry exchanges inside a larger decay (the W of a hadronic
        top), against the true jets', each prediction compared with the true particle it
        plays under the best event permutation (t1's jets predicted in t2's slot count for t1)."""
        tuples, assigned = aligned_predictions(*decoded.predictions["exact"], decoded.targets, self.topology)
        paths = []
        for p, particle in enumerate(self.topology.particles):
            target = decoded.targets[p]
            keep = assigned[:, p] & (target >= 0).all(1)
            if particle.num_products < 2 or not keep.any():
                continue
            name = particle.name
            paths.extend(
                plot_mass(
                    tuple_masses(decoded.momenta, tuples[p], keep),
                    tuple_masses(decoded.momenta, target, keep),
                    self.plot_dir / f"mass_{name}_{split}.pdf",
                    f"m({name} jets) [GeV]",
                    np.linspace(0, 400, 61),
                )
            )
            swapped = [i for i in range(particle.num_products) if any(s[i] != i for s in particle.symmetries)]
            if len(swapped) == 2 < particle.num_products:
                paths.extend(
                    plot_mass(
                        tuple_masses(decoded.momenta, tuples[p][:, swapped], keep),
                        tuple_masses(decoded.momenta, target[:, swapped], keep),
                        self.plot_dir / f"mass_{name}_W_{split}.pdf",
                        f"m({name}: {' + '.join(particle.products[i] for i in swapped)}) [GeV]",
                        np.linspace(0, 250, 51),
                    )
                )
        return paths
