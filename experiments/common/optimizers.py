"""Optimizer construction from the config (with fine-tuning's head and backbone parameter groups),
including a small Lion implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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
    parameters: Iterable[torch.nn.Parameter] | Iterable[dict],
    name: str,
    lr: float,
    weight_decay: float = 0.0,
    betas: tuple[float, float] | None = None,
) -> Optimizer:
    """Create an optimizer by name.

    Parameters
    ----------
    parameters : iterable of torch.nn.Parameter, or of parameter-group dicts
        Groups (e.g. :func:`finetune_parameter_groups`) keep their own ``lr``.
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


def finetune_parameter_groups(
    named_parameters: Iterable[tuple[str, torch.nn.Parameter]],
    head_prefixes: Sequence[str],
    lr: float,
    backbone_lr_factor: float,
    head_lr: float | None = None,
) -> list[dict]:
    """Two parameter groups for fine-tuning: the head and the backbone, with their own learning rates.

    Parameters
    ----------
    named_parameters : iterable of (str, torch.nn.Parameter)
        ``model.named_parameters()``; parameters without ``requires_grad`` are left out.
    head_prefixes : sequence of str
        Parameter-name prefixes of the head (e.g. ``("net.linear_out.",)``); every other
        parameter belongs to the backbone.
    lr : float
        The configured learning rate.
    backbone_lr_factor : float
        Backbone learning rate = ``lr * backbone_lr_factor``; 0 keeps the backbone fixed.
    head_lr : float or None
        Learning rate of the head; None: ``lr``.

    Returns
    -------
    list of dict
        ``[{"name": "head", "params": [...], "lr": ...}, {"name": "backbone", ...}]`` (head
        first, so that the logged learning rate ``param_groups[0]["lr"]`` is the head's); a
        backbone without parameters is left out.

    Raises
    ------
    ValueError
        When no parameter name starts with one of ``head_prefixes``.
    """
    if backbone_lr_factor < 0:
        raise ValueError(f"backbone_lr_factor must be >= 0, got {backbone_lr_factor}")
    head, backbone = [], []
    for name, parameter in named_parameters:
        if parameter.requires_grad:
            (head if name.startswith(tuple(head_prefixes)) else backbone).append(parameter)
    if not head:
        raise ValueError(f"no trainable parameter of the model starts with the head prefixes {list(head_prefixes)}")
    groups = [{"name": "head", "params": head, "lr": lr if head_lr is None else head_lr}]
    if backbone:
        groups.append({"name": "backbone", "params": backbone, "lr": lr * backbone_lr_factor})
    return groups
