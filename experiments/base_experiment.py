"""The base experiment: everything an experiment needs except its data, model and metrics.

Subclass contract
-----------------
A subclass implements five methods (all run on every DDP rank unless noted):

``init_data() -> dict[str, torch.utils.data.Dataset]``
    Load or generate the data and return datasets by split; ``"train"`` and ``"val"`` are
    required, further splits (e.g. ``"test"``) are what :meth:`evaluate` uses. Each item is
    whatever :meth:`collate` turns into a batch (default: :func:`torch.utils.data.default_collate`,
    so tuples of tensors work out of the box). Raise ``FileNotFoundError``/``KeyError``/
    ``ValueError`` with a clear message on bad input: the base turns them into a one-line
    :class:`ExperimentInputError` that ``run.py`` prints without a traceback.
``init_model() -> torch.nn.Module``
    Build the model from ``self.cfg.model`` (usually ``self.build_wrapper(family, ...)``).
    The base moves it to ``self.device`` and wraps it (DDP, ``torch.compile``).
``batch_loss(batch) -> tuple[torch.Tensor, dict[str, float]]``
    Loss of one batch (already on ``self.device``) as a scalar tensor, plus extra scalar
    metrics to log (may be empty). Call the model as ``self.model(...)`` so DDP synchronises
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
:attr:`evaluation_splits` (default ``("test",)``).

Lifecycle (``experiment()`` / :meth:`run`)
------------------------------------------
distributed setup -> seeds -> run directory and config -> MLflow -> ``init_data`` ->
``init_model`` -> optimizer/scheduler/EMA -> (resume or warm start) -> training with periodic
validation, checkpoints and early stopping -> final model saved -> ``evaluate`` for each split
-> ``plot`` -> MLflow artifacts -> summary table.

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
    ``train=true`` training starts from them (fresh optimizer) and writes ``model_run<k+1>``.
``evaluation/model_run<k>_<timestamp>.json``
    Evaluation metrics of every evaluation of model k.
``plots/``
    Figures.
"""

from __future__ import annotations

import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn
from torch.utils.data import DataLoader, Dataset, default_collate

from experiments.common.checkpoint import load_checkpoint, save_atomic
from experiments.common.distributed import init_distributed
from experiments.common.ema import ExponentialMovingAverage
from experiments.common.mlflow_logger import MlflowLogger, flatten_config, resolve_tracking_uri
from experiments.common.optimizers import build_optimizer
from experiments.common.progress import metrics_table, progress_bar, validation_summary
from experiments.common.run_directory import RunDirectory
from experiments.common.sampler import ResumableBatchSampler, ShardedSequentialBatchSampler
from experiments.common.schedulers import build_scheduler
from experiments.common.seeding import get_rng_state, seed_everything, set_rng_state
from experiments.common.training_curves import plot_training_curves
from experiments.registry import get_wrapper

LOGGER = logging.getLogger("lorentznets")


class ExperimentInputError(RuntimeError):
    """Bad input (missing file, wrong key, invalid values); ``run.py`` prints it in one line."""


