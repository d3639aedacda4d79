"""SPANet's feature transforms with their statistics stored in the model."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from lorentznets.assignment.topology import FEATURE_TRANSFORMS


class FeatureTransform(nn.Module):
    """Per-feature ``none``, ``log`` (log(x + 1)), ``normalize`` or ``log_normalize``.

    The means and standard deviations are buffers, so a saved model carries them and loads
    without its training file. Until :meth:`fit` runs they are 0 and 1.

    Parameters
    ----------
    transforms : sequence of str
        One transform per feature (last axis of the inputs).
    """

    def __init__(self, transforms: Sequence[str]) -> None:
        super().__init__()
        unknown = [t for t in transforms if t not in FEATURE_TRANSFORMS]
        if unknown:
            raise ValueError(f"unknown feature transforms {unknown}; choose from {FEATURE_TRANSFORMS}")
        self.transforms = tuple(transforms)
        self.register_buffer("use_log", torch.tensor([t.startswith("log") for t in transforms], dtype=torch.bool))
        self.register_buffer(
            "use_normalize", torch.tensor([t.endswith("normalize") for t in transforms], dtype=torch.bool)
        )
        self.register_buffer("mean", torch.zeros(len(transforms)))
        self.register_buffer("std", torch.ones(len(transforms)))

    def _log(self, values: torch.Tensor) -> torch.Tensor:
        return torch.where(self.use_log, torch.log1p(values.clamp_min(-1 + 1e-6)), values)

    @torch.no_grad()
    def fit(self, values: torch.Tensor, mask: torch.Tensor | None = None) -> None:
        """Set mean and std of the ``normalize`` features from real training entries.

        Parameters
        ----------
        values : torch.Tensor with shape (..., F)
        mask : torch.Tensor with shape (...), bool, optional
            Entries to use (real jets); all when None.
        """
        if values.shape[-1] != len(self.transforms):
            raise ValueError(f"expected {len(self.transforms)} features, got shape {tuple(values.shape)}")
        logged = self._log(values.double())
        real = logged[mask] if mask is not None else logged.reshape(-1, values.shape[-1])
        if len(real) < 2:
            raise ValueError("need at least two real entries to fit the feature normalisation")
        std = real.std(dim=0)
        std = torch.where(std > 0, std, torch.ones_like(std))
        self.mean.copy_(torch.where(self.use_normalize, real.mean(dim=0), torch.zeros_like(std)))
        self.std.copy_(torch.where(self.use_normalize, std, torch.ones_like(std)))

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        """Transformed features, same shape (..., F) as ``values``."""
        mean, std = self.mean.to(values.dtype), self.std.to(values.dtype)
        return (self._log(values) - mean) / std
