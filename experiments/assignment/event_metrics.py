"""Metrics of the event-level regression and classification heads, and their table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def regression_metrics(
    predictions: np.ndarray, targets: np.ndarray, names: Sequence[str], mean_prediction: np.ndarray
) -> dict[str, float]:
    """Per target ``regression.<name>.{rmse, residual_std, rmse_mean_prediction, num_events}``.

    Parameters
    ----------
    predictions, targets : np.ndarray with shape (E, R)
        Original units; NaN targets are left out.
    names : sequence of str
    mean_prediction : np.ndarray with shape (R,)
        The training-split mean in original units (for ``log_gaussian`` targets, the inverse
        transform of the mean of the transformed values); ``rmse_mean_prediction`` is the RMSE
        of predicting it.
    """
    metrics = {}
    for r, name in enumerate(names):
        known = np.isfinite(targets[:, r])
        residual = (predictions[known, r] - targets[known, r]).astype(np.float64)
        baseline = (mean_prediction[r] - targets[known, r]).astype(np.float64)
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
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

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


def _section(metrics: Mapping[str, float], kind: str, columns: Mapping[str, str]) -> list[str]:
    """Rows of one kind of target (``regression`` or ``classification``); ``columns`` maps a
    metric suffix to its column title."""
    names = sorted({key[len(kind) + 1 :].rsplit(".", 1)[0] for key in metrics if key.startswith(kind + ".")})
    if not names:
        return []
    header = f"{kind:32s}{'events':>8s}" + "".join(f"{title:>12s}" for title in columns.values())
    lines = [header, "-" * len(header)]
    for name in names:
        prefix = f"{kind}.{name}."
        values = "".join(f"{metrics.get(prefix + suffix, float('nan')):12.4g}" for suffix in columns)
        lines.append(f"{name:32s}{metrics[prefix + 'num_events']:8.0f}{values}")
    return lines


def event_target_table(metrics: Mapping[str, float], title: str) -> str:
    """A readable table of the regression and classification metrics."""
    regression = {"rmse": "rmse", "residual_std": "resid std", "rmse_mean_prediction": "rmse(mean)"}
    classification = {"accuracy": "accuracy", "auc": "auc"}
    lines = [title, *_section(metrics, "regression", regression), *_section(metrics, "classification", classification)]
    return "\n".join(lines)
