"""Exponential moving average of model weights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


class ExponentialMovingAverage:
    """Shadow copy ``s <- decay * s + (1 - decay) * p`` of the floating-point parameters.

    Parameters
    ----------
    model : torch.nn.Module
        The (unwrapped) model whose parameters are averaged.
    decay : float
        Averaging coefficient in [0, 1).
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA decay must lie in [0, 1), got {decay}")
        self.model = model
        self.decay = decay
        self.shadow = {
            name: param.detach().clone() for name, param in model.named_parameters() if param.dtype.is_floating_point
        }

    @torch.no_grad()
    def update(self) -> None:
        """Blend the current parameters into the average (call after each optimizer step)."""
        for name, param in self.model.named_parameters():
            if name in self.shadow:
                self.shadow[name].lerp_(param.detach(), 1.0 - self.decay)

    @contextmanager
    def average_parameters(self) -> Iterator[None]:
        """Temporarily load the averaged weights into the model; restore them on exit."""
        params = dict(self.model.named_parameters())
        backup = {name: params[name].detach().clone() for name in self.shadow}
        with torch.no_grad():
            for name, value in self.shadow.items():
                params[name].copy_(value)
        try:
            yield
        finally:
            with torch.no_grad():
                for name, value in backup.items():
                    params[name].copy_(value)

    def state_dict(self) -> dict:
        """Return the decay and the averaged tensors."""
        return {"decay": self.decay, "shadow": {k: v.clone() for k, v in self.shadow.items()}}

    def load_state_dict(self, state: dict) -> None:
        """Restore a state from :meth:`state_dict`."""
        missing = set(self.shadow) - set(state["shadow"])
        if missing:
            raise KeyError(f"EMA state lacks parameters {sorted(missing)}")
        self.decay = state["decay"]
        for name, value in state["shadow"].items():
            self.shadow[name].copy_(value)
