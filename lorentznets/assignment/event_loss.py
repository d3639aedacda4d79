"""Masked losses of the event-level regression and classification heads."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional

from .event_heads import EventHeads


def regression_losses(
    heads: EventHeads,
    predictions: torch.Tensor,
    targets: torch.Tensor,
    divisors: torch.Tensor | None = None,
) -> torch.Tensor:
    """Per target, the mean error on the events where the target is known.

    Errors are computed on training-standardised values: absolute for ``laplacian`` targets,
    squared for ``gaussian`` and ``log_gaussian`` ones (the latter standardised after
    asinh(x / 2)). NaN targets contribute nothing; a target with no known value in the batch
    has loss 0. The denominators are :func:`regression_counts`.

    Parameters
    ----------
    heads : EventHeads
        For the target types and the standardisation.
    predictions, targets : torch.Tensor with shape (B, R)
        In original units; NaN marks a missing target.
    divisors : torch.Tensor with shape (R,), optional
        The divisors of the summed errors (default: the batch's counts of known values,
        :func:`regression_counts`); under DDP the counts' mean over the ranks, reduced by the
        caller together with the other losses' counts.

    Returns
    -------
    torch.Tensor with shape (R,)
    """
    known = torch.isfinite(targets)
    filled = torch.where(known, targets, torch.zeros_like(targets)).to(predictions.dtype)
    residual = heads.standardize(predictions) - heads.standardize(filled)
    errors = [
        residual[:, r].abs() if target.kind == "laplacian" else residual[:, r].square()
        for r, target in enumerate(heads.regressions)
    ]
    error = torch.stack(errors, dim=1) if errors else residual
    return normalised_mean(error, known.to(error.dtype), divisors)


def regression_counts(targets: torch.Tensor) -> torch.Tensor:
    """Known values per target: the denominators of :func:`regression_losses`, (B, R) -> (R,)."""
    return torch.isfinite(targets).sum(0)


def classification_losses(
    logits: Sequence[torch.Tensor],
    targets: torch.Tensor,
    divisors: torch.Tensor | None = None,
) -> torch.Tensor:
    """Per target, the mean cross-entropy on the events with a label (-1 = missing; 0 without
    any). The denominators are :func:`classification_counts`.

    Parameters
    ----------
    logits : sequence of torch.Tensor
        Per target, (B, C_k).
    targets : torch.Tensor with shape (B, T), int64
        Class labels, -1 where missing.
    divisors : torch.Tensor with shape (T,), optional
        As for :func:`regression_losses`; the default is the counts of labelled events
        (:func:`classification_counts`).

    Returns
    -------
    torch.Tensor with shape (T,)
    """
    if not logits:
        return targets.new_zeros(0, dtype=torch.float32)
    entropy = torch.stack(
        [
            functional.cross_entropy(target_logits, targets[:, k].clamp(min=0), reduction="none")
            for k, target_logits in enumerate(logits)
        ],
        dim=1,
    )
    return normalised_mean(entropy, (targets[:, : len(logits)] >= 0).to(entropy.dtype), divisors)


def classification_counts(targets: torch.Tensor) -> torch.Tensor:
    """Labelled events per target: the denominators of :func:`classification_losses`, (B, T) -> (T,)."""
    return (targets >= 0).sum(0)


def normalised_mean(values: torch.Tensor, weights: torch.Tensor, divisors: torch.Tensor | None = None) -> torch.Tensor:
    """Per column, ``sum(w v) / divisor`` (default divisor ``sum(w)``); 0 for a column whose divisor is 0.

    A divisor below 1 is kept (under DDP, the mean over ranks of a count may be 1/2): only an
    exact 0, where the weighted sum is 0 too, is replaced.

    Parameters
    ----------
    values, weights : torch.Tensor with shape (B, K)
    divisors : torch.Tensor with shape (K,), optional
        Default: the weight sums.

    Returns
    -------
    torch.Tensor with shape (K,)
    """
    return divided((values * weights).sum(0), weights.sum(0) if divisors is None else divisors)


def divided(numerator: torch.Tensor, divisor: torch.Tensor) -> torch.Tensor:
    """``numerator / divisor`` with an exact 0 divisor (whose numerator is 0 too) taken as 1: a
    divisor below 1 is kept (under DDP, the mean over ranks of a count may be 1/2)."""
    return numerator / torch.where(divisor > 0, divisor, torch.ones_like(divisor))
