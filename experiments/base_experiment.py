"""The base experiment: the contract every task implements, and the run around it.

The training loop itself lives in :class:`experiments.common.trainer.Trainer`; the experiment
supplies data, model, loss, evaluation and plots (see ``docs/architecture.md``).

Subclass contract
-----------------
A subclass implements five methods (all run on every DDP rank unless noted):

``init_data() -> dict[str, torch.utils.data.Dataset]``
    Runs on the main rank first and then on the others, so it may generate or convert files.
    Load or generate the data and return datasets by split; ``"train"`` and ``"val"`` are
    required, further splits (e.g. ``"test"``) are what :meth:`evaluate` uses. Each item is
    whatever :meth:`collate` turns into a batch (default: :func:`torch.utils.data.default_collate`,
    so tuples of tensors work out of the box). Raise ``FileNotFoundError``/``KeyError``/
    ``ValueError`` with a clear message on bad input: the base turns them into a one-line
    :class:`ExperimentInputError` that ``run.py`` prints without a traceback.
``init_model() -> torch.nn.Module``
    Build the model from ``self.cfg.model`` (usually ``self.build_wrapper(family, ...)``).
    The base moves it to ``self.device`` and wraps it (DDP, ``torch.compile``).
``batch_loss(batch) -> tuple[torch.Tensor, dict[str, torch.Tensor | float]]``
    Loss of one batch (already on ``self.device``) as a scalar tensor, plus extra scalar
    metrics to log (may be empty): return them as detached 0-d tensors, not ``.item()``, so the
    training step never waits for the device. Call the model as ``self.model(...)`` so DDP synchronises
    gradients. Used for training and validation; the base averages validation losses weighted
    by :meth:`batch_weight`.
``evaluate(split: str) -> dict[str, float]``
    Main rank only. Evaluate ``self.raw_model`` (EMA weights already loaded when EMA is on) on
    ``self.datasets[split]`` and return metrics (plain floats). Use :meth:`loader` and
    :meth:`autocast`. Keep whatever :meth:`plot` needs as attributes.
``plot() -> list[pathlib.Path]``
    Main rank only, after :meth:`evaluate`. Write figures into ``self.plot_dir`` and return
    their paths; they are logged as MLflow artifacts. Training curves are plotted by the base.

Optional hooks: :meth:`collate` (batch assembly), :meth:`batch_weight` (weight of a batch in
the validation average: its number of samples, or their summed event weight),
:attr:`evaluation_splits` (default ``("test",)``; ``evaluation.splits`` in the config overrides it).

Lifecycle (``experiment()`` / :meth:`run`)
------------------------------------------
distributed setup -> seeds -> run directory and config (its path is printed) -> MLflow ->
``init_data`` -> ``init_model`` (weights from ``training.finetune.from`` when set) ->
:class:`~experiments.common.trainer.Trainer` (optimizer, scheduler, EMA; resume or warm start) ->
training with periodic validation, checkpoints and early stopping -> final model saved (and
logged to MLflow's model view with ``mlflow.log_model``) -> ``evaluate`` for each split ->
``plot`` -> MLflow artifacts -> summary table. A stop request (SIGTERM) ends any phase within
seconds (:mod:`experiments.common.stop_request`).

Run directory ``<base_dir>/runs/<exp_name>/<run_name>/``
----------------------------------------------------------
``config.yaml``
    Resolved config, reloadable: ``python run.py -cp runs/<exp>/<run> -cn config train=false
    warm_start_idx=0``.
``checkpoints/last.pt``
    Full training state (model, optimizer, scheduler, EMA, step, RNG states, history, early
    stopping counters, MLflow run id), written atomically after every validation;
    ``resume=true`` continues from it, so a killed run loses at most one validation interval.
``checkpoints/best.pt``
    Weights with the lowest validation loss so far (EMA weights when EMA is on).
``models/model_run<k>.pt``
    Final weights of the k-th completed training in this directory (k = 0, 1, ...).
    ``warm_start_idx=k`` loads them: with ``train=false`` the model is only evaluated; with
    ``train=true`` training starts from them (fresh optimizer) and writes the next free ``model_run<j>``.
``evaluation/model_run<k>_<timestamp>.json``
    Evaluation metrics of every evaluation of model k.
``predictions/model_run<k>_<timestamp>.h5``
    Per-event predictions of model k for ``predict.files`` (``train=false warm_start_idx=k
    predict.files=[...]``, which replaces the evaluation; :mod:`experiments.common.predict`).
``models/model_run<k>.onnx``, ``models/model_run<k>.preprocessing.json``
    Model k as ONNX and what to feed it (``export.onnx=true``; :mod:`experiments.common.onnx_export`).
``plots/``
    Figures of the training run; a re-evaluation writes ``plots/model_run<k>_<timestamp>/``.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn
from torch.utils.data import DataLoader, Dataset, IterableDataset, default_collate

from experiments.common.checkpoint import (
    CheckpointError,
    check_weights_fit,
    load_checkpoint,
    remove_stale_temporaries,
    save_atomic,
)
from experiments.common.config_changes import changed_leaves
from experiments.common.config_schema import DEFAULT_SCHEMA, ConfigError, merge_schemas, validate_config
from experiments.common.config_upgrade import default_value
from experiments.common.distributed import init_distributed
from experiments.common.errors import ExperimentInputError
from experiments.common.finetune import finetune_source, load_finetune_weights, read_finetune_source
from experiments.common.mlflow_logger import MlflowLogger, flatten_config, resolve_tracking_uri
from experiments.common.mlflow_model import log_pytorch_model
from experiments.common.model_build import build_model, check_model_config
from experiments.common.model_function import function_changes, saved_settings, with_added_settings
from experiments.common.onnx_export import OnnxExportError, export_run_model
from experiments.common.predict import check_predict_output, write_run_predictions
from experiments.common.progress import metrics_table
from experiments.common.run_directory import RunDirectory
from experiments.common.sampler import ShardedSequentialBatchSampler
from experiments.common.seeding import seed_everything
from experiments.common.stop_request import forced_exit_cleanup, raise_if_stopped, stop_signal, stops_held
from experiments.common.trainer import TRAINING_SERIES, Trainer
from experiments.common.trainer_state import TrainerState
from experiments.common.training_curves import plot_training_curves
from experiments.common.training_lock import TrainingLock
from experiments.common.warm_start import split_changes
from experiments.registry import wrappers_for
from lorentznets.data.generate.options import MAX_SEED, PYTHIA_DATASETS
from lorentznets.data.readers.errors import StreamedDataError, error_message, streamed_data_message

LOGGER = logging.getLogger("lorentznets")


class BaseExperiment(ABC):
    """Base class of all experiments; see the module docstring for the subclass contract.

    Parameters
    ----------
    cfg : omegaconf.DictConfig
        Full experiment config (``config/default.yaml`` merged with the experiment and model
        configs and command-line overrides).
    """

    evaluation_splits: tuple[str, ...] = ("test",)
    config_schema: ClassVar[Mapping[str, Any]] = {}
    """Sections this experiment adds to :data:`~experiments.common.config_schema.DEFAULT_SCHEMA`."""
    model_family: ClassVar[str | None] = None
    """Wrapper family of ``cfg.model.name`` (``experiments/<family>/wrappers*.py``); None: any model name."""
    function_settings: ClassVar[tuple[str, ...]] = ()
    """Dotted config keys outside ``model`` that are part of the function a saved model's weights
    compute (tagging: ``data.features``): a warm start or fine-tuning with another value is
    refused, as for the ``model`` section (:mod:`experiments.common.model_function`)."""

    @classmethod
    def check_config(cls, cfg: DictConfig) -> None:
        """Validate the whole config before any work: types, ranges, allowed values, the model.

        Raises
        ------
        ConfigError
            In one line naming the key, the value and what is allowed.
        """
        container = OmegaConf.to_container(cfg, resolve=True)
        container.pop("hydra", None)
        validate_config(container, merge_schemas(DEFAULT_SCHEMA, cls.config_schema))
        if cfg.predict.files and not hasattr(cls, "predict_file"):
            raise ConfigError(f"config key predict.files is not allowed: {cls.__name__} cannot predict files")
        if cfg.predict.files and cfg.predict.output is not None:
            try:
                check_predict_output(cfg.predict.output, list(cfg.predict.files))
            except ValueError as error:
                raise ConfigError(str(error)) from None
        if cfg.predict.files and (cfg.train or cfg.export.onnx):
            raise ConfigError(
                "config key predict.files is set: predict with train=false warm_start_idx=<k> and export.onnx=false "
                "(training and the ONNX export need the training data; run them separately)"
            )
        if cls.model_family is not None:
            available = wrappers_for(cls.model_family)
            if cfg.model.name not in available:
                raise ConfigError(
                    f"config key model={cfg.model.name!r} is not offered for the experiment {cfg.experiment!r}: "
                    f"expected one of {', '.join(sorted(available))}"
                )
            # a wrapper's onnx_unsupported names why its net cannot be exported
            reason = getattr(available[cfg.model.name], "onnx_unsupported", None)
            if cfg.export.onnx and reason is not None:
                raise ConfigError(f"config key export.onnx=true is not allowed for model={cfg.model.name!r}: {reason}")
        if cfg.objective is not None:
            splits = list(cfg.evaluation.splits or cls.evaluation_splits)
            split, _, metric = str(cfg.objective).partition(".")
            if split in TRAINING_SERIES:
                raise ConfigError(
                    f"config key objective={cfg.objective!r} is not allowed: {split}.* are curves logged during "
                    "training (the weights of each step), not the final evaluation: name a metric of it as "
                    f"'<split>.<metric>' with <split> one of {splits}"
                )
            if not cfg.evaluate or cfg.predict.files or split not in splits:
                raise ConfigError(
                    f"config key objective={cfg.objective!r} is not allowed: it names a metric of an evaluated split "
                    f"('<split>.<metric>' with <split> one of {splits}, and evaluate=true without predict.files); "
                    "it is returned to sweepers only: set objective=null for a run outside a sweep"
                )
            patterns = cls.metric_patterns(cfg)
            if patterns is not None and not _declared(metric, patterns):
                raise ConfigError(
                    f"config key objective={cfg.objective!r} is not allowed: {metric!r} is no metric of this "
                    f"experiment; its metrics are {', '.join(patterns)} (* stands for any name)"
                )
        schedule = cfg.training.scheduler
        # keys a new training would ignore; runs started before these checks still resume and reload
        fresh_training = bool(cfg.train) and not cfg.resume
        for key, readers in _SCHEDULER_KEYS.items():
            unused = default_value(f"training.scheduler.{key}")
            if fresh_training and schedule.name not in readers and schedule[key] != unused:
                raise ConfigError(
                    f"config key training.scheduler.{key}={schedule[key]!r} is not allowed with "
                    f"training.scheduler.name={schedule.name!r}: it is read by {' and '.join(readers)} only"
                )
        if schedule.name == "cosine_restarts" and cfg.train and schedule.warmup_steps >= cfg.training.iterations:
            raise ConfigError(
                f"config key training.scheduler.warmup_steps={schedule.warmup_steps} is not allowed: the warm-up "
                f"must end before training.iterations={cfg.training.iterations}"
            )
        generate = OmegaConf.select(cfg, "data.generate")
        if generate is not None and generate.dataset in PYTHIA_DATASETS and generate.seed > MAX_SEED:
            raise ConfigError(
                f"config key data.generate.seed={generate.seed} is not allowed: the Pythia generators take seeds in "
                f"[0, {MAX_SEED}] (docs/data.md)"
            )
        processes = int(os.environ.get("WORLD_SIZE", "1"))
        if cfg.train and cfg.training.batchsize % processes:
            raise ConfigError(
                f"config key training.batchsize={cfg.training.batchsize} is not allowed: under torchrun it is the "
                f"global batch, split evenly over the {processes} processes (use a multiple of {processes})"
            )
        if cfg.device == "cuda" and not torch.cuda.is_available():
            raise ConfigError(
                "config key device='cuda' is not allowed: this machine has no CUDA device (use auto or cpu)"
            )
        finetune_from = cfg.training.finetune["from"]
        # with warm_start_idx the run's own model k is loaded and finetune.from only records where the
        # run started (a fine-tuned run's saved config keeps it), so it is neither needed nor read
        if finetune_from is not None and cfg.warm_start_idx is None:
            if not cfg.train:
                raise ConfigError(
                    "config key training.finetune.from starts a new training: it needs train=true (or "
                    "warm_start_idx=<k> to load model k of a fine-tuned run)"
                )
            try:
                finetune_source(finetune_from)
            except FileNotFoundError as error:
                raise ConfigError(str(error)) from None
        if finetune_from is None and fresh_training:
            finetune = cfg.training.finetune
            for key in ("backbone_lr_factor", "head_lr"):
                if finetune[key] != default_value(f"training.finetune.{key}"):
                    raise ConfigError(
                        f"config key training.finetune.{key}={finetune[key]!r} is not allowed without "
                        "training.finetune.from: it is read by fine-tuning only (a warm start trains every "
                        "weight at training.optimizer.lr)"
                    )
        stand_ins = cls.model_stand_ins(cfg) if cls.model_family is not None else None
        if stand_ins is not None:
            check_model_config(cls.model_family, cfg.model, stand_ins)
        if cfg.training.validate_every > cfg.training.iterations and cfg.train:
            LOGGER.warning(
                "training.validate_every=%d exceeds training.iterations=%d: one validation at the end",
                cfg.training.validate_every,
                cfg.training.iterations,
            )

    @classmethod
    def model_stand_ins(cls, cfg: DictConfig) -> dict[str, Any] | None:
        """Stand-ins, from the config alone, for the data-dependent arguments that :meth:`init_model`
        passes to :meth:`build_wrapper` (channel counts, multiplicities), so that
        :meth:`check_config` can build the model and check ``model.net`` and
        ``model.wrapper`` before any data is read; None (the default): checked only when the
        model is built."""
        return None

    @classmethod
    def metric_patterns(cls, cfg: DictConfig) -> tuple[str, ...] | None:
        """The names :meth:`evaluate` can return under ``cfg``, as ``fnmatch`` patterns (e.g.
        ``"auc"``, ``"*.mse"``), so that :meth:`check_config` finds a misspelt ``objective`` before
        any training; None (the default): ``objective`` is checked after the evaluation only."""
        return None

    def saved_model_extras(self) -> dict[str, Any]:
        """Entries saved beside the weights in ``models/model_run<k>.pt`` (plain containers of
        numbers and strings, loadable with ``weights_only``): what the data gave the model that
        a reload must not take from other data (e.g. the amplitudes' standardisation)."""
        return {}

    def warm_start_extra(self, key: str, what: str) -> tuple[Path, Any] | None:
        """On a warm start, the :meth:`saved_model_extras` entry ``key`` of model
        ``warm_start_idx`` with the file's path; None without a warm start, or (with a warning
        naming ``what``) for a model saved before the entry existed."""
        if self.cfg.warm_start_idx is None:
            return None
        path, checkpoint = self.warm_start_checkpoint()
        saved = checkpoint.get(key)
        if saved is None:
            LOGGER.warning("%s predates saved %s: using this data's training statistics", path, what)
            return None
        return path, saved

    def warm_start_checkpoint(self) -> tuple[Path, dict[str, Any]]:
        """``models/model_run<k>.pt`` of ``warm_start_idx=k`` and its contents (on the CPU),
        read once per run.

        Raises
        ------
        FileNotFoundError
            No such model; the message lists the saved ones.
        CheckpointError
            The file cannot be read safely.
        """
        if self._warm_start is None:
            path = self.run_dir.existing_model_path(self.cfg.warm_start_idx)
            self._warm_start = (path, load_checkpoint(path))
        return self._warm_start

    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg
        self._warm_start: tuple[Path, dict[str, Any]] | None = None
        self._finetune: tuple[Path, Mapping[str, Any]] | None = None
        self.dist = init_distributed(cfg.device)
        self.device = self.dist.device
        self.is_main = self.dist.is_main
        self.datasets: dict[str, Dataset] = {}
        self.model: nn.Module
        self.raw_model: nn.Module
        self.trainer: Trainer
        self.metrics: dict[str, float] = {}

    # ------------------------------------------------------------------ subclass contract
    @abstractmethod
    def init_data(self) -> dict[str, Dataset]:
        """Return datasets by split; ``"train"`` and ``"val"`` are required."""

    @abstractmethod
    def init_model(self) -> nn.Module:
        """Return the (unwrapped) model built from ``self.cfg.model``."""

    @abstractmethod
    def batch_loss(self, batch: Any) -> tuple[torch.Tensor, dict[str, float]]:
        """Return the scalar loss of ``batch`` (on ``self.device``) and extra metrics."""

    @abstractmethod
    def evaluate(self, split: str) -> dict[str, float]:
        """Return evaluation metrics of ``self.raw_model`` on ``self.datasets[split]``."""

    @abstractmethod
    def plot(self) -> list[Path]:
        """Write figures into ``self.plot_dir``; return their paths."""

    def collate(self, items: list[Any]) -> Any:
        """Assemble a batch from dataset items (default: ``default_collate``)."""
        return default_collate(items)

    def model_input_example(self) -> tuple[torch.Tensor, ...] | None:
        """Positional inputs of ``raw_model`` for a few samples (on ``self.device``), used to log
        the model with its signature when ``mlflow.log_model`` is on; None: not offered."""
        return None

    def exported_model(self, model: nn.Module, inputs: tuple[torch.Tensor, ...]) -> tuple[nn.Module, tuple]:
        """The module that the exports (ONNX: :mod:`experiments.common.onnx_export`; MLflow's model
        view: ``mlflow.log_model``) trace, and its positional inputs: ``model`` on ``inputs``
        (:meth:`model_input_example`'s); an experiment whose model needs more inputs than those
        wraps it."""
        return model, inputs

    def shard_normaliser(self, total: torch.Tensor) -> torch.Tensor:
        """The normaliser of a batch loss that is a weighted mean (``sum(w l) / total``) in a training
        step: under DDP, ``total`` summed over the ranks and divided by their number, so that DDP's
        mean of the ranks' gradients is the gradient of the whole batch's weighted mean (with each
        rank's own ``total`` it depended on the number of processes). ``total`` itself outside
        training steps (validation may run other batch counts per rank, and no collective) and in
        one process.

        Parameters
        ----------
        total : torch.Tensor with any shape
            This rank's sum of weights (or count) of the batch, on the device; one per term of a
            loss with several means (e.g. per event target).

        Returns
        -------
        torch.Tensor with the shape of ``total``
        """
        if self.dist.world_size == 1 or not (torch.is_grad_enabled() and self.model.training):
            return total
        return self.dist.all_reduce_sum(total.detach()) / self.dist.world_size

    def batch_weight(self, batch: Any) -> float:
        """Weight of ``batch`` in the validation average (default: length of its first tensor)."""
        first = batch
        while isinstance(first, (tuple, list)):
            first = first[0]
        if isinstance(first, Mapping):
            first = next(iter(first.values()))
        return float(len(first))

    # ------------------------------------------------------------------ helpers for subclasses
    def build_wrapper(self, family: str, **task_kwargs: Any) -> nn.Module:
        """Instantiate the wrapper registered for ``cfg.model.name`` in ``family`` as
        ``Wrapper(net=<cfg.model.net>, **task_kwargs, **<cfg.model.wrapper>)`` (see
        :func:`~experiments.common.model_build.build_model`)."""
        return build_model(family, self.cfg.model, **task_kwargs)

    def loader(
        self, split: str, batch_size: int | None = None, shard: bool = False, max_batches: int | None = None
    ) -> DataLoader:
        """Sequential loader over ``split`` (batches of ``evaluation.batchsize`` by default).

        With ``shard=True`` each DDP rank gets the disjoint part ``rank::world_size`` (used for
        validation, whose sums are reduced over ranks); :meth:`evaluate` runs on the main rank
        alone and uses the default, the whole split. A streamed split (an ``IterableDataset`` with
        ``sequential(batch_size, rank, world_size, max_batches)``) is read the same way, block by block.
        ``max_batches`` keeps as many samples as fill that many batches, a fixed random subset of
        the split (chosen before sharding, so that every number of processes reads the same ones);
        of a streamed split, a fixed subset spread over its files (``sequential``'s
        ``max_batches``).
        """
        dataset = self.datasets[split]
        rank, world_size = (self.dist.rank, self.dist.world_size) if shard else (0, 1)
        batch_size = batch_size or self.cfg.evaluation.batchsize
        workers = self.cfg.training.num_workers
        if isinstance(dataset, IterableDataset):
            stream = dataset.sequential(batch_size, rank, world_size, max_batches)
            return DataLoader(stream, batch_size=None, collate_fn=self.collate, num_workers=workers)
        kept = None if max_batches is None else max_batches * batch_size
        sampler = ShardedSequentialBatchSampler(len(dataset), batch_size, rank, world_size, num_kept=kept)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=self.collate, num_workers=workers)

    def autocast(self) -> AbstractContextManager:
        """bf16 autocast when ``training.bf16`` is on, else a no-op context."""
        if not self.cfg.training.bf16:
            return nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def to_device(self, batch: Any) -> Any:
        """Move tensors in (nested tuples/lists/dicts of) ``batch`` to ``self.device``."""
        if isinstance(batch, torch.Tensor):
            return batch.to(self.device, non_blocking=True)
        if isinstance(batch, Mapping):
            return {key: self.to_device(value) for key, value in batch.items()}
        if isinstance(batch, (tuple, list)):
            return type(batch)(self.to_device(value) for value in batch)
        return batch

    @property
    def plot_dir(self) -> Path:
        """Folder for figures: ``plots/`` for a training, ``plots/model_run<j>/`` for a training
        from a saved model (``warm_start_idx``, saving model j: it replaced the run's own plots),
        ``plots/model_run<k>_<timestamp>/`` for a re-evaluation."""
        if hasattr(self, "_plot_dir"):
            return self._plot_dir
        if self.cfg.train and self.cfg.warm_start_idx is not None and hasattr(self, "model_index"):
            return self.run_dir.path / "plots" / f"model_run{self.model_index}"
        return self.run_dir.path / "plots"

    # ------------------------------------------------------------------ lifecycle
    def __call__(self) -> dict[str, float]:
        """Alias of :meth:`run`."""
        return self.run()

    def run(self) -> dict[str, float]:
        """Run the whole pipeline; return the evaluation metrics (main rank; others: {})."""
        try:
            with forced_exit_cleanup(self._finish_killed):
                return self._run_phases()
        except BaseException as error:
            logger = getattr(self, "logger", None)
            if logger is not None:
                # A stop request counts even where library code turned its SystemExit into another error.
                killed = isinstance(error, (KeyboardInterrupt, SystemExit)) or stop_signal() is not None
                with stops_held():  # a stop arriving now must not leave the MLflow run RUNNING
                    logger.finish(status="KILLED" if killed else "FAILED")
            raise
        finally:
            lock = getattr(self, "_training_lock", None)
            if lock is not None:
                lock.release()
            self.dist.shutdown()

    def _run_phases(self) -> dict[str, float]:
        """The phases of :meth:`run`; a stop request swallowed by library code ends the run at the
        next phase boundary (:func:`~experiments.common.stop_request.raise_if_stopped`)."""
        self.setup()
        raise_if_stopped()
        if self.cfg.train:
            with _streamed_data_errors(self.cfg.exp_name):
                try:
                    self.trainer.fit()
                except FloatingPointError as error:  # a diverged run: the message says what to try
                    raise ExperimentInputError(f"{self.cfg.exp_name}: {error}") from error
            raise_if_stopped()
            saved = self._model_of_finished_training()
            if saved is None:
                self._save_final_model()
            else:
                self.model_index = saved
                LOGGER.info("the training had finished and model_run%d was saved: evaluating it", saved)
            raise_if_stopped()
        index = getattr(self, "model_index", self.cfg.warm_start_idx)
        if self.cfg.predict.files:
            if self.is_main:
                write_run_predictions(self, index)
        elif self.cfg.evaluate:
            with _streamed_data_errors(self.cfg.exp_name):
                self._evaluate_all()
        raise_if_stopped()
        if self.cfg.export.onnx and self.is_main:
            try:
                export_run_model(self, index)
            except OnnxExportError as error:
                raise ExperimentInputError(f"export.onnx: {error}") from error
            raise_if_stopped()
        if self.cfg.plot and self.is_main:
            self._plot_all()
        if self.is_main and self.metrics:
            LOGGER.info("\n%s", metrics_table(self.metrics, f"{self.cfg.exp_name} results"))
        raise_if_stopped()
        self.logger.finish()
        return self.metrics if self.is_main else {}

    def _finish_killed(self) -> None:
        """Close the MLflow run as KILLED (called by the stop watchdog from its own thread)."""
        logger = getattr(self, "logger", None)
        if logger is not None:
            logger.finish(status="KILLED")

    @property
    def history(self) -> dict[str, list[float]]:
        """Training curves of the trainer's state."""
        return self.trainer.state.history

    @property
    def step(self) -> int:
        """Optimizer steps taken."""
        return self.trainer.step

    def setup(self) -> None:
        """The first phase of :meth:`run`: run folder, MLflow run, data, model and trainer, with
        the resumed, warm-started or fine-tuning weights loaded; nothing trained yet. Public for
        tools that drive the phases themselves (``benchmarks/bench_log_model.py`` times
        ``trainer.fit()`` alone)."""
        cfg = self.cfg
        if not self.is_main:
            logging.getLogger().setLevel(logging.WARNING)
        if not cfg.train and cfg.warm_start_idx is None:
            raise ExperimentInputError("train=false needs warm_start_idx=<k> to choose the saved model to evaluate")
        seed_everything(cfg.seed)
        run_name = self.dist.broadcast_object(cfg.run_name or datetime.now().strftime("%Y%m%d_%H%M%S_%f"))
        self.run_dir = RunDirectory(Path(cfg.base_dir) / "runs" / cfg.exp_name / run_name)
        try:
            self.run_dir.check_layout()
        except OSError as error:
            raise ExperimentInputError(str(error)) from None
        # resume continues a training; an evaluation (train=false) always reads model_run<k>
        resuming = bool(cfg.resume) and bool(cfg.train) and self.run_dir.last_checkpoint.is_file()
        self.resuming = resuming
        """Whether this run continues a training from ``checkpoints/last.pt``."""
        state = self._load_resume_state() if resuming else None
        if state is not None:
            self._refuse_changed_settings(state.settings)
        elif cfg.warm_start_idx is not None:
            self._refuse_other_model()
            if not cfg.predict.files:
                self._refuse_changed_splits()
        elif cfg.train and cfg.training.finetune["from"] is not None:
            self._refuse_other_finetune_source()
        fresh = cfg.train and not resuming and cfg.warm_start_idx is None
        if cfg.train:
            self._lock_run_directory()
        # every rank refuses (one rank's refusal alone surfaced as a gloo/NCCL crash of the others)
        if fresh and self.run_dir.models():
            raise ExperimentInputError(
                f"run directory {self.run_dir.path} already holds trained models; use resume=true, "
                "warm_start_idx=<k> or another run_name"
            )
        if fresh and self.run_dir.last_checkpoint.is_file():
            # a later resume=true would continue that training under this run's config
            raise ExperimentInputError(
                f"run directory {self.run_dir.path} holds the checkpoint {self.run_dir.last_checkpoint} of a training "
                "that saved no final model; continue it with resume=true, or use another run_name"
            )
        mlflow_run_name = run_name
        if not cfg.train:
            stamp = datetime.now().strftime("%Y%m%d_%H%M%S_%f")
            self._plot_dir = self.run_dir.path / "plots" / f"model_run{cfg.warm_start_idx}_{stamp}"
            # each use of a saved model is its own MLflow run: what it did and when (its plots' folder)
            use = "predict" if cfg.predict.files else "eval" if cfg.evaluate else "export"
            mlflow_run_name = f"{run_name}_{use}{cfg.warm_start_idx}_{stamp}"
        OmegaConf.set_struct(cfg, False)
        cfg.run_name = run_name
        # saved absolute, so that the run folder's config finds the run from any working directory
        cfg.base_dir = str(Path(cfg.base_dir).resolve())
        OmegaConf.set_struct(cfg, True)
        if self.is_main:
            self.run_dir.write_config(cfg, overwrite=fresh)
            for stale in remove_stale_temporaries(self.run_dir.last_checkpoint.parent):
                LOGGER.info("removed %s, left by a run killed while saving a checkpoint", stale)
        self.dist.barrier()

        if cfg.resume and state is None and self.is_main:
            LOGGER.warning("resume=true but %s has no checkpoint: starting from scratch", self.run_dir.path)
        self.logger = MlflowLogger(
            enabled=bool(cfg.use_mlflow) and self.is_main,
            tracking_uri=resolve_tracking_uri(cfg.mlflow.tracking_uri, cfg.base_dir),
            experiment_name=cfg.mlflow.experiment_name,
            run_name=mlflow_run_name,
            run_id=state.mlflow_run_id if state is not None else None,
        )
        if self.is_main:
            run_id = f" (MLflow run {self.logger.run_id})" if self.logger.enabled else ""
            LOGGER.info("run directory %s%s", self.run_dir.path.resolve(), run_id)
        if self.logger.started:
            self.logger.log_params(flatten_config(OmegaConf.to_container(cfg, resolve=True)))
            if self.is_main:  # with plot=false too, and before a failure
                self.logger.log_artifact(self.run_dir.config_path, "config")
        self.logger.set_tag("run_dir", str(self.run_dir.path.resolve()))

        try:
            self.datasets = self._init_data_main_rank_first()
        except (FileNotFoundError, KeyError, ValueError) as error:
            message = error_message(error)
            raise ExperimentInputError(
                f"{cfg.exp_name}: cannot load data: {error.__class__.__name__}: {message}"
            ) from error
        missing = {"train", "val"} - set(self.datasets) if cfg.train else set()
        if missing:
            raise ValueError(f"init_data() must return the splits {sorted(missing)}")
        train = self.datasets.get("train")
        if cfg.train and not isinstance(train, IterableDataset):
            per_rank = len(train) // self.dist.world_size
            if per_rank < cfg.training.batchsize // self.dist.world_size:
                raise ExperimentInputError(
                    f"training.batchsize={cfg.training.batchsize} is larger than the {len(train)} training samples"
                    + (f" ({per_rank} per process)" if self.dist.world_size > 1 else "")
                    + ": lower training.batchsize or use more data"
                )

        try:
            self.raw_model = self.init_model().to(self.device)
        except ConfigError as error:
            raise ExperimentInputError(str(error)) from None
        if self._finetune is not None:
            file, checkpoint = self._finetune
            try:
                load_finetune_weights(checkpoint, file, self.raw_model, f"model {cfg.model.name}")
            except ValueError as error:
                raise ExperimentInputError(str(error)) from None
            self._finetune = None  # the weights are in the model now
        if self.dist.world_size > 1:
            # the model starts alike on every rank (DDP broadcasts rank 0's weights anyway); from
            # here each rank draws its own dropout masks, flow-matching noise and random frames
            seed_everything(cfg.seed + 1_000_003 * self.dist.rank)
        self.trainer = Trainer(
            self,
            self.raw_model,
            cfg.training,
            seed=cfg.seed,
            dist=self.dist,
            logger=self.logger,
            run_dir=self.run_dir,
            show_progress=self.is_main and cfg.progress,
        )
        num_parameters = sum(p.numel() for p in self.raw_model.parameters())
        # counted after the trainer has fixed a fine-tuning's backbone (backbone_lr_factor=0)
        trainable = sum(p.numel() for p in self.raw_model.parameters() if p.requires_grad)
        LOGGER.info("model %s: %d parameters, %d trainable", cfg.model.name, num_parameters, trainable)
        self.logger.log_params({"num_parameters": num_parameters})
        if state is not None:
            try:
                check_weights_fit(state.model, self.raw_model, str(self.run_dir.last_checkpoint))
            except ValueError as error:
                raise ExperimentInputError(f"resume=true: {error}") from None
            self.trainer.restore(state)
            LOGGER.info("resumed %s at step %d", self.run_dir.path, self.trainer.step)
        elif cfg.warm_start_idx is not None:
            try:
                path, checkpoint = self.warm_start_checkpoint()
                weights = checkpoint["model"]
                check_weights_fit(weights, self.raw_model, str(path))
            except (FileNotFoundError, CheckpointError, ValueError) as error:
                raise ExperimentInputError(str(error)) from None
            self.trainer.load_weights(weights)
            self._warm_start = None  # the weights are in the model now
            LOGGER.info("loaded weights from %s", path)
        # what a resume of this training must match (a warm-start training's differ from config.yaml)
        self.trainer.state.settings = self.training_settings()

    def _lock_run_directory(self) -> None:
        """Take the run directory's training lock on the main rank; every rank refuses when
        another process holds it (the result is broadcast even when taking it failed)."""
        self._training_lock = TrainingLock(self.run_dir.path)
        outcome: bool | str = True
        if self.is_main:
            try:
                outcome = self._training_lock.acquire()
            except Exception as error:  # noqa: BLE001 - the other ranks wait in the broadcast below
                outcome = f"{error.__class__.__name__}: {error}"
        outcome = self.dist.broadcast_object(outcome)
        if outcome is False:
            raise ExperimentInputError(
                f"run directory {self.run_dir.path} is in use by another training ({self._training_lock.path} is "
                "locked); wait for it to end, or use another run_name"
            )
        if outcome is not True:
            raise ExperimentInputError(f"cannot take the training lock {self._training_lock.path}: {outcome}")

    def _model_of_finished_training(self) -> int | None:
        """k of ``models/model_run<k>.pt`` when ``fit`` found its training already finished (a
        resume of a completed or early-stopped run) and that model was saved; None otherwise."""
        if not self.trainer.finished_before:
            return None
        for index in reversed(self.run_dir.models()):
            if load_checkpoint(self.run_dir.model_path(index)).get("step") == self.trainer.step:
                return index
        return None

    def training_settings(self) -> dict[str, Any]:
        """The resolved settings a resumed training must share with the interrupted one
        (:data:`_RESUMED_SECTIONS` of the config), kept in ``checkpoints/last.pt``."""
        current = OmegaConf.to_container(self.cfg, resolve=True)
        return {section: current[section] for section in _RESUMED_SECTIONS if section in current}

    def _refuse_changed_settings(self, saved: dict[str, Any]) -> None:
        """Refuse ``resume=true`` with other training, data or model settings than those of the
        interrupted training (``saved``, from its checkpoint; the run folder's ``config.yaml`` for
        checkpoints that predate them): the checkpoint holds optimizer and scheduler states for
        those (a longer cosine schedule, a new learning rate or an EMA would be mixed with the
        saved ones)."""
        sections = _RESUMED_SECTIONS
        saved_path = self.run_dir.last_checkpoint
        hint = "the interrupted training's command with resume=true"
        if not saved:
            saved_path = self.run_dir.config_path
            hint = "the run's own (-cp <run folder> -cn config resume=true)"
            if not saved_path.is_file():
                return
            try:
                saved = OmegaConf.to_container(OmegaConf.load(saved_path), resolve=True)
            except Exception as error:  # noqa: BLE001 - YAML or interpolation errors of a damaged file
                raise ExperimentInputError(
                    f"resume=true: cannot read the run's settings {saved_path} ({error.__class__.__name__}: "
                    f"{str(error).splitlines()[0]}); restore the file or start a new run_name"
                ) from None
        current = OmegaConf.to_container(self.cfg, resolve=True)
        missing = [s for s in sections if s in current and not (isinstance(saved, dict) and s in saved)]
        if missing:
            raise ExperimentInputError(
                f"resume=true: the run's settings {saved_path} hold no {', '.join(missing)} section (damaged or "
                "edited file); restore the file or start a new run_name"
            )
        # a setting added since the training began counts with the value it ran with
        saved = with_added_settings(saved, current)
        changes = [
            f"{key}: {before!r} -> {after!r}"
            for key, before, after in changed_leaves(saved, current, sections)
            if key not in _RESUMABLE_CHANGES
        ]
        if changes:
            raise ExperimentInputError(
                f"resume=true with other settings than the run's training ({saved_path}): {'; '.join(changes)}; "
                f"resume with {hint}, or start a new run_name"
            )

    def _refuse_other_model(self) -> None:
        """Refuse a warm start (evaluation, predictions or further training) from a model of another
        experiment, or with settings of the model's function other than the saved model's
        (:meth:`function_setting_changes`): its results would be filed as the saved model's."""
        try:
            path, checkpoint = self.warm_start_checkpoint()
        except (FileNotFoundError, CheckpointError) as error:
            raise ExperimentInputError(str(error)) from None
        saved = checkpoint.get("config") or {}
        experiment = saved.get("experiment")
        if experiment is not None and experiment != self.cfg.experiment:
            raise ExperimentInputError(
                f"warm_start_idx={self.cfg.warm_start_idx}: {path} is a model of the experiment {experiment!r}, not "
                f"{self.cfg.experiment!r}; to train it on this task, fine-tune it (training.finetune.from)"
            )
        changes = self.function_setting_changes(saved)
        if changes:
            raise ExperimentInputError(
                f"warm_start_idx={self.cfg.warm_start_idx}: {path} was trained with other settings "
                f"({'; '.join(changes)}): its weights would compute another function; use the saved model's "
                "(-cp <run folder> -cn config)"
            )

    def _refuse_other_finetune_source(self) -> None:
        """Read the checkpoint of ``training.finetune.from`` once, before any data, and refuse it
        when its model's function settings differ from this run's (:meth:`function_setting_changes`;
        not compared, with a warning, for a ``checkpoints/*.pt`` written before checkpoints held
        their settings)."""
        source = self.cfg.training.finetune["from"]
        try:
            file, checkpoint = read_finetune_source(source)
        except (FileNotFoundError, CheckpointError, ValueError) as error:
            raise ExperimentInputError(str(error)) from None
        saved = saved_settings(checkpoint)
        if saved is None:
            LOGGER.warning("training.finetune.from: %s predates saved settings; model settings not compared", file)
        else:
            changes = self.function_setting_changes(saved)
            if changes:
                raise ExperimentInputError(
                    f"training.finetune.from={source}: {file} was trained with other settings ({'; '.join(changes)}): "
                    "fine-tuning needs the same backbone and inputs (dropout and execution settings may differ)"
                )
        self._finetune = (file, checkpoint)

    def function_setting_changes(self, saved: Mapping[str, Any]) -> list[str]:
        """``"<key>: <saved> -> <current>"`` for each setting of the saved model's function (the
        ``model`` section but dropout and execution settings, and :attr:`function_settings`) that
        this run's config changes; settings added since the model was saved count with the value
        it was trained with (:func:`~experiments.common.model_function.function_changes`).

        Parameters
        ----------
        saved : mapping
            The saved model's resolved config or training settings.
        """
        current = OmegaConf.to_container(self.cfg, resolve=True)
        return function_changes(saved, current, self.function_settings)

    def _refuse_changed_splits(self) -> None:
        """Refuse a warm start whose split settings on the model's own training data differ from
        the model's: the test split would hold training jets (see
        :mod:`experiments.common.warm_start`)."""
        try:
            _, checkpoint = self.warm_start_checkpoint()
        except (FileNotFoundError, CheckpointError) as error:
            raise ExperimentInputError(str(error)) from None
        saved = (checkpoint.get("config") or {}).get("data")
        if isinstance(saved, dict):
            current = OmegaConf.to_container(self.cfg.data, resolve=True)
            self.refuse_split_changes(split_changes(saved, current, checkpoint.get("working_dir")))

    def refuse_split_changes(self, changes: list[str]) -> None:
        """Raise :class:`ExperimentInputError` listing ``changes`` (``"data.<key>: <saved> ->
        <current>"``) of a warm start's splits on the model's own data, when there are any."""
        if changes:
            path, _ = self.warm_start_checkpoint()
            raise ExperimentInputError(
                f"warm_start_idx={self.cfg.warm_start_idx}: {path} was trained on the same data with other split "
                f"settings ({'; '.join(changes)}): its val and test splits would hold training samples; use the "
                "model's own settings, or evaluate other data"
            )

    def _load_resume_state(self) -> TrainerState:
        path = self.run_dir.last_checkpoint
        try:
            return TrainerState.from_dict(load_checkpoint(path), str(path))
        except (CheckpointError, ValueError) as error:
            raise ExperimentInputError(f"{error}; delete it or start a new run_name") from None

    def _init_data_main_rank_first(self) -> dict[str, Dataset]:
        """:meth:`init_data` on the main rank first (it may generate or convert files), then on the others."""
        if not self.is_main:
            self.dist.barrier()
        try:
            return self.init_data()
        finally:
            if self.is_main:
                self.dist.barrier()

    # ------------------------------------------------------------------ final model
    def _save_final_model(self) -> None:
        self.model_index = self.run_dir.next_model_index()
        if self.is_main:
            path = self.run_dir.model_path(self.model_index)
            save_atomic(
                {
                    **self.saved_model_extras(),
                    "model": self.trainer.evaluation_state_dict(),
                    "step": self.trainer.step,
                    # the best validation weights (training.restore_best) may be of an earlier step
                    "weights_step": self.trainer.weights_step or self.trainer.step,
                    "config": OmegaConf.to_container(self.cfg, resolve=True),
                    # relative data paths of the config are relative to it (warm-start checks)
                    "working_dir": os.getcwd(),
                },
                path,
            )
            LOGGER.info("saved final model %s", path)
            if self.cfg.mlflow.log_checkpoint:
                self.logger.log_artifact(path, "models")
            if self.cfg.mlflow.log_model and self.logger.enabled:
                self._log_model()
        self.dist.barrier()

    def _log_model(self) -> None:
        """Log the final model to MLflow's model view; a failure is a warning, not a failed run."""
        example = self.model_input_example()
        if example is None:
            LOGGER.warning("mlflow.log_model: %s offers no input example; the model is not logged", type(self).__name__)
            return
        self.raw_model.eval()
        LOGGER.info("mlflow.log_model: exporting the model to MLflow's model view (torch.export)")
        start = time.perf_counter()
        try:
            with torch.no_grad(), self.trainer.evaluation_weights():
                model, example = self.exported_model(self.raw_model, example)
                log_pytorch_model(model, example, "model", self.logger.run_id, self.logger.tracking_uri)
        except Exception as error:  # noqa: BLE001 - export limits of a net must not fail a finished training
            LOGGER.warning("mlflow.log_model: logging the model failed (%s: %s)", type(error).__name__, error)
            return
        LOGGER.info("mlflow.log_model: model logged in %.1f s", time.perf_counter() - start)

    # ------------------------------------------------------------------ evaluation and plots
    def _evaluate_all(self) -> None:
        index = getattr(self, "model_index", self.cfg.warm_start_idx)
        if self.is_main:
            self.raw_model.eval()
            with torch.no_grad(), self.trainer.evaluation_weights():
                for split in self.cfg.evaluation.splits or self.evaluation_splits:
                    if split not in self.datasets:
                        raise KeyError(
                            f"evaluation split {split!r} missing from init_data(); have {sorted(self.datasets)}"
                        )
                    metrics = self.evaluate(split)
                    self._check_metric_names(metrics)
                    self.metrics.update({f"{split}.{k}": float(v) for k, v in metrics.items()})
            self.logger.log_metrics(self.metrics, self.trainer.step, skip_logged=self.trainer.finished_before)
            self.logger.flush()
            path = self.run_dir.write_metrics(self.metrics, index, self.cfg)
            self.logger.log_artifact(path, "evaluation")
        self.dist.barrier()

    def _check_metric_names(self, metrics: Mapping[str, float]) -> None:
        """Names :meth:`evaluate` returned that :meth:`metric_patterns` does not declare (an
        ``objective`` naming them would be refused): a warning, an error under
        ``LORENTZNETS_STRICT_METRICS=1`` (set by the test suite)."""
        patterns = self.metric_patterns(self.cfg)
        if patterns is None:
            return
        undeclared = [name for name in metrics if not _declared(name, patterns)]
        if not undeclared:
            return
        message = f"{type(self).__name__}.metric_patterns does not declare the metrics {undeclared}"
        if os.environ.get("LORENTZNETS_STRICT_METRICS") == "1":
            raise RuntimeError(message)
        LOGGER.warning("%s", message)

    def _plot_all(self) -> None:
        paths = list(self.plot() or [])
        if self.history["train_step"] or self.history["val_step"]:
            paths.extend(plot_training_curves(self.history, self.plot_dir / "training.pdf"))
        for path in paths:
            self.logger.log_artifact(path, "plots")
        if paths:
            LOGGER.info("plots in %s", self.plot_dir)


