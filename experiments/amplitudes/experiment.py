"""The amplitude-regression experiment: learn log |M|^2 of partonic scattering processes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn
from torch.nn import functional as F
from torch.utils.data import default_collate

from experiments.amplitudes.dataset import (
    N_INCOMING,
    TOKEN_NAMES,
    AmplitudeDataset,
    ProcessData,
    load_amplitude_file,
)
from experiments.amplitudes.generated_files import check_generated_settings, events_needed, generator_command
from experiments.amplitudes.metrics import AMPLITUDE_METRIC_NAMES, amplitude_metrics, relative_errors
from experiments.amplitudes.plots import (
    plot_amplitude_histogram,
    plot_error_vs_variable,
    plot_relative_error,
)
from experiments.amplitudes.schema import AMPLITUDES_SCHEMA
from experiments.base_experiment import BaseExperiment
from experiments.common.generated_data import ensure_generated
from experiments.common.host_inputs import host_inputs
from experiments.common.splits import split_indices
from experiments.registry import register_experiment
from lorentznets.data.amplitudes import PROCESSES, Couplings, write_process_file
from lorentznets.data.amplitudes.events import needs_unweighting

LOGGER = logging.getLogger("lorentznets")

__all__ = ["AmplitudeExperiment"]


@register_experiment("amplitudes")
class AmplitudeExperiment(BaseExperiment):
    """Regression of the standardised log squared amplitude of one or several processes.

    Data: ``<data.dir>/<process>.npy`` per process in ``data.processes`` (see
    :mod:`experiments.amplitudes.dataset`); missing files of known processes are generated with
    :func:`lorentznets.data.amplitudes.write_process_file` when ``data.generate.enabled``. Each
    process is split into train/val/test by ``data.split_fractions``; ``data.train_size`` caps the
    training events per process (for scaling studies). All processes train one model on padded
    events; metrics are reported per process (``<split>.<process>.<metric>``) and for all events
    together (``<split>.mse``).
    """

    config_schema = AMPLITUDES_SCHEMA
    model_family = "amplitudes"

    evaluation_splits = ("train", "val", "test")

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...]:
        """``mse`` over all processes, and :func:`amplitude_metrics` per process (``<process>.<name>``)."""
        return ("mse", *(f"*.{name}" for name in AMPLITUDE_METRIC_NAMES))

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any] | None:
        """The longest process's particles from the process definitions, and the tokens' length;
        None when a process is unknown (:meth:`init_data` then says so)."""
        try:
            n_max = max(len(_process_particles(cfg, name)) for name in cfg.data.processes)
        except (KeyError, ValueError):
            return None
        return {"n_max": n_max, "num_tokens": len(TOKEN_NAMES) if cfg.data.particle_tokens else 0}

    def _particles(self, name: str) -> tuple[str, ...]:
        return _process_particles(self.cfg, name)

    def _ensure_file(self, name: str) -> Path:
        """``<data.dir>/<name>.npy``, generated when missing and ``data.generate`` allows."""
        cfg = self.cfg.data
        path = Path(cfg.dir) / f"{name}.npy"
        generate = OmegaConf.to_container(cfg.generate, resolve=True) if cfg.generate is not None else None
        if name not in PROCESSES:
            if not path.is_file():
                raise FileNotFoundError(
                    f"amplitude file {path} of process {name!r} (not a generated process) is missing"
                )
            return path
        phase_space = OmegaConf.to_container(cfg.phase_space, resolve=True)

        def make(resume: bool, overwrite: bool) -> None:
            write_process_file(
                cfg.dir, name, generate["n"], seed=generate["seed"], progress=self.cfg.progress, **phase_space
            )

        if path.is_file():
            # The writer renames a complete file into place: an existing file is never partial.
            weighted_before = needs_unweighting(PROCESSES[name].final_masses(Couplings()))
            check_generated_settings(path, phase_space, weighted_before=weighted_before)
            return path
        what = f"{generate['n'] if generate else 0} {name} events"
        events = events_needed(cfg.max_events, cfg.train_size, list(cfg.split_fractions))
        hint = f"create it with: {generator_command(name, cfg.dir, phase_space, events)}"
        return ensure_generated(path, generate, make, what, hint=hint, suffixes=(".npy",))

    def init_data(self) -> dict[str, AmplitudeDataset]:
        cfg = self.cfg.data
        if not cfg.processes:
            raise ValueError("data.processes is empty: list the processes to learn, e.g. [zg, zgg]")
        particles_of = {name: self._particles(name) for name in cfg.processes}
        for name in cfg.processes:
            self._ensure_file(name)
        splits: dict[str, list[ProcessData]] = {"train": [], "val": [], "test": []}
        for name, particles in particles_of.items():
            momenta, amplitudes = load_amplitude_file(Path(cfg.dir) / f"{name}.npy", len(particles), cfg.max_events)
            split = split_indices(len(amplitudes), list(cfg.split_fractions), cfg.split_seed, f"{cfg.dir}/{name}.npy")
            indices = {key: index.numpy() for key, index in split.items()}
            if cfg.train_size is not None:
                if cfg.train_size > len(indices["train"]):
                    raise ValueError(
                        f"data.train_size={cfg.train_size} exceeds the {len(indices['train'])} training "
                        f"events of {name}"
                    )
                indices["train"] = indices["train"][: cfg.train_size]
            for split, index in indices.items():
                if len(index) == 0:
                    raise ValueError(f"{name}: the {split} split is empty; adjust data.split_fractions")
                splits[split].append(ProcessData(name, particles, momenta[index], amplitudes[index]))
        train = {p.name: p for p in splits["train"]}
        self.log_mean = {name: float(np.log(p.amplitudes).mean()) for name, p in train.items()}
        self.log_std = {name: float(np.log(p.amplitudes).std()) for name, p in train.items()}
        self._use_saved_standardisation()
        for name, std in self.log_std.items():
            if not std > 1e-9:  # rounding leaves ~1e-16 for a constant
                raise ValueError(
                    f"{Path(cfg.dir) / f'{name}.npy'}: every training amplitude of {name} is the same "
                    f"({float(train[name].amplitudes[0]):g}): there is nothing to regress"
                )
        self.momentum_scale = float(np.concatenate([p.momenta.ravel() for p in train.values()]).std())
        self.n_max = max(len(p.particles) for p in splits["train"])
        datasets = {
            split: AmplitudeDataset(processes, self.log_mean, self.log_std, self.n_max)
            for split, processes in splits.items()
        }
        self.split_processes = splits
        for split, dataset in datasets.items():
            LOGGER.info("%s: %d events of %s", split, len(dataset), ", ".join(dataset.process_names))
        return datasets

    def saved_model_extras(self) -> dict[str, Any]:
        """The standardisation of log |M|^2 per process, which the network's outputs are in."""
        return {"standardisation": {"log_mean": self.log_mean, "log_std": self.log_std}}

    def _use_saved_standardisation(self) -> None:
        """On a warm start, standardise with the model's own training statistics, not the data's."""
        found = self.warm_start_extra("standardisation", "standardisations")
        if found is None:
            return
        path, saved = found
        missing = sorted(set(self.log_mean) - set(saved["log_mean"]))
        if missing:
            raise ValueError(f"{path}: the model was not trained on the process(es) {missing}")
        self.log_mean = {name: float(saved["log_mean"][name]) for name in self.log_mean}
        self.log_std = {name: float(saved["log_std"][name]) for name in self.log_std}

    @property
    def num_tokens(self) -> int:
        """Length of the particle tokens fed to the nets (0 when disabled)."""
        return len(TOKEN_NAMES) if self.cfg.data.particle_tokens else 0

    def init_model(self) -> nn.Module:
        model = self.build_wrapper("amplitudes", n_max=self.n_max, num_tokens=self.num_tokens)
        model.set_momentum_scale(self.momentum_scale)
        return model

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        """``(momenta (4, n_max, 4) GeV, mask (4, n_max)[, tokens (4, n_max, T)])`` of four validation
        events spread evenly over the split, so that several processes (and their padding) appear."""
        dataset = self.datasets["val"]
        index = torch.linspace(0, len(dataset) - 1, steps=min(4, len(dataset))).long()
        inputs = (dataset.momenta[index], dataset.mask[index])
        if self.num_tokens:
            inputs = (*inputs, dataset.tokens[index])
        return self.to_device(inputs)

    def collate(self, items: list[dict[str, torch.Tensor]]) -> dict:
        """Stack a batch, with the wrapper's mask-derived indices (LorentzNet's edges of real
        pairs) built here on the host (:mod:`experiments.common.host_inputs`)."""
        batch = default_collate(items)
        batch["host_inputs"] = host_inputs(getattr(self, "raw_model", None), batch["mask"])
        return batch

    def onnx_description(self) -> dict[str, Any]:
        """Inputs, output and standardisation of the exported regressor (see
        :mod:`experiments.common.onnx_export`)."""
        inputs = {
            "momenta": {
                "shape": ["batch", self.n_max, 4],
                "description": "four-momenta (E, px, py, pz) in GeV of the particles in each process's order "
                "(see particles), zeros after the last particle",
            },
            "mask": {"shape": ["batch", self.n_max], "description": "true for the process's particles"},
        }
        if self.num_tokens:
            # exactly what experiments.amplitudes.dataset.particle_tokens builds (tested)
            inputs["tokens"] = {
                "shape": ["batch", self.n_max, self.num_tokens],
                "description": f"per event, row i for the process's i-th particle p_i (see particles): 1 in column "
                f"columns.index(p_i), and 1 in column {TOKEN_NAMES.index('incoming')} ('incoming') for the first "
                f"{N_INCOMING} particles (the incoming ones), 0 elsewhere; rows after the last particle all 0",
                "columns": list(TOKEN_NAMES),
                "incoming_particles": N_INCOMING,
            }
        return {
            "inputs": inputs,
            "outputs": {
                "log_amplitude": {
                    "shape": ["batch"],
                    "description": "standardised log |M|^2: |M|^2 = exp(log_std[process] * y + log_mean[process])",
                }
            },
            "particles": {name: list(self._particles(name)) for name in self.cfg.data.processes},
            "standardisation": {"log_mean": self.log_mean, "log_std": self.log_std},
            "preprocessing": {
                "momentum_scale_gev": float(self.raw_model.momentum_scale),
                "momentum_scale_use": "inside the graph: the net sees momenta / momentum_scale_gev; feed GeV",
            },
        }

    def model_inputs(self, batch: dict[str, Any]) -> tuple[tuple[torch.Tensor | None, ...], dict[str, torch.Tensor]]:
        """The wrapper's inputs for a batch of :meth:`collate`: positional ``(momenta (B, n_max, 4) GeV,
        mask (B, n_max), tokens (B, n_max, T) or None without particle tokens)`` and the host inputs
        as keywords. Benchmarks and checks call the model through this, as training does."""
        tokens = batch["tokens"] if self.num_tokens else None
        return (batch["momenta"], batch["mask"], tokens), batch.get("host_inputs", {})

    def _predict_batch(self, model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        args, kwargs = self.model_inputs(batch)
        return model(*args, **kwargs).float()

    def batch_loss(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, float]]:
        prediction = self._predict_batch(self.model, batch)
        return F.mse_loss(prediction, batch["target"].float()), {}

    @torch.no_grad()
    def predict(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predictions (N,), targets (N,) and process indices (N,) of ``split``."""
        predictions, targets, processes = [], [], []
        for batch in self.loader(split):
            batch = self.to_device(batch)
            predictions.append(self._predict_batch(self.raw_model, batch).double().cpu())
            targets.append(batch["target"].double().cpu())
            processes.append(batch["process"].cpu())
        return torch.cat(predictions).numpy(), torch.cat(targets).numpy(), torch.cat(processes).numpy()

    def evaluate(self, split: str) -> dict[str, float]:
        prediction, target, process = self.predict(split)
        names = self.datasets[split].process_names
        metrics = {"mse": float(np.mean((prediction - target) ** 2))}
        for index, name in enumerate(names):
            selected = process == index
            per_process = amplitude_metrics(
                prediction[selected], target[selected], self.log_mean[name], self.log_std[name]
            )
            metrics.update({f"{name}.{key}": value for key, value in per_process.items()})
        if split == "test":
            self.test_predictions = (prediction, target, process)
        return metrics

    def plot(self) -> list[Path]:
        if not hasattr(self, "test_predictions"):
            return []
        prediction, target, process = self.test_predictions
        paths = []
        for index, data in enumerate(self.split_processes["test"]):
            name = data.name
            selected = process == index
            mean, std = self.log_mean[name], self.log_std[name]
            truth = np.exp(target[selected] * std + mean)
            predicted = np.exp(prediction[selected] * std + mean)
            errors = relative_errors(prediction[selected], target[selected], mean, std)
            title = f"{name}, {self.cfg.model.name}"
            paths.extend(plot_amplitude_histogram(truth, predicted, self.plot_dir / f"amplitude_{name}.pdf", title))
            paths.extend(plot_relative_error(errors, self.plot_dir / f"relative_error_{name}.pdf", title))
            paths.extend(
                plot_error_vs_variable(
                    _leading_final_pt(data),
                    errors,
                    self.plot_dir / f"error_vs_pt_{name}.pdf",
                    xlabel=r"$p_T$ of the hardest final-state particle [GeV]",
                    title=title,
                )
            )
        return paths


def _leading_final_pt(data: ProcessData) -> np.ndarray:
    """Largest transverse momentum (N,) among the final-state particles, GeV."""
    final = data.momenta[:, 2:]
    return np.hypot(final[..., 1], final[..., 2]).max(axis=1)


def _process_particles(cfg: DictConfig, name: str) -> tuple[str, ...]:
    """Particle names of process ``name``: from ``data.particles``, else the generator's."""
    custom = cfg.data.get("particles") or {}
    if name in custom:
        if len(custom[name]) < 3:
            raise ValueError(
                f"data.particles.{name}={list(custom[name])}: a process lists its two incoming particles, then at "
                "least one outgoing one"
            )
        return tuple(custom[name])
    if name not in PROCESSES:
        raise KeyError(
            f"process {name!r} is neither a generated process {sorted(PROCESSES)} nor listed in "
            f"data.particles (give its particle names, e.g. +data.particles.{name}=[q,qbar,Z,g])"
        )
    return PROCESSES[name].particles
