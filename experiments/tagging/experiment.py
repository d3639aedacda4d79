"""The jet-tagging experiment: top tagging, quark-gluon tagging and JetClass."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, ListConfig, OmegaConf
from torch import nn
from torch.nn import functional as F

from experiments.base_experiment import BaseExperiment
from experiments.common.config_schema import ConfigError
from experiments.common.host_inputs import host_inputs
from experiments.common.jet_splits import load_jet_splits
from experiments.common.predict import expand_predict_files
from experiments.common.warm_start import same_data
from experiments.registry import register_experiment
from experiments.tagging.dataset import (
    JetDataset,
    TaggingBatch,
    check_split_classes,
    class_normalised_weights,
    collate_batch,
    effective_sample_sizes,
)
from experiments.tagging.features import clip_impact_parameter_errors, reading_options
from experiments.tagging.jet_file_batches import CHUNK_JETS, jet_file_batches
from experiments.tagging.jet_input import JetMomentumInput
from experiments.tagging.metrics import binary_metrics, multiclass_metrics, tagging_metric_names
from experiments.tagging.plots import plot_roc, plot_roc_per_class, plot_scores
from experiments.tagging.schema import TAGGING_SCHEMA
from experiments.tagging.split_weights import splits_are_weighted
from experiments.tagging.streamed import streamed_splits
from lorentznets.data.convert.pid import CONSTITUENT_MASSES, NUM_PID_FEATURES, PID_CLASSES
from lorentznets.data.convert.weaver_pid import WEAVER_PID_FLAGS
from lorentznets.data.readers import JetData, ReadingOptions
from lorentznets.data.readers.formats import detect_format, expand_paths
from lorentznets.data.readers.jetclass_root import LABELS, PID_BRANCHES, SUFFIXES

LOGGER = logging.getLogger("lorentznets")


BINARY_LABEL_ORDERS = {frozenset(pair): list(pair) for pair in (("QCD", "top"), ("gluon", "quark"))}
"""The label order of the binary tagging files (top tagging: is_signal 1 = top; quark-gluon: y 1 =
quark), by the class names the task configs give them."""

ENERGY_NOTES = {
    "pdg": "E = sqrt(p^2 + m^2) with m the PDG mass of each constituent's particle ID, as the EnergyFlow reader "
    "builds the four-momenta from (pt, y, phi, pid) (lorentznets.data.convert.pid)",
    "massless": "massless constituents: E = pt cosh(y), pz = pt sinh(y), the file's rapidity y taken as the "
    "pseudorapidity, as the EnergyFlow reader builds the four-momenta from (pt, y, phi, pid) with "
    "data.constituent_mass=massless (the convention of the ParT repository's convert_qg_datasets.py)",
}
"""The ONNX description's note on the energies of EnergyFlow files, by ``data.constituent_mass``."""


def data_file_names(data: DictConfig) -> list[str]:
    """The file names or patterns of ``data.path`` or ``data.files``."""
    patterns = [data.path] if data.path is not None else list((data.files or {}).values())
    return [str(p) for group in patterns for p in (group if isinstance(group, ListConfig) else [group])]


def reads_jetclass_root(data: DictConfig) -> bool:
    """Whether the ``data`` block reads JetClass ROOT files (``format`` jetclass_root, or auto with
    ``.root`` names)."""
    return data.format == "jetclass_root" or (
        data.format == "auto" and any(n.endswith(SUFFIXES) for n in data_file_names(data))
    )


