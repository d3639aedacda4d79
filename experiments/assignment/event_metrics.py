"""Metrics of the event-level regression and classification heads, and their table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score


def regression_metrics(
    predictions: np.ndarray, targets: np.ndarray, names: Sequence[str], training_mean: np.ndarray
) -> dict[str, float]:
    """Per target ``regression.<name>.{rmse, residual_std, rmse_mean_prediction, num_events}``.

    Parameters
    ----------
    predictions, targets : np.ndarray with shape (E, R)
        Original units; NaN targets are left out.
    names : sequence of str
    training_mean : np.ndarray with shape (R,)
        The training-split mean; ``rmse_mean_prediction`` is the RMSE of predicting it.
    """
    metrics = {}
    for r, name in enumerate(names):
        known = np.isfinite(targets[:, r])
        residual = (predictions[known, r] - targets[known, r]).astype(np.float64)
        baseline = (training_mean[r] - targets[known, r]).astype(np.float64)
        empty = not known.any()
        metrics[f"regression.{name}.rmse"] = float("nan") if empty else float(np.sqrt(np.mean(residual**2)))
        metrics[f"regression.{name}.residual_std"] = float("nan") if empty else float(residual.std())
        metrics[f"regression.{name}.rmse_mean_prediction"] = (
            float("nan") if empty else float(np.sqrt(np.mean(baseline**2)))
        )
        metrics[f"regression.{name}.num_events"] = float(known.sum())
    return metrics


def classification_metrics(logits: Sequence[np.ndarray], targets: np.ndarray, names: Sequence[str]) -> dict[str, float]:
    """Per target ``classification.<name>.{accuracy, num_events}`` and ``.auc`` for two classes.

    Parameters
    ----------
    logits : sequence of np.ndarray
        Per target, (E, C_k).
    targets : np.ndarray with shape (E, T), int
        Labels, -1 where missing (left out).
    names : sequence of str
    """
    metrics = {}
    for k, name in enumerate(names):
        known = targets[:, k] >= 0
        labels = targets[known, k]
        scores = logits[k][known].astype(np.float64)
        metrics[f"classification.{name}.accuracy"] = (
            float((scores.argmax(axis=1) == labels).mean()) if known.any() else float("nan")
        )
        metrics[f"classification.{name}.num_events"] = float(known.sum())
        if scores.shape[1] == 2:
            # The logit difference orders events like the class-1 probability.
            both = len(np.unique(labels)) == 2
            metrics[f"classification.{name}.auc"] = (
                float(roc_auc_score(labels, scores[:, 1] - scores[:, 0])) if both else float("nan")
            )
    return metrics


def event_target_table(metrics: Mapping[str, float], title: str) -> str:
    """A readable table of the regression and classification metrics."""
    lines = [title]
    regressions = sorted(
        {key[len("regression.") :].rsplit(".", 1)[0] for key in metrics if key.startswith("regression.")}
    )
    if regressions:
        header = f"{'regression':32s}{'events':>8s}{'rmse':>12s}{'resid std':>12s}{'rmse(mean)':>12s}"
        lines += [header, "-" * len(header)]
        for name in regressions:
            prefix = f"regression.{name}."
            lines.append(
                f"{name:32s}{metrics[prefix + 'num_events']:8.0f}{metrics[prefix + 'rmse']:12.4g}"
                f"{metrics[prefix + 'residual_std']:12.4g}{metrics[prefix + 'rmse_mean_prediction']:12.4g}"
            )
    classifications = sorted(
        {key[len("classification.") :].rsplit(".", 1)[0] for key in metrics if key.startswith("classification.")}
    )
    if classifications:
        header = f"{'classification':32s}{'events':>8s}{'accuracy':>12s}{'auc':>12s}"
        lines += [header, "-" * len(header)]
        for name in classifications:
            prefix = f"classification.{name}."
            lines.append(
                f"{name:32s}{metrics[prefix + 'num_events']:8.0f}{metrics[prefix + 'accuracy']:12.3f}"
                f"{metrics.get(prefix + 'auc', float('nan')):12.3f}"
            )
    return "\n".join(lines)
