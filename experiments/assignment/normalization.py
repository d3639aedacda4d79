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
        mask : torch.Tensor with shape (...) or (..., F), bool, optional
            Entries to use (real jets), per feature when it has the last axis F; all when None.
        """
        if values.shape[-1] != len(self.transforms):
            raise ValueError(f"expected {len(self.transforms)} features, got shape {tuple(values.shape)}")
        logged = self._log(values.double())
        if mask is None:
            mask = torch.ones(values.shape[:-1], dtype=torch.bool, device=values.device)
        if mask.dim() == values.dim() - 1:
            mask = mask[..., None].expand(values.shape)
        mean, std = torch.zeros_like(self.mean, dtype=torch.float64), torch.ones_like(self.std, dtype=torch.float64)
        for feature in range(len(self.transforms)):
            if not self.use_normalize[feature]:
                continue
            real = logged[..., feature][mask[..., feature]]
            if len(real) < 2:
                raise ValueError(f"need at least two real entries to fit the normalisation of feature {feature}")
            mean[feature] = real.mean()
            spread = real.std()
            std[feature] = spread if spread > 0 else 1.0
        self.mean.copy_(mean)
        self.std.copy_(std)

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        """Transformed features, same shape (..., F) as ``values``."""
        mean, std = self.mean.to(values.dtype), self.std.to(values.dtype)
        return (self._log(values) - mean) / std
