"""Learning-rate schedules stepped per iteration (or per validation for ``plateau``)."""

from __future__ import annotations

import math

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

SCHEDULERS = ("constant", "cosine", "cosine_restarts", "onecycle", "plateau")


def build_scheduler(
    optimizer: Optimizer,
    name: str,
    total_steps: int,
    lr: float,
    min_lr_factor: float = 0.0,
    warmup_fraction: float = 0.3,
    plateau_factor: float = 0.3,
    plateau_patience: int = 5,
    restart_steps: int | None = None,
    restart_mult: int = 1,
    warmup_steps: int = 0,
) -> LRScheduler | ReduceLROnPlateau:
    """Create a learning-rate scheduler by name.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
    name : str
        ``"constant"``; ``"cosine"`` (cosine decay from ``lr`` to ``min_lr_factor * lr`` over
        ``total_steps``); ``"onecycle"`` (warm-up over ``warmup_fraction`` of the steps to ``lr``,
        then annealing); ``"plateau"`` (torch's ``ReduceLROnPlateau``: multiply by
        ``plateau_factor`` at the first validation after more than ``plateau_patience`` ones in a
        row without improving on the best loss by a relative 1e-4, e.g. at the third with
        patience 2; stepped with the validation loss);
        ``"cosine_restarts"`` (after a linear warm-up over ``warmup_steps``, cosine decays to
        ``min_lr_factor * lr`` that restart at ``lr``: the first lasts ``restart_steps`` steps,
        each next one ``restart_mult`` times longer, as ``CosineAnnealingWarmRestarts`` stepped
        per step; see :func:`cosine_restarts_factor`).
    total_steps : int
        Number of optimisation steps of the run.
    lr : float
        Peak learning rate; parameter groups with their own learning rates (fine-tuning) each
        follow the schedule from their own.
    """
    if name == "constant":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    group_lrs = [group["lr"] for group in optimizer.param_groups]
    if name == "cosine" and set(group_lrs) != {lr}:
        # Parameter groups with their own learning rates (fine-tuning, also when all share one other
        # than lr): each decays to min_lr_factor times its own, which CosineAnnealingLR's one
        # absolute eta_min cannot do.
        steps = max(total_steps, 1)
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda step: min_lr_factor + (1 - min_lr_factor) * (1 + math.cos(math.pi * min(step, steps) / steps)) / 2,
        )
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=max(total_steps, 1), eta_min=lr * min_lr_factor
        )
    if name == "cosine_restarts":
        period = restart_steps if restart_steps is not None else max(total_steps - warmup_steps, 1)
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda step: cosine_restarts_factor(step, period, restart_mult, warmup_steps, min_lr_factor),
        )
    if name == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=group_lrs,
            total_steps=max(total_steps, 2),
            pct_start=warmup_fraction,
        )
    if name == "plateau":
        return ReduceLROnPlateau(optimizer, factor=plateau_factor, patience=plateau_patience)
    raise ValueError(f"unknown scheduler {name!r}; choose one of {list(SCHEDULERS)}")


def scheduler_state_for(scheduler: LRScheduler | ReduceLROnPlateau, state: dict) -> dict:
    """``state`` (a checkpoint's scheduler state) made loadable into ``scheduler``: fine-tunings
    whose groups share one rate other than ``optimizer.lr`` ran ``CosineAnnealingLR`` before
    2026-12-07 and run the per-group ``LambdaLR`` now, whose closed form needs only the step
    (``last_epoch``) of the saved state."""
    if isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR) and "lr_lambdas" not in state:
        return {**state, "lr_lambdas": [None] * len(scheduler.lr_lambdas)}
    return state


def cosine_restarts_factor(step: int, period: int, mult: int, warmup: int, min_factor: float) -> float:
    """Learning rate over the peak one at 0-based ``step`` of a warmed-up cosine with restarts.

    Parameters
    ----------
    step : int
        Optimizer steps taken before this one.
    period : int
        Steps of the first cosine decay (>= 1).
    mult : int
        Each decay lasts ``mult`` times the one before (>= 1).
    warmup : int
        Steps of the linear warm-up to the peak, ``(step + 1) / warmup`` (0: none); its last step
        and the first of the first decay both run at the peak.
    min_factor : float
        Factor at the end of each decay.

    Returns
    -------
    float
    """
    if step < warmup:
        return (step + 1) / warmup
    position = step - warmup
    if mult == 1:
        position, length = position % period, period
    else:
        # decay k starts at period (mult^k - 1) / (mult - 1): closed form, then exact integer steps
        k = int(math.log(1 + position * (mult - 1) / period, mult))
        while _decay_start(k + 1, period, mult) <= position:
            k += 1
        while _decay_start(k, period, mult) > position:
            k -= 1
        position, length = position - _decay_start(k, period, mult), period * mult**k
    return min_factor + (1 - min_factor) * (1 + math.cos(math.pi * position / length)) / 2


def _decay_start(k: int, period: int, mult: int) -> int:
    """First step (after the warm-up) of decay ``k`` when each lasts ``mult`` (> 1) times the one before."""
    return period * (mult**k - 1) // (mult - 1)