class BaseExperiment(ABC):
    """Base class of all experiments; see the module docstring for the subclass contract.

    Parameters
    ----------
    cfg : omegaconf.DictConfig
        Full experiment config (``config/default.yaml`` merged with the experiment and model
        configs and command-line overrides).
    """

    evaluation_splits: tuple[str, ...] = ("test",)

    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg
        self.dist = init_distributed(cfg.device)
        self.device = self.dist.device
        self.is_main = self.dist.is_main
        self.datasets: dict[str, Dataset] = {}
        self.model: nn.Module
        self.raw_model: nn.Module
        self.ema: ExponentialMovingAverage | None = None
        self.step = 0
        self.history: dict[str, list[float]] = {
            key: [] for key in ("train_step", "train_loss", "lr", "val_step", "val_loss")
        }
        self.best_val_loss = math.inf
        self.validations_without_improvement = 0
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
        """Instantiate the wrapper registered for ``cfg.model.name`` in ``family``.

        The wrapper is called as ``Wrapper(net=<cfg.model.net as dict>, **task_kwargs)``.
        """
        wrapper = get_wrapper(family, self.cfg.model.name)
        net_cfg = OmegaConf.to_container(self.cfg.model.get("net", {}), resolve=True)
        return wrapper(net=net_cfg, **task_kwargs)

    def loader(self, split: str, batch_size: int | None = None, shard: bool = False) -> DataLoader:
        """Sequential loader over ``split`` (batches of ``evaluation.batchsize`` by default).

        With ``shard=True`` each DDP rank gets the disjoint part ``rank::world_size`` (used for
        validation, whose sums are reduced over ranks); :meth:`evaluate` runs on the main rank
        alone and uses the default, the whole split.
        """
        dataset = self.datasets[split]
        sampler = ShardedSequentialBatchSampler(
            len(dataset),
            batch_size or self.cfg.evaluation.batchsize,
            self.dist.rank if shard else 0,
            self.dist.world_size if shard else 1,
        )
        return DataLoader(
            dataset,
            batch_sampler=sampler,
            collate_fn=self.collate,
            num_workers=self.cfg.training.num_workers,
        )

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
        """Folder for figures of this run."""
        return self.run_dir.path / "plots"

    # ------------------------------------------------------------------ lifecycle
    def __call__(self) -> dict[str, float]:
        """Alias of :meth:`run`."""
        return self.run()

    def run(self) -> dict[str, float]:
        """Run the whole pipeline; return the evaluation metrics (main rank; others: {})."""
        try:
            self._setup()
            if self.cfg.train:
                self.train()
                self._save_final_model()
            if self.cfg.evaluate:
                self._evaluate_all()
            if self.cfg.plot and self.is_main:
                self._plot_all()
            if self.is_main and self.metrics:
                LOGGER.info("\n%s", metrics_table(self.metrics, f"{self.cfg.exp_name} results"))
            self.logger.finish()
            return self.metrics if self.is_main else {}
        except BaseException as error:
            logger = getattr(self, "logger", None)
            if logger is not None:
                killed = isinstance(error, (KeyboardInterrupt, SystemExit))
                logger.finish(status="KILLED" if killed else "FAILED")
            raise
        finally:
            self.dist.shutdown()

    def _setup(self) -> None:
        cfg = self.cfg
        if not self.is_main:
            logging.getLogger().setLevel(logging.WARNING)
        if not cfg.train and cfg.warm_start_idx is None:
            raise ExperimentInputError("train=false needs warm_start_idx=<k> to choose the saved model to evaluate")
        seed_everything(cfg.seed)
        run_name = self.dist.broadcast_object(cfg.run_name or datetime.now().strftime("%Y%m%d_%H%M%S_%f"))
        self.run_dir = RunDirectory(Path(cfg.base_dir) / "runs" / cfg.exp_name / run_name)
        resuming = bool(cfg.resume) and self.run_dir.last_checkpoint.is_file()
        fresh = cfg.train and not resuming and cfg.warm_start_idx is None
        if self.is_main and fresh and self.run_dir.models():
            raise ExperimentInputError(
                f"run directory {self.run_dir.path} already holds trained models; use resume=true, "
                "warm_start_idx=<k> or another run_name"
            )
        OmegaConf.set_struct(cfg, False)
        cfg.run_name = run_name
        OmegaConf.set_struct(cfg, True)
        if self.is_main:
            self.run_dir.write_config(cfg, overwrite=fresh)
        self.dist.barrier()

        state = load_checkpoint(self.run_dir.last_checkpoint) if resuming else None
        if cfg.resume and state is None and self.is_main:
            LOGGER.warning("resume=true but %s has no checkpoint: starting from scratch", self.run_dir.path)
        self.logger = MlflowLogger(
            enabled=bool(cfg.use_mlflow) and self.is_main,
            tracking_uri=resolve_tracking_uri(cfg.mlflow.tracking_uri, cfg.base_dir),
            experiment_name=cfg.mlflow.experiment_name,
            run_name=run_name if cfg.train else f"{run_name}_eval{cfg.warm_start_idx}",
            run_id=state["mlflow_run_id"] if state is not None else None,
        )
        self.logger.set_tag("run_dir", str(self.run_dir.path.resolve()))
        self.logger.log_params(flatten_config(OmegaConf.to_container(cfg, resolve=True)))

        try:
            self.datasets = self.init_data()
        except (FileNotFoundError, KeyError, ValueError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            raise ExperimentInputError(
                f"{cfg.exp_name}: cannot load data: {error.__class__.__name__}: {message}"
            ) from error
        missing = {"train", "val"} - set(self.datasets) if cfg.train else set()
        if missing:
            raise ValueError(f"init_data() must return the splits {sorted(missing)}")

        self.raw_model = self.init_model().to(self.device)
        num_parameters = sum(p.numel() for p in self.raw_model.parameters() if p.requires_grad)
        LOGGER.info("model %s: %d trainable parameters", cfg.model.name, num_parameters)
        self.logger.log_params({"num_parameters": num_parameters})
        if cfg.training.ema_decay is not None:
            self.ema = ExponentialMovingAverage(self.raw_model, cfg.training.ema_decay)
        self._build_optimizer()
        if state is not None:
            self._load_training_state(state)
            LOGGER.info("resumed %s at step %d", self.run_dir.path, self.step)
        elif cfg.warm_start_idx is not None:
            try:
                path = self.run_dir.existing_model_path(cfg.warm_start_idx)
            except FileNotFoundError as error:
                raise ExperimentInputError(str(error)) from error
            self._load_weights(load_checkpoint(path, map_location=self.device)["model"])
            LOGGER.info("loaded weights from %s", path)
        self.model = self.raw_model
        if self.dist.is_distributed:
            # Buffers are not broadcast: our nets' buffers are constants, and broadcasts would
            # be collectives inside validation loops of uneven length.
            self.model = nn.parallel.DistributedDataParallel(
                self.model,
                device_ids=[self.dist.local_rank] if self.device.type == "cuda" else None,
                broadcast_buffers=False,
            )
        if cfg.training.compile:
            self.model = torch.compile(self.model)

    def _build_optimizer(self) -> None:
        opt = self.cfg.training.optimizer
        sched = self.cfg.training.scheduler
        self.optimizer = build_optimizer(
            self.raw_model.parameters(),
            opt.name,
            opt.lr,
            opt.weight_decay,
            tuple(opt.betas) if opt.get("betas") is not None else None,
        )
        self.scheduler = build_scheduler(
            self.optimizer,
            sched.name,
            total_steps=self.cfg.training.iterations,
            lr=opt.lr,
            min_lr_factor=sched.min_lr_factor,
            warmup_fraction=sched.warmup_fraction,
            plateau_factor=sched.plateau_factor,
            plateau_patience=sched.plateau_patience,
        )

    # ------------------------------------------------------------------ state
    def _evaluation_weights(self) -> AbstractContextManager:
        """Context in which ``raw_model`` holds the weights used for validation/evaluation."""
        return self.ema.average_parameters() if self.ema is not None else nullcontext()

    def _evaluation_state_dict(self) -> dict[str, torch.Tensor]:
        with self._evaluation_weights():
            return {k: v.detach().clone() for k, v in self.raw_model.state_dict().items()}

    def _load_weights(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        self.raw_model.load_state_dict(state_dict)
        if self.ema is not None:
            self.ema = ExponentialMovingAverage(self.raw_model, self.ema.decay)

    def _training_state(self) -> dict[str, Any]:
        return {
            "model": self.raw_model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "ema": self.ema.state_dict() if self.ema is not None else None,
            "step": self.step,
            "best_val_loss": self.best_val_loss,
            "validations_without_improvement": self.validations_without_improvement,
            "history": self.history,
            "rng": get_rng_state(),
            "mlflow_run_id": self.logger.run_id,
            "world_size": self.dist.world_size,
        }

    def _load_training_state(self, state: Mapping[str, Any]) -> None:
        self.raw_model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.ema is not None:
            if state["ema"] is None:
                raise ValueError("checkpoint has no EMA state but training.ema_decay is set")
            self.ema.load_state_dict(state["ema"])
        self.step = state["step"]
        self.best_val_loss = state["best_val_loss"]
        self.validations_without_improvement = state["validations_without_improvement"]
        self.history = state["history"]
        set_rng_state(state["rng"])

    # ------------------------------------------------------------------ training
    def _train_batches(self) -> Iterator[Any]:
        dataset = self.datasets["train"]
        per_rank = self.cfg.training.batchsize // self.dist.world_size
        if per_rank * self.dist.world_size != self.cfg.training.batchsize:
            raise ValueError(
                f"training.batchsize={self.cfg.training.batchsize} is not divisible by the "
                f"{self.dist.world_size} processes"
            )
        sampler = ResumableBatchSampler(
            len(dataset),
            per_rank,
            seed=self.cfg.seed,
            rank=self.dist.rank,
            world_size=self.dist.world_size,
            start_batch=self.step,
        )
        loader = DataLoader(
            dataset,
            batch_sampler=sampler,
            collate_fn=self.collate,
            num_workers=self.cfg.training.num_workers,
        )
        for batch in loader:
            yield self.to_device(batch)

    def train(self) -> None:
        """Train for ``training.iterations`` steps with validation every ``validate_every``."""
        cfg = self.cfg.training
        if self.step >= cfg.iterations:
            LOGGER.info("training already complete (%d steps)", self.step)
            self._restore_best()
            return
        batches = self._train_batches()
        bar = progress_bar(
            total=cfg.iterations,
            initial=self.step,
            enabled=self.is_main and self.cfg.progress,
            desc="train",
        )
        loss_sum, loss_count, interval_start = 0.0, 0, time.perf_counter()
        steps_in_interval = 0
        while self.step < cfg.iterations:
            self.model.train()
            batch = next(batches)
            with self.autocast():
                loss, extra = self.batch_loss(batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"non-finite training loss {loss.item()} at step {self.step}")
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(
                self.raw_model.parameters(),
                cfg.clip_grad_norm if cfg.clip_grad_norm is not None else math.inf,
            )
            self.optimizer.step()
            if cfg.scheduler.name != "plateau":
                self.scheduler.step()
            if self.ema is not None:
                self.ema.update()
            self.step += 1
            steps_in_interval += 1
            loss_value = loss.item()
            loss_sum += loss_value
            loss_count += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss_value:.4f}")
            if self.step % cfg.log_every == 0:
                lr = self.optimizer.param_groups[0]["lr"]
                seconds = (time.perf_counter() - interval_start) / steps_in_interval
                self.history["train_step"].append(self.step)
                self.history["train_loss"].append(loss_value)
                self.history["lr"].append(lr)
                self.logger.log_metrics(
                    {
                        "train.loss": loss_value,
                        "train.lr": lr,
                        "train.grad_norm": float(grad_norm),
                        "train.time_per_step": seconds,
                        **{f"train.{k}": float(v) for k, v in extra.items()},
                    },
                    self.step,
                )
            if self.step % cfg.validate_every == 0 or self.step == cfg.iterations:
                seconds = (time.perf_counter() - interval_start) / steps_in_interval
                train_loss = self._reduce_mean(loss_sum, loss_count)
                stop = self._validate_and_checkpoint(train_loss, seconds)
                loss_sum, loss_count, steps_in_interval = 0.0, 0, 0
                interval_start = time.perf_counter()
                if stop:
                    break
        bar.close()
        self._restore_best()

    def _reduce_mean(self, total: float, count: int) -> float:
        sums = self.dist.all_reduce_sum(torch.tensor([total, count], dtype=torch.float64))
        return (sums[0] / sums[1].clamp(min=1)).item()

    @torch.no_grad()
    def validate(self) -> tuple[float, dict[str, float]]:
        """Sample-weighted mean validation loss and extra metrics, reduced over ranks."""
        # Validate the unwrapped model: ranks may hold different numbers of validation batches,
        # so no collective (such as DDP's buffer broadcast) may run inside the loop.
        training_model, self.model = self.model, self.raw_model
        try:
            totals, count = self._validation_sums()
        finally:
            self.model = training_model
        keys = sorted(totals)
        sums = self.dist.all_reduce_sum(torch.tensor([totals[k] for k in keys] + [count], dtype=torch.float64))
        means = {k: (sums[i] / sums[-1]).item() for i, k in enumerate(keys)}
        return means.pop("loss"), means

    def _validation_sums(self) -> tuple[dict[str, float], float]:
        """Batch-weighted sums of the loss and extra metrics over this rank's validation shard."""
        self.model.eval()
        max_batches = self.cfg.training.max_val_batches
        totals: dict[str, float] = {}
        count = 0.0
        with self._evaluation_weights():
            for index, batch in enumerate(self.loader("val", shard=True)):
                if max_batches is not None and index >= max_batches:
                    break
                batch = self.to_device(batch)
                with self.autocast():
                    loss, extra = self.batch_loss(batch)
                weight = self.batch_weight(batch)
                count += weight
                for key, value in {"loss": loss.item(), **extra}.items():
                    totals[key] = totals.get(key, 0.0) + float(value) * weight
        return totals, count

    def _validate_and_checkpoint(self, train_loss: float, seconds_per_step: float) -> bool:
        """Validate, log, checkpoint; return True when early stopping triggers."""
        cfg = self.cfg.training
        val_loss, extra = self.validate()
        if cfg.scheduler.name == "plateau":
            self.scheduler.step(val_loss)
        is_best = val_loss < self.best_val_loss
        if is_best:
            self.best_val_loss = val_loss
            self.validations_without_improvement = 0
            if self.is_main:
                save_atomic({"model": self._evaluation_state_dict(), "step": self.step}, self.run_dir.best_checkpoint)
        else:
            self.validations_without_improvement += 1
        self.history["val_step"].append(self.step)
        self.history["val_loss"].append(val_loss)
        lr = self.optimizer.param_groups[0]["lr"]
        self.logger.log_metrics(
            {
                "val.loss": val_loss,
                "val.best_loss": self.best_val_loss,
                **{f"val.{k}": v for k, v in extra.items()},
            },
            self.step,
        )
        if self.is_main:
            save_atomic(self._training_state(), self.run_dir.last_checkpoint)
            LOGGER.info(
                validation_summary(
                    self.step, cfg.iterations, train_loss, val_loss, is_best, lr, seconds_per_step, extra
                )
            )
        self.logger.flush()
        self.dist.barrier()
        patience = cfg.early_stopping_patience
        if patience is not None and self.validations_without_improvement >= patience:
            LOGGER.info("early stopping at step %d: no improvement in %d validations", self.step, patience)
            return True
        return False

    def _restore_best(self) -> None:
        """Load the best validation weights when ``training.restore_best`` is on."""
        if not self.cfg.training.restore_best or not self.run_dir.best_checkpoint.is_file():
            return
        self.dist.barrier()
        weights = load_checkpoint(self.run_dir.best_checkpoint, map_location=self.device)
        self._load_weights(weights["model"])
        LOGGER.info("restored the best weights (step %d)", weights["step"])

    def _save_final_model(self) -> None:
        self.model_index = self.run_dir.next_model_index()
        if self.is_main:
            path = self.run_dir.model_path(self.model_index)
            save_atomic(
                {
                    "model": self._evaluation_state_dict(),
                    "step": self.step,
                    "config": OmegaConf.to_container(self.cfg, resolve=True),
                },
                path,
            )
            LOGGER.info("saved final model %s", path)
            if self.cfg.mlflow.log_checkpoint:
                self.logger.log_artifact(path, "models")
        self.dist.barrier()

    # ------------------------------------------------------------------ evaluation and plots
    def _evaluate_all(self) -> None:
        index = getattr(self, "model_index", self.cfg.warm_start_idx)
        if self.is_main:
            self.raw_model.eval()
            with torch.no_grad(), self._evaluation_weights():
                for split in self.evaluation_splits:
                    if split not in self.datasets:
                        raise KeyError(
                            f"evaluation split {split!r} missing from init_data(); have {sorted(self.datasets)}"
                        )
                    metrics = self.evaluate(split)
                    self.metrics.update({f"{split}.{k}": float(v) for k, v in metrics.items()})
            self.logger.log_metrics(self.metrics, self.step)
            self.logger.flush()
            path = self.run_dir.write_metrics(self.metrics, index)
            self.logger.log_artifact(path, "evaluation")
        self.dist.barrier()

    def _plot_all(self) -> None:
        paths = list(self.plot() or [])
        if self.history["train_step"] or self.history["val_step"]:
            paths.append(plot_training_curves(self.history, self.plot_dir / "training.pdf"))
        for path in paths:
            self.logger.log_artifact(path, "plots")
        self.logger.log_artifact(self.run_dir.config_path, "config")
        LOGGER.info("plots in %s", self.plot_dir)
