"""Optimizer construction from the config, including a small Lion implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch.optim import Optimizer


class Lion(Optimizer):
    """Lion: sign of an interpolated momentum (Chen et al., arXiv 2302.06675).

    Update per parameter ``p`` with gradient ``g`` and momentum ``m``::

        p <- p * (1 - lr * weight_decay)
        p <- p - lr * sign(beta1 * m + (1 - beta1) * g)
        m <- beta2 * m + (1 - beta2) * g

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups.
    lr : float
        Learning rate; typically 3-10x smaller than Adam's.
    betas : tuple of float
        ``(beta1, beta2)``.
    weight_decay : float
        Decoupled weight decay.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
    ) -> None:
        if lr <= 0:
            raise ValueError(f"Lion: lr must be positive, got {lr}")
        if not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"Lion: betas must lie in [0, 1), got {betas}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Perform one optimisation step."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(param)
                momentum = state["exp_avg"]
                param.mul_(1 - group["lr"] * group["weight_decay"])
                update = momentum.mul(beta1).add_(param.grad, alpha=1 - beta1).sign_()
                param.add_(update, alpha=-group["lr"])
                momentum.mul_(beta2).add_(param.grad, alpha=1 - beta2)
        return loss


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "lion": Lion,
}


def build_optimizer(
    parameters: Iterable[torch.nn.Parameter],
    name: str,
    lr: float,
    weight_decay: float = 0.0,
    betas: tuple[float, float] | None = None,
) -> Optimizer:
    """Create an optimizer by name.

    Parameters
    ----------
    parameters : iterable of torch.nn.Parameter
    name : str
        One of ``"adam"``, ``"adamw"``, ``"lion"``.
    lr : float
        Learning rate.
    weight_decay : float
        L2 penalty (Adam) or decoupled weight decay (AdamW, Lion).
    betas : tuple of float or None
        Moment coefficients; None keeps each optimizer's default.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    kwargs: dict = {"lr": lr, "weight_decay": weight_decay}
    if betas is not None:
        kwargs["betas"] = tuple(betas)
    return OPTIMIZERS[name](parameters, **kwargs)
