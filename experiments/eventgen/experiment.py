"""TTbarExperiment: continuous normalising flow for ttbar + n jets, trained by flow matching."""

import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn
from torch.utils.data import Dataset, TensorDataset

from experiments.base_experiment import BaseExperiment
from experiments.common.generated_data import ensure_generated, pythia_generator
from experiments.common.progress import progress_bar
from experiments.common.splits import split_indices
from experiments.eventgen.schema import EVENTGEN_SCHEMA
from experiments.registry import register_experiment
from lorentznets.data.generate.conventions import stored_settings
from lorentznets.data.generate.status import generation_status
from lorentznets.flows import (
    PERIODIC_COMPONENTS,
    GaussianUniformBase,
    JetCoordinates,
    SolverConfig,
    flow_log_likelihood,
    flow_matching_loss,
    keyed_base_sample,
    keyed_flow_matching_noise,
    keyed_rademacher,
    stream_seed,
    transport,
)
from lorentznets.lorentz import transverse_momentum

from .cuts import cut_violations, jets_below_pt_cut
from .dataset import event_file, jet_names, load_ttbar_events
from .observables import event_observables
from .ode_progress import CountingVelocity, network_evaluations
from .plots import plot_observables
from .two_sample_classifier import TwoSampleTestUnavailable, classifier_two_sample_auc

LOGGER = logging.getLogger("lorentznets")

# the acceptance of the L-GATr authors' ttbar_<n>j files (pt_min and delta_r_min of their ttbar
# process in lorentz-gatr, experiments/eventgen/processes.py)
HEIDELBERG_CUTS = "cuts.pt_min=22 cuts.delta_r_min=0.5"


