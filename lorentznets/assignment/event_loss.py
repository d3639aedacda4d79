"""Masked losses of the event-level regression and classification heads."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional

from .event_heads import EventHeads


def regression_loss(heads: EventHeads, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Sum over targets of the mean error on the events where the target is known.

    Errors are computed on training-standardised values: absolute for ``laplacian`` targets,
    squared for ``gaussian`` and ``log_gaussian`` ones (the latter standardised after
    asinh(x / 2)). NaN targets contribute nothing; a target with no known value in the batch
    contributes 0.

    Parameters
    ----------
    heads : EventHeads
        For the target types and the standardisation.
    predictions, targets : torch.Tensor with shape (B, R)
        In original units; NaN marks a missing target.

    Returns
    -------
    torch.Tensor, scalar
    """
    known = torch.isfinite(targets)
    filled = torch.where(known, targets, torch.zeros_like(targets)).to(predictions.dtype)
    residual = heads.standardize(predictions) - heads.standardize(filled)
    total = predictions.new_zeros(())
    for r, target in enumerate(heads.regressions):
        error = residual[:, r].abs() if target.kind == "laplacian" else residual[:, r].square()
        weights = known[:, r].to(error.dtype)
        total = total + (error * weights).sum() / weights.sum().clamp(min=1)
    return total


def classification_loss(logits: Sequence[torch.Tensor], targets: torch.Tensor) -> torch.Tensor:
    """Sum over targets of the mean cross-entropy on the events with a label (-1 = missing).

    Parameters
    ----------
    logits : sequence of torch.Tensor
        Per target, (B, C_k).
    targets : torch.Tensor with shape (B, T), int64
        Class labels, -1 where missing.

    Returns
    -------
    torch.Tensor, scalar
    """
    total = targets.new_zeros((), dtype=logits[0].dtype if logits else torch.float32)
    for k, target_logits in enumerate(logits):
        labels = targets[:, k]
        known = labels >= 0
        entropy = functional.cross_entropy(target_logits, labels.clamp(min=0), reduction="none")
        weights = known.to(entropy.dtype)
        total = total + (entropy * weights).sum() / weights.sum().clamp(min=1)
    return total
