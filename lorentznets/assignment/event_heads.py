"""Event-level regression and classification heads on a pooled event embedding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from lorentznets.nets.mlp import MLP
from lorentznets.nets.pooling import masked_mean

from .event_targets import LOG_REGRESSION_TYPES, RegressionTarget

NUM_CLASSES_BUFFER = "num_classes"


def signed_log(values: torch.Tensor) -> torch.Tensor:
    """asinh(x / 2): log-like for large |x| (log |x| times the sign), linear near 0; any shape."""
    return torch.asinh(values / 2)


def inverse_signed_log(values: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`signed_log`, 2 sinh(y); any shape."""
    # exp(y) - exp(-y) rather than torch.sinh, which the ONNX exporter does not support.
    return torch.exp(values) - torch.exp(-values)


class EventHeads(nn.Module):
    """Small MLPs on the mean of the per-jet features over real jets, joined with the global inputs.

    Regression outputs are in the targets' original units; internally the network predicts
    standardised values, with the training mean and std kept as buffers (``regression_mean``,
    ``regression_std``), so a saved model needs no training file. ``log_gaussian`` targets are
    standardised after :func:`signed_log` (their mean and std are those of the transformed
    values). The class counts are a buffer too (``num_classes``; read them back with
    :func:`saved_num_classes`).

    Parameters
    ----------
    in_features : int
        Per-jet feature size D plus the number G of global features.
    regressions : sequence of RegressionTarget
    classifications : sequence of str
        Classification target keys.
    num_classes : sequence of int
        Classes per classification target (max label + 1 on the training split).
    hidden : int
        Hidden width of the MLPs (two hidden layers).

    Examples
    --------
    >>> heads = EventHeads(8, [RegressionTarget("EVENT/m")], ["EVENT/signal"], [2])
    >>> regressions, logits = heads(torch.randn(3, 5, 8), torch.ones(3, 5, dtype=torch.bool))
    >>> regressions.shape, logits[0].shape
    (torch.Size([3, 1]), torch.Size([3, 2]))
    """

    def __init__(
        self,
        in_features: int,
        regressions: Sequence[RegressionTarget],
        classifications: Sequence[str],
        num_classes: Sequence[int],
        hidden: int = 64,
    ) -> None:
        super().__init__()
        if len(num_classes) != len(classifications):
            raise ValueError(
                f"num_classes needs one entry per classification target {list(classifications)}, "
                f"got {list(num_classes)}"
            )
        if any(int(c) < 1 for c in num_classes):
            raise ValueError(f"every classification target needs at least one class, got {list(num_classes)}")
        self.regressions = tuple(regressions)
        self.classifications = tuple(classifications)
        self.in_features = in_features
        self.register_buffer("regression_mean", torch.zeros(len(self.regressions)))
        self.register_buffer("regression_std", torch.ones(len(self.regressions)))
        log_scale = [target.kind in LOG_REGRESSION_TYPES for target in self.regressions]
        self.register_buffer("log_scale", torch.tensor(log_scale, dtype=torch.bool), persistent=False)
        self.register_buffer(NUM_CLASSES_BUFFER, torch.tensor([int(c) for c in num_classes], dtype=torch.long))
        self.regression = MLP(in_features, len(self.regressions), hidden, 2) if self.regressions else None
        self.classification = nn.ModuleList(MLP(in_features, int(c), hidden, 2) for c in num_classes)

    @torch.no_grad()
    def fit(self, targets: torch.Tensor) -> None:
        """Set the regression statistics from the training targets (E, R), NaN = missing."""
        if targets.shape[-1] != len(self.regressions):
            raise ValueError(f"expected {len(self.regressions)} regression targets, got shape {tuple(targets.shape)}")
        transformed = self._to_fit_space(targets.double())
        for r, target in enumerate(self.regressions):
            values = transformed[:, r]
            values = values[torch.isfinite(values)]
            if len(values) < 2:
                raise ValueError(f"regression target {target.key!r} has fewer than two values in the training split")
            std = float(values.std())
            self.regression_mean[r] = float(values.mean())
            self.regression_std[r] = std if std > 0 else 1.0

    def _to_fit_space(self, values: torch.Tensor) -> torch.Tensor:
        return torch.where(self.log_scale, signed_log(values), values)

    def standardize(self, values: torch.Tensor) -> torch.Tensor:
        """Regression values (..., R) in original units -> training-standardised."""
        mean, std = self.regression_mean.to(values.dtype), self.regression_std.to(values.dtype)
        return (self._to_fit_space(values) - mean) / std

    def destandardize(self, values: torch.Tensor) -> torch.Tensor:
        """Training-standardised values (..., R) -> original units (inverse of :meth:`standardize`)."""
        fitted = values * self.regression_std.to(values.dtype) + self.regression_mean.to(values.dtype)
        # Zero the other targets before the exponential: an overflow there would make torch.where's
        # gradient NaN even though its value is not selected.
        log_input = torch.where(self.log_scale, fitted, torch.zeros_like(fitted))
        return torch.where(self.log_scale, inverse_signed_log(log_input), fitted)

    def mean_prediction(self) -> torch.Tensor:
        """The constant prediction of a standardised 0 (the training mean), original units, (R,)."""
        return self.destandardize(torch.zeros_like(self.regression_mean))

    def forward(
        self, jets: torch.Tensor, mask: torch.Tensor, global_features: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """
        Parameters
        ----------
        jets : torch.Tensor with shape (B, N, D)
            Per-jet features from the backbone.
        mask : torch.Tensor with shape (B, N), bool
        global_features : torch.Tensor with shape (B, G), optional
            Transformed global inputs.

        Returns
        -------
        regressions : torch.Tensor with shape (B, R)
            Predictions in the targets' original units.
        classification_logits : list of torch.Tensor
            Per classification target, (B, C_k).
        """
        pooled = masked_mean(jets, mask)
        if global_features is not None and global_features.shape[-1]:
            pooled = torch.cat([pooled, global_features.to(pooled.dtype)], dim=-1)
        if pooled.shape[-1] != self.in_features:
            raise ValueError(f"expected {self.in_features} pooled features, got shape {tuple(pooled.shape)}")
        if self.regression is None:
            regressions = pooled.new_zeros(pooled.shape[0], 0)
        else:
            regressions = self.destandardize(self.regression(pooled))
        return regressions, [head(pooled) for head in self.classification]


def saved_num_classes(state_dict: Mapping[str, torch.Tensor], prefix: str = "event_heads.") -> list[int] | None:
    """Class counts stored in a saved model's state dict (None when it has no event heads).

    Use them to rebuild the model before ``load_state_dict`` without the training file.
    """
    key = prefix + NUM_CLASSES_BUFFER
    return [int(c) for c in state_dict[key]] if key in state_dict else None
