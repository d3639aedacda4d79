"""The training loop, separate from the experiment that supplies data, model and loss.

The trainer owns the optimizer, the learning-rate scheduler, the EMA of the weights, early
stopping and checkpoints; everything it must remember between runs is one
:class:`~experiments.common.trainer_state.TrainerState`, which is exactly what
``checkpoints/last.pt`` holds.

The training step does not synchronise the host with the device: losses, gradient norms and
extra metrics stay on the device and are read once every ``training.log_every`` steps (where a
non-finite loss is also detected) and at validations.

Its MLflow series are named ``training.<name>`` (each logged step: ``loss``, ``lr``, ``grad_norm``,
``time_per_step``, the extra metrics) and ``validation.<name>`` (each validation: ``loss``,
``best_loss``, the extra metrics), never ``<split>.<name>``: those keys hold the final evaluation
of a split (restored weights, whole split; ``experiments/base_experiment.py``), which an
``objective`` and a comparison of runs read.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

import torch
from omegaconf import DictConfig
from torch import nn
from torch.utils.data import DataLoader, Dataset, IterableDataset

from experiments.common.checkpoint import load_checkpoint, save_atomic
from experiments.common.distributed import DistributedContext
from experiments.common.ema import ExponentialMovingAverage
from experiments.common.mlflow_logger import MlflowLogger
from experiments.common.optimizers import build_optimizer, finetune_parameter_groups
from experiments.common.progress import progress_bar, validation_summary
from experiments.common.run_directory import RunDirectory
from experiments.common.sampler import ResumableBatchSampler
from experiments.common.schedulers import build_scheduler, scheduler_state_for
from experiments.common.seeding import combined_seed, get_rng_state, set_rng_state
from experiments.common.stop_request import stop_deferred
from experiments.common.trainer_state import TrainerState
from lorentznets.layers.lorentznet import synchronise_batch_norm

LOGGER = logging.getLogger("lorentznets")

TRAINING_SERIES = ("training", "validation")
"""First parts of the trainer's MLflow keys (``training.loss``, ``validation.auc``, ...); no split
is named so, so they never meet the final evaluation's ``<split>.<metric>``."""


class TrainingTask(Protocol):
    """What the trainer needs from an experiment (see ``experiments/base_experiment.py``).

    Validation averages the loss and the extra metrics of ``batch_loss`` over the batches of the
    ``"val"`` split, each weighted with ``batch_weight``: one weight for all of them (a float),
    or, for a loss made of terms with their own denominators (a mean per present particle beside
    a mean per event), a weight per extra metric (a mapping; 0-d tensors may stay on the device):
    the denominator with which ``batch_loss`` averaged that value over the batch, so that each
    becomes its mean over the whole split. Values without a weight are not averaged; a task whose
    weights are a mapping defines ``validation_metrics(means) -> (loss, metrics)``, which combines
    the split's means into the validation loss and the metrics to log.
    """

    model: nn.Module
    datasets: dict[str, Dataset]

    def batch_loss(self, batch: Any) -> tuple[torch.Tensor, Mapping[str, Any]]: ...

    def batch_weight(self, batch: Any) -> float | Mapping[str, torch.Tensor | float]: ...

    def collate(self, items: list[Any]) -> Any: ...

    def loader(
        self, split: str, batch_size: int | None = None, shard: bool = False, max_batches: int | None = None
    ) -> DataLoader: ...

    def to_device(self, batch: Any) -> Any: ...

    def autocast(self) -> AbstractContextManager: ...