@register_experiment("toptagging")
@register_experiment("qgtagging")
@register_experiment("jetclass")
class TaggingExperiment(BaseExperiment):
    """Jet classification with any tagger registered for the ``"tagging"`` family.

    Binary tasks (``data.class_names`` of length 2: top vs QCD, quark vs gluon) train one
    logit with binary cross-entropy and report accuracy, AUC and 1/eB at eS = 0.3, 0.5, 0.8;
    multi-class tasks (JetClass, 10 classes) train with cross-entropy and report accuracy,
    one-vs-rest AUCs and their mean, and the JetClass paper's rejections of class 0 (QCD) at a
    signal efficiency per class (:func:`~experiments.tagging.metrics.background_rejections`).
    The config picks the task; one class serves all three names.

    Files with per-jet ``weight`` (our Pythia samples, which bias pTHat) are weighted in the
    losses and metrics when ``data.use_weights`` is true (the default): each split's weights are
    normalised to mean 1 per class, so the weights fix the mix within a class and the class
    balance stays that of the jet counts.
    """

    config_schema = TAGGING_SCHEMA
    model_family = "tagging"
    function_settings = ("data.features", "data.constituent_mass")

    @property
    def class_names(self) -> list[str]:
        """Class names indexed by label."""
        return list(self.cfg.data.class_names)

    @property
    def is_binary(self) -> bool:
        """True for two classes (one logit)."""
        return len(self.class_names) == 2

    @functools.cached_property
    def reading(self) -> ReadingOptions:
        """How the readers build the jets from ``data.impact_parameters``, ``data.constituent_mass``
        and ``data.features``, for training, evaluation and predictions alike."""
        return reading_options(self.cfg.data)

    @property
    def predicting(self) -> bool:
        """True when the run writes predictions for ``predict.files`` instead of training or evaluating."""
        return bool(self.cfg.predict.files)

    def init_data(self) -> dict[str, JetDataset]:
        """The train/val/test splits; none when predicting files (the training data stay unread)."""
        self._warn_other_max_particles()
        if self.predicting:  # check_config has refused training and the ONNX export with it
            self.predict_files = expand_predict_files(self.cfg.predict.files)
            self.predict_num_scalars = self._predict_num_scalars()
            return {}
        data_cfg = OmegaConf.to_container(self.cfg.data, resolve=True)
        training = self.cfg.training
        streamed = streamed_splits(
            data_cfg,
            self.reading,
            self.class_names,
            training.batchsize // self.dist.world_size,
            self.cfg.seed,
            self.dist.rank,
            self.dist.world_size,
            training.num_workers,
        )
        self.streamed = streamed is not None
        self._refuse_other_streaming(data_cfg)
        if streamed is not None:
            return streamed
        splits = load_jet_splits(data_cfg, self.reading)
        # JetClass files' labels follow their branch order: a subset of the classes must name the
        # ones before it too, which then have no jets (a warning, not a refusal)
        every_class = bool(self.cfg.train) and not reads_jetclass_root(self.cfg.data)
        for name, jets in splits.items():
            check_split_classes(
                torch.unique(jets.labels).tolist(), self.class_names, name, jets.source, every_class=every_class
            )
        weights = self._split_weights(splits)
        datasets = {
            name: JetDataset(jets, use_scalars=self.cfg.data.use_scalars, weights=weights[name])
            for name, jets in splits.items()
        }
        for dataset in datasets.values():
            if self.cfg.data.use_scalars and dataset.scalars is None:
                raise ValueError(
                    f"{dataset.source}: data.use_scalars=true but the file has no per-particle scalars (particle IDs)"
                )
        for name, dataset in datasets.items():
            LOGGER.info("%s: %d jets from %s", name, len(dataset), dataset.source)
        return datasets

    def saved_model_extras(self) -> dict[str, Any]:
        """Whether the splits were streamed (consecutive ranges of the file) or read into memory
        (random rows): a reload on the same file must split it the same way."""
        return {"streamed": self.streamed}

    def _warn_other_max_particles(self) -> None:
        """On a warm start, warn when ``data.max_particles`` differs from the model's training: the
        jets are cut to another number of hardest constituents, and the scores change."""
        if self.cfg.warm_start_idx is None:
            return
        saved = ((self.warm_start_checkpoint()[1].get("config") or {}).get("data") or {}).get("max_particles")
        if saved is not None and saved != self.cfg.data.max_particles:
            LOGGER.warning(
                "data.max_particles=%s, but model_run%d was trained on the %s hardest constituents of each jet: "
                "its scores change with the cut (set data.max_particles=%s to reproduce them)",
                self.cfg.data.max_particles,
                self.cfg.warm_start_idx,
                saved,
                saved,
            )

    def _refuse_other_streaming(self, data_cfg: dict[str, Any]) -> None:
        """On a warm start on the model's own training file, refuse streamed splits where the model
        was trained in memory or the other way round (its training jets would be tested)."""
        if self.cfg.warm_start_idx is None or self.resuming:  # a resumed training continues its own splits
            return
        _, checkpoint = self.warm_start_checkpoint()
        saved_data, saved = (checkpoint.get("config") or {}).get("data"), checkpoint.get("streamed")
        if (
            isinstance(saved_data, dict)
            and saved is not None
            and saved != self.streamed
            and same_data(saved_data, data_cfg, checkpoint.get("working_dir"))
        ):
            self.refuse_split_changes(
                [f"splits streamed: {saved} -> {self.streamed} (data.streaming={data_cfg['streaming']!r})"]
            )

    def _split_weights(self, splits: dict[str, JetData]) -> dict[str, torch.Tensor | None]:
        """Class-normalised per-jet weights of each split, or None everywhere when unused."""
        has_weights = {name: jets.weights is not None for name, jets in splits.items()}
        sources = {name: jets.source for name, jets in splits.items()}
        if not splits_are_weighted(has_weights, sources, self.cfg.data.use_weights):
            return dict.fromkeys(splits)
        num_classes = len(self.class_names)
        weights = {name: class_normalised_weights(jets, num_classes, name) for name, jets in splits.items()}
        sizes = []
        for name, jets in splits.items():
            ess = effective_sample_sizes(weights[name], jets.labels, num_classes)
            counts = torch.bincount(jets.labels, minlength=num_classes).tolist()
            per_class = ", ".join(
                f"{label} {value:.1f} of {count}"
                for label, value, count in zip(self.class_names, ess, counts, strict=True)
                if count
            )
            sizes.append(f"{name}: {per_class}")
        LOGGER.info(
            "using per-jet weights (data.use_weights=true), normalised to mean 1 per class, in the loss "
            "and metrics; effective jets (sum w)^2/sum w^2 per class: %s",
            "; ".join(sizes),
        )
        return weights

    @classmethod
    def check_config(cls, cfg: DictConfig) -> None:
        """The base checks, and ``data.class_names`` against the label branches of JetClass files
        (their labels come from the branch order, whatever the names say; files of the first
        classes only may name just those)."""
        super().check_config(cfg)
        data = cfg.data
        names = data_file_names(data)
        root = reads_jetclass_root(data)
        if data.impact_parameters and not root:
            raise ConfigError(
                "config key data.impact_parameters=true is not allowed: the impact parameters are read from "
                f"JetClass ROOT files only (data.format={data.format!r}, files {names})"
            )
        # With data.format=auto, files other than ROOT are refused by the reader (it knows their format).
        if data.constituent_mass != CONSTITUENT_MASSES[0] and (data.format not in ("auto", "energyflow_npz") or root):
            raise ConfigError(
                f"config key data.constituent_mass={data.constituent_mass!r} is not allowed: it applies to EnergyFlow "
                f"(pt, y, phi, pid) files only, whose energies the reader builds (data.format={data.format!r}, files "
                f"{names} store four-momenta)"
            )
        names = list(data.class_names)
        expected = [label.removeprefix("label_") for label in LABELS][: len(names)]
        if root and names != expected:
            raise ConfigError(
                f"config key data.class_names={names} does not match the JetClass files, whose labels follow "
                f"their branches label_QCD, ..., label_Tbl: expected {expected} (the first {len(names)} in this order)"
            )
        known = BINARY_LABEL_ORDERS.get(frozenset(names))
        if known is not None and names != known:
            raise ConfigError(
                f"config key data.class_names={names} swaps the files' labels: label 0 is {known[0]}, label 1 is "
                f"{known[1]} (expected {known}); every plot, prediction and export would name the wrong class"
            )

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...]:
        """Accuracy, AUC(s) and rejections of ``data.class_names``."""
        return tagging_metric_names(list(cfg.data.class_names))

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any]:
        """The logits per jet from ``data.class_names``; one scalar per particle with ``data.use_scalars``."""
        num_classes = len(cfg.data.class_names)
        return {"out_channels": 1 if num_classes == 2 else num_classes, "num_scalars": int(cfg.data.use_scalars)}

    def init_model(self) -> nn.Module:
        train = self.datasets.get("train")
        model = self.build_wrapper(
            "tagging",
            out_channels=1 if self.is_binary else len(self.class_names),
            num_scalars=train.num_scalars if train is not None else self.predict_num_scalars,
        )
        # The unit of the momenta: the spread of real constituent components in the training
        # set. A global constant, so it commutes with Lorentz transformations. When predicting,
        # the saved weights bring it.
        if train is not None:
            model.set_momentum_scale(train.momentum_spread())
        model.set_feature_convention(self.cfg.data.features)
        return model

    def _predict_num_scalars(self) -> int:
        """Per-particle scalar features S of the files to predict (0 without scalars), from the
        first jet of the first file that has jets, read with the checks of the predictions (and
        only that jet: an ``.npz`` archive is decompressed no further)."""
        for file in self.predict_files:
            for first in self._file_batches(file, batch_size=1, chunk_jets=1, max_jets=1):
                return first["scalars"].shape[-1] if "scalars" in first else 0
        raise ValueError(f"predict.files: no jets in {self.predict_files}")

    def _file_batches(
        self, path: str | Path, batch_size: int, chunk_jets: int = CHUNK_JETS, max_jets: int | None = None
    ) -> Iterator[TaggingBatch]:
        data = self.cfg.data
        return jet_file_batches(
            path,
            data.format,
            data.max_particles,
            data.use_scalars,
            batch_size,
            chunk_jets=chunk_jets,
            max_jets=max_jets,
            reading=self.reading,
        )

    @torch.no_grad()
    def predict_file(self, path: str) -> Iterator[dict[str, np.ndarray]]:
        """Class probabilities ``scores`` (n, C) float64 and, where the file has labels, ``label``
        (n,) of the jets of a file, batch after batch in file order (:mod:`experiments.common.predict`
        writes them)."""
        for batch in self._file_batches(path, self.cfg.evaluation.batchsize):
            batch = self.to_device(self.collate(batch))
            scores = self._probabilities(self._logits(self.raw_model, batch))
            labels = {"label": batch["labels"].cpu().numpy()} if "labels" in batch else {}
            yield {"scores": scores.cpu().numpy(), **labels}

    def predict_attributes(self) -> dict[str, Any]:
        """Attributes of the predictions file: the class of each column of ``scores``."""
        return {"class_names": self.class_names, "max_particles": self.cfg.data.max_particles}

    def collate(self, items: TaggingBatch) -> TaggingBatch:
        """Stack a batch, with the index tensors the wrapper builds from the mask on the host
        (:mod:`experiments.common.host_inputs`: LorentzNet's and LGN's edges of real pairs,
        L-GATr's packed batch), so that ``forward`` reads no tensor value."""
        batch = collate_batch(items)
        if self.cfg.data.features == "weaver" and self.cfg.data.impact_parameters and "scalars" in batch:
            batch["scalars"] = clip_impact_parameter_errors(batch["scalars"])
        batch["host_inputs"] = host_inputs(getattr(self, "raw_model", None), batch["mask"])
        return batch

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        """``(momenta, mask[, scalars])`` of the first four validation jets."""
        dataset = self.datasets["val"]
        batch = self.to_device(dataset.head(4))
        inputs = (batch["momenta"], batch["mask"])
        return (*inputs, batch["scalars"]) if "scalars" in batch else inputs

    def exported_model(self, model: nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[nn.Module, tuple]:
        """The module the exports (ONNX, MLflow's model view) trace and its inputs: the tagger on
        :meth:`model_input_example`'s, or for a tagger that takes ``jets`` (the ``weaver``
        convention's features) :class:`JetMomentumInput` on ``(momenta, mask, jets[, scalars])``."""
        if not model.takes_jets:
            return model, inputs
        momenta, mask, *scalars = inputs
        jets = self.datasets["val"].head(len(momenta))["jets"].to(momenta)
        return JetMomentumInput(model), (momenta, mask, jets, *scalars)

    def onnx_description(self) -> dict[str, Any]:
        """Inputs, outputs and preprocessing of the exported tagger (see
        :mod:`experiments.common.onnx_export`)."""
        inputs = {
            "momenta": {
                "shape": ["batch", "particles", 4],
                "description": "constituent four-momenta (E, px, py, pz) in GeV, real constituents first by "
                "decreasing pT, zeros for padding",
            },
            "mask": {"shape": ["batch", "particles"], "description": "true for the real constituents"},
        }
        if self.raw_model.takes_jets:
            inputs["jets"] = {
                "shape": ["batch", 4],
                "description": "each jet's four-momentum (E, px, py, pz) in GeV from all its constituents, also "
                "those beyond max_particles (JetClass: from the branches jet_pt, jet_eta, jet_phi, jet_energy): "
                "data.features=weaver takes pT_rel, E_rel, delta eta and delta phi against it",
            }
        data = self.cfg.data
        if data.use_scalars:
            if reads_jetclass_root(data):
                error = " clipped to [0, 1]" if data.features == "weaver" else ""
                impact = ("tanh(part_d0val)", f"part_d0err{error}", "tanh(part_dzval)", f"part_dzerr{error}")
                features = ", ".join((*PID_BRANCHES, *(impact if data.impact_parameters else ())))
                meaning = f"per-constituent JetClass branches, in order: {features}"
            elif data.features == "weaver" and self._training_format == "energyflow_npz":
                flags = ", ".join(WEAVER_PID_FLAGS)
                meaning = (
                    f"per-constituent particle-ID flags of weaver's qg_kinpid models, in order: {flags} (as the ParT "
                    "repository's convert_qg_datasets.py defines them from the signed pid, unstandardised)"
                )
            elif self.datasets["val"].num_scalars == NUM_PID_FEATURES:
                classes = ", ".join(str(c) for c in PID_CLASSES)
                meaning = f"per-constituent charge, then a one-hot of |pid| in the order {classes}"
            else:
                reader = "the reader of the training files" if data.format == "auto" else data.format
                meaning = f"per-constituent scalars as documented in lorentznets.data.readers ({reader})"
            inputs["scalars"] = {
                "shape": ["batch", "particles", self.datasets["val"].num_scalars],
                "description": f"{meaning}; zeros for padding",
            }
        if self.is_binary:
            output = f"one logit per jet: P({self.class_names[1]}) = sigmoid(logit)"
        else:
            output = "one logit per class: class probabilities = softmax(logits)"
        return {
            "inputs": inputs,
            "outputs": {
                "logits": {"shape": ["batch", 1 if self.is_binary else len(self.class_names)], "description": output}
            },
            "class_names": self.class_names,
            "preprocessing": {
                "max_particles": self.cfg.data.max_particles,
                "particle_selection": "the max_particles constituents of highest pT",
                "momentum_scale_gev": float(self.raw_model.momentum_scale),
                "momentum_scale_use": "inside the graph, where the tagger uses it (the equivariant nets and the "
                "Transformer see momenta / momentum_scale_gev; ParT's pair features and ParticleNet take GeV): "
                "feed GeV",
                **self._onnx_input_notes(),
            },
        }

    def _onnx_input_notes(self) -> dict[str, Any]:
        """What the exported graph needs beyond the inputs' shapes: the fewest particle slots of a
        k-nearest-neighbour net (torch pads shorter batches, the traced graph does not), and how
        the energies of EnergyFlow (pt, y, phi, pid) constituents are built."""
        notes: dict[str, Any] = {}
        net = getattr(self.raw_model, "net", None)
        fewest = getattr(net, "min_particles", None) or getattr(getattr(net, "backbone", None), "min_particles", None)
        if fewest is not None:
            notes["min_particles"] = int(fewest)
            notes["min_particles_use"] = (
                f"pad the particles axis to at least {fewest} slots (zeros, mask false): the graph's k-nearest-"
                "neighbour search needs them"
            )
        if self._training_format == "energyflow_npz":
            notes["energy"] = ENERGY_NOTES[self.cfg.data.constituent_mass]
        return notes

    @functools.cached_property
    def _training_format(self) -> str:
        """The format of the training files (``data.format``, or detected from the first file,
        which is opened once)."""
        data = self.cfg.data
        if data.format != "auto":
            return data.format
        return detect_format(expand_paths(data_file_names(data)[0])[0])

    def _logits(self, model: nn.Module, batch: TaggingBatch) -> torch.Tensor:
        # only the weaver convention's taggers take the full jets; the others keep their signatures
        jets = {"jets": batch.get("jets")} if self.raw_model.takes_jets else {}
        logits = model(batch["momenta"], batch["mask"], batch.get("scalars"), **batch.get("host_inputs", {}), **jets)
        return logits.float()

    def _loss(
        self, logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean loss and accuracy (both 0-dim, on the device: no host sync) of a batch, weighted
        means when ``weights`` (B,) are given."""
        if self.is_binary:
            logits = logits[:, 0]
            targets = labels.to(logits.dtype)
            correct = ((logits > 0).long() == labels).float()
            if weights is None:
                return F.binary_cross_entropy_with_logits(logits, targets), correct.mean()
            per_jet = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        else:
            correct = (logits.argmax(dim=1) == labels).float()
            if weights is None:
                return F.cross_entropy(logits, labels), correct.mean()
            per_jet = F.cross_entropy(logits, labels, reduction="none")
        weights = weights.to(per_jet.dtype)
        # A batch of zero-weight jets contributes nothing instead of 0/0.
        total = self.shard_normaliser(weights.sum()).clamp(min=torch.finfo(weights.dtype).tiny)
        return (weights * per_jet).sum() / total, (weights * correct).sum() / total

    def batch_loss(self, batch: TaggingBatch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        loss, accuracy = self._loss(self._logits(self.model, batch), batch["labels"], batch.get("weights"))
        return loss, {"accuracy": accuracy.detach()}

    def batch_weight(self, batch: TaggingBatch) -> float:
        """Number of jets, or their summed weight for weighted batches.

        The base averages validation losses with this, so a weighted validation loss is the
        weighted mean over the whole split.
        """
        if "weights" in batch:
            return float(batch["weights"].sum())
        return float(len(batch["labels"]))

    def _probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        """Class probabilities (B, C), float64, from the net's logits (B, 1) (binary) or (B, C):
        in float32 every logit above 16.6 gives a signal probability of exactly 1, and the ties
        lower the rejections of a confident tagger."""
        logits = logits.double()
        if self.is_binary:
            signal = torch.sigmoid(logits[:, 0])
            return torch.stack([1 - signal, signal], dim=1)
        return torch.softmax(logits, dim=1)

    @torch.no_grad()
    def predict(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Labels (N,), class probabilities (N, C) of ``self.raw_model`` on ``split`` and the jets'
        weights (N,) (None for unweighted data)."""
        labels, probabilities, weights = [], [], []
        for batch in self.loader(split):
            batch = self.to_device(batch)
            probs = self._probabilities(self._logits(self.raw_model, batch))
            labels.append(batch["labels"].cpu())
            probabilities.append(probs.double().cpu())
            if "weights" in batch:
                weights.append(batch["weights"].double().cpu())
        weight_array = torch.cat(weights).numpy() if weights else None
        return torch.cat(labels).numpy(), torch.cat(probabilities).numpy(), weight_array

    def evaluate(self, split: str) -> dict[str, float]:
        labels, probabilities, weights = self.predict(split)
        # kept per split: every evaluated split is plotted
        self.predictions = {**getattr(self, "predictions", {}), split: (labels, probabilities, weights)}
        if self.is_binary:
            return binary_metrics(labels, probabilities[:, 1], sample_weight=weights)
        return multiclass_metrics(labels, probabilities, self.class_names, sample_weight=weights)

    def plot(self) -> list[Path]:
        paths = []
        for split, (labels, probabilities, weights) in getattr(self, "predictions", {}).items():
            paths.extend(self._plot_split(split, labels, probabilities, weights))
        return paths

    def _plot_split(
        self, split: str, labels: np.ndarray, probabilities: np.ndarray, weights: np.ndarray | None
    ) -> list[Path]:
        """ROC curves and score histograms of one evaluated split."""
        name = self.class_names
        paths = []
        if self.is_binary:
            paths.extend(
                plot_roc(
                    labels,
                    probabilities[:, 1],
                    self.plot_dir / f"roc_{split}.pdf",
                    title=f"{self.cfg.exp_name}, {self.cfg.model.name}",
                    sample_weight=weights,
                )
            )
            paths.extend(
                plot_scores(
                    labels,
                    probabilities[:, 1],
                    name,
                    self.plot_dir / f"scores_{split}.pdf",
                    xlabel=f"{name[1]} score",
                    sample_weight=weights,
                )
            )
        else:
            paths.extend(
                plot_roc_per_class(
                    labels, probabilities, name, self.plot_dir / f"roc_{split}.pdf", sample_weight=weights
                )
            )
            paths.extend(
                plot_scores(
                    labels,
                    probabilities.max(axis=1),
                    name,
                    self.plot_dir / f"scores_{split}.pdf",
                    xlabel="max class probability",
                    sample_weight=weights,
                )
            )
        return paths