@register_experiment("ttbar")
class TTbarExperiment(BaseExperiment):
    """Learn the distribution of reconstructed ttbar events (6 decay jets + n extra jets).

    Config sections (see ``config/tasks/ttbar.yaml``): ``data`` (files, split, generation when
    missing), ``cuts`` (the acceptance the data obeys), ``flow`` (coordinates, time embedding),
    ``sampling``, ``likelihood`` and ``classifier`` (evaluation).

    Evaluation metrics: flow-matching loss, NLL per event in flow coordinates and in 4-momentum
    space (``nll_fourmomenta``, density per GeV^(4 n_jets)), classifier two-sample AUC with its
    standard error (only from :data:`~.two_sample_classifier.MIN_EVENTS_PER_SAMPLE` test events
    up), sampling throughput and the fractions of generated events violating the cuts.
    """

    config_schema = EVENTGEN_SCHEMA
    model_family = "eventgen"
    # the flow coordinates the velocities are in: the saved model keeps only their standardisation
    function_settings = ("data.n_extra_jets", "flow.pt_min", "flow.mass_eps", "flow.time_channels")

    def init_data(self) -> dict[str, Dataset]:
        cfg = self.cfg
        n_extra = cfg.data.n_extra_jets
        path = self._event_path()
        events = load_ttbar_events(path, n_extra)
        self._refuse_jets_below_the_pt_cut(path, torch.from_numpy(events))
        if cfg.data.max_events is not None:
            events = events[: cfg.data.max_events]
        indices = split_indices(len(events), list(cfg.data.split_fractions), cfg.data.split_seed, str(cfg.data.path))
        self.events = {name: torch.from_numpy(events[index.numpy()]) for name, index in indices.items()}
        self.coordinates = JetCoordinates(6 + n_extra, pt_min=cfg.flow.pt_min, mass_eps=cfg.flow.mass_eps).fit(
            self.events["train"]
        )
        found = self.warm_start_extra("coordinates", "flow coordinates")
        if found is not None:  # the flow coordinates the model was trained in, not this data's
            self.coordinates.load_state_dict(found[1])
        self.base = GaussianUniformBase(PERIODIC_COMPONENTS, (6 + n_extra, 4))
        LOGGER.info(
            "ttbar + %dj: %s events",
            n_extra,
            ", ".join(f"{name} {len(array)}" for name, array in self.events.items()),
        )
        # each event carries its index in the split, the key of its fixed validation noise (batch_loss)
        return {
            name: TensorDataset(
                self.coordinates.fourmomenta_to_x(p, validate=True).to(torch.float32), torch.arange(len(p))
            )
            for name, p in self.events.items()
        }

    def _refuse_jets_below_the_pt_cut(self, path: Path, p: torch.Tensor) -> None:
        """Refuse finite events (N, n_jets, 4) with a jet below ``cuts.pt_min``, the acceptance the samples'
        violations are counted against, or at or below ``flow.pt_min``, where ``log(pt - pt_min)``
        is undefined; in file order, so that the message names the file's event.

        The key to change is ``cuts.pt_min``: ``flow.pt_min`` follows it, and lowering only
        ``flow.pt_min`` left the true events violating the cut (18% of them on events cut at
        22.5 GeV against the default 25 GeV).
        """
        cfg = self.cfg
        low = jets_below_pt_cut(p, cfg.cuts.pt_min)
        if bool(low.any()):
            event, jet = torch.nonzero(low)[0].tolist()
            raise ValueError(
                f"{path}: {int(low.sum())} jets have pt below cuts.pt_min = {cfg.cuts.pt_min} GeV, the first jet "
                f"{jet} of event {event} (smallest pt {float(transverse_momentum(p).min()):.3f} GeV): set cuts.pt_min "
                "to the data's pt cut (flow.pt_min follows it); the Heidelberg ttbar_<n>j.npy files need "
                f"{HEIDELBERG_CUTS}"
            )
        try:
            JetCoordinates(6 + cfg.data.n_extra_jets, pt_min=cfg.flow.pt_min).check_fourmomenta(p)
        except ValueError as error:
            raise ValueError(f"{path}: {error} (flow.pt_min)") from None

    def _event_path(self) -> Path:
        """The event file; the Pythia ttbar generator makes (or resumes) it when ``data.generate`` allows.

        The generator writes the SPANet file ``<data.path>/ttbar_allhad.h5`` and exports every
        jet multiplicity beside it as ``ttbar_<n>j.npy``.
        """
        data = self.cfg.data
        path = event_file(data.path, data.n_extra_jets)
        source = Path(data.path) / "ttbar_allhad.h5"
        self._refuse_other_cuts(source)
        if path.is_file() and (not source.exists() or generation_status(source).complete):
            return path
        generate = OmegaConf.to_container(data.generate, resolve=True) if data.generate is not None else None
        cuts = ("--jet-pt-min", str(self.cfg.cuts.pt_min), "--eta-max", str(self.cfg.cuts.eta_max))
        if self.cfg.cuts.get("delta_r_min") is not None:  # anti-kT jets lie at least R apart
            cuts += ("--radius", str(self.cfg.cuts.delta_r_min))
        if generate is None:
            # with the cuts, so that the file it writes passes _refuse_other_cuts
            raise FileNotFoundError(
                f"ttbar event file {path} does not exist and data.generate is null (generation is off); create "
                f"it with: python -m lorentznets.data.generate ttbar --out {source} --eventgen-dir {data.path} "
                f"{' '.join(cuts)} --n <events>"
            )
        make = pythia_generator(source, generate, extra=("--eventgen-dir", str(data.path), *cuts))
        ensure_generated(source, generate, make, f"{generate['n']} ttbar events with Pythia", options=cuts)
        if not path.is_file():
            raise FileNotFoundError(f"the ttbar generator completed {source} but did not export {path}")
        return path

    def _refuse_other_cuts(self, source: Path) -> None:
        """Refuse events generated with other jet cuts than ``cuts`` (the acceptance the data obey,
        against which the samples' cut violations are counted), where the generator recorded them."""
        stored = stored_settings(source) or {}
        cuts = self.cfg.cuts
        differences = [
            f"cuts.{key}={wanted} but the events have {option} {stored[name]}"
            for key, name, option, wanted in (
                ("pt_min", "jet_pt_min", "--jet-pt-min", cuts.pt_min),
                ("eta_max", "eta_max", "--eta-max", cuts.eta_max),
                ("delta_r_min", "jet_radius", "--radius", cuts.get("delta_r_min")),
            )
            if name in stored and wanted is not None and not math.isclose(float(stored[name]), float(wanted))
        ]
        if differences:
            raise ValueError(
                f"{source}: {'; '.join(differences)}: the samples' cut violations would be counted against another "
                "acceptance than the data's; match cuts.* to the events, or generate them again into another "
                "data.path"
            )

    def saved_model_extras(self) -> dict[str, Any]:
        """The fitted flow coordinates (standardisation, momentum unit) the velocities are in."""
        return {"coordinates": self.coordinates.state_dict()}

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...]:
        """Loss, likelihoods, sampling speed, cut violations of the samples and the true events,
        and the two-sample classifier's AUC."""
        return (
            "loss",
            "nll",
            "nll_fourmomenta",
            "sampling_events_per_second",
            "cuts.*",
            "cuts_truth.*",
            "classifier_auc",
            "classifier_auc_std",
        )

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any]:
        """Flow coordinates of ``6 + data.n_extra_jets`` jets, not yet fitted to the events."""
        n_jets = 6 + cfg.data.n_extra_jets
        coordinates = JetCoordinates(n_jets, pt_min=cfg.flow.pt_min, mass_eps=cfg.flow.mass_eps)
        return {"coordinates": coordinates, "time_channels": cfg.flow.time_channels}

    def init_model(self) -> nn.Module:
        return self.build_wrapper("eventgen", coordinates=self.coordinates, time_channels=self.cfg.flow.time_channels)

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        """``(t (4,), x (4, n_jets, 4))``: four validation events in flow coordinates at the flow
        times 0, 1/3, 2/3 and 1, the inputs of the velocity network."""
        x, _ = self.datasets["val"][: min(4, len(self.datasets["val"]))]
        t = torch.linspace(0.0, 1.0, len(x), dtype=x.dtype)
        return self.to_device((t, x))

    def onnx_description(self) -> dict[str, Any]:
        """Inputs and output of the exported velocity network, in flow coordinates (see
        :mod:`experiments.common.onnx_export`)."""
        coordinates = self.coordinates
        jets = jet_names(self.cfg.data.n_extra_jets)
        return {
            "inputs": {
                "t": {"shape": ["batch"], "description": "flow time in [0, 1]: 0 the base distribution, 1 the data"},
                "x": {
                    "shape": ["batch", len(jets), 4],
                    "description": "the point in flow coordinates: per jet (log(pt - pt_min), eta, phi, "
                    "log(m^2 + mass_eps)) in GeV, minus mean, divided by std (see coordinates)",
                },
            },
            "outputs": {"velocity": {"shape": ["batch", len(jets), 4], "description": "dx/dt in flow coordinates"}},
            "units": "flow coordinates (GeV inside the logarithms)",
            "four_vector_order": None,
            "coordinates": {
                "jets": jets,
                "pt_min": coordinates.pt_min,
                "mass_eps": coordinates.mass_eps,
                "mean": coordinates.mean.tolist(),
                "std": coordinates.std.tolist(),
            },
        }

    def batch_loss(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, dict[str, float]]:
        """Flow-matching loss of ``(x1 (B, n_jets, 4), index (B,))``, the events in flow coordinates
        and their indices in the split.

        Training draws fresh noise and times. Validation and evaluation give each event the noise
        and time keyed by ``(seed, index)`` (:func:`~lorentznets.flows.keyed_flow_matching_noise`),
        so that their loss is the same for any batch size, number of processes and validation
        round (a generator seeded per batch gave the i-th event of every batch the same draws,
        which changed with the batch size). The flag read is the unwrapped model's: a DDP wrapper
        keeps its own, True, when ``raw_model.eval()`` is set.
        """
        x1, index = batch
        noise = None
        if not self.raw_model.training:
            noise = keyed_flow_matching_noise(self.base, self.cfg.seed, index, x1.dtype)
        return flow_matching_loss(self.model, x1, self.base, noise=noise), {}

    def evaluate(self, split: str) -> dict[str, float]:
        cfg = self.cfg
        x_all = self.datasets[split].tensors[0]
        p_true = self.events[split]
        losses = [self.batch_loss(self.to_device(batch))[0].item() * len(batch[0]) for batch in self.loader(split)]
        metrics = {"loss": sum(losses) / len(x_all)}
        metrics.update(self._likelihood_metrics(x_all[: cfg.likelihood.n_events], split))

        n_samples = cfg.sampling.n_samples or len(x_all)
        start = time.perf_counter()
        samples = self._sample(n_samples, split)
        seconds = time.perf_counter() - start
        metrics["sampling_events_per_second"] = n_samples / seconds
        p_gen = self.coordinates.x_to_fourmomenta(samples.to(torch.float64)).cpu()
        violations = cut_violations(p_gen, cfg.cuts.pt_min, cfg.cuts.eta_max, cfg.cuts.get("delta_r_min"))
        metrics.update({f"cuts.{name}": value for name, value in violations.items()})
        # the same fractions of the true events: the baseline of a perfect generator (anti-kT jets can
        # lie closer than R in (eta, phi), so the true events break delta_r_min now and then)
        truth = cut_violations(p_true, cfg.cuts.pt_min, cfg.cuts.eta_max, cfg.cuts.get("delta_r_min"))
        metrics.update({f"cuts_truth.{name}": value for name, value in truth.items()})
        LOGGER.info(
            "sampled %d events in %.1f s (%.0f events/s); cut violations %s",
            n_samples,
            seconds,
            n_samples / seconds,
            violations,
        )

        finite = torch.isfinite(p_gen).all(dim=-1).all(dim=-1)
        obs_true = {k: v.numpy() for k, v in event_observables(p_true).items()}
        obs_gen = {k: v.numpy() for k, v in event_observables(p_gen[finite]).items()}
        features = [name for name in obs_true if not name.startswith("dR_")]
        metrics.update(
            self._classifier_metrics(
                split,
                np.stack([obs_true[k] for k in features], axis=1),
                np.stack([obs_gen[k] for k in features], axis=1),
            )
        )
        # kept per split: every evaluated split is plotted
        self.observables = {**getattr(self, "observables", {}), split: {"true": obs_true, "generated": obs_gen}}
        self._save_samples(p_gen, split)
        return metrics

    def _classifier_metrics(self, split: str, true: np.ndarray, generated: np.ndarray) -> dict[str, float]:
        """``classifier_auc`` and its standard error ``classifier_auc_std``; none when the samples
        are too small to measure it, which the log and the MLflow tag ``<split>.classifier_auc`` say."""
        try:
            result = classifier_two_sample_auc(
                true, generated, seed=self.cfg.seed, max_iter=self.cfg.classifier.max_iter
            )
        except TwoSampleTestUnavailable as error:
            LOGGER.warning("%s.classifier_auc not computed: %s", split, error)
            self.logger.set_tag(f"{split}.classifier_auc", f"not computed: {error}")
            return {}
        LOGGER.info(
            "%s: two-sample classifier AUC %.3f +- %.3f on %d held-out events",
            split,
            result.auc,
            result.std,
            result.n_test,
        )
        return {"classifier_auc": result.auc, "classifier_auc_std": result.std}

    def _save_samples(self, p: torch.Tensor, split: str) -> Path:
        """Write generated events in the input layout: ``samples/ttbar_<n>j.npy`` in the run for
        the test split (``ttbar_<n>j_<split>.npy`` for another), in ``samples/model_run<k>_<stamp>/``
        for a re-evaluation, like its plots (it left the run's own samples replaced)."""
        name = event_file("", self.cfg.data.n_extra_jets).name
        if split != "test":
            name = name.replace(".npy", f"_{split}.npy")
        folder = self.run_dir.path / "samples" / self.plot_dir.relative_to(self.run_dir.path / "plots")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, p.reshape(len(p), -1).numpy())
        LOGGER.info("generated events in %s", path)
        return path

    def _delta_r_names(self, names: list[str], observables: dict[str, np.ndarray]) -> list[str]:
        """dR observables to draw: every pair of ``observables``, or (``plotting.delta_r_pairs:
        decay``) the pairs within each top decay plus b1-b2, where the reconstruction is most
        sensitive."""
        if self.cfg.plotting.delta_r_pairs == "all":
            return [k for k in observables if k.startswith("dR_")]
        if self.cfg.plotting.delta_r_pairs != "decay":
            raise ValueError(
                f"plotting.delta_r_pairs must be 'all' or 'decay', got {self.cfg.plotting.delta_r_pairs!r}"
            )
        pairs = [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (0, 3)]
        return [f"dR_{names[i]}_{names[j]}" for i, j in pairs]

    def _likelihood_metrics(self, x: torch.Tensor, split: str) -> dict[str, float]:
        """Mean NLL of events x (N, n_jets, 4) of ``split`` in flow coordinates and in 4-momentum
        space. Hutchinson probes are keyed by (seed, split, event index)
        (:func:`~lorentznets.flows.keyed_rademacher`): drawn batch by batch, an event's estimate
        depended on ``likelihood.batchsize``."""
        cfg = self.cfg.likelihood
        solver = SolverConfig.cast(OmegaConf.to_container(cfg.solver))
        LOGGER.info("likelihood of %d events (%s, %d steps, %s trace)", len(x), solver.method, solver.steps, cfg.trace)
        total = network_evaluations(solver, len(x), cfg.batchsize)
        with progress_bar(total=total, enabled=self.cfg.progress, desc="likelihood", unit="eval") as bar:
            velocity = CountingVelocity(self.raw_model, bar)
            seed = stream_seed(self.cfg.seed, "hutchinson", split)
            indices = torch.arange(len(x), device=self.device)
            log_p = torch.cat(
                [
                    flow_log_likelihood(
                        velocity, self.base, chunk, solver, cfg.trace, probes=self._probes(seed, keys, chunk)
                    )
                    for chunk, keys in zip(
                        x.to(self.device).split(cfg.batchsize), indices.split(cfg.batchsize), strict=True
                    )
                ]
            )
        log_p = log_p.double().cpu()
        log_det = self.coordinates.log_abs_det_jacobian(x.to(torch.float64)).cpu()
        return {"nll": -log_p.mean().item(), "nll_fourmomenta": (log_det - log_p).mean().item()}

    def _probes(self, seed: int, keys: torch.Tensor, chunk: torch.Tensor) -> torch.Tensor | None:
        """Hutchinson probes of the events ``keys`` (None for the exact trace)."""
        if self.cfg.likelihood.trace != "hutchinson":
            return None
        return keyed_rademacher(seed, keys, tuple(chunk.shape[1:]), chunk.dtype)

    def _sample(self, n: int, split: str) -> torch.Tensor:
        """n events (n, n_jets, 4) in flow coordinates, drawn in batches for ``split``.

        The base sample of event i is keyed by ``(seed, split, i)``
        (:func:`~lorentznets.flows.keyed_base_sample`): the sample is the same for any
        ``sampling.batchsize`` and whatever the likelihood drew before, and each split has its own
        (a generator shared with the Hutchinson probes and drawn batch by batch made the sample
        follow ``likelihood.*`` and ``sampling.batchsize``, and gave val and test the same one).
        """
        cfg = self.cfg.sampling
        solver = SolverConfig.cast(OmegaConf.to_container(cfg.solver))
        seed = stream_seed(self.cfg.seed, "sampling", split)
        periodic = self.base.periodic.to(self.device)
        LOGGER.info("sampling %d events (%s, %d steps)", n, solver.method, solver.steps)
        total = network_evaluations(solver, n, cfg.batchsize)
        with progress_bar(total=total, enabled=self.cfg.progress, desc="sampling", unit="eval") as bar, torch.no_grad():
            velocity = CountingVelocity(self.raw_model, bar)
            return torch.cat(
                [
                    transport(velocity, keyed_base_sample(self.base, seed, keys), periodic, 0.0, 1.0, solver)
                    for keys in torch.arange(n, device=self.device).split(cfg.batchsize)
                ]
            )

    def plot(self) -> list[Path]:
        """Truth against generated histograms of every evaluated split (``jets_<split>.pdf``,
        ``resonances_<split>.pdf``, ``delta_r_<split>.pdf``); none without an evaluation."""
        names = jet_names(self.cfg.data.n_extra_jets)
        paths = []
        for split, observables in getattr(self, "observables", {}).items():
            groups = {
                "jets": [f"{q}_{jet}" for jet in names for q in ("pt", "eta", "phi", "m")],
                "resonances": ["m_W1", "m_W2", "m_t1", "m_t2"],
                "delta_r": self._delta_r_names(names, observables["true"]),
            }
            for group, selected in groups.items():
                paths += plot_observables(
                    observables["true"],
                    observables["generated"],
                    self.plot_dir / f"{group}_{split}.pdf",
                    selected,
                    self.cfg.plotting.bins,
                )
        return paths