@contextmanager
def _streamed_data_errors(name: str) -> Iterator[None]:
    """Turn a bad block of a streamed file, met after the run started, into one line."""
    try:
        yield
    except StreamedDataError as error:
        raise ExperimentInputError(f"{name}: bad data while streaming: {streamed_data_message(error)}") from error


def _declared(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether a metric ``name`` matches one of an experiment's :meth:`~BaseExperiment.metric_patterns`."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


_SCHEDULER_KEYS: dict[str, tuple[str, ...]] = {
    "min_lr_factor": ("cosine", "cosine_restarts"),
    "warmup_fraction": ("onecycle",),
    "plateau_factor": ("plateau",),
    "plateau_patience": ("plateau",),
    "restart_steps": ("cosine_restarts",),
    "restart_mult": ("cosine_restarts",),
    "warmup_steps": ("cosine_restarts",),
}
"""``training.scheduler`` keys read by some schedules only, and those schedules; any other schedule
must keep the key's value of config/default.yaml (another value would be ignored)."""

_RESUMED_SECTIONS = ("training", "data", "model", "seed")
"""Config sections a resumed training must share with the interrupted one (but
:data:`_RESUMABLE_CHANGES`)."""

_RESUMABLE_CHANGES = frozenset({"training.num_workers", "training.compile", "data.generate.workers"})
"""Settings a resumed run may change: they do not change what is computed."""