class Trainer:
    """Trains ``raw_model`` on a task's ``"train"`` split, validating on ``"val"``.

    Parameters
    ----------
    task : TrainingTask
        The experiment; its ``model`` attribute is set to the model to call in ``batch_loss``
        (the DDP/compiled wrapper while training, the plain model while validating).
    raw_model : torch.nn.Module
        The unwrapped model, already on the device.
    cfg : omegaconf.DictConfig
        ``cfg.training`` of the run.
    seed : int
        Seed of the training-batch order.
    dist : DistributedContext
    logger : MlflowLogger
    run_dir : RunDirectory
    show_progress : bool
        tqdm bar on the main rank.
    """

    def __init__(
        self,
        task: TrainingTask,
        raw_model: nn.Module,
        cfg: DictConfig,
        seed: int,
        dist: DistributedContext,
        logger: MlflowLogger,
        run_dir: RunDirectory,
        show_progress: bool,
    ) -> None:
        self.task = task
        self.raw_model = raw_model
        self.cfg = cfg
        self.seed = seed
        self.dist = dist
        self.logger = logger
        self.run_dir = run_dir
        self.show_progress = show_progress
        self.state = TrainerState(world_size=dist.world_size)
        self.finished_before = False
        """Whether :meth:`fit` found the training finished already (a resumed, completed run)."""
        self.weights_step: int | None = None
        """The step whose weights the model holds after :meth:`restore_best` (None: the last step's)."""
        self.ema = ExponentialMovingAverage(raw_model, cfg.ema_decay) if cfg.ema_decay is not None else None
        opt, sched = cfg.optimizer, cfg.scheduler
        parameters = raw_model.parameters()
        self._fixed_modules: list[nn.Module] = []
        """The modules of a fixed backbone (``finetune.backbone_lr_factor=0``), run in evaluation
        mode: batch norms keep the pretrained running statistics, dropout is off."""
        if cfg.finetune["from"] is not None and cfg.finetune.backbone_lr_factor == 0:
            heads = tuple(raw_model.head_prefixes)
            fixed = {
                name
                for name, _ in raw_model.named_modules()
                if name
                and not f"{name}.".startswith(heads)  # inside a head
                and not any(head.startswith(f"{name}.") for head in heads)  # holds a head
            }
            # the largest fixed subtrees: eval() on each reaches the rest
            self._fixed_modules = [
                module
                for name, module in raw_model.named_modules()
                if name in fixed and name.rpartition(".")[0] not in fixed
            ]
        if cfg.finetune["from"] is not None:
            # load_finetune_weights has refused a model that does not name its head when the
            # fine-tuning started; a resumed fine-tuning has the same model.
            parameters = finetune_parameter_groups(
                raw_model.named_parameters(),
                raw_model.head_prefixes,
                opt.lr,
                cfg.finetune.backbone_lr_factor,
                cfg.finetune.head_lr,
            )
        self.optimizer = build_optimizer(
            parameters,
            opt.name,
            opt.lr,
            opt.weight_decay,
            tuple(opt.betas) if opt.betas is not None else None,
        )
        self.scheduler = build_scheduler(
            self.optimizer,
            sched.name,
            total_steps=cfg.iterations,
            lr=opt.lr,
            min_lr_factor=sched.min_lr_factor,
            warmup_fraction=sched.warmup_fraction,
            plateau_factor=sched.plateau_factor,
            plateau_patience=sched.plateau_patience,
            restart_steps=sched.restart_steps,
            restart_mult=sched.restart_mult,
            warmup_steps=sched.warmup_steps,
        )
        self.step_lr = self.optimizer.param_groups[0]["lr"]
        """Learning rate of the last optimizer step (logged as ``training.lr`` with its loss)."""
        if self._fixed_modules:
            # a fixed backbone gets no gradients: they would count in clip_grad_norm's global norm
            # (scaling the head's steps) and in training.grad_norm. It stays in its optimizer group, so
            # checkpoints keep their layout.
            for group in self.optimizer.param_groups:
                if group.get("name") == "backbone":
                    for parameter in group["params"]:
                        parameter.requires_grad_(False)
        self.model = self._wrap(raw_model)
        task.model = self.model

    def _wrap(self, model: nn.Module) -> nn.Module:
        if self.dist.is_distributed:
            # Batch statistics over the whole global batch, so that the ranks' running statistics
            # agree and a DDP training computes what one process would. Buffers are not broadcast
            # in each forward: ranks may hold different numbers of validation batches, so no
            # collective may run there.
            synchronise_batch_norm(model)
            # (torch 2.13's name; broadcast_buffers is deprecated, a FutureWarning per rank) the
            # buffers are still synced once at the start, when they agree anyway
            model = nn.parallel.DistributedDataParallel(
                model,
                device_ids=[self.dist.local_rank] if self.dist.device.type == "cuda" else None,
                forward_sync_buffers=False,
            )
        if self.cfg.compile:
            model = torch.compile(model)
        return model

    # ------------------------------------------------------------------ state
    @property
    def step(self) -> int:
        """Optimizer steps taken."""
        return self.state.step

    def capture(self, rng_ranks: list[dict[str, Any]] | None = None) -> TrainerState:
        """The full state for ``checkpoints/last.pt``; ``rng_ranks``: every rank's generator
        states under DDP, gathered by the caller on every rank."""
        self.state.model = self.raw_model.state_dict()
        self.state.optimizer = self.optimizer.state_dict()
        self.state.scheduler = self.scheduler.state_dict()
        self.state.ema = self.ema.state_dict() if self.ema is not None else None
        self.state.rng = get_rng_state()
        self.state.rng_ranks = rng_ranks if self.dist.world_size > 1 and rng_ranks else []
        self.state.mlflow_run_id = self.logger.run_id
        self.state.world_size = self.dist.world_size
        train = self.task.datasets["train"]
        self.state.train_stream = train.state_dict(self.state.step) if isinstance(train, IterableDataset) else {}
        return self.state

    def restore(self, state: TrainerState) -> None:
        """Continue from a state captured by :meth:`capture`."""
        self.raw_model.load_state_dict(state.model)
        self.optimizer.load_state_dict(state.optimizer)
        self.scheduler.load_state_dict(scheduler_state_for(self.scheduler, state.scheduler))
        if self.ema is not None:
            if state.ema is None:
                raise ValueError("checkpoint has no EMA state but training.ema_decay is set")
            self.ema.load_state_dict(state.ema)
        if state.world_size != self.dist.world_size:
            LOGGER.warning(
                "resuming with %d process(es) a training written by %d: the data order and the random "
                "draws continue differently from the uninterrupted run",
                self.dist.world_size,
                state.world_size,
            )
        own = len(state.rng_ranks) == self.dist.world_size > 1
        set_rng_state(state.rng_ranks[self.dist.rank] if own else state.rng)
        self.state = state

    def load_weights(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        """Load model weights (warm start, best weights); the EMA restarts from them."""
        self.raw_model.load_state_dict(state_dict)
        if self.ema is not None:
            self.ema = ExponentialMovingAverage(self.raw_model, self.ema.decay)

    def evaluation_weights(self) -> AbstractContextManager:
        """Context in which ``raw_model`` holds the weights used for validation/evaluation."""
        return self.ema.average_parameters() if self.ema is not None else nullcontext()

    def evaluation_state_dict(self) -> dict[str, torch.Tensor]:
        """Copy of the evaluation weights (EMA weights when EMA is on)."""
        with self.evaluation_weights():
            return {k: v.detach().clone() for k, v in self.raw_model.state_dict().items()}

    # ------------------------------------------------------------------ training
    def _train_batches(self) -> Iterator[Any]:
        dataset = self.task.datasets["train"]
        per_rank = self.cfg.batchsize // self.dist.world_size
        if per_rank * self.dist.world_size != self.cfg.batchsize:
            raise ValueError(
                f"training.batchsize={self.cfg.batchsize} is not divisible by the {self.dist.world_size} processes"
            )
        options = {
            # the loader's base seed comes from its own generator, not from the global one, whose
            # state a resumed run restores: drawing it there shifted every later random draw
            "generator": torch.Generator().manual_seed(combined_seed(self.seed, self.dist.rank)),
            "collate_fn": self.task.collate,
            "num_workers": self.cfg.num_workers,
            "pin_memory": self.dist.device.type == "cuda",
            "persistent_workers": self.cfg.num_workers > 0,
        }
        if isinstance(dataset, IterableDataset):
            # A streamed split batches itself, sharded and seeded when built; it continues from the
            # saved position (which also checks that the data layout is unchanged).
            dataset.load_state_dict(self.state.train_stream or dataset.state_dict(self.state.step))
            loader = DataLoader(dataset, batch_size=None, **options)
        else:
            sampler = ResumableBatchSampler(
                len(dataset),
                per_rank,
                seed=self.seed,
                rank=self.dist.rank,
                world_size=self.dist.world_size,
                start_batch=self.state.step,
            )
            loader = DataLoader(dataset, batch_sampler=sampler, **options)
        for batch in loader:
            yield self.task.to_device(batch)

    def _training_step(self, batch: Any) -> tuple[torch.Tensor, torch.Tensor, Mapping[str, Any]]:
        """One optimizer step; returns loss, gradient norm and extra metrics, all on the device."""
        self.model.train()
        for module in self._fixed_modules:
            module.eval()
        with self.task.autocast():
            loss, extra = self.task.batch_loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        max_norm = self.cfg.clip_grad_norm if self.cfg.clip_grad_norm is not None else math.inf
        grad_norm = nn.utils.clip_grad_norm_(self.raw_model.parameters(), max_norm)
        # the learning rate this step uses, logged with its loss (read after the scheduler's step
        # it was the next step's: curves were shifted by one step)
        self.step_lr = self.optimizer.param_groups[0]["lr"]
        self.optimizer.step()
        if self.cfg.scheduler.name != "plateau":
            self.scheduler.step()
        if self.ema is not None:
            self.ema.update()
        self.state.step += 1
        return loss.detach(), grad_norm.detach(), extra

    def fit(self) -> None:
        """Train until ``iterations`` steps or early stopping; then load the best weights."""
        cfg = self.cfg
        patience = cfg.early_stopping_patience
        stopped = patience is not None and self.state.validations_without_improvement >= patience
        self.finished_before = self.state.step >= cfg.iterations or (stopped and self.state.step > 0)
        if self.finished_before:
            LOGGER.info("training already finished (%d steps%s)", self.state.step, ", early stopping" * stopped)
            self.restore_best()
            return
        batches = self._train_batches()
        bar = progress_bar(total=cfg.iterations, initial=self.state.step, enabled=self.show_progress, desc="train")
        device = self.dist.device
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        interval = _Interval(self.state.step)
        while self.state.step < cfg.iterations:
            loss, grad_norm, extra = self._training_step(next(batches))
            loss_sum += loss.double()
            bar.update(1)
            if self.state.step % cfg.log_every == 0:
                self._log_training(loss, grad_norm, extra, interval, bar)
            if self.state.step % cfg.validate_every == 0 or self.state.step == cfg.iterations:
                train_loss = self._reduce_mean(loss_sum, self.state.step - interval.validation_start)
                stop = self._validate_and_checkpoint(train_loss, interval.seconds_per_step(self.state.step))
                loss_sum.zero_()
                interval.restart(self.state.step)
                if stop:
                    break
        bar.close()
        self.restore_best()

    def _log_training(
        self,
        loss: torch.Tensor,
        grad_norm: torch.Tensor,
        extra: Mapping[str, Any],
        interval: _Interval,
        bar: Any,
    ) -> None:
        """Read this step's values from the device (once per ``log_every``) and record them.

        Under DDP the loss and the extra metrics are means over the ranks (those of the whole
        global batch, whose rank shards are equal); the gradient norm is the same on every rank.
        """
        keys = sorted(extra)
        values = [loss.double()] + [torch.as_tensor(extra[k], dtype=torch.float64, device=loss.device) for k in keys]
        means = self.dist.all_reduce_sum(torch.stack(values)) / self.dist.world_size
        loss_value, norm_value, *extra_values = torch.cat(
            [means[:1], grad_norm.double().reshape(1), means[1:]]
        ).tolist()
        if not math.isfinite(loss_value):
            raise FloatingPointError(
                f"non-finite training loss {loss_value} at step {self.state.step}: lower training.optimizer.lr, "
                "set training.clip_grad_norm, or check the inputs"
            )
        lr = self.step_lr
        self.state.history["train_step"].append(self.state.step)
        self.state.history["train_loss"].append(loss_value)
        self.state.history["lr"].append(lr)
        bar.set_postfix(loss=f"{loss_value:.4f}")
        self.logger.log_metrics(
            {
                "training.loss": loss_value,
                "training.lr": lr,
                "training.grad_norm": norm_value,
                "training.time_per_step": interval.seconds_per_step(self.state.step),
                **{f"training.{k}": v for k, v in zip(keys, extra_values)},
            },
            self.state.step,
        )

    def _reduce_mean(self, total: torch.Tensor, count: int) -> float:
        sums = torch.stack([total.double().cpu(), torch.tensor(float(count), dtype=torch.float64)])
        sums = self.dist.all_reduce_sum(sums)
        return (sums[0] / sums[1].clamp(min=1)).item()

    @torch.no_grad()
    def validate(self) -> tuple[float, dict[str, float]]:
        """Weighted mean validation loss and extra metrics over the split, reduced over ranks
        (see :class:`TrainingTask` for the weights)."""
        # Validate the unwrapped model: ranks may hold different numbers of validation batches,
        # so no collective (such as DDP's buffer broadcast) may run inside the loop.
        self.task.model = self.raw_model
        try:
            sums = self._validation_sums()
        finally:
            self.task.model = self.model
        # A rank without validation batches has no keys of its own: the ranks agree on them first,
        # so that it sends zero sums of the same shape (validation is not the per-step hot path).
        keys = sorted(set().union(*self.dist.all_gather_object(sorted(sums))))
        if not keys:
            raise ValueError("no process got a batch of the val split: is it empty?")
        zero = torch.zeros(2, dtype=torch.float64)
        stacked = self.dist.all_reduce_sum(torch.stack([sums[k].cpu() if k in sums else zero for k in keys]))
        # a value whose weights sum to 0 over the split (no present particle, no known target) is 0,
        # as the training loss's clamped denominators make it
        means = torch.where(stacked[:, 1] > 0, stacked[:, 0] / stacked[:, 1], 0.0)
        means = dict(zip(keys, means.tolist()))
        combine = getattr(self.task, "validation_metrics", None)
        if combine is not None:
            return combine(means)
        return means.pop("loss"), means

    def _validation_sums(self) -> dict[str, torch.Tensor]:
        """Per value of ``batch_loss`` (the loss, the extra metrics), its weighted sum and the sum of
        its weights over this rank's shard, shape (2,), float64 on the device."""
        self.raw_model.eval()
        sums: dict[str, torch.Tensor] = {}
        with self.evaluation_weights():
            # max_val_batches: the same samples whatever the number of processes (see task.loader)
            for batch in self.task.loader("val", shard=True, max_batches=self.cfg.max_val_batches):
                batch = self.task.to_device(batch)
                with self.task.autocast():
                    loss, extra = self.task.batch_loss(batch)
                values = {"loss": loss.detach(), **extra}
                weight = self.task.batch_weight(batch)
                weights = weight if isinstance(weight, Mapping) else dict.fromkeys(values, weight)
                for key in values.keys() & weights.keys():
                    w = torch.as_tensor(weights[key], dtype=torch.float64, device=self.dist.device)
                    value = torch.as_tensor(values[key], dtype=torch.float64, device=self.dist.device)
                    pair = torch.stack([value * w, w])
                    sums[key] = sums[key] + pair if key in sums else pair
        return sums

    def _validate_and_checkpoint(self, train_loss: float, seconds_per_step: float) -> bool:
        """Validate, log, checkpoint; return True when early stopping triggers."""
        cfg = self.cfg
        val_loss, extra = self.validate()
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"non-finite training loss before step {self.state.step}: lower training.optimizer.lr, "
                "set training.clip_grad_norm, or check the inputs"
            )
        if cfg.scheduler.name == "plateau":
            self.scheduler.step(val_loss)
        state = self.state
        is_best = val_loss < state.best_val_loss
        if is_best:
            state.best_val_loss = val_loss
            state.validations_without_improvement = 0
            if self.dist.is_main:
                # with the training's settings, so that fine-tuning from it can compare them
                best = {"model": self.evaluation_state_dict(), "step": state.step, "settings": state.settings}
                save_atomic(best, self.run_dir.best_checkpoint)
        else:
            state.validations_without_improvement += 1
        state.history["val_step"].append(state.step)
        state.history["val_loss"].append(val_loss)
        lr = self.step_lr
        self.logger.log_metrics(
            {
                "validation.loss": val_loss,
                "validation.best_loss": state.best_val_loss,
                **{f"validation.{k}": v for k, v in extra.items()},
            },
            state.step,
        )
        # Metrics reach MLflow only once the checkpoint that covers them exists (after a kill and
        # resume=true no step is logged twice), and a stop request waits until both are written
        # (none is lost either).
        rng_ranks = self.dist.all_gather_object(get_rng_state()) if self.dist.world_size > 1 else None
        with stop_deferred():
            if self.dist.is_main:
                save_atomic(self.capture(rng_ranks).to_dict(), self.run_dir.last_checkpoint)
                LOGGER.info(
                    validation_summary(
                        state.step, cfg.iterations, train_loss, val_loss, is_best, lr, seconds_per_step, extra
                    )
                )
            self.logger.flush()
        self.dist.barrier()
        patience = cfg.early_stopping_patience
        if patience is not None and state.validations_without_improvement >= patience:
            LOGGER.info("early stopping at step %d: no improvement in %d validations", state.step, patience)
            return True
        return False

    def restore_best(self) -> None:
        """Load the best validation weights when ``training.restore_best`` is on."""
        if not self.cfg.restore_best or not self.run_dir.best_checkpoint.is_file():
            return
        self.dist.barrier()
        weights = load_checkpoint(self.run_dir.best_checkpoint, map_location=self.dist.device)
        self.load_weights(weights["model"])
        self.weights_step = int(weights["step"])
        LOGGER.info("restored the best weights (step %d)", weights["step"])


class _Interval:
    """Wall-clock bookkeeping between validations (seconds per step for the logs)."""

    def __init__(self, step: int, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.restart(step)

    def restart(self, step: int) -> None:
        self.validation_start = step
        self.start_time = self.clock()

    def seconds_per_step(self, step: int) -> float:
        return (self.clock() - self.start_time) / max(step - self.validation_start, 1)
