"""Accuracy metrics of amplitude regression."""

from __future__ import annotations

import numpy as np

__all__ = ["AMPLITUDE_METRIC_NAMES", "RELATIVE_ERROR_THRESHOLDS", "relative_errors", "amplitude_metrics"]

# Thresholds on |prediction - truth| / truth for the "fraction of points within" metrics.
RELATIVE_ERROR_THRESHOLDS = {"0.1pct": 1e-3, "1pct": 1e-2, "10pct": 1e-1}

RELATIVE_ERROR_QUANTILES = (50, 90, 99)
"""Percentiles of the relative error reported as ``rel_err_q<q>``."""

AMPLITUDE_METRIC_NAMES = (
    "mse",
    *(f"rel_err_q{q}" for q in RELATIVE_ERROR_QUANTILES),
    *(f"frac_rel_err_below_{name}" for name in RELATIVE_ERROR_THRESHOLDS),
)
"""The names :func:`amplitude_metrics` returns."""


def relative_errors(prediction: np.ndarray, target: np.ndarray, log_mean: float, log_std: float) -> np.ndarray:
    """Relative errors of the amplitudes from standardised log-amplitude predictions.

    Parameters
    ----------
    prediction, target : np.ndarray with shape (N,)
        Standardised log amplitudes ``(log |M|^2 - log_mean) / log_std``.
    log_mean, log_std : float
        The standardisation.

    Returns
    -------
    np.ndarray with shape (N,)
        ``|A_pred - A_true| / A_true = |exp(log_std (prediction - target)) - 1|``.
    """
    return np.abs(np.expm1(log_std * (prediction - target)))


def amplitude_metrics(prediction: np.ndarray, target: np.ndarray, log_mean: float, log_std: float) -> dict[str, float]:
    """MSE of the standardised log amplitude, relative-error quantiles and fractions within thresholds.

    Parameters
    ----------
    prediction, target : np.ndarray with shape (N,)
        Standardised log amplitudes.
    log_mean, log_std : float

    Returns
    -------
    dict
        ``mse``, ``rel_err_q50``, ``rel_err_q90``, ``rel_err_q99`` and ``frac_rel_err_below_<t>``
        for the thresholds of ``RELATIVE_ERROR_THRESHOLDS``.
    """
    if prediction.shape != target.shape or prediction.ndim != 1 or prediction.size == 0:
        raise ValueError(
            f"amplitude_metrics: need equal non-empty 1d arrays, got {prediction.shape} and {target.shape}"
        )
    errors = relative_errors(prediction, target, log_mean, log_std)
    metrics = {"mse": float(np.mean((prediction - target) ** 2))}
    for q in RELATIVE_ERROR_QUANTILES:
        metrics[f"rel_err_q{q}"] = float(np.quantile(errors, q / 100))
    for name, threshold in RELATIVE_ERROR_THRESHOLDS.items():
        metrics[f"frac_rel_err_below_{name}"] = float(np.mean(errors < threshold))
    return metrics
